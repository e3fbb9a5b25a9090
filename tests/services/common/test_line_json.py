"""A closed sheet stores each line as JSON written by orjson straight from the line
(services.common.periods.ledger.line_json), and a table of lines as one row (table_json); read back, each
must be exactly the line's reported form, Line.to_dict(), for every kind of input a plugin puts in
a line."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from kamkit.explain import CNY, INFO, POINTS, Line, Lines, LineTable
from kamkit.periods import Month, Quarter
from services.common.periods.ledger import line_json, lines_of, stored_rows, table_json, totals_of


def test_line_json_reads_back_as_to_dict():
    lines = [
        # CNY is reported rounded half-up: 1234.565 -> 1234.57
        Line(
            "lin",
            "account_manager",
            Decimal("1234.565"),
            CNY,
            "bonus",
            "002/KAP §三",
            "奖金",
            "bonus",
            {
                "rate": Decimal("0.04"),
                "credit": Decimal("30864.125"),
                "date": date(2026, 3, 2),
                "quarter": Quarter(2026, 1),
                "months": (Month(2026, 1), Month(2026, 2)),
                "met": True,
                "note": None,
                "count": 3,
                "nested": {"share": Decimal("0.7"), "who": ["a", "b"]},
                "by_year": {2026: Decimal(1)},
            },
        ),
        Line(
            "am1",
            "account_manager",
            Decimal(10),
            POINTS,
            "missed_report_important",
            "000 §(三)(一)2",
            "商机 o1 漏报",
            "missed report of o1",
            {},
        ),
        Line(
            "x",
            "unit",
            Decimal("0"),
            INFO,
            "credited_not_run",
            "002/KAB §二5",
            "记入",
            "credited",
            {"cases": [{"opportunity": "o1", "cause": "lost (objective)"}], "kinds": frozenset({"a"})},
        ),
    ]
    for line in lines:
        assert json.loads(line_json(line)) == line.to_dict()


# A table of lines alike (kamkit.explain.LineTable): a person's credits, one row each. Read, it is
# exactly these Lines; stored, a row of sheet_lines holding them reads back as their to_dict().
TABLE = LineTable(
    "lin",
    "account_manager",
    CNY,
    "side_bonus",
    "002/KAP §二2",
    "回款 {collection} 奖金 {figure}（{rate}）",
    "collection {collection}: bonus {figure} ({rate})",
    ("collection", "date", "rate", "note"),
    [
        (Decimal("100.005"), "c1", date(2026, 1, 5), Decimal("0.05"), None),  # 100.005 -> 100.01
        (Decimal("20"), "c2", date(2026, 2, 1), Decimal("0.1"), "late"),
        (Decimal("0.004"), "c3", date(2026, 3, 9), Decimal("0.0001"), None),
    ],
)  # 0.004 -> 0.00


def test_a_table_is_the_lines_it_stands_for_and_reads_back_as_them():
    lines = list(TABLE.lines())
    assert lines[0] == Line(
        "lin",
        "account_manager",
        Decimal("100.005"),
        CNY,
        "side_bonus",
        "002/KAP §二2",
        "回款 c1 奖金 100.005（0.05）",
        "collection c1: bonus 100.005 (0.05)",
        {"collection": "c1", "date": date(2026, 1, 5), "rate": Decimal("0.05"), "note": None},
    )
    assert [l.to_dict()["figure"] for l in lines] == ["100.01", "20.00", "0.00"]
    assert lines_of(json.loads(table_json(TABLE, TABLE.rows))) == [l.to_dict() for l in lines]
    # a result holds Lines and tables and reads as the Lines: 1 + 3 lines
    single = Line("lin", "account_manager", Decimal(5), CNY, "bonus", "002/KAP §三", "奖金", "bonus", {})
    result = Lines([single, TABLE])
    assert len(result) == 4 and list(result) == [single, *lines] and result[3] == lines[2]
    # totals: 5 + 100.005 + 20 + 0.004 = 125.009 (exact; rounded only when reported)
    assert totals_of(result.blocks) == {"lin": {"CNY": "125.009"}}


def test_a_table_refuses_an_input_named_like_its_figure():
    import pytest

    with pytest.raises(ValueError, match="figure"):
        LineTable("a", "r", CNY, "k", "c", "{figure}", "{figure}", ("collection", "figure"))


def test_stored_rows_split_tables_and_place_each_first_line():
    rows = list(
        stored_rows(7, [Line("a", "r", Decimal(1), POINTS, "k", "c", "", "", {}), TABLE], table_rows=2)
    )
    # the line at 0; the table's lines 1-2 and 3 in two rows of at most two lines, each row's
    # figure the sum of its lines' (100.005 + 20 = 120.005; 0.004)
    assert [(r[0], r[1], r[2], r[4], r[8]) for r in rows] == [
        (7, 0, "a", "1", 1),
        (7, 1, "lin", "120.005", 2),
        (7, 3, "lin", "0.004", 1),
    ]
    assert [l for r in rows[1:] for l in lines_of(json.loads(r[9]))] == [l.to_dict() for l in TABLE.lines()]


def test_inputs_alike_in_every_row_are_stored_once_and_read_back_in_place():
    rate, zero = Decimal("0.05"), Decimal("0")
    # "rate" is one object in every row: stored once; "fee" is 0 in both rows but written
    # differently ("0", "0.00"): equal is not alike, each row keeps its own text
    table = LineTable(
        "lin",
        "account_manager",
        CNY,
        "side_bonus",
        "002/KAP §二2",
        "{collection} {fee} {figure}",
        "{collection} {fee} {figure}",
        ("collection", "rate", "fee", "note"),
        [(Decimal("1.5"), "c1", rate, zero, None), (Decimal("2"), "c2", rate, Decimal("0.00"), None)],
    )
    stored = json.loads(table_json(table, table.rows))
    assert stored["same"] == {"rate": "0.05", "note": None} and stored["columns"] == ["collection", "fee"]
    assert stored["rows"] == [["1.5", "c1", "0"], ["2", "c2", "0.00"]]
    read = lines_of(stored)
    assert read == [l.to_dict() for l in table.lines()]
    assert list(read[1]["inputs"]) == ["collection", "rate", "fee", "note"]  # the table's order
    assert read[1]["reason_en"] == "c2 0.00 2"
    # a row stored before inputs were written once (every input in every row) still reads
    old = {
        **stored,
        "columns": list(table.columns),
        "rows": [[str(r[0]), r[1], "0.05", str(r[3]), None] for r in table.rows],
    }
    del old["same"], old["inputs"]
    assert lines_of(old) == read


def test_an_input_holding_the_figure_or_an_earlier_input_in_every_row_is_named_not_written_again():
    # a credit whose amount, net and side base are its figure (the same Decimal, nothing deducted)
    # in both rows: the three are aliases of the figure; "base" holds the "collection" input's
    # object in both rows: an alias of it; "fee" is equal to the figure in row 1 but another
    # object (written "1.50"): kept
    a, b, fee = Decimal("1.5"), Decimal("2"), Decimal("1.50")
    table = LineTable(
        "lin",
        "account_manager",
        CNY,
        "task_credit",
        "002/KAD §二1",
        "{collection} {net} {figure}",
        "{collection} {net} {figure}",
        ("collection", "amount", "net", "base", "fee", "side_base"),
        [(a, "c1", a, a, "c1", fee, a), (b, "c2", b, b, "c2", b, b)],
    )
    stored = json.loads(table_json(table, table.rows))
    assert stored["alias"] == {
        "amount": "figure",
        "net": "figure",
        "base": "collection",
        "side_base": "figure",
    }
    assert stored["columns"] == ["collection", "fee"] and stored["rows"] == [
        ["1.5", "c1", "1.50"],
        ["2", "c2", "2"],
    ]
    read = lines_of(stored)
    assert read == [l.to_dict() for l in table.lines()]
    assert (
        read[0]["inputs"]
        == {
            "collection": "c1",
            "amount": "1.5",
            "net": "1.5",
            "base": "c1",
            "fee": "1.50",
            "side_base": "1.5",
        }
        and read[1]["reason_en"] == "c2 2 2"
    )


def test_an_indicator_table_stores_what_was_measured_and_reads_back_every_input():
    from kamkit.activity import Window
    from kamkit.facts_schema import load_facts
    from kamkit.indicators import COLUMNS, STORED, indicator_blocks
    from plugins.telecom import TelecomPlugin

    facts = load_facts(
        {
            "people": [{"id": "am1", "role": "account_manager", "start_date": "2024-01-01"}],
            "complaints": [{"id": "k1", "person": "am1", "received": "2026-02-02", "fault": "staff"}],
        }
    )
    (table, department) = indicator_blocks(facts, Window.of(Quarter(2026, 1)), TelecomPlugin().params)
    assert table.columns == STORED and table.derived == "indicator"
    stored = json.loads(table_json(table, table.rows))
    # no name, kind or text is written: they follow from the indicator and its figures
    rows = json.dumps(stored["rows"], ensure_ascii=False)
    assert "name_zh" not in stored["inputs"] and "大客户" not in rows and "not met" not in rows
    lines = list(table.lines())
    assert lines_of(stored) == [l.to_dict() for l in lines]
    by_key = {l.inputs["indicator"]: l for l in lines}
    assert all(list(l.inputs) == [c for c in COLUMNS if c != "clause"] for l in lines)
    # one complaint (k1), staff at fault -> 1 valid complaint against a standard of 0: not met
    valid = by_key["valid_complaints"]
    assert valid.clause == "001 §2.1" and valid.figure == Decimal(1) and valid.inputs["met"] is False
    assert valid.reason_en == "Valid complaints (2026-Q1): 1, standard 0, not met"
    # received, never resolved: 0 / 1 resolved
    resolution = by_key["complaint_resolution_rate"]
    assert resolution.reason_en.startswith("Complaint resolution rate (2026-Q1): 0.00%, 0 / 1")
    # no budget: not applicable, no figure, the reason in the sentence
    cost = by_key["service_cost_control"]
    assert cost.figure is None and cost.inputs["applicable"] is False
    assert cost.reason_zh == "服务费用控制（2026-Q1）：不适用，0 / 0"
