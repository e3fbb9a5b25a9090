"""Closed sheets and statements as people read them, one set of renderers for the CLI (`kam ...
--xlsx FILE --html FILE`), the demo's ``out/`` and the gateway's pages.

    view.py    a period as people read it (names, totals per unit, lines, the indicator
               section apart from them); pure
    xlsx.py    Summary / Lines / 指标 Indicators / Parameters workbook, numbers as numbers
    html.py    the period's summary page and a person's statement, self-contained
    charts.py  inline SVG charts (matplotlib), one an indicator against its standard
    names.py   readable names (中文 / English) of the kinds of line the plugins write and of
               the items of the §十一 sheet
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .view import Directory, PeriodTotals, PeriodView, period_view

__all__ = ["Directory", "PeriodView", "period_view", "statement_file", "write_period"]


def write_period(
    sheet: Mapping[str, Any],
    stem: Path,
    directory: Directory | None = None,
    *,
    plugin: Mapping[str, Any] | None = None,
    history: Sequence[PeriodView | PeriodTotals] = (),
    statements: Path | None = None,
    answer: bool = True,
) -> PeriodView | None:
    """``stem``.xlsx and ``stem``.html for the period; with ``statements``, a page per person
    there (``<person>.html``), linked from the summary. ``history``: the line's earlier periods
    of the year, for the trend. Returns the view (``answer`` off: nothing, for a caller in another
    process that would otherwise receive every line back)."""
    from . import html, xlsx

    view = period_view(sheet, directory, plugin)
    stem.parent.mkdir(parents=True, exist_ok=True)
    xlsx.write(view, stem.with_suffix(".xlsx"))
    href = None
    if statements is not None:
        statements.mkdir(parents=True, exist_ok=True)
        for person in view.people:
            (statements / statement_file(person.id)).write_text(
                html.statement_page(view, person.id), encoding="utf-8"
            )
        base = _relative(statements, stem.parent)  # links work wherever the folder is copied
        href = lambda p: f"{base}/{quote(statement_file(p.id))}"  # noqa: E731
    stem.with_suffix(".html").write_text(html.period_page(view, [*history, view], href), encoding="utf-8")
    return view if answer else None


def statement_file(person: str) -> str:
    """A person's statement's file name: the id, with anything a path could misread escaped."""
    return "".join(c if c.isalnum() or c in "-_." else quote(c, safe="") for c in person) + ".html"


def _relative(target: Path, start: Path) -> str:
    return os.path.relpath(target, start).replace(os.sep, "/")
