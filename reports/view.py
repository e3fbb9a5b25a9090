"""A closed month or quarter as people read it: who (name, branch, role), what per clause or kind,
totals per unit kept apart, and each line with its inputs. Pure: built from the dicts the
services answer (``get_sheet`` / ``get_run`` with every line) or the CLI's run, a directory of
names, and the plugin's ``describe()``; the XLSX, HTML and chart renderers read only this.

Money stays exact here. A line stored by a service carries its reported figure (half-up to 0.01)
and, when that differs, its exact one (``exact``); totals are sums of exact figures. Rounding
happens in the renderers, when a figure is shown (kamkit.money.report).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from kamkit.explain import CNY, FLAG, POINTS, in_indicator_section
from kamkit.money import report
from kamkit.periods import Month, Quarter, Year

SUMMED = (POINTS, CNY)  # units whose figures add up; flags are findings, info lines are context
DEPARTMENT = "*"  # an indicator's person for the whole department (the business line)
DEPARTMENT_NAME = "部门 / Department"
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Directory:
    """Readable names: people (id -> name, branch, role), branches (id -> name), roles (key ->
    (中文, English)) from the plugin."""

    people: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    branches: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        people: Iterable[Mapping[str, Any]] = (),
        branches: Iterable[Mapping[str, Any]] = (),
        plugin: Mapping[str, Any] | None = None,
    ) -> Directory:
        roles = {k: (v.get("zh", k), v.get("en", k)) for k, v in ((plugin or {}).get("roles") or {}).items()}
        return cls({p["id"]: p for p in people}, {b["id"]: b.get("name") or b["id"] for b in branches}, roles)

    def name(self, person: str) -> str:
        return (self.people.get(person) or {}).get("name") or person

    def branch(self, person: str) -> str:
        branch = (self.people.get(person) or {}).get("branch")
        return self.branches.get(branch, branch) if branch else ""

    def role(self, role: str) -> str:
        zh, en = self.roles.get(role, (role, role))
        return f"{zh} {en}" if zh != en else en


@dataclass
class PersonSummary:
    id: str
    name: str
    branch: str
    role: str
    totals: dict[str, Decimal]  # POINTS and CNY, exact
    by_clause: dict[str, Decimal]  # points per clause
    by_kind: dict[str, Decimal]  # CNY per kind of pay (commission, bonus, base...)
    flags: list[str]  # the kinds of FLAG lines (veto_flag, promotion findings)
    lines: list[Mapping[str, Any]]
    # CNY lines each rounded to the cent, then added: what a clerk's SUM over the Lines sheet
    # gives, which can differ by cents from the exact total rounded (the pay)
    rounded_lines: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of one person (or the department, person ``*``) for one period, from a line
    of kind ``indicator`` (kamkit.indicators.Value.line). ``value`` None: not applicable (a ratio
    over nothing), ``why`` says why; never 0."""

    person: str
    name: str
    branch: str
    role: str
    key: str
    item: str
    name_zh: str
    name_en: str
    period: str
    measure: str  # ratio | count | hours | flag
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    standard: Decimal | None  # None: the seed sets none (shown, not judged)
    better: str  # higher | lower
    met: bool | None  # None: not applicable, or no standard
    why: str  # not applicable because
    clause: str
    line: Mapping[str, Any]

    @property
    def applicable(self) -> bool:
        return self.value is not None

    @property
    def department(self) -> bool:
        return self.person == DEPARTMENT

    @property
    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}" if self.name_zh != self.name_en else self.name_en


@dataclass(frozen=True)
class ScorecardRow:
    """One person's §十一 sheet for a period, from a line of kind ``scorecard`` (kamkit.kpi
    scorecard_lines): the total on ``full_mark`` and each item's points."""

    person: str
    name: str
    branch: str
    role: str
    period: str
    total: Decimal | None
    full_mark: Decimal | None
    items: dict[str, Decimal]
    raters: list[str]
    clause: str
    line: Mapping[str, Any]


