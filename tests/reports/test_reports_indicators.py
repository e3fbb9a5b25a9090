"""The indicator section of a closed period as a department manager and a finance clerk read it:
the view keeps it apart from the pay, the workbook has a sheet of it (ratios as percentages, a
not-applicable indicator an empty cell with its reason, never 0), and the page has a table and a
chart an indicator against its standard, drawn inside its SVG in a real browser, on a desktop
and on a phone. The section is what the telecom plugin writes for a small facts document with
customers, visits, plans and complaints; its figures are worked below.
"""

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kamkit.explain import in_indicator_section
from kamkit.facts import Scorecard
from kamkit.facts_schema import load_facts
from kamkit.kpi import scorecard_score
from kamkit.loader import load_plugin
from reports import Directory, charts, html, period_view, write_period, xlsx
from reports.names import SCORECARD_ITEMS, item_names
from reports.view import DEPARTMENT_NAME

# Two account managers with a monthly task of 20,000 (a quarter's plan: 60,000 each).
# am1 (林晓): deals 54,000 -> sales plan 54,000 / 60,000 = 90.00%, at the 90% standard: met.
#   cu1 big from the start, kept -> churn 0 / 1 = 0%, met (standard 0). March's plan names cu2 for
#   a revisit, visited 03-03 -> revisit rate 1 / 1 = 100%, met. Complaint k1 (staff's fault) received
#   03-02, resolved 03-03 -> resolution 1 / 1 = 100%, met; valid complaints 1, not met (standard 0).
# am2 (a 38-character name): deals 30,000 -> 30,000 / 60,000 = 50.00%, not met. cu3 big, kept:
#   churn 0 / 1. No revisit planned, no complaint: revisit and resolution rates not applicable.
# The department: 84,000 / 120,000 = 70.00%, not met; revisit 1 / 1; resolution 1 / 1; churn 0 / 2.
# Nobody has a development plan, feedback falling due or a service budget: those ratios are not
# applicable for everyone (not drawn); growth has no previous quarter (not applicable either).
LONG = "Alexandra Konstantinopoulou-Vanderbilt"
FACTS = {
    "business_line": "big-customers",
    "month": "2026-03",
    "quarter": "2026-Q1",
    "branches": [{"id": "gl", "name": "鼓楼分公司"}],
    "people": [
        {"id": "am1", "role": "account_manager", "name": "林晓", "branch": "gl", "monthly_task": 20000},
        {"id": "am2", "role": "account_manager", "name": LONG, "branch": "gl", "monthly_task": 20000},
    ],
    "deals": [
        {"id": "d1", "seller": "am1", "date": "2026-02-03", "list_price": 60000, "deal_price": 54000},
        {"id": "d2", "seller": "am2", "date": "2026-03-03", "list_price": 30000, "deal_price": 30000},
    ],
    "customers": [
        {"id": "cu1", "name": "Harbour Steel", "owner": "am1", "big": True},
        {"id": "cu2", "name": "海港物流", "owner": "am1"},
        {"id": "cu3", "name": "Minjiang Port", "owner": "am2", "big": True},
    ],
    "visit_plans": [
        {
            "person": "am1",
            "month": "2026-03",
            "submitted": "2026-02-27",
            "customers": ["cu1"],
            "revisits": ["cu2"],
        }
    ],
    "visits": [{"id": "v1", "person": "am1", "customer": "cu2", "date": "2026-03-03", "purpose": "revisit"}],
    "complaints": [
        {
            "id": "k1",
            "person": "am1",
            "customer": "cu1",
            "received": "2026-03-02",
            "resolved": "2026-03-03",
            "fault": "staff",
        }
    ],
}
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
DRAWN_RATIOS = {"sales_plan_completion", "revisit_rate", "complaint_resolution_rate", "churn_rate"}
NOBODY = "no development plan for the period"


def _sheet(period="quarter"):
    """The sheet as a service (or `kam ... --xlsx`) hands it over: the indicator section apart."""
    plugin = load_plugin("telecom", {})
    facts = load_facts(FACTS)
    run = plugin.commission_quarter(facts, {}) if period == "quarter" else plugin.assess_month(facts)
    described = plugin.describe()
    directory = Directory.of(
        [{"id": p.id, "name": p.name, "branch": p.branch, "role": p.role} for p in facts.people],
        [{"id": b.id, "name": b.name} for b in facts.branches],
        described,
    )
    lines = [line.to_dict() for line in run.lines]
    sheet = {
        "business_line": "big-customers",
        "period": "2026-Q1" if period == "quarter" else "2026-03",
        "version": 1,
        "plugin": "telecom",
        "status": "closed",
        "closed_at": "2026-04-01T08:00:00",
        "lines": [line for line in lines if not in_indicator_section(line)],
        "indicators": [line for line in lines if in_indicator_section(line)],
    }
    return sheet, directory, described


