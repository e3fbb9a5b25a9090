"""The workbook a finance clerk opens (reports/xlsx.py): numbers as numbers with formats, a
Summary whose totals are the sums of the Lines, info lines apart, frozen headers and filters."""

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from kamcli.documents import read_document
from kamkit.facts_schema import load_facts
from kamkit.loader import load_plugin
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
    assert round(ann[4].value, 6) == 66.67 and round(bo[4].value, 6) == 100.004
    assert bo[-1].value == "veto_flag"
    # every CNY line's cell is a number holding the exact figure; per person they sum to the total
    sums = {}
    for r in lines.iter_rows(min_row=3):
        if r[5].value == "CNY":
            assert isinstance(r[4].value, (int, float)) and r[4].number_format == xlsx.MONEY
            sums[r[0].value] = sums.get(r[0].value, 0) + r[4].value
    assert round(sums["ann"], 6) == round(ann[4].value, 6) and round(sums["bo"], 6) == round(bo[4].value, 6)
    # the total row is the sum of the people's rows, and the info line's 580001 is in no total
    total = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "合计 Total")
    assert round(total[4].value, 6) == 166.674
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
        assert abs(pay[person] - float(total)) < 1e-6 and abs(lines[person] - float(total)) < 1e-6
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
