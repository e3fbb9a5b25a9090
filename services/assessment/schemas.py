"""assessment's RPC argument schemas: a month's (services.common.periods.schemas)."""

from services.common.messaging import rpc_fields as f
from services.common.periods.schemas import period_schemas

SCHEMAS = period_schemas("month", f.month, f.any_period)
MonthRef, SheetQuery, Close, Reopen = SCHEMAS.ref, SCHEMAS.query, SCHEMAS.close, SCHEMAS.reopen
LineRef = f.LineRef  # projection_status / projection_versions