@pytest.fixture(scope="module")
def quarter():
    return _sheet("quarter")


def _row(view, key, person):
    return next(r for r in view.indicators if r.key == key and r.person == person)


def test_the_view_reads_the_section_apart_from_the_pay(quarter):
    sheet, directory, described = quarter
    view = period_view(sheet, directory, described)
    bare = period_view({**sheet, "indicators": []}, directory, described)
    # the pay and its people are what they are without the section; the department is no person
    assert view.totals == bare.totals and [p.id for p in view.people] == [p.id for p in bare.people]
    assert "*" not in {p.id for p in view.people}
    dept = _row(view, "sales_plan_completion", "*")
    assert (dept.name, dept.value, dept.met) == (DEPARTMENT_NAME, Decimal("0.7"), False)
    am1 = _row(view, "sales_plan_completion", "am1")
    assert (am1.name, am1.branch, am1.value, am1.standard, am1.met) == (
        "林晓",
        "鼓楼分公司",
        Decimal("0.9"),
        Decimal("0.9"),
        True,
    )
    na = _row(view, "revisit_rate", "am2")
    assert (na.value, na.met, na.applicable, na.why) == (
        None,
        None,
        False,
        "no revisit planned in the period",
    )
    # each indicator's rows together (as the plugin defines them), the department first
    runs = [r.key for i, r in enumerate(view.indicators) if i == 0 or view.indicators[i - 1].key != r.key]
    assert len(runs) == len(set(runs)) == 13 and runs[0] == "sales_plan_completion"
    assert all(rows[0].person == "*" for _, rows in view.indicator_groups())
    cards = {c.person: (c.total, c.full_mark, c.items["service_attitude"]) for c in view.scorecards}
    assert cards == {
        "am1": (Decimal(43), Decimal(90), Decimal(3)),
        "am2": (Decimal(30), Decimal(90), Decimal(5)),
    }
    # a sheet that left its section among its lines reads the same
    mixed = period_view({**sheet, "lines": sheet["lines"] + sheet["indicators"], "indicators": []}, directory)
    assert [(r.key, r.person, r.value) for r in mixed.indicators] == [
        (r.key, r.person, r.value) for r in view.indicators
    ]
    assert mixed.totals == view.totals and "*" not in {p.id for p in mixed.people}


