"""Corrections of closed periods posted forward (docs/rules.md §9.5): the closed version stays,
the difference is paid in the next open period, line by line, and the carried state follows."""

from decimal import Decimal

import pytest
from conftest import record_event
from nameko.testing.services import worker_factory

from kamkit.errors import Conflict
from services.assessment.models import Base as AssessmentBase
from services.assessment.service import AssessmentService
from services.common.storage import uow
from services.compensation.models import Base as CompensationBase
from services.compensation.service import CompensationService

LINE = record_event("business_line", {"key": "acme", "plugin": "acme-flat"})
AM = record_event("person", {"id": "am1", "role": "account_manager"})


def _deal(i, day, price, version=1):
    doc = {"id": f"d{i}", "seller": "am1", "date": day, "list_price": price, "deal_price": price}
    return record_event("deal", doc, version=version)


def _audit(i, day):
    doc = {"id": f"o{i}", "amount": 30000, "discovered": day, "origin": "audit", "account_manager": "am1"}
    return record_event("opportunity", doc)


@pytest.fixture
def compensation(sqlite_db):
    w = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    for event in (LINE, AM, _deal(1, "2026-02-01", 1000), _deal(3, "2026-05-01", 2000)):
        w.on_record_changed(event)
    return w


def test_a_correction_of_q1_is_paid_in_q2_and_its_carried_state_follows(compensation):
    w = compensation
    q1 = w.run_quarter("acme", "2026-Q1")
    assert q1["totals"] == {"am1": {"CNY": "30.00"}}  # 1,000 x 3%
    # found after Q1 was paid: d1 was 1,500, and d2 (500, in March) was never entered
    w.on_record_changed(_deal(1, "2026-02-01", 1500, version=2))
    w.on_record_changed(_deal(2, "2026-03-10", 500))
    adjusted = w.adjust_period("acme", "2026-Q1", "d1 was 1,500; d2 was missed")
    assert adjusted["adjusted"] and adjusted["target"] == "2026-Q2" and adjusted["version"] == 1
    by_deal = {l["inputs"]["line_key"]["about"]: l for l in adjusted["lines"]}
    # d1: stated 1,000 x 3% = 30, recomputed 1,500 x 3% = 45: +15; d2: 0, now 500 x 3% = 15: +15
    assert Decimal(by_deal["deal d1"]["figure"]) == 15 and Decimal(by_deal["deal d2"]["figure"]) == 15
    assert (
        by_deal["deal d1"]["inputs"]["period"] == "2026-Q1"
        and "d2 was missed" in by_deal["deal d2"]["reason_en"]
    )
    assert adjusted["carried_out"] == {"deals_to_date": "2000"}  # 1,500 + 500
    # Q1 as paid: untouched, one version
    assert w.get_run("acme", "2026-Q1")["totals"] == {"am1": {"CNY": "30.00"}}
    assert [v["version"] for v in w.run_history("acme", "2026-Q1")] == [1]
    # nothing more to correct: nothing stored
    assert w.adjust_period("acme", "2026-Q1", "checked again")["adjusted"] is False
    # Q2: d3 2,000 x 3% = 60, and the adjustment 15 + 15: 90.00; it starts from the corrected state
    q2 = w.run_quarter("acme", "2026-Q2")
    assert q2["totals"] == {"am1": {"CNY": "90.00"}}
    run = w.get_run("acme", "2026-Q2")
    assert run["carried_in"] == {"deals_to_date": "2000"} and run["carried_out"] == {"deals_to_date": "4000"}
    assert [l["kind"] for l in run["lines"]].count("adjustment") == 2
    assert run["sources"] == [{"adjustment": adjusted["id"]}]
    replayed = w.replay_period("acme", "2026-Q2")
    assert replayed["outcome"] == "identical", str(replayed)
    # Q2 is closed on Q1's state: a second correction of Q1 goes to Q3, Q2 recomputed on the way
    w.on_record_changed(_deal(2, "2026-03-10", 700, version=2))
    again = w.adjust_period("acme", "2026-Q1", "d2 was 700")
    assert again["target"] == "2026-Q3" and again["through"] == ["2026-Q2"] and len(again["ids"]) == 2
    # d2: stated 15 (the first adjustment), now 700 x 3% = 21: +6; Q2's own lines are unchanged (d3
    # 60; the adjustment posted in it is Q1's), but the state it hands on is 1,500 + 700 + 2,000
    (line,) = again["lines"]
    assert Decimal(line["figure"]) == 6 and line["inputs"]["period"] == "2026-Q1"
    assert again["carried_out"] == {"deals_to_date": "4200"}
    q3 = w.run_quarter("acme", "2026-Q3")
    assert q3["totals"] == {"am1": {"CNY": "6.00"}}
    assert w.get_run("acme", "2026-Q3")["carried_in"] == {"deals_to_date": "4200"}
    assert w.get_run("acme", "2026-Q2")["totals"] == {"am1": {"CNY": "90.00"}}  # as paid


def test_a_correction_of_the_last_quarter_is_paid_in_the_new_year_and_says_so(compensation):
    w = compensation
    w.on_record_changed(_deal(9, "2026-11-02", 1000))
    for q in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        w.run_quarter("acme", q)
    w.on_record_changed(_deal(9, "2026-11-02", 2000, version=2))
    adjusted = w.adjust_period("acme", "2026-Q4", "d9 was 2,000")
    (line,) = adjusted["lines"]
    # 2,000 x 3% - 1,000 x 3% = 30, in 2027-Q1
    assert adjusted["target"] == "2027-Q1" and Decimal(line["figure"]) == 30
    assert "2026 is settled: paid in 2027" in line["reason_en"]


