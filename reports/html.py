"""Self-contained, printable HTML: a period's summary page (totals per unit kept apart, charts,
a row a person, then a section a person with each line's reason and inputs, the clauses and the
parameters) and a person's statement for one period (the slip: each line explained, the total,
carried state before and after). One file each, CSS and SVG inline, nothing fetched."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from kamkit.explain import CNY, FLAG, INFO, POINTS
from kamkit.money import report

from . import charts
from .names import kind_label
from .view import (
    PeriodTotals,
    PeriodView,
    PersonSummary,
    change,
    comparable,
    figure,
    figure_text,
    rounding_note,
    shown,
)

__all__ = ["figure_text", "period_page", "statement_page"]

e = html.escape

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:72rem;
color:#1d2733;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:2px solid #dde4ee}
h3{font-size:1rem;margin:1.2rem 0 .3rem}.meta{color:#5a6b7d;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.4rem 0}
th,td{border-bottom:1px solid #e3e8ef;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f7;position:sticky;top:0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;border-top:2px solid #1d2733}
.cards{display:flex;gap:1rem;flex-wrap:wrap}\
.card{border:1px solid #dde4ee;border-radius:6px;padding:.6rem 1rem}
.card b{display:block;font-size:1.4rem}.flag{color:#b00020;font-weight:bold}.info{color:#5a6b7d}
.inputs{font-size:.78rem;color:#3c4b5c}.inputs span{display:inline-block;margin-right:.6rem}
table.lines{table-layout:fixed}table.lines td{overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(30rem,1fr));gap:1rem}
.chart svg{max-width:100%;height:auto}.zh{color:#3c4b5c}
@media print{body{margin:0;max-width:none}h2{break-before:auto}section.person{break-inside:avoid}
th{position:static}a{color:inherit;text-decoration:none}}
"""


def _figure_text(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else figure_text(value, unit)  # a line without a figure: n/a


def _unit_name(unit: str) -> str:
    return {POINTS: "扣分 points", CNY: "元 CNY", FLAG: "结论 finding", INFO: "参考 info"}.get(unit, unit)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
        f"<body>{body}</body></html>"
    )


def _title(view: PeriodView) -> str:
    kind = "季度提成与奖金 Quarterly pay" if view.is_quarter else "月度考核 Monthly assessment"
    return f"{view.business_line} {view.period} — {kind}"


def _meta(view: PeriodView) -> str:
    state = f"status {view.status}" + (f" ({view.reason})" if view.reason else "")
    return (
        f'<p class="meta">version {view.version} · rules {e(view.plugin)} {e(view.plugin_version)} · '
        f"closed {e(view.closed_at[:19].replace('T', ' '))} UTC · {e(state)}</p>"
    )


def _clause_link(clause: str, view: PeriodView) -> str:
    return f'<a href="#{_anchor(clause)}">{e(clause)}</a>' if clause in view.clause_text else e(clause)


def _anchor(clause: str) -> str:
    return "clause-" + "".join(c if c.isalnum() else "-" for c in clause)


def _inputs(inputs: Mapping[str, Any]) -> str:
    parts = []
    for key, value in (inputs or {}).items():
        parts.append(f"<span>{e(str(key))} = <b>{e(shown(value, str(key)))}</b></span>")
    return f'<div class="inputs">{"".join(parts)}</div>' if parts else ""


def _lines_table(lines: Iterable[Mapping[str, Any]], view: PeriodView) -> str:
    rows = []
    for line in lines:
        unit = line["unit"]
        css = " flag" if unit == FLAG else " info" if unit == INFO else ""
        rows.append(
            f'<tr class="{css.strip()}"><td>{_clause_link(line["clause"], view)}</td>'
            f'<td title="{e(line["kind"])}">{e(kind_label(line["kind"]))}</td>'
            f'<td class="num{css}">{e(_figure_text(figure(line), unit))}</td>'
            f"<td>{e(_unit_name(unit))}</td><td>{e(line['reason_en'])}<br>"
            f'<span class="zh">{e(line["reason_zh"])}</span>{_inputs(line.get("inputs"))}</td></tr>'
        )
    return (
        '<table class="lines"><colgroup><col style="width:9rem"><col style="width:11rem">'
        '<col style="width:7rem"><col style="width:6rem"><col></colgroup><tr><th>条款 Clause</th>'
        '<th>类别 Kind</th><th class="num">数值 Figure</th><th>单位 Unit</th><th>原因与依据 Reason and inputs'
        "</th></tr>" + "".join(rows) + "</table>"
    )


