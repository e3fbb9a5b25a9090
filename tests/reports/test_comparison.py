"""A what-if comparison as people read it (reports/comparison.py): the terminal's table lines up
(a Chinese character two columns), money is rounded half-up only when shown and a difference
carries its sign, a figure a run did not give is empty (never 0), the workbook's numbers and
totals add up to the cent, and the page is one parsable file with its chart and every person."""

import copy
from decimal import Decimal
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import pytest
from openpyxl import load_workbook

from reports import comparison as cmp
from reports.view import display_width


def _line(person, figure, unit="CNY", kind="commission", clause="002 §二1", **inputs):
    return {
        "person": person,
        "role": "account_manager",
        "figure": figure,
        "unit": unit,
        "kind": kind,
        "clause": clause,
        "reason_zh": "原因",
        "reason_en": "reason",
        "inputs": inputs,
    }


# Worked by hand (CNY half-up to the cent when shown; points exact):
#   am1 王芳     base 1234.505 -> 1,234.51   other 1500 -> 1,500.00   delta 265.495 -> +265.50
#                (the two shown columns subtracted give 265.49: a note says so)
#                points 3 -> 1.5, delta -1.5
#   am2 Bob <Li> base 1000.004 -> 1,000.00   other 990.004 -> 990.00   delta -10 -> -10.00
#                points 2 -> 2, delta 0
#   am3 欧阳李雷 only the other rules pay her: base empty, other 300.125 -> 300.13, delta +300.13;
#                no points at all: three empty cells
# Totals row = the shown cells added: base 1234.51 + 1000.00 = 2234.51 (exact 2234.509 -> 2234.51);
#   other 1500.00 + 990.00 + 300.13 = 2790.13 (exact 2790.129 -> 2790.13);
#   delta 265.50 - 10.00 + 300.13 = 555.63, but exact 555.620 -> 555.62: a note gives both.
#   points 5, 3.5, -1.5.
ANSWER = {
    "business_line": "soft",
    "period": "2026-Q1",
    "facts_tick": 1234,
    "base": {
        "plugin": "software",
        "plugin_version": "1.0.0",
        "parameters": {"k": "v", "rate": "0.08"},
        "version": 1,
        "source": "closed version 1",
    },
    "other": {"plugin": "software-progressive", "plugin_version": "1.0.0", "parameters": {"rate": "0.10"}},
    "units": ["CNY", "points"],
    "people": [
        {
            "person": "am1",
            "name": "王芳",
            "role": "account_manager",
            "figures": {
                "CNY": {"base": "1234.505", "other": "1500", "delta": "265.495"},
                "points": {"base": "3", "other": "1.5", "delta": "-1.5"},
            },
        },
        {
            "person": "am2",
            "name": "Bob <Li>",
            "role": "account_manager",
            "figures": {
                "CNY": {"base": "1000.004", "other": "990.004", "delta": "-10"},
                "points": {"base": "2", "other": "2", "delta": "0"},
            },
        },
        {
            "person": "am3",
            "name": "欧阳李雷",
            "role": "agent",
            "figures": {"CNY": {"base": None, "other": "300.125", "delta": "300.125"}},
        },
    ],
    "totals": {
        "CNY": {"base": "2234.509", "other": "2790.129", "delta": "555.620"},
        "points": {"base": "5", "other": "3.5", "delta": "-1.5"},
    },
    "problems": [{"field": "people.2.role", "message": "agent: a role the other rules do not know"}],
    "lines": {
        "base": [
            _line("am1", "1234.505", amount="12345.05"),
            _line("am1", None, unit="info", kind="indicator", clause="001 §6"),  # not applicable
            _line("am2", "1000.004"),
        ],
        "other": [_line("am1", "1500"), _line("am2", "990.004"), _line("am3", "300.125")],
    },
    "lines_left_out": None,
}
LEFT_OUT = "2,000,000 lines: too many to send; read them with get_run"


def _table_lines(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("人员"))
    end = next(i for i, line in enumerate(lines) if line.startswith("合计 Total"))
    return lines[start : end + 1]


def _row(text, person):
    return next(line for line in _table_lines(text) if line.startswith(person + " "))


def _groups(row):
    """A row's cells per unit (the text between the bars), split at spaces."""
    return [part.split() for part in row.split("|")[1:]]


def _end(row, token):
    """The display column where ``token`` ends in ``row``."""
    return display_width(row[: row.index(token) + len(token)])


