"""Self-contained, printable HTML: a period's summary page (totals per unit kept apart, charts,
a row a person, the indicator section, then a section a person with each line's reason and
inputs, the clauses and the parameters) and a person's statement for one period (the slip: each
line explained, the total, their indicators, carried state before and after). One file each, CSS
and SVG inline, nothing fetched; wide tables scroll inside the page on a phone."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from kamkit.explain import CNY, FLAG, INFO, POINTS
from kamkit.money import report

from . import charts
from .names import item_names, kind_label
from .view import (
    IndicatorRow,
    PeriodTotals,
    PeriodView,
    PersonSummary,
    ScorecardRow,
    change,
    comparable,
    figure,
    figure_text,
    indicator_note,
    indicator_text,
    met_text,
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
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(30rem,100%),1fr));gap:1rem}
.chart svg{max-width:100%;height:auto}.zh{color:#3c4b5c}.chart{margin:0;min-width:0}
.scroll{overflow-x:auto;max-width:100%}.scroll table.lines{min-width:36rem}
.indicator-charts{grid-template-columns:repeat(auto-fit,minmax(min(28rem,100%),1fr))}
.chart figcaption{font-size:.78rem;color:#5a6b7d}.met{color:#2e7d32}.not-met{color:#b00020;font-weight:bold}
tr.dept td{font-weight:bold;background:#f5f7fa}
@media (max-width:40rem){body{margin:1rem auto;padding:0 .6rem}h1{font-size:1.25rem}}
@media print{body{margin:0;max-width:none}h2{break-before:auto}section.person{break-inside:avoid}
th{position:static}a{color:inherit;text-decoration:none}.scroll{overflow:visible}}
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
        '<div class="scroll"><table class="lines"><colgroup><col style="width:9rem"><col style="width:11rem">'
        '<col style="width:7rem"><col style="width:6rem"><col></colgroup><tr><th>条款 Clause</th>'
        '<th>类别 Kind</th><th class="num">数值 Figure</th><th>单位 Unit</th><th>原因与依据 Reason and inputs'
        "</th></tr>" + "".join(rows) + "</table></div>"
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
        '<div class="scroll"><table><tr><th>姓名 Name</th><th>人员 Id</th><th>分支机构 Branch</th>'
        f"<th>角色 Role</th>{head}<th>否决/结论 Flags</th></tr>{''.join(rows)}"
        f'<tr class="total"><td>合计 Total</td><td></td><td></td><td></td>{total}<td></td></tr></table></div>'
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
    used |= {r.clause for r in (*view.indicators, *view.scorecards)}
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
        '<h2>条款 Clauses</h2><div class="scroll"><table><tr><th>Clause</th><th>docs/rules.md</th>'
        "<th>What it says</th></tr>" + "".join(rows) + "</table></div>"
    )


INDICATOR_KEY = (
    "绿 达标 green: met · 红 未达标 red: not met · 灰 无标准 grey: no standard · 斜线 部门 hatched: the "
    "department · 虚线 标准 dashed line: the standard. 不适用 not applicable (a ratio over nothing): "
    "listed, not drawn, never 0."
)


def _indicators(view: PeriodView) -> str:
    """The indicator section: a chart an indicator against its standard, the table (a row a
    person and indicator, as the workbook's), and the §十一 sheets."""
    if not (view.indicators or view.scorecards):
        return ""
    drawn, undrawn = [], []
    for (key, period), rows in view.indicator_groups():
        svg = charts.indicator_chart(rows)
        label = f"{rows[0].label} ({period})"
        if svg is None:
            undrawn.append(label)
            continue
        missing = [r for r in rows if not r.applicable]
        caption = (
            "不适用 / n/a: " + "; ".join(f"{r.name} ({r.why})" if r.why else r.name for r in missing)
            if missing
            else ""
        )
        drawn.append(
            f'<figure class="chart indicator" data-indicator="{e(key)}" data-period="{e(period)}" '
            f'data-measure="{e(rows[0].measure)}">{svg}'
            + (f"<figcaption>{e(caption)}</figcaption>" if caption else "")
            + "</figure>"
        )
    parts = ['<section class="indicators" id="indicators"><h2>指标 Indicators</h2>']
    if view.indicators:
        parts.append(f'<p class="meta">{e(INDICATOR_KEY)}</p>')
        parts.append(f'<div class="charts indicator-charts">{"".join(drawn)}</div>')
        if undrawn:
            parts.append(
                f'<p class="meta">未绘图（无人适用或为是/否项）Not drawn (nobody applicable, or yes/no): '
                f"{e('; '.join(undrawn))}</p>"
            )
        parts.append(_indicator_table(view.indicators, view))
    if view.scorecards:
        parts.append(_scorecard_table(view.scorecards, view))
    parts.append("</section>")
    return "".join(parts)


def _indicator_table(rows: Sequence[IndicatorRow], view: PeriodView, *, who: bool = True) -> str:
    body = []
    for r in rows:
        sign = "≥ " if r.better == "higher" else "≤ "
        standard = "—" if r.standard is None else sign + indicator_text(r.standard, r.measure)
        # a ratio's two counts (a count has no denominator: its numerator is its value)
        fraction = "" if r.denominator is None else f"{shown(r.numerator)} / {shown(r.denominator)}"
        met = met_text(r.met)
        css = "met" if r.met else "not-met" if r.met is False else ""
        item = f' <span class="meta">项 item {e(r.item)}</span>' if r.item else ""
        body.append(
            f'<tr class="{"dept" if r.department else ""}"><td>{e(r.name_zh)}<br>'
            f'<span class="zh">{e(r.name_en)}</span></td>'
            + (f'<td title="{e(r.person)}">{e(r.name)}</td>' if who else "")
            + f"<td>{e(r.period)}</td>"
            f'<td class="num">{e(indicator_text(r.value, r.measure))}</td>'
            f'<td class="num">{e(fraction)}</td><td class="num">{e(standard)}</td>'
            f'<td class="{css}">{e(met)}</td><td>{_clause_link(r.clause, view)}{item}</td>'
            f"<td>{e(indicator_note(r))}</td></tr>"
        )
    return (
        '<div class="scroll"><table class="indicators"><tr><th>指标 Indicator</th>'
        + ("<th>姓名 Name</th>" if who else "")
        + '<th>期间 Period</th><th class="num">数值 Value</th><th class="num">分子 / 分母 Num. / den.</th>'
        '<th class="num">标准 Standard</th><th>达标 Met</th><th>条款 Clause</th><th>注 Note</th></tr>'
        + "".join(body)
        + "</table></div>"
    )


def _scorecard_table(cards: Sequence[ScorecardRow], view: PeriodView, *, who: bool = True) -> str:
    items: dict[str, None] = {}
    for card in cards:
        items.update(dict.fromkeys(card.items))
    head = "".join(f'<th class="num">{e(item_names(k)[0])}<br>{e(item_names(k)[1])}</th>' for k in items)
    rows = []
    for card in cards:
        total = f"{_points(card.total)} / {_points(card.full_mark)}"
        cells = "".join(f'<td class="num">{e(_points(card.items.get(k)))}</td>' for k in items)
        rows.append(
            "<tr>"
            + (f'<td title="{e(card.person)}">{e(card.name)}</td>' if who else "")
            + f'<td>{e(card.period)}</td><td class="num"><b>{e(total)}</b></td>{cells}'
            f"<td>{e(', '.join(card.raters) or '定性项未评分 not rated')}</td></tr>"
        )
    clause = _clause_link(cards[0].clause, view)
    return (
        f"<h3>业绩考核表 Scorecards ({clause})</h3>"
        '<div class="scroll"><table class="scorecards"><tr>'
        + ("<th>姓名 Name</th>" if who else "")
        + f'<th>期间 Period</th><th class="num">总分 Total</th>{head}<th>评分人 Raters</th></tr>'
        + "".join(rows)
        + "</table></div>"
    )


def _points(value: Decimal | None) -> str:
    return "—" if value is None else figure_text(value, POINTS)


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
        '<h2>参数 Parameters</h2><div class="scroll"><table><tr><th>Name</th><th>Value</th><th>Default</th>'
        f"<th>Basis</th><th>Clause</th><th>Meaning</th></tr>{rows}</table></div>"
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
        f"<h2>汇总 Summary</h2>{_summary_table(view, person_href)}{_indicators(view)}"
        + (f"<h2>明细 Every line, by person</h2>{''.join(sections)}" if lines else "")
        + f"{_clauses(view)}{_parameters(view)}"
    )
    return _page(_title(view), body)


