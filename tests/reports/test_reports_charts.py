"""The charts on the period's page (reports/charts.py): long names are wrapped and laid out inside
the figure, the SVG leaves the browser room for Chinese drawn wider than matplotlib measured it,
and a period is compared only with periods of its kind (months with months, quarters with
quarters), both named."""

import re
from decimal import Decimal

import matplotlib.pyplot as plt
import pytest

from reports import Directory, charts, html, period_view
from reports.view import PeriodTotals, change, comparable, display_width

LONG = "Alexandra Konstantinopoulou-Vanderbilt X"  # 40 characters
LONG_ZH = "欧阳" + "娜" * 10  # 12 Chinese characters: 24 columns, one line when wrapped


def _line(person, figure, unit="points", clause="000 §(三)(一)2", kind="quota_shortfall"):
    return {
        "person": person,
        "role": "account_manager",
        "figure": figure,
        "unit": unit,
        "kind": kind,
        "clause": clause,
        "reason_zh": "原因",
        "reason_en": "reason",
        "inputs": {},
    }


def _view(period="2026-03", people=None, lines=None):
    people = people or [
        {"id": "a", "name": LONG, "branch": "far"},
        {"id": "b", "name": LONG_ZH},
        {"id": "c", "name": "Bo", "branch": "near"},
    ]
    lines = lines or [_line("a", "5"), _line("b", "4", clause="000 §(三)(一)1"), _line("c", "1")]
    branches = [
        {"id": "far", "name": "Fuzhou Gulou District East Street Branch"},
        {"id": "near", "name": "N"},
    ]
    return period_view(
        {"business_line": "t", "period": period, "lines": lines}, Directory.of(people, branches)
    )


def _texts(fig):
    """Every text drawn: tick labels (those in view), titles, axis labels, legend entries."""
    found = []
    for ax in fig.axes:
        found += _in_view(ax.xaxis) + _in_view(ax.yaxis) + [ax.title, ax.xaxis.label, ax.yaxis.label]
        found += ax.get_legend().get_texts() if ax.get_legend() else []
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def _in_view(axis):
    """The tick labels drawn: matplotlib keeps labels for ticks beyond the axis's limits too."""
    low, high = sorted(axis.get_view_interval())
    return [t for at, t in zip(axis.get_majorticklocs(), axis.get_majorticklabels()) if low <= at <= high]


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # no Chinese font here: measured narrow
@pytest.mark.parametrize(
    "draw", [lambda v: charts.top_people_figure(v), lambda v: charts.points_by_branch_figure(v)]
)
def test_long_names_are_drawn_inside_the_figure(draw):
    fig = draw(_view())
    try:
        fig.canvas.draw()
        ticks = [t for ax in fig.axes for t in (*ax.get_yticklabels(), *ax.get_xticklabels()) if t.get_text()]
        labels = " ".join(t.get_text().replace("\n", " ") for t in ticks)
        assert "Alexandra" in labels or "Fuzhou" in labels  # the long names are there, wrapped
        for text in _texts(fig):  # every tick label, and the title, axis labels and legend too
            box = text.get_window_extent()
            inside = fig.bbox.x0 - 0.5 <= box.x0 and box.x1 <= fig.bbox.x1 + 0.5
            assert inside and fig.bbox.y0 - 0.5 <= box.y0 and box.y1 <= fig.bbox.y1 + 0.5, text.get_text()
    finally:
        plt.close(fig)


def test_a_label_is_wrapped_to_its_width_and_keeps_every_character():
    for text in (LONG, LONG_ZH + " (Fuzhou Gulou District)", "x" * 60, "王" * 30):
        wrapped = charts.wrap(text, 24)
        assert all(display_width(line) <= 24 for line in wrapped.split("\n")), wrapped
        assert wrapped.replace("\n", "").replace(" ", "") == text.replace(" ", "")
    assert charts.wrap("Bo (North)") == "Bo (North)"


def test_the_svg_leaves_room_for_chinese_drawn_a_full_em_wide():
    # the browser draws each Chinese character an em wide; right-aligned, a name of 12 grows left
    # (the longest label here: nothing else widens the margin)
    people = [{"id": "b", "name": LONG_ZH}, {"id": "c", "name": "Bo"}]
    svg = charts.top_people(_view(people=people, lines=[_line("b", "4"), _line("c", "1")]))
    view_box = [float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split()]
    found = 0
    for style, x, text in re.findall(r'<text style="([^"]*)" x="([-\d.]+)"[^>]*>([^<]*)</text>', svg):
        size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
        if "text-anchor: end" in style and text and all(display_width(c) == 2 for c in text):
            found += 1
            assert float(x) - len(text) * size >= view_box[0], text
    assert found == 1


def _totals(period, figure):
    return PeriodTotals(period, {"CNY" if "Q" in period else "points": Decimal(figure)})


HISTORY = [
    _totals("2026-01", 4),
    _totals("2026-Q1", 30),  # the line's quarters run beside its months
    _totals("2026-02", 9),
    _totals("2026-02", 6),  # February closed again after a reopen: this one counts
    _totals("2026-04", 1),  # after the period shown
    _totals("2025-Q4", 12),
]


def test_a_month_is_compared_with_months_and_a_quarter_with_quarters():
    months = comparable([*HISTORY, _totals("2026-03", 7)], "2026-03")
    assert [(m.period, m.totals["points"]) for m in months] == [
        ("2026-01", 4),
        ("2026-02", 6),
        ("2026-03", 7),
    ]
    assert change(months, "points").text() == "2026-03 vs 2026-02: 7 (+1 from 6)"
    quarters = comparable([*HISTORY, _totals("2026-Q2", 20)], "2026-Q2")
    assert [q.period for q in quarters] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert change(quarters, "CNY").text() == "2026-Q2 vs 2026-Q1: 20.00 (-10.00 from 30.00)"
    assert change(comparable(HISTORY, "2025-Q4"), "CNY") is None  # nothing before it


def test_the_trend_and_the_page_name_both_periods_of_one_kind():
    view = _view("2026-03")
    fig = charts.trend_figure([*HISTORY, view], current=view.period)
    try:
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert ticks == ["2026-01", "2026-02", "2026-03"]
        title = fig.axes[0].get_title()
        assert "Month over month" in title and "2026-03 vs 2026-02: 10 (+4 from 6)" in title
    finally:
        plt.close(fig)
    page = html.period_page(view, HISTORY)
    assert "月度环比 Month over month (扣分 points): 2026-03 vs 2026-02: 10 (+4 from 6)" in page
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", page)
    assert "2026-02" in drawn and not [t for t in drawn if "Q" in t and "2026" in t]
    # a quarter's page: quarters only
    quarter = _view("2026-Q1", lines=[_line("a", "1234.5", unit="CNY", kind="commission")])
    page = html.period_page(quarter, HISTORY)
    assert (
        "季度环比 Quarter over quarter (元 CNY): 2026-Q1 vs 2025-Q4: 1,234.50 (+1,222.50 from 12.00)" in page
    )
    assert not [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", page) if re.fullmatch(r"2026-\d\d", t)]
