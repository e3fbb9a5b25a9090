"""intake: the system of record.

RPC (every write takes an optional ``idempotency_key``: a retry with the same key and payload
returns the first answer and changes nothing; the same key with another payload is a Conflict):

    register_business_line(line)                 {key, plugin, parameters, name}
    register_branch(business_line, branch)       create or replace (roster data)
    register_person(business_line, person)       create or replace
    record_opportunity(business_line, opportunity)
    post_follow_up(business_line, follow_up)
    record_deal / record_collection / record_contract / record_loan /
    record_portfolio / record_loss_review / record_kpi / record_complaint (business_line, record)
    register_customer / record_visit_plan / record_visit / record_development_plan /
    decide_development_plan(business_line, plan, decision, note=)   approve | return, by a manager
    record_feedback_request / record_budget / record_expense / record_attendance /
    record_featured_service (business_line, record)     the work around big customers (§6)
    record_case / record_survey / record_work_plan / record_call_log / record_incident /
    record_standard_check / record_appraisal / record_appointment (business_line, record)  (§10)
    decide_appointment(business_line, appointment, decision, note=)   approve | refuse, by the ladder's role
    register_calendar(business_line, calendar)   a year's holidays and weekend working days (§6.3)
    confirm_opportunity(business_line, confirmation)   by its confirming role, once (docs/rules.md §1.1)
    set_target(business_line, target)            a manager's target from a period on (docs/rules.md §7)
    request_target_change(business_line, change) a change inside a period, pending
    decide_target_change(business_line, change, decision, note=)   approve | reject, by another manager
    record_batch(business_line, kind, records)   up to 5,000 records, all or nothing, each bad one named
    update_record(business_line, kind, key, changes)   merge changes, re-validate, version + 1
    list_lines()                                 the lines the caller may see, and its role on each
    get_record(business_line, kind, key)
    list_records(business_line, kind, query)     paging, day range, field matches
    record_counts(business_line)                 {kind: [records, versions]}
Who may do what (access.py; roles and tokens: services.common.access.rules):
    create_principal(principal)                  {id, name, kind: person|system}
    grant_role(principal, business_line, role)   reader | clerk | manager | admin; line or "*"
    revoke_role(principal, business_line)
    issue_token(principal, days=90, note=None)   the token's text, in this answer only
    revoke_token(token_id)
    list_principals()                            roles and tokens, no secrets

Events: ``record_changed`` (wire.events.RecordChanged) for every accepted change, and for a
record_batch ``records_changed`` (up to wire.events.RECORDS_PER_EVENT records of one kind an
event), ``access_changed`` (wire.events.AccessChanged) for every change of a principal's roles or
tokens; written to the outbox in the change's own transaction and sent after commit.
Errors: InvalidFacts (every bad field, by name; limits in kamkit.limits), NotFound, Conflict,
Unavailable, Internal; nothing is half-written. Idempotency keys are scoped per business line.
Like every service (services.common.mixins): list_parked / get_parked / replay_parked /
drop_parked for the events it parked in ``intake.parked``, list_audit over its append-only audit
trail (each change and each refused call, in the change's transaction); RPCs answer only
SuiteErrors. Every change goes through a unit of work (services.common.storage.uow); the SQL is
store.py.
Tables: models.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import ValidationError
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from kamkit.errors import ConfigError, Conflict, Forbidden, InvalidFacts, NotFound, UnknownPlugin, flatten
from kamkit.loader import load_plugin
from kamkit.rulesets import RuleSet, in_force, schedule, with_set
from services.common import mixins  # a module: `nameko run` would run a mixin class found here
from services.common.access.caller import Caller, acting, reach_of
from services.common.access.rules import ROLES
from services.common.messaging.origin import SuiteDispatcher
from services.common.messaging.rpc import api, validated
from services.common.storage.db import ServiceDatabase, request_hash, utcnow
from services.common.storage.outbox import send_outbox
from services.common.storage.uow import Idempotency, UnitsOfWork
from services.common.telemetry import Telemetry
from wire import events as E
from wire.records import (
    GUARDED_KINDS,
    RuleSetSchema,
    record_day,
    record_key,
    references_of,
    validate_record,
)

from . import access as access_rpcs  # a module: `nameko run` would run a mixin class found here
from . import appointments, confirmations, plans, store, targets
from .models import TABLES, Base, Grant, Record
from .reach import Reached
from .schemas import AppointmentDecideCall, Batch, Call, DecideCall, ListQuery, PlanDecideCall

_UNREAD = object()  # the idempotency key's earlier answer was not read with the probe

# Roster kinds are registered (create or replace); activity kinds are recorded once, then updated.
_REPLACEABLE = {
    "business_line",
    "branch",
    "person",
    "contract",
    "portfolio",
    "kpi",
    "loss_review",
    "customer",
    "visit_plan",
    "budget",
    "attendance",
    "calendar",
}


def _people_problems(line, people) -> list[dict[str, str]]:
    """What the line's rules in force this month and from any later month say of ``people``'s
    roles and grades (a person joining with a role of July's plugin is unknown to March's, and
    March is never computed with them)."""
    month = _now().strftime("%Y-%m")
    sets = [s for s in schedule(line) if s.effective_from is not None and s.effective_from > month]
    problems: list[dict[str, str]] = []
    for rules in (in_force(line, month), *sets):
        plugin = load_plugin(rules.plugin, rules.parameters)
        problems += [e for e in plugin.people_problems(people) if e not in problems]
    return problems


def _rule_set(body) -> RuleSet:
    """A set of rules as sent, checked by its schema and its plugin (fields named ``rules.*``)."""
    try:
        doc = RuleSetSchema().load(body)
    except ValidationError as exc:
        raise InvalidFacts([{**e, "field": f"rules.{e['field']}"} for e in flatten(exc.messages)]) from None
    try:
        load_plugin(doc["plugin"], doc["parameters"])
    except ConfigError as exc:
        field = "rules.plugin" if exc.code == "unknown_plugin" else None
        named = [
            {**e, "field": field or f"rules.parameters.{e['field'].removeprefix('parameters.')}"}
            for e in exc.errors
        ]
        raise InvalidFacts(named) from None
    return RuleSet(**doc)


def _body(value, field):
    if not isinstance(value, dict):
        raise InvalidFacts(f"the {field} must be an object", field=field)
    return dict(value)


def _now():
    # to the microsecond: a change approved in the second a period closed must still compare as
    # after the close (docs/rules.md §7)
    return utcnow()


def _unguarded(kind):
    if kind == "appointment":
        raise InvalidFacts(
            "an appointment is proposed with record_appointment and decided with decide_appointment, "
            "which checks who may decide (docs/rules.md §10.3)",
            field="kind",
        )
    if kind in GUARDED_KINDS:
        raise InvalidFacts(
            "targets are set with set_target and changed with request_target_change and "
            "decide_target_change, which record who acted (docs/rules.md §7)",
            field="kind",
        )


def _scoped(business_line, idempotency_key):
    """An idempotency key as stored: scoped per business line ("k1" of one line never answers
    for another)."""
    return None if idempotency_key is None else f"{business_line}:{idempotency_key}"


@dataclass(frozen=True)
class Decided:
    """A decision's RPC, and the record it decides."""

    method: str
    business_line: str
    kind: str
    key: str


