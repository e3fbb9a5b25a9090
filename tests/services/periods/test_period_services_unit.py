"""assessment and compensation workers (worker_factory) on SQLite: projection, closing, carry."""
import pytest
from nameko.testing.services import worker_factory

from conftest import record_event
from services.assessment.models import Base as AssessmentBase, Fact, SheetLine
from services.assessment.service import AssessmentService
from services.compensation.models import Base as CompensationBase
from services.compensation.service import CompensationService
from shared import events as E
from shared.errors import InvalidFacts, NotFound

LINE = record_event("business_line", {"key": "acme", "plugin": "acme-flat"})
AM = record_event("person", {"id": "am1", "role": "account_manager"})


def _audit(i, day, version=1):
    return record_event("opportunity", {"id": f"o{i}", "amount": 30000, "discovered": day,
                                        "origin": "audit", "account_manager": "am1"}, version=version)


def test_projection_applies_each_event_once_and_keeps_the_newest_version(sqlite_db):
    worker = worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={})
    first = _audit(1, "2026-03-03")
    for event in (LINE, AM, first, first, _audit(1, "2026-04-03", version=2), _audit(1, "2026-03-03")):
        worker.on_record_changed(event)
    assert worker.projection_status("acme") == {"business_line": 1, "opportunity": 1, "person": 1}
    assert worker.db.session.get(Fact, ("acme", "opportunity", "o1")).doc["discovered"] == "2026-04-03"


def test_close_month_reads_only_the_month_and_publishes_once(sqlite_db):
    worker = worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={})
    for event in (LINE, AM, _audit(1, "2026-03-03"), _audit(2, "2026-04-01")):
        worker.on_record_changed(event)
    sheet = worker.close_month("acme", "2026-03")
    assert sheet["totals"] == {"am1": {"points": "3"}}  # one March finding x 3 points
    assert worker.close_month("acme", "2026-03") == sheet
    closed = [c.args for c in worker.dispatch.call_args_list if c.args[0] == E.MONTH_CLOSED]
    assert len(closed) == 1 and closed[0][1]["lines"] == 1
    assert worker.db.session.query(SheetLine).count() == 1
    with pytest.raises(NotFound):
        worker.close_month("retail", "2026-03")


def test_quarter_hands_its_carried_state_to_the_next(sqlite_db):
    worker = worker_factory(CompensationService, db=sqlite_db(CompensationBase))
    for event in (LINE, AM, record_event("deal", {"id": "d1", "seller": "am1", "date": "2026-02-01",
                                                  "list_price": 1000, "deal_price": 1000})):
        worker.on_record_changed(event)
    assert worker.run_quarter("acme", "2026-Q1")["totals"] == {"am1": {"CNY": "30.00"}}  # 3% x 1,000
    q1 = worker.get_run("acme", "2026-Q1")
    assert q1["carried_in"] == {}
    assert worker.run_quarter("acme", "2026-Q2")["totals"] == {}
    assert worker.get_run("acme", "2026-Q2")["carried_in"] == q1["carried_out"]


def test_a_sheet_read_page_by_page_returns_every_line_exactly_once(sqlite_db):
    worker = worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={})
    for event in (LINE, AM, *[_audit(i, f"2026-03-{i % 28 + 1:02d}") for i in range(23)]):
        worker.on_record_changed(event)
    assert worker.close_month("acme", "2026-03")["line_count"] == 23  # a summary, not the lines
    whole = worker.get_sheet("acme", "2026-03")["lines"]
    assert len(whole) == 23  # 23 audit findings, 3 points each
    pages = [worker.get_sheet("acme", "2026-03", page=n, page_size=5) for n in range(1, 7)]
    assert [len(p["lines"]) for p in pages] == [5, 5, 5, 5, 3, 0] and pages[0]["total_lines"] == 23
    assert [line for p in pages for line in p["lines"]] == whole  # each once, in the sheet's order
    assert worker.get_sheet("acme", "2026-03", kind="missed_report", page=1)["total_lines"] == 23
    assert worker.get_sheet("acme", "2026-03", kind="no_such_kind", page=1)["lines"] == []
    with pytest.raises(InvalidFacts) as exc:
        worker.get_sheet("acme", "2026-03", page=0)
    assert exc.value.errors[0]["field"] == "page"


def test_a_long_plugin_computation_leaves_the_hub_free():
    # off_the_hub runs a pure computation in a native thread: while it computes for ~1 s, a green
    # thread on the hub (standing in for the broker's heartbeats) keeps running; without it, 0 ticks
    import time

    import eventlet

    from services.common.period_run import off_the_hub

    ticks = []

    def heartbeat():
        while True:
            ticks.append(1)
            eventlet.sleep(0.01)

    def busy():
        end = time.perf_counter() + 1.0
        n = 0
        while time.perf_counter() < end:
            n += 1
        return n

    beat = eventlet.spawn(heartbeat)
    eventlet.sleep(0)
    ticks.clear()
    assert off_the_hub(busy) > 0
    beat.kill()
    assert len(ticks) >= 5, len(ticks)
