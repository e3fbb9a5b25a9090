"""Targets through intake (docs/rules.md §7; seed 001 第3、6条): set by a manager, changed inside
a period only by a request another manager approves. Access control is off on this worker, so
each call names who acts (with it on, that is the caller: tests/services/test_access_matrix.py)."""

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, Forbidden, InvalidFacts
from services.intake.models import Record
from wire.events import RECORD_CHANGED

# a period long begun (the 2026-12 session runs after it) and one not yet begun
BEGUN, AHEAD = "2026-Q1", "2090-Q1"
T1 = {"id": "t1", "person": "am1", "period": BEGUN, "amount": "300000", "set_by": "boss"}
ASK = {"id": "c1", "person": "am1", "period": BEGUN, "amount": "250000", "reason": "customer moved"}


def test_a_manager_sets_a_target_and_who_set_it_is_kept(service):
    answer = service.set_target("tel", T1, idempotency_key="s1")
    doc = answer["record"]
    assert (doc["set_by"], doc["amount"], answer["version"]) == ("boss", "300000", 1)
    assert doc["set_on"]  # the day intake took it
    # a retry answers the same and writes nothing more
    assert service.set_target("tel", T1, idempotency_key="s1") == answer
    assert service.db.session.query(Record).filter_by(kind="target").count() == 1
    (event,) = [c.args for c in service.dispatch.call_args_list if c.args[0] == RECORD_CHANGED]
    assert event[1]["kind"] == "target"


def test_setting_over_a_standing_target_inside_a_begun_period_is_refused(service):
    service.set_target("tel", T1)
    with pytest.raises(Conflict) as exc:
        service.set_target("tel", {**T1, "id": "t2", "amount": "1"})
    assert exc.value.errors[0]["field"] == "period" and "request_target_change" in str(exc.value)
    # a period not begun: the manager sets next year's target directly
    assert service.set_target("tel", {**T1, "id": "t3", "period": AHEAD})["version"] == 1
    # the person's own field is the initial target: a quarterly_target stands for a begun quarter
    service.register_person("tel", {"id": "am2", "role": "account_manager", "quarterly_target": "1000"})
    with pytest.raises(Conflict):
        service.set_target("tel", {**T1, "id": "t4", "person": "am2"})
    # nothing stood for am2's month: a first monthly target may be set late
    assert service.set_target("tel", {**T1, "id": "t5", "person": "am2", "period": "2026-02"})["version"] == 1


def test_a_change_is_asked_then_decided_by_another_manager(service):
    service.set_target("tel", T1)
    asked = service.request_target_change("tel", {**ASK, "requested_by": "lin"})["record"]
    assert (asked["status"], asked["requested_by"]) == ("pending", "lin") and asked["requested_at"]
    # the one who asked cannot decide it (001 第6条: approved by the department manager)
    with pytest.raises(Forbidden) as exc:
        service.decide_target_change("tel", "c1", "approve", decided_by="lin")
    assert exc.value.errors[0]["field"] == "decided_by"
    decided = service.decide_target_change(
        "tel", "c1", "approve", note="agreed", decided_by="boss", idempotency_key="d1"
    )
    doc = decided["record"]
    assert (doc["status"], doc["decided_by"], doc["note"], decided["version"]) == (
        "approved",
        "boss",
        "agreed",
        2,
    )
    # a retry is answered as the first time; a second decision is refused
    assert (
        service.decide_target_change(
            "tel", "c1", "approve", note="agreed", decided_by="boss", idempotency_key="d1"
        )
        == decided
    )
    with pytest.raises(Conflict) as exc:
        service.decide_target_change("tel", "c1", "reject", decided_by="boss2")
    assert exc.value.errors[0]["field"] == "change"


def test_a_request_cannot_carry_its_own_decision_and_names_who_asks(service):
    with pytest.raises(InvalidFacts) as exc:
        service.request_target_change("tel", {**ASK, "requested_by": "lin", "status": "approved"})
    assert exc.value.errors[0]["field"] == "status"
    with pytest.raises(InvalidFacts) as exc:  # access control off: who asks must be named
        service.request_target_change("tel", ASK)
    assert exc.value.errors[0]["field"] == "requested_by"
    with pytest.raises(InvalidFacts) as exc:  # a reason is required
        service.request_target_change("tel", {**ASK, "reason": "", "requested_by": "lin"})
    assert exc.value.errors[0]["field"] == "reason"
    with pytest.raises(Conflict) as exc:  # an unknown person, by name (409: nobody stored)
        service.request_target_change("tel", {**ASK, "person": "ghost", "requested_by": "lin"})
    assert exc.value.errors[0]["field"] == "person"
    assert service.db.session.query(Record).filter_by(kind="target_change").count() == 0


def test_targets_are_not_written_through_the_generic_paths(service):
    with pytest.raises(InvalidFacts) as exc:
        service.record_batch("tel", "target", [T1])
    assert exc.value.errors[0]["field"] == "kind"
    service.set_target("tel", T1)
    with pytest.raises(InvalidFacts):
        service.update_record("tel", "target", "t1", {"amount": "1"})
    with pytest.raises(InvalidFacts):
        service.update_record("tel", "target_change", "c1", {"status": "approved"})
