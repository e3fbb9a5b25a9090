"""Storage: each service's own database and what every change is written with.

Owns the database dependency and its pool (db), Alembic upgrades on start (migrations, baseline),
the reliability tables (applied events, idempotency answers, outbox, audit trail), the unit of
work every change goes through (uow), the outbox rows and their sending (outbox), bulk inserts,
upserts, per-line locks and the version-checked projection rows (projection).

Imports nothing of services.common.access, .messaging, .periods or .mixins: they build on it.
"""
