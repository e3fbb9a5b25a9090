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
Operators (every service, services.common.mixins): list_parked, get_parked, replay_parked,
drop_parked — events this service parked in ``assessment.parked`` (services.common.messaging.deadletter).
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
from services.common.messaging.entrypoints import handles
from services.common import mixins  # a module: `nameko run` would run a mixin class found here
from services.common.messaging.origin import SuiteDispatcher
from kamkit.errors import NotFound
from services.common.periods.period_run import (audit_reopen, caught_up, close_and_announce, facts_for, line_plugin,
                                        off_the_hub, project, projection_counts, projection_versions)
from services.common.messaging.rpc import api, validated

from .models import AuditEntry, AccessPrincipal, AppliedEvent, Base, Fact, OutboxEvent, Sheet, SheetLine
from .schemas import Close, LineRef, MonthRef, Reopen, SheetQuery

# Opportunities discovered this long before a month can still count in it (late entries).
DEFAULT_LOOKBACK_DAYS = 400


class AssessmentService(mixins.AccessProjection, mixins.DeadLetters, mixins.AuditTrail):
    name = E.ASSESSMENT
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
    def close_month(self, business_line, month, accept_missing=None):
        session = self.db.session
        args = validated(Close, business_line=business_line, month=month, accept_missing=accept_missing)
        month = args["month"]
        plugin = line_plugin(session, Fact, business_line)

        def compute():
            lookback = int(self.config.get("OPPORTUNITY_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS))
            # portfolios of the month and the two before (banking's 3-month averages)
            periods = [month, month.previous(), month.previous().previous(), month.quarter]
            facts = facts_for(session, Fact, business_line, month.first_day, month.last_day,
                              lookback, periods, month=str(month))
            return off_the_hub(plugin.assess_month, facts).lines.blocks, None, None

        return close_and_announce(session, Sheet, SheetLine, OutboxEvent, self.dispatch, E.MONTH_CLOSED,
                                  business_line, str(month), plugin.key, compute, self.audit,
                                  ready=lambda: caught_up(session, Fact, self.intake, self.config, business_line,
                                                          args["accept_missing"]))

    @api
    def reopen_month(self, business_line, month, reason):
        month = validated(Reopen, business_line=business_line, month=month, reason=reason)["month"]
        sheet = ledger.reopen(self.db.session, Sheet, business_line, str(month), reason)
        audit_reopen(self.audit, self.db.session, business_line, str(month), sheet)
        self.db.session.commit()
        return {"period": str(month), "version": sheet.version, "status": sheet.status}

    @api
    def get_sheet(self, business_line, month, person=None, page=None, page_size=None, kind=None):
        """The current sheet; its lines all at once, or page by page (page, page_size, kind)."""
        q = validated(SheetQuery, business_line=business_line, month=month, person=person, page=page,
                      page_size=page_size, kind=kind)
        month = q["month"]
        sheet = ledger.current(self.db.session, Sheet, business_line, str(month))
        if sheet is None:
            raise NotFound(f"{month} of {business_line!r} is not closed", field="month")
        return ledger.sheet_dict(self.db.session, SheetLine, sheet, person, q["page"], q["page_size"], q["kind"])

    @api
    def sheet_history(self, business_line, month):
        month = validated(MonthRef, business_line=business_line, month=month)["month"]
        return ledger.history(self.db.session, Sheet, business_line, str(month))

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
