"""assessment's tables: its projection of intake's records (facts), its closed sheets and their lines."""
from services.common.access.guard import access_table
from services.common.storage.audit import audit_table
from services.common.storage.db import new_base, reliability_tables
from services.common.periods.factstore import fact_table
from services.common.periods.ledger import ledger_tables

Base = new_base("assessment")  # its migrations: services/assessment/migrations
AppliedEvent, IdempotentCall, OutboxEvent = reliability_tables(Base)
AuditEntry = audit_table(Base)  # who did what (services.common.storage.audit), append-only
AccessPrincipal = access_table(Base)  # who may do what, as intake announced it
Fact = fact_table(Base)
Sheet, SheetLine = ledger_tables(Base)
