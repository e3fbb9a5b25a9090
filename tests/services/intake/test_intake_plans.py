"""Development plans reviewed by a manager and the line's calendar, through intake (docs/rules.md
§6.1, §6.3; seed 001 §1.1 权力1, 002/KZY). Access control is off here: calls name who decides."""

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, InvalidFacts

PLAN = {"id": "dp1", "person": "am1", "quarter": "2026-Q1", "planned": 2}


def test_a_submitted_plan_is_approved_or_returned_by_a_manager(service):
    service.record_development_plan("tel", PLAN)
    answer = service.decide_development_plan(
        "tel", "dp1", "approve", note="go", decided_by="boss", idempotency_key="d1"
    )
    doc = answer["record"]
    assert (doc["status"], doc["decided_by"], doc["note"], answer["version"]) == ("approved", "boss", "go", 2)
    assert doc["decided_at"]
    # a retry answers the same; a decided plan is not decided again
    assert (
        service.decide_development_plan(
            "tel", "dp1", "approve", note="go", decided_by="boss", idempotency_key="d1"
        )
        == answer
    )
    with pytest.raises(Conflict) as exc:
        service.decide_development_plan("tel", "dp1", "return", decided_by="boss")
    assert exc.value.errors[0]["field"] == "plan"


def test_only_the_review_sets_a_decision_and_a_change_resubmits(service):
    with pytest.raises(InvalidFacts) as exc:  # approved on its own say-so
        service.record_development_plan("tel", {**PLAN, "status": "approved"})
    assert exc.value.errors[0]["field"] == "status"
    with pytest.raises(InvalidFacts) as exc:
        service.record_batch("tel", "development_plan", [{**PLAN, "status": "returned"}])
    assert exc.value.errors[0]["field"] == "records.0.status"
    service.record_development_plan("tel", PLAN)
    service.decide_development_plan("tel", "dp1", "return", note="name the customers", decided_by="boss")
    with pytest.raises(InvalidFacts):  # a returned plan edited but left returned
        service.update_record("tel", "development_plan", "dp1", {"planned": 3})
    # submitted again with the change: the decision is cleared, and it can be reviewed again
    again = service.update_record("tel", "development_plan", "dp1", {"planned": 3, "status": "submitted"})
    assert (again["record"]["decided_by"], again["record"]["status"]) == (None, "submitted")
    assert (
        service.decide_development_plan("tel", "dp1", "approve", decided_by="boss")["record"]["status"]
        == "approved"
    )


def test_a_calendar_is_registered_and_checked(service):
    cal = {"year": 2026, "holidays": ["2026-04-30", "2026-05-01"], "workdays": ["2026-02-28"]}
    assert service.register_calendar("tel", cal)["key"] == "2026"
    # registered again (a holiday added): replaced, version 2
    assert (
        service.register_calendar("tel", {**cal, "holidays": [*cal["holidays"], "2026-10-01"]})["version"]
        == 2
    )
    with pytest.raises(InvalidFacts) as exc:  # a Friday is a working day already
        service.register_calendar("tel", {"year": 2026, "workdays": ["2026-02-27"]})
    assert exc.value.errors[0]["field"] == "workdays"