@dataclass
class PeriodView:
    business_line: str
    period: str
    version: int
    plugin: str
    plugin_version: str
    status: str
    closed_at: str
    reason: str
    people: list[PersonSummary]
    totals: dict[str, Decimal]  # per summed unit, over everyone
    clauses: list[str]  # clauses with points, in first-seen order
    kinds: list[str]  # kinds of CNY lines, in first-seen order
    parameters: list[Mapping[str, Any]]
    clause_text: Mapping[str, Mapping[str, str]]
    carried_in: Mapping[str, Any]
    carried_out: Mapping[str, Any]
    directory: Directory
    # the indicator section, apart from the points and pay: indicator by indicator (the department
    # first, then people as above), and the §十一 sheets person by person
    indicators: list[IndicatorRow] = field(default_factory=list)
    scorecards: list[ScorecardRow] = field(default_factory=list)

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.period

    def person(self, person: str) -> PersonSummary | None:
        return self._by_id.get(person)

    def indicators_of(self, person: str) -> list[IndicatorRow]:
        """The person's indicator rows, in the section's order."""
        return self._sections[0].get(person, [])

    def scorecards_of(self, person: str) -> list[ScorecardRow]:
        return self._sections[1].get(person, [])

    # looked up a person at a time (a statement each): indexed once, not a pass over everyone's
    # rows a person. A view is read, never changed, once built (dataclasses.replace makes another).
    @cached_property
    def _by_id(self) -> dict[str, PersonSummary]:
        found: dict[str, PersonSummary] = {}
        for p in self.people:
            found.setdefault(p.id, p)
        return found

    @cached_property
    def _sections(self) -> tuple[dict[str, list[IndicatorRow]], dict[str, list[ScorecardRow]]]:
        rows: dict[str, list[IndicatorRow]] = defaultdict(list)
        cards: dict[str, list[ScorecardRow]] = defaultdict(list)
        for row in self.indicators:
            rows[row.person].append(row)
        for card in self.scorecards:
            cards[card.person].append(card)
        return dict(rows), dict(cards)

    def indicator_groups(self) -> list[tuple[tuple[str, str], list[IndicatorRow]]]:
        """((indicator key, period), its rows) in the section's order."""
        groups: dict[tuple[str, str], list[IndicatorRow]] = {}
        for row in self.indicators:
            groups.setdefault((row.key, row.period), []).append(row)
        return list(groups.items())


@dataclass(frozen=True)
class PeriodTotals:
    """A period as a trend over the year needs it: its totals per summed unit."""

    period: str
    totals: dict[str, Decimal]

    @classmethod
    def of_sheet(cls, sheet: Mapping[str, Any]) -> PeriodTotals:
        """From a sheet's ``totals`` (person -> unit -> exact figure as text)."""
        totals: dict[str, Decimal] = {}
        for units in (sheet.get("totals") or {}).values():
            for unit, value in units.items():
                if unit in SUMMED:
                    totals[unit] = totals.get(unit, Decimal(0)) + Decimal(str(value))
        return cls(str(sheet.get("period") or ""), totals)


def period_place(period: str) -> Month | Quarter | Year | None:
    """A period as a value that orders among its own kind; None for text naming neither."""
    for kind in (Month, Quarter, Year):
        try:
            return kind.parse(period)
        except ValueError:
            continue
    return None


def comparable(history: Iterable[PeriodView | PeriodTotals], current: str) -> list[PeriodView | PeriodTotals]:
    """The periods ``current`` is compared with, oldest first and ending with it: only periods
    of its kind (a quarter's totals hold three months' pay: beside a month they say nothing),
    none after it, each once (a period closed again after a reopen: the one given last)."""
    now = period_place(current)
    if now is None:
        return []
    latest: dict[Month | Quarter, PeriodView | PeriodTotals] = {}
    for item in history:
        at = period_place(item.period)
        if type(at) is type(now) and at <= now:
            latest[at] = item
    return [latest[at] for at in sorted(latest)]


@dataclass(frozen=True)
class Change:
    """A period's total beside the previous period of the same kind."""

    period: str
    previous: str
    now: Decimal
    before: Decimal
    unit: str

    def text(self) -> str:
        """Both periods named, e.g. "2026-03 vs 2026-02: 7 (+3 from 4)"."""
        by = figure_text(self.now - self.before, self.unit)
        by = by if by.startswith("-") else "+" + by
        return (
            f"{self.period} vs {self.previous}: {figure_text(self.now, self.unit)} "
            f"({by} from {figure_text(self.before, self.unit)})"
        )


def change(series: list[PeriodView | PeriodTotals], unit: str) -> Change | None:
    """The last period of ``series`` (from ``comparable``) against the one before it."""
    if len(series) < 2:
        return None
    last, before = series[-1], series[-2]
    return Change(
        period=last.period,
        previous=before.period,
        now=last.totals.get(unit, Decimal(0)),
        before=before.totals.get(unit, Decimal(0)),
        unit=unit,
    )


