"""The monthly grade sheet — docs/rules.md §13.4: for every person holding a grade of the CIB
ladder, whether the grade stands at the month's end, and the appointments still waiting.

A grade stands (kamkit.ladders.standing) when its latest appointment is approved by a person holding
the approving role and every condition on record was met on the day it was proposed. The sheet is
read at the month's last day: an appointment proposed after it is not yet on file, and one decided
after it is still waiting (the kit's standing reads every appointment it is given, so the plugin
hands it the appointments as they stood that day).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from kamkit.explain import FLAG, INFO, Line
from kamkit.facts import Facts, Person
from kamkit.ladders import Checked, Ladder, Rung, Standing, check, standing
from kamkit.work_records import APPROVED, PROPOSED, Appointment

from .ladder import ART7, ROLE_NAMES

RULE = "rules §13.4"
ONE = Decimal(1)


def as_of(facts: Facts, day: date) -> Facts:
    """The facts with the appointments as they stood at the end of ``day``."""

    def then(a: Appointment) -> Appointment | None:
        if a.proposed_on > day:
            return None
        if a.decided_on is not None and a.decided_on > day:
            return replace(a, status=PROPOSED, decided_by=None, decided_on=None)
        return a

    kept = tuple(x for x in (then(a) for a in facts.appointments) if x is not None)
    return replace(facts, appointments=kept)


def appointment_inputs(a: Appointment | None, facts: Facts) -> dict[str, Any] | None:
    if a is None:
        return None
    proposer, decider = facts.person(a.proposed_by), facts.person(a.decided_by) if a.decided_by else None
    return {
        "id": a.id,
        "grade": a.grade,
        "proposed_by": a.proposed_by,
        "proposer_role": proposer.role if proposer else None,
        "proposed_on": a.proposed_on,
        "status": a.status,
        "decided_by": a.decided_by,
        "decider_role": decider.role if decider else None,
        "decided_on": a.decided_on,
    }


def conditions_inputs(checks) -> list[dict[str, Any]]:
    return [
        {"condition": c.condition.key, "param": c.condition.param, "met": c.met, **dict(c.inputs)}
        for c in checks
    ]


def approver(rung: Rung) -> str:
    """The role whose decision makes the grade stand: the approving level, else the proposing one
    (资深 and 高级: the city branch recruits and appoints)."""
    return rung.approved_by or rung.proposed_by


def role_text(role: str | None) -> tuple[str, str]:
    names = ROLE_NAMES.get(role) if role else None
    return (names.zh, names.en) if names else (role or "—", role or "none")


class Sheet:
    """One month's grade lines, built in person order."""

    def __init__(self, facts: Facts, ladder: Ladder, params: Mapping[str, Any]):
        self.day = facts.month.last_day
        self.facts = as_of(facts, self.day)
        self.ladder, self.params = ladder, params
        self.lines: list[Line] = []

    def line(
        self, person: Person, kind: str, clause: str, why: tuple[str, str], inputs, *, figure=ONE, unit=FLAG
    ):
        """A finding (FLAG, figure 1) unless told otherwise."""
        self.lines.append(
            Line(
                person.id,
                person.role,
                figure,
                unit,
                kind,
                clause,
                why[0],
                why[1],
                {"as_of": self.day, **inputs},
            )
        )

    def build(self) -> list[Line]:
        for person in sorted(self.facts.people, key=lambda p: p.id):
            rung = self.ladder.rung(person.grade) if person.grade else None
            if rung is not None:
                self.grade_lines(person, rung, standing(self.ladder, person, self.facts, self.params))
            self.waiting_lines(person)
        return self.lines

    # --- the grade held ---------------------------------------------------------------------

    def grade_lines(self, person: Person, rung: Rung, s: Standing) -> None:
        a, needed = s.appointment, approver(rung)
        base = {
            "grade": rung.key,
            "rank": rung.rank,
            "grade_since": person.grade_since,
            "appointment": appointment_inputs(a, self.facts),
            "approving_role": needed,
            "conditions": conditions_inputs(s.conditions),
            "attested": list(rung.attested),
        }
        who_zh, who_en = role_text(needed)
        if s.stands:
            self.line(
                person,
                "grade_stands",
                RULE,
                (
                    f"{person.id} {rung.zh}：{a.proposed_on} 提名，{a.decided_on} 经 {a.decided_by}"
                    f"（{who_zh}）批准，提名当日条件均满足，等级成立",
                    f"{person.id} {rung.en}: proposed {a.proposed_on}, approved {a.decided_on} by "
                    f"{a.decided_by} ({who_en}), conditions met on the day proposed: the grade stands",
                ),
                base,
                unit=INFO,
            )
            return
        if a is None or a.status != APPROVED:
            state_zh, state_en = (
                ("无任命记录", "no appointment on record")
                if a is None
                else (f"任命 {a.id} 已被拒绝", f"appointment {a.id} was refused")
                if a.status != PROPOSED
                else (
                    f"任命 {a.id} 于 {a.proposed_on} 提名，尚待审批",
                    f"appointment {a.id} of {a.proposed_on} waits",
                )
            )
            self.line(
                person,
                "grade_not_approved",
                ART7,
                (
                    f"{person.id} 持有{rung.zh}，但无经{who_zh}批准的任命：{state_zh}",
                    f"{person.id} holds {rung.en} without an appointment approved by the {who_en}: "
                    f"{state_en}",
                ),
                base,
            )
        elif s.approved_by_right_role is False:
            decider = appointment_inputs(a, self.facts)["decider_role"]
            by_zh, by_en = role_text(decider)
            self.line(
                person,
                "grade_approved_by_wrong_role",
                ART7,
                (
                    f"{person.id} 的{rung.zh}任命 {a.id} 由 {a.decided_by}（{by_zh}）批准，应由{who_zh}批准",
                    f"{person.id}'s appointment {a.id} to {rung.en} was approved by {a.decided_by} "
                    f"({by_en}); the {who_en} approves it",
                ),
                base,
            )
        for c in s.conditions:
            if c.met is True or (c.met is None and "on" in c.inputs and c.inputs["on"] is None):
                continue  # met, or no day to check it on (no appointment and no grade_since: said above)
            self.condition_line(person, rung, c, base)

    def condition_line(self, person: Person, rung: Rung, c: Checked, base: dict[str, Any]) -> None:
        cond, i = c.condition, c.inputs
        if c.met is None:
            kind = "grade_condition_not_shown"
            why = (
                f"{person.id} {rung.zh}：记录无法显示条件“{cond.zh}”（缺少参加工作日期 work_since）",
                f"{person.id} {rung.en}: the records cannot show the condition '{cond.en}' "
                "(no work_since on file)",
            )
        elif cond.kind == "certificate":
            kind = "grade_condition_not_met"
            why = (
                f"{person.id} {rung.zh}：未持有“{cond.zh}”证书（{i['certificate']}）",
                f"{person.id} {rung.en}: does not hold the '{cond.en}' certificate ({i['certificate']})",
            )
        else:
            kind = "grade_condition_not_met"
            why = (
                f"{person.id} {rung.zh}：提名日 {i['on']} 银行工作满 {i['years']} 年"
                f"（自 {i['work_since']}），不足 {i['years_needed']} 年",
                f"{person.id} {rung.en}: {i['years']} whole year(s) of banking work on {i['on']} (since "
                f"{i['work_since']}), fewer than {i['years_needed']}",
            )
        self.line(person, kind, cond.clause, why, {**base, "condition": cond.key, "param": cond.param})

    # --- appointments waiting ---------------------------------------------------------------

    def waiting_lines(self, person: Person) -> None:
        mine = sorted(
            (a for a in self.facts.appointments if a.person == person.id and a.status == PROPOSED),
            key=lambda a: (a.proposed_on, a.id),
        )
        for a in mine:
            rung = self.ladder.rung(a.grade)
            if rung is None:
                self.line(
                    person,
                    "appointment_grade_unknown",
                    ART7,
                    (
                        f"任命 {a.id} 提名的等级 {a.grade} 不在客户经理等级序列中",
                        f"appointment {a.id} proposes grade {a.grade!r}, which is not a grade of the ladder",
                    ),
                    {"appointment": appointment_inputs(a, self.facts), "grades": list(self.ladder.keys)},
                )
                continue
            days = (self.day - a.proposed_on).days
            checks = [check(c, person, self.params, a.proposed_on, self.facts) for c in rung.conditions]
            met = all(c.met for c in checks)
            who_zh, who_en = role_text(approver(rung))
            self.line(
                person,
                "appointment_waiting",
                ART7,
                (
                    f"{person.id} 拟任{rung.zh}（任命 {a.id}，{a.proposed_on} 由 {a.proposed_by} 提名），"
                    f"待{who_zh}批准 {days} 天；提名当日条件{'均满足' if met else '未全部满足'}",
                    f"{person.id} proposed for {rung.en} (appointment {a.id}, by {a.proposed_by} on "
                    f"{a.proposed_on}), waiting {days} days for the {who_en}; conditions on the day proposed "
                    f"{'all met' if met else 'not all met'}",
                ),
                {
                    "appointment": appointment_inputs(a, self.facts),
                    "approving_role": approver(rung),
                    "days_waiting": days,
                    "conditions": conditions_inputs(checks),
                    "conditions_met": met,
                },
                figure=Decimal(days),
                unit=INFO,
            )


def sheet_lines(facts: Facts, ladder: Ladder, params: Mapping[str, Any]) -> list[Line]:
    return Sheet(facts, ladder, params).build()