def _state_table(state: Mapping[str, Any] | None) -> str:
    if not state:
        return "<p>无 none</p>"
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(shown(v, str(k)))}</td></tr>" for k, v in state.items())
    return f'<div class="scroll"><table><tr><th>项目 Item</th><th>值 Value</th></tr>{rows}</table></div>'


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
    mine = view.indicators_of(person)
    cards = view.scorecards_of(person)
    indicators = (
        "<h2>指标 Indicators</h2>"
        + (_indicator_table(mine, view, who=False) if mine else "")
        + (_scorecard_table(cards, view, who=False) if cards else "")
        if mine or cards
        else ""
    )
    title = f"{p.name} — {view.business_line} {view.period}"
    body = (
        f"<h1>{e(p.name)} <span class='meta'>{e(p.id)}</span></h1>"
        f"<p class='meta'>{e(' · '.join(x for x in (p.branch, p.role, _title(view)) if x))}</p>{_meta(view)}"
        f'<div class="cards">{totals}</div>{flags}{note}<h2>明细 Lines</h2>{_lines_table(p.lines, view)}'
        f"{indicators}{carried}{_clauses(_only(view, p, mine, cards))}"
    )
    return _page(title, body)


def _lines_note(p: PersonSummary) -> str:
    """The lines are shown each rounded to the cent: where they do not add up to the pay (the
    exact total, rounded), the slip says so rather than leave the person to find the cent."""
    if CNY not in p.rounded_lines:
        return ""
    note = rounding_note(zh="以下各笔", en="The lines below", added=p.rounded_lines[CNY], exact=p.totals[CNY])
    return f'<p class="meta note">{e(note)}</p>' if note else ""


def _only(view: PeriodView, person: PersonSummary, indicators=(), scorecards=()) -> PeriodView:
    return dataclasses.replace(
        view, people=[person], indicators=list(indicators), scorecards=list(scorecards)
    )
