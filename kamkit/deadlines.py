"""Deadline rules on cases, in working days by the line's calendar (docs/rules.md §10.2).

A plugin declares ``deadlines``: each rule says that on a case of one kind (whose attributes match
``when``) the step ``end`` is due so many working days (or calendar days, or months) after the
step ``start`` — or before it (an extension asked 10 days before a scheme expires) — or on a fixed
day of the case's year (the railway's year volume, submitted by 10 December). A rule may start
from another rule's due day (``start = "rule:<key>"``): a scheme's expiry is a rule without an
``end`` step, and the extension rule counts back from it.

The same rules serve three readers: the plugin's monthly sheet (``deadline_lines``: every
deadline falling due in the month, met or missed, with its days late), the escalation service
(``open_deadlines``: what is overdue on a day, climbed up the ladder as a follow-up is) and its
warnings before a deadline. Working days are Monday to Friday less the line's holidays plus the
weekend days it works (kamkit.activity.working); the start day itself is not counted (20 working
days after a Monday application is the 20th working day after it) [reading, fixed in code].
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from .activity import Window, working
from .explain import INFO, POINTS, Line
from .facts import Calendar, Facts
from .work_records import Case

WORKING_DAYS, DAYS, MONTHS = "working_days", "days", "months"
UNITS = (WORKING_DAYS, DAYS, MONTHS)
MET, LATE, OPEN, OVERDUE, NOT_STARTED = "met", "late", "open", "overdue", "not_started"
KIND = "deadline"


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    zh: str
    en: str
    case_kind: str
    start: str  # a step of the case ("opened" or a step name), or "rule:<key>": another rule's due day
    end: str | None  # the step that meets it; None: a date only (a scheme's expiry)
    amount_param: str  # the plugin parameter holding the days (or months)
    clause: str
    unit: str = WORKING_DAYS
    before: bool = False  # due so many days before the start (an extension before expiry)
    when: Mapping[str, Any] = field(default_factory=dict)  # attributes a case must have
    fixed_param: str | None = None  # a parameter holding "MM-DD": due that day of the case's year
    year_offset: int = 0  # with fixed_param: the case's ``year`` attribute plus this
    owner_role: str | None = None  # who owes the step (None: the case's person)

    def applies(self, case: Case) -> bool:
        return case.kind == self.case_kind and all(
            str(case.attributes.get(k)) == str(v) for k, v in self.when.items()
        )


def add_working_days(start: date, n: int, calendars: Sequence[Calendar] = ()) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative)."""
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day += timedelta(days=step)
        if working(day, calendars):
            left -= 1
    return day


