"""Confirmations through intake (docs/rules.md §1.1; seed 000 §(一)2–4): by the person holding the
opportunity's confirming role in its branch, once, not before its discovery."""

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, Forbidden, InvalidFacts, NotFound
from services.intake.models import Record

LINE = "city"
O1 = {"id": "o1", "amount": 30000, "discovered": "2026-03-02", "branch": "b1", "account_manager": "am1"}


@pytest.fixture
def city(service):
    service.register_business_line({"key": LINE, "plugin": "telecom"})
    for branch in ("b1", "b2"):
        service.register_branch(LINE, {"id": branch})
    for pid, role, branch in (
        ("am1", "account_manager", "b1"),
        ("dir1", "center_director", "b1"),
        ("dir2", "center_director", "b2"),
        ("dep1", "deputy_manager", "b1"),
    ):
        service.register_person(LINE, {"id": pid, "role": role, "branch": branch})
    service.record_opportunity(LINE, O1)
    return service


def ask(opportunity="o1", by="dir1", day="2026-03-05", decision="confirm"):
    return {"opportunity": opportunity, "decision": decision, "by": by, "date": day, "note": "tender seen"}


def test_the_confirming_role_of_the_branch_confirms_once(city):
    answer = city.confirm_opportunity(LINE, ask(), idempotency_key="c1")
    assert answer["record"]["decision"] == "confirm" and answer["version"] == 1
    assert city.confirm_opportunity(LINE, ask(), idempotency_key="c1") == answer  # a retry
    with pytest.raises(Conflict) as exc:  # a second decision
        city.confirm_opportunity(LINE, ask(decision="reject"))
    assert exc.value.errors[0]["field"] == "opportunity" and "confirmed by dir1" in str(exc.value)


@pytest.mark.parametrize(
    ("by", "why"),
    [
        ("dir2", "branch b2"),  # the centre director of another branch
        ("dep1", "deputy_manager"),  # 30,000 is ordinary: the centre director's, not the deputy's
        ("am1", "account_manager"),  # the one who found it
    ],
)
def test_nobody_else_decides(city, by, why):
    with pytest.raises(Forbidden) as exc:
        city.confirm_opportunity(LINE, ask(by=by))
    assert exc.value.errors[0]["field"] == "by" and why in str(exc.value)
    assert city.db.session.query(Record).filter_by(kind="confirmation").count() == 0


def test_bad_decisions_name_the_field(city):
    with pytest.raises(InvalidFacts) as exc:  # before the opportunity was discovered
        city.confirm_opportunity(LINE, ask(day="2026-03-01"))
    assert exc.value.errors[0]["field"] == "date"
    with pytest.raises(NotFound) as exc:
        city.confirm_opportunity(LINE, ask(opportunity="ghost"))
    assert exc.value.errors[0]["field"] == "opportunity"
    with pytest.raises(InvalidFacts) as exc:
        city.confirm_opportunity(LINE, ask(decision="maybe"))
    assert exc.value.errors[0]["field"] == "decision"
    with pytest.raises(InvalidFacts) as exc:  # written only through confirm_opportunity
        city.record_batch(LINE, "confirmation", [ask()])
    assert exc.value.errors[0]["field"] == "kind"
