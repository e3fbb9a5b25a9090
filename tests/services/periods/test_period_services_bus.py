"""assessment and compensation through the real broker, each on its own PostgreSQL database,
with the third-party acme-flat rules (3 points per audit finding, 3% of every deal)."""

import eventlet
import pytest

from kamkit.errors import Conflict, InvalidFacts, NotFound
from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.intake.service import IntakeService
from services.notify.service import NotifyService


def _wait_until(predicate, timeout=20):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture
def suite(start_service, rpc, pg_url_factory):
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(AssessmentService, pg_url_factory("assessment"))
    start_service(CompensationService, pg_url_factory("compensation"))
    start_service(NotifyService, pg_url_factory("notify"), NOTIFY_CHANNELS=[])
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    rpc.intake.register_person("acme", {"id": "am1", "role": "account_manager"})
    return rpc


def _audit(rpc, i, day):
    rpc.intake.record_opportunity(
        "acme",
        {"id": f"o{i}", "amount": 30000, "discovered": day, "origin": "audit", "account_manager": "am1"},
    )


def _caught_up(rpc, service, kind, n):
    _wait_until(lambda: getattr(rpc, service).projection_status("acme").get(kind) == n)


def test_month_closes_once_reopens_with_reason_and_keeps_both_versions(suite):
    rpc = suite
    _audit(rpc, 1, "2026-03-03")
    _audit(rpc, 2, "2026-03-20")
    _audit(rpc, 3, "2026-02-27")  # February's: not on March's sheet
    _caught_up(rpc, "assessment", "opportunity", 3)

    sheet = rpc.assessment.close_month("acme", "2026-03")
    # two March findings x 3 points = 6
    assert sheet["version"] == 1 and sheet["totals"] == {"am1": {"points": "6"}} and sheet["line_count"] == 2
    assert [l["clause"] for l in rpc.assessment.get_sheet("acme", "2026-03")["lines"]] == [
        "ACME §2",
        "ACME §2",
    ]
    _audit(rpc, 4, "2026-03-25")
    _caught_up(rpc, "assessment", "opportunity", 4)
    assert rpc.assessment.close_month("acme", "2026-03") == sheet  # closed: immutable

    with pytest.raises(InvalidFacts) as exc:
        rpc.assessment.reopen_month("acme", "2026-03", "  ")
    assert exc.value.errors[0]["field"] == "reason"
    rpc.assessment.reopen_month("acme", "2026-03", "audit finding o4 filed late")
    again = rpc.assessment.close_month("acme", "2026-03")
    assert again["version"] == 2 and again["totals"] == {"am1": {"points": "9"}}  # 3 x 3
    history = rpc.assessment.sheet_history("acme", "2026-03")
    assert [(h["version"], h["status"], h["reopen_reason"]) for h in history] == [
        (1, "reopened", "audit finding o4 filed late"),
        (2, "closed", None),
    ]
    with pytest.raises(InvalidFacts) as exc:
        rpc.assessment.close_month("acme", "2026-13")
    assert exc.value.errors[0]["field"] == "month"


def test_quarters_run_in_order_and_statements_explain_each_line(suite):
    rpc = suite
    for i, (day, price) in enumerate(
        [("2026-01-15", "100000"), ("2026-03-31", "20000.50"), ("2026-04-01", "50000")]
    ):
        rpc.intake.record_deal(
            "acme", {"id": f"d{i}", "seller": "am1", "date": day, "list_price": price, "deal_price": price}
        )
    _caught_up(rpc, "compensation", "deal", 3)
    with pytest.raises(NotFound):
        rpc.compensation.get_statement("acme", "2026-Q1", "am1")
    rpc.compensation.run_quarter("acme", "2026-Q1")
    q1 = rpc.compensation.get_run("acme", "2026-Q1")
    # 3% x 100,000 = 3,000 and 3% x 20,000.50 = 600.015 -> 600.02 reported; total 3,600.015
    assert [l["figure"] for l in q1["lines"]] == ["3000.00", "600.02"]
    assert q1["totals"] == {"am1": {"CNY": "3600.0150"}}
    statement = rpc.compensation.get_statement("acme", "2026-Q1", "am1")
    assert statement["lines"][0]["inputs"] == {"deal": "d0", "deal_price": "100000", "rate": "0.03"}
    rpc.compensation.run_quarter("acme", "2026-Q2")
    q2 = rpc.compensation.get_run("acme", "2026-Q2")
    assert q2["totals"] == {"am1": {"CNY": "1500.00"}}  # 3% x 50,000

    # Q2 starts from Q1's carried state: deals to date 100,000 + 20,000.50 = 120,000.50
    assert q2["carried_in"] == {"deals_to_date": "120000.50"}
    assert q2["carried_out"] == {"deals_to_date": "170000.50"}  # + 50,000

    rpc.intake.update_record("acme", "deal", "d1", {"deal_price": "30000", "list_price": "30000"})
    _wait_until(lambda: rpc.compensation.projection_versions("acme").get("deal") == 4)
    answer = rpc.compensation.reopen_quarter("acme", "2026-Q1", "deal d1 price corrected")
    assert answer["stale"] == ["2026-Q2"]  # built on Q1's carried state: flagged, not left silently
    stale = rpc.compensation.get_run("acme", "2026-Q2")
    assert stale["status"] == "stale" and stale["stale"] is True
    assert stale["stale_reason"].startswith("2026-Q1 was reopened (deal d1 price corrected)")
    with pytest.raises(Conflict) as exc:  # Q2 cannot be built on a Q1 that is being changed
        rpc.compensation.run_quarter("acme", "2026-Q2")
    assert exc.value.errors[0]["field"] == "quarter"
    rpc.compensation.run_quarter("acme", "2026-Q1")
    q1v2 = rpc.compensation.get_run("acme", "2026-Q1")
    assert q1v2["version"] == 2 and q1v2["reason"] == "reopened: deal d1 price corrected"
    assert q1v2["carried_out"] == {"deals_to_date": "130000"}  # 100,000 + 30,000
    rpc.compensation.run_quarter("acme", "2026-Q2")
    q2v2 = rpc.compensation.get_run("acme", "2026-Q2")
    # recomputed from the new carried state: 130,000 + 50,000 = 180,000, as a new version
    assert q2v2["version"] == 2 and q2v2["carried_in"] == {"deals_to_date": "130000"}
    assert q2v2["carried_out"] == {"deals_to_date": "180000"}
    assert q2v2["reason"].startswith("recomputed because 2026-Q1 was reopened")
    assert [(h["version"], h["status"]) for h in rpc.compensation.run_history("acme", "2026-Q2")] == [
        (1, "reopened"),
        (2, "closed"),
    ]
    # the stale flag went out as an event: notify made a notice of it
    _wait_until(lambda: rpc.notify.list_messages("acme", "stale_statement"))
    (notice,) = rpc.notify.list_messages("acme", "stale_statement")
    assert "2026-Q2" in notice["subject"] and "deal d1 price corrected" in notice["markdown"]
