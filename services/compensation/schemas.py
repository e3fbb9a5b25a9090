"""compensation's RPC argument schemas: a quarter's (services.common.periods.schemas)."""

from services.common.messaging import rpc_fields as f
from services.common.periods.schemas import period_schemas

SCHEMAS = period_schemas("quarter", f.quarter, f.any_period)
# a month's statement of a line paid by the month (docs/rules.md §9.4)
MONTH_SCHEMAS = period_schemas("month", f.month, f.any_period)
QuarterRef, StatementQuery, Run, Reopen = SCHEMAS.ref, SCHEMAS.query, SCHEMAS.close, SCHEMAS.reopen
LineRef = f.LineRef  # projection_status / projection_versions
