"""escalation: tier and owner for every opportunity, and escalation of overdue follow-ups.

Events in:  intake.record_changed, intake.records_changed (business_line, person, opportunity,
            follow_up, confirmation kinds: a rejected opportunity is neither followed up nor in the
            bulletin; only the owner's follow-up restarts the clock unless the line's
            follow_up_by_others_resets says otherwise, docs/rules.md §1.1, §1.3)
Events out: owner_assigned (assignment number, tier, owner, confirmer, clause), opportunity_escalated,
            deadline_escalated (a case's step past its due day, docs/rules.md §10.2), warning_due
RPC:
    sweep(as_of, business_line=None)      escalate every overdue follow-up as of that date
    get_assignment(business_line, opportunity)   tier, owner, clock, and ``due``: the next escalation day
    list_escalations(business_line, opportunity=None)
    list_deadlines(business_line, as_of=None)   the steps of cases not yet done, how late, rungs told
    tier_counts(business_line)            opportunities per tier
    projection_versions(business_line)    caught up with intake? (compare intake.record_counts)
Timer: a daily sweep as of today (docs/rules.md §1.3). Each (opportunity, follow-up period, overdue
week, rung) escalates once, even with several instances sweeping the same database. A line's
events and sweep steps take the line's lock (services.common.storage.locks), so an opportunity and its
owner's record arriving together cannot leave it vacant.
Like every service (services.common.mixins): list_parked / get_parked / replay_parked /
drop_parked for the events it parked in ``escalation.parked``, list_audit over its append-only audit
trail, and the access projection; handlers apply only the suite's own events, once each
(services.common.messaging.entrypoints); RPCs answer only SuiteErrors.
Tables: models.py.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from nameko.timer import timer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from kamkit import warnings as W
from kamkit.errors import NotFound
from kamkit.facts import REJECT
from kamkit.facts import Person as PersonFact
from kamkit.facts_schema import CalendarSchema, OpportunitySchema
from services.common import mixins  # a module: `nameko run` would run a mixin class found here
from services.common.access.caller import Caller, reach_of
from services.common.access.reach import outside, reaches
from services.common.messaging.entrypoints import NotYet, handles
from services.common.messaging.origin import SuiteDispatcher
from services.common.messaging.rpc import api, validated
from services.common.storage.db import ServiceDatabase, utcnow
from services.common.storage.locks import lock
from services.common.storage.outbox import send_outbox
from services.common.storage.projection import each_change, is_newer, plugin_in_force
from services.common.storage.uow import UnitsOfWork
from services.common.telemetry import Telemetry
from wire import events as E
from wire.records import KINDS

from . import deadlines  # a module: `nameko run` would run a mixin class found here
from .models import (
    TABLES,
    AccessPrincipal,
    Awaiting,
    Base,
    Escalation,
    FollowUp,
    Line,
    Opportunity,
    Person,
    WarningSent,
)
from .schemas import OpportunityRef, Sweep

SWEEP_INTERVAL = 24 * 3600  # daily
_OPPORTUNITY = OpportunitySchema()  # one instance: building a schema costs more than a load


class EscalationService(
    deadlines.DeadlineWatch, mixins.AccessProjection, mixins.DeadLetters, mixins.AuditTrail
):
    name = E.ESCALATION
    tables = TABLES
    AccessPrincipal = AccessPrincipal  # for AccessProjection

    db = ServiceDatabase(Base)
    dispatch = SuiteDispatcher()  # events under the service's broker user (services.common.messaging.origin)
    uow = UnitsOfWork()  # every change with its audit entry and events, published after commit
    telemetry = Telemetry()  # counts, latencies, /metrics /livez /readyz (services.common.telemetry)
    caller = Caller()  # how far the call reaches: one's own opportunities, a branch's, the line's

    # --- projection -------------------------------------------------------------------------

    # A line's records are applied one transaction at a time (services.common.storage.locks): an
    # opportunity and its owner's person record applied side by side each missed the other's
    # uncommitted row and left the opportunity vacant.
    # A follow-up can overtake its opportunity's event: the handler refuses it with NotYet
    # (nothing committed) and the broker brings it back after a delay (services.common.messaging.entrypoints).
    @handles(E.INTAKE, E.RECORD_CHANGED)
    def on_record_changed(self, payload):
        kind = payload.get("kind")
        if kind not in {"business_line", "person", "opportunity", "follow_up", "confirmation", *AWAITED}:
            return
        with self.uow() as u:
            if not u.first_time(payload["event_id"], E.RECORD_CHANGED):
                return
            lock(u.session, _line_key(payload["business_line"]))
            for change in each_change(payload):  # a batch's records all in this one transaction
                self._apply(u, kind, change["business_line"], change["record"], change["version"])

    @handles(E.INTAKE, E.RECORDS_CHANGED)
    def on_records_changed(self, payload):
        self.on_record_changed(payload)

    def _apply(self, u, kind, line, doc, version):
        session = self.db.session
        if kind == "business_line":
            row = session.get(Line, line)
            if is_newer(row, version):
                row = row or Line(business_line=line)
                row.plugin, row.parameters, row.version = doc["plugin"], doc.get("parameters") or {}, version
                row.rules = doc.get("rules") or []
                session.merge(row)
        elif kind == "person":
            row = session.get(Person, (line, doc["id"]))
            if is_newer(row, version):
                session.merge(
                    Person(
                        business_line=line,
                        id=doc["id"],
                        role=doc["role"],
                        branch=doc.get("branch"),
                        grade=doc.get("grade"),
                        version=version,
                    )
                )
                session.flush()
                self._fill_vacancies(u, line, doc.get("branch"))
        elif kind == "opportunity":
            self._upsert_opportunity(u, line, doc, version)
        elif kind == "follow_up":
            self._follow_up(line, doc)
        elif kind == "confirmation":
            self._confirmation(u, line, doc)
        elif kind in AWAITED:
            self._awaited(line, kind, doc, version)

    def _awaited(self, line, kind, doc, version):
        """A plan, a change or a calendar warnings are made of: the newest version kept; a wait
        for a decision counted from the request (a change) or from when it was first seen
        waiting (a plan submitted again waits anew)."""
        session = self.db.session
        key = KINDS[kind].key(doc)
        row = session.get(Awaiting, (line, kind, key))
        if row is not None and row.version >= version:
            return
        waiting_before = row is not None and _waiting(kind, row.doc)
        if row is None:
            row = Awaiting(business_line=line, kind=kind, key=key)
            session.add(row)
        if kind == "target_change" and doc.get("requested_at"):
            row.since = datetime.fromisoformat(doc["requested_at"])
        elif not waiting_before or row.since is None:
            row.since = utcnow()
        row.version, row.doc = version, doc

    def _upsert_opportunity(self, u, line, doc, version):
        session = self.db.session
        row = session.get(Opportunity, (line, doc["id"]))
        if not is_newer(row, version):
            return
        if row is None:
            row = Opportunity(business_line=line, id=doc["id"])
            session.add(row)
        row.version, row.doc, row.branch = version, doc, doc.get("branch")
        row.open = doc.get("status", "open") == "open"
        started = date.fromisoformat(doc.get("entered") or doc["discovered"])
        row.clock = max(row.clock, started) if row.clock else started
        self._assign(u, line, row)

    def _follow_up(self, line, doc):
        row = self.db.session.get(Opportunity, (line, doc["opportunity"]))
        if row is None:  # the opportunity's own event is still on its way; intake checked it exists
            raise NotYet(f"opportunity {doc['opportunity']!r} not projected yet", field="opportunity")
        day = date.fromisoformat(doc["date"])
        self.db.session.merge(FollowUp(business_line=line, id=doc["id"], opportunity=row.id, date=day))
        author = doc.get("author")
        if author is not None and author != row.owner and not self._others_reset(line):
            return  # the owner follows up in person (亲自跟进): someone else's report is kept, not counted
        if row.clock is None or day > row.clock:  # the clock only moves forward
            row.clock = day
            row.due = day + timedelta(days=row.follow_up_days) if row.follow_up_days else None

    def _others_reset(self, line) -> bool:
        """The line's ``follow_up_by_others_resets`` (docs/rules.md §1.3); a plugin without it
        keeps the suite's first rule: any follow-up restarts the clock."""
        plugin = plugin_in_force(self.db.session.get(Line, line))
        return bool(plugin.params.get("follow_up_by_others_resets", True))

    def _confirmation(self, u, line, doc):
        """A confirming role's decision (docs/rules.md §1.1): a rejected opportunity is neither
        followed up nor in the bulletin; its owners are told so by a new assignment."""
        row = self.db.session.get(Opportunity, (line, doc["opportunity"]))
        if row is None:
            raise NotYet(f"opportunity {doc['opportunity']!r} not projected yet", field="opportunity")
        if row.decision != doc["decision"]:
            row.decision = doc["decision"]
            self._assign(u, line, row)

    def _assign(self, u, line, row):
        """Classify with the line's plugin and ask it who holds the owner and confirmer roles."""
        line_row = self.db.session.get(Line, line)
        if line_row is None:
            raise NotYet(f"business line {line!r} not projected yet", field="business_line")
        plugin = plugin_in_force(line_row)
        c = plugin.classify(_OPPORTUNITY.load(row.doc))
        if row.decision == REJECT:  # not reported: no weekly follow-up, not in the bulletin
            c = dataclasses.replace(c, follow_up_days=None, in_bulletin=False)
        owner = self._holder(plugin, line, c.owner_role, row, c.inputs.get("eligible_grades"))
        confirmer = self._holder(plugin, line, c.confirming_role, row)
        before = (row.tier, row.owner_role, row.owner, row.confirmer, row.follow_up_days)
        row.tier, row.owner_role, row.owner = c.tier, c.owner_role, owner
        row.confirming_role, row.confirmer, row.follow_up_days = (
            c.confirming_role,
            confirmer,
            c.follow_up_days,
        )
        row.due = row.clock + timedelta(days=c.follow_up_days) if c.follow_up_days else None
        if before != (row.tier, row.owner_role, row.owner, row.confirmer, row.follow_up_days):
            row.assignment = (row.assignment or 0) + 1
            event = E.make_event(
                E.OWNER_ASSIGNED,
                business_line=line,
                opportunity=row.id,
                assignment=row.assignment,
                tier=c.tier,
                owner_role=c.owner_role,
                owner=owner,
                confirming_role=c.confirming_role,
                confirmer=confirmer,
                follow_up_days=c.follow_up_days,
                in_bulletin=c.in_bulletin,
                clause=c.clause,
                reason_zh=c.reason_zh,
                reason_en=c.reason_en,
                inputs=c.to_dict()["inputs"],
                as_of=None,
            )
            u.emit(E.OWNER_ASSIGNED, event)

    def _holder(self, plugin, line, role, row, eligible_grades=None):
        """Who holds ``role`` for this opportunity: the plugin's answer (RulePlugin.holder) among
        the line's people holding the role."""
        if role is None:
            return None
        candidates = [
            PersonFact(id=p.id, role=p.role, branch=p.branch, grade=p.grade)
            for p in self.db.session.query(Person).filter_by(business_line=line, role=role)
        ]
        return plugin.holder(role, {**row.doc, "branch": row.branch}, candidates, eligible_grades)

    def _fill_vacancies(self, u, line, branch):
        rows = self.db.session.query(Opportunity).filter(
            Opportunity.business_line == line,
            Opportunity.open.is_(True),
            Opportunity.owner.is_(None),
            Opportunity.owner_role.isnot(None),
        )
        if branch:
            rows = rows.filter(Opportunity.branch == branch)
        for row in rows:
            self._assign(u, line, row)

    # --- escalation ------------------------------------------------------------------------

    @api
    def sweep(self, as_of, business_line=None):
        """Escalate every overdue follow-up as of ``as_of``; returns the escalations made now."""
        args = validated(Sweep, as_of=as_of, business_line=business_line)
        day, business_line = args["as_of"], args["business_line"]
        session = self.db.session
        due = session.query(Opportunity).filter(Opportunity.open.is_(True), Opportunity.due <= day)
        if business_line:
            due = due.filter(Opportunity.business_line == business_line)
        made = []
        for row in due.order_by(Opportunity.business_line, Opportunity.id).all():
            lock(session, _line_key(row.business_line))
            session.refresh(row)  # a follow-up may have moved its clock since the query
            if not (row.open and row.due and row.due <= day):
                session.commit()
                continue
            plugin = plugin_in_force(session.get(Line, row.business_line), day)
            days = (day - row.clock).days
            step = []
            for week, role in plugin.escalation_role(row.owner_role, days):
                step.extend(self._escalate(plugin, row, week, role=role, days=days, day=day))
            with self.uow() as u:
                if step:
                    u.audit(
                        "sweep",
                        business_line=row.business_line,
                        target=f"opportunity:{row.id}",
                        after={"as_of": day.isoformat(), "escalations": step},
                    )
                made.extend(step)
                # the next sweep that has anything to do for this opportunity: a sweep reads only
                # the opportunities with a rung due, not every one ever overdue
                row.due = next_escalation(plugin, row.owner_role, row.clock, days)
        # the deadlines of cases (docs/rules.md §10.2), climbed as follow-ups are
        made.extend(self._sweep_deadlines(day, business_line))
        return made

    def _escalate(self, plugin, row, week, *, role, days, day):
        key = dict(business_line=row.business_line, opportunity=row.id, clock=row.clock, week=week, role=role)
        u = self.uow()  # each rung its own transaction: another instance may have made it first
        if u.session.query(Escalation.id).filter_by(**key).first():
            return []
        person = self._holder(plugin, row.business_line, role, row)
        u.session.add(Escalation(**key, person=person, as_of=day))
        event = E.make_event(
            E.OPPORTUNITY_ESCALATED,
            business_line=row.business_line,
            opportunity=row.id,
            week=week,
            role=role,
            person=person,
            owner=row.owner,
            owner_role=row.owner_role,
            last_follow_up=row.clock.isoformat(),
            days_overdue=days,
            clause="rules §1.3",
            as_of=day.isoformat(),
        )
        u.emit(E.OPPORTUNITY_ESCALATED, event)
        try:
            u.commit()
        except IntegrityError:  # another instance escalated this rung first
            u.rollback()
            return []
        return [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in key.items()}
            | {"person": person, "days_overdue": days}
        ]

    @timer(interval=SWEEP_INTERVAL)
    def daily_sweep(self):
        self.sweep(date.today())
        self.warn(date.today())

    # --- warnings before a breach (kamkit.warnings, docs/rules.md §8) --------------------------

    @api
    def warn(self, as_of, business_line=None):
        """Announce what falls due soon or waits for a decision as of ``as_of`` (kamkit.warnings),
        each warning once however often this runs; returns the warnings announced now."""
        args = validated(Sweep, as_of=as_of, business_line=business_line)
        day, only = args["as_of"], args["business_line"]
        session = self.db.session
        lines = session.query(Line).order_by(Line.business_line)
        if only:
            lines = lines.filter_by(business_line=only)
        made = []
        for line in lines.all():
            plugin = plugin_in_force(line, day)
            for reminder in self._reminders(plugin, line.business_line, day):
                made.extend(self._announce_warning(plugin, line.business_line, reminder, day))
        return made

    def _reminders(self, plugin, line, day):
        session, params = self.db.session, plugin.params
        before = int(params.get("warn_days_before", 0))
        opportunities = (
            W.Open(o.id, o.owner, o.due)
            for o in session.query(Opportunity).filter_by(business_line=line, open=True)
            if o.follow_up_days and o.decision != REJECT
        )
        awaited = session.query(Awaiting).filter_by(business_line=line).all()
        planned: dict[str, list[str]] = {}
        for a in awaited:
            if a.kind == "visit_plan":
                planned.setdefault(a.doc["person"], []).append(a.doc["month"])
        calendars = [_CALENDAR.load(a.doc) for a in awaited if a.kind == "calendar"]
        waiting = [
            W.Waiting(a.kind, a.key, a.doc.get("person"), a.since)
            for a in awaited
            if a.kind in ("target_change", "development_plan") and _waiting(a.kind, a.doc)
        ]
        end_of_day = datetime.combine(day, datetime.max.time())
        return [
            *W.follow_ups(opportunities, day, before),
            *W.visit_plans(planned, day, before, calendars),
            *W.decisions(waiting, end_of_day, int(params.get("approval_wait_days", 0))),
            *self._deadline_reminders(plugin, line, day),
        ]

    def _announce_warning(self, plugin, line, reminder, day):
        u = self.uow()  # each warning its own transaction: another instance may have sent it
        if u.session.get(WarningSent, (line, reminder.dedup)) is not None:
            u.rollback()
            return []
        tell = [reminder.person] if reminder.person else []
        if plugin.params.get("warn_manager") and reminder.person:
            manager = self._manager_of(plugin, line, reminder)
            tell += [manager] if manager and manager not in tell else []
        u.session.add(WarningSent(business_line=line, dedup=reminder.dedup))
        event = E.make_event(
            E.WARNING_DUE,
            business_line=line,
            what=reminder.what,
            key=reminder.key,
            person=reminder.person,
            tell=tell,
            due=reminder.due.isoformat(),
            dedup=reminder.dedup,
            clause=reminder.clause,
            inputs=dict(reminder.inputs),
            as_of=day.isoformat(),
        )
        u.emit(E.WARNING_DUE, event)
        u.audit("warn", business_line=line, target=f"{reminder.what}:{reminder.key}", after=event)
        try:
            u.commit()
        except IntegrityError:  # another instance sent it first
            u.rollback()
            return []
        return [{k: event[k] for k in ("what", "key", "person", "tell", "due")}]

    def _manager_of(self, plugin, line, reminder):
        """The holder of the rung above the person's role (of the opportunity's owner role, for a
        follow-up) in their branch; None at the top of the ladder or if vacant."""
        session = self.db.session
        if reminder.what == "follow_up":
            row = session.get(Opportunity, (line, reminder.key))
            role, doc = row.owner_role, {**row.doc, "branch": row.branch}
        else:
            person = session.get(Person, (line, reminder.person))
            if person is None:
                return None
            role, doc = person.role, {"branch": person.branch}
        if role not in plugin.ladder or plugin.ladder.index(role) + 1 >= len(plugin.ladder):
            return None
        above = plugin.ladder[plugin.ladder.index(role) + 1]
        candidates = [
            PersonFact(id=p.id, role=p.role, branch=p.branch, grade=p.grade)
            for p in session.query(Person).filter_by(business_line=line, role=above)
        ]
        return plugin.holder(above, doc, candidates)

    @timer(interval=5)
    def flush_outbox(self):
        send_outbox(self.db.session, TABLES.outbox, self.dispatch)

    # --- reading ----------------------------------------------------------------------------

    @api
    def get_assignment(self, business_line, opportunity):
        validated(OpportunityRef, business_line=business_line, opportunity=opportunity)
        row = self.db.session.get(Opportunity, (business_line, opportunity))
        if row is None:
            raise NotFound(f"no opportunity {opportunity!r} in {business_line!r}", field="opportunity")
        if not _within(reach_of(self.caller), row):
            raise outside(reach_of(self.caller), what=f"opportunity {opportunity!r}", field="opportunity")
        return {
            "opportunity": row.id,
            "tier": row.tier,
            "owner_role": row.owner_role,
            "owner": row.owner,
            "confirming_role": row.confirming_role,
            "confirmer": row.confirmer,
            "follow_up_days": row.follow_up_days,
            "last_follow_up": row.clock.isoformat(),
            "due": row.due.isoformat() if row.due else None,
            "open": row.open,
        }

    @api
    def tier_counts(self, business_line):
        """Opportunities per tier."""
        validated(OpportunityRef, business_line=business_line)
        rows = (
            self.db.session.query(Opportunity.tier, func.count())
            .filter_by(business_line=business_line)
            .group_by(Opportunity.tier)
            .all()
        )
        return {tier: n for tier, n in sorted(rows, key=lambda r: str(r[0]))}

    @api
    def projection_versions(self, business_line):
        """Record versions held per kind (follow-ups and confirmations: count), to compare with
        intake.record_counts."""
        validated(OpportunityRef, business_line=business_line)
        s = self.db.session
        out = {
            "opportunity": s.query(func.sum(Opportunity.version))
            .filter_by(business_line=business_line)
            .scalar(),
            "person": s.query(func.sum(Person.version)).filter_by(business_line=business_line).scalar(),
            "follow_up": s.query(func.count(FollowUp.id)).filter_by(business_line=business_line).scalar(),
            # written once each (intake: confirm_opportunity), so a count is their versions' sum
            "confirmation": s.query(func.count(Opportunity.id))
            .filter(Opportunity.business_line == business_line, Opportunity.decision.isnot(None))
            .scalar(),
        }
        # what warnings and deadlines are made of (plans, changes, calendars, cases): newest versions
        for kind, total in (
            s.query(Awaiting.kind, func.sum(Awaiting.version))
            .filter_by(business_line=business_line)
            .group_by(Awaiting.kind)
        ):
            out[kind] = total
        return {k: int(v) for k, v in out.items() if v}

    @api
    def list_escalations(self, business_line, opportunity=None):
        validated(OpportunityRef, business_line=business_line, opportunity=opportunity)
        rows = self.db.session.query(Escalation).filter_by(business_line=business_line)
        if opportunity:
            rows = rows.filter_by(opportunity=opportunity)
        reach = reach_of(self.caller)
        if not reach.whole:  # only the escalations of opportunities within reach
            mine = {
                o.id
                for o in self.db.session.query(Opportunity).filter_by(business_line=business_line)
                if _within(reach, o)
            }
            if opportunity and opportunity not in mine:
                raise outside(reach, what=f"opportunity {opportunity!r}", field="opportunity")
            rows = rows.filter(Escalation.opportunity.in_(sorted(mine)))
        return [
            {
                "opportunity": r.opportunity,
                "clock": r.clock.isoformat(),
                "week": r.week,
                "role": r.role,
                "person": r.person,
                "as_of": r.as_of.isoformat(),
            }
            for r in rows.order_by(Escalation.id)
        ]


# cases too: their deadlines are watched (docs/rules.md §10.2)
AWAITED = frozenset({"visit_plan", "development_plan", "target_change", "calendar", "case"})
_CALENDAR = CalendarSchema()


def _waiting(kind, doc) -> bool:
    """A change asked for and not decided; a plan submitted and not decided."""
    if kind == "target_change":
        return doc.get("status", "pending") == "pending"
    if kind == "development_plan":
        return doc.get("status", "submitted") == "submitted"
    return False


def _within(reach, row) -> bool:
    """An opportunity is within a person's reach if they own or confirm it, within a branch's if
    it is the branch's."""
    return any(reaches(reach, person=who, branch=row.branch) for who in (row.owner, row.confirmer))


def _line_key(business_line: str) -> str:
    return f"escalation:line:{business_line}"


def next_escalation(plugin, owner_role, clock, days):
    """The day the next rung above ``owner_role`` is due, ``days`` after the clock; None at the
    top of the ladder (the plugin's RulePlugin.next_rung_after, docs/rules.md §1.3)."""
    after = plugin.next_rung_after(owner_role, days)
    return None if after is None else clock + timedelta(days=after)
