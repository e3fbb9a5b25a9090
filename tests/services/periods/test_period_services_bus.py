"""assessment and compensation through the real broker, each on its own PostgreSQL database,
with the third-party acme-flat rules (3 points per audit finding, 3% of every deal)."""
import eventlet
import pytest

from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.intake.service import IntakeService
from shared.errors import Conflict, InvalidFacts, NotFound


def _wait_until(predicate, timeout=20):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture
def suite(start_service, rpc, pg_url_factory):
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(AssessmentService, pg_url_factory("assessment"))
    start_service(CompensationService, pg_url_factory("compensation"))
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    rpc.intake.register_person("acme", {"id": "am1", "role": "account_manager"})
    return rpc


def _audit(rpc, i, day):
    rpc.intake.record_opportunity("acme", {"id": f"o{i}", "amount": 30000, "discovered": day,
                                           "origin": "audit", "account_manager": "am1"})


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
    assert sheet["version"] == 1 and sheet["totals"] == {"am1": {"points": "6"}}
    assert [l["clause"] for l in sheet["lines"]] == ["ACME §2", "ACME §2"]
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
        (1, "reopened", "audit finding o4 filed late"), (2, "closed", None)]
    with pytest.raises(InvalidFacts) as exc:
        rpc.assessment.close_month("acme", "2026-13")
    assert exc.value.errors[0]["field"] == "month"


def test_quarters_run_in_order_and_statements_explain_each_line(suite):
    rpc = suite
    for i, (day, price) in enumerate([("2026-01-15", "100000"), ("2026-03-31", "20000.50"),
                                      ("2026-04-01", "50000")]):
        rpc.intake.record_deal("acme", {"id": f"d{i}", "seller": "am1", "date": day,
                                        "list_price": price, "deal_price": price})
    _caught_up(rpc, "compensation", "deal", 3)
    with pytest.raises(NotFound):
        rpc.compensation.get_statement("acme", "2026-Q1", "am1")
    q1 = rpc.compensation.run_quarter("acme", "2026-Q1")
    # 3% x 100,000 = 3,000 and 3% x 20,000.50 = 600.015 -> 600.02 reported; total 3,600.015
    assert [l["figure"] for l in q1["lines"]] == ["3000.00", "600.02"]
    assert q1["totals"] == {"am1": {"CNY": "3600.0150"}}
    statement = rpc.compensation.get_statement("acme", "2026-Q1", "am1")
    assert statement["lines"][0]["inputs"] == {"deal": "d0", "deal_price": "100000", "rate": "0.03"}
    q2 = rpc.compensation.run_quarter("acme", "2026-Q2")
    assert q2["totals"] == {"am1": {"CNY": "1500.00"}}  # 3% x 50,000

    rpc.compensation.reopen_quarter("acme", "2026-Q1", "deal d1 price corrected")
    rpc.compensation.reopen_quarter("acme", "2026-Q2", "follows Q1")
    with pytest.raises(Conflict) as exc:  # Q2 cannot be built on a Q1 that is being changed
        rpc.compensation.run_quarter("acme", "2026-Q2")
    assert exc.value.errors[0]["field"] == "quarter"
    assert rpc.compensation.run_quarter("acme", "2026-Q1")["version"] == 2
    assert rpc.compensation.run_quarter("acme", "2026-Q2")["version"] == 2
