"""A what-if comparison as people read it: one period of a business line computed under two rule
sets (the answer of ``compare_period``), shown a person a row with each unit's figure under the
base rules, under the other rules and the difference; a table for a terminal, a workbook for a
clerk (the comparison, each run's lines, both rule sets) and a self-contained page for a phone
(the rule sets, a chart of base against other, the table).

Figures arrive as exact decimal text and stay Decimal. Money is rounded half-up to the cent only
when shown (kamkit.money.report), each figure on its own: a person's difference is their exact
difference rounded, which can be a cent away from the two shown figures subtracted, and a total
row adds the cells above it, which can be a cent away from the exact total rounded. Either way a
note says so, as the period's reports do, rather than a figure that does not add up. A figure a
run did not give (a person only one rule set pays) is empty, never 0.

``comparison_text`` does not need matplotlib: the chart imports it when drawn, so a terminal's
answer is quick.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

from kamkit.explain import CNY, FLAG, POINTS
from kamkit.money import D, report

from .names import kind_label
from .view import cell, display_width, figure_text, rounding_note, shown
from .xlsx import MONEY, NUMBER, POINTS_FORMAT, _input, _table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "Comparison",
    "comparison",
    "comparison_chart",
    "comparison_figure",
    "comparison_page",
    "comparison_text",
    "comparison_workbook",
]

MONEY_UNITS = (CNY,)  # rounded to the cent when shown; the first one present is charted
UNIT_NAMES = {
    CNY: ("元", "CNY"),
    POINTS: ("扣分", "points"),
    FLAG: ("结论", "findings"),
    "count": ("数量", "count"),
}
SIDES = (("base", "基准", "Base"), ("other", "方案", "Other"), ("delta", "差额", "Difference"))
CHART_PEOPLE = 30  # a chart of more bars is unreadable on a phone
TITLE = "规则对比 What-if comparison"
SAME_TICK = "两次计算读取同一时点的记录 both runs read the records as of this tick"
COMPUTED_NOW = "现算 computed now"
DEFAULT = "默认 default"
NO_LINES = "明细未列出 Lines not included"
COMPARISON_SHEET = "对比 Comparison"
BASE_LINES_SHEET = "基准 Base lines"
OTHER_LINES_SHEET = "方案 Other lines"
RULES_SHEET = "参数 Rules"
e = html.escape


# ---- the answer, read once ------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One unit's figures of a person (or of the totals), exact; None where a run gave none."""

    base: Decimal | None
    other: Decimal | None
    delta: Decimal | None

    def side(self, side: str) -> Decimal | None:
        return getattr(self, side)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    figures: Mapping[str, Figures]  # unit -> figures; a unit the person has none of is absent


@dataclass(frozen=True)
class Rules:
    """One rule set as the comparison ran it."""

    plugin: str
    plugin_version: str
    parameters: Mapping[str, Any]  # the parameters set for the line (the rest: the plugin's defaults)
    version: int | None  # the closed version it reproduces; None: computed now
    source: str

    @property
    def label(self) -> str:
        return f"{self.plugin}@{self.plugin_version}" if self.plugin_version else self.plugin

    @property
    def where(self) -> str:
        """Which figures these are: the answer's own words, else the closed version, else now."""
        if self.source:
            return self.source
        return f"已结账版本 closed version {self.version}" if self.version is not None else COMPUTED_NOW


@dataclass(frozen=True)
class Comparison:
    business_line: str
    period: str
    facts_tick: Any
    base: Rules
    other: Rules
    units: list[str]
    people: list[Person]
    totals: Mapping[str, Figures]  # exact
    problems: list[Mapping[str, Any]]
    lines: Mapping[str, Sequence[Mapping[str, Any]]] | None
    lines_left_out: str | None

    @property
    def title(self) -> str:
        return f"{self.business_line} {self.period} — {TITLE}"


def comparison(answer: Mapping[str, Any] | Comparison) -> Comparison:
    """The answer of ``compare_period`` read into Decimals (a Comparison is returned as is)."""
    if isinstance(answer, Comparison):
        return answer
    people = [_person(p) for p in answer.get("people") or ()]
    units = list(answer.get("units") or ())
    for p in people:  # a unit a person has but the list forgot is still shown, last
        units += [u for u in p.figures if u not in units]
    given = answer.get("totals") or {}
    return Comparison(
        business_line=str(answer.get("business_line") or ""),
        period=str(answer.get("period") or ""),
        facts_tick=answer.get("facts_tick"),
        base=_rules(answer.get("base") or {}),
        other=_rules(answer.get("other") or {}),
        units=units,
        people=people,
        totals={u: _figures(given[u]) if u in given else _exact_total(people, u) for u in units},
        problems=list(answer.get("problems") or ()),
        lines=answer.get("lines"),
        lines_left_out=answer.get("lines_left_out"),
    )


