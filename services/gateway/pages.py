"""Pages and workbooks of closed periods, for people (reports/): a line's month or quarter as an
HTML page or an XLSX file, and one person's statement of it. Each is made from the same RPCs a
JSON caller would make, with the caller's token, so the same access rules decide.

    GET /lines/{business_line}/months/{month}/report.html | report.xlsx
    GET /lines/{business_line}/months/{month}/people/{person}.html
    GET /lines/{business_line}/quarters/{quarter}/report.html | report.xlsx
    GET /lines/{business_line}/quarters/{quarter}/people/{person}.html
    GET /lines/{business_line}/months/{month}/compare.html | compare.xlsx ?plugin=..&param=k=v..
    GET /lines/{business_line}/quarters/{quarter}/compare.html | compare.xlsx (the same: what-if)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from werkzeug.routing import Rule
from werkzeug.wrappers import Response

from kamkit.errors import Forbidden, InvalidFacts, NotFound
from kamkit.explain import INDICATOR_KINDS
from kamkit.loader import available
from kamkit.params import assignment_value
from reports import comparison, html, period_view, xlsx
from reports.sources import line_sources
from reports.view import Directory, PeriodTotals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 1000
LINES_ON_A_PAGE = 5000  # more than this: the summary page links each person's statement instead

Call = Callable[..., Any]  # call(service, method, *args, **kwargs) -> the RPC's answer


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    period: str  # "month" | "quarter"
    form: str  # "html" | "xlsx" | "person" | "compare" | "compare_xlsx"
    summary: str
    source: str = ""  # what it reads (SOURCES); default: the month's sheet, the quarter's run

    @property
    def reads(self) -> str:
        return self.source or ("sheet" if self.period == "month" else "quarter")

    @property
    def werkzeug_rule(self) -> str:
        return self.path.replace("{", "<").replace("}", ">")

    @property
    def path_params(self) -> list[str]:
        return [part.split("}")[0] for part in self.path.split("{")[1:]]


_PERIODS = {
    "month": ("/lines/{business_line}/months/{month}", "month's sheet", "statement of the month"),
    "quarter": (
        "/lines/{business_line}/quarters/{quarter}",
        "quarter's run",
        "pay slip for the quarter (carried state before and after)",
    ),
}
PAGES = tuple(
    page
    for period, (base, what, slip) in _PERIODS.items()
    for page in (
        Page(
            f"{period}_report_html",
            f"{base}/report.html",
            period,
            "html",
            f"The {what} as a page: totals, charts, every person and line explained",
        ),
        Page(
            f"{period}_report_xlsx",
            f"{base}/report.xlsx",
            period,
            "xlsx",
            f"The {what} as an Excel workbook (Summary, Lines, Parameters)",
        ),
        Page(
            f"{period}_statement_html",
            f"{base}/people/{{person}}.html",
            period,
            "person",
            f"One person's {slip}, every line explained",
        ),
    )
)
# a month's pay, of a line paid by the month (docs/rules.md §9.4)
_PAY = "/lines/{business_line}/months/{month}/pay"
PAGES += (
    Page(
        "month_pay_report_html",
        f"{_PAY}/report.html",
        "month",
        "html",
        "The month's pay as a page",
        source="month_pay",
    ),
    Page(
        "month_pay_report_xlsx",
        f"{_PAY}/report.xlsx",
        "month",
        "xlsx",
        "The month's pay as an Excel workbook (Summary, Lines, Parameters)",
        source="month_pay",
    ),
    Page(
        "month_pay_statement_html",
        f"{_PAY}/people/{{person}}.html",
        "month",
        "person",
        "One person's pay slip for the month, every line explained",
        source="month_pay",
    ),
)
# the year's result and pay (docs/rules.md §9.7)
for _what, _name in (("result", "result"), ("pay", "pay")):
    _base = f"/lines/{{business_line}}/years/{{year}}/{_what}"
    PAGES += (
        Page(
            f"year_{_name}_report_html",
            f"{_base}/report.html",
            "year",
            "html",
            f"The year's {_name} as a page",
            source=f"year_{_name}",
        ),
        Page(
            f"year_{_name}_report_xlsx",
            f"{_base}/report.xlsx",
            "year",
            "xlsx",
            f"The year's {_name} as an Excel workbook (Summary, Lines, Parameters)",
            source=f"year_{_name}",
        ),
        Page(
            f"year_{_name}_statement_html",
            f"{_base}/people/{{person}}.html",
            "year",
            "person",
            f"One person's {_name} of the year, every line explained",
            source=f"year_{_name}",
        ),
    )
# what-if (docs/rules.md §9.3): the period's stored facts under another plugin or parameters
PAGES += tuple(
    Page(
        f"{period}_compare_{form}",
        f"{base}/compare.{form}",
        period,
        "compare" if form == "html" else "compare_xlsx",
        f"The {what} beside the same facts under another plugin (?plugin=) or parameters "
        f"(?param=name=value, repeated), person by person: "
        + ("a page with a chart" if form == "html" else "a workbook of both runs and the difference"),
    )
    for period, (base, what, _slip) in _PERIODS.items()
    for form in ("html", "xlsx")
)
BY_NAME = {p.name: p for p in PAGES}


def rules() -> list[Rule]:
    return [Rule(p.werkzeug_rule, methods=["GET"], endpoint=p.name) for p in PAGES]


def answer(page: Page, values: dict[str, str], call: Call, query=None) -> Response:
    line, period = values["business_line"], values[page.period]
    if page.form.startswith("compare"):
        return _comparison(page, line, period, call, query)
    person = values.get("person")
    directory, plugin = _names(line, call)
    if page.form == "xlsx":
        return _workbook(page, line, period, directory, plugin, call)
    if page.form == "person":
        view = period_view(_sheet(page, line, period, person, call), directory, plugin)
        if view.person(person) is None:
            raise NotFound(f"{person!r} has no line in {period} of {line!r}", field="person")
        text = html.statement_page(view, person)
    else:
        # a large period's page shows its sums and links each person's statement: its lines are
        # summed a page at a time, never held
        read = _reader(page, line, period, None, call)
        first = read(1)
        small = first["total_lines"] <= LINES_ON_A_PAGE
        section = _indicators(page, line, period, call)
        view = period_view(
            {**first, "lines": _pages(read, first), "indicators": section},
            directory,
            plugin,
            keep_lines=small,
        )
        text = html.period_page(
            view,
            _year(page, line, period, call),
            lines=small,
            person_href=lambda p: f"people/{quote(p.id, safe='')}.html",
        )
    return Response(text, content_type="text/html; charset=utf-8")


def _comparison(page: Page, line: str, period: str, call: Call, query) -> Response:
    """A what-if as a page or a workbook: ``plugin`` and ``param`` (name=value, repeated) from
    the query; nothing is stored."""
    query = query if query is not None else {}
    parameters = {}
    for pair in query.getlist("param") if hasattr(query, "getlist") else query.get("param", []):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidFacts(f"param is name=value, got {pair!r}", field="param")
        try:
            parameters[name.strip()] = assignment_value(value)
        except yaml.YAMLError:
            raise InvalidFacts(f"the value of {name.strip()!r} cannot be read", field="param") from None
    plugin = query.get("plugin")
    if plugin is not None and plugin not in available():
        raise NotFound(f"no plugin {plugin!r} is installed; `kam plugins` lists them", field="plugin")
    service = "assessment" if page.reads == "sheet" else "compensation"
    workbook = page.form == "compare_xlsx"
    answer = call(
        service,
        "compare_period",
        line,
        period,
        plugin=plugin,
        parameters=parameters,
        lines=workbook,
    )
    if not workbook:
        return Response(comparison.comparison_page(answer), content_type="text/html; charset=utf-8")
    folder = tempfile.mkdtemp(prefix="kam-compare-")
    try:
        path = comparison.comparison_workbook(answer, Path(folder) / "compare.xlsx")
        data = path.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Response(
        data,
        content_type=XLSX,
        headers={"Content-Disposition": _attachment(f"{line}-{period}-compare.xlsx")},
    )


def _workbook(page: Page, line: str, period: str, directory: Directory, plugin: Any, call: Call) -> Response:
    """The workbook, with the period's lines read page by page twice (once for the Summary's
    sums, once into the Lines sheet) rather than held: a quarter of a million lines is written
    in the memory of a few pages. Written to a temporary file, sent from it."""
    read = _reader(page, line, period, None, call)
    first = read(1)
    section = _indicators(page, line, period, call)
    view = period_view(
        {**first, "lines": _pages(read, first), "indicators": section}, directory, plugin, keep_lines=False
    )
    folder = tempfile.mkdtemp(prefix="kam-report-")
    path = xlsx.write(view, Path(folder) / "report.xlsx", _pages(read, first))

    def send():
        try:
            with open(path, "rb") as data:
                while chunk := data.read(1 << 16):
                    yield chunk
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return Response(
        send(),
        content_type=XLSX,
        headers={
            "Content-Disposition": _attachment(f"{line}-{period}.xlsx"),
            "Content-Length": str(path.stat().st_size),
        },
        direct_passthrough=True,
    )


# what each page reads: (service, RPC of every line, RPC of one person's, None: the person is a keyword)
SOURCES = {
    "sheet": ("assessment", "get_sheet", None),
    "month_pay": ("compensation", "get_month_lines", "get_month_statement"),
    "quarter": ("compensation", "get_run_lines", "get_statement"),
    "year_result": ("assessment", "get_year", None),
    "year_pay": ("compensation", "get_year", None),
}


def _reader(
    page: Page, line: str, period: str, person: str | None, call: Call, kind=None, size=PAGE_SIZE
) -> Callable[[int], dict]:
    service, every, one = SOURCES[page.reads]
    extra = {"kind": kind} if kind else {}
    if person is not None and one is not None:
        return lambda n: call(service, one, line, period, person, page=n, page_size=size, **extra)
    if person is not None:
        return lambda n: call(service, every, line, period, person=person, page=n, page_size=size, **extra)
    return lambda n: call(service, every, line, period, page=n, page_size=size, **extra)


def _indicators(page: Page, line: str, period: str, call: Call) -> list[dict]:
    """The period's indicator section (docs/rules.md §6), read page by page by its kinds: a sheet
    read a page at a time leaves it out."""
    out: list[dict] = []
    if page.reads in ("month_pay", "year_pay"):
        return out  # pay of a month or a year has none: the month's sheet and the year's result have
    for kind in sorted(INDICATOR_KINDS):
        read = _reader(page, line, period, None, call, kind=kind)
        first = read(1)
        out.extend(_pages(read, first))
    return out


def _pages(read: Callable[[int], dict], first: dict) -> Iterator[dict]:
    """Every line in the period's order, a page read at a time (the first one given)."""
    yield from first["lines"]
    for n in range(2, -(-first["total_lines"] // PAGE_SIZE) + 1):
        yield from read(n)["lines"]


def _sheet(page: Page, line: str, period: str, person: str | None, call: Call) -> dict[str, Any]:
    """The closed period with its lines (one person's, for a statement), read page by page."""
    read = _reader(page, line, period, person, call)
    first = read(1)
    return {**first, "lines": list(_pages(read, first))}


def _year(page: Page, line: str, period: str, call: Call) -> list[PeriodTotals]:
    """The line's closed periods of the year up to this one (one small read each), for the trend."""
    year, last = period[:4], period[5:]
    if page.period == "year":  # the years before it
        names = [str(y) for y in range(int(year) - 4, int(year) + 1)]
    elif page.period == "month":
        names = [f"{year}-{m:02d}" for m in range(1, int(last) + 1)]
    else:
        names = [f"{year}-Q{q}" for q in range(1, int(last[1:]) + 1)]
    found = []
    for name in names:
        try:
            sheet = _reader(page, line, name, None, call, size=1)(1)
        except NotFound:
            continue
        found.append(PeriodTotals.of_sheet({**sheet, "period": name}))
    return found


def _names(line: str, call: Call) -> tuple[Directory, Any]:
    """Names and rules from intake; a caller who may read the sheet but not the roster sees ids."""
    try:
        return line_sources(lambda *a: call("intake", "list_records", *a), line)
    except Forbidden:
        return Directory(), None


def _filename(text: str) -> str:
    """A file name a header can carry (ASCII: headers are Latin-1), the rest as ``_``."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)[:80] or "report"


def _attachment(name: str) -> str:
    """Content-Disposition of a download: an ASCII name, and the real one (RFC 6266's filename*)."""
    return f"attachment; filename=\"{_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def openapi_paths(
    path_params: dict[str, dict], errors: Callable[[], dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    paths = {}
    for page in PAGES:
        content = (
            {XLSX: {"schema": {"type": "string", "format": "binary"}}}
            if page.form in ("xlsx", "compare_xlsx")
            else {"text/html": {"schema": {"type": "string"}}}
        )
        what_if = (
            [
                {
                    "in": "query",
                    "name": "plugin",
                    "required": False,
                    "description": "the other plugin (default: the period's own)",
                    "schema": {"type": "string", "enum": sorted(available())},
                },
                {
                    "in": "query",
                    "name": "param",
                    "required": False,
                    "description": "a parameter of the other run, name=value (repeated)",
                    "schema": {
                        "type": "array",
                        "items": {"type": "string", "pattern": r"^[a-z_]+=[^\x00\n]+$"},
                    },
                    "style": "form",
                    "explode": True,
                },
            ]
            if page.form.startswith("compare")
            else []
        )
        responses: dict[str, Any] = {"200": {"description": "the document", "content": content}, **errors()}
        paths[page.path] = {
            "get": {
                "operationId": page.name,
                "summary": page.summary,
                "tags": ["reports"],
                "parameters": [
                    {
                        "in": "path",
                        "name": n,
                        "required": True,
                        "schema": dict(path_params.get(n, path_params["*"])),
                    }
                    for n in page.path_params
                ]
                + what_if,
                "responses": responses,
            }
        }
    return paths
