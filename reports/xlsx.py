"""A period as an Excel workbook a finance clerk can sum, sort and filter: Summary (a row a
person: name, branch, role, totals, points by clause or pay by kind, veto, notes), Lines (every
explained line, its inputs as columns), 指标 Indicators when the sheet has an indicator section
(a row a person and indicator, the department's as "部门 / Department"; below it the §十一 sheets,
total and each item's points) and Parameters (plugin, version, every parameter used).

An indicator's value is a number in its measure's format: a ratio a percentage, a count a whole
number, hours to 0.01, a flag yes or no. One that is not applicable (a ratio over nothing) is an
empty cell, its reason in the note: never 0.

Figures are numbers with a number format, never text. A money cell holds its figure rounded
half-up to the cent (kamkit.money.report), as paid and as shown, so a clerk's SUM adds what they
see; points are held as they are. Each total row is the sum of the cells above it. Where that
sum is not the exact total rounded (two lines of 33.335 are 33.34 each, 66.68 together, but pay
66.67), a note says so beside it rather than a total that does not add up. Headers are in
Chinese and English (kinds of pay by name, reports/names.py), frozen, with filters; widths fit
the content. Streamed (openpyxl's write-only mode): a period of a million lines is written
without holding a million cells.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kamkit.explain import CNY, POINTS
from kamkit.money import report

from .names import item_names, kind_label, kind_names
from .view import (
    IndicatorRow,
    PeriodView,
    PersonSummary,
    cell,
    display_width,
    figure,
    indicator_note,
    input_columns,
    met_text,
    rounding_note,
)

MONEY = "#,##0.00"
POINTS_FORMAT = "0.##"
NUMBER = "#,##0.####"
DAY = "yyyy-mm-dd"
PERCENT = "0.00%"
COUNT = "0"
HOURS = "0.00"
YES_NO = '"是 yes";"是 yes";"否 no"'  # a flag: 1 yes, 0 no (a number still: SUM counts the yeses)
MEASURE_FORMATS = {"ratio": PERCENT, "count": COUNT, "hours": HOURS, "flag": YES_NO}
INDICATORS = "指标 Indicators"
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_WIDTH = 60


def write(view: PeriodView, path: Path, lines: Iterable[Mapping[str, Any]] | None = None) -> Path:
    """The workbook at ``path``. ``lines``: the Lines sheet's rows in the period's order, read as
    they are written (default: the view's, person by person)."""
    book = Workbook(write_only=True)
    _summary(book, view)
    _lines(book, view, lines)
    if view.indicators or view.scorecards:
        _indicators(book, view)
    _parameters(book, view)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@dataclass(frozen=True)
class _Figures:
    """A Summary column of figures: its two headers, a person's exact figure, and whether it is
    money (held rounded to the cent) or points (held as they are)."""

    zh: str
    en: str
    of: Callable[[PersonSummary], Decimal | None]
    money: bool

    def cell(self, person: PersonSummary) -> Decimal | None:
        value = self.of(person)
        return report(value) if self.money and value is not None else value


def _summary(book: Workbook, view: PeriodView) -> None:
    columns = _summary_columns(view)
    head = [("人员", "Person id"), ("姓名", "Name"), ("分支机构", "Branch"), ("角色", "Role")]
    head += [(c.zh, c.en) for c in columns]
    head += [("否决/结论", "Flags (veto, findings)"), ("注（四舍五入）", "Notes (rounding)")]
    rows = []
    for p in view.people:
        row: list[Any] = [p.id, p.name, p.branch, p.role]
        row += [(c.cell(p), MONEY if c.money else POINTS_FORMAT) for c in columns]
        row += [", ".join(kind_label(f) for f in p.flags), _person_note(p)]
        rows.append(row)
    _table(book, "Summary", head, rows, footer=_total_row(view, columns), wide=frozenset({len(head) - 1}))


def _summary_columns(view: PeriodView) -> list[_Figures]:
    money = view.is_quarter or CNY in view.totals
    units = [u for u in (POINTS, CNY) if u in view.totals] or ([CNY] if money else [POINTS])
    columns = [
        _Figures("扣分合计", "Points total", _total_of(POINTS), money=False)
        if u == POINTS
        else _Figures("金额合计 (元)", "Pay total (CNY)", _total_of(CNY), money=True)
        for u in units
    ]
    columns += [
        _Figures(f"扣分 {c}", f"Points, clause {c}", _clause_of(c), money=False) for c in view.clauses
    ]
    for k in view.kinds:
        zh, en = kind_names(k)
        columns.append(_Figures(f"{zh} (元)", f"{en} (CNY)", _kind_of(k), money=True))
    return columns


# one function per column (a lambda in a loop would see only the loop's last key)
def _total_of(unit: str) -> Callable[[PersonSummary], Decimal]:
    return lambda p: p.totals.get(unit, Decimal(0))


def _clause_of(clause: str) -> Callable[[PersonSummary], Decimal | None]:
    return lambda p: p.by_clause.get(clause)


def _kind_of(kind: str) -> Callable[[PersonSummary], Decimal | None]:
    return lambda p: p.by_kind.get(kind)


def _total_row(view: PeriodView, columns: list[_Figures]) -> list[Any]:
    """Each column's total as the sum of the cells above it (what Excel's SUM gives), and a note
    for each money column whose exact total rounds to something else."""
    row: list[Any] = ["合计 Total", "", "", ""]
    notes = []
    for c in columns:
        added = sum((c.cell(p) or Decimal(0) for p in view.people), Decimal(0))
        row.append((added, MONEY if c.money else POINTS_FORMAT))
        if c.money:
            exact = sum((c.of(p) or Decimal(0) for p in view.people), Decimal(0))
            notes.append(rounding_note(zh=f"{c.zh} 各行", en=f"{c.en}: the rows", added=added, exact=exact))
    return [*row, "", "\n".join(n for n in notes if n) or None]


def _person_note(p: PersonSummary) -> str | None:
    """Where a person's pay (the exact total, rounded) is not what its kinds or its lines add up
    to once each is rounded to the cent (one note when both add up to the same)."""
    if CNY not in p.totals:
        return None
    exact = p.totals[CNY]
    kinds = sum((report(v) for v in p.by_kind.values()), Decimal(0))
    lines = p.rounded_lines.get(CNY, kinds)
    if kinds == lines:
        return rounding_note(
            zh="本行各类别及明细表中此人各笔",
            en="This row's kinds (and their lines on the Lines sheet)",
            added=kinds,
            exact=exact,
        )
    notes = [
        rounding_note(zh="本行各类别", en="This row's kinds", added=kinds, exact=exact),
        rounding_note(zh="明细表中此人各笔", en="Their lines on the Lines sheet", added=lines, exact=exact),
    ]
    return "\n".join(n for n in notes if n) or None


def _lines(book: Workbook, view: PeriodView, lines: Iterable[Mapping[str, Any]] | None) -> None:
    every = iter(lines if lines is not None else (line for p in view.people for line in p.lines))
    first = list(itertools.islice(every, 5000))  # the inputs' columns are named from these
    inputs = input_columns(first)
    every = itertools.chain(first, every)
    head = [
        ("人员", "Person id"),
        ("姓名", "Name"),
        ("分支机构", "Branch"),
        ("角色", "Role"),
        ("数值", "Figure"),
        ("单位", "Unit"),
        ("类别", "Kind"),
        ("类别名称", "Kind (named)"),
        ("条款", "Clause"),
        ("原因", "Reason (中文)"),
        ("Reason", "Reason (English)"),
    ]
    head += [("依据 " + k, "input " + k) for k in inputs]
    head.append(("其他依据", "Other inputs"))
    directory = view.directory

    def rows():
        for line in every:
            row: list[Any] = [
                line["person"],
                directory.name(line["person"]),
                directory.branch(line["person"]),
                directory.role(line["role"]),
                (_held(figure(line), line["unit"]), _format(line["unit"])),
                line["unit"],
                line["kind"],
                kind_label(line["kind"]),
                line["clause"],
                line["reason_zh"],
                line["reason_en"],
            ]
            given = line.get("inputs") or {}
            row += [_input(given[k]) if k in given else None for k in inputs]
            rest = {k: v for k, v in given.items() if k not in inputs}
            row.append(cell(rest) if rest else None)
            yield row

    _table(book, "Lines", head, rows(), wide=frozenset({9, 10}))


def _indicators(book: Workbook, view: PeriodView) -> None:
    """A row a person and indicator, filterable; the §十一 sheets as a small table below it."""
    head = [
        ("人员", "Person id"),
        ("姓名", "Name"),
        ("分支机构", "Branch"),
        ("指标", "Indicator"),
        ("指标（英文）", "Indicator (English)"),
        ("期间", "Period"),
        ("数值", "Value"),
        ("分子", "Numerator"),
        ("分母", "Denominator"),
        ("标准", "Standard"),
        ("方向", "Better"),
        ("达标", "Met"),
        ("条款", "Clause"),
        ("项", "Item no."),
        ("注", "Note"),
    ]
    rows = [_indicator_row(r) for r in view.indicators]
    _table(book, INDICATORS, head, rows, wide=frozenset({len(head) - 1}), tail=_scorecard_table(view))


def _indicator_row(r: IndicatorRow) -> list[Any]:
    form = MEASURE_FORMATS.get(r.measure, NUMBER)
    return [
        r.person,
        r.name,
        r.branch,
        r.name_zh,
        r.name_en,
        r.period,
        (r.value, form) if r.value is not None else None,  # not applicable: empty, never 0
        (r.numerator, NUMBER) if r.numerator is not None else None,
        (r.denominator, NUMBER) if r.denominator is not None else None,
        (r.standard, form) if r.standard is not None else None,
        {"higher": "越高越好 ≥ higher", "lower": "越低越好 ≤ lower"}.get(r.better, r.better),
        met_text(r.met) or None,
        r.clause,
        r.item,
        indicator_note(r) or None,
    ]


def _scorecard_table(view: PeriodView) -> list[list[Any]]:
    """The §十一 sheets: a title row, two header rows, a row a person (total, full mark, then
    each item's points in the sheet's order); nothing when there are none."""
    if not view.scorecards:
        return []
    items: dict[str, None] = {}
    for card in view.scorecards:
        items.update(dict.fromkeys(card.items))
    clause = view.scorecards[0].clause
    head = [("人员", "Person id"), ("姓名", "Name"), ("分支机构", "Branch"), ("期间", "Period")]
    head += [("总分", "Total"), ("满分", "Full mark")]
    head += [item_names(k) for k in items]
    head += [("评分人", "Raters"), ("条款", "Clause")]
    rows: list[list[Any]] = [
        [],
        [_Head(f"业绩考核表 Scorecards ({clause})")],
        [_Head(zh) for zh, _ in head],
        [_Head(en) for _, en in head],
    ]
    for card in view.scorecards:
        row: list[Any] = [card.person, card.name, card.branch, card.period]
        row += [(card.total, POINTS_FORMAT), (card.full_mark, POINTS_FORMAT)]
        row += [(card.items[k], POINTS_FORMAT) if card.items.get(k) is not None else None for k in items]
        row += [", ".join(card.raters) or "定性项未评分 not rated", card.clause]
        rows.append(row)
    return rows


def _parameters(book: Workbook, view: PeriodView) -> None:
    head = [
        ("项目", "Item"),
        ("取值", "Value"),
        ("默认", "Default"),
        ("依据", "Basis"),
        ("条款", "Clause"),
        ("说明", "Meaning"),
    ]
    rows: list[list[Any]] = [
        ["business line", view.business_line, None, None, None, "业务线 the sheet belongs to"],
        ["period", view.period, None, None, None, "月份或季度 month or quarter"],
        [
            "version",
            view.version,
            None,
            None,
            None,
            "版本: a reopened period is closed again as a new version",
        ],
        ["status", view.status, None, None, None, view.reason or ""],
        ["closed at", view.closed_at, None, None, None, "结账时间 (UTC)"],
        ["plugin", view.plugin, None, None, None, f"规则插件 version {view.plugin_version}".strip()],
    ]
    for p in view.parameters:
        rows.append(
            [
                p["name"],
                _input(p.get("value")),
                _input(p.get("default")),
                p.get("basis"),
                p.get("clause"),
                p.get("doc"),
            ]
        )
    _table(book, "Parameters", head, rows, wide=frozenset({5}))


def _format(unit: str) -> str:
    return MONEY if unit == CNY else POINTS_FORMAT


def _held(value: Decimal | None, unit: str) -> Decimal | None:
    """What a cell holds: money as paid and shown, rounded half-up to the cent; the rest exact."""
    return report(value) if unit == CNY and value is not None else value


def _input(value: Any) -> Any:
    value = cell(value)
    if isinstance(value, Decimal):
        return (value, NUMBER)
    if isinstance(value, date):
        return (value, DAY)
    return value


def _table(
    book: Workbook,
    title: str,
    head: list[tuple[str, str]],
    rows: Iterable[list[Any]],
    *,
    footer: list[Any] | None = None,
    wide: frozenset[int] = frozenset(),
    measure: int = 500,
    tail: Sequence[list[Any]] = (),
) -> None:
    """``tail``: rows after the table (a second small table), outside its filter."""
    sheet = book.create_sheet(title)
    rows = iter(rows)
    first = list(itertools.islice(rows, measure))
    # widths go before the rows in the file: from the header and the first rows
    widths = [max(display_width(zh), display_width(en)) for zh, en in head]
    widths += [0] * max(0, max((len(r) for r in tail), default=0) - len(widths))
    for row in first + ([footer] if footer else []) + [r for r in tail if len(r) > 1]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], display_width(_shown(value)))
    for i, w in enumerate(widths):
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(_MAX_WIDTH if i in wide else 32, w + 2)
    sheet.freeze_panes = "C3"  # the two header rows, and who the row is about, stay in view
    sheet.append([_head(sheet, zh) for zh, _ in head])
    sheet.append([_head(sheet, en) for _, en in head])
    count = 0
    for row in itertools.chain(first, rows):
        sheet.append([_cell(sheet, v, wrap=i in wide) for i, v in enumerate(row)])
        count += 1
    if footer:
        sheet.append([_cell(sheet, v, bold=True) for v in footer])
    for row in tail:
        sheet.append([_head(sheet, v.text) if isinstance(v, _Head) else _cell(sheet, v) for v in row])
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(head))}{2 + count}"


@dataclass(frozen=True)
class _Head:
    """A header cell inside ``_table``'s tail."""

    text: str


def _head(sheet, text: str) -> WriteOnlyCell:
    c = WriteOnlyCell(sheet, text)
    c.font, c.fill = _HEAD_FONT, _HEAD_FILL
    return c


def _cell(sheet, value: Any, bold: bool = False, wrap: bool = False) -> Any:
    form = None
    if isinstance(value, tuple):
        value, form = value
    if isinstance(value, Decimal):
        # Excel holds doubles: exact to the cent for any amount a person is paid
        value = int(value) if value == value.to_integral_value() else float(value)
    if not (form or bold or (wrap and value is not None)):
        return value  # a plain value: no cell object to build (most input columns are empty)
    c = WriteOnlyCell(sheet, value)
    if form:
        c.number_format = form
    if bold:
        c.font = _HEAD_FONT
    if wrap:
        c.alignment = _WRAP
    return c


def _shown(value: Any) -> str:
    if isinstance(value, _Head):
        return value.text
    if isinstance(value, tuple):
        value, form = value
        if form == PERCENT and isinstance(value, Decimal):
            return f"{value * 100:,.2f}%"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def read_back(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's values (tests, and a clerk's script): {title: rows}."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
