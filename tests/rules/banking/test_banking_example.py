"""examples/banking.yaml through the plugin and the CLI, figures worked by hand."""

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.explain import CNY, FLAG, POINTS, totals
from kamkit.facts_schema import load_facts
from plugins.banking import BankingPlugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "banking.yaml"


def facts():
    return load_facts(read_document(EXAMPLE))


def test_every_opportunity_is_classified():
    tiers = {o.id: BankingPlugin().classify(o).tier for o in facts().opportunities}
    assert tiers == {
        "o-kiosk": "micro",
        "o-bakery": "small",
        "o-mill": "medium",
        "o-factory": "medium",
        "o-port": "large",
        "o-warehouse": "medium",
    }


def test_march_findings_and_points():
    lines = BankingPlugin().assess_month(facts()).lines
    # bo: 45,000 / 3,000,000 = 1.5% > 1%: 0.5 pp = 1 step -> 2; o-factory (1.2M, audit) -> 5 => 7
    # du (senior CM, owner of the medium tier in gulou): 3
    # cai: o-port (2.6M) entered 16 March, 14 days after discovery -> 5; head (large owner): 3
    # o-mill entered on the 7th day: in time
    # gao: 26,000 / 1,000,000 = 2.6%, 1.6 pp above 1% -> 4 started steps -> 8; o-warehouse never
    #      entered, deadline 12 March -> 5 => 13; taijiang has no senior CM: the vacant post gets 3
    assert totals(lines, POINTS) == {
        "bo": 7,
        "du": 3,
        "cai": 5,
        "head": 3,
        "gao": 13,
        "vacant:deputy_manager:taijiang": 3,
    }
    findings = {(l.person, l.kind) for l in lines if l.unit == FLAG}
    # ann: 6 months, 32 handled, 0.5% -> junior; bo: 3-month mean (1% + 1.2% + 1.5%) / 3 = 1.233% and
    # 56 managed -> intermediate, yet 1.5% breaks his junior 1%; cai: 72 managed -> senior;
    # du manages 66 < 70: no longer meets senior; gao's 2.6% breaks junior (and under a year as junior)
    assert findings == {
        ("ann", "grade_promotion"),
        ("bo", "grade_promotion"),
        ("bo", "grade_shortfall"),
        ("cai", "grade_promotion"),
        ("du", "grade_shortfall"),
        ("gao", "grade_shortfall"),
    }
    info = {(l.person, l.kind): l.figure for l in lines if l.clause == "002/LOAN §二"}
    # bo issued l1-l4 in March; 3,000,000 / 50 borrowers = 60,000; gao has no borrowers: no average
    assert info[("bo", "loans_issued")] == 4 and info[("bo", "average_balance")] == 60000
    assert ("gao", "average_balance") not in info and info[("gao", "overdue_rate")] == D("0.026")


def test_q1_pay():
    paid = totals(BankingPlugin().commission_quarter(facts()).lines, CNY)
    # rules §3.4: loans-issued pay counts micro and small loans (< 500,000) only; referrer bands are
    # upper-inclusive in whole 万
    # ann: Feb 0.5 (extension) x 30 = 15, Mar 1 x 30 = 30, + 1,800 x 3 = 5,445
    # bo: Mar 3 new + 1 renewal (all < 500,000) = 3.5 -> 2 x 30 + 1.5 x 40 = 120, + 2,200 x 3 = 6,720
    # cai: Jan l6 is 1,500,000 (medium): not counted; 2,700 x 3 = 8,100 (was 8,130: l6 counted 30)
    # du: 3,500 x 3 = 10,500 + referred g7 (2,600,000, above the top band) 150 = 10,650
    # gao: Feb 6 new + 2 merges x 0.5 = 7 (g7, 2,600,000, is large: not counted)
    #      -> 2 x 30 + 3 x 40 + 2 x 50 = 280, + 2,200 x 3 = 6,880 (was 6,930: g7 counted, 8 loans)
    # teller: 1,500,000 (<= 200万) -> 150; 45,000 (<= 5万) -> 30; 105,000 (> 10万, <= 50万) -> 80;
    #         9,000 (< 1万) -> 0: 260 (was 230: 105,000 paid at the lower band, 50)
    assert paid == {
        "ann": D(5445),
        "bo": D(6720),
        "cai": D(8100),
        "du": D(10650),
        "gao": D(6880),
        "teller": D(260),
    }


def kam(*args):
    return subprocess.run(
        [sys.executable, "-m", "kamcli.main", *args, "banking", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_cli_json():
    out = json.loads(kam("classify"))
    assert "medium" in json.dumps(out)
    month = json.loads(kam("assess-month"))
    assert month["month"] == "2026-03" and {l["clause"] for l in month["lines"]} >= {
        "rules §3.3",
        "002/LOAN §二",
    }
    quarter = json.loads(kam("commission-quarter"))
    assert quarter["quarter"] == "2026-Q1" and set(quarter["carried"]) == {"_indicator_sales"}
    paid = [l for l in quarter["lines"] if l["person"] == "gao" and l["unit"] == "CNY"]
    assert sum(D(l["figure"]) for l in paid) == 6880
    # docs/rules.md §3.5: parts 2-5 of §五(二) have no rates by default: stated each month, without a figure
    unset = [l for l in quarter["lines"] if l["person"] == "gao" and l["kind"] == "pay_part_not_configured"]
    assert len(unset) == 4 * 3 and {l["figure"] for l in unset} == {None}
