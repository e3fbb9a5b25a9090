"""assessment's schema as the suite created it before migrations (services.common.storage.baseline has the
tables several services share).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from services.common.storage import baseline

revision = "0001"
down_revision = None


def upgrade() -> None:
    baseline.reliability()
    baseline.audit()
    baseline.access()
    baseline.facts()
    baseline.ledger()


def downgrade() -> None:
    baseline.drop(
        "sheet_lines",
        "sheets",
        "facts",
        "access_principals",
        "audit_log",
        "outbox",
        "idempotent_calls",
        "applied_events",
    )