def test_the_text_table_lines_up_and_shows_money_rounded_and_signed():
    text = cmp.comparison_text(ANSWER)
    table = _table_lines(text)
    assert len(table) == 2 + 1 + 3 + 1 + 1  # two header rows, a rule, three people, a rule, the total
    assert len({display_width(line) for line in table}) == 1, "\n".join(table)  # Chinese counts two
    am1, am2, am3 = (_row(text, p) for p in ("am1", "am2", "am3"))
    assert _groups(am1) == [["1,234.51", "1,500.00", "+265.50"], ["3", "1.5", "-1.5"]]
    assert _groups(am2) == [["1,000.00", "990.00", "-10.00"], ["2", "2", "0"]]
    # a side (or a unit) a run did not give is empty, never 0: only other and difference here
    assert _groups(am3) == [["300.13", "+300.13"], []]
    assert _end(am1, "+265.50") == _end(am2, "-10.00") == _end(am3, "+300.13")  # right-aligned
    assert _end(am1, "1,234.51") == _end(am2, "1,000.00")
    total = table[-1]
    assert _groups(total) == [["2,234.51", "2,790.13", "+555.63"], ["5", "3.5", "-1.5"]]
    # the header says what was compared with what, over which records
    assert "soft 2026-Q1" in text and "software@1.0.0" in text and "software-progressive@1.0.0" in text
    head = text.splitlines()[:5]
    assert "closed version 1" in head[1] and "computed now" in head[2]
    # only the parameters that differ (a closed version records every one it used)
    assert head[3] == "改动参数 Parameters changed: k v → 默认 default; rate 0.08 → 0.1"
    assert "1234" in head[4]
    # the cents that do not add up are explained; the problems are listed
    assert "+265.49" in text and "555.62" in text
    assert "people.2.role: agent: a role the other rules do not know" in text


def test_a_negative_cent_shows_as_zero_and_a_missing_difference_is_worked_out():
    answer = copy.deepcopy(ANSWER)
    answer["people"][0]["figures"]["CNY"] = {"base": "5.004", "other": "5", "delta": "-0.004"}
    answer["people"][2]["figures"]["CNY"] = {"other": "300.125"}  # no base, no delta given
    text = cmp.comparison_text(answer)
    assert _groups(_row(text, "am1"))[0] == ["5.00", "5.00", "0.00"]  # not -0.00
    assert _groups(_row(text, "am3"))[0] == ["300.13", "+300.13"]


