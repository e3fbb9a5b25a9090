"""The annual close (docs/rules.md §9.7): the year's points by clause with each month beside,
the annual veto of seed 000 §(三) with the opportunities that caused it, the year's pay."""

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

NO_QUOTA = {"local_quota": 0, "citywide_quota": 0, "citywide_quota_urban": 0}


def _event(kind, doc, version=1):
    return record_event(kind, doc, version=version, line="tel")


def _setup(worker):
    for event in (
        _event("business_line", {"key": "tel", "plugin": "telecom", "parameters": NO_QUOTA}),
        _event("branch", {"id": "b1"}),
        _event("person", {"id": "am1", "role": "account_manager", "branch": "b1", "name": "王芳"}),
        # o1: important (100,000), entered in time, lost; the review finds a subjective cause in March
        _event(
            "opportunity",
            {
                "id": "o1",
                "amount": 100000,
                "discovered": "2026-01-10",
                "entered": "2026-01-11",
                "branch": "b1",
                "account_manager": "am1",
                "status": "lost",
            },
        ),
        _event("loss_review", {"opportunity": "o1", "verdict": "subjective", "decided": "2026-03-15"}),
        # o2: found by the city's audit in May, never reported: a missed report
        _event(
            "opportunity",
            {
                "id": "o2",
                "amount": 30000,
                "discovered": "2026-05-06",
                "origin": "audit",
                "branch": "b1",
                "account_manager": "am1",
            },
        ),
    ):
        worker.on_record_changed(event)


@pytest.fixture
def assessment(sqlite_db):
    w = uow.for_worker(worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={}))
    _setup(w)
    return w


def test_the_year_sums_each_clause_and_vetoes_with_its_causes(assessment):
    w = assessment
    with pytest.raises(Conflict) as early:
        w.close_year("tel", "2026")
    assert early.value.errors[0]["field"] == "year" and "2026-01" in early.value.errors[0]["message"]
    for m in range(1, 13):
        w.close_month("tel", f"2026-{m:02d}")
    year = w.close_year("tel", "2026")
    assert year["period"] == "2026" and year["version"] == 1
    lines = w.get_year("tel", "2026", person="am1")["lines"]
    by = {(l["kind"], l["clause"]): l for l in lines}
    # March: a subjective loss of an important opportunity, AM 10 (000 §(三)(二)1)
    loss = by[("subjective_loss", "000 §(三)(二)1")]
    assert Decimal(loss["figure"]) == 10 and loss["inputs"]["periods"] == {"2026-03": "10"}
    # May: a missed report of 30,000 (ordinary, under 50,000 and < 5 lines): AM 4 (000 §(三)(一)1)
    missed = next(l for l in lines if l["clause"] == "000 §(三)(一)1")
    assert Decimal(missed["figure"]) == 4 and list(missed["inputs"]["periods"]) == ["2026-05"]
    # the year: 10 + 4 = 14 points; vetoed by o1 (lost, March) and o2 (missed, May)
    assert Decimal(year["totals"]["am1"]["points"]) == 14
    (veto,) = [l for l in lines if l["kind"] == "annual_veto"]
    assert veto["inputs"]["opportunities"] == ["o1", "o2"]
    assert [(c["opportunity"], c["period"]) for c in veto["inputs"]["cases"]] == [
        ("o1", "2026-03"),
        ("o2", "2026-05"),
    ]
    assert "o1 lost (subjective) (2026-03)" in veto["reason_en"]
    # the year's indicators are there too, and the year replays identical
    assert w.get_year("tel", "2026")["indicators"]
    assert w.replay_period("tel", "2026")["outcome"] == "identical"
    # a month reopened: the year becomes stale, and is recomputed as a new version
    assert w.reopen_month("tel", "2026-05", "o2 was reported after all")["stale"] == ["2026"]
    w.close_month("tel", "2026-05")
    assert w.close_year("tel", "2026")["version"] == 2


def test_a_person_without_a_veto_has_none(assessment):
    w = assessment
    w.on_record_changed(_event("person", {"id": "am2", "role": "account_manager", "branch": "b1"}))
    for m in range(1, 13):
        w.close_month("tel", f"2026-{m:02d}")
    w.close_year("tel", "2026")
    assert [l for l in w.get_year("tel", "2026", person="am2")["lines"] if l["kind"] == "annual_veto"] == []


def test_the_years_pay_sums_its_quarters(sqlite_db):
    w = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    _setup(w)
    doc = {"id": "d1", "seller": "am1", "date": "2026-03-05", "list_price": 40000, "deal_price": 40000}
    w.on_record_changed(_event("deal", doc))
    for q in range(1, 5):
        w.run_quarter("tel", f"2026-Q{q}")
    year = w.close_year("tel", "2026")
    # salary 1,800 + phone 100 a month: 22,800; March's 20,000 over the task x 9% = 1,800: 24,600
    assert Decimal(year["totals"]["am1"]["CNY"]) == Decimal("24600")
    lines = w.get_year("tel", "2026", person="am1")["lines"]
    salary = next(l for l in lines if l["kind"] == "base_salary")
    assert Decimal(salary["figure"]) == 21600 and len(salary["inputs"]["periods"]) == 4  # 1,800 x 12
    assert w.replay_period("tel", "2026")["outcome"] == "identical"
