"""compensation: runs a quarter into statements of commissions and bonuses, each line explained,
carrying state (debts, carry-over, year to date) from quarter to quarter.

Events in:  intake.record_changed, intake.records_changed (every fact kind, into this service's own
             projection)
Events out: quarter_closed (totals per person, the version's reason),
            period_stale (a later closed quarter whose carried state a reopen has changed)
RPC:
    run_quarter(business_line, quarter, accept_missing=None)
                                                    statements; answers the run's summary (totals,
                                                    line_count, version); again: the same
    reopen_quarter(business_line, quarter, reason)  the next run stores a new version
    run_month / reopen_month / get_month / get_month_statement / get_month_lines / month_history
                                                    the same for a month's statement, of a line
                                                    whose plugin pays by the month (pay_every); its
                                                    quarter's run then holds its months' lines
    replay_period(business_line, period, version=None)   recompute a closed version: identical?
    compare_period(business_line, period, plugin=None, parameters=None, lines=False)  what-if
    get_statement(business_line, quarter, person, page=None, page_size=None, kind=None)
                                                    one person's lines, every one explained
    get_run_lines(business_line, quarter, page, page_size, kind=None)   every line, page by page
    get_run(business_line, quarter)                 the whole run with carried state in and out
    run_history(business_line, quarter)
    projection_status(business_line)                records held per kind (caught up yet?)
The carried state a quarter starts from is the previous quarter's carried_out (none for the
first quarter this service has run for the line). Reopening a quarter marks every later closed
quarter of the line stale (get_run shows it, with why; a period_stale event announces it); a
quarter runs only on a previous quarter that is closed and current, and running a stale quarter
recomputes it as a new version whose reason says so.
RPC out: intake.record_counts(business_line) before a quarter is computed: it waits (up to
CLOSE_CATCH_UP_SECONDS) for every change intake has sent, else refuses with Conflict naming
what is missing (services.common.periods.catch_up), or, given accept_missing (a reason), runs on what
it holds and says so in the version's reason.
Side by side (workers, instances): a line's projection updates are applied one at a time, and
its closes and reopenings wait for each other (services.common.storage.locks).
Like every service (services.common.mixins): list_parked / get_parked / replay_parked /
drop_parked for the events it parked in ``compensation.parked``, list_audit over its append-only audit
trail, and the access projection; handlers apply only the suite's own events, once each
(services.common.messaging.entrypoints); RPCs answer only SuiteErrors.
Tables: models.py.
"""

from __future__ import annotations

from kamkit.errors import Conflict
from kamkit.explain import plain
from kamkit.periods import Month, Quarter
from services.common.messaging.rpc import api
from services.common.periods import ledger
from services.common.periods import service as period  # a module: `nameko run` would run its class
from services.common.periods.ledger import Computed
from services.common.periods.period_run import off_the_hub
from services.common.storage.db import ServiceDatabase
from wire import events as E

from .models import MODELS
from .schemas import MONTH_SCHEMAS, SCHEMAS


