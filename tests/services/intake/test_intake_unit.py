"""intake's RPC methods on a worker (nameko worker_factory) with a real SQLite database."""

from decimal import Decimal

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, InvalidFacts, NotFound, UnknownPlugin
from services.intake.models import IdempotentCall, OutboxEvent, Record
from wire.events import RECORD_CHANGED, check_event

OPP = {
    "id": "o1",
    "amount": 30000,
    "discovered": "2026-03-02",
    "branch": "b1",
    "account_manager": "am1",
    "lines": 2,
}


def test_record_is_stored_and_published_once_committed(service):
    answer = service.record_opportunity("tel", OPP, idempotency_key="k1")
    assert answer["version"] == 1 and answer["change"] == "created"
    # exactly one record_changed event, valid against the shared schema, carrying the document
    (call,) = service.dispatch.call_args_list
    event_type, payload = call.args
    assert event_type == RECORD_CHANGED and check_event(event_type, payload)["kind"] == "opportunity"
    assert payload["record"]["amount"] == 30000
    # sent by the call itself; its row stays claimed by it (no other sender takes it) until the
    # timer's next round deletes it with any others, sending nothing twice
    assert {r.claim for r in service.db.session.query(OutboxEvent)} == {"own"}
    service.flush_outbox()
    assert service.db.session.query(OutboxEvent).count() == 0 and service.dispatch.call_count == 1


def test_retry_with_the_same_key_has_one_effect(service):
    first = service.record_opportunity("tel", OPP, idempotency_key="k1")
    again = service.record_opportunity("tel", OPP, idempotency_key="k1")
    assert again == first
    assert service.db.session.query(Record).filter_by(kind="opportunity").count() == 1
    assert service.dispatch.call_count == 1
    with pytest.raises(Conflict) as exc:  # same key, different payload
        service.record_opportunity("tel", {**OPP, "amount": 1}, idempotency_key="k1")
    assert exc.value.errors[0]["field"] == "idempotency_key"


def test_bad_input_names_every_field_and_writes_nothing(service):
    bad = {"id": "o2", "amount": -5, "discovered": "2026-02-30", "lines": "many", "colour": "red"}
    with pytest.raises(InvalidFacts) as exc:
        service.record_opportunity("tel", bad, idempotency_key="k2")
    assert {e["field"] for e in exc.value.errors} == {"amount", "discovered", "lines", "colour"}
    with pytest.raises(Conflict) as exc:  # references are checked against the roster: 409, by name
        service.record_opportunity("tel", {**OPP, "id": "o3", "account_manager": "ghost", "branch": "bX"})
    assert {e["field"] for e in exc.value.errors} == {"account_manager", "branch"}
    assert service.db.session.query(Record).filter_by(kind="opportunity").count() == 0
    assert service.db.session.query(IdempotentCall).count() == 0
    assert service.dispatch.call_count == 0


def test_unknown_business_line_plugin_and_kind_are_named(service):
    with pytest.raises(NotFound) as exc:
        service.record_opportunity("bank", OPP)
    assert exc.value.errors[0]["field"] == "business_line"
    with pytest.raises(UnknownPlugin) as exc:
        service.register_business_line({"key": "x", "plugin": "telekom"})
    assert "acme-flat" in exc.value.errors[0]["message"]
    with pytest.raises(InvalidFacts) as exc:
        service.list_records("tel", "opportunities")
    assert exc.value.errors[0]["field"] == "kind"


def test_update_merges_revalidates_and_bumps_the_version(service):
    service.record_opportunity("tel", OPP)
    with pytest.raises(Conflict):  # recording the same id twice is a mistake, not an update
        service.record_opportunity("tel", OPP)
    answer = service.update_record("tel", "opportunity", "o1", {"status": "lost"})
    assert answer["version"] == 2 and answer["record"]["status"] == "lost"
    with pytest.raises(InvalidFacts) as exc:
        service.update_record("tel", "opportunity", "o1", {"status": "stolen"})
    assert exc.value.errors[0]["field"] == "status"
    assert service.get_record("tel", "opportunity", "o1")["version"] == 2
    with pytest.raises(NotFound):
        service.update_record("tel", "opportunity", "nope", {"status": "lost"})


def test_list_filters_and_pages(service):
    for i in range(1, 8):
        service.record_opportunity(
            "tel",
            {**OPP, "id": f"o{i}", "discovered": f"2026-03-0{i}", "scope": "citywide" if i % 2 else "local"},
        )
    page = service.list_records("tel", "opportunity", {"page": 2, "page_size": 3})
    assert [i["key"] for i in page["items"]] == ["o4", "o5", "o6"] and page["total"] == 7
    march_2_to_5 = service.list_records(
        "tel",
        "opportunity",
        {"day_from": "2026-03-02", "day_to": "2026-03-05", "match": {"scope": "citywide"}},
    )
    assert [i["key"] for i in march_2_to_5["items"]] == ["o3", "o5"]
    with pytest.raises(InvalidFacts) as exc:
        service.list_records("tel", "opportunity", {"page_size": 5000})
    assert exc.value.errors[0]["field"] == "query.page_size"


def test_kpi_rating_belongs_to_a_quarter(service):
    with pytest.raises(InvalidFacts) as exc:
        service.record_kpi("tel", {"person": "am1", "rater_role": "branch_manager", "score": 80})
    assert exc.value.errors[0]["field"] == "quarter"
    answer = service.record_kpi(
        "tel", {"person": "am1", "rater_role": "branch_manager", "score": 80, "quarter": "2026-Q1"}
    )
    assert answer["key"] == "am1:branch_manager:2026-Q1"
    assert Decimal(str(answer["record"]["score"])) == 80


def test_complaints_are_recorded_against_a_known_person(service):
    answer = service.record_complaint(
        "tel", {"id": "c1", "person": "am1", "received": "2026-03-02", "hours_to_resolve": 30}
    )
    assert answer["kind"] == "complaint" and answer["record"]["hours_to_resolve"] == 30
    with pytest.raises(InvalidFacts) as exc:
        service.record_complaint("tel", {"id": "c2", "person": "ghost", "received": "2026-03-32"})
    assert {e["field"] for e in exc.value.errors} == {"received"}  # shape first, then references
    with pytest.raises(Conflict) as exc:  # well formed, but naming nobody stored
        service.record_complaint("tel", {"id": "c2", "person": "ghost", "received": "2026-03-03"})
    assert exc.value.errors == [{"field": "person", "message": "unknown person 'ghost'"}]