def _person(given: Mapping[str, Any]) -> Person:
    who = str(given["person"])
    figures = {u: _figures(f) for u, f in (given.get("figures") or {}).items() if f}
    return Person(who, str(given.get("name") or who), str(given.get("role") or ""), figures)


def _rules(given: Mapping[str, Any]) -> Rules:
    version = given.get("version")
    return Rules(
        plugin=str(given.get("plugin") or ""),
        plugin_version=str(given.get("plugin_version") or ""),
        parameters=dict(given.get("parameters") or {}),
        version=None if version is None else int(version),
        source=str(given.get("source") or ""),
    )


def _figures(given: Mapping[str, Any]) -> Figures:
    """A difference the answer left out is worked out from the sides given (a side a run did not
    give adds nothing: that run pays that person nothing)."""
    base, other, delta = (_number(given.get(side)) for side, _, _ in SIDES)
    if delta is None and (base is not None or other is not None):
        delta = (other or Decimal(0)) - (base or Decimal(0))
    return Figures(base, other, delta)


def _exact_total(people: Sequence[Person], unit: str) -> Figures:
    """A unit's totals when the answer gave none: each side's figures added, exact."""
    sums = [_add(p.figures[unit].side(side) for p in people if unit in p.figures) for side, _, _ in SIDES]
    return Figures(*sums)


def _number(value: Any) -> Decimal | None:
    return None if value is None else D(value)  # D refuses a float: figures come as text


def _add(values) -> Decimal | None:
    """The sum of the figures given; None when there are none (an empty column, not 0)."""
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


# ---- figures as shown -----------------------------------------------------------------------


def shown_figure(value: Decimal | None, unit: str) -> Decimal | None:
    """What a person sees: money rounded half-up to the cent (a -0.004 as 0.00, not -0.00);
    points and counts exact."""
    if value is None:
        return None
    value = report(value) if unit in MONEY_UNITS else value
    return abs(value) if value == 0 else value


def figure_shown(value: Decimal | None, unit: str, *, signed: bool = False) -> str:
    """A figure as text: "" for none; ``signed``: a difference, "+265.50" or "-10.00"."""
    value = shown_figure(value, unit)
    if value is None:
        return ""
    text = figure_text(value, unit)
    return "+" + text if signed and value > 0 else text


def added_row(c: Comparison, unit: str) -> Figures:
    """The total row's figures: the cells above it added as shown (what a clerk's SUM gives)."""
    return Figures(
        *(
            _add(shown_figure(p.figures[unit].side(side), unit) for p in c.people if unit in p.figures)
            for side, _, _ in SIDES
        )
    )


def difference_note(figures: Figures, unit: str) -> str | None:
    """Where a person's difference (exact, then rounded) is not their two shown figures subtracted."""
    if unit not in MONEY_UNITS or None in (figures.base, figures.other, figures.delta):
        return None
    delta = report(figures.delta)
    subtracted = report(figures.other) - report(figures.base)
    if delta == subtracted:
        return None
    return (
        f"{_unit_name(unit)}: 差额按精确值四舍五入为 {delta:+,.2f}，两列相减为 {subtracted:+,.2f} / "
        f"the difference, exact then rounded, is {delta:+,.2f}; the two columns subtracted give "
        f"{subtracted:+,.2f}"
    )


def total_notes(c: Comparison) -> list[str]:
    """Where a money column's total row (its cells added) is not the exact total rounded."""
    notes = []
    for unit in (u for u in c.units if u in MONEY_UNITS):
        added, exact = added_row(c, unit), c.totals[unit]
        uz, ue = UNIT_NAMES.get(unit, (unit, unit))
        for side, zh, en in SIDES:
            if added.side(side) is not None and exact.side(side) is not None:
                note = rounding_note(
                    zh=f"各人{zh}（{uz}）",
                    en=f"Each person's {en.lower()} ({ue})",
                    added=added.side(side),
                    exact=exact.side(side),
                )
                notes += [note] if note else []
    return notes


