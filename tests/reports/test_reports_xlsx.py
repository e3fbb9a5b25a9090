"""The workbook a finance clerk opens (reports/xlsx.py): numbers as numbers with formats, a
Summary whose totals are the sums of the Lines, info lines apart, frozen headers and filters."""

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from kamcli.documents import read_document
from kamkit.facts_schema import load_facts
from kamkit.loader import load_plugin
from kamkit.money import report
from reports import Directory, period_view, xlsx

ROOT = Path(__file__).resolve().parents[2]


def _line(person, figure, unit, kind, clause, exact=None, **inputs):
    line = {
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
    if exact is not None:
        line["exact"] = exact
    return line


# Worked by hand. ann: commission 33.335 twice (each shown 33.34) -> exact total 66.670, shown
# 66.67, not 66.68; an info line of 580001 (a score) counts in no total. bo: a bonus of 0.004
# (shown 0.00) and 100 -> 100.004, shown 100.00; a veto flag is a finding, not a sum.
SHEET = {
    "business_line": "soft",
    "period": "2026-Q2",
    "version": 2,
    "plugin": "software",
    "status": "closed",
    "closed_at": "2026-07-01T08:00:00",
    "lines": [
        _line(
            "ann", "33.34", "CNY", "commission", "002 §二1", exact="33.335", amount="666.70", day="2026-05-03"
        ),
        _line("ann", "33.34", "CNY", "commission", "002 §二1", exact="33.335", amount="666.70"),
        _line("ann", "580001", "info", "kpi_score", "002 §三3"),
        _line("bo", "0.00", "CNY", "bonus", "002 §三", exact="0.004", ratio="0.0000123456789"),
        _line("bo", "100.00", "CNY", "commission", "002 §二1"),
        _line("bo", "1", "flag", "veto_flag", "000 §(三)"),
    ],
}
NAMES = Directory.of(
    [{"id": "ann", "name": "安娜", "branch": "n"}, {"id": "bo", "name": "柏涛", "branch": "s"}],
    [{"id": "n", "name": "North"}, {"id": "s", "name": "South"}],
)


def test_figures_are_numbers_with_formats_and_the_summary_adds_up(tmp_path):
    path = xlsx.write(period_view(SHEET, NAMES), tmp_path / "q.xlsx")
    book = load_workbook(path)
    summary, lines, params = book["Summary"], book["Lines"], book["Parameters"]
    assert [c.value for c in summary[2]][:5] == ["Person id", "Name", "Branch", "Role", "Pay total (CNY)"]
    rows = {r[0].value: r for r in summary.iter_rows(min_row=3) if r[0].value in ("ann", "bo")}
    ann, bo = rows["ann"], rows["bo"]
    assert (ann[1].value, ann[2].value) == ("安娜", "North")
    assert isinstance(ann[4].value, float) and ann[4].number_format == xlsx.MONEY
    # pay as paid: the exact totals 66.670 and 100.004 rounded half-up to the cent
    assert (ann[4].value, bo[4].value) == (66.67, 100)
    assert bo[-2].value == "年度绩效否决 / Annual performance veto"
    # every CNY line's cell is a number holding the line's figure to the cent; ann's two lines of
    # 33.335 are 33.34 each, 66.68 together: her row's note says why her pay is 66.67
    sums = {}
    for r in lines.iter_rows(min_row=3):
        if r[5].value == "CNY":
            assert isinstance(r[4].value, (int, float)) and r[4].number_format == xlsx.MONEY
            sums[r[0].value] = sums.get(r[0].value, 0) + r[4].value
    assert round(sums["ann"], 2) == 66.68 and round(sums["bo"], 2) == bo[4].value
    assert "66.68" in ann[-1].value and "66.67" in ann[-1].value and bo[-1].value is None
    # the total row is the sum of the people's rows, and the info line's 580001 is in no total
    total = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "合计 Total")
    assert round(total[4].value, 2) == 166.67
    # inputs are columns of their own: amounts as numbers, days as dates
    head = [c.value for c in lines[2]]
    amount = lines.cell(row=3, column=head.index("input amount") + 1)
    assert amount.value == 666.7 and amount.data_type == "n"
    day = lines.cell(row=3, column=head.index("input day") + 1)
    assert day.is_date and day.number_format == xlsx.DAY
    for sheet in (summary, lines, params):
        assert sheet.freeze_panes == "C3" and sheet.auto_filter.ref.startswith("A2:")
        assert sheet.column_dimensions["B"].width >= 6
    assert [c.value for c in params[3]][:2] == ["business line", "soft"]


def test_a_real_run_through_the_plugin_matches_its_own_totals(tmp_path):
    # the software example's quarter (tests/rules/software): whatever the figures, the workbook's
    # Summary equals the sum of its Lines per person and the plugin's exact totals to the cent
    plugin = load_plugin("software", {})
    facts = load_facts(read_document(ROOT / "examples" / "software.yaml"))
    run = plugin.commission_quarter(facts, {})
    sheet = {
        "business_line": "x",
        "period": str(run.quarter),
        "plugin": "software",
        "lines": [line.to_dict() for line in run.lines],
    }
    view = period_view(sheet, Directory.of(plugin=plugin.describe()), plugin.describe())
    book = load_workbook(xlsx.write(view, tmp_path / "q.xlsx"), read_only=True)
    pay = {r[0]: r[4] for r in book["Summary"].iter_rows(min_row=3, values_only=True) if r[0] != "合计 Total"}
    lines = {}
    for r in book["Lines"].iter_rows(min_row=3, values_only=True):
        if r[5] == "CNY":
            lines[r[0]] = lines.get(r[0], 0) + r[4]
    exact = {}
    for line in run.lines:
        if line.unit == "CNY":
            exact[line.person] = exact.get(line.person, Decimal(0)) + line.figure
    assert set(pay) >= set(exact) and exact
    for person, total in exact.items():
        # the Summary pays the exact total rounded; the Lines are each rounded, within a cent a line
        assert pay[person] == float(report(total))
        assert abs(lines[person] - float(total)) <= 0.005 * len(run.lines) + 1e-6
    assert len(list(book["Parameters"].iter_rows())) == 2 + 6 + len(plugin.parameters)


