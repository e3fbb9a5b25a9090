"""Write a closed sheet or statement as XLSX and HTML: one row per explained line, then totals."""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Mapping

from openpyxl import Workbook

COLUMNS = ("person", "role", "figure", "unit", "kind", "clause", "reason_zh", "reason_en", "inputs")


def rows(sheet: Mapping[str, Any]) -> list[list[str]]:
    return [[str(l[c]) if c != "inputs" else json.dumps(l[c], ensure_ascii=False, sort_keys=True)
             for c in COLUMNS] for l in sheet["lines"]]


def totals(sheet: Mapping[str, Any]) -> list[list[str]]:
    return [[person, unit, figure] for person, units in sorted(sheet["totals"].items())
            for unit, figure in sorted(units.items())]


def write(sheet: Mapping[str, Any], stem: Path, title: str) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    lines = book.active
    lines.title = "lines"
    lines.append(list(COLUMNS))
    for row in rows(sheet):
        lines.append(row)
    sums = book.create_sheet("totals")
    sums.append(["person", "unit", "total"])
    for row in totals(sheet):
        sums.append(row)
    book.save(stem.with_suffix(".xlsx"))
    e = html.escape
    table = lambda head, body: ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>" +  # noqa: E731
                                "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in body)
                                + "</table>")
    stem.with_suffix(".html").write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{e(title)}</title></head><body>'
        f"<h1>{e(title)}</h1><p>version {sheet['version']}, rules {e(sheet['plugin'])}</p><h2>Totals</h2>"
        f"{table(('person', 'unit', 'total'), totals(sheet))}<h2>Lines</h2>{table(COLUMNS, rows(sheet))}"
        "</body></html>", encoding="utf-8")
