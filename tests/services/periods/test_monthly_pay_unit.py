"""A month's statement of a line paid by the month (docs/rules.md §9.4; seed 003 §五–§七): closed
on its own, versioned, and held by its quarter without computing it again."""

from decimal import Decimal

import pytest
from conftest import record_event
from nameko.testing.services import worker_factory

from kamkit.errors import Conflict
from kamkit.loader import load_plugin
from kamkit.periods import Quarter
from services.common.periods.period_run import facts_for
from services.common.storage import uow
from services.compensation.models import MODELS
from services.compensation.models import Base as CompensationBase
from services.compensation.service import CompensationService

TEL = record_event("business_line", {"key": "tel", "plugin": "telecom"}, line="tel")
B1 = record_event("branch", {"id": "b1"}, line="tel")
AM1 = record_event(
    "person", {"id": "am1", "role": "account_manager", "branch": "b1", "name": "王芳"}, line="tel"
)


def _deal(i, day, list_price, deal_price):
    doc = {"id": f"d{i}", "seller": "am1", "date": day, "list_price": list_price, "deal_price": deal_price}
    return record_event("deal", doc, line="tel")


@pytest.fixture
def worker(sqlite_db):
    w = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    for event in (
        TEL,
        B1,
        AM1,
        _deal(1, "2026-03-05", 20000, 18000),
        _deal(2, "2026-03-20", 20000, 15000),
        _deal(3, "2026-04-02", 20000, 20000),
    ):
        w.on_record_changed(event)
    return w


def _cny(totals, person="am1"):
    return Decimal(totals[person]["CNY"])


def test_a_month_statement_worked_by_hand(worker):
    march = worker.run_month("tel", "2026-03")
    # March: sales 18,000 + 15,000 = 33,000 against the base task 20,000 (003 §六3); above 120% of
    # it (24,000): +1 pp; average ratio 33,000 / 40,000 = 0.825, not below 0.75: no deduction.
    # The task is used up by date: d1 (ratio 0.90, 8% + 1%) takes 18,000 of it: 0 x 9% = 0;
    # d2 (ratio 0.75, 2% + 1%) takes the last 2,000: 13,000 x 3% = 390.
    # Base salary 1,800 and phone 100 (003 §五): 390 + 1,800 + 100 = 2,290.00
    assert _cny(march["totals"]) == Decimal("2290")
    lines = worker.get_month_statement("tel", "2026-03", "am1")["lines"]
    by_deal = {l["inputs"].get("deal"): l for l in lines if l["kind"] == "commission"}
    assert Decimal(by_deal["d1"]["figure"]) == 0 and Decimal(by_deal["d2"]["figure"]) == Decimal("390.00")
    assert {l["kind"] for l in lines} >= {"commission", "base_salary", "phone_allowance"}
    assert all("2026-04" not in str(l["inputs"].get("date", "")) for l in lines)  # April's d3 is not here
    assert worker.run_month("tel", "2026-03") == march  # again: the same version
    assert worker.replay_period("tel", "2026-03")["outcome"] == "identical"


def test_the_quarter_holds_its_months_as_closed(worker):
    worker.run_month("tel", "2026-03")
    q1 = worker.run_quarter("tel", "2026-Q1")  # January and February are closed on the way
    # January and February: salary 1,800 + phone 100 each; March 2,290: 1,900 x 2 + 2,290 = 6,090
    assert _cny(q1["totals"]) == Decimal("6090")
    assert [p["period"] for p in worker.get_run("tel", "2026-Q1")["sources"]] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    months = [worker.get_month("tel", m)["lines"] for m in ("2026-01", "2026-02", "2026-03")]
    quarter = worker.get_run("tel", "2026-Q1")
    held = sum(len(m) for m in months)
    assert quarter["lines"][:held] == [l for m in months for l in m]  # the months' lines, as stored
    # ... and the same as the plugin's own quarter, computed in one go from the same facts
    q = Quarter.parse("2026-Q1")
    facts = facts_for(
        worker.db.session,
        MODELS.fact,
        "tel",
        first=q.first_day,
        last=q.last_day,
        lookback_days=0,
        periods=[q, *q.months],
        tick=quarter["facts_tick"],
        quarter="2026-Q1",
    )
    whole = load_plugin("telecom").commission_quarter(facts, {}).to_dict()
    assert quarter["lines"] == whole["lines"] and quarter["indicators"] == whole["indicators"]
    assert worker.replay_period("tel", "2026-Q1")["outcome"] == "identical"


def test_reopening_a_month_makes_its_quarter_stale_and_not_the_months(worker):
    worker.run_quarter("tel", "2026-Q1")
    worker.run_quarter("tel", "2026-Q2")
    answer = worker.reopen_month("tel", "2026-02", "a missed deal")
    assert answer["stale"] == ["2026-Q1", "2026-Q2"]
    assert worker.get_month("tel", "2026-03")["status"] == "closed"
    with pytest.raises(Conflict) as refused:  # the quarter waits for its month
        worker.run_quarter("tel", "2026-Q2")
    assert refused.value.errors[0]["field"] == "quarter"
    again = worker.run_quarter("tel", "2026-Q1")  # closes February again, then the quarter
    assert again["version"] == 2 and "recomputed" in again["reason"]
    assert [v["version"] for v in worker.month_history("tel", "2026-02")] == [1, 2]


def test_a_line_paid_by_the_quarter_has_no_month_statement(sqlite_db):
    w = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    w.on_record_changed(record_event("business_line", {"key": "sw", "plugin": "software"}, line="sw"))
    with pytest.raises(Conflict) as refused:
        w.run_month("sw", "2026-03")
    assert refused.value.errors[0]["field"] == "business_line"