def comparison_notes(c: Comparison) -> list[str]:
    """Every rounding note of the table: each person's, then the totals'."""
    people = [
        f"{p.name} ({p.id}) {note}"
        for p in c.people
        for unit in c.units
        if unit in p.figures and (note := difference_note(p.figures[unit], unit))
    ]
    return people + total_notes(c)


def _unit_name(unit: str) -> str:
    zh, en = UNIT_NAMES.get(unit, (unit, unit))
    return en if zh == en else f"{zh} {en}"


def changed_parameters(c: Comparison) -> str:
    """The parameters the two sets give differently, "rate 0.08 → 0.10" (a closed version records
    every parameter it used: listing them all would hide the one that changed)."""

    def value(rules: Rules, name: str) -> str:
        return shown(rules.parameters[name], name) if name in rules.parameters else DEFAULT

    changed = [
        f"{name} {value(c.base, name)} → {value(c.other, name)}"
        for name in _parameter_names(c)
        if _parameter_note(name, c)
    ]
    return "; ".join(changed) or "无 none"


def rule_rows(c: Comparison) -> list[tuple[str, Any, Any, str]]:
    """Both rule sets side by side: (item, base, other, note), then every parameter either sets."""
    rows: list[tuple[str, Any, Any, str]] = [
        ("规则插件 Plugin", c.base.plugin, c.other.plugin, ""),
        ("插件版本 Plugin version", c.base.plugin_version, c.other.plugin_version, ""),
        ("结账版本 Closed version", c.base.version, c.other.version, ""),
        ("来源 Source", c.base.where, c.other.where, ""),
    ]
    for name in _parameter_names(c):
        base, other = c.base.parameters.get(name), c.other.parameters.get(name)
        rows.append((str(name), base, other, _parameter_note(name, c)))
    return rows


def _parameter_names(c: Comparison) -> list[str]:
    """Every parameter either set gives, the base's first."""
    return list(dict.fromkeys([*c.base.parameters, *c.other.parameters]))


def _parameter_note(name: str, c: Comparison) -> str:
    """Which side leaves it to the plugin's default, or that the two differ ("0.08" is "0.080")."""
    if name not in c.base.parameters:
        return "基准未设置（插件默认值）base: not set (the plugin's default)"
    if name not in c.other.parameters:
        return "方案未设置（插件默认值）other: not set (the plugin's default)"
    return "" if cell(c.base.parameters[name]) == cell(c.other.parameters[name]) else "不同 differs"


# ---- the table (terminal and page) ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    numeric: bool  # right-aligned
    group: int  # 0: who; then one group a unit (drawn apart in the terminal)


@dataclass(frozen=True)
class Grid:
    """The table as text cells: the same for the terminal and the page."""

    columns: list[Column]
    rows: list[list[str]]
    total: list[str]


def grid(c: Comparison) -> Grid:
    columns = [Column("人员", "Id", False, 0), Column("姓名", "Name", False, 0)]
    for group, unit in enumerate(c.units, start=1):
        uz, ue = UNIT_NAMES.get(unit, (unit, unit))
        columns += [Column(f"{uz} {zh}", f"{ue} {en.lower()}", True, group) for _, zh, en in SIDES]
    rows = [[p.id, p.name, *(t for u in c.units for t in _cells(p.figures.get(u), u))] for p in c.people]
    total = ["合计 Total", "", *(t for u in c.units for t in _cells(added_row(c, u), u))]
    return Grid(columns, rows, total)


def _cells(figures: Figures | None, unit: str) -> list[str]:
    if figures is None:
        return ["", "", ""]  # a unit this person has no figure of: empty, never 0
    return [figure_shown(figures.side(side), unit, signed=side == "delta") for side, _, _ in SIDES]


def _header_lines(c: Comparison) -> list[str]:
    return [
        c.title,
        f"基准 Base:  {c.base.label} · 来源 source: {c.base.where}",
        f"方案 Other: {c.other.label} · 来源 source: {c.other.where}",
        f"改动参数 Parameters changed: {changed_parameters(c)}",
        f"数据时点 Facts tick: {c.facts_tick} ({SAME_TICK})",
    ]


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _gap(columns: Sequence[Column], i: int) -> str:
    """What goes before column ``i``: a bar where a unit's columns begin."""
    if i == 0:
        return ""
    return "  |  " if columns[i].group != columns[i - 1].group else "  "