class CompensationService(period.PeriodService):
    """Quarters into statements of pay, carrying state from quarter to quarter
    (services.common.periods.service: the rest)."""

    name = E.COMPENSATION
    models, schemas = MODELS, SCHEMAS
    period_name, closed_event, not_closed = "quarter", E.QUARTER_CLOSED, "has not been run"
    db = ServiceDatabase(MODELS.base)

    @api
    def run_quarter(self, business_line, quarter, accept_missing=None):
        """The quarter's run; of a line paid by the month, its months' statements (each closed
        first, if it is not) and then the quarter's own lines (docs/rules.md §9.4)."""
        args = self._arguments(
            SCHEMAS.close, business_line=business_line, quarter=quarter, accept_missing=accept_missing
        )
        quarter = args["period"]
        if self._plugin(business_line, quarter).plugin.pay_every == "month":
            for month in quarter.months:
                current = MODELS.ledger.current(self.db.session, business_line, str(month))
                if current is None or current.status != ledger.CLOSED:
                    self._close(business_line, month, args["accept_missing"])
        return self._close(business_line, quarter, args["accept_missing"])

    @api
    def run_month(self, business_line, month, accept_missing=None):
        """A month's statement of a line paid by the month (telecom 003 §六, banking 002/LOAN):
        closed as a quarter is, versioned; again: the same."""
        args = self._arguments(
            MONTH_SCHEMAS.close, business_line=business_line, month=month, accept_missing=accept_missing
        )
        self._monthly(business_line, args["period"])
        return self._close(business_line, args["period"], args["accept_missing"])

    @api
    def reopen_month(self, business_line, month, reason):
        """Reopen a month's statement: its quarter and the later ones become stale."""
        month = self._arguments(
            MONTH_SCHEMAS.reopen, business_line=business_line, month=month, reason=reason
        )["period"]
        return self._reopen(business_line, month, reason, self._mark_stale(business_line, month))

    @api
    def get_month(self, business_line, month):
        """A month's statements, every person's, with its totals and lines."""
        m = self._arguments(MONTH_SCHEMAS.ref, business_line=business_line, month=month)
        return self._lines(business_line, m["period"])

    @api
    def get_month_statement(self, business_line, month, person, page=None, page_size=None, kind=None):
        """One person's statement of the month; its lines all at once, or page by page."""
        return self._month_page(
            business_line=business_line, month=month, person=person, page=page, page_size=page_size, kind=kind
        )

    @api
    def get_month_lines(self, business_line, month, page=1, page_size=500, kind=None):
        """The month's lines page by page (every person), with total_lines."""
        return self._month_page(
            business_line=business_line, month=month, page=page, page_size=page_size, kind=kind
        )

    @api
    def month_history(self, business_line, month):
        m = self._arguments(MONTH_SCHEMAS.ref, business_line=business_line, month=month)
        return self._history(m["business_line"], m["period"])

    def _month_page(self, **arguments):
        q = self._arguments(
            MONTH_SCHEMAS.ref, business_line=arguments["business_line"], month=arguments["month"]
        )
        self._monthly(q["business_line"], q["period"])
        return self._page(MONTH_SCHEMAS.query, **arguments)

    def _monthly(self, business_line, month) -> None:
        plugin = self._plugin(business_line, month).plugin
        if plugin.pay_every != "month":
            raise Conflict(
                f"{business_line!r} is paid by the quarter ({plugin.key}): run its quarter",
                field="business_line",
            )

    def _compute_period(self, business_line, period, plugin, *, tick, carried_in, sources=(), whole=False):
        if isinstance(period, Month):  # a month's statement: its pay lines, nothing carried
            if plugin.pay_every != "month":
                raise Conflict(f"{plugin.key} pays by the quarter: it has no month's pay", field="plugin")
            facts = self._facts(
                business_line, period, tick=tick, periods=[period, period.quarter], month=str(period)
            )
            return Computed(off_the_hub(plugin.commission_month, facts).lines.blocks, tick=tick)
        quarter = period
        facts = self._facts(
            business_line, quarter, tick=tick, periods=[quarter, *quarter.months], quarter=str(quarter)
        )
        if plugin.pay_every != "month" or whole:
            result = off_the_hub(plugin.commission_quarter, facts, carried_in)
            return Computed(result.lines.blocks, carried_in, plain(dict(result.carried)), tick)
        # monthly pay: the months' statements as closed, then the quarter's own lines
        section = off_the_hub(plugin.quarter_section, facts, carried_in)
        months = self._months_of(business_line, quarter, sources)
        return Computed(section.lines.blocks, carried_in, plain(dict(section.carried)), tick, copied=months)

    def _carried_under(self, business_line, period, plugin, tick):
        """Another plugin's state for ``period``: its quarters of the line from the first one run
        here, each computed under it on the same facts, from nothing (docs/rules.md §9.3)."""
        if not isinstance(period, Quarter):
            return None
        quarters = sorted(
            Quarter.parse(p["period"])
            for p in MODELS.ledger.periods(self.db.session, business_line)
            if "Q" in p["period"]
        )
        carried: dict = {}
        for quarter in [q for q in quarters if q < period]:
            made = self._compute(business_line, quarter, plugin, tick=tick, carried_in=carried, whole=True)
            carried = made.carried_out or {}
        return carried

    def _adjustable(self, business_line, period) -> None:
        if isinstance(period, Quarter) and self._plugin(business_line, period).plugin.pay_every == "month":
            raise Conflict(
                f"{business_line!r} is paid by the month: adjust the month of {period} that is wrong",
                field="period",
            )

    def _carries(self, period) -> bool:
        return isinstance(period, Quarter)  # the next quarter starts from its carried state

    def _months_of(self, business_line, quarter, sources) -> tuple:
        """The closed statements a quarter of monthly pay holds: ``sources`` (the versions it
        held), else each month's current version, which must be closed."""
        session, held = self.db.session, []
        wanted = [s for s in sources if "period" in s] or [
            {"period": str(m), "version": None} for m in quarter.months
        ]
        for source in wanted:
            if source["version"] is None:
                sheet = MODELS.ledger.current(session, business_line, source["period"])
            else:
                sheet = MODELS.ledger.version(session, business_line, source["period"], source["version"])
            if sheet is None or (source["version"] is None and sheet.status != ledger.CLOSED):
                raise Conflict(
                    f"{source['period']}'s statement is not closed; run it before {quarter}", field="quarter"
                )
            held.append(sheet)
        return tuple(held)

    def _year_parts(self, year):
        return year.quarters

    def _carried_in(self, business_line, quarter):
        if not isinstance(quarter, Quarter):
            return None  # a month's statement starts from nothing: its quarter carries; a year sums
        previous = MODELS.ledger.current(self.db.session, business_line, str(quarter.previous()))
        if previous is None:
            return {}
        if previous.status != ledger.CLOSED:
            raise Conflict(
                f"{quarter.previous()} is {previous.status}; run it again before {quarter}", field="quarter"
            )
        # an adjustment of the previous quarter hands on its recomputed state (docs/rules.md §9.5)
        Adjustment = MODELS.adjustment
        corrected = (
            self.db.session.query(Adjustment.carried_out)
            .filter_by(business_line=business_line, period=previous.period, version=previous.version)
            .filter(Adjustment.carried_out.isnot(None))
            .order_by(Adjustment.id.desc())
            .first()
        )
        return (corrected[0] if corrected else previous.carried_out) or {}

    @api
    def reopen_quarter(self, business_line, quarter, reason):
        quarter = self._arguments(
            SCHEMAS.reopen, business_line=business_line, quarter=quarter, reason=reason
        )["period"]

        return self._reopen(business_line, quarter, reason, self._mark_stale(business_line, quarter))

    def _mark_stale(self, business_line, period):
        """What reopening ``period`` does besides: every closed quarter standing on it is marked
        stale and announced (period_stale)."""

        def mark(u, sheet):
            hands = (
                "the carried state it hands on" if isinstance(period, Quarter) else "the quarter holding it"
            )
            why = f"{period} was reopened ({sheet.reopen_reason}); {hands} may change"
            stale = MODELS.ledger.mark_later_stale(u.session, business_line, str(period), why)
            for later in stale:
                u.emit(
                    E.PERIOD_STALE,
                    E.make_event(
                        E.PERIOD_STALE,
                        business_line=business_line,
                        period=later.period,
                        version=later.version,
                        because_of=str(period),
                        reason=why,
                        as_of=None,
                    ),
                )
            return {"stale": [s.period for s in stale]}

        return mark

    @api
    def get_run(self, business_line, quarter):
        q = self._arguments(SCHEMAS.ref, business_line=business_line, quarter=quarter)
        return self._lines(business_line, q["period"])

    @api
    def get_statement(self, business_line, quarter, person, page=None, page_size=None, kind=None):
        """One person's statement; its lines all at once, or page by page (page, page_size, kind)."""
        return self._page(
            business_line=business_line,
            quarter=quarter,
            person=person,
            page=page,
            page_size=page_size,
            kind=kind,
        )

    @api
    def get_run_lines(self, business_line, quarter, page=1, page_size=500, kind=None):
        """The whole run's lines page by page (every person), with total_lines."""
        return self._page(
            business_line=business_line, quarter=quarter, page=page, page_size=page_size, kind=kind
        )

    @api
    def run_history(self, business_line, quarter):
        return self._history_of(business_line=business_line, quarter=quarter)