def test_a_month_of_points_corrected_in_the_next_open_month(sqlite_db):
    w = uow.for_worker(worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={}))
    for event in (LINE, AM, _audit(1, "2026-03-03")):
        w.on_record_changed(event)
    w.close_month("acme", "2026-03")
    w.close_month("acme", "2026-04")
    w.on_record_changed(_audit(2, "2026-03-20"))  # a second March find, entered late
    adjusted = w.adjust_period("acme", "2026-03", "o2 found in March")
    # months carry nothing: April is closed, the 3 points go to May
    assert adjusted["target"] == "2026-05" and adjusted["totals"] == {"am1": {"points": "3"}}
    assert w.close_month("acme", "2026-05")["totals"] == {"am1": {"points": "3"}}
    assert w.get_sheet("acme", "2026-03")["totals"] == {"am1": {"points": "3"}}  # as closed


def test_an_inquiry_rejected_with_a_reason_changes_nothing(compensation):
    w = compensation
    w.run_quarter("acme", "2026-Q1")
    raised = w.raise_inquiry(
        "acme",
        "2026-Q1",
        {"person": "am1", "line": 0, "reason_code": "wrong_figure", "text": "d1 was sold at 1,200"},
        idempotency_key="q-1",
    )
    assert raised["status"] == "open" and raised["quoted"]["inputs"]["deal"] == "d1"
    # a retry: one inquiry
    again = w.raise_inquiry(
        "acme",
        "2026-Q1",
        {"person": "am1", "line": 0, "reason_code": "wrong_figure", "text": "d1 was sold at 1,200"},
        idempotency_key="q-1",
    )
    assert again["id"] == raised["id"] and len(w.list_inquiries("acme")) == 1
    answered = w.answer_inquiry("acme", raised["id"], "reject", "the contract says 1,000")
    assert answered["status"] == "rejected" and answered["answer"] == "the contract says 1,000"
    assert answered["adjusted"] is None
    with pytest.raises(Conflict) as twice:
        w.answer_inquiry("acme", raised["id"], "accept", "on second thought")
    assert twice.value.errors[0]["field"] == "inquiry"
    assert w.list_inquiries("acme", status="open") == []


def test_an_inquiry_on_a_missing_record_accepted_posts_the_adjustment(compensation):
    w = compensation
    w.run_quarter("acme", "2026-Q1")
    raised = w.raise_inquiry(
        "acme",
        "2026-Q1",
        {"person": "am1", "record": "deal d2", "reason_code": "missing_record", "text": "d2"},
    )
    with pytest.raises(Conflict) as early:  # nothing changed in the records yet
        w.answer_inquiry("acme", raised["id"], "accept", "d2 is real")
    assert early.value.errors[0]["field"] == "decision"
    assert w.list_inquiries("acme")[0]["status"] == "open"
    w.on_record_changed(_deal(2, "2026-03-10", 500))  # the clerk enters d2
    accepted = w.answer_inquiry("acme", raised["id"], "accept", "d2 is real")
    # d2: 500 x 3% = 15.00, posted in Q2, citing the inquiry
    assert accepted["status"] == "accepted" and accepted["adjustment"] == accepted["adjusted"]["id"]
    (line,) = accepted["adjusted"]["lines"]
    assert Decimal(line["figure"]) == 15 and f"inquiry {raised['id']} (missing_record)" in line["reason_en"]
    assert w.run_quarter("acme", "2026-Q2")["totals"] == {"am1": {"CNY": "75.00"}}  # 60 + 15


def test_an_inquiry_names_a_line_that_is_there(compensation):
    w = compensation
    w.run_quarter("acme", "2026-Q1")
    from kamkit.errors import InvalidFacts, NotFound

    with pytest.raises(NotFound) as missing:
        w.raise_inquiry("acme", "2026-Q1", {"person": "am1", "line": 5, "reason_code": "other", "text": "?"})
    assert missing.value.errors[0]["field"] == "inquiry.line"
    with pytest.raises(InvalidFacts) as vague:
        w.raise_inquiry("acme", "2026-Q1", {"person": "am1", "reason_code": "other", "text": "?"})
    assert vague.value.errors[0]["field"] == "inquiry.line"
    with pytest.raises(InvalidFacts) as code:
        w.raise_inquiry(
            "acme", "2026-Q1", {"person": "am1", "line": 0, "reason_code": "because", "text": "?"}
        )
    assert code.value.errors[0]["field"] == "inquiry.reason_code"


def test_an_inquiry_waiting_three_days_is_warned_of_once(compensation):
    from datetime import timedelta

    from services.common.storage.db import utcnow
    from wire import events as E

    w = compensation
    w.on_record_changed(record_event("person", {"id": "bm1", "role": "branch_manager"}))
    w.on_record_changed(
        record_event(
            "business_line",
            {"key": "acme", "plugin": "acme-flat", "parameters": {"warn_manager": True}},
            version=2,
        )
    )
    w.run_quarter("acme", "2026-Q1")
    raised = w.raise_inquiry(
        "acme", "2026-Q1", {"person": "am1", "line": 0, "reason_code": "other", "text": "?"}
    )
    now = utcnow()
    # approval_wait_days 3 (docs/rules.md §8): 2 days 23 hours after it was raised, no warning; 3 days, one
    assert w._warn_inquiries(now + timedelta(days=2, hours=23)) == []
    (sent,) = w._warn_inquiries(now + timedelta(days=3))
    assert sent["what"] == "inquiry" and sent["key"] == str(raised["id"]) and sent["tell"] == ["am1", "bm1"]
    assert w._warn_inquiries(now + timedelta(days=9)) == []  # once
    events = [c.args[1] for c in w.dispatch.call_args_list if c.args[0] == E.WARNING_DUE]
    assert len(events) == 1 and events[0]["inputs"]["period"] == "2026-Q1"