def _text_table(g: Grid) -> list[str]:
    """Every row the same display width (a Chinese character two columns), figures right-aligned,
    a unit's three columns apart from the next unit's."""
    body = [[c.zh for c in g.columns], [c.en for c in g.columns], *g.rows, g.total]
    widths = [max(display_width(row[i]) for row in body) for i in range(len(g.columns))]

    def line(row: list[str]) -> str:
        return "".join(
            _gap(g.columns, i) + _pad(t, widths[i], c.numeric) for i, (c, t) in enumerate(zip(g.columns, row))
        )

    head, people, total = [line(r) for r in body[:2]], [line(r) for r in g.rows], line(g.total)
    rule = "-" * display_width(head[0])
    return [*head, rule, *people, rule, total]


def comparison_text(answer: Mapping[str, Any] | Comparison) -> str:
    """The comparison for a terminal: what was compared with what, a row a person, the totals,
    the rounding notes and the problems the runs met."""
    c = comparison(answer)
    parts = [*_header_lines(c), "", *_text_table(grid(c))]
    notes = comparison_notes(c)
    if notes:
        parts += ["", "注 Notes:", *(f"  {n}" for n in notes)]
    if c.problems:
        parts += ["", f"问题 Problems ({len(c.problems)}):", *(f"  {_problem(p)}" for p in c.problems)]
    return "\n".join(parts) + "\n"


def _problem(p: Mapping[str, Any]) -> str:
    field = p.get("field")
    return f"{field}: {p.get('message', '')}" if field else str(p.get("message", p))


# ---- the workbook ---------------------------------------------------------------------------

MONEY_DELTA = "+#,##0.00;-#,##0.00;0.00"
POINTS_DELTA = "+0.##;-0.##;0"
NUMBER_DELTA = "+#,##0.####;-#,##0.####;0"


def _number_format(unit: str, side: str) -> str:
    delta = side == "delta"
    if unit in MONEY_UNITS:
        return MONEY_DELTA if delta else MONEY
    if unit == POINTS:
        return POINTS_DELTA if delta else POINTS_FORMAT
    return NUMBER_DELTA if delta else NUMBER


def comparison_workbook(answer: Mapping[str, Any] | Comparison, path: Path) -> Path:
    """The workbook at ``path``: 对比 Comparison (a row a person, numbers with formats, a total
    row adding the cells above it), each run's lines, and 参数 Rules (both rule sets)."""
    c = comparison(answer)
    book = Workbook(write_only=True)
    _comparison_sheet(book, c)
    names = {p.id: p.name for p in c.people}
    for side, title in (("base", BASE_LINES_SHEET), ("other", OTHER_LINES_SHEET)):
        lines = None if c.lines is None else c.lines.get(side)
        if lines is None:
            _left_out_sheet(book, title, c.lines_left_out)
        else:
            _lines_sheet(book, title, lines, names)
    _rules_sheet(book, c)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _figure_cells(figures: Figures | None, unit: str) -> list[Any]:
    if figures is None:
        return [None, None, None]
    return [_held(figures.side(side), unit, side) for side, _, _ in SIDES]


def _held(value: Decimal | None, unit: str, side: str) -> Any:
    """A cell: the figure as shown (money to the cent, so a SUM adds what is seen), formatted."""
    value = shown_figure(value, unit)
    return None if value is None else (value, _number_format(unit, side))


def _comparison_sheet(book: Workbook, c: Comparison) -> None:
    head = [("人员", "Person id"), ("姓名", "Name"), ("角色", "Role")]
    for unit in c.units:
        uz, ue = UNIT_NAMES.get(unit, (unit, unit))
        head += [(f"{uz} {zh}", f"{ue} {en.lower()}") for _, zh, en in SIDES]
    head.append(("注（四舍五入）", "Notes (rounding)"))
    rows = []
    for p in c.people:
        notes = [n for u in c.units if u in p.figures and (n := difference_note(p.figures[u], u))]
        cells = [x for u in c.units for x in _figure_cells(p.figures.get(u), u)]
        rows.append([p.id, p.name, p.role, *cells, "\n".join(notes) or None])
    footer = ["合计 Total", "", ""]
    footer += [x for u in c.units for x in _figure_cells(added_row(c, u), u)]
    footer.append("\n".join(total_notes(c)) or None)
    _table(book, COMPARISON_SHEET, head, rows, footer=footer, wide=frozenset({len(head) - 1}))


