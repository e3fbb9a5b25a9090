"""escalation's handlers and sweep on a worker (worker_factory) with SQLite."""

from conftest import record_event
from nameko.testing.services import worker_factory

from services.common.storage import uow
from services.escalation.models import Base, Escalation, Opportunity, OutboxEvent
from services.escalation.service import EscalationService
from wire import events as E

ROSTER = [
    ("business_line", {"key": "acme", "plugin": "acme-flat"}),
    ("person", {"id": "am1", "role": "account_manager", "branch": "b1"}),
]
OPP = {"id": "o1", "amount": 30000, "discovered": "2026-03-02", "branch": "b1", "account_manager": "am1"}


def _worker(sqlite_db):
    worker = uow.for_worker(worker_factory(EscalationService, db=sqlite_db(Base)))
    for kind, doc in ROSTER:
        worker.on_record_changed(record_event(kind, doc))
    return worker


def _sent(worker, event_type):
    return [c.args[1] for c in worker.dispatch.call_args_list if c.args[0] == event_type]


def test_a_redelivered_event_has_one_effect(sqlite_db):
    worker = _worker(sqlite_db)
    event = record_event("opportunity", OPP)
    worker.on_record_changed(event)
    worker.on_record_changed(event)  # the broker delivers it again
    assert len(_sent(worker, E.OWNER_ASSIGNED)) == 1
    worker.flush_outbox()  # the timer deletes the rows the handler sent, sending none again
    assert worker.db.session.query(OutboxEvent).count() == 0 and len(_sent(worker, E.OWNER_ASSIGNED)) == 1


def test_an_older_version_arriving_late_changes_nothing(sqlite_db):
    worker = _worker(sqlite_db)
    worker.on_record_changed(record_event("opportunity", {**OPP, "amount": 150000}, version=2))
    worker.on_record_changed(record_event("opportunity", OPP, version=1))  # overtaken
    row = worker.db.session.get(Opportunity, ("acme", "o1"))
    assert row.version == 2 and row.tier == "big" and row.owner_role == "branch_manager"
    # the branch manager's post is vacant until someone is registered: then it is filled
    assert row.owner is None
    worker.on_record_changed(record_event("person", {"id": "bm1", "role": "branch_manager", "branch": "b1"}))
    assert worker.db.session.get(Opportunity, ("acme", "o1")).owner == "bm1"
    assert [e["owner"] for e in _sent(worker, E.OWNER_ASSIGNED)] == [None, "bm1"]
    # numbered, so a subscriber getting them out of order keeps bm1 (notify's test)
    assert [e["assignment"] for e in _sent(worker, E.OWNER_ASSIGNED)] == [1, 2]


def test_sweep_is_idempotent_and_climbs_to_the_top_of_the_ladder_only(sqlite_db):
    worker = _worker(sqlite_db)
    worker.on_record_changed(record_event("opportunity", OPP))
    # clock starts on discovery (2 March; not entered): 30 days later is week 4, but acme's
    # ladder has one rung above the account manager, so one escalation only
    assert [(m["week"], m["role"]) for m in worker.sweep("2026-04-01")] == [(1, "branch_manager")]
    assert worker.sweep("2026-04-01") == []
    assert worker.db.session.query(Escalation).count() == 1
    (event,) = _sent(worker, E.OPPORTUNITY_ESCALATED)
    assert event["days_overdue"] == 30 and event["person"] is None  # no branch manager registered
    # at the top of acme's ladder nothing is left to escalate: later sweeps do not read it at all
    assert worker.get_assignment("acme", "o1")["due"] is None


def test_a_sweep_reads_only_the_opportunities_with_a_rung_due(sqlite_db):
    # telecom's ladder: account_manager -> center_director -> deputy_manager -> branch_manager ->
    # city_admin; clock 2 March, follow-up every 7 days: week 1 (director) from 9 March, week 2
    # (deputy) from 16 March; `due` is the next escalation day
    worker = uow.for_worker(worker_factory(EscalationService, db=sqlite_db(Base)))
    worker.on_record_changed(record_event("business_line", {"key": "acme", "plugin": "telecom"}))
    worker.on_record_changed(record_event("opportunity", {**OPP, "amount": 30000}))
    assert worker.get_assignment("acme", "o1")["due"] == "2026-03-09"
    assert [m["role"] for m in worker.sweep("2026-03-10")] == ["center_director"]
    assert worker.get_assignment("acme", "o1")["due"] == "2026-03-16"
    assert worker.sweep("2026-03-12") == []  # nothing due: o1 is not even read
    assert [m["role"] for m in worker.sweep("2026-03-30")] == [
        "deputy_manager",
        "branch_manager",
        "city_admin",
    ]
    assert worker.get_assignment("acme", "o1")["due"] is None  # the top of the ladder


def test_a_tier_that_needs_a_grade_goes_to_a_qualified_holder(sqlite_db):
    # banking: a 60,000 loan is "small" and needs a junior or above (rules §3.2); its assistant
    # account manager cannot own it, the junior of the same branch does
    worker = uow.for_worker(worker_factory(EscalationService, db=sqlite_db(Base)))
    for kind, doc in (
        ("business_line", {"key": "acme", "plugin": "banking"}),
        ("person", {"id": "asst", "role": "account_manager", "branch": "b1", "grade": "assistant"}),
        ("person", {"id": "jr", "role": "account_manager", "branch": "b1", "grade": "junior"}),
    ):
        worker.on_record_changed(record_event(kind, doc))
    worker.on_record_changed(record_event("opportunity", {**OPP, "amount": 60000, "account_manager": "asst"}))
    worker.on_record_changed(
        record_event("opportunity", {**OPP, "id": "o2", "amount": 20000, "account_manager": "asst"})
    )
    assert worker.get_assignment("acme", "o1")["owner"] == "jr"
    assert worker.get_assignment("acme", "o2")["owner"] == "asst"  # micro: any grade


def test_rpc_arguments_are_validated_by_name(sqlite_db):
    import pytest

    from kamkit.errors import InvalidFacts

    worker = _worker(sqlite_db)
    with pytest.raises(InvalidFacts) as exc:
        worker.sweep("2026-02-30")
    assert exc.value.errors == [{"field": "as_of", "message": "Not a valid date."}]
