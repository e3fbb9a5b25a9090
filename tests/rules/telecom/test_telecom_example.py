"""examples/telecom.yaml through the plugin and through the `kam` CLI, totals worked by hand."""

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.explain import CNY, POINTS, totals
from kamkit.facts_schema import load_facts
from plugins.telecom import TelecomPlugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "telecom.yaml"


def test_march_points_match_hand_calculation():
    lines = TelecomPlugin().assess_month(load_facts(read_document(EXAMPLE))).lines
    # lin:   o-park 8 lines -> important band 10 + single-source 10 + o-bank subjective loss 10 = 30
    # chen:  o-clinic (30,000, 2 lines) 4 + o-port poor entry 2 + no local entry 5       = 11
    # wu:    4 + 10 + 10 + 2 + 5 + 10                                                     = 41
    # huang: 3 + 5 + 5 + 2 (chen's quota) + 5 (loss)                                      = 20
    # zheng: 7 (loss); minhou owes 1 citywide, entered 0: zhou 2, xu 5; he started 16 March: exempt
    assert totals(lines, POINTS) == {
        "lin": 30,
        "chen": 11,
        "wu": 41,
        "huang": 20,
        "zheng": 7,
        "zhou": 2,
        "xu": 5,
    }
    assert [l.person for l in lines if l.kind == "loss_review_pending"] == ["he"]


def test_q1_commissions_match_hand_calculation():
    lines = TelecomPlugin().commission_quarter(load_facts(read_document(EXAMPLE))).lines
    # lin, Jan: d1 46,000/50,000 = 0.92 (8%), d2 25,000/30,000 = 0.833 (4%); sales 71,000 > 24,000
    #   -> +1 pp; the 20,000 task comes out of d1: 26,000 x 9% + 25,000 x 5% = 2,340 + 1,250 = 3,590
    # chen, Feb: d3 0.825 (4% + 1) on 330,000 - 20,000: 310,000 x 5% = 15,500, + 10,000 single order
    # chen, Mar: d4 14,000 is under the task: 0
    # wu (gulou: lin + chen, base 40,000): Jan 31,000 x 0.6% = 186; Feb 290,000 x 0.6% = 1,740
    # agent: 60,000 x 1% = 600; salaries: AM 1,900 x 3 = 5,700; director 2,500 x 3 = 7,500
    paid = totals(lines, CNY)
    assert paid == {
        "lin": D(3590) + 5700,
        "chen": D(25500) + 5700,
        "he": D(5700),
        "wu": D(1926) + 7500,
        "xu": D(7500),
        "agent-minjiang": D(600),
    }


def test_the_cli_prints_the_same_figures_as_json():
    out = subprocess.run(
        [sys.executable, "-m", "kamcli.main", "commission-quarter", "telecom", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = json.loads(out)["lines"]
    money = [l for l in lines if l["person"] == "chen" and l["unit"] == "CNY"]
    assert sum(D(str(l["figure"])) for l in money) == D(31200)
    # beside the money, the base task of each month he sold in and where it comes from
    tasks = [l for l in lines if l["person"] == "chen" and l["kind"] == "target"]
    assert [l["reason_en"] for l in tasks] == [
        "2026-02 target 20000: the line's default",
        "2026-03 target 20000: the line's default",
    ]


def test_the_cli_computes_the_example_quarters_indicators():
    """docs/rules.md §6 on examples/telecom.yaml's customers, plans, visits and complaints."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kamcli.main",
            "indicators",
            "telecom",
            str(EXAMPLE),
            "--period",
            "2026-Q1",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = json.loads(out)["indicators"]
    value = {
        (l["person"], l["inputs"]["indicator"]): l["figure"] and D(l["figure"])
        for l in found
        if l["kind"] == "indicator"
    }
    # lin: d1 46,000 + d2 25,000 = 71,000 of 3 x 20,000 -> 118.33%; chen: 330,000 + 14,000 = 344,000
    assert value["lin", "sales_plan_completion"] == D(71000) / D(60000)
    # revisits planned in March: lin c-school, c-park (both revisited) 2/2; chen c-metro, c-port
    # (only c-metro) 1/2; the department 3/4
    assert (value["lin", "revisit_rate"], value["chen", "revisit_rate"], value["*", "revisit_rate"]) == (
        1,
        D("0.5"),
        D("0.75"),
    )
    # chen spent 3,600 of a 3,000 budget: 120%, not met; the department 4,800 of its own 10,000
    assert value["chen", "service_cost_control"] == D("1.2") and value["*", "service_cost_control"] == D(
        "0.48"
    )
    # chen's c-port, big at the start, lost on 25 March: churn 1/1; lin held c-school only: 0/1
    assert (value["chen", "churn_rate"], value["lin", "churn_rate"]) == (1, 0)
    # f2 was never answered: chen's feedback 0/1; no sales in 2025-Q4 in the file: growth n/a
    assert value["chen", "feedback_timeliness"] == 0 and value["lin", "sales_growth"] is None
    # lin's 003 §十一 sheet: sales 118.33% -> 15 + 28 = 43; complaint cp2 6 h -> 10; collected
    # 46,000 of 71,000 billed = 64.8%, 3 full 10% short -> 15 - 4.5 = 10.5; one upgrade -> 2; none
    # lost -> 10; one featured service -> 2; never late -> 5; one complaint -> 3; not rated -> 0
    (sheet,) = [l for l in found if l["kind"] == "scorecard" and l["person"] == "lin"]
    assert D(sheet["figure"]) == D("85.5")