@dataclass(frozen=True)
class Write:
    """One record to store: the RPC asking, the line, the record's kind, key and document."""

    method: str
    business_line: str
    kind: str
    key: str
    doc: dict


def _idempotency(business_line, idempotency_key, method, digest) -> Idempotency | None:
    key = _scoped(business_line, idempotency_key)
    return None if key is None else Idempotency(key, method, digest)


class IntakeService(access_rpcs.AccessAdmin, mixins.DeadLetters, mixins.AuditTrail):
    name = E.INTAKE
    tables = TABLES

    db = ServiceDatabase(Base)
    dispatch = SuiteDispatcher()  # events under the service's broker user (services.common.messaging.origin)
    uow = UnitsOfWork()  # every change: its record, audit entry, idempotency answer and event
    telemetry = Telemetry()  # counts, latencies, /metrics /livez /readyz (services.common.telemetry)
    caller = Caller()  # who the access check let in: who set a target, asked, approved

    # --- organisation ---------------------------------------------------------------------

    @api
    def register_business_line(self, line, idempotency_key=None):
        validated(Call, idempotency_key=idempotency_key)
        doc = self._line_document(line)
        found = store.probe(self.db.session, doc["key"], [("business_line", doc["key"])])
        return self._write(
            Write("register_business_line", doc["key"], "business_line", doc["key"], doc),
            idempotency_key=idempotency_key,
            current=found.get("business_line", doc["key"]),
        )

    @api
    def set_line_rules(self, business_line, rules, idempotency_key=None):
        """A plugin and parameters in force from a month on (docs/rules.md §9.1): ``rules`` is
        {effective_from (a month), plugin, parameters, reason}; who set it and when are kept.
        Each period is computed with the set in force on its first month; a set of the same month
        is replaced. Every person of the line must hold a role (and grade) the plugin knows."""
        validated(Call, business_line=business_line, idempotency_key=idempotency_key)
        body = _body(rules, "rules")
        request = dict(body)
        current = store.line(self.db.session, business_line)
        by = acting(self.caller, body.pop("set_by", None), "rules.set_by")
        entry = _rule_set({**body, "set_by": by, "set_at": _now().isoformat(timespec="seconds")})
        problems = load_plugin(entry.plugin, entry.parameters).people_problems(
            store.all_documents(self.db.session, business_line, "person")
        )
        if problems:
            raise Conflict(
                [{**e, "field": "rules.plugin", "message": f"{e['field']}: {e['message']}"} for e in problems]
            )
        doc = self._line_document(with_set(current.doc, entry))
        return self._write(
            Write("set_line_rules", business_line, "business_line", business_line, doc),
            idempotency_key=idempotency_key,
            update=True,
            current=current,
            before=dict(current.doc),
            request=request,
        )

    @api
    def line_rules(self, business_line):
        """The line's rules over time: each set with the month it is in force from, who set it,
        when and why, the one in force this month marked (docs/rules.md §9.1)."""
        validated(Call, business_line=business_line)
        line = store.line(self.db.session, business_line)
        now = in_force(line.doc, _now().strftime("%Y-%m"))
        return [{**s.to_dict(), "in_force_now": s == now} for s in schedule(line.doc)]

    @api
    def register_branch(self, business_line, branch, idempotency_key=None):
        return self._save("register_branch", business_line, "branch", branch, idempotency_key)

    @api
    def register_person(self, business_line, person, idempotency_key=None):
        return self._save("register_person", business_line, "person", person, idempotency_key)

    # --- activity ---------------------------------------------------------------------------

    @api
    def record_opportunity(self, business_line, opportunity, idempotency_key=None):
        return self._save("record_opportunity", business_line, "opportunity", opportunity, idempotency_key)

    @api
    def post_follow_up(self, business_line, follow_up, idempotency_key=None):
        return self._save("post_follow_up", business_line, "follow_up", follow_up, idempotency_key)

    @api
    def record_loss_review(self, business_line, review, idempotency_key=None):
        return self._save("record_loss_review", business_line, "loss_review", review, idempotency_key)

    @api
    def record_deal(self, business_line, deal, idempotency_key=None):
        return self._save("record_deal", business_line, "deal", deal, idempotency_key)

    @api
    def record_collection(self, business_line, collection, idempotency_key=None):
        return self._save("record_collection", business_line, "collection", collection, idempotency_key)

    @api
    def record_contract(self, business_line, contract, idempotency_key=None):
        return self._save("record_contract", business_line, "contract", contract, idempotency_key)

    @api
    def record_loan(self, business_line, loan, idempotency_key=None):
        return self._save("record_loan", business_line, "loan", loan, idempotency_key)

    @api
    def record_portfolio(self, business_line, portfolio, idempotency_key=None):
        return self._save("record_portfolio", business_line, "portfolio", portfolio, idempotency_key)

    @api
    def record_kpi(self, business_line, rating, idempotency_key=None):
        """A rater's KPI score (0-100) or §4 scorecard for a person and a quarter."""
        return self._save("record_kpi", business_line, "kpi", rating, idempotency_key)

    @api
    def record_complaint(self, business_line, complaint, idempotency_key=None):
        """A customer complaint against a person: the customer, received / answered / resolved
        times and whether staff or the company were at fault (a valid complaint)."""
        return self._save("record_complaint", business_line, "complaint", complaint, idempotency_key)

    @api
    def register_customer(self, business_line, customer, idempotency_key=None):
        """A customer in the register: class, big-customer status, owner and its dated status changes."""
        return self._save("register_customer", business_line, "customer", customer, idempotency_key)

    @api
    def record_visit_plan(self, business_line, plan, idempotency_key=None):
        """A month's visit plan: the customers to visit and to revisit, and when it was submitted."""
        return self._save("record_visit_plan", business_line, "visit_plan", plan, idempotency_key)

    @api
    def record_visit(self, business_line, visit, idempotency_key=None):
        """A visit to a customer: who, when, first visit or revisit, outcome."""
        return self._save("record_visit", business_line, "visit", visit, idempotency_key)

    @api
    def record_development_plan(self, business_line, plan, idempotency_key=None):
        """A quarter's big-customer development plan: how many to win, whom, its status (draft or
        submitted; a manager approves or returns it with decide_development_plan)."""
        plans.check_write(_body(plan, "plan"), None)
        return self._save("record_development_plan", business_line, "development_plan", plan, idempotency_key)

    @api
    def decide_development_plan(
        self, business_line, plan, decision, *, note="", decided_by=None, idempotency_key=None
    ):
        """Approve or return a submitted development plan (decision: approve | return), as a
        manager (001 §1.1 权力1), with a note; who decided is the caller."""
        validated(
            PlanDecideCall,
            business_line=business_line,
            plan=plan,
            decision=decision,
            note=note,
            decided_by=decided_by,
            idempotency_key=idempotency_key,
        )
        return self._decide(
            Decided("decide_development_plan", business_line, "development_plan", plan),
            request={"plan": plan, "decision": decision, "note": note, "decided_by": decided_by},
            decide=lambda doc, by: plans.decision(
                doc, decided_by=by, verdict=decision, note=note or "", now=_now()
            ),
            idempotency_key=idempotency_key,
        )

    @api
    def record_feedback_request(self, business_line, request, idempotency_key=None):
        """A customer's opinion or question with its due time and when it was answered."""
        return self._save(
            "record_feedback_request", business_line, "feedback_request", request, idempotency_key
        )

    @api
    def record_budget(self, business_line, budget, idempotency_key=None):
        """A quarter's service-cost budget of a person or of the department."""
        return self._save("record_budget", business_line, "budget", budget, idempotency_key)

    @api
    def record_expense(self, business_line, expense, idempotency_key=None):
        """A service cost spent by a person or the department."""
        return self._save("record_expense", business_line, "expense", expense, idempotency_key)

    @api
    def record_attendance(self, business_line, attendance, idempotency_key=None):
        """A person's month of attendance: late arrivals, absences."""
        return self._save("record_attendance", business_line, "attendance", attendance, idempotency_key)

    @api
    def record_featured_service(self, business_line, service, idempotency_key=None):
        """A featured service introduced (+2 on 003 §十一's innovation item)."""
        return self._save(
            "record_featured_service", business_line, "featured_service", service, idempotency_key
        )

    @api
    def register_calendar(self, business_line, calendar, idempotency_key=None):
        """The line's working days of a year: its public holidays and the weekend days worked
        instead (调休); a plan due on a month's last working day reads it (create or replace)."""
        return self._save("register_calendar", business_line, "calendar", calendar, idempotency_key)

    # --- the service, deadline and grade schemes of seed 002 (docs/rules.md §10) ----------------

    @api
    def record_case(self, business_line, case, idempotency_key=None):
        """A piece of work with named, dated steps (a supply application, a meter ticket, a
        qualification, information passed on): the line's deadline rules read its steps."""
        return self._save("record_case", business_line, "case", case, idempotency_key)

    @api
    def record_survey(self, business_line, survey, idempotency_key=None):
        """One satisfaction answer: a customer's on the service, or a department's on another's
        cooperation (0-100)."""
        return self._save("record_survey", business_line, "survey", survey, idempotency_key)

    @api
    def record_work_plan(self, business_line, plan, idempotency_key=None):
        """A period's work plan of a kind (business, survey, process, service) and its items, each
        with the day it was done (create or replace)."""
        return self._save("record_work_plan", business_line, "work_plan", plan, idempotency_key)

    @api
    def record_call_log(self, business_line, log, idempotency_key=None):
        """A month of a call centre's (or an agent's) calls as the switch counts them."""
        return self._save("record_call_log", business_line, "call_log", log, idempotency_key)

    @api
    def record_incident(self, business_line, incident, idempotency_key=None):
        """A sales-rule violation, a teamwork incident or a breach of conduct, with its day."""
        return self._save("record_incident", business_line, "incident", incident, idempotency_key)

    @api
    def record_standard_check(self, business_line, check, idempotency_key=None):
        """One check of a service standard: executed (passed) or not."""
        return self._save("record_standard_check", business_line, "standard_check", check, idempotency_key)

    @api
    def record_appraisal(self, business_line, appraisal, idempotency_key=None):
        """One rater's points on a scorecard's rated items for a period (a manager's, the person's
        own or a customer's), with the day given: outside the window it is kept and not counted."""
        return self._save("record_appraisal", business_line, "appraisal", appraisal, idempotency_key)

    @api
    def record_appointment(self, business_line, appointment, idempotency_key=None):
        """A grade proposed for a person (status proposed): decide_appointment approves it."""
        appointments.check_proposal(_body(appointment, "appointment"))
        return self._save("record_appointment", business_line, "appointment", appointment, idempotency_key)

    @api
    def decide_appointment(
        self,
        business_line,
        appointment,
        decision,
        *,
        note="",
        decided_by=None,
        decided_on=None,
        idempotency_key=None,
    ):
        """Approve or refuse a proposed appointment (decision: approve | refuse) as the person of
        the line holding the role the line's ladder names for the grade (002/CIB 第七条): the caller's
        own person, or ``decided_by`` for a principal recording a decision made on paper, on the day
        ``decided_on`` (today when not given; never a day to come)."""
        args = validated(
            AppointmentDecideCall,
            business_line=business_line,
            appointment=appointment,
            decision=decision,
            note=note,
            decided_by=decided_by,
            decided_on=decided_on,
            idempotency_key=idempotency_key,
        )
        linked = reach_of(self.caller).person
        if linked is not None and decided_by not in (None, linked):
            raise Forbidden(f"decided_by is the caller's person, {linked!r}", field="decided_by")
        who = linked or decided_by
        if who is None:
            raise InvalidFacts("name the person who decided (decided_by)", field="decided_by")

        def decide(doc, _principal):
            decider = store.record(self.db.session, business_line, "person", who).doc
            rules = in_force(store.line(self.db.session, business_line).doc, _now().strftime("%Y-%m"))
            ladder = getattr(load_plugin(rules.plugin, rules.parameters), "grade_ladder", None)
            return appointments.decision(
                doc,
                decider=dict(decider),
                verdict=decision,
                note=note or "",
                ladder=ladder,
                on=appointments.decided_on(args.get("decided_on"), doc, today=_now().date()),
            )

        return self._decide(
            Decided("decide_appointment", business_line, "appointment", appointment),
            # decided_by is a person of the line, not a principal acting for another: the principal
            # who records the decision is the caller, kept in the audit trail
            request={"appointment": appointment, "decision": decision, "note": note, "person": who},
            decide=decide,
            idempotency_key=idempotency_key,
            person=who,
        )

    # --- targets (docs/rules.md §7; seed 001 第3、5、6条) ---------------------------------------

    @api
    def set_target(self, business_line, target, idempotency_key=None):
        """A target of a person (or the department: no person) from a period on, set by the
        caller (a manager). Inside a period that has begun, over a target that stands for it,
        it is refused (Conflict on ``period``): a change is asked for with request_target_change."""
        body = _body(target, "target")
        request = dict(body)
        if self._earlier(business_line, idempotency_key) is None:
            by = acting(self.caller, body.get("set_by"), "set_by")
            today = utcnow().date()
            body = {**body, "set_by": by, "set_on": body.get("set_on") or today.isoformat()}
            doc = validate_record("target", body)
            self._reached(business_line).check_person(doc.get("person"), "target.person")
            targets.check_set(self.db.session, business_line, doc, today)
        return self._save("set_target", business_line, "target", body, idempotency_key, request=request)

    @api
    def request_target_change(self, business_line, change, idempotency_key=None):
        """Ask to change a target from a period on: the new figure and why. The caller is who
        asked; the target before it stands until another manager approves it."""
        body = _body(change, "change")
        request = dict(body)
        if self._earlier(business_line, idempotency_key) is None:
            for name in ("status", "decided_by", "decided_at"):
                if body.get(name) is not None:
                    raise InvalidFacts("a change is asked for pending; a manager decides it", field=name)
            by = acting(self.caller, body.get("requested_by"), "requested_by")
            self._reached(business_line).check_person(body.get("person"), "change.person")
            body = {**body, "requested_by": by, "requested_at": _now().isoformat(), "status": "pending"}
        return self._save(
            "request_target_change", business_line, "target_change", body, idempotency_key, request=request
        )

    @api
    def decide_target_change(
        self, business_line, change, decision, *, note="", decided_by=None, idempotency_key=None
    ):
        """Approve or reject a pending target change (decision: approve | reject), as a manager
        other than the one who asked (001 第6条). ``decided_by`` only with access control off."""
        validated(
            DecideCall,
            business_line=business_line,
            change=change,
            decision=decision,
            note=note,
            decided_by=decided_by,
            idempotency_key=idempotency_key,
        )
        return self._decide(
            Decided("decide_target_change", business_line, "target_change", change),
            request={"change": change, "decision": decision, "note": note, "decided_by": decided_by},
            decide=lambda doc, by: targets.decision(
                doc, decided_by=by, verdict=decision, note=note or "", now=_now()
            ),
            idempotency_key=idempotency_key,
        )

    def _decide(self, d: Decided, *, request, decide, idempotency_key, person=None):
        """A manager's decision on a stored record (a plan, a target change): ``decide(doc, by)``
        gives the record as decided by the caller; a retry is answered as the first time. With
        ``person`` (an appointment: decided by a person of the line) that person decides."""
        earlier = self._earlier(d.business_line, idempotency_key)
        current = store.record(self.db.session, d.business_line, d.kind, d.key)
        doc = dict(current.doc)
        if earlier is None:
            field = {"development_plan": "plan", "appointment": "appointment"}.get(d.kind, "change")
            self._reached(d.business_line).check_person(doc.get("person"), field)
            by = person or acting(self.caller, request.get("decided_by"), "decided_by")
            doc = decide(doc, by)
        return self._save(
            d.method,
            d.business_line,
            d.kind,
            doc,
            idempotency_key,
            update=True,
            based_on=current.version,
            before=dict(current.doc),
            request=request,
        )

    # --- confirmations (docs/rules.md §1.1; seed 000 §(一)2-4) --------------------------------

    @api
    def confirm_opportunity(self, business_line, confirmation, idempotency_key=None):
        """An opportunity confirmed or rejected (decision: confirm | reject) by ``by``, a person
        holding its confirming role in its branch, with a note; once. A confirmed one is reported
        to the city on ``date``; a rejected one is not reported, followed up or bulletined."""
        body = _body(confirmation, "confirmation")
        request = dict(body)
        if self._earlier(business_line, idempotency_key) is None:
            who = self.caller()
            recorded = who if isinstance(who, str) and who else body.get("recorded_by")
            body = {**body, "recorded_by": recorded}
            linked = reach_of(self.caller).person
            if linked is not None:  # a principal who is a person on the line confirms as that person
                body.setdefault("by", linked)
                if body["by"] != linked:
                    raise Forbidden(
                        f"by is the caller's person on {business_line!r}, {linked!r}", field="confirmation.by"
                    )
            doc = validate_record("confirmation", body)
            reached = self._reached(business_line)
            if not reach_of(self.caller).whole and reached.reach.scope == "branch":
                o = store.record(self.db.session, business_line, "opportunity", doc["opportunity"])
                reached.check_record("opportunity", o.key, o.doc, "confirmation.opportunity")
            line = store.line(self.db.session, business_line)
            confirmations.check(self.db.session, business_line, line.doc, doc)
        return self._save(
            "confirm_opportunity", business_line, "confirmation", body, idempotency_key, request=request
        )

    def _earlier(self, business_line, idempotency_key):
        """The idempotency key's earlier answer, if any (a retry is answered, not checked again)."""
        if idempotency_key is None:
            return None
        validated(Call, business_line=business_line, idempotency_key=idempotency_key)
        return store.probe(
            self.db.session, business_line, [], _scoped(business_line, idempotency_key)
        ).earlier

    @api
    def record_batch(self, business_line, kind, records, idempotency_key=None):
        """Up to BATCH_MAX records of one kind, all or nothing: every bad record is named
        (``records.<i>.<field>``) and nothing is written; a retry with the same key has one effect.
        Answers counts, not the records: {business_line, kind, count, created, updated}. The
        records go out as records_changed events of up to RECORDS_PER_EVENT records each."""
        validated(
            Batch, business_line=business_line, kind=kind, records=records, idempotency_key=idempotency_key
        )
        if kind == "business_line":
            raise InvalidFacts("register business lines one by one", field="kind")
        _unguarded(kind)
        if kind == "development_plan":
            for i, record in enumerate(records if isinstance(records, list) else ()):
                if isinstance(record, dict):
                    plans.check_write(record, None, field=f"records.{i}.status")
        docs, errors = [], []
        for i, record in enumerate(records):
            try:
                docs.append(validate_record(kind, record))
            except InvalidFacts as exc:
                errors += [
                    {**e, "field": f"records.{i}.{e['field']}" if e["field"] else f"records.{i}"}
                    for e in exc.errors
                ]
        if errors:
            raise InvalidFacts(errors)
        line = store.line(self.db.session, business_line)
        digest = request_hash("record_batch", [business_line, kind, docs])
        with self.uow(_idempotency(business_line, idempotency_key, "record_batch", digest)) as u:
            earlier = u.earlier_answer()  # a retry is answered before its own records look taken
            if earlier is not None:
                return earlier
            keys = [record_key(kind, d) for d in docs]
            seen: set[str] = set()
            # what is wrong only against what is stored or written with it (a record named that
            # does not exist, a key taken, by a stored record or the same batch's, a role the
            # line's plugin lacks) is a 409, as the single write answers it
            bad_form, errors = (
                errors,
                [
                    {"field": f"records.{i}.id", "message": f"{kind} {k!r} appears twice in the batch"}
                    for i, k in enumerate(keys)
                    if k in seen or seen.add(k)
                ],
            )
            if kind == "person":
                errors += [
                    {**e, "field": "records." + e["field"].removeprefix("people.")}
                    for e in _people_problems(line.doc, docs)
                ]
            errors += self._batch_references(business_line, kind, docs)
            found = store.existing(u.session, business_line, kind, keys)
            if kind not in _REPLACEABLE:
                errors += [
                    {
                        "field": f"records.{i}.id",
                        "message": f"{kind} {k!r} already exists; change it with update_record",
                    }
                    for i, k in enumerate(keys)
                    if k in found
                ]
            if bad_form:
                raise InvalidFacts(bad_form + errors)
            if errors:
                raise Conflict(errors)
            return self._write_batch(
                u,
                business_line,
                kind,
                store.batch_changes(business_line, kind, docs, keys=keys, found=found),
            )

    @api
    def update_record(self, business_line, kind, key, changes, idempotency_key=None):
        """Merge ``changes`` into the record and check the result exactly as a first write is
        checked (a business line's plugin and parameters included)."""
        validated(
            Call,
            business_line=business_line,
            kind=kind,
            key=key,
            changes=changes,
            idempotency_key=idempotency_key,
        )
        _unguarded(kind)
        current = store.record(self.db.session, business_line, kind, key)
        merged = {**current.doc, **changes}
        if kind == "development_plan":
            merged = plans.check_write(merged, current.doc)
        if kind == "business_line":
            doc = self._line_document(merged)
            if doc["key"] != key:
                raise InvalidFacts("a record's key cannot change", field="changes.key")
            return self._write(
                Write("update_record", key, kind, key, doc),
                idempotency_key=idempotency_key,
                update=True,
                current=store.Stored(current.id, current.version),
                before=current.doc,
            )
        try:
            same_key = record_key(kind, merged) == key
        except KeyError:
            same_key = False
        if not same_key:
            raise InvalidFacts("a record's key cannot change", field="changes")
        return self._save(
            "update_record",
            business_line,
            kind,
            merged,
            idempotency_key,
            update=True,
            based_on=current.version,
            before=dict(current.doc),
        )

    # --- reading ---------------------------------------------------------------------------

    @api
    def list_lines(self):
        """The business lines the caller may see, with its role on each (every line with a grant
        on every line, or access control off), the grant's scope and who the caller is there:
        [{key, plugin, name, role, scope, branch, person}]."""
        session = self.db.session
        who = self.caller()
        rows = [] if who is None else session.query(Grant).filter_by(principal=who).all()
        grants = {"*": "admin"} if who is None else {g.business_line: g.role for g in rows}
        detail = {g.business_line: g for g in rows}
        out = []
        for (doc,) in session.query(Record.doc).filter_by(kind="business_line").order_by(Record.key):
            role = max(
                (r for r in (grants.get("*"), grants.get(doc["key"])) if r in ROLES),
                key=ROLES.index,
                default=None,
            )
            if role is None:
                continue
            g = detail.get(doc["key"])
            narrowed = g is not None and g.role == role and grants.get("*") != role
            out.append(
                {
                    "key": doc["key"],
                    "plugin": doc["plugin"],
                    "name": doc.get("name", ""),
                    "role": role,
                    "scope": g.scope if narrowed else "line",
                    "branch": g.branch if narrowed else None,
                    "person": g.person if g is not None else None,
                }
            )
        return out

    @api
    def get_record(self, business_line, kind, key):
        """One record; a narrowed grant's caller reads only the records concerning its people."""
        validated(Call, business_line=business_line, kind=kind, key=key)
        row = store.record(self.db.session, business_line, kind, key)
        if not reach_of(self.caller).whole:
            self._reached(business_line).check_record(kind, row.key, row.doc, "key")
        return row.to_dict()

    @api
    def list_records(self, business_line, kind, query=None):
        """A page of a kind's records (only those concerning the caller's people when its grant
        is narrowed to a branch or to itself)."""
        validated(Call, business_line=business_line, kind=kind)
        try:
            q = ListQuery().load(query or {})
        except ValidationError as exc:
            raise InvalidFacts(flatten(exc.messages, "query")) from None
        keep = None
        if not reach_of(self.caller).whole:
            reached = self._reached(business_line)
            keep = lambda row: reached.keeps(kind, row.key, row.doc)  # noqa: E731
        return store.page(self.db.session, business_line, kind, q, keep=keep)

    def _reached(self, business_line) -> Reached:
        return Reached(self.db.session, business_line, reach_of(self.caller))

    @api
    def record_counts(self, business_line):
        """{kind: [records, sum of versions]}: the sum is the number of record changes sent,
        which a projection compares with its own to know it has caught up."""
        validated(Call, business_line=business_line)
        return store.counts(self.db.session, business_line)

    # --- outbox -----------------------------------------------------------------------------

    @timer(interval=5)
    def flush_outbox(self):
        """Send events a crash left unsent (normally each call sends its own after commit)."""
        send_outbox(self.db.session, TABLES.outbox, self.dispatch)

    # --- internals --------------------------------------------------------------------------

    @staticmethod
    def _line_document(line):
        doc = validate_record("business_line", line)
        try:  # an unknown plugin is named as such; a bad parameter by its path in the record
            load_plugin(doc["plugin"], doc.get("parameters") or {})
        except UnknownPlugin:
            raise
        except ConfigError as exc:
            raise InvalidFacts(
                [
                    {**e, "field": f"parameters.{e['field']}" if e["field"] else "parameters"}
                    for e in exc.errors
                ]
            ) from None
        return doc

    def _save(
        self,
        method,
        business_line,
        kind,
        document,
        idempotency_key,
        *,
        update=False,
        based_on=None,
        before=None,
        request=None,
    ):
        """``request``: what the caller sent, when the stored document adds to it (who acted,
        when): a retry's answer is found by the request, not by a document made anew."""
        validated(Call, business_line=business_line, idempotency_key=idempotency_key)
        doc = validate_record(kind, document)
        key = record_key(kind, doc)
        wanted, refs = _references(kind, [doc])
        # one query finds the line, every record this one names, this record itself and the
        # idempotency key's earlier answer
        found = store.probe(
            self.db.session,
            business_line,
            [
                ("business_line", business_line),
                (kind, key),
                *((t, v) for t, values in wanted.items() for v in values),
            ],
            _scoped(business_line, idempotency_key),
        )
        line = found.get("business_line", business_line)
        if line is None:
            raise NotFound(f"business line {business_line!r} is not registered", field="business_line")
        if kind == "person":  # a role or grade the line's plugin does not know drops the person silently
            problems = _people_problems(line.doc, [doc])
            if problems:  # the line's plugin decides: a conflict with what is stored, not bad form
                raise Conflict([{**e, "field": e["field"].replace("people.0.", "")} for e in problems])
        errors = [
            {"field": name, "message": f"unknown {target} {value!r}"}
            for _, name, target, value in refs
            if found.get(target, value) is None
        ]
        if errors:  # a record named that does not exist (yet): 409, as a key taken is
            raise Conflict(errors)
        stored = found.get(kind, key)
        if based_on is not None and stored is not None and stored.version != based_on:
            # the changes were merged into an older version: written as they are, they would
            # undo what the other call changed
            self.db.session.rollback()
            raise Conflict(f"{kind} {key!r} was written concurrently; retry", field="key")
        return self._write(
            Write(method, business_line, kind, key, doc),
            idempotency_key=idempotency_key,
            update=update,
            current=stored,
            earlier=found.earlier,
            before=before,
            request=request,
        )

    def _batch_references(self, business_line, kind, docs) -> list[dict[str, str]]:
        """Every reference of every record, checked with one query per referenced kind; a
        record may name another record of the same batch (a branch and its people)."""
        wanted, refs = _references(kind, docs)
        known = {
            target: set(store.existing(self.db.session, business_line, target, sorted(values)))
            for target, values in wanted.items()
        }
        known.setdefault(kind, set()).update(record_key(kind, d) for d in docs)
        return [
            {"field": f"records.{i}.{name}", "message": f"unknown {target} {value!r}"}
            for i, name, target, value in refs
            if value not in known.get(target, set())
        ]

    def _write_batch(self, u, business_line, kind, batch: store.BatchChanges):
        """The whole batch in one transaction: its events first (records_changed, up to
        RECORDS_PER_EVENT records or EVENT_BYTES of them an event), its records, one audit entry
        and the idempotency answer; after the commit the events are sent."""
        events = [
            E.make_event(
                E.RECORDS_CHANGED,
                record_checked=True,
                business_line=business_line,
                kind=kind,
                records=part,
                as_of=None,
            )
            for part in _event_parts(batch.changes, batch.sizes)
        ]
        # the first statement takes SQLite's writer gate before the driver-level insert
        for event in events:
            u.emit(E.RECORDS_CHANGED, event)
        try:
            store.write_batch(u, business_line, kind, batch)
            response = {
                "business_line": business_line,
                "kind": kind,
                "count": len(batch.changes),
                "created": len(batch.new_rows),
                "updated": len(batch.moved),
            }
            # one entry a batch: which records, and what each became (its own event carries the same)
            u.audit(
                "record_batch",
                business_line=business_line,
                target=f"{kind}:batch",
                after={
                    **response,
                    "records": [
                        {"key": c["key"], "version": c["version"], "change": c["change"]}
                        for c in batch.changes
                    ],
                },
            )
            u.answer(response)
            u.commit()
        except IntegrityError:  # a concurrent writer took one of the keys: nothing of this batch stands
            u.rollback()
            earlier = u.stored_answer()
            if earlier is not None:
                return earlier
            raise Conflict(
                "a record of the batch was written concurrently; retry the batch", field="records"
            ) from None
        return response

    def _write(
        self,
        w: Write,
        *,
        idempotency_key,
        update=False,
        current=None,
        earlier=_UNREAD,
        before=None,
        request=None,
    ):
        """Store one record with its audit entry, event and idempotency answer in one unit of
        work (store.write: the path every call takes), then send the event.

        ``current`` is the stored record (store.Stored) or None; ``earlier`` the idempotency
        key's earlier answer (None: it has none) if the caller's probe read it."""
        method, business_line, kind, key, doc = w.method, w.business_line, w.kind, w.key, w.doc
        digest = request_hash(method, [business_line, kind, doc if request is None else request])
        with self.uow(_idempotency(business_line, idempotency_key, method, digest)) as u:
            answer = (
                u.earlier_answer() if earlier is _UNREAD else (None if earlier is None else u.replay(earlier))
            )
            if answer is not None:
                return answer
            if current is None and update:
                raise NotFound(f"no {kind} {key!r} in business line {business_line!r}", field="key")
            if current is not None and not update and kind not in _REPLACEABLE:
                raise Conflict(f"{kind} {key!r} already exists; change it with update_record", field="id")
            version = 1 if current is None else current.version + 1
            response = {
                "business_line": business_line,
                "kind": kind,
                "key": key,
                "version": version,
                "change": "created" if current is None else "updated",
                "record": doc,
            }
            event = E.make_event(
                E.RECORD_CHANGED,
                record_checked=True,
                business_line=business_line,
                kind=kind,
                key=key,
                version=version,
                record=doc,
                change=response["change"],
                as_of=None,
            )
            try:
                store.write(
                    u,
                    store.Change(business_line, kind, key, doc, record_day(kind, doc), current, event),
                    u.audit_row(
                        method, business_line=business_line, target=f"{kind}:{key}", before=before, after=doc
                    ),
                    response,
                )
                u.commit()
            except IntegrityError:
                # a concurrent call won the same natural key or idempotency key: answer as it did
                u.rollback()
                answer = u.stored_answer()
                if answer is not None:
                    return answer
                raise Conflict(f"{kind} {key!r} was written concurrently; retry", field="id") from None
        return response


EVENT_BYTES = 1 << 20  # records' JSON an event carries at most (unless one record is larger)


def _event_parts(changes: list[dict], sizes: list[int]) -> list[list[dict]]:
    """The batch's changes cut into events of at most RECORDS_PER_EVENT records and EVENT_BYTES
    of record JSON, so no message on the bus grows with the batch."""
    parts, part, size = [], [], 0
    for change, n in zip(changes, sizes):
        if part and (len(part) == E.RECORDS_PER_EVENT or size + n > EVENT_BYTES):
            parts.append(part)
            part, size = [], 0
        part.append(change)
        size += n
    if part:
        parts.append(part)
    return parts


def _references(kind, docs) -> tuple[dict[str, set[str]], list[tuple[int, str, str, str]]]:
    """What the records name: ({kind: {key, ...}}, [(record index, field, kind, key), ...]).
    A blank reference never gets here (kamkit.limits refuses it); None means "none"."""
    wanted: dict[str, set[str]] = {}
    refs = []
    for i, doc in enumerate(docs):
        for name, target, value in references_of(kind, doc):
            wanted.setdefault(target, set()).add(value)
            refs.append((i, name, target, value))
    return wanted, refs
