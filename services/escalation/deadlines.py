"""escalation's watch on deadlines of cases (docs/rules.md §10.2): a step past its due day climbs
the line's ladder as an overdue follow-up does (§1.3), each rung once; a step falling due soon is
warned of (§8). The rules are the plugin's (``RulePlugin.deadlines``, kamkit.deadlines), the cases
and calendars the ones intake sent (kept in ``awaiting``), the days by the line's calendar.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from kamkit import warnings as W
from kamkit.deadlines import OVERDUE, open_deadlines
from kamkit.errors import NotFound
from kamkit.facts import Facts
from kamkit.facts import Person as PersonFact
from services.common.access.caller import reach_of
from services.common.access.reach import reaches
from services.common.messaging.rpc import api, validated
from services.common.periods.stored_facts import build_record
from services.common.storage.projection import plugin_in_force
from wire import events as E

from .models import Awaiting, DeadlineEscalation, Line, Person
from .schemas import DeadlinesQuery


def case_facts(session, line: str) -> Facts:
    """The line's cases and calendars as kamkit.facts (only what deadlines read)."""
    rows = session.query(Awaiting).filter(
        Awaiting.business_line == line, Awaiting.kind.in_(("case", "calendar"))
    )
    cases, calendars = [], []
    for row in rows.order_by(Awaiting.kind, Awaiting.key):
        (cases if row.kind == "case" else calendars).append(build_record(row.kind, row.doc))
    return Facts(business_line=line, cases=tuple(cases), calendars=tuple(calendars))


class DeadlineWatch:
    """Mixed into EscalationService: the sweep's and the warnings' part for deadlines."""

    def _sweep_deadlines(self, day: date, only: str | None) -> list[dict]:
        session = self.db.session
        lines = session.query(Line).order_by(Line.business_line)
        if only:
            lines = lines.filter_by(business_line=only)
        made = []
        for line in lines.all():
            plugin = plugin_in_force(line, day)
            if not plugin.deadlines:
                continue
            facts = case_facts(session, line.business_line)
            for due in open_deadlines(facts, plugin.deadlines, plugin.params, as_of=day):
                if due.state != OVERDUE:
                    continue
                owner = session.get(Person, (line.business_line, due.case.person))
                owner_role = due.rule.owner_role or (owner.role if owner else None)
                for step, role in plugin.deadline_rungs(owner_role, due.late):
                    made.extend(
                        self._escalate_deadline(
                            plugin, line.business_line, due, owner=owner, step=step, role=role, day=day
                        )
                    )
        return made

    def _escalate_deadline(self, plugin, line, due, *, owner, step, role, day):
        key = dict(business_line=line, case=due.case.id, rule=due.rule.key, due=due.due, step=step, role=role)
        u = self.uow()  # each rung its own transaction: another instance may have made it first
        if u.session.query(DeadlineEscalation.id).filter_by(**key).first():
            u.rollback()
            return []
        branch = owner.branch if owner else None
        candidates = [
            PersonFact(id=p.id, role=p.role, branch=p.branch, grade=p.grade)
            for p in u.session.query(Person).filter_by(business_line=line, role=role)
        ]
        person = plugin.holder(role, {"branch": branch}, candidates)
        u.session.add(DeadlineEscalation(**key, person=person, as_of=day))
        event = E.make_event(
            E.DEADLINE_ESCALATED,
            business_line=line,
            case=due.case.id,
            case_kind=due.case.kind,
            rule=due.rule.key,
            step=step,
            role=role,
            person=person,
            owner=due.case.person,
            owner_role=owner.role if owner else None,
            due=due.due.isoformat(),
            days_late=due.late,
            clause=due.rule.clause,
            inputs={
                "rule_zh": due.rule.zh,
                "rule_en": due.rule.en,
                "unit": due.rule.unit,
                "step": due.rule.end,
            },
            as_of=day.isoformat(),
        )
        u.emit(E.DEADLINE_ESCALATED, event)
        u.audit("sweep", business_line=line, target=f"case:{due.case.id}", after=event)
        try:
            u.commit()
        except IntegrityError:  # another instance escalated this rung first
            u.rollback()
            return []
        return [
            {
                "case": due.case.id,
                "rule": due.rule.key,
                "step": step,
                "role": role,
                "person": person,
                "days_late": due.late,
                "due": due.due.isoformat(),
            }
        ]

    def _deadline_reminders(self, plugin, line: str, day: date) -> list[W.Reminder]:
        if not plugin.deadlines:
            return []
        facts = case_facts(self.db.session, line)
        due = open_deadlines(facts, plugin.deadlines, plugin.params, as_of=day)
        return W.deadlines(due, day, int(plugin.params.get("warn_days_before", 0)))

    @api
    def list_deadlines(self, business_line, as_of=None):
        """Every step of the line's cases not yet done as of a day (today: none given), with its due
        day, how late, and the rungs notified so far; a person sees their own cases, a branch its
        people's."""
        args = validated(DeadlinesQuery, business_line=business_line, as_of=as_of)
        session = self.db.session
        line = session.get(Line, business_line)
        if line is None:
            raise NotFound(f"no business line {business_line!r}", field="business_line")
        day = args["as_of"] or date.today()
        plugin = plugin_in_force(line, day)
        reach = reach_of(self.caller)
        people = {p.id: p for p in session.query(Person).filter_by(business_line=business_line)}
        notified: dict[tuple, list] = {}
        for r in (
            session.query(DeadlineEscalation)
            .filter_by(business_line=business_line)
            .order_by(DeadlineEscalation.id)
        ):
            notified.setdefault((r.case, r.rule, r.due), []).append(
                {"step": r.step, "role": r.role, "person": r.person, "as_of": r.as_of.isoformat()}
            )
        out = []
        for d in open_deadlines(
            case_facts(session, business_line), plugin.deadlines, plugin.params, as_of=day
        ):
            who = people.get(d.case.person)
            if not reaches(reach, person=d.case.person, branch=who.branch if who else None):
                continue
            out.append(
                {
                    "case": d.case.id,
                    "case_kind": d.case.kind,
                    "rule": d.rule.key,
                    "rule_en": d.rule.en,
                    "rule_zh": d.rule.zh,
                    "person": d.case.person,
                    "due": d.due.isoformat(),
                    "state": d.state,
                    "days_late": d.late,
                    "clause": d.rule.clause,
                    "notified": notified.get((d.case.id, d.rule.key, d.due), []),
                }
            )
        return out