def test_figures_on_pages_round_money_half_up_once_and_show_inputs_plainly():
    from reports.html import figure_text
    from reports.view import shown

    # half-up on the exact Decimal: 2.675 -> 2.68 (a float would give 2.67), -0.005 -> -0.01
    assert [figure_text(Decimal(v), "CNY") for v in ("2.675", "0.005", "-0.005", "1234567.891")] == [
        "2.68",
        "0.01",
        "-0.01",
        "1,234,567.89",
    ]
    assert figure_text(Decimal("4.50"), "points") == "4.5"
    # an exact quotient to 6 places, amounts with separators, a year without, nothing as a dash
    assert shown("6837.6068376068376068376068376") == "6,837.606838"
    assert (shown("180000"), shown(2026, "year"), shown(None), shown([])) == ("180,000", "2026", "—", "—")


def test_a_statement_file_name_cannot_leave_its_folder():
    from reports import statement_file

    assert [statement_file(p) for p in ("am1", "王芳", "../etc/x", "a b")] == [
        "am1.html",
        "王芳.html",
        "..%2Fetc%2Fx.html",
        "a%20b.html",
    ]


def _money_sheet():
    """Half-cents everywhere. Three people are paid 0.005 each (0.01 shown each, 0.03 added, but
    0.015 exact: 0.02); dee's commission and bonus are 10.005 each (10.01 + 10.01 = 20.02, but
    her exact 20.010 pays 20.01); eve's line of 22.575 is 22.58 (a float would give 22.57)."""
    lines = [
        _line(p, "0.01", "CNY", "agent_commission", "003 §七", exact="0.005") for p in ("ann", "bo", "cy")
    ]
    lines += [
        _line("dee", "10.01", "CNY", "agent_commission", "003 §七", exact="10.005"),
        _line("dee", "10.01", "CNY", "retention_bonus", "003 §七", exact="10.005"),
        _line("eve", "22.58", "CNY", "commission", "003 §六1", exact="22.575"),
        _line("eve", "3", "points", "quota_shortfall", "000 §(三)(一)2"),
    ]
    return {**SHEET, "lines": lines}


def _money_cells(sheet):
    return [c for row in sheet.iter_rows(min_row=3) for c in row if c.number_format == xlsx.MONEY]


def test_money_cells_hold_cents_and_each_total_adds_up_the_cells_above(tmp_path):
    book = load_workbook(xlsx.write(period_view(_money_sheet(), NAMES), tmp_path / "q.xlsx"))
    summary, lines = book["Summary"], book["Lines"]
    for c in _money_cells(summary) + _money_cells(lines):
        if c.value is not None:  # a kind a person has no line of is an empty cell
            assert isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
            assert Decimal(str(c.value)) == Decimal(str(c.value)).quantize(Decimal("0.01")), c.coordinate
    eve = next(r for r in lines.iter_rows(min_row=3) if r[0].value == "eve" and r[5].value == "CNY")
    assert eve[4].value == 22.58
    rows = list(summary.iter_rows(min_row=3))
    people, total = rows[:-1], rows[-1]
    assert total[0].value == "合计 Total" and len(people) == 5
    head = [c.value for c in summary[2]]
    for i, name in enumerate(head):
        if isinstance(total[i].value, (int, float)):
            added = 0.0  # as Excel's SUM adds them: doubles, top to bottom
            for row in people:
                added += row[i].value or 0
            assert round(added, 2) == total[i].value and abs(added - total[i].value) < 1e-9, name
    # where the rows, each rounded, do not add up to the exact total, a note says both
    agent = head.index("Agent commission (CNY)")
    assert total[agent].value == 10.04  # 0.01 x 3 + 10.01; exact 10.020
    note = total[head.index("Notes (rounding)")].value
    assert "Agent commission (CNY): the rows" in note and "10.04" in note and "10.02" in note
    assert "Pay total (CNY)" in note  # 0.01 x 3 + 20.01 + 22.58 = 42.62 against 42.60 exact
    dee = next(r for r in people if r[0].value == "dee")
    assert dee[head.index("Pay total (CNY)")].value == 20.01
    assert "20.02" in dee[-1].value and "20.01" in dee[-1].value  # her kinds add to 20.02


def test_summary_headers_name_every_kind_in_chinese_and_english(tmp_path):
    book = load_workbook(xlsx.write(period_view(_money_sheet(), NAMES), tmp_path / "q.xlsx"))
    summary = book["Summary"]
    zh, en = [c.value for c in summary[1]], [c.value for c in summary[2]]
    assert en.index("Agent commission (CNY)") == zh.index("代理商提成 (元)")
    assert en.index("Sales commission (CNY)") == zh.index("销售提成 (元)")
    assert "Retention bonus (CNY)" in en and "Retention bonus (元)" in zh  # not a named kind: words
    assert "Points, clause 000 §(三)(一)2" in en
    for header in zh + en:
        assert header and "_" not in header, header  # never a raw key
    # the Lines sheet keeps the key to filter by, with its name beside it
    lines = book["Lines"]
    assert [c.value for c in lines[2]][6:8] == ["Kind", "Kind (named)"]
    assert [c.value for c in lines[3]][6:8] == ["agent_commission", "代理商提成 / Agent commission"]
