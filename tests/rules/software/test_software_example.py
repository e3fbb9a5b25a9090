"""examples/software*.yaml through the plugins and the CLI, totals worked by hand."""
import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from plugins.software import SoftwarePlugin, SoftwareProgressivePlugin
from shared.explain import CNY, totals
from shared.facts_schema import load_facts

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(plugin, name):
    facts = load_facts(read_document(EXAMPLES / name))
    return plugin.commission_quarter(facts, facts.carried)


def test_software_q2_matches_hand_calculation():
    result = run(SoftwarePlugin(), "software.yaml")
    # c3: 400,000 - 40,000 - 10,000 = 350,000, wang collects: 70% 245,000, lin 30% 105,000
    # lin: 180,000 + 105,000 = 285,000; repays Q1's 40,000 -> E 245,000 >= T: 8,000, carry 45,000,
    #      Q1 released 100,000 x 4% = 4,000 -> 12,000
    # wang: 245,000 + 30,000 (c5 gross margin) + 30,000 (half of c7) = 305,000 >= C 300,000:
    #      12,000 x KPI factor; the sheet's 97 is capped at its full mark 90 = 100 on the raters'
    #      scale (RULES §4): KPI 90 x .5 + 80 x .2 + 100 x .3 = 91 -> 0.8 + 0.2 x 0.91 = 0.982
    #      -> 11,784; c4 implementation 50,000 x 6% = 3,000 -> 14,784
    # new (first quarter, no task): 30,000 (half of c7) + 5,000 (half of the add-module 10,000)
    #      = 35,000 x 4% = 1,400; data conversion counts for nothing
    assert totals(result.lines, CNY) == {"lin": D(12000), "wang": D(14784), "new": D(1400)}
    assert result.carried["lin"]["carry"] == "45000" and result.carried["lin"]["debts"] == []


def test_progressive_q1_matches_hand_calculation():
    result = run(SoftwareProgressivePlugin(), "software-progressive.yaml")
    # lin: 50,000 base < B: 1.424% = 712
    # wang: 175,500 + 70% x 117,000 = 257,400 / 1.17 = 220,000 >= B; the big deal 175,500 is 68%
    #      of the credit: 7.12% on all = 15,664; training 10,000 x 5% = 500 -> 16,164
    # chen: 117,000 + 30% x 117,000 = 152,100 / 1.17 = 130,000 >= B: 7.12% = 9,256, KPI 80 ->
    #      x (0.7 + 0.3 x 0.8) = 0.94 -> 8,700.64
    assert totals(result.lines, CNY) == {"lin": D(712), "wang": D(16164), "chen": D("8700.64")}


def test_cli_runs_both_examples_and_month_has_no_points():
    for plugin, name in (("software", "software.yaml"), ("software-progressive", "software-progressive.yaml")):
        for command in ("commission-quarter", "assess-month", "classify"):
            out = subprocess.run([sys.executable, "-m", "kamcli.main", command, plugin, str(EXAMPLES / name),
                                  "--json"], capture_output=True, text=True, check=True).stdout
            assert json.loads(out)
    month = SoftwarePlugin().assess_month(load_facts(read_document(EXAMPLES / "software.yaml"))).lines
    assert {l.unit for l in month} == {"info", "flag"}