def _cells(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_workbook_holds_the_figures_as_numbers_and_its_totals_add_up(tmp_path):
    path = cmp.comparison_workbook(ANSWER, tmp_path / "out" / "c.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["对比 Comparison", "基准 Base lines", "方案 Other lines", "参数 Rules"]
    sheet = book["对比 Comparison"]
    assert sheet.freeze_panes == "C3"
    rows = _cells(sheet)
    head = rows[1]  # the English header row (the first is Chinese)
    assert rows[0][:4] == ["人员", "姓名", "角色", "元 基准"]
    col = {name: head.index(name) for name in head}
    people, total = rows[2:-1], rows[-1]
    by_id = {r[0]: r for r in people}
    am1, am2, am3 = by_id["am1"], by_id["am2"], by_id["am3"]
    assert (am1[1], am1[2]) == ("王芳", "account_manager")
    assert [Decimal(str(am1[col[h]])) for h in ("CNY base", "CNY other", "CNY difference")] == [
        Decimal("1234.51"),
        Decimal("1500"),
        Decimal("265.50"),
    ]
    assert Decimal(str(am2[col["CNY difference"]])) == Decimal("-10")
    assert am3[col["CNY base"]] is None and am3[col["points base"]] is None  # empty, never 0
    assert "+265.49" in am1[col["Notes (rounding)"]]
    # number formats: money to the cent, a difference signed
    by_row = list(sheet.iter_rows(min_row=3))
    assert by_row[0][col["CNY base"]].number_format == "#,##0.00"
    assert by_row[0][col["CNY difference"]].number_format.startswith("+#,##0.00")
    # the total row adds the cells above it (as Excel's SUM would); where that is a cent off the
    # exact total, a note says both
    assert total[0] == "合计 Total"
    for name in (
        "CNY base",
        "CNY other",
        "CNY difference",
        "points base",
        "points other",
        "points difference",
    ):
        added = sum((Decimal(str(r[col[name]])) for r in people if r[col[name]] is not None), Decimal(0))
        assert Decimal(str(total[col[name]])) == added, name
    assert [Decimal(str(total[col[h]])) for h in ("CNY base", "CNY other", "CNY difference")] == [
        Decimal("2234.51"),
        Decimal("2790.13"),
        Decimal("555.63"),
    ]
    assert "555.62" in total[col["Notes (rounding)"]]


def test_the_workbook_lists_each_runs_lines_and_both_rule_sets(tmp_path):
    book = load_workbook(cmp.comparison_workbook(ANSWER, tmp_path / "c.xlsx"))
    base = _cells(book["基准 Base lines"])
    assert base[1][:8] == ["Person id", "Name", "Role", "Kind", "Kind (named)", "Clause", "Figure", "Unit"]
    assert len(base) == 2 + 3 and len(_cells(book["方案 Other lines"])) == 2 + 3
    first, not_applicable = base[2], base[3]
    assert first[1] == "王芳" and first[6] == 1234.51 and first[7] == "CNY" and first[10] == "amount=12345.05"
    assert not_applicable[6] is None and not_applicable[7] == "info"  # no figure: empty, not 0
    rules = {r[0]: r[1:] for r in _cells(book["参数 Rules"])[2:]}
    assert rules["规则插件 Plugin"][:2] == ["software", "software-progressive"]
    assert rules["数据时点 Facts tick"][:2] == [1234, 1234]
    assert rules["结账版本 Closed version"][:2] == [1, None]
    assert rules["来源 Source"][0] == "closed version 1" and "computed now" in rules["来源 Source"][1]
    assert rules["k"][:2] == ["v", None] and "plugin's default" in rules["k"][2]
    assert rules["rate"][:3] == [0.08, 0.1, "不同 differs"]


def test_lines_left_out_are_said_so_in_the_workbook(tmp_path):
    answer = {**ANSWER, "lines": None, "lines_left_out": LEFT_OUT}
    book = load_workbook(cmp.comparison_workbook(answer, tmp_path / "c.xlsx"))
    for title in ("基准 Base lines", "方案 Other lines"):
        cells = _cells(book[title])
        assert len(cells) == 1 and len(cells[0]) == 1 and LEFT_OUT in cells[0][0], title
    assert "1,234.51" in cmp.comparison_page(answer)  # the page does not need the lines


class _Page(HTMLParser):
    """Tags opened and text, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_parses_with_its_chart_table_and_every_person():
    page = cmp.comparison_page(ANSWER)
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    text = " ".join(parsed.text)
    assert {"svg", "table", "style", "h1"} <= set(parsed.tags)
    assert 'name="viewport"' in page and "<script" not in page  # a phone's page, nothing fetched
    for person in ANSWER["people"]:
        assert person["person"] in text and person["name"] in text, person["name"]
    assert "Bob &lt;Li&gt;" in page and "Bob <Li>" not in page  # escaped
    assert "1,234.51" in text and "+265.50" in text and "-10.00" in text and "+555.63" in text
    assert "基准 Base" in text and "software-progressive" in text and "1234" in text
    assert "rate 0.08 → 0.1" in text
    assert "people.2.role" in text and "555.62" in text  # the problems, the rounding note


def _many(count):
    answer = copy.deepcopy(ANSWER)
    answer["people"] = [
        {
            "person": f"p{i}",
            "name": f"欧阳 Person with a long name number {i}",
            "role": "account_manager",
            "figures": {"CNY": {"base": f"{100 * i}.005", "other": f"{90 * i}", "delta": f"{-10 * i}.005"}},
        }
        for i in range(count)
    ]
    answer["totals"] = {}
    return answer


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # no Chinese font here: measured narrow
def test_the_chart_draws_the_largest_differences_inside_the_figure():
    fig = cmp.comparison_figure(_many(35))
    try:
        fig.canvas.draw()
        ax = fig.axes[0]
        names = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
        assert len(names) == 30 and names[-1].endswith("number 34")  # the largest on top
        assert "number 4 " not in " ".join(n + " " for n in names)  # the five smallest are left out
        assert "30 largest differences of 35" in ax.get_title()
        texts = [*ax.get_yticklabels(), *ax.get_xticklabels(), ax.title, ax.xaxis.label]
        texts += ax.get_legend().get_texts()
        for t in (t for t in texts if t.get_visible() and t.get_text().strip()):
            box = t.get_window_extent()
            assert fig.bbox.x0 - 0.5 <= box.x0 and box.x1 <= fig.bbox.x1 + 0.5, t.get_text()
            assert fig.bbox.y0 - 0.5 <= box.y0 and box.y1 <= fig.bbox.y1 + 0.5, t.get_text()
    finally:
        plt.close(fig)


def test_the_chart_draws_no_bar_for_a_side_not_given_and_nothing_for_no_figures():
    fig = cmp.comparison_figure(ANSWER)
    try:
        bars = list(fig.axes[0].patches)
        assert len(bars) == 2 + 3  # am3 has no base bar: three other bars, two base bars
    finally:
        plt.close(fig)
    assert cmp.comparison_figure({**ANSWER, "people": [], "units": []}) is None
    assert "No figures to draw" in cmp.comparison_page({**ANSWER, "people": [], "units": []})


def test_a_person_without_a_name_shows_their_id_and_findings_count_as_they_are():
    # as the service answers: a person it has no record of has no name; findings are a count
    answer = copy.deepcopy(ANSWER)
    answer["units"] = ["CNY", "flag", "points"]
    answer["people"][1].update(name=None, role=None)
    answer["people"][1]["figures"]["flag"] = {"base": "1", "other": "0", "delta": "-1"}
    del answer["totals"]["CNY"]  # a unit without totals: the people's exact figures added
    text = cmp.comparison_text(answer)
    row = _row(text, "am2")
    assert row.split("|")[0].split() == ["am2", "am2"]
    assert _groups(row) == [["1,000.00", "990.00", "-10.00"], ["1", "0", "-1"], ["2", "2", "0"]]
    assert "结论 基准" in text and "findings base" in text
    assert "555.62" in text  # the exact total, worked out, still checks the added cells