def working_days_between(first: date, last: date, calendars: Sequence[Calendar] = ()) -> int:
    """Working days after ``first`` up to and including ``last`` (0 when last <= first)."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += working(day, calendars)
    return count


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, the month's last day when it has no such day."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class Due:
    """One rule on one case: when it started, when it is due, when it was done, and its state."""

    rule: DeadlineRule
    case: Case
    start: date | None
    due: date | None
    done: date | None
    state: str  # met | late | open | overdue | not_started
    late: int  # days late (working days for a working-day rule), 0 when on time
    amount: int | None  # the rule's days (or months)

    def inputs(self) -> dict[str, Any]:
        return {
            "owner_role": self.rule.owner_role,
            "late_unit": late_unit(self.rule),
            "case": self.case.id,
            "case_kind": self.case.kind,
            "rule": self.rule.key,
            "start_step": self.rule.start,
            "start": self.start,
            "end_step": self.rule.end,
            "amount": self.amount,
            "unit": self.rule.unit,
            "before": self.rule.before,
            "due": self.due,
            "done": self.done,
            "state": self.state,
            "late": self.late,
            "customer": self.case.customer,
        }


def _start(rule: DeadlineRule, case: Case, rules: Mapping[str, DeadlineRule], params, calendars, seen):
    if rule.start.startswith("rule:"):
        key = rule.start[5:]
        if key in seen or key not in rules:
            raise ValueError(f"deadline {rule.key!r} starts from an unknown or circular rule {key!r}")
        if not rules[key].applies(case):  # a chained rule's own ``when`` holds for the case too
            return None
        return _due_day(rules[key], case, rules, params, calendars, seen | {key})
    return case.step(rule.start)


def year_of(case: Case) -> int | None:
    """The case's ``year`` attribute as a whole year (a fixed-date rule's year); None when it has
    none or one that is not a whole year: such a rule has not started, rather than guessing."""
    value = case.attributes.get("year")
    try:
        year = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    if (
        value is None
        or isinstance(value, bool)
        or year != year.to_integral_value()
        or not 1900 <= year <= 2200
    ):
        return None
    return int(year)


def _due_day(rule, case, rules, params, calendars, seen=frozenset()) -> date | None:
    if rule.fixed_param is not None:
        month, day = (int(x) for x in str(params[rule.fixed_param]).split("-"))
        year = year_of(case)
        return None if year is None else date(year + rule.year_offset, month, day)
    start = _start(rule, case, rules, params, calendars, seen | {rule.key})
    if start is None:
        return None
    n = int(params[rule.amount_param]) * (-1 if rule.before else 1)
    if rule.unit == WORKING_DAYS:
        return add_working_days(start, n, calendars)
    if rule.unit == MONTHS:
        return add_months(start, n)
    return start + timedelta(days=n)


def due_of(
    rule: DeadlineRule,
    case: Case,
    *,
    rules: Sequence[DeadlineRule],
    params: Mapping[str, Any],
    calendars: Sequence[Calendar] = (),
    as_of: date,
) -> Due:
    """The rule on the case as of a day: met, late (done after its due day), open (not done, not
    yet due), overdue (not done, past due) or not started (its start step has not happened)."""
    by_key = {r.key: r for r in rules}
    start = (
        None if rule.fixed_param is not None else _start(rule, case, by_key, params, calendars, {rule.key})
    )
    due = _due_day(rule, case, by_key, params, calendars, frozenset({rule.key}))
    amount = None if rule.fixed_param is not None else int(params[rule.amount_param])
    done = case.step(rule.end) if rule.end else None
    if done is not None and done > as_of:  # as the case stood on the day: not done yet
        done = None
    if due is None:
        return Due(rule, case, start, None, done, NOT_STARTED, 0, amount)
    if rule.end is None:  # a date only: passed or not
        state = MET if as_of <= due else OVERDUE
        return Due(rule, case, start, due, None, state, 0, amount)
    if done is not None:
        late = _late(rule, due, done, calendars)
        return Due(rule, case, start, due, done, LATE if late else MET, late, amount)
    if as_of > due:
        return Due(rule, case, start, due, None, OVERDUE, _late(rule, due, as_of, calendars), amount)
    return Due(rule, case, start, due, None, OPEN, 0, amount)


def _late(rule: DeadlineRule, due: date, day: date, calendars) -> int:
    """Days late: working days for a working-day rule, calendar days otherwise (a rule in months
    is late by days, not months)."""
    if day <= due:
        return 0
    if rule.unit == WORKING_DAYS:
        return working_days_between(due, day, calendars)
    return (day - due).days


def late_unit(rule: DeadlineRule) -> str:
    return WORKING_DAYS if rule.unit == WORKING_DAYS else DAYS


def dues(
    facts: Facts, rules: Sequence[DeadlineRule], params: Mapping[str, Any], *, as_of: date
) -> Iterator[Due]:
    """Every rule on every case it applies to, as of a day (case order, then rule order)."""
    for case in facts.cases:
        for rule in rules:
            if rule.applies(case):
                yield due_of(rule, case, rules=rules, params=params, calendars=facts.calendars, as_of=as_of)


_STATE_ZH = {MET: "按时", LATE: "逾期完成", OVERDUE: "逾期未办", OPEN: "未到期", NOT_STARTED: "未开始"}


def deadline_lines(
    facts: Facts,
    window: Window,
    rules: Sequence[DeadlineRule],
    params: Mapping[str, Any],
    *,
    roles: Mapping[str, str],
    points_param: str | None = None,
) -> list[Line]:
    """Each deadline with a step (``end``) falling due in the window: met, late or still not done
    at its end, a line for the case's person. A missed one docks ``params[points_param]`` points
    when that is set and above 0; otherwise it is stated, not docked (the seeds print no points for
    these deadlines) [default]. ``roles``: person -> role."""
    docked = Decimal(params[points_param]) if points_param else Decimal(0)
    out = []
    for d in dues(facts, rules, params, as_of=after(window)):
        if d.rule.end is None or d.due is None or not window.contains(d.due):
            continue
        missed = d.state in (LATE, OVERDUE)
        days = "个工作日" if late_unit(d.rule) == WORKING_DAYS else "天"
        days_en = ("working day" if late_unit(d.rule) == WORKING_DAYS else "day") + (
            "" if d.late == 1 else "s"
        )
        late_zh = f"，逾期 {d.late} {days}" if d.late else ""
        late_en = f", {d.late} {days_en} late" if d.late else ""
        done_en = f"done {d.done}" if d.done else "not done"
        scored = missed and docked > 0
        out.append(
            Line(
                d.case.person,
                roles.get(d.case.person, ""),
                -docked if scored else Decimal(int(not missed)),
                POINTS if scored else INFO,
                KIND,
                d.rule.clause,
                f"{d.case.id} {d.rule.zh}：应于 {d.due} 前完成，"
                f"{'完成于 ' + str(d.done) if d.done else '未完成'}，{_STATE_ZH[d.state]}{late_zh}",
                f"{d.case.id} {d.rule.en}: due {d.due}, {done_en}: {d.state}{late_en}",
                {**d.inputs(), "points": docked if scored else None},
            )
        )
    return out


def after(window: Window) -> date:
    """The first day after a window: a step due on its last day and not done by then is missed."""
    return window.last + timedelta(days=1)


def open_deadlines(
    facts: Facts, rules: Sequence[DeadlineRule], params: Mapping[str, Any], *, as_of: date
) -> list[Due]:
    """What escalation watches on a day: every deadline with a step to do, not yet done."""
    return [d for d in dues(facts, rules, params, as_of=as_of) if d.rule.end and d.state in (OPEN, OVERDUE)]


class MetRate(NamedTuple):
    met: int  # done by the due day
    fell_due: int  # deadlines with a step that fell due (met, late or overdue)


def met_rate(found: Iterable[Due]) -> MetRate:
    """Deadlines met of those that fell due (a share over nothing is not applicable: fell_due 0)."""
    found = [d for d in found if d.rule.end and d.state in (MET, LATE, OVERDUE)]
    return MetRate(sum(d.state == MET for d in found), len(found))
