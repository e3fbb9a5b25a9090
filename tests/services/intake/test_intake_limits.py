"""intake refuses what a service downstream could not hold (kamkit/limits.py, docs/facts-format.md
"Limits"): each case names its field and writes nothing — no record, no event, no idempotency key."""

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, InvalidFacts, UnknownPlugin
from services.intake.models import IdempotentCall, OutboxEvent, Record
from wire import events as E

OPP = {"id": "o1", "amount": 30000, "discovered": "2026-03-02", "branch": "b1", "account_manager": "am1"}


def _written(service):
    s = service.db.session
    return (
        s.query(Record).count(),
        s.query(OutboxEvent).count(),
        s.query(IdempotentCall).count(),
        service.dispatch.call_count,
    )


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"branch": ""}, "branch", "must not be blank"),  # the reference check used to skip ""
        ({"account_manager": "   "}, "account_manager", "must not be blank"),
        ({"account_manager": " am1"}, "account_manager", "spaces"),
        ({"id": "o" * 65}, "id", "at most 64 characters, got 65"),
        ({"customer": "x" * 10_000_000}, "customer", "at most 2000 characters, got 10000000"),
        ({"customer": "ACME\x00Ltd"}, "customer", "control character (U+0000)"),
        ({"id": "o\n1"}, "id", "control character (U+000A)"),
        ({"customer": "\ud83d"}, "customer", "lone surrogate (U+D83D)"),
        ({"amount": "1e999999"}, "amount", "at most 1,000,000,000,000"),
        ({"amount": 10**400}, "amount", "at most 1,000,000,000,000"),
        ({"amount": float("nan")}, "amount", "finite"),
        ({"amount": "0.0000001"}, "amount", "at most 6 decimal places"),
        ({"discovered": "0000-01-01"}, "discovered", "Not a valid date"),
        ({"discovered": "10000-01-01"}, "discovered", "Not a valid date"),
        ({"discovered": "1900-06-01"}, "discovered", "between 1950-01-01 and 2100-12-31"),
        ({"discovered": "2101-01-01"}, "discovered", "between 1950-01-01 and 2100-12-31"),
    ],
)
def test_a_record_outside_the_limits_is_refused_naming_the_field(service, change, field, message):
    before = _written(service)
    with pytest.raises(InvalidFacts) as exc:
        service.record_opportunity("tel", {**OPP, **change}, idempotency_key="k1")
    assert exc.value.errors[0]["field"] == field
    assert message in exc.value.errors[0]["message"]
    assert len(exc.value.errors[0]["message"]) < 400  # a 10 MB input is not echoed back
    assert _written(service) == before


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda s: s.record_opportunity(["tel"], OPP), "business_line"),
        (lambda s: s.record_opportunity("t" * 65, OPP), "business_line"),
        (lambda s: s.record_opportunity("tel", OPP, idempotency_key=7), "idempotency_key"),
        (lambda s: s.record_opportunity("tel", OPP, idempotency_key="k" * 129), "idempotency_key"),
        (lambda s: s.update_record({"tel": 1}, "opportunity", "o1", {}), "business_line"),
        (lambda s: s.update_record("tel", "opportunity", "o1", ["amount", 5]), "changes"),
        (lambda s: s.update_record("tel", "opportunities", "o1", {}), "kind"),
        (lambda s: s.list_records(None, "opportunity"), "business_line"),
        (lambda s: s.list_records("tel", "opportunity", {"page_size": 10**6}), "query.page_size"),
        (lambda s: s.get_record("tel", "opportunity", {"id": "o1"}), "key"),
        (lambda s: s.record_counts(3), "business_line"),
    ],
)
def test_every_argument_is_type_checked(service, call, field):
    before = _written(service)
    with pytest.raises(InvalidFacts) as exc:
        call(service)
    assert exc.value.errors[0]["field"] == field
    assert _written(service) == before


def test_update_record_revalidates_like_the_first_write_and_a_line_keeps_a_known_plugin(service):
    service.record_opportunity("tel", OPP)
    before = _written(service)
    with pytest.raises(InvalidFacts) as exc:
        service.update_record("tel", "opportunity", "o1", {"branch": ""})
    assert exc.value.errors[0]["field"] == "branch"
    with pytest.raises(UnknownPlugin) as exc:  # used to be accepted, leaving the line unrunnable
        service.update_record("tel", "business_line", "tel", {"plugin": "no-such-rules"})
    assert exc.value.errors[0]["field"] == "plugin"
    with pytest.raises(InvalidFacts) as exc:
        service.update_record("tel", "business_line", "tel", {"parameters": {"rate": "lots"}})
    assert exc.value.errors[0]["field"] == "parameters.rate"
    assert _written(service) == before
    # a valid change of the line's parameters goes through, checked by its plugin
    assert (
        service.update_record("tel", "business_line", "tel", {"parameters": {"rate": "0.05"}})["version"] == 2
    )


def test_idempotency_keys_are_scoped_per_business_line(service):
    service.register_business_line({"key": "bank", "plugin": "acme-flat"})
    a = service.record_opportunity(
        "tel", {"id": "o1", "amount": 1, "discovered": "2026-03-02"}, idempotency_key="crm-1"
    )
    b = service.record_opportunity(
        "bank", {"id": "o1", "amount": 2, "discovered": "2026-03-02"}, idempotency_key="crm-1"
    )  # same key, another line: another call
    assert (a["business_line"], b["business_line"]) == ("tel", "bank")
    assert service.get_record("bank", "opportunity", "o1")["record"]["amount"] == 2


