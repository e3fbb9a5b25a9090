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
Operators (every service, services.common.mixins): list_parked, get_parked, replay_parked,
drop_parked — events this service parked in ``compensation.parked`` (services.common.messaging.deadletter).
Handlers apply only events the suite published (services.common.messaging.origin), validate each
(wire.events), retry failures through delay queues and park what still fails; RPCs answer only SuiteErrors (Unavailable, Internal with a correlation id).
Side by side (workers, instances): a line's projection updates are applied one at a time, and
its closes and reopenings wait for each other (services.common.storage.locks).
Who may do what: intake.access_changed kept in access_principals (services.common.access.guard).
Audit (every service, services.common.storage.audit): each change and each refused call in the append-only
``audit_log``, in the change's transaction; list_audit(business_line, principal, target, period,
outcome, page, page_size).
Tables: models.py.
"""
from __future__ import annotations

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from nameko.timer import timer

from wire import events as E
from services.common.periods import ledger
from services.common.storage.db import ServiceDatabase
from services.common.storage.outbox import send_outbox
from services.common.storage.outbox import send_after_commit
from services.common.messaging.entrypoints import handles
from services.common import mixins  # a module: `nameko run` would run a mixin class found here
from services.common.messaging.origin import SuiteDispatcher
from kamkit.errors import Conflict, NotFound
from kamkit.explain import plain
from services.common.periods.period_run import (audit_reopen, caught_up, close_and_announce, facts_for, line_plugin,
                                        off_the_hub, project, projection_counts, projection_versions)
from services.common.messaging.rpc import api, validated

from .models import AuditEntry, AccessPrincipal, AppliedEvent, Base, Fact, OutboxEvent, Sheet, SheetLine
from .schemas import LineRef, QuarterRef, Reopen, Run, StatementQuery


class CompensationService(mixins.AccessProjection, mixins.DeadLetters, mixins.AuditTrail):
    name = E.COMPENSATION
    AuditEntry = AuditEntry
    AppliedEvent, AccessPrincipal = AppliedEvent, AccessPrincipal  # for AccessProjection

    db = ServiceDatabase(Base)
    dispatch = SuiteDispatcher()  # events under the service's broker user (services.common.messaging.origin)
    config = Config()
    intake = RpcProxy(E.INTAKE)  # has every change arrived? (services.common.periods.catch_up)

    @handles(E.INTAKE, E.RECORD_CHANGED)
    def on_record_changed(self, payload):
        if project(self.db.session, AppliedEvent, Fact, payload):
            self.db.session.commit()

    @handles(E.INTAKE, E.RECORDS_CHANGED)
    def on_records_changed(self, payload):
        self.on_record_changed(payload)

    @api
    def run_quarter(self, business_line, quarter, accept_missing=None):
        session = self.db.session
        args = validated(Run, business_line=business_line, quarter=quarter, accept_missing=accept_missing)
        quarter = args["quarter"]
        plugin = line_plugin(session, Fact, business_line)

        def compute():
            carried = self._carried_in(business_line, quarter)
            periods = [quarter, *quarter.months]
            facts = facts_for(session, Fact, business_line, quarter.first_day, quarter.last_day, 0,
                              periods, quarter=str(quarter))
            result = off_the_hub(plugin.commission_quarter, facts, carried)
            return result.lines.blocks, carried, plain(dict(result.carried))

        return close_and_announce(session, Sheet, SheetLine, OutboxEvent, self.dispatch, E.QUARTER_CLOSED,
                                  business_line, str(quarter), plugin.key, compute, self.audit,
                                  ready=lambda: caught_up(session, Fact, self.intake, self.config, business_line,
                                                          args["accept_missing"]))

    def _carried_in(self, business_line, quarter):
        previous = ledger.current(self.db.session, Sheet, business_line, str(quarter.previous()))
        if previous is None:
            return {}
        if previous.status != ledger.CLOSED:
            raise Conflict(f"{quarter.previous()} is {previous.status}; run it again before {quarter}",
                           field="quarter")
        return previous.carried_out or {}

    @api
    def reopen_quarter(self, business_line, quarter, reason):
        quarter = validated(Reopen, business_line=business_line, quarter=quarter, reason=reason)["quarter"]
        session = self.db.session
        sheet = ledger.reopen(session, Sheet, business_line, str(quarter), reason)
        why = f"{quarter} was reopened ({sheet.reopen_reason}); the carried state it hands on may change"
        stale = ledger.mark_later_stale(session, Sheet, business_line, str(quarter), why)
        for later in stale:
            session.add(OutboxEvent(event_type=E.PERIOD_STALE, payload=E.make_event(
                E.PERIOD_STALE, business_line=business_line, period=later.period,
                version=later.version, because_of=str(quarter), reason=why, as_of=None)))
        audit_reopen(self.audit, session, business_line, str(quarter), sheet, stale=[s.period for s in stale])
        session.commit()
        send_after_commit(session, OutboxEvent, self.dispatch)
        return {"period": str(quarter), "version": sheet.version, "status": sheet.status,
                "stale": [s.period for s in stale]}

    @api
    def get_run(self, business_line, quarter):
        return ledger.sheet_dict(self.db.session, SheetLine, self._sheet(business_line, quarter))

    @api
    def get_statement(self, business_line, quarter, person, page=None, page_size=None, kind=None):
        """One person's statement; its lines all at once, or page by page (page, page_size, kind)."""
        q = validated(StatementQuery, business_line=business_line, quarter=quarter, person=person, page=page,
                      page_size=page_size, kind=kind)
        return ledger.sheet_dict(self.db.session, SheetLine, self._sheet(business_line, quarter), person,
                                 q["page"], q["page_size"], q["kind"])

    @api
    def get_run_lines(self, business_line, quarter, page=1, page_size=500, kind=None):
        """The whole run's lines page by page (every person), with total_lines."""
        q = validated(StatementQuery, business_line=business_line, quarter=quarter, page=page,
                      page_size=page_size, kind=kind)
        return ledger.sheet_dict(self.db.session, SheetLine, self._sheet(business_line, quarter), None,
                                 q["page"], q["page_size"], q["kind"])

    @api
    def run_history(self, business_line, quarter):
        quarter = validated(QuarterRef, business_line=business_line, quarter=quarter)["quarter"]
        return ledger.history(self.db.session, Sheet, business_line, str(quarter))

    def _sheet(self, business_line, quarter):
        quarter = validated(QuarterRef, business_line=business_line, quarter=quarter)["quarter"]
        sheet = ledger.current(self.db.session, Sheet, business_line, str(quarter))
        if sheet is None:
            raise NotFound(f"{quarter} of {business_line!r} has not been run", field="quarter")
        return sheet

    @api
    def projection_status(self, business_line):
        """Records held per kind for the line: lets a caller check the projection caught up."""
        validated(LineRef, business_line=business_line)
        return projection_counts(self.db.session, Fact, business_line)

    @api
    def projection_versions(self, business_line):
        """Sum of record versions per kind, to compare with intake.record_counts."""
        validated(LineRef, business_line=business_line)
        return projection_versions(self.db.session, Fact, business_line)

    @timer(interval=5)
    def flush_outbox(self):
        send_outbox(self.db.session, OutboxEvent, self.dispatch)
