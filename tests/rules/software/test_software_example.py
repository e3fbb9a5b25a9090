"""examples/software*.yaml through the plugins and the CLI, totals worked by hand."""

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.explain import CNY, totals
from kamkit.facts_schema import load_facts
from plugins.software import SoftwarePlugin, SoftwareProgressivePlugin

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(plugin, name):
    facts = load_facts(read_document(EXAMPLES / name))
    return plugin.commission_quarter(facts, facts.carried.get("state", {}))  # the CLI's envelope


def cents(totals_):
    return {k: v.quantize(D("0.01")) for k, v in totals_.items()}  # money as reported: half-up to 0.01


def test_software_q2_matches_hand_calculation():
    result = run(SoftwarePlugin(), "software.yaml")  # the seed's default: bonus amounts / 1.17
    # c3: 400,000 - 40,000 - 10,000 = 350,000, wang collects: 70% 245,000, lin 30% 105,000
    # lin: 180,000 + 105,000 = 285,000; repays Q1's 40,000 -> E 245,000 >= T: 200,000 x 4% = 8,000,
    #      carry 45,000; Q1 released 100,000 x 4% = 4,000 -> 12,000 / 1.17 = 10,256.41
    # wang: 245,000 + 50,000 (c4 implementation, in the task) + 30,000 (c5 gross margin) + 30,000
    #      (half of c7) = X 355,000 >= C: carry 55,000; step base S = 355,000 - 50,000 = 305,000 >= C:
    #      300,000 x 4% + (C - T = 0) x 5% = 12,000 / 1.17 x KPI factor; the sheet's 97 is capped at
    #      its full mark 90 = 100 on the raters' scale (rules §4): KPI 90 x .5 + 80 x .2 + 100 x .3 = 91
    #      -> 0.8 + 0.2 x 0.91 = 0.982 -> 11,784 / 1.17 = 10,071.79; c4's 50,000 x 6% = 3,000 (its
    #      only pay) -> 13,071.79
    # new (started 04-15: no task): 30,000 (half of c7) + 5,000 (half of the add-module 10,000)
    #      = 35,000 x 4% = 1,400 / 1.17 = 1,196.58; data conversion counts for nothing
    assert cents(totals(result.lines, CNY)) == {
        "lin": D("10256.41"),
        "wang": D("13071.79"),
        "new": D("1196.58"),
    }
    assert result.carried["lin"]["carry"] == "45000" and result.carried["lin"]["debts"] == []
    assert result.carried["wang"]["carry"] == "55000"
    # lin's half-year: 60,000 + 285,000 >= the half's base 200,000, Q1's debt repaid, Q2 met T: +1
    assert [l.kind for l in result.lines if l.person == "lin" and l.unit == "flag"] == ["salary_grade_up"]
    # with vat_divisor 1 the figures are the undivided ones: lin 12,000, new 1,400 (the first reading's
    # figures; wang then had 14,762.40: implementation outside X, KPI sheet on a 100 scale)
    plain = totals(run(SoftwarePlugin({"vat_divisor": 1}), "software.yaml").lines, CNY)
    assert (plain["lin"], plain["new"]) == (12000, 1400) and plain["wang"] == D(11784) + 3000


def test_progressive_q1_matches_hand_calculation():
    result = run(SoftwareProgressivePlugin(), "software-progressive.yaml")  # as collected (rules §2.4)
    # lin: 58,500 < B 100,000: 1.424% = 833.04 (and 41,500 to make up)
    # wang: 175,500 + 70% x 117,000 = 257,400 >= B; every single deal is over 50,000 (100% big):
    #      7.12% on all = 18,326.88; training 10,000 x 5% = 500 -> 18,826.88
    # chen: 117,000 (implementation counts on this preset) + 30% x 117,000 = 152,100 >= B: 7.12% =
    #      10,829.52, KPI 80 -> x (0.7 + 0.3 x 0.8) = 0.94 -> 10,179.7488 -> 10,179.75
    assert cents(totals(result.lines, CNY)) == {
        "lin": D("833.04"),
        "wang": D("18826.88"),
        "chen": D("10179.75"),
    }
    assert result.carried["lin"]["debts"] == [
        {"quarter": "2026-Q1", "owed": "41500", "base": "100000", "paid": "833.04"}
    ]


def test_cli_runs_both_examples_and_month_has_no_points():
    for plugin, name in (
        ("software", "software.yaml"),
        ("software-progressive", "software-progressive.yaml"),
    ):
        for command in ("commission-quarter", "assess-month", "classify"):
            out = subprocess.run(
                [sys.executable, "-m", "kamcli.main", command, plugin, str(EXAMPLES / name), "--json"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert json.loads(out)
    month = SoftwarePlugin().assess_month(load_facts(read_document(EXAMPLES / "software.yaml"))).lines
    assert {l.unit for l in month} == {"info", "flag"}