def test_the_workbook_has_a_sheet_of_indicators(tmp_path, quarter):
    sheet, directory, described = quarter
    path = xlsx.write(period_view(sheet, directory, described), tmp_path / "q.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Lines", xlsx.INDICATORS, "Parameters"]
    ws = book[xlsx.INDICATORS]
    head = [c.value for c in ws[2]]
    col = {name: i for i, name in enumerate(head)}
    assert head[:6] == ["Person id", "Name", "Branch", "Indicator", "Indicator (English)", "Period"]
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["E"].width > 10  # widths fit the content
    rows = {}
    for r in ws.iter_rows(min_row=3):
        if r[0].value is None:
            break  # the end of the filtered table: the scorecards follow
        rows[r[0].value, r[col["Indicator (English)"]].value] = r
    assert len(rows) == len(period_view(sheet, directory).indicators)
    # a ratio: a number with a percent format
    ratio = rows["am1", "Sales plan completion"]
    assert isinstance(ratio[col["Value"]].value, float) and ratio[col["Value"]].value == pytest.approx(0.9)
    assert ratio[col["Value"]].number_format == xlsx.PERCENT == "0.00%"
    assert ratio[col["Standard"]].number_format == xlsx.PERCENT
    assert (ratio[col["Numerator"]].value, ratio[col["Denominator"]].value) == (54000, 60000)
    assert ratio[col["Met"]].value == "达标 met" and ratio[col["Clause"]].value == "001 §2.1"
    assert rows["am2", "Sales plan completion"][col["Met"]].value == "未达标 not met"
    assert rows["*", "Sales plan completion"][col["Name"]].value == DEPARTMENT_NAME
    # not applicable: an empty value cell, never 0, the reason in the note, neither met nor missed
    na = rows["am2", "Revisit rate"]
    assert na[col["Value"]].value is None
    assert na[col["Note"]].value == "不适用 / n/a: no revisit planned in the period"
    assert na[col["Met"]].value is None
    nobody = rows["am1", "Development plan completion"]
    assert nobody[col["Value"]].value is None and nobody[col["Note"]].value == f"不适用 / n/a: {NOBODY}"
    # a count: a whole number
    count = rows["am1", "Valid complaints"]
    assert count[col["Value"]].value == 1 and count[col["Value"]].number_format == xlsx.COUNT
    assert count[col["Met"]].value == "未达标 not met"
    # no standard: shown, not judged
    upgraded = rows["am1", "Customers upgraded to big"]
    assert upgraded[col["Value"]].value == 0 and upgraded[col["Met"]].value is None
    assert "no standard" in upgraded[col["Note"]].value
    # the §十一 sheets below: total on 90 and each item's points
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=3 + len(rows))]
    title = next(i for i, r in enumerate(values) if r[0] and str(r[0]).startswith("业绩考核表"))
    card_head = values[title + 2]
    assert card_head[:6] == ["Person id", "Name", "Branch", "Period", "Total", "Full mark"]
    cards = {r[0]: dict(zip(card_head, r)) for r in values[title + 3 :] if r[0]}
    # am1: sales 90% is the standard, 15; no complaint hours, 10; nothing collected, 0; relationship
    # 10; attendance 5; service attitude 5 less 2 for the complaint, 3: 43 of 90
    assert cards["am1"]["Total"] == 43 and cards["am1"]["Full mark"] == 90
    assert cards["am1"]["Sales target completion"] == 15 and cards["am1"]["Service attitude"] == 3
    assert sum(v for k, v in cards["am1"].items() if k in {n[1] for n in SCORECARD_ITEMS.values()}) == 43


def test_a_sheet_without_indicators_has_no_indicator_sheet(tmp_path, quarter):
    sheet, directory, described = quarter
    path = xlsx.write(period_view({**sheet, "indicators": []}, directory, described), tmp_path / "q.xlsx")
    assert xlsx.INDICATORS not in load_workbook(path).sheetnames


def _indicator(person, measure, value, standard="24", **inputs):
    return {
        "person": person,
        "role": "account_manager",
        "figure": value,
        "unit": "info",
        "kind": "indicator",
        "clause": "001 §2.1",
        "reason_zh": "原因",
        "reason_en": "reason",
        "inputs": {
            "indicator": f"some_{measure}",
            "item": "9",
            "name_zh": "某指标",
            "name_en": f"Some {measure}",
            "period": "2026-03",
            "measure": measure,
            "value": value,
            "numerator": value,
            "denominator": None,
            "standard": standard,
            "better": "lower",
            "met": None if value is None else Decimal(value) <= Decimal(standard),
            "applicable": value is not None,
            "not_applicable_because": None if value is not None else "no complaint in the period",
            **inputs,
        },
    }


def test_hours_to_two_places_and_flags_as_yes_or_no(tmp_path):
    sheet = {
        "business_line": "t",
        "period": "2026-03",
        "lines": [],
        "indicators": [
            _indicator("a", "hours", "7.5"),
            _indicator("b", "hours", None),
            _indicator("a", "flag", "0", standard="1"),
        ],
    }
    ws = load_workbook(xlsx.write(period_view(sheet), tmp_path / "m.xlsx"))[xlsx.INDICATORS]
    hours, missing, flag = (list(r) for r in ws.iter_rows(min_row=3, max_row=5))
    assert (hours[6].value, hours[6].number_format) == (7.5, xlsx.HOURS)
    assert missing[6].value is None and missing[-1].value == "不适用 / n/a: no complaint in the period"
    assert (flag[6].value, flag[6].number_format) == (0, xlsx.YES_NO)
    page = html.period_page(period_view(sheet))
    assert "7.50 h" in page and "否 no" in page


def test_every_item_of_the_sheet_has_a_name():
    items = scorecard_score(Scorecard(), {"kpi_sheet": {}}).items
    assert set(items) <= set(SCORECARD_ITEMS)
    assert all(zh != key and en != key for key, (zh, en) in SCORECARD_ITEMS.items())
    assert item_names("bonus_round") == ("Bonus round", "Bonus round")


