"""客服中心绩效考核指标 (002/KFZX, 002/HJZX; docs/rules.md §11): every row of both tables counted from
the records, on both sides of what it counts, and not applicable over nothing. Figures by hand."""

from decimal import Decimal as D

import pytest

from kamkit.conformance import check_plugin
from kamkit.facts_schema import load_facts
from kamkit.indicators import DEPARTMENT
from plugins.service_centre import CallCentrePlugin, ServiceCentrePlugin

AGENTS = [{"id": "a1", "role": "service_agent"}, {"id": "a2", "role": "service_agent"}]
CALLERS = [{"id": "c1", "role": "call_agent"}, {"id": "c2", "role": "call_agent"}]


def month(records, *, period="2026-03", plugin=None, people=AGENTS):
    facts = load_facts({"month": period, "people": people, **records})
    lines = (plugin or ServiceCentrePlugin()).assess_month(facts).lines
    return {(ln.person, ln.inputs["indicator"]): ln for ln in lines}


def quarter(records, *, plugin=None, people=CALLERS):
    facts = load_facts({"quarter": "2026-Q1", "people": people, **records})
    lines = (plugin or CallCentrePlugin()).commission_quarter(facts).lines
    return {(ln.person, ln.inputs["indicator"]): ln for ln in lines}


def test_the_centre_month_shows_its_nine_rows_for_each_agent_and_the_department():
    got = month({})
    keys = {k for _, k in got}
    assert len(keys) == 9
    assert (DEPARTMENT, "centre_feedback_timeliness") in got


def test_feedback_within_the_standard_time():
    requests = [
        # due 10:00 on the 5th, answered 09:59: in time; answered 10:01: late
        {
            "id": "f1",
            "person": "a1",
            "raised_at": "2026-03-04T10:00",
            "due_at": "2026-03-05T10:00",
            "answered_at": "2026-03-05T09:59",
        },
        {
            "id": "f2",
            "person": "a1",
            "raised_at": "2026-03-04T10:00",
            "due_at": "2026-03-05T10:00",
            "answered_at": "2026-03-05T10:01",
        },
        {
            "id": "f3",
            "person": "a2",
            "raised_at": "2026-02-27T10:00",
            "due_at": "2026-02-28T10:00",
        },  # February's
    ]
    got = month({"feedback_requests": requests})
    assert got[("a1", "centre_feedback_timeliness")].figure == D("0.5")  # 1 of 2
    assert got[("a2", "centre_feedback_timeliness")].figure is None  # nothing fell due in March
    assert got[(DEPARTMENT, "centre_feedback_timeliness")].figure == D("0.5")


def test_information_passed_on_within_one_working_day_by_default():
    cases = [
        # opened Friday 6 March: due the next working day, Monday 9 March
        {
            "id": "h1",
            "kind": "handoff",
            "person": "a1",
            "opened": "2026-03-06",
            "steps": {"passed": "2026-03-09"},
        },
        {
            "id": "h2",
            "kind": "handoff",
            "person": "a1",
            "opened": "2026-03-06",
            "steps": {"passed": "2026-03-10"},
        },
        {"id": "h3", "kind": "handoff", "person": "a2", "opened": "2026-03-30"},  # due 31 March, not passed
    ]
    got = month({"cases": cases})
    assert got[("a1", "centre_handoff_timeliness")].figure == D("0.5")  # h1 in time, h2 a day late
    assert got[("a2", "centre_handoff_timeliness")].figure == D(0)  # h3 fell due and was not passed
    wider = month({"cases": cases}, plugin=ServiceCentrePlugin({"handoff_days": 2}))
    assert wider[("a1", "centre_handoff_timeliness")].figure == D(1)  # 2 working days: Tuesday 10th


def test_complaint_speed_is_the_average_of_those_resolved_in_the_month():
    complaints = [
        {
            "id": "k1",
            "person": "a1",
            "received": "2026-03-02",
            "received_at": "2026-03-02T09:00",
            "resolved_at": "2026-03-02T15:00",
        },
        {
            "id": "k2",
            "person": "a1",
            "received": "2026-02-27",
            "received_at": "2026-02-27T09:00",
            "resolved_at": "2026-03-01T09:00",
        },
        {"id": "k3", "person": "a2", "received": "2026-03-30"},  # not resolved: not in the average
    ]
    got = month({"complaints": complaints})
    # k1 6 h, k2 48 h (received in February, resolved in March): (6 + 48) / 2 = 27 h
    assert got[("a1", "centre_complaint_hours")].figure == D(27)
    assert got[("a2", "centre_complaint_hours")].figure is None


def test_satisfaction_with_the_resolution_over_every_complaint_received():
    complaints = [
        {"id": "k1", "person": "a1", "received": "2026-03-02", "resolved": "2026-03-03", "satisfied": True},
        {"id": "k2", "person": "a1", "received": "2026-03-04", "resolved": "2026-03-05", "satisfied": False},
        {"id": "k3", "person": "a1", "received": "2026-03-06"},  # not asked: not satisfied [reading]
    ]
    got = month({"complaints": complaints})
    assert got[("a1", "centre_complaint_satisfaction")].figure == D(1) / D(3)
    assert got[("a1", "centre_complaint_satisfaction")].inputs["detail"]["not_asked"] == 1


