"""The work around big customers recorded through intake, projected by assessment and compensation
over the real RabbitMQ and PostgreSQL, and read back as the indicator section of a closed month and a
closed quarter (docs/rules.md §6, §4). Every figure is worked by hand below."""

from decimal import Decimal

import eventlet
import pytest

from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.intake.service import IntakeService

LINE = "city-telecom"
D = Decimal


def _wait_until(predicate, timeout=30):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture
def suite(start_service, rpc, pg_url_factory):
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(AssessmentService, pg_url_factory("assessment"), OPPORTUNITY_LOOKBACK_DAYS=400)
    start_service(CompensationService, pg_url_factory("compensation"))
    rpc.intake.register_business_line({"key": LINE, "plugin": "telecom"})
    rpc.intake.register_branch(LINE, {"id": "b1", "name": "Gulou"})
    for pid, role in (("am1", "account_manager"), ("am2", "account_manager"), ("dep1", "deputy_manager")):
        rpc.intake.register_person(
            LINE, {"id": pid, "role": role, "branch": "b1", "start_date": "2025-01-01", "monthly_task": 20000}
        )
    return rpc


def record_the_quarter(rpc):
    i = rpc.intake
    i.register_customer(LINE, {"id": "c1", "name": "Harbour Steel", "owner": "am1", "big": True})
    i.register_customer(
        LINE, {"id": "c2", "owner": "am1", "changes": [{"date": "2026-02-10", "change": "upgraded"}]}
    )
    i.register_customer(
        LINE,
        {
            "id": "c3",
            "owner": "am2",
            "big": True,
            "changes": [{"date": "2026-03-05", "change": "lost", "reason": "moved to a rival"}],
        },
    )
    # a customer nobody registered is refused by name, and nothing is written
    with pytest.raises(Exception) as refused:
        i.record_visit(LINE, {"id": "vx", "person": "am1", "customer": "ghost", "date": "2026-03-01"})
    assert "customer" in str(refused.value) and "ghost" in str(refused.value)
    # am1 sells 57,000 in February against a plan of 3 x 20,000 = 60,000: 95%
    i.record_deal(
        LINE, {"id": "d1", "seller": "am1", "date": "2026-02-12", "list_price": 60000, "deal_price": 57000}
    )
    i.record_visit_plan(
        LINE, {"person": "am1", "month": "2026-03", "submitted": "2026-02-27", "revisits": ["c1", "c2"]}
    )
    # April's plan on Tuesday 31 March, March's last working day: on time
    i.record_visit_plan(
        LINE, {"person": "am1", "month": "2026-04", "submitted": "2026-03-31", "customers": ["c1"]}
    )
    i.record_batch(
        LINE,
        "visit",
        [
            {"id": "v1", "person": "am1", "customer": "c1", "date": "2026-03-10", "purpose": "revisit"},
            {"id": "v2", "person": "am1", "customer": "c2", "date": "2026-04-02", "purpose": "revisit"},
        ],
        idempotency_key="visits-march",
    )
    i.record_development_plan(LINE, {"id": "dp1", "person": "am1", "quarter": "2026-Q1", "planned": 2})
    i.record_complaint(
        LINE,
        {
            "id": "k1",
            "person": "am1",
            "customer": "c1",
            "received": "2026-03-02",
            "received_at": "2026-03-02T09:00:00",
            "resolved_at": "2026-03-03T09:00:00",
            "fault": "staff",
        },
    )
    # f1 answered exactly at its due time (timely), f2 a minute after (late)
    for fid, due, answered in (
        ("f1", "2026-03-05T12:00:00", "2026-03-05T12:00:00"),
        ("f2", "2026-03-06T12:00:00", "2026-03-06T12:01:00"),
    ):
        i.record_feedback_request(
            LINE,
            {
                "id": fid,
                "person": "am1",
                "customer": "c1",
                "raised_at": "2026-03-01T09:00:00",
                "due_at": due,
                "answered_at": answered,
            },
        )
    i.record_budget(LINE, {"person": "am1", "quarter": "2026-Q1", "amount": 1000})
    i.record_expense(LINE, {"id": "e1", "person": "am1", "date": "2026-03-20", "amount": 1000})
    i.record_attendance(LINE, {"person": "am1", "month": "2026-03", "late_arrivals": 1})
    i.record_featured_service(
        LINE, {"id": "s1", "person": "am1", "date": "2026-03-15", "name": "night delivery"}
    )


