"""A period as an Excel workbook a finance clerk can sum, sort and filter: Summary (a row a
person: name, branch, role, totals, points by clause or pay by kind, veto), Lines (every
explained line, its inputs as columns) and Parameters (plugin, version, every parameter used).

Figures are numbers with a number format, never text: money shows 2 decimals (Excel displays it
rounded half away from zero, which for money is half-up), points as they are. A cell holds the
exact figure, so a column's SUM in Excel equals the Summary's total to the cent. Headers are in
Chinese and English, frozen, with filters; widths fit the content. Streamed (openpyxl's
write-only mode): a period of a million lines is written without holding a million cells.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kamkit.explain import CNY, POINTS

from .view import PeriodView, cell, display_width, figure, input_columns

MONEY = "#,##0.00"
POINTS_FORMAT = "0.##"
NUMBER = "#,##0.####"
DAY = "yyyy-mm-dd"
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
    _parameters(book, view)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _summary(book: Workbook, view: PeriodView) -> None:
    head = [("人员", "Person id"), ("姓名", "Name"), ("分支机构", "Branch"), ("角色", "Role")]
    money = view.is_quarter or CNY in view.totals
    units = [u for u in (POINTS, CNY) if u in view.totals] or ([CNY] if money else [POINTS])
    head += [
        ("扣分合计", "Points total") if u == POINTS else ("金额合计 (元)", "Pay total (CNY)") for u in units
    ]
    head += [(c, f"Points {c}") for c in view.clauses]
    head += [(k, f"CNY {k}") for k in view.kinds]
    head += [("否决/结论", "Flags (veto, findings)")]
    rows = []
    for p in view.people:
        row: list[Any] = [p.id, p.name, p.branch, p.role]
        row += [(p.totals.get(u, Decimal(0)), _format(u)) for u in units]
        row += [(p.by_clause.get(c), POINTS_FORMAT) for c in view.clauses]
        row += [(p.by_kind.get(k), MONEY) for k in view.kinds]
        row.append(", ".join(p.flags))
        rows.append(row)
    total: list[Any] = ["合计 Total", "", "", ""]
    total += [(view.totals.get(u, Decimal(0)), _format(u)) for u in units]
    total += [
        (sum((p.by_clause.get(c, Decimal(0)) for p in view.people), Decimal(0)), POINTS_FORMAT)
        for c in view.clauses
    ]
    total += [
        (sum((p.by_kind.get(k, Decimal(0)) for p in view.people), Decimal(0)), MONEY) for k in view.kinds
    ]
    total.append("")
    _table(book, "Summary", head, rows, footer=total)


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
                (figure(line), _format(line["unit"])),
                line["unit"],
                line["kind"],
                line["clause"],
                line["reason_zh"],
                line["reason_en"],
            ]
            given = line.get("inputs") or {}
            row += [_input(given[k]) if k in given else None for k in inputs]
            rest = {k: v for k, v in given.items() if k not in inputs}
            row.append(cell(rest) if rest else None)
            yield row

    _table(book, "Lines", head, rows(), wide=frozenset({8, 9}))


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
) -> None:
    sheet = book.create_sheet(title)
    rows = iter(rows)
    first = list(itertools.islice(rows, measure))
    # widths go before the rows in the file: from the header and the first rows
    widths = [max(display_width(zh), display_width(en)) for zh, en in head]
    for row in first + ([footer] if footer else []):
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
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(head))}{2 + count}"


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
    if isinstance(value, tuple):
        value = value[0]
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def read_back(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's values (tests, and a clerk's script): {title: rows}."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
