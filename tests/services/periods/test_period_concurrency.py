"""assessment and compensation with two transactions side by side on PostgreSQL
(tests/side_by_side.py): what a second instance, or a second worker, does at the same moment."""

from conftest import record_event
from side_by_side import HeldAtCommit, Workers, in_thread, still_waiting

from services.assessment.models import Base as AssessmentBase
from services.assessment.models import Fact
from services.assessment.service import AssessmentService
from services.compensation.models import Base as CompensationBase
from services.compensation.service import CompensationService
from wire import events as E

LINE = record_event("business_line", {"key": "acme", "plugin": "acme-flat"})
AM = record_event("person", {"id": "am1", "role": "account_manager"})


def _opportunity(amount):
    return {"id": "X", "amount": amount, "discovered": "2026-03-02", "account_manager": "am1"}


def test_an_older_version_applied_beside_a_newer_one_never_overwrites_it(pg_url_factory):
    # version 2 of X arrives in a batch, version 3 alone; the batch read X at version 1 and was
    # about to commit when version 3 committed: it used to write version 2 over version 3
    workers = Workers(AssessmentService, AssessmentBase, pg_url_factory("assessment"))
    workers(config={}).on_record_changed(record_event("opportunity", _opportunity(100)))
    batch = E.make_event(
        E.RECORDS_CHANGED,
        business_line="acme",
        kind="opportunity",
        as_of=None,
        records=[{"key": "X", "version": 2, "record": _opportunity(200), "change": "updated"}],
    )
    older = workers(config={})
    held = HeldAtCommit(older.db.session, older.on_records_changed, batch)
    thread, _ = in_thread(
        workers(config={}).on_record_changed, record_event("opportunity", _opportunity(300), version=3)
    )
    assert still_waiting(thread), "version 3 was applied while the batch held X at version 1"
    held.release()
    thread.join(30)
    with workers.sessions() as session:
        row = session.get(Fact, ("acme", "opportunity", "X"))
        assert (row.version, row.doc["amount"]) == (3, 300)
    workers.close()


def test_reopening_the_previous_quarter_during_a_run_marks_the_run_stale(pg_url_factory, monkeypatch):
    # the rules run in this test's thread: eventlet's native-thread pool serves the hub's thread
    monkeypatch.setattr("services.compensation.service.off_the_hub", lambda function, *args: function(*args))
    # Q2 carries Q1's state in. Reopening Q1 while Q2 computed found no later sheet to mark stale
    # (Q2 was not committed): Q2 stood on a carried state that no longer held, unflagged.
    workers = Workers(CompensationService, CompensationBase, pg_url_factory("compensation"))
    first = workers()
    for event in (
        LINE,
        AM,
        record_event(
            "deal",
            {"id": "d1", "seller": "am1", "date": "2026-02-01", "list_price": 1000, "deal_price": 1000},
        ),
    ):
        first.on_record_changed(event)
    first.run_quarter("acme", "2026-Q1")
    run = workers()
    held = HeldAtCommit(run.db.session, run.run_quarter, "acme", "2026-Q2")
    thread, reopened = in_thread(workers().reopen_quarter, "acme", "2026-Q1", "a deal was keyed wrong")
    assert still_waiting(thread), "Q1 was reopened while Q2 was being run from its carried state"
    held.release()
    thread.join(30)
    assert reopened["value"]["stale"] == ["2026-Q2"]
    assert workers().get_run("acme", "2026-Q2")["status"] == "stale"
    workers.close()
