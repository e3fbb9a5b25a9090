"""A sheet's indicator section: what a plugin adds to its month's and quarter's lines
(docs/rules.md §6, §4).

``month_indicators(facts, params)`` and ``quarter_indicators(facts, params, carried)`` give the
indicator lines of the line's ``indicators`` parameter that the seeds name for that period, and
the §4 sheet per measured person where ``scorecard`` is one of them. A quarter also hands on each
person's sales, so the next quarter's growth rate has the quarter before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .activity import Window
from .explain import Line, LineTable
from .facts import Facts
from .indicators import indicator_blocks, sales_by_person
from .kpi import scorecard_lines

SCORECARD = "scorecard"  # the key that puts 003 §十一's sheet in a quarter's indicator section
CARRIED_SALES = "_indicator_sales"  # carried-state key of each person's sales for the growth rate


@dataclass(frozen=True)
class QuarterSection:
    lines: tuple[Line | LineTable, ...]  # the indicators' tables, then the §4 sheets
    carried: Mapping[str, Any]  # merge into the quarter's carried state


def year_indicators(facts: Facts, year: int, params: Mapping[str, Any]) -> tuple[Line | LineTable, ...]:
    """A year's indicators (docs/rules.md §6; seed 001's yearly periods), the scorecard where the
    plugin keeps one: the year before is not read, so a growth rate is not applicable."""
    if "indicators" not in params:  # a scheme that shows no indicators (a grade ladder, deadlines)
        return ()
    window = Window.of(int(year))
    lines: list[Line | LineTable] = list(indicator_blocks(facts, window, params))
    if SCORECARD in params["indicators"]:
        lines.extend(scorecard_lines(facts, window, params))
    return tuple(lines)


def month_indicators(facts: Facts, params: Mapping[str, Any]) -> tuple[LineTable, ...]:
    return tuple(indicator_blocks(facts, Window.of(facts.month), params))


def quarter_indicators(
    facts: Facts, params: Mapping[str, Any], carried: Mapping[str, Any] | None
) -> QuarterSection:
    window = Window.of(facts.quarter)
    previous = (carried or {}).get(CARRIED_SALES)
    mine = previous.get("quarter") if isinstance(previous, Mapping) else None
    growth = {**params, "previous_sales": previous["sales"] if mine == window.previous().label else None}
    lines: list[Line | LineTable] = list(indicator_blocks(facts, window, growth))
    if SCORECARD in params["indicators"]:
        lines.extend(scorecard_lines(facts, window, params))
    handed = {CARRIED_SALES: {"quarter": window.label, "sales": sales_by_person(facts, window, params)}}
    return QuarterSection(tuple(lines), handed)
