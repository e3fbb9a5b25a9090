"""examples/service-centre.yaml and examples/call-centre.yaml: every figure worked out by hand."""

from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.conformance import check_plugin
from kamkit.facts_schema import load_facts
from kamkit.indicators import DEPARTMENT
from plugins.service_centre import CallCentrePlugin, ServiceCentrePlugin

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _facts(name):
    return load_facts(read_document(EXAMPLES / name))


def _by_key(lines):
    return {(ln.person, ln.inputs["indicator"].split("_", 1)[1]): ln.figure for ln in lines}


def test_the_service_centre_march():
    got = _by_key(ServiceCentrePlugin().assess_month(_facts("service-centre.yaml")).lines)
    # row 1: xu f1 in time, f2 two hours late -> 1/2; he f3 in time -> 1; the department 2/3
    assert (got[("xu", "feedback_timeliness")], got[("he", "feedback_timeliness")]) == (D("0.5"), D(1))
    assert got[(DEPARTMENT, "feedback_timeliness")] == D(2) / D(3)
    # row 2: h1 Fri 6 -> due Mon 9, passed Mon 9: met; h2 Wed 11 -> due Thu 12, passed Fri 13: late
    assert (got[("xu", "handoff_timeliness")], got[("he", "handoff_timeliness")]) == (D(1), D(0))
    # row 3: xu revisited bank of bank and cafe; he revisited port
    assert (got[("xu", "revisit_rate")], got[("he", "revisit_rate")]) == (D("0.5"), D(1))
    # row 4: k1 10:00-16:00 = 6 h; k2 two days = 48 h; the department (6 + 48) / 2
    assert (got[("xu", "complaint_hours")], got[(DEPARTMENT, "complaint_hours")]) == (D(6), D(27))
    # row 5: k1 satisfied, k2 not
    assert (got[("xu", "complaint_satisfaction")], got[("he", "complaint_satisfaction")]) == (D(1), D(0))
    # rows 6-7: port lost on the 25th (he's); each revisited a big customer once
    assert (got[("he", "big_customers_lost")], got[("xu", "big_customers_lost")]) == (D(1), D(0))
    assert (got[("xu", "big_customer_revisits")], got[("he", "big_customer_revisits")]) == (D(1), D(1))
    # rows 8-9: 92 and 78 -> 85; cooperation sheets 85 and 70 -> 77.5, the department's only
    assert got[(DEPARTMENT, "customer_satisfaction")] == D(85)
    assert got[(DEPARTMENT, "cooperation_satisfaction")] == D("77.5")
    assert got[("xu", "cooperation_satisfaction")] is None


def test_the_call_centre_quarter():
    facts = _facts("call-centre.yaml")
    got = _by_key(CallCentrePlugin().commission_quarter(facts).lines)
    dept = DEPARTMENT
    # rows 1, 3, 4: b1, b2 done in the quarter, b3 on 3 April -> 2/3; the survey 1/1; process 0/2
    assert got[(dept, "business_plan_completion")] == D(2) / D(3)
    assert got[(dept, "survey_plan_completion")] == D(1)
    assert got[(dept, "process_plan_completion")] == D(0)
    # row 2: 18,000 + 19,500 + 20,100 = 57,600 of 60,000
    assert got[(dept, "service_cost_control")] == D("0.96")
    # row 5: (88 + 73 + 95) / 3
    assert got[(dept, "customer_satisfaction")] == D(256) / D(3)
    # rows 6-7: the centre's own logs: (430 + 360 + 392) / (4,300 + 4,000 + 4,900); 4,800 + 4,400 + 5,300
    assert got[(dept, "transfer_rate")] == D(1182) / D(13200)
    assert got[(dept, "call_count")] == D(14500)
    # lu: 96 / 1,600 = 6%; qin 186 / 1,550 = 12%
    assert (got[("lu", "transfer_rate")], got[("qin", "transfer_rate")]) == (D("0.06"), D("0.12"))
    assert check_plugin(CallCentrePlugin, facts=facts) == []
