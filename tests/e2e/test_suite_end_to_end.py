"""All five services on the real RabbitMQ, each with its own PostgreSQL database, driven through
the bus with the telecom rules: record -> owner assigned -> follow-up missed -> escalated ->
bulletin delivered; March closed with the expected points; Q1 run with the expected commissions."""

from decimal import Decimal

import eventlet
import pytest

from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.escalation.service import EscalationService
from services.intake.service import IntakeService
from services.notify.service import NotifyService

LINE = "city-telecom"


def _wait_until(predicate, timeout=30):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture
def suite(start_service, rpc, pg_url_factory, tmp_path):
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(EscalationService, pg_url_factory("escalation"))
    start_service(AssessmentService, pg_url_factory("assessment"), OPPORTUNITY_LOOKBACK_DAYS=400)
    start_service(CompensationService, pg_url_factory("compensation"))
    start_service(
        NotifyService,
        pg_url_factory("notify"),
        NOTIFY_CHANNELS=[{"name": "outbox", "type": "outbox", "dir": str(tmp_path / "outbox")}],
    )
    rpc.intake.register_business_line({"key": LINE, "plugin": "telecom"})
    rpc.intake.register_branch(LINE, {"id": "b1", "name": "Gulou"})  # not urban: 1 citywide a month
    for pid, role, branch in (
        ("am1", "account_manager", "b1"),
        ("dir1", "center_director", "b1"),
        ("dep1", "deputy_manager", "b1"),
        ("bm1", "branch_manager", "b1"),
        ("ca1", "city_admin", None),
    ):
        rpc.intake.register_person(
            LINE, {"id": pid, "role": role, "branch": branch, "start_date": "2025-01-01"}
        )
    return rpc


def test_a_quarter_of_telecom_through_all_five_services(suite, tmp_path):
    rpc = suite
    # o1: 60,000 is "important" (000 §(一)3): owned and confirmed by the deputy branch manager
    rpc.intake.record_opportunity(
        LINE,
        {
            "id": "o1",
            "amount": 60000,
            "discovered": "2026-03-02",
            "entered": "2026-03-03",
            "branch": "b1",
            "account_manager": "am1",
            "scope": "local",
        },
        idempotency_key="crm-o1",
    )
    _wait_until(lambda: rpc.notify.list_messages(LINE, "owner_assigned"))
    assignment = rpc.escalation.get_assignment(LINE, "o1")
    assert (assignment["tier"], assignment["owner"], assignment["confirmer"]) == ("important", "dep1", "dep1")

    # no follow-up since it was entered on 3 March: overdue week 1 on 10 March -> the rung above
    # the deputy manager, the branch manager (rules §1.3)
    assert rpc.escalation.sweep("2026-03-09") == []
    (made,) = rpc.escalation.sweep("2026-03-10")
    assert (made["role"], made["person"]) == ("branch_manager", "bm1")
    _wait_until(lambda: rpc.notify.list_messages(LINE, "escalation"))
    (bulletin,) = rpc.notify.send_weekly_bulletin("2026-03-10", LINE)
    assert bulletin["opportunities"] == 1  # o1 is >= 20,000 (000 §(一)5)
    assert any(p.name.endswith("weekly_bulletin-city-telecom.html") for p in (tmp_path / "outbox").iterdir())

    # o2: found by the city audit, 30,000 and 2 lines: a missed report of the second band of
    # 000 §(三)(一)1 -> BM 3, Dir 4, AM 4; and b1 entered no citywide opportunity in March:
    # quota shortfall 1 x (BM 2, Dir 5) (000 §(三)(一)4)
    rpc.intake.record_opportunity(
        LINE,
        {
            "id": "o2",
            "amount": 30000,
            "lines": 2,
            "discovered": "2026-03-05",
            "origin": "audit",
            "branch": "b1",
            "account_manager": "am1",
        },
    )
    # one deal in March: list 100,000, sold at 95,000 (d = 0.95 -> 8%)
    rpc.intake.record_deal(
        LINE, {"id": "d1", "seller": "am1", "date": "2026-03-10", "list_price": 100000, "deal_price": 95000}
    )
    _wait_until(lambda: rpc.assessment.projection_status(LINE).get("opportunity") == 2)
    _wait_until(lambda: rpc.compensation.projection_status(LINE).get("deal") == 1)

    rpc.assessment.close_month(LINE, "2026-03")
    sheet = rpc.assessment.get_sheet(LINE, "2026-03")
    points = {p: Decimal(t.get("points", "0")) for p, t in sheet["totals"].items()}
    # am1: 4 (missed report); dir1: 4 + 5 = 9; bm1: 3 + 2 = 5; am1 met the local quota with o1
    assert {p: v for p, v in points.items() if v} == {"am1": 4, "dir1": 9, "bm1": 5}
    assert {l["clause"] for l in sheet["lines"] if l["unit"] == "points"} == {
        "000 §(三)(一)1",
        "000 §(三)(一)4",
    }
    assert {l["person"] for l in sheet["lines"] if l["kind"] == "veto_flag"} == {"am1", "dir1", "bm1"}
    _wait_until(lambda: rpc.notify.list_messages(LINE, "monthly_sheet"))

    rpc.compensation.run_quarter(LINE, "2026-Q1")
    run = rpc.compensation.get_run(LINE, "2026-Q1")
    commission = [l for l in run["lines"] if l["kind"] == "commission" and l["person"] == "am1"]
    # first 20,000 of March is the base task; 75,000 commissionable; sales 95,000 > 120% x 20,000
    # -> 8% + 1 pp = 9%; 75,000 x 9% = 6,750
    assert [Decimal(l["figure"]) for l in commission] == [Decimal("6750.00")]
    manager = [l for l in run["lines"] if l["person"] == "dir1" and "commission" in l["kind"]]
    # department (am1 alone): 95,000 - 20,000 base = 75,000 x (0.5% + 0.1 pp as 95,000 > 120%
    # x 20,000) = 75,000 x 0.6% = 450
    assert sum(Decimal(l["figure"]) for l in manager) == Decimal("450.00")
    statement = rpc.compensation.get_statement(LINE, "2026-Q1", "am1")
    assert all(l["clause"] and l["reason_en"] and l["inputs"] for l in statement["lines"])
    _wait_until(lambda: rpc.notify.list_messages(LINE, "quarterly_statement"))