def test_a_chart_per_ratio_indicator_with_its_standard_drawn(quarter):
    sheet, directory, described = quarter
    view = period_view(sheet, directory, described)
    groups = dict(view.indicator_groups())
    drawn = {key for (key, _), rows in groups.items() if rows[0].measure == "ratio"}
    drawn = {k for k in drawn if charts.indicator_figure(groups[k, "2026-Q1"]) is not None}
    assert drawn == DRAWN_RATIOS
    # revisit rate: am1 and the department drawn, am2 (not applicable) not drawn as 0
    fig = charts.indicator_figure(groups["revisit_rate", "2026-Q1"])
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    # bottom-up, each bar's name left of it and its value at its end; the department's name bold
    # and its bar hatched
    texts = [(t.get_text(), *t.get_position(), t.get_fontweight()) for t in ax.texts]
    assert texts == [
        ("林晓", 0, 0, "normal"),
        ("100.00%", 100.0, 0, "normal"),
        (DEPARTMENT_NAME, 0, 1, "bold"),
        ("100.00%", 100.0, 1, "normal"),
    ]
    assert [p.get_y() + p.get_height() / 2 for p in ax.patches] == [0, 1]
    assert [p.get_hatch() for p in ax.patches] == [None, "///"]
    # the standard (100%) a dashed vertical line, the axis in percent
    (standard,) = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert list(standard.get_xdata()) == [100.0, 100.0]
    # sales plan: 70% (department), 50%, 90% as bars; the standard at 90
    ax = charts.indicator_figure(groups["sales_plan_completion", "2026-Q1"]).axes[0]
    assert sorted(round(p.get_width(), 6) for p in ax.patches) == [50.0, 70.0, 90.0]
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[90.0, 90.0]]
    # nobody applicable: no chart
    assert charts.indicator_figure(groups["development_plan_completion", "2026-Q1"]) is None


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # no Chinese font here: measured narrow
def test_an_indicator_chart_keeps_every_label_inside_and_is_drawn_once(quarter, monkeypatch):
    sheet, directory, described = quarter
    view = period_view(sheet, directory, described)
    # long names (wrapped, one over four lines), a Chinese one, the department: the axes is placed
    # by hand (charts._fit), not by a layout engine
    am2 = _row(view, "sales_plan_completion", "am2")
    names = [LONG, "欧阳" + "娜" * 14, "Bo", LONG * 2]
    many = [_row(view, "sales_plan_completion", "*")]
    many += [dataclasses.replace(am2, person=f"p{i}", name=name) for i, name in enumerate(names)]
    for rows in [*(rows for _, rows in view.indicator_groups()), many]:
        fig = charts.indicator_figure(rows)
        if fig is None:
            continue
        fig.canvas.draw()
        (ax,) = fig.axes
        low, high = ax.get_xlim()
        ticks = [t for at, t in zip(ax.get_xticks(), ax.get_xticklabels()) if low <= at <= high]
        texts = [*ax.texts, *ticks, ax.title, ax.xaxis.label]
        assert len(ax.texts) == 2 * len(ax.patches) == 2 * sum(r.applicable for r in rows)
        for text in (t for t in texts if t.get_text().strip()):
            box = text.get_window_extent()
            inside = fig.bbox.x0 - 0.5 <= box.x0 and box.x1 <= fig.bbox.x1 + 0.5
            assert inside and fig.bbox.y0 - 0.5 <= box.y0 and box.y1 <= fig.bbox.y1 + 0.5, text.get_text()
    # what a page pays for each chart: one drawing of the figure (no layout engine, no tight crop)
    drawings = []
    draw = charts.Figure.draw
    monkeypatch.setattr(charts.Figure, "draw", lambda fig, r: drawings.append(fig) or draw(fig, r))
    assert "<svg" in charts.indicator_chart(many)
    assert len(drawings) == 1


