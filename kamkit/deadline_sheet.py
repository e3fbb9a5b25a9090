"""A month's deadlines as a sheet states them (docs/rules.md §10.2): kamkit.deadlines's
``deadline_lines`` on the facts as they stood at the month's end (a step recorded later does not
change a closed month), less the deadlines nobody owed (``owed``: a scheme's extension is asked
only by a customer who needs one), and each person's deadlines met of those that fell due.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from .activity import Window
from .deadlines import DeadlineRule, Due, after, deadline_lines, dues, met_rate
from .explain import INFO, Line
from .facts import Facts
from .plugin import Names


@dataclass(frozen=True)
class MonthDeadlines:
    lines: list[Line]  # one per deadline owed and falling due in the month
    fell_due: list[Due]  # the same deadlines, for a summary (kamkit.deadlines.met_rate)


def known_by(facts: Facts, day: date) -> Facts:
    """The facts as they stood at the end of ``day``: steps done after it are left out."""
    cases = tuple(
        c
        if all(done <= day for done in c.steps.values())
        else replace(c, steps={name: done for name, done in c.steps.items() if done <= day})
        for c in facts.cases
    )
    return replace(facts, cases=cases)


def month_deadlines(
    facts: Facts,
    window: Window,
    rules: Sequence[DeadlineRule],
    params: Mapping[str, Any],
    *,
    roles: Mapping[str, str],
    points_param: str | None = None,
    owed: Callable[[Due], bool] = lambda due: True,
) -> MonthDeadlines:
    """Every deadline with a step to do that falls due in the window and is ``owed``: the kit's
    line for the case's person (met 1, missed 0, or the points docked)."""
    known = known_by(facts, window.last)
    found = [
        d
        for d in dues(known, rules, params, as_of=after(window))
        if d.rule.end and d.due is not None and window.contains(d.due)
    ]
    skipped = {(d.case.id, d.rule.key) for d in found if not owed(d)}
    stated = deadline_lines(known, window, rules, params, roles=roles, points_param=points_param)
    return MonthDeadlines(
        [line for line in stated if (line.inputs["case"], line.inputs["rule"]) not in skipped],
        [d for d in found if (d.case.id, d.rule.key) not in skipped],
    )


def summaries(
    people: Sequence[str],
    fell_due: Sequence[Due],
    roles: Mapping[str, str],
    *,
    clause: str,
    what: Names,
    month: str,
) -> list[Line]:
    """Each person's deadlines met of those that fell due in the month (``people`` in roster order);
    not applicable (no figure, never 0%) when none fell due."""
    out = []
    for person in people:
        rate = met_rate(d for d in fell_due if d.case.person == person)
        figure = Decimal(rate.met) / Decimal(rate.fell_due) if rate.fell_due else None
        zh = f"{rate.met} / {rate.fell_due} 项按时完成" if rate.fell_due else "本月无到期的期限，不适用"
        en = f"{rate.met} of {rate.fell_due} met" if rate.fell_due else "none fell due: not applicable"
        out.append(
            Line(
                person,
                roles.get(person, ""),
                figure,
                INFO,
                "deadlines_met",
                clause,
                f"本月到期的{what.zh}：{zh}",
                f"{what.en} falling due this month: {en}",
                {"met": rate.met, "fell_due": rate.fell_due, "month": month},
            )
        )
    return out