def _cards(totals: Mapping[str, Decimal], people: int) -> str:
    cards = [f'<div class="card">人数 people<b>{people}</b></div>']
    for unit, value in totals.items():
        cards.append(f'<div class="card">{e(_unit_name(unit))}<b>{e(figure_text(value, unit))}</b></div>')
    return f'<div class="cards">{"".join(cards)}</div>'


def _summary_table(view: PeriodView, person_href) -> str:
    units = list(view.totals) or [POINTS]
    head = "".join(f'<th class="num">{e(_unit_name(u))}</th>' for u in units)
    rows = []
    for p in view.people:
        cells = "".join(
            f'<td class="num">{e(figure_text(p.totals.get(u, Decimal(0)), u))}</td>' for u in units
        )
        rows.append(
            f'<tr><td><a href="{e(person_href(p))}">{e(p.name)}</a></td><td>{e(p.id)}</td>'
            f"<td>{e(p.branch)}</td><td>{e(p.role)}</td>{cells}<td>{_flags(p)}</td></tr>"
        )
    # the total row adds the rows as shown; where that is not the exact total rounded, say so
    added = {u: sum((_shown_total(p, u) for p in view.people), Decimal(0)) for u in units}
    total = "".join(f'<td class="num">{e(figure_text(added[u], u))}</td>' for u in units)
    notes = [
        rounding_note(zh="各人金额", en="Each person's pay", added=added[u], exact=view.totals[u])
        for u in units
        if u == CNY and u in view.totals
    ]
    return (
        "<table><tr><th>姓名 Name</th><th>人员 Id</th><th>分支机构 Branch</th><th>角色 Role</th>"
        f"{head}<th>否决/结论 Flags</th></tr>{''.join(rows)}"
        f'<tr class="total"><td>合计 Total</td><td></td><td></td><td></td>{total}<td></td></tr></table>'
        + "".join(f'<p class="meta note">{e(n)}</p>' for n in notes if n)
    )


def _shown_total(p: PersonSummary, unit: str) -> Decimal:
    """A person's total as the summary shows it: money rounded to the cent, points exact."""
    value = p.totals.get(unit, Decimal(0))
    return report(value) if unit == CNY else value


def _flags(p: PersonSummary) -> str:
    return f'<span class="flag">{e(", ".join(kind_label(f) for f in p.flags))}</span>' if p.flags else ""


def _change(view: PeriodView, history: Sequence[PeriodView | PeriodTotals], unit: str) -> str:
    """This period beside the previous one of its kind (months with months, quarters with
    quarters), both named."""
    moved = change(comparable([*history, view], view.period), unit)
    if moved is None:
        return ""
    each = "季度环比 Quarter over quarter" if view.is_quarter else "月度环比 Month over month"
    return f'<p class="meta change">{e(each)} ({e(_unit_name(unit))}): {e(moved.text())}</p>'