def test_the_page_has_the_section_a_chart_per_ratio_and_lists_who_is_not_applicable(quarter):
    sheet, directory, described = quarter
    view = period_view(sheet, directory, described)
    page = html.period_page(view)
    assert '<section class="indicators" id="indicators"><h2>指标 Indicators</h2>' in page
    figures = page.split('<figure class="chart indicator"')[1:]
    ratios = {f.split('data-indicator="')[1].split('"')[0] for f in figures if 'data-measure="ratio"' in f}
    assert ratios == DRAWN_RATIOS
    for f in figures:
        svg = f.split("</figure>")[0]
        assert "<svg" in svg
        if 'data-measure="ratio"' in f:
            assert "stroke-dasharray" in svg  # the standard, dashed
    revisit = next(f for f in figures if 'data-indicator="revisit_rate"' in f)
    assert f"不适用 / n/a: {LONG} (no revisit planned in the period)" in revisit
    assert "Development plan completion (2026-Q1)" in page.split("Not drawn")[1].split("</p>")[0]
    table = page.split('<table class="indicators">')[1].split("</table>")[0]
    assert table.count("<tr") == 1 + len(view.indicators)
    assert '<tr class="dept"><td>大客户销售计划完成率' in table and "70.00%" in table
    assert "54,000 / 60,000" in table and "≥ 90.00%" in table and "未达标 not met" in table
    assert f"不适用 / n/a: {NOBODY}" in table
    cards = page.split('<table class="scorecards">')[1].split("</table>")[0]
    assert "43 / 90" in cards and "30 / 90" in cards
    # a person's statement: their own indicators, not the others'
    slip = html.statement_page(view, "am1")
    mine = slip.split('<table class="indicators">')[1].split("</table>")[0]
    assert mine.count("<tr") == 1 + sum(1 for r in view.indicators if r.person == "am1")
    assert "43 / 90" in slip and "30 / 90" not in slip


def test_a_month_shows_its_monthly_indicators_and_the_flag_undrawn(tmp_path):
    sheet, directory, described = _sheet("month")
    view = write_period(sheet, tmp_path / "m", directory, plugin=described)
    keys = {r.key for r in view.indicators}
    assert keys == {"big_customers_lost", "visit_plan_on_time", "visit_plan_completion"}
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert 'data-indicator="visit_plan_completion"' in page
    assert 'data-indicator="visit_plan_on_time"' not in page  # yes or no: read from the table
    ws = load_workbook(tmp_path / "m.xlsx")[xlsx.INDICATORS]
    flags = [r for r in ws.iter_rows(min_row=3) if r[4].value == "Next month's visit plan on time"]
    assert flags and all(r[6].number_format == xlsx.YES_NO for r in flags)


def test_the_cli_writes_the_section(tmp_path):
    from kamcli.main import main

    book, page = tmp_path / "q.xlsx", tmp_path / "q.html"
    code = main(
        [
            "commission-quarter",
            "telecom",
            str(ROOT / "examples" / "telecom.yaml"),
            "--xlsx",
            str(book),
            "--html",
            str(page),
            "--json",
        ]
    )
    assert code == 0 and xlsx.INDICATORS in load_workbook(book).sheetnames
    assert 'id="indicators"' in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_section_renders_in_a_browser_with_every_label_inside_its_chart(
    browser, page_errors, texts_outside, tmp_path, quarter, width
):
    sheet, directory, described = quarter
    write_period(sheet, tmp_path / "q", directory, plugin=described, statements=tmp_path / "people")
    if width < 600:  # a phone: its width, and the page laid out for it (the viewport meta)
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 800, "deviceScaleFactor": 2, "mobile": True},
        )
    try:
        browser.get((tmp_path / "q.html").as_uri())
        assert page_errors() == []
        section = browser.find_element("id", "indicators")
        assert section.is_displayed() and "Sales plan completion" in section.text
        assert DEPARTMENT_NAME in section.text and f"不适用 / n/a: {NOBODY}" in section.text
        ratios = browser.find_elements("css selector", '#indicators figure[data-measure="ratio"] svg')
        assert len(ratios) == len(DRAWN_RATIOS)
        for svg in ratios:
            assert 100 < svg.size["width"] <= width  # drawn, and no wider than the screen
            dashed = svg.find_elements("css selector", "path[style*='stroke-dasharray']")
            assert dashed, "the standard is drawn"
        drawn, outside = texts_outside("#indicators svg")
        assert drawn >= len(DRAWN_RATIOS) and outside == []
        # nothing wider than the screen: wide tables scroll inside the page
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        browser.execute_script("arguments[0].scrollIntoView()", section)
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / f"telecom-quarter-indicators-{width}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
