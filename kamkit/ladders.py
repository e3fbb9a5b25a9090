"""Grade ladders: grades with entry conditions, appointed by one level and approved by another
(docs/rules.md §10.3).

A plugin declares a ``Ladder`` of ``Rung``s, lowest first. A rung names its rank (several grades
may share one: 高级客户经理 二级 and 一级), the conditions a person must meet to enter it (years of
work in the trade, a certificate such as the skills test), which role proposes an appointment and
which approves it. Conditions the records cannot show (思想素质, 表达能力) are listed as
``attested``: the appointing level vouches for them; the suite does not pretend to check them.

``standing(ladder, person, facts, params, as_of)`` says, for a person holding a grade, whether
the grade stands: an approved appointment to it, approved by a person holding the approving role,
and each checkable condition met on the day the appointment was proposed. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .facts import Facts, Person
from .work_records import APPROVED, Appointment

YEARS_OF_WORK, CERTIFICATE, GRADE_BELOW = "years_of_work", "certificate", "grade_below"


@dataclass(frozen=True)
class Condition:
    key: str
    zh: str
    en: str
    kind: str  # years_of_work | certificate | grade_below (held the grade below for some years)
    param: str  # the parameter holding its figure (years) or its key (the certificate)
    clause: str


@dataclass(frozen=True)
class Rung:
    key: str
    zh: str
    en: str
    rank: str  # the rank (等) it belongs to
    conditions: tuple[Condition, ...]
    proposed_by: str  # the role that proposes (recruits) for this grade
    approved_by: str | None  # the role whose approval makes it stand (None: the proposer appoints)
    clause: str
    attested: tuple[str, ...] = ()  # conditions the appointing level vouches for (not on record)


@dataclass(frozen=True)
class Ladder:
    rungs: tuple[Rung, ...]  # lowest first

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.rungs)

    def rung(self, key: str) -> Rung | None:
        return next((r for r in self.rungs if r.key == key), None)

    def below(self, key: str) -> Rung | None:
        i = self.keys.index(key)
        return self.rungs[i - 1] if i else None


@dataclass(frozen=True)
class Checked:
    """One condition on one day: met, not met, or not known (None: the record lacks the field)."""

    condition: Condition
    met: bool | None
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class Standing:
    """Whether a person's grade stands on a day, and why."""

    person: str
    grade: str
    appointment: Appointment | None
    approved_by_right_role: bool | None  # None: no approval is needed or none was given yet
    conditions: tuple[Checked, ...]

    @property
    def stands(self) -> bool:
        return (
            self.appointment is not None
            and self.appointment.status == APPROVED
            and self.approved_by_right_role is not False
            and all(c.met for c in self.conditions)
        )


def years_between(first: date, last: date) -> Decimal:
    """Whole years from ``first`` to ``last`` (a year is reached on its anniversary)."""
    years = last.year - first.year - ((last.month, last.day) < (first.month, first.day))
    return Decimal(max(years, 0))


def check(condition: Condition, person: Person, params: Mapping[str, Any], on: date, facts: Facts) -> Checked:
    figure = params[condition.param]
    if condition.kind == YEARS_OF_WORK:
        if person.work_since is None:
            return Checked(condition, None, {"work_since": None, "years_needed": figure})
        years = years_between(person.work_since, on)
        return Checked(
            condition,
            years >= Decimal(figure),
            {"work_since": person.work_since, "on": on, "years": years, "years_needed": figure},
        )
    if condition.kind == CERTIFICATE:
        return Checked(
            condition, figure in person.certificates, {"certificate": figure, "held": person.certificates}
        )
    if condition.kind == GRADE_BELOW:
        since = person.grade_since if person.previous_grade else None
        if since is None:
            return Checked(condition, None, {"previous_grade": person.previous_grade, "years_needed": figure})
        years = years_between(since, on)
        return Checked(condition, years >= Decimal(figure), {"in_grade_since": since, "years": years})
    raise ValueError(f"unknown condition kind {condition.kind!r}")


def appointment_of(facts: Facts, person: str, grade: str) -> Appointment | None:
    """The person's latest decided (else latest) appointment to the grade."""
    mine = [a for a in facts.appointments if a.person == person and a.grade == grade]
    mine.sort(key=lambda a: (a.status == APPROVED, a.decided_on or a.proposed_on, a.id))
    return mine[-1] if mine else None


def standing(ladder: Ladder, person: Person, facts: Facts, params: Mapping[str, Any]) -> Standing | None:
    """The standing of the grade the person holds (None: they hold none, or one not on the ladder)."""
    rung = ladder.rung(person.grade) if person.grade else None
    if rung is None:
        return None
    appointment = appointment_of(facts, person.id, rung.key)
    # conditions are met on the day the grade was proposed (or given, with no appointment on record)
    on = appointment.proposed_on if appointment else person.grade_since
    conditions = tuple(
        check(c, person, params, on, facts) if on else Checked(c, None, {"on": None}) for c in rung.conditions
    )
    right = None
    if appointment is not None and appointment.status == APPROVED:
        needed = rung.approved_by or rung.proposed_by
        decider = facts.person(appointment.decided_by) if appointment.decided_by else None
        right = decider is not None and decider.role == needed
    return Standing(person.id, rung.key, appointment, right, conditions)


def roles_needed(ladder: Ladder) -> Sequence[str]:
    """Every role that proposes or approves an appointment (a plugin must know them as roles)."""
    return sorted(
        {r.proposed_by for r in ladder.rungs} | {r.approved_by for r in ladder.rungs if r.approved_by}
    )
