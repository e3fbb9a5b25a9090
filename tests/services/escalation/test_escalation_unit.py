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


# --- confirmations and who follows up (docs/rules.md §1.1, §1.3; seed 000 §(一)2-4) -------------

TELECOM = [
    ("business_line", {"key": "city", "plugin": "telecom"}),
    ("person", {"id": "am1", "role": "account_manager", "branch": "b1"}),
    ("person", {"id": "dir1", "role": "center_director", "branch": "b1"}),
]


def _telecom(sqlite_db, **parameters):
    worker = uow.for_worker(worker_factory(EscalationService, db=sqlite_db(Base)))
    for kind, doc in TELECOM:
        if kind == "business_line":
            doc = {**doc, "parameters": parameters}
        worker.on_record_changed(record_event(kind, doc, line="city"))
    # o1, 30,000: ordinary, owned by am1, confirmed by dir1, followed up weekly, in the bulletin
    worker.on_record_changed(record_event("opportunity", OPP, line="city"))
    return worker


def test_a_rejected_opportunity_leaves_the_bulletin_and_is_not_escalated(sqlite_db):
    worker = _telecom(sqlite_db)
    (first,) = _sent(worker, E.OWNER_ASSIGNED)
    assert (first["confirmer"], first["in_bulletin"], first["follow_up_days"]) == ("dir1", True, 7)
    reject = {"opportunity": "o1", "decision": "reject", "by": "dir1", "date": "2026-03-04"}
    worker.on_record_changed(record_event("confirmation", reject, line="city"))
    last = _sent(worker, E.OWNER_ASSIGNED)[-1]
    assert (last["in_bulletin"], last["follow_up_days"], last["assignment"]) == (False, None, 2)
    # discovered 2 March, never followed up: 30 days later nothing is overdue
    assert worker.sweep("2026-04-01") == []


def test_a_follow_up_by_someone_else_does_not_restart_the_owners_clock(sqlite_db):
    worker = _telecom(sqlite_db)
    # the clock starts on discovery, 2 March: overdue from the 9th. dir1 reports on the 6th, not
    # am1 (亲自跟进): the clock stays, so on the 9th am1's follow-up is overdue (week 1)
    follow = {"id": "f1", "opportunity": "o1", "date": "2026-03-06", "author": "dir1"}
    worker.on_record_changed(record_event("follow_up", follow, line="city"))
    assert [(m["week"], m["role"]) for m in worker.sweep("2026-03-09")] == [(1, "center_director")]
    # am1's own follow-up on the 10th restarts it: due again on the 17th, nothing on the 16th
    own = {"id": "f2", "opportunity": "o1", "date": "2026-03-10", "author": "am1"}
    worker.on_record_changed(record_event("follow_up", own, line="city"))
    assert worker.sweep("2026-03-16") == []


def test_with_the_parameter_anyone_s_follow_up_restarts_the_clock(sqlite_db):
    worker = _telecom(sqlite_db, follow_up_by_others_resets=True)
    follow = {"id": "f1", "opportunity": "o1", "date": "2026-03-06", "author": "dir1"}
    worker.on_record_changed(record_event("follow_up", follow, line="city"))
    # restarted on the 6th: due on the 13th, nothing overdue on the 9th
    assert worker.sweep("2026-03-09") == []


def test_a_set_of_rules_in_force_today_classifies_and_one_from_later_does_not(sqlite_db):
    worker = _worker(sqlite_db)
    sets = [
        # in force since January: from 20,000 an opportunity is big (acme's owner: the branch manager)
        {
            "effective_from": "2026-01",
            "plugin": "acme-flat",
            "parameters": {"big_deal": "20000"},
            "reason": "a",
        },
        # from 2099 small again: not yet in force
        {
            "effective_from": "2099-01",
            "plugin": "acme-flat",
            "parameters": {"big_deal": "900000"},
            "reason": "b",
        },
    ]
    worker.on_record_changed(
        record_event("business_line", {"key": "acme", "plugin": "acme-flat", "rules": sets}, version=2)
    )
    worker.on_record_changed(record_event("opportunity", OPP))  # 30,000
    row = worker.db.session.get(Opportunity, ("acme", "o1"))
    assert (row.tier, row.owner_role) == ("big", "branch_manager")
