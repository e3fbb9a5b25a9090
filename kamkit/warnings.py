"""Warnings before a breach (docs/rules.md §8; issue 25): what falls due within a line's
``warn_days_before`` days as of a day, and what has waited longer than ``approval_wait_days``
for a decision. Pure: the escalation service gathers the records, announces each warning once.

- A follow-up: an open opportunity's next follow-up is due on its first overdue day
  (docs/rules.md §1.3); warned from ``warn_days_before`` days before it until the day before.
- A visit plan: next month's is due by this month's last working day (002 客户专员月度考核表,
  by the line's calendar); a person who plans visits (has a plan for this month or before) and
  has none for next month is warned from ``warn_days_before`` days before that day to the day.
- A deadline on a case (docs/rules.md §10.2): a step not yet done whose due day is within
  ``warn_days_before`` days; the person the case is with is warned, citing the rule's clause.
- A decision: a target change asked for (001 第6条) or a development plan submitted (001 §1.1
  权力1) still undecided ``approval_wait_days`` days after it was asked for or first seen.

Each warning has a ``dedup`` key (what, which, and the day it is due): told once however often
the check runs. ``warn_days_before`` 0 warns of nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .activity import last_working_day
from .periods import Month

FOLLOW_UP, VISIT_PLAN, TARGET_CHANGE, DEVELOPMENT_PLAN, DEADLINE = (
    "follow_up",
    "visit_plan",
    "target_change",
    "development_plan",
    "deadline",
)
CLAUSES = {
    FOLLOW_UP: "rules §1.3",
    VISIT_PLAN: "002 客户专员月度考核表",
    TARGET_CHANGE: "001 第6条",
    DEVELOPMENT_PLAN: "001 §1.1 权力1",
    DEADLINE: "rules §10.2",
}


@dataclass(frozen=True)
class Reminder:
    what: str  # follow_up | visit_plan | target_change | development_plan
    key: str  # the opportunity, the plan's month, the change or plan
    person: str | None  # whom it concerns (the owner, the planner, the one the target is for)
    due: date  # the day it falls due, or the day the wait passed
    dedup: str
    clause: str
    inputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Open:
    """An open opportunity's follow-up clock, as escalation holds it."""

    opportunity: str
    owner: str | None
    due: date | None  # first overdue day; None: no cadence for its tier


@dataclass(frozen=True)
class Waiting:
    """A record waiting for a decision: since when, for whom."""

    kind: str  # target_change | development_plan
    key: str
    person: str | None
    since: datetime


def follow_ups(opportunities: Iterable[Open], today: date, days: int) -> list[Reminder]:
    """Owners whose next follow-up falls due within ``days`` days (the due day not yet reached)."""
    out = []
    for o in opportunities:
        if days <= 0 or o.due is None or o.owner is None:
            continue
        left = (o.due - today).days
        if 0 < left <= days:
            out.append(
                Reminder(
                    FOLLOW_UP,
                    o.opportunity,
                    o.owner,
                    o.due,
                    dedup=f"{FOLLOW_UP}:{o.opportunity}:{o.due.isoformat()}",
                    clause=CLAUSES[FOLLOW_UP],
                    inputs={"days_left": left},
                )
            )
    return out


def visit_plans(
    planned: Mapping[str, Iterable[str]], today: date, days: int, calendars: Iterable[Any] = ()
) -> list[Reminder]:
    """``planned``: person -> the months (YYYY-MM) they have a visit plan for. Those who plan and
    have none for next month, within ``days`` days of this month's last working day."""
    month = Month(today.year, today.month)
    deadline = last_working_day(month, calendars)
    left = (deadline - today).days
    if days <= 0 or not 0 <= left <= days:
        return []
    nxt = str(month.next())
    return [
        Reminder(
            VISIT_PLAN,
            nxt,
            person,
            deadline,
            dedup=f"{VISIT_PLAN}:{person}:{nxt}",
            clause=CLAUSES[VISIT_PLAN],
            inputs={"plan_month": nxt, "days_left": left},
        )
        for person, months in sorted(planned.items())
        if nxt not in set(months) and any(m <= str(month) for m in months)
    ]


def decisions(waiting: Iterable[Waiting], now: datetime, wait_days: int) -> list[Reminder]:
    """Requests and plans undecided ``wait_days`` days (or more) after they were made."""
    out = []
    for w in waiting:
        passed = w.since + timedelta(days=wait_days)
        if wait_days > 0 and now >= passed:
            out.append(
                Reminder(
                    w.kind,
                    w.key,
                    w.person,
                    passed.date(),
                    dedup=f"{w.kind}:{w.key}:{w.since.isoformat(timespec='seconds')}",
                    clause=CLAUSES[w.kind],
                    inputs={"waiting_since": w.since.isoformat(timespec="seconds"), "wait_days": wait_days},
                )
            )
    return out


def deadlines(open_dues: Iterable[Any], today: date, days: int) -> list[Reminder]:
    """Steps of cases falling due within ``days`` days (kamkit.deadlines.Due, not done, the due
    day not yet passed): one warning a case, rule and due day."""
    out = []
    for d in open_dues:
        if days <= 0 or d.due is None:
            continue
        left = (d.due - today).days
        if 0 <= left <= days:
            out.append(
                Reminder(
                    DEADLINE,
                    f"{d.case.id}:{d.rule.key}",
                    d.case.person,
                    d.due,
                    dedup=f"{DEADLINE}:{d.case.id}:{d.rule.key}:{d.due.isoformat()}",
                    clause=d.rule.clause,
                    inputs={
                        "days_left": left,
                        "case": d.case.id,
                        "step": d.rule.end,
                        "rule_zh": d.rule.zh,
                        "rule_en": d.rule.en,
                    },
                )
            )
    return out