def test_a_person_s_role_and_grade_are_checked_against_the_line_s_plugin(service):
    before = _written(service)
    # well formed, but not a role of the line's plugin: the line decides (409, named)
    with pytest.raises(Conflict) as exc:  # acme-flat knows account_manager and branch_manager
        service.register_person("tel", {"id": "x", "role": "acount_manager"})
    assert exc.value.errors[0]["field"] == "role" and "account_manager" in exc.value.errors[0]["message"]
    with pytest.raises(Conflict) as exc:  # and no grades at all
        service.register_person("tel", {"id": "x", "role": "account_manager", "grade": "senior"})
    assert exc.value.errors[0]["field"] == "grade"
    assert _written(service) == before


def _opps(n, **change):
    return [
        {
            "id": f"b{i}",
            "amount": 30000 + i,
            "discovered": "2026-03-02",
            "branch": "b1",
            "account_manager": "am1",
            **(change if i == n // 2 else {}),
        }
        for i in range(n)
    ]


def test_a_batch_is_all_or_nothing_and_names_every_bad_record(service):
    before = _written(service)
    bad = _opps(50)
    bad[7]["amount"] = "-5"
    bad[20]["account_manager"] = "nobody"
    bad[31]["id"] = "b3"  # twice in the batch
    with pytest.raises(InvalidFacts) as exc:
        service.record_batch("tel", "opportunity", bad)
    fields = {e["field"] for e in exc.value.errors}
    assert {"records.7.amount"} <= fields
    # valid one by one, wrong together (a key twice, a person nobody stored): a conflict with what
    # is stored or written with it, 409, every one named; still nothing written
    with pytest.raises(Conflict) as exc:
        service.record_batch("tel", "opportunity", [*bad[:7], *bad[8:]])
    assert {e["field"] for e in exc.value.errors} == {"records.19.account_manager", "records.30.id"}
    assert _written(service) == before  # no record, no event, no key


def test_a_batch_writes_every_record_once_with_its_event_and_a_retry_has_one_effect(service):
    answer = service.record_batch("tel", "opportunity", _opps(120), idempotency_key="load-1")
    assert answer == {
        "business_line": "tel",
        "kind": "opportunity",
        "count": 120,
        "created": 120,
        "updated": 0,
    }
    assert service.record_batch("tel", "opportunity", _opps(120), idempotency_key="load-1") == answer
    assert service.record_counts("tel")["opportunity"] == [120, 120]
    # one records_changed event carries the 120 (the retry sent nothing)
    n = len(service.dispatch.call_args_list)
    events = [c.args[1] for c in service.dispatch.call_args_list if c.args[1].get("kind") == "opportunity"]
    assert [c.args[0] for c in service.dispatch.call_args_list][-1:] == [E.RECORDS_CHANGED] and len(
        events
    ) == 1
    changes = E.changes_of(events[0])
    assert sorted(e["key"] for e in changes) == sorted(f"b{i}" for i in range(120))  # one each
    assert {(e["version"], e["change"], e["event_id"]) for e in changes} == {
        (1, "created", events[0]["event_id"])
    }
    service.flush_outbox()  # deletes the sent rows, sends nothing again
    assert service.db.session.query(OutboxEvent).count() == 0 and len(service.dispatch.call_args_list) == n
    assert service.get_record("tel", "opportunity", "b42")["record"]["amount"] == 30042
    with pytest.raises(Conflict) as exc:  # activity is recorded once: a second load names each (409)
        service.record_batch("tel", "opportunity", _opps(3))
    assert [e["field"] for e in exc.value.errors] == ["records.0.id", "records.1.id", "records.2.id"]
    # roster kinds are replaced: version 2; a batch may name a branch of its own
    people = service.record_batch(
        "tel",
        "person",
        [
            {"id": "am1", "role": "account_manager", "branch": "b1"},
            {"id": "am2", "role": "account_manager", "branch": "b1"},
        ],
    )
    assert (people["created"], people["updated"]) == (1, 1)
    assert {
        (c["key"], c["version"], c["change"])
        for c in E.changes_of(service.dispatch.call_args_list[-1].args[1])
    } == {("am1", 2, "updated"), ("am2", 1, "created")}
    assert service.get_record("tel", "person", "am1")["version"] == 2
    with pytest.raises(Conflict) as exc:  # not a role of the line's plugin
        service.record_batch("tel", "person", [{"id": "x", "role": "boss"}])
    assert exc.value.errors[0]["field"] == "records.0.role"


def test_a_batch_event_never_grows_with_the_batch():
    from services.intake.service import EVENT_BYTES, _event_parts

    changes = [{"key": str(i)} for i in range(2500)]
    # 2,500 small records: 1,000 + 1,000 + 500, in order
    parts = _event_parts(changes, [100] * 2500)
    assert [len(p) for p in parts] == [E.RECORDS_PER_EVENT, E.RECORDS_PER_EVENT, 500]
    assert [c for p in parts for c in p] == changes
    # records of 40% of the byte budget: two an event (80%), a third would pass it
    assert [len(p) for p in _event_parts(changes[:5], [EVENT_BYTES * 2 // 5] * 5)] == [2, 2, 1]
    # a record larger than the budget still goes, alone
    assert [len(p) for p in _event_parts(changes[:2], [EVENT_BYTES + 1, 10])] == [1, 1]