def rounding_note(*, zh: str, en: str, added: Decimal, exact: Decimal) -> str | None:
    """Why figures each rounded to the cent do not add up to their exact total rounded (what is
    paid): both sums and the gap, ``zh``/``en`` naming the figures; None when they agree."""
    paid = report(exact)
    if added == paid:
        return None
    gap = added - paid
    return (
        f"{zh}逐项四舍五入到分后相加为 {added:,.2f}，精确合计四舍五入为 {paid:,.2f}（差 {gap:+,.2f}） / "
        f"{en}, each rounded to the cent, add up to {added:,.2f}; their exact total rounds to "
        f"{paid:,.2f} ({gap:+,.2f})"
    )


def figure_text(value: Decimal, unit: str) -> str:
    """As shown to a person: money half-up to 0.01 with thousands separators; points as they are."""
    if unit == CNY:
        return f"{report(value):,.2f}"
    value = value.normalize()
    return (
        f"{value:f}"
        if value == value.to_integral_value() or abs(value.as_tuple().exponent) <= 4
        else f"{value:.4f}"
    )


def figure(line: Mapping[str, Any]) -> Decimal | None:
    """A line's exact figure (a service stores the reported one plus ``exact`` when they differ);
    None for a line without one (an indicator that does not apply)."""
    value = line.get("exact", line["figure"])
    return None if value is None else Decimal(str(value))