def by_key(section, person):
    return {
        l["inputs"]["indicator"]: l for l in section if l["kind"] == "indicator" and l["person"] == person
    }


def test_indicators_of_a_closed_month_and_quarter_come_from_the_records(suite):
    rpc = suite
    record_the_quarter(rpc)
    for service in (rpc.assessment, rpc.compensation):
        _wait_until(lambda s=service: s.projection_status(LINE).get("featured_service") == 1)
        _wait_until(lambda s=service: s.projection_status(LINE).get("visit") == 2)

    rpc.assessment.close_month(LINE, "2026-03")
    march = rpc.assessment.get_sheet(LINE, "2026-03")
    assert all(l["kind"] != "indicator" for l in march["lines"])  # a section apart from the points
    month = by_key(march["indicators"], "am1")
    # April's plan submitted 31 March, the last working day: on time -> 1; am2 sent none -> 0
    assert month["visit_plan_on_time"]["figure"] == "1"
    assert by_key(march["indicators"], "am2")["visit_plan_on_time"]["figure"] == "0"
    # March's plan names c1 and c2; only c1 was visited in March -> 1 / 2
    assert D(month["visit_plan_completion"]["figure"]) == D("0.5")
    # c3 (am2's) lost on 5 March: am2 lost 1, am1 none
    assert by_key(march["indicators"], "am2")["big_customers_lost"]["figure"] == "1"

    rpc.compensation.run_quarter(LINE, "2026-Q1")
    run = rpc.compensation.get_run(LINE, "2026-Q1")
    q = by_key(run["indicators"], "am1")
    figure = {k: (None if l["figure"] is None else D(l["figure"])) for k, l in q.items()}
    assert figure["sales_plan_completion"] == D("0.95")  # 57,000 / 60,000, met at the 90% standard
    assert q["sales_plan_completion"]["inputs"]["met"] is True
    assert figure["development_plan_completion"] == D("0.5")  # c2 upgraded of 2 planned
    assert figure["valid_complaints"] == 1  # k1: staff at fault
    assert figure["feedback_timeliness"] == D("0.5")  # f1 answered at its due time, f2 a minute late
    assert figure["revisit_rate"] == D("0.5")  # c1 revisited in Q1; c2 only on 2 April
    assert figure["service_cost_control"] == 1  # 1,000 spent of 1,000: met (at most 100%)
    assert figure["complaint_resolution_rate"] == 1
    assert figure["upgraded_customers"] == 1 and figure["new_big_customers"] == 0
    # no sales in 2025-Q4 were carried: growth is not applicable, never 0%
    assert figure["sales_growth"] is None and q["sales_growth"]["inputs"]["applicable"] is False
    # am2 held c3 at the start and lost it: churn 1 / 1
    assert D(by_key(run["indicators"], "am2")["churn_rate"]["figure"]) == 1
    (sheet,) = [l for l in run["indicators"] if l["kind"] == "scorecard" and l["person"] == "am1"]
    # 003 §十一 from the records: sales 95% -> 15 + 5 = 20; complaints 24 h exactly -> 10; nothing
    # collected of 57,000 billed -> 0; one upgrade -> 2; none lost -> 10; one featured service -> 2;
    # one late arrival -> 3; one complaint -> 3; rated items not rated -> 0: 50 of 90
    assert D(sheet["figure"]) == 50
    # am1's own statement holds am1's indicators only
    mine = rpc.compensation.get_statement(LINE, "2026-Q1", "am1")
    assert {l["person"] for l in mine["indicators"]} == {"am1"}
