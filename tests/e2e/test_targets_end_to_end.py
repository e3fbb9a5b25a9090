"""Targets set, changed and approved through intake, projected by compensation over the real
RabbitMQ and PostgreSQL, and read back from quarter statements (docs/rules.md §7; seed 001 第3、
6条). Access control is off in these containers, so each call names who acts; with it on, that is
the caller (tests/services/test_access_matrix.py, tests/gateway/test_readme_walkthrough.py)."""

from decimal import Decimal

import eventlet
import pytest

from services.compensation.service import CompensationService
from services.intake.service import IntakeService

LINE = "fuzhou-software"
D = Decimal


def _wait_until(predicate, timeout=30):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture
def suite(start_service, rpc, pg_url_factory):
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(CompensationService, pg_url_factory("compensation"))
    rpc.intake.register_business_line({"key": LINE, "plugin": "software"})
    rpc.intake.register_person(LINE, REP1)
    return rpc


REP1 = {"id": "rep1", "role": "account_manager", "start_date": "2024-01-01"}


def collect(rpc, cid, day, amount):
    rpc.intake.record_collection(LINE, {"id": cid, "rep": "rep1", "date": day, "amount": amount})


def caught_up(rpc, changes):
    _wait_until(lambda: rpc.compensation.projection_status(LINE).get("target_change") == changes)


def target_line(statement):
    (line,) = [l for l in statement["lines"] if l["kind"] == "target"]
    return line


def plan_completion(statement):
    (line,) = [
        l
        for l in statement["indicators"]
        if l["kind"] == "indicator" and l["inputs"]["indicator"] == "sales_plan_completion"
    ]
    return D(line["figure"])


def test_the_target_in_force_at_the_close_is_the_one_approved(suite):
    rpc = suite
    i = rpc.intake
    # the department manager sets rep1's target from Q1 on: 300,000 a quarter (Q1 has begun, but
    # nothing stood for it: a first target may be set late)
    i.set_target(
        LINE, {"id": "t1", "person": "rep1", "period": "2026-Q1", "amount": 300000, "set_by": "boss"}
    )
    # lin asks to lower Q1's to 250,000; boss rejects it: the target set stands (第6条)
    i.request_target_change(
        LINE,
        {
            "id": "c1",
            "person": "rep1",
            "period": "2026-Q1",
            "amount": 250000,
            "reason": "a customer left",
            "requested_by": "lin",
        },
    )
    i.decide_target_change(LINE, "c1", "reject", note="the customer is still ours", decided_by="boss")
    # lin asks for 280,000 from Q2; deputy approves it
    i.request_target_change(
        LINE,
        {
            "id": "c2",
            "person": "rep1",
            "period": "2026-Q2",
            "amount": 280000,
            "reason": "new region",
            "requested_by": "lin",
        },
    )
    i.decide_target_change(LINE, "c2", "approve", decided_by="deputy")
    collect(rpc, "k1", "2026-02-10", 270000)
    collect(rpc, "k2", "2026-05-10", 140000)
    caught_up(rpc, 2)
    _wait_until(lambda: rpc.compensation.projection_status(LINE).get("collection") == 2)

    rpc.compensation.run_quarter(LINE, "2026-Q1")
    q1 = rpc.compensation.get_statement(LINE, "2026-Q1", "rep1")
    line = target_line(q1)
    # Q1: t1's 300,000 (c1 rejected, c2 from Q2), set by boss
    assert D(line["figure"]) == 300000 and line["inputs"]["id"] == "t1" and line["inputs"]["set_by"] == "boss"
    assert line["reason_en"] == "2026-Q1 target 300000: target t1 from 2026-Q1, set by boss"
    # collected 270,000 of 300,000: 0.9, the 90% standard met exactly
    assert plan_completion(q1) == D("0.9")

    rpc.compensation.run_quarter(LINE, "2026-Q2")
    q2 = rpc.compensation.get_statement(LINE, "2026-Q2", "rep1")
    line = target_line(q2)
    # Q2: c2's 280,000, asked by lin and approved by deputy
    assert D(line["figure"]) == 280000 and line["inputs"]["source"] == "change"
    assert (line["inputs"]["requested_by"], line["inputs"]["approved_by"]) == ("lin", "deputy")
    assert line["reason_en"].startswith(
        "2026-Q2 target 280000: change c2 from 2026-Q2, asked by lin, approved by deputy on "
    )
    # 140,000 of 280,000: 0.5
    assert plan_completion(q2) == D("0.5")


def test_a_change_approved_after_the_close_does_not_rewrite_the_period(suite):
    rpc = suite
    i = rpc.intake
    # rep1's own record says 200,000 a quarter: the initial target, until a target is set
    i.register_person(LINE, {**REP1, "quarterly_target": 200000})
    collect(rpc, "k1", "2026-02-10", 180000)
    _wait_until(lambda: rpc.compensation.projection_status(LINE).get("collection") == 1)
    rpc.compensation.run_quarter(LINE, "2026-Q1")
    first = rpc.compensation.get_statement(LINE, "2026-Q1", "rep1")
    # no target set: rep1's own 200,000; 180,000 of it is 0.9
    assert target_line(first)["inputs"]["source"] == "person" and plan_completion(first) == D("0.9")
    # after the close, a change of Q1 to 150,000 is asked for and approved
    i.request_target_change(
        LINE,
        {
            "id": "c9",
            "person": "rep1",
            "period": "2026-Q1",
            "amount": 150000,
            "reason": "late claim",
            "requested_by": "lin",
        },
    )
    i.decide_target_change(LINE, "c9", "approve", decided_by="boss")
    caught_up(rpc, 1)
    rpc.compensation.reopen_quarter(LINE, "2026-Q1", "a collection was keyed twice: run again")
    rpc.compensation.run_quarter(LINE, "2026-Q1")
    again = rpc.compensation.get_statement(LINE, "2026-Q1", "rep1")
    # the re-run of the closed quarter keeps 200,000 (not 150,000: 180,000 / 150,000 = 1.2)
    assert D(target_line(again)["figure"]) == 200000 and plan_completion(again) == D("0.9")
    # the next quarter, not yet closed, takes it: in force from Q1 on
    rpc.compensation.run_quarter(LINE, "2026-Q2")
    q2 = rpc.compensation.get_statement(LINE, "2026-Q2", "rep1")
    assert D(target_line(q2)["figure"]) == 150000 and target_line(q2)["inputs"]["id"] == "c9"
