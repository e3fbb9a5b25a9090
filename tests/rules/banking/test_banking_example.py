"""examples/banking.yaml through the plugin and the CLI, figures worked by hand."""
import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from plugins.banking import BankingPlugin
from shared.explain import CNY, POINTS, totals
from shared.facts_schema import load_facts

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "banking.yaml"


def facts():
    return load_facts(read_document(EXAMPLE))


def test_march_findings_and_points():
    lines = BankingPlugin().assess_month(facts()).lines
    # bo: 45,000 / 3,000,000 = 1.5% > 1%: 0.5 pp = 1 step -> 2; missed o-factory (1.2M) -> 5 => 7
    # du (senior CM, owner of the medium tier): 3
    assert totals(lines, POINTS) == {"bo": 7, "du": 3}
    findings = {(l.person, l.kind) for l in lines if l.unit == "flag"}
    # ann: 6 months, 32 handled, 0.5% -> junior; bo: 3-month mean (1% + 1.2% + 1.5%) / 3 = 1.233% and
    # 56 managed -> intermediate, yet 1.5% breaks his junior 1%; cai: 72 managed -> senior;
    # du manages 66 < 70: no longer meets senior
    assert findings == {("ann", "grade_promotion"), ("bo", "grade_promotion"), ("bo", "grade_shortfall"),
                        ("cai", "grade_promotion"), ("du", "grade_shortfall")}


def test_q1_pay():
    paid = totals(BankingPlugin().commission_quarter(facts()).lines, CNY)
    # ann: Feb 0.5 loan x 30 = 15 + 1,800 x 3 = 5,415
    # bo: Mar 3 new + 1 renewal = 3.5 -> 2 x 30 + 1.5 x 40 = 120 + 2,200 x 3 = 6,720
    # cai: Jan 1 x 30 + 2,700 x 3 = 8,130; du: 3,500 x 3 = 10,500
    # teller: 1,500,000 -> 150; 45,000 -> 30; 105,000 (gap) -> 50: 230
    assert paid == {"ann": D(5415), "bo": D(6720), "cai": D(8130), "du": D(10500), "teller": D(230)}


def test_cli_json():
    out = subprocess.run([sys.executable, "-m", "kamcli.main", "classify", "banking", str(EXAMPLE), "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert "medium" in out and json.loads(out)