def _clauses(view: PeriodView) -> str:
    used = {line["clause"] for p in view.people for line in p.lines}
    rows = [
        f'<tr id="{_anchor(c)}"><td>{e(c)}</td><td>docs/rules.md §{e(t.get("rules", ""))}</td>'
        f"<td>{e(t.get('text', ''))}"
        "</td></tr>"
        for c, t in view.clause_text.items()
        if c in used
    ]
    if not rows:
        return ""
    return (
        "<h2>条款 Clauses</h2><table><tr><th>Clause</th><th>docs/rules.md</th><th>What it says</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _parameters(view: PeriodView) -> str:
    if not view.parameters:
        return ""
    rows = "".join(
        f"<tr><td>{e(p['name'])}</td><td>{e(shown(p.get('value')))}</td>"
        f"<td>{e(shown(p.get('default')))}</td><td>{e(str(p.get('basis') or ''))}</td>"
        f"<td>{e(str(p.get('clause') or ''))}</td><td>{e(str(p.get('doc') or ''))}</td></tr>"
        for p in view.parameters
    )
    return (
        "<h2>参数 Parameters</h2><table><tr><th>Name</th><th>Value</th><th>Default</th><th>Basis</th>"
        f"<th>Clause</th><th>Meaning</th></tr>{rows}</table>"
    )


def period_page(
    view: PeriodView,
    history: Sequence[PeriodView | PeriodTotals] = (),
    person_href=None,
    lines: bool = True,
) -> str:
    """The period's summary page. ``history``: the line's periods of the year (with this one) for
    the trend chart; ``person_href(person)``: where a name links (default: its section here);
    ``lines``: a section a person with every line (too long a page for a large period: link
    each person's statement instead)."""
    person_href = person_href or (lambda p: f"#person-{p.id}")
    unit = CNY if view.is_quarter or CNY in view.totals else POINTS
    figures = [
        charts.points_by_branch(view),
        charts.top_people(view, unit),
        charts.pay_distribution(view),
        charts.trend([*history, view], unit, current=view.period),
    ]
    drawn = "".join(f'<div class="chart">{svg}</div>' for svg in figures if svg)
    sections = []
    for p in view.people if lines else ():
        total = " · ".join(f"{_unit_name(u)} {figure_text(v, u)}" for u, v in p.totals.items())
        sections.append(
            f'<section class="person" id="person-{e(p.id)}"><h3>{e(p.name)} <span class="meta">'
            f"{e(' · '.join(x for x in (p.id, p.branch, p.role) if x))}</span></h3><p>{e(total)}</p>"
            f"{_lines_table(p.lines, view)}</section>"
        )
    body = (
        f"<h1>{e(_title(view))}</h1>{_meta(view)}{_cards(view.totals, len(view.people))}"
        f"{_change(view, history, unit)}"
        f'<h2>图表 Charts</h2><div class="charts">{drawn or "<p>No figures to draw.</p>"}</div>'
        f"<h2>汇总 Summary</h2>{_summary_table(view, person_href)}"
        + (f"<h2>明细 Every line, by person</h2>{''.join(sections)}" if lines else "")
        + f"{_clauses(view)}{_parameters(view)}"
    )
    return _page(_title(view), body)


def _state_table(state: Mapping[str, Any] | None) -> str:
    if not state:
        return "<p>无 none</p>"
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(shown(v, str(k)))}</td></tr>" for k, v in state.items())
    return f"<table><tr><th>项目 Item</th><th>值 Value</th></tr>{rows}</table>"


def statement_page(view: PeriodView, person: str) -> str:
    """The slip one person receives for the period: each line explained, totals per unit, and the
    state carried into and out of it (debts, carry-over, year to date)."""
    p: PersonSummary | None = view.person(person)
    if p is None:
        raise KeyError(person)
    totals = "".join(
        f'<div class="card">{e(_unit_name(u))}<b>{e(figure_text(v, u))}</b></div>'
        for u, v in p.totals.items()
    )
    flags = (
        f'<p class="flag">否决/结论 Findings: {e(", ".join(kind_label(f) for f in p.flags))}</p>'
        if p.flags
        else ""
    )
    note = _lines_note(p)
    carried = ""
    if view.carried_in or view.carried_out:
        carried = (
            f"<h2>结转 Carried state</h2><h3>期初 Before this period</h3>"
            f"{_state_table(view.carried_in.get(person))}<h3>期末 After this period</h3>"
            f"{_state_table(view.carried_out.get(person))}"
        )
    title = f"{p.name} — {view.business_line} {view.period}"
    body = (
        f"<h1>{e(p.name)} <span class='meta'>{e(p.id)}</span></h1>"
        f"<p class='meta'>{e(' · '.join(x for x in (p.branch, p.role, _title(view)) if x))}</p>{_meta(view)}"
        f'<div class="cards">{totals}</div>{flags}{note}<h2>明细 Lines</h2>{_lines_table(p.lines, view)}'
        f"{carried}{_clauses(_only(view, p))}"
    )
    return _page(title, body)


def _lines_note(p: PersonSummary) -> str:
    """The lines are shown each rounded to the cent: where they do not add up to the pay (the
    exact total, rounded), the slip says so rather than leave the person to find the cent."""
    if CNY not in p.rounded_lines:
        return ""
    note = rounding_note(zh="以下各笔", en="The lines below", added=p.rounded_lines[CNY], exact=p.totals[CNY])
    return f'<p class="meta note">{e(note)}</p>' if note else ""


def _only(view: PeriodView, person: PersonSummary) -> PeriodView:
    return dataclasses.replace(view, people=[person])