def _lines_sheet(
    book: Workbook, title: str, lines: Sequence[Mapping[str, Any]], names: Mapping[str, str]
) -> None:
    head = [
        ("人员", "Person id"),
        ("姓名", "Name"),
        ("角色", "Role"),
        ("类别", "Kind"),
        ("类别名称", "Kind (named)"),
        ("条款", "Clause"),
        ("数值", "Figure"),
        ("单位", "Unit"),
        ("原因", "Reason (中文)"),
        ("Reason", "Reason (English)"),
        ("依据", "Inputs"),
    ]
    rows = [_line_row(line, names) for line in lines]
    _table(book, title, head, rows, wide=frozenset({8, 9, 10}))


def _line_row(line: Mapping[str, Any], names: Mapping[str, str]) -> list[Any]:
    """A line as a row; a line without a figure (not applicable) has an empty figure cell."""
    unit = str(line.get("unit") or "")
    who = str(line.get("person") or "")
    exact = _number(line.get("exact", line.get("figure")))
    inputs = line.get("inputs") or {}
    return [
        who,
        names.get(who, who),
        line.get("role"),
        line.get("kind"),
        kind_label(str(line.get("kind") or "")),
        line.get("clause"),
        _held(exact, unit, "base"),
        unit,
        line.get("reason_zh"),
        line.get("reason_en"),
        cell(dict(inputs)) if inputs else None,
    ]


def _left_out_sheet(book: Workbook, title: str, why: str | None) -> None:
    text = f"{NO_LINES}: {why}" if why else NO_LINES
    sheet = book.create_sheet(title)
    sheet.column_dimensions["A"].width = min(100, display_width(text) + 2)
    sheet.append([text])


def _rules_sheet(book: Workbook, c: Comparison) -> None:
    head = [("项目", "Item"), ("基准", "Base"), ("方案", "Other"), ("注", "Note")]
    rows = [
        ["业务线 Business line", c.business_line, c.business_line, None],
        ["期间 Period", c.period, c.period, None],
        ["数据时点 Facts tick", c.facts_tick, c.facts_tick, SAME_TICK],
    ]
    rows += [
        [item, _rule_value(base), _rule_value(other), note or None]
        for item, base, other, note in rule_rows(c)
    ]
    _table(book, RULES_SHEET, head, rows, wide=frozenset({3}))


def _rule_value(value: Any) -> Any:
    """A whole number (a version, a tick) as it is; a parameter's value as the house shows one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _input(value)


# ---- the chart and the page -----------------------------------------------------------------


def chart_unit(c: Comparison) -> str | None:
    """The unit drawn: the first money unit present, else the first unit."""
    return next((u for u in c.units if u in MONEY_UNITS), c.units[0] if c.units else None)


def charted(c: Comparison, limit: int = CHART_PEOPLE) -> tuple[str | None, list[Person], int]:
    """(unit, the people drawn: the ``limit`` largest differences, largest first, of how many)."""
    unit = chart_unit(c)
    if unit is None:
        return None, [], 0
    drawn = [
        p
        for p in c.people
        if unit in p.figures and (p.figures[unit].base is not None or p.figures[unit].other is not None)
    ]
    drawn.sort(key=lambda p: (-abs(p.figures[unit].delta or Decimal(0)), p.name, p.id))
    return unit, drawn[:limit], len(drawn)


def comparison_figure(answer: Mapping[str, Any] | Comparison, limit: int = CHART_PEOPLE) -> Figure | None:
    """Horizontal grouped bars: a person's figure under the base rules beside the other's, the
    largest difference on top (horizontal, so a name has the page's width, not a bar's). None
    when there is nothing to draw."""
    import matplotlib.pyplot as plt

    from . import charts

    c = comparison(answer)
    unit, people, count = charted(c, limit)
    if not people:
        return None
    people = people[::-1]  # bottom-up
    labels = [charts.wrap(_label(p, c)) for p in people]
    title = [f"基准与方案 Base vs other — {_unit_name(unit)} — {c.business_line} {c.period}"]
    if count > len(people):  # said in the chart itself: it may be copied without the page
        title.append(
            f"差额最大的 {len(people)} 人（共 {count} 人）the {len(people)} largest differences of {count}"
        )
    with plt.rc_context(charts._STYLE):
        fig, ax = plt.subplots(
            figsize=(7, 1.4 + 0.2 * charts._lines(labels) + 0.2 * len(people)), layout="constrained"
        )
        _bars(ax, people, unit)
        ax.set_yticks(range(len(people)), labels)
        ax.set_ylim(-0.6, len(people) - 0.4)
        ax.axvline(0, color="#1d2733", linewidth=0.8)
        ax.set_xlabel(_unit_name(unit))
        ax.set_title("\n".join(charts.wrap(t, 72) for t in title))  # each line wrapped on its own
        ax.legend(fontsize=7, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
        return fig


BAR = 0.38  # a bar's height: a person's two bars fill most of their row


def _bars(ax, people: Sequence[Person], unit: str) -> None:
    """A person's base bar above their other bar; a side a run did not give has no bar (not 0)."""
    for offset, side, colour, name in (
        (BAR / 2, "base", "#8c9bab", "基准 Base"),
        (-BAR / 2, "other", "#4c72b0", "方案 Other"),
    ):
        drawn = [(y + offset, p.figures[unit].side(side)) for y, p in enumerate(people)]
        drawn = [(y, float(v)) for y, v in drawn if v is not None]  # a float only to draw
        ax.barh([y for y, _ in drawn], [v for _, v in drawn], height=BAR, color=colour, label=name)


