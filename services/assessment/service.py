"""assessment: closes a month into a sheet of penalty points, each line citing its clause.

Events in:  intake.record_changed, intake.records_changed (every fact kind, into this service's own
             projection)
Events out: month_closed (totals per person)
RPC:
    close_month(business_line, month, accept_missing=None)
                                                 closes the sheet; answers its summary (totals,
                                                 line_count, version); again: the same
    reopen_month(business_line, month, reason)   the next close stores a new version
    get_sheet(business_line, month, person=None, page=None, page_size=None, kind=None)
                                                 the current version; lines all or page by page
    sheet_history(business_line, month)          every version with its reopen reason
    projection_status(business_line)             records held per kind (caught up yet?)
RPC out: intake.record_counts(business_line) before a month is computed: it waits (up to
CLOSE_CATCH_UP_SECONDS) for every change intake has sent, else refuses with Conflict naming
what is missing (services.common.periods.catch_up), or, given accept_missing (a reason), closes on what
it holds and says so in the version's reason.
Side by side (workers, instances): a line's projection updates are applied one at a time, and
its closes and reopenings wait for each other (services.common.storage.locks).
Like every service (services.common.mixins): list_parked / get_parked / replay_parked /
drop_parked for the events it parked in ``assessment.parked``, list_audit over its append-only audit
trail, and the access projection; handlers apply only the suite's own events, once each
(services.common.messaging.entrypoints); RPCs answer only SuiteErrors.
Tables: models.py.
"""

from __future__ import annotations

from kamkit.sections import year_indicators
from services.common.messaging.rpc import api
from services.common.periods import service as period  # a module: `nameko run` would run its class
from services.common.periods.ledger import Computed
from services.common.periods.period_run import off_the_hub
from services.common.storage.db import ServiceDatabase
from wire import events as E

from .models import MODELS
from .schemas import SCHEMAS

# Opportunities discovered this long before a month can still count in it (late entries).
DEFAULT_LOOKBACK_DAYS = 400


class AssessmentService(period.PeriodService):
    """Months into sheets of penalty points (services.common.periods.service: the rest)."""

    name = E.ASSESSMENT
    models, schemas = MODELS, SCHEMAS
    period_name, closed_event, not_closed = "month", E.MONTH_CLOSED, "is not closed"
    db = ServiceDatabase(MODELS.base)

    @api
    def close_month(self, business_line, month, accept_missing=None):
        args = self._arguments(
            SCHEMAS.close, business_line=business_line, month=month, accept_missing=accept_missing
        )
        return self._close(business_line, args["period"], args["accept_missing"])

    def _compute_period(self, business_line, period, plugin, *, tick, carried_in, sources=(), whole=False):
        month = period
        lookback = int(self.config.get("OPPORTUNITY_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS))
        # portfolios of the month and the two before (banking's 3-month averages); next
        # month's visit plan, due in this one (docs/rules.md §6.3)
        periods = [month, month.previous(), month.previous().previous(), month.quarter, month.next()]
        facts = self._facts(
            business_line, month, tick=tick, periods=periods, lookback_days=lookback, month=str(month)
        )
        return Computed(off_the_hub(plugin.assess_month, facts).lines.blocks, tick=tick)

    @api
    def reopen_month(self, business_line, month, reason):
        """Reopen a month with a reason: the next close makes the next version, and a closed year
        holding it becomes stale (docs/rules.md §9.7)."""
        args = self._arguments(SCHEMAS.reopen, business_line=business_line, month=month, reason=reason)
        month = args["period"]

        def mark_year_stale(u, sheet):
            why = f"{month} was reopened ({sheet.reopen_reason}); the year summing it may change"
            return {
                "stale": [
                    s.period
                    for s in MODELS.ledger.mark_later_stale(u.session, business_line, str(month), why)
                ]
            }

        return self._reopen(business_line, month, reason, mark_year_stale)

    def _year_parts(self, year):
        return year.months

    def _year_extra(self, business_line, year, plugin, tick):
        """The year's indicators (docs/rules.md §6) from the year's records."""
        facts = self._facts(business_line, year, tick=tick, periods=[*year.months, *year.quarters])
        return off_the_hub(year_indicators, facts, year.year, plugin.params)

    @api
    def get_sheet(self, business_line, month, person=None, page=None, page_size=None, kind=None):
        """The current sheet; its lines all at once, or page by page (page, page_size, kind)."""
        return self._page(
            business_line=business_line, month=month, person=person, page=page, page_size=page_size, kind=kind
        )

    @api
    def sheet_history(self, business_line, month):
        return self._history_of(business_line=business_line, month=month)
