"""The records of the seed-002 schemes through intake (docs/rules.md §10): each kind written, named
in its errors, and an appointment proposed, then decided only by decide_appointment."""

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, InvalidFacts

RECORDS = {
    "record_case": {"id": "c1", "kind": "handoff", "person": "am1", "opened": "2026-03-02"},
    "record_survey": {"id": "s1", "date": "2026-03-02", "score": 88, "person": "am1"},
    "record_work_plan": {"id": "w1", "period": "2026-Q1", "plan": "service", "items": [{"id": "i1"}]},
    "record_call_log": {"month": "2026-03", "inbound": 10, "answered": 9, "transferred": 1},
    "record_incident": {"id": "n1", "person": "am1", "date": "2026-03-02", "kind": "teamwork"},
    "record_standard_check": {"id": "k1", "person": "am1", "date": "2026-03-02", "passed": True},
    "record_appraisal": {
        "id": "a1",
        "person": "am1",
        "period": "2026-Q1",
        "rater_kind": "self",
        "submitted": "2026-04-02",
        "items": {"knowledge": 4},
    },
}


@pytest.mark.parametrize("rpc", sorted(RECORDS))
def test_each_kind_is_recorded_once_per_key(service, rpc):
    first = getattr(service, rpc)("tel", RECORDS[rpc], idempotency_key=f"{rpc}-1")
    assert first["version"] == 1
    assert getattr(service, rpc)("tel", RECORDS[rpc], idempotency_key=f"{rpc}-1") == first


@pytest.mark.parametrize(
    ("rpc", "bad", "field"),
    [
        ("record_case", {**RECORDS["record_case"], "steps": {"passed": "2026-03-01"}}, "steps.passed"),
        ("record_case", {**RECORDS["record_case"], "person": "nobody"}, "person"),
        ("record_survey", {**RECORDS["record_survey"], "score": 101}, "score"),
        ("record_call_log", {**RECORDS["record_call_log"], "transferred": 10}, "transferred"),
        ("record_incident", {**RECORDS["record_incident"], "kind": "late"}, "kind"),
        ("record_appraisal", {**RECORDS["record_appraisal"], "rater_kind": "customer"}, "customer"),
        ("record_work_plan", {**RECORDS["record_work_plan"], "period": "2026-13"}, "period"),
    ],
)
def test_a_bad_record_is_refused_naming_the_field(service, rpc, bad, field):
    # a bad field is InvalidFacts; a reference to no such record a Conflict, as for every kind
    with pytest.raises((InvalidFacts, Conflict)) as exc:
        getattr(service, rpc)("tel", bad)
    assert field in {e["field"] for e in exc.value.errors}


PROPOSAL = {"id": "g1", "person": "am1", "grade": "senior", "proposed_by": "am1", "proposed_on": "2026-03-02"}


def test_an_appointment_is_proposed_and_decided_only_through_its_decision(service):
    with pytest.raises(InvalidFacts) as exc:  # approved on its own say-so
        service.record_appointment("tel", {**PROPOSAL, "status": "approved"})
    assert exc.value.errors[0]["field"] == "status"
    with pytest.raises(InvalidFacts) as exc:  # nor by a batch
        service.record_batch("tel", "appointment", [PROPOSAL])
    assert exc.value.errors[0]["field"] == "kind"
    service.record_appointment("tel", PROPOSAL)
    with pytest.raises(InvalidFacts) as exc:  # nobody named, no person linked to the caller
        service.decide_appointment("tel", "g1", "approve")
    assert exc.value.errors[0]["field"] == "decided_by"
    # acme-flat has no ladder: any person of the line may decide; the decision is recorded
    answer = service.decide_appointment("tel", "g1", "approve", decided_by="am1", idempotency_key="k")
    assert (answer["record"]["status"], answer["record"]["decided_by"]) == ("approved", "am1")
    assert service.decide_appointment("tel", "g1", "approve", decided_by="am1", idempotency_key="k") == answer
    with pytest.raises(Conflict):
        service.decide_appointment("tel", "g1", "refuse", decided_by="am1")


def test_on_a_ladder_only_the_approving_role_decides(service):
    # bank-grades (002/CIB 第七条): a sub-branch proposes 客户经理 and 助理, the city branch's board approves
    from kamkit.errors import Forbidden

    service.register_business_line({"key": "cib", "plugin": "bank-grades"})
    service.register_branch("cib", {"id": "gulou"})
    for pid, role in (("head", "branch_manager"), ("board", "city_admin"), ("xia", "account_manager")):
        service.register_person("cib", {"id": pid, "role": role, "branch": "gulou"})
    service.record_appointment(
        "cib",
        {
            "id": "a1",
            "person": "xia",
            "grade": "assistant",
            "proposed_by": "head",
            "proposed_on": "2026-03-02",
        },
    )
    with pytest.raises(Forbidden) as exc:  # the sub-branch head proposed it; he does not approve it
        service.decide_appointment("cib", "a1", "approve", decided_by="head")
    assert exc.value.errors[0]["field"] == "decided_by" and "city_admin" in exc.value.errors[0]["message"]
    answer = service.decide_appointment("cib", "a1", "approve", decided_by="board")
    assert (answer["record"]["status"], answer["record"]["decided_by"]) == ("approved", "board")


def test_a_decision_made_on_paper_carries_its_own_day_never_a_day_to_come(service):
    service.record_appointment("tel", PROPOSAL)
    with pytest.raises(InvalidFacts) as exc:  # before it was proposed (2 March)
        service.decide_appointment("tel", "g1", "approve", decided_by="am1", decided_on="2026-03-01")
    assert exc.value.errors[0]["field"] == "decided_on"
    with pytest.raises(InvalidFacts) as exc:
        service.decide_appointment("tel", "g1", "approve", decided_by="am1", decided_on="2999-01-01")
    assert exc.value.errors[0]["field"] == "decided_on"
    answer = service.decide_appointment("tel", "g1", "approve", decided_by="am1", decided_on="2026-03-05")
    assert answer["record"]["decided_on"] == "2026-03-05"
