"""assessment's tables: its projection of intake's records (facts), its closed sheets and their
lines (services.common.periods.models), on its own base: services/assessment/migrations."""

from services.common.periods.models import period_models

MODELS = period_models("assessment")
Base, Fact, Sheet, SheetLine = MODELS.base, MODELS.fact, MODELS.sheet, MODELS.sheet_line
