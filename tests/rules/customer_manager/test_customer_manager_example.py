"""examples/customer-manager.yaml: both customer managers' first-quarter scorecards by hand."""

from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.conformance import check_plugin
from kamkit.facts_schema import load_facts
from plugins.customer_manager import CustomerManagerPlugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "customer-manager.yaml"


def test_the_two_scorecards_of_the_example():
    facts = load_facts(read_document(EXAMPLE))
    lines = CustomerManagerPlugin().commission_quarter(facts).lines
    got = {(ln.person, ln.inputs.get("item") or ln.kind): ln.figure for ln in lines}
    # wu: plan 17/20 = 85%: 3 whole steps below: 20 - 6 = 14; execution 90% -> 80%: a fall, 0;
    # 1 new customer 2; sales rules 3 - 0.5 = 2.5; teamwork 5 - 2 = 3; the manager's 3s (the self
    # appraisal of 15 April is after the window) x 5 rated rows = 15; 4 late arrivals: 0; conduct 2
    assert got[("wu", "plan_completion")] == D(14) and got[("wu", "standard_execution")] == D(0)
    assert got[("wu", "appraisal_total")] == D("38.5")  # 14 + 0 + 2 + 2.5 + 3 + 15 + 0 + 2
    # zhou: plan 100%: 20; execution 60% -> 80%: +20 pp x 0.5 = 10; 2 new customers 4; 3; 5;
    # knowledge and adaptability (0.6 x 4 + 0.1 x 5) / 0.7 = 29/7 (no customer rated them);
    # judgement 4; communication and responsibility 0.6 x 5 + 0.1 x 5 + 0.3 x 4 = 4.7;
    # attendance 2 - 0.5 = 1.5; conduct 2
    assert got[("zhou", "knowledge")] == D("2.9") / D("0.7")
    assert got[("zhou", "communication")] == D("4.7")
    total = D(20 + 10 + 4 + 3 + 5) + 2 * (D("2.9") / D("0.7")) + 4 + D("4.7") + D("1.5") + 2 + D("4.7")
    # the same sum, added in another order: equal to the 20th place (67.19 shown)
    assert abs(got[("zhou", "appraisal_total")] - total) < D("1e-20")
    assert check_plugin(CustomerManagerPlugin, facts=facts) == []