def comparison_chart(answer: Mapping[str, Any] | Comparison, limit: int = CHART_PEOPLE) -> str | None:
    from . import charts

    return charts._svg(comparison_figure(answer, limit))


def _label(p: Person, c: Comparison) -> str:
    """A person's name; with their id where two people share it."""
    same = sum(1 for q in c.people if q.name == p.name)
    return p.name if same == 1 else f"{p.name} ({p.id})"


def comparison_page(answer: Mapping[str, Any] | Comparison) -> str:
    """The comparison as one self-contained page (the period pages' frame and style): what was
    compared, the chart, the table, its notes and the problems."""
    from .html import _page

    c = comparison(answer)
    svg = comparison_chart(c)
    chart = f'<figure class="chart">{svg}</figure>' if svg else "<p>无可绘制的数字 No figures to draw.</p>"
    body = (
        f"<h1>{e(c.title)}</h1>"
        f'<p class="meta">数据时点 facts tick {e(str(c.facts_tick))} · {e(SAME_TICK)}</p>'
        f"<h2>规则 Rule sets</h2><p>改动参数 Parameters changed: {e(changed_parameters(c))}</p>"
        f"{_rules_table(c)}"
        f"<h2>图表 Chart</h2>{chart}"
        f"<h2>对比 Comparison</h2>{_html_table(grid(c))}"
        + "".join(f'<p class="meta note">{e(n)}</p>' for n in comparison_notes(c))
        + _problems(c)
    )
    return _page(c.title, body)


def _rules_table(c: Comparison) -> str:
    rows = "".join(
        f"<tr><td>{e(item)}</td><td>{e(_rule_text(base, item))}</td><td>{e(_rule_text(other, item))}</td>"
        f"<td>{e(note)}</td></tr>"
        for item, base, other, note in rule_rows(c)
    )
    return (
        '<div class="scroll"><table class="rules"><tr><th>项目 Item</th><th>基准 Base</th>'
        f"<th>方案 Other</th><th>注 Note</th></tr>{rows}</table></div>"
    )


def _rule_text(value: Any, item: str) -> str:
    """A version or a tick as it is written (no thousands separator); a parameter as the house shows it."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else shown(value, item)


_NUM = ' class="num"'


def _html_table(g: Grid) -> str:
    def cells(row: list[str]) -> str:
        return "".join(
            f"<td{_NUM if col.numeric else ''}>{e(text)}</td>" for col, text in zip(g.columns, row)
        )

    head = "".join(f"<th{_NUM if col.numeric else ''}>{e(col.zh)}<br>{e(col.en)}</th>" for col in g.columns)
    rows = "".join(f"<tr>{cells(r)}</tr>" for r in g.rows)
    return (
        f'<div class="scroll"><table class="comparison"><tr>{head}</tr>{rows}'
        f'<tr class="total">{cells(g.total)}</tr></table></div>'
    )


def _problems(c: Comparison) -> str:
    if not c.problems:
        return ""
    items = "".join(f"<li>{e(_problem(p))}</li>" for p in c.problems)
    return f'<h2>问题 Problems</h2><ul class="problems">{items}</ul>'
