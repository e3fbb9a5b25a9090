"""compensation's tables: its projection of intake's records (facts), its closed sheets and their
lines (services.common.periods.models), on its own base: services/compensation/migrations."""

from services.common.periods.models import period_models

MODELS = period_models("compensation")
Base, Fact, Sheet, SheetLine, AccessPrincipal = (
    MODELS.base,
    MODELS.fact,
    MODELS.sheet,
    MODELS.sheet_line,
    MODELS.access,
)
TABLES = MODELS.tables
AppliedEvent, IdempotentCall, OutboxEvent, AuditEntry = (
    TABLES.applied,
    TABLES.calls,
    TABLES.outbox,
    TABLES.audit,
)