def period_view(
    sheet: Mapping[str, Any],
    directory: Directory | None = None,
    plugin: Mapping[str, Any] | None = None,
    keep_lines: bool = True,
) -> PeriodView:
    """``sheet["lines"]`` may be any iterable (a generator reading pages); with ``keep_lines``
    off, only the sums are kept (a period too large to hold: its lines are streamed again to
    the workbook)."""
    directory = directory or Directory()
    per: dict[str, PersonSummary] = {}
    clauses: dict[str, None] = {}
    kinds: dict[str, None] = {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    section = list(sheet.get("indicators") or [])
    for line in sheet["lines"]:
        if in_indicator_section(line):  # a sheet that left its section among the lines
            section.append(line)
            continue
        who = line["person"]
        summary = per.get(who)
        if summary is None:
            summary = per[who] = PersonSummary(
                who,
                directory.name(who),
                directory.branch(who),
                directory.role(line["role"]),
                {},
                {},
                {},
                [],
                [],
            )
        if keep_lines:
            summary.lines.append(line)
        unit = line["unit"]
        if unit in SUMMED:
            value = figure(line)
            summary.totals[unit] = summary.totals.get(unit, Decimal(0)) + value
            totals[unit] += value
            if unit == POINTS:
                clauses.setdefault(line["clause"])
                summary.by_clause[line["clause"]] = summary.by_clause.get(line["clause"], Decimal(0)) + value
            else:
                kinds.setdefault(line["kind"])
                summary.by_kind[line["kind"]] = summary.by_kind.get(line["kind"], Decimal(0)) + value
                summary.rounded_lines[unit] = summary.rounded_lines.get(unit, Decimal(0)) + report(value)
        elif unit == FLAG and line["kind"] not in summary.flags:
            summary.flags.append(line["kind"])
    people = sorted(per.values(), key=lambda p: (p.branch, p.name, p.id))
    indicators, scorecards = indicator_section(section, directory)
    described = plugin or {}
    return PeriodView(
        business_line=sheet.get("business_line") or "",
        period=str(sheet.get("period") or ""),
        version=int(sheet.get("version") or 1),
        plugin=sheet.get("plugin") or described.get("key", ""),
        plugin_version=str(described.get("version", "")),
        status=sheet.get("status") or "",
        closed_at=sheet.get("closed_at") or "",
        reason=sheet.get("reason") or "",
        people=people,
        totals={u: totals[u] for u in SUMMED if u in totals},
        clauses=list(clauses),
        kinds=list(kinds),
        parameters=list(described.get("parameters") or []),
        clause_text=described.get("clauses") or {},
        carried_in=sheet.get("carried_in") or {},
        carried_out=sheet.get("carried_out") or {},
        directory=directory,
        indicators=indicators,
        scorecards=scorecards,
    )


def indicator_section(
    lines: Iterable[Mapping[str, Any]], directory: Directory
) -> tuple[list[IndicatorRow], list[ScorecardRow]]:
    """The lines of kind ``indicator`` and ``scorecard`` as rows, people named by ``directory``
    and the department (``*``) as "部门 / Department"; lines of other kinds are left out."""
    indicators: list[IndicatorRow] = []
    scorecards: list[ScorecardRow] = []
    for line in lines:
        who, given = line["person"], line.get("inputs") or {}
        name, branch, role = _who(who, line.get("role") or "", directory)
        if line["kind"] == "scorecard":
            scorecards.append(
                ScorecardRow(
                    who,
                    name,
                    branch,
                    role,
                    str(given.get("period") or ""),
                    _number(line.get("figure")),
                    _number(given.get("full_mark")),
                    {k: _number(v) for k, v in (given.get("items") or {}).items()},
                    [str(r) for r in given.get("raters") or ()],
                    line.get("clause") or "",
                    line,
                )
            )
        elif line["kind"] == "indicator":
            value = _number(given.get("value", line.get("figure")))
            if given.get("applicable") is False:
                value = None
            key = str(given.get("indicator") or "")
            indicators.append(
                IndicatorRow(
                    who,
                    name,
                    branch,
                    role,
                    key,
                    str(given.get("item") or ""),
                    str(given.get("name_zh") or key),
                    str(given.get("name_en") or key),
                    str(given.get("period") or ""),
                    str(given.get("measure") or "count"),
                    value,
                    _number(given.get("numerator")),
                    _number(given.get("denominator")),
                    _number(given.get("standard")),
                    str(given.get("better") or "higher"),
                    None if value is None else given.get("met"),
                    "" if value is not None else str(given.get("not_applicable_because") or ""),
                    line.get("clause") or "",
                    line,
                )
            )
    order: dict[tuple[str, str], int] = {}
    for row in indicators:  # indicators in the order first given (the plugin's definition order)
        order.setdefault((row.key, row.period), len(order))
    indicators.sort(key=lambda r: (order[r.key, r.period], not r.department, r.branch, r.name, r.person))
    scorecards.sort(key=lambda r: (r.period, r.branch, r.name, r.person))
    return indicators, scorecards


def _who(person: str, role: str, directory: Directory) -> tuple[str, str, str]:
    """(name, branch, role) as shown."""
    if person == DEPARTMENT:
        return DEPARTMENT_NAME, "", "部门 Department" if role in ("department", "") else directory.role(role)
    return directory.name(person), directory.branch(person), directory.role(role)


def _number(value: Any) -> Decimal | None:
    """A figure held as text (or a number) as Decimal; nothing, or anything not a number, as None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def indicator_text(value: Decimal | None, measure: str) -> str:
    """An indicator's value (or standard) as shown: ratios as percentages to 0.01%, hours to
    0.01 h, flags as yes/no, counts as they are; not applicable as "—"."""
    if value is None:
        return "—"
    if measure == "ratio":
        return f"{value * 100:,.2f}%"
    if measure == "hours":
        return f"{value:,.2f} h"
    if measure == "flag":
        return "是 yes" if value else "否 no"
    return f"{value.normalize():,f}" if value == value.to_integral_value() else shown(value)


def met_text(met: bool | None) -> str:
    return "" if met is None else "达标 met" if met else "未达标 not met"


def indicator_note(row: IndicatorRow) -> str:
    """Why a value is missing or not judged: "不适用 / n/a: <reason>", or that it has no standard."""
    if not row.applicable:
        return f"不适用 / n/a: {row.why}" if row.why else "不适用 / n/a"
    if row.standard is None:
        return "无标准，仅列示 / no standard: shown, not judged"
    return ""


def input_columns(lines: Iterable[Mapping[str, Any]], limit: int = 40) -> list[str]:
    """The inputs' names over all lines, in first-seen order, at most ``limit`` (the rest are
    shown together in one text column)."""
    seen: dict[str, None] = {}
    for line in lines:
        for key in line.get("inputs") or {}:
            seen.setdefault(key)
            if len(seen) >= limit:
                return list(seen)
    return list(seen)


def cell(value: Any) -> Any:
    """An input value as a spreadsheet or page shows it: numbers (stored as text by the JSON)
    as Decimal, ISO days as dates, lists and mappings as short text, the rest as is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        if _NUMBER.fullmatch(value):
            return Decimal(value)
        if _DAY.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def shown(value: Any, key: str = "") -> str:
    """An input as text for a page: numbers without trailing zeros, long fractions (ratios,
    exact quotients) to 6 places, thousands separated (not a year); nothing as "—"; the rest as
    ``cell`` gives it."""
    value = cell(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal) and "year" in key.lower():
        return f"{value:f}"
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{value.to_integral_value():,f}"
        if -value.as_tuple().exponent > 6:
            value = value.quantize(Decimal("0.000001"))
        return f"{value.normalize():,f}"
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def display_width(text: str) -> int:
    """Columns a text takes in a fixed-width grid or a spreadsheet column: wide (CJK) characters two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