def test_big_customers_lost_and_revisited():
    customers = [
        {"id": "big", "owner": "a1", "big": True, "changes": [{"date": "2026-03-20", "change": "lost"}]},
        {"id": "small", "owner": "a1"},
    ]
    visits = [
        {"id": "v1", "person": "a1", "customer": "big", "date": "2026-03-10", "purpose": "revisit"},
        {
            "id": "v2",
            "person": "a1",
            "customer": "big",
            "date": "2026-03-25",
            "purpose": "revisit",
        },  # lost by then
        {"id": "v3", "person": "a1", "customer": "small", "date": "2026-03-11", "purpose": "revisit"},
        {"id": "v4", "person": "a1", "customer": "big", "date": "2026-03-12", "purpose": "first"},
    ]
    got = month({"customers": customers, "visits": visits})
    assert got[("a1", "centre_big_customers_lost")].figure == D(1)
    assert got[("a1", "centre_big_customer_revisits")].figure == D(1)  # only v1: big on the day, a revisit


def test_satisfaction_surveys_are_arithmetic_means_by_subject():
    surveys = [
        {"id": "s1", "date": "2026-03-02", "score": 90, "person": "a1"},
        {"id": "s2", "date": "2026-03-03", "score": 75, "person": "a1"},
        {"id": "s3", "date": "2026-03-04", "score": 60, "subject": "cooperation", "department": "sales"},
    ]
    got = month({"surveys": surveys})
    assert got[("a1", "centre_customer_satisfaction")].figure == D("82.5")  # (90 + 75) / 2
    assert got[(DEPARTMENT, "centre_customer_satisfaction")].figure == D("82.5")
    assert got[(DEPARTMENT, "centre_cooperation_satisfaction")].figure == D(60)
    assert got[("a2", "centre_customer_satisfaction")].figure is None  # no answer: not 0


def test_call_centre_plans_costs_transfers_and_calls():
    plans = [
        {
            "id": "b",
            "period": "2026-Q1",
            "plan": "business",
            "items": [{"id": "1", "done": "2026-03-31"}, {"id": "2", "done": "2026-04-01"}],
        },
        {"id": "s", "period": "2026-02", "plan": "survey", "items": [{"id": "1", "done": "2026-02-10"}]},
        {"id": "p", "period": "2026-Q1", "plan": "process", "items": []},
    ]
    logs = [
        {
            "month": "2026-01",
            "person": "c1",
            "inbound": 100,
            "outbound": 20,
            "answered": 90,
            "transferred": 9,
            "blocked": 5,
            "abandoned": 10,
        },
        {"month": "2026-02", "person": "c1", "inbound": 50, "answered": 50, "transferred": 1},
        {"month": "2026-02", "person": "c2", "inbound": 10, "answered": 0},
    ]
    got = quarter(
        {
            "work_plans": plans,
            "call_logs": logs,
            "budgets": [{"quarter": "2026-Q1", "amount": 1000}],
            "expenses": [{"id": "e", "date": "2026-02-01", "amount": 1100}],
        }
    )
    dept = DEPARTMENT
    assert got[(dept, "calls_business_plan_completion")].figure == D("0.5")  # the 2nd done on 1 April
    assert got[(dept, "calls_survey_plan_completion")].figure == D(1)  # February's plan is in the quarter
    assert got[(dept, "calls_process_plan_completion")].figure is None  # a plan of no items
    assert got[(dept, "calls_service_cost_control")].figure == D("1.1")  # 1,100 / 1,000: over budget
    assert got[("c1", "calls_transfer_rate")].figure == D(10) / D(140)  # (9 + 1) / (90 + 50)
    assert got[("c2", "calls_transfer_rate")].figure is None  # nothing answered
    assert got[("c1", "calls_call_count")].figure == D(170)  # 120 + 50, blocked and abandoned inside
    assert got[(dept, "calls_call_count")].figure == D(180)  # the agents' summed: no centre log


def test_the_centre_log_is_the_department_s_when_there_is_one():
    logs = [
        {"month": "2026-01", "person": "c1", "inbound": 10, "answered": 10},
        {"month": "2026-01", "inbound": 500, "answered": 400, "transferred": 40},
    ]
    got = quarter({"call_logs": logs})
    assert got[(DEPARTMENT, "calls_call_count")].figure == D(500)  # not 510: the centre's own count
    assert got[(DEPARTMENT, "calls_transfer_rate")].figure == D("0.1")


def test_a_standard_set_by_the_organisation_judges_the_figure():
    plugin = CallCentrePlugin({"indicator_standards": {"calls_transfer_rate": "0.1"}})
    logs = [{"month": "2026-01", "inbound": 100, "answered": 100, "transferred": 10}]
    got = quarter({"call_logs": logs}, plugin=plugin)
    assert got[(DEPARTMENT, "calls_transfer_rate")].inputs["met"] is True  # 10% <= 10%
    logs[0]["transferred"] = 11
    got = quarter({"call_logs": logs}, plugin=plugin)
    assert got[(DEPARTMENT, "calls_transfer_rate")].inputs["met"] is False  # 11% > 10%
    got = quarter({"call_logs": logs})
    assert got[(DEPARTMENT, "calls_transfer_rate")].inputs["met"] is None  # no standard: not judged


@pytest.mark.parametrize("plugin", [ServiceCentrePlugin, CallCentrePlugin])
def test_both_keep_the_contract(plugin):
    assert check_plugin(plugin) == []
