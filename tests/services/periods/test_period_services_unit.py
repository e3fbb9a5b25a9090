"""assessment and compensation workers (worker_factory) on SQLite: projection, closing, carry."""

import pytest
from conftest import record_event
from nameko.testing.services import worker_factory

from kamkit.errors import InvalidFacts, NotFound
from services.assessment.models import Base as AssessmentBase
from services.assessment.models import Fact, SheetLine
from services.assessment.service import AssessmentService
from services.common.storage import uow
from services.compensation.models import Base as CompensationBase
from services.compensation.service import CompensationService
from wire import events as E

LINE = record_event("business_line", {"key": "acme", "plugin": "acme-flat"})
AM = record_event("person", {"id": "am1", "role": "account_manager"})


def _audit(i, day, version=1):
    return record_event(
        "opportunity",
        {"id": f"o{i}", "amount": 30000, "discovered": day, "origin": "audit", "account_manager": "am1"},
        version=version,
    )


def test_projection_applies_each_event_once_and_keeps_the_newest_version(sqlite_db):
    worker = uow.for_worker(worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={}))
    first = _audit(1, "2026-03-03")
    for event in (LINE, AM, first, first, _audit(1, "2026-04-03", version=2), _audit(1, "2026-03-03")):
        worker.on_record_changed(event)
    assert worker.projection_status("acme") == {"business_line": 1, "opportunity": 1, "person": 1}
    assert worker.db.session.get(Fact, ("acme", "opportunity", "o1")).doc["discovered"] == "2026-04-03"


def test_close_month_reads_only_the_month_and_publishes_once(sqlite_db):
    worker = uow.for_worker(worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={}))
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
    worker = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    for event in (
        LINE,
        AM,
        record_event(
            "deal",
            {"id": "d1", "seller": "am1", "date": "2026-02-01", "list_price": 1000, "deal_price": 1000},
        ),
    ):
        worker.on_record_changed(event)
    assert worker.run_quarter("acme", "2026-Q1")["totals"] == {"am1": {"CNY": "30.00"}}  # 3% x 1,000
    q1 = worker.get_run("acme", "2026-Q1")
    assert q1["carried_in"] == {}
    assert worker.run_quarter("acme", "2026-Q2")["totals"] == {}
    assert worker.get_run("acme", "2026-Q2")["carried_in"] == q1["carried_out"]


def test_a_sheet_read_page_by_page_returns_every_line_exactly_once(sqlite_db):
    worker = uow.for_worker(worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={}))
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

    from services.common.periods.period_run import off_the_hub

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


def test_a_run_holding_tables_of_lines_pages_them_exactly_once_with_every_filter(sqlite_db):
    """A software quarter stores each rep's credits as tables (kamkit.explain.LineTable): a page
    cuts through them, and read back every line is the plugin's own Line.to_dict()."""
    from kamkit.loader import load_plugin
    from services.common.periods import ledger

    worker = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    ledger_rows = ledger.TABLE_ROWS
    ledger.TABLE_ROWS = 3  # tables cut into stored rows of 3 lines, so pages cross their edges
    try:
        events = [record_event("business_line", {"key": "sw", "plugin": "software"}, line="sw")]
        events += [
            record_event(
                "person",
                {
                    "id": p,
                    "role": "account_manager",
                    "start_date": "2024-01-01",
                    "quarterly_target": "100000",
                },
                line="sw",
            )
            for p in ("a1", "a2")
        ]
        # a1: 7 product collections and 2 implementation (another clause: its own table), one not
        # in the CRM between (a Line closing a1's tables); a2: 4 product, 1 joint with a1 (70/30)
        docs = [
            {"id": f"c{i}", "rep": "a1", "date": f"2026-01-{i + 1:02d}", "amount": str(1000 + i)}
            for i in range(7)
        ]
        docs += [
            {
                "id": "i1",
                "rep": "a1",
                "date": "2026-02-01",
                "amount": "500",
                "revenue_kind": "implementation",
            },
            {"id": "n1", "rep": "a1", "date": "2026-02-02", "amount": "900", "in_crm": False},
            {
                "id": "i2",
                "rep": "a1",
                "date": "2026-02-03",
                "amount": "600",
                "revenue_kind": "implementation",
            },
        ]
        docs += [
            {"id": f"d{i}", "rep": "a2", "date": f"2026-03-{i + 1:02d}", "amount": "2000"} for i in range(4)
        ]
        docs += [{"id": "j1", "rep": "a2", "date": "2026-03-20", "amount": "10000", "joint_with": "a1"}]
        events += [record_event("collection", d, line="sw") for d in docs]
        for event in events:
            worker.on_record_changed(event)
        summary = worker.run_quarter("sw", "2026-Q1")
        whole = worker.get_run("sw", "2026-Q1")["lines"]
        assert summary["line_count"] == len(whole)
        # what the plugin itself says, computed here in-process from the same facts
        from kamkit.periods import Quarter
        from services.common.periods.period_run import facts_for
        from services.compensation.models import Fact

        q = Quarter.parse("2026-Q1")
        facts = facts_for(
            worker.db.session,
            Fact,
            "sw",
            first=q.first_day,
            last=q.last_day,
            lookback_days=0,
            periods=[q, *q.months],
            tick=worker.get_run("sw", "2026-Q1")["facts_tick"],
            quarter="2026-Q1",
        )
        result = load_plugin("software").commission_quarter(facts, {})
        # the lines, and the indicator section apart from them
        assert whole == result.to_dict()["lines"]
        assert worker.get_run("sw", "2026-Q1")["indicators"] == result.to_dict()["indicators"]
        assert any(
            type(b).__name__ == "LineTable" and len(b) > 3 for b in result.lines.blocks
        )  # cut in two rows
        # 7 + 2 + 1 + 1 (a1's credits, not-in-CRM and joint 30%) and a2's 4 + 1 are credit lines
        assert sum(1 for l in whole if l["kind"] in ("task_credit", "not_in_crm")) == 16
        for person, kind in (
            (None, None),
            ("a1", None),
            (None, "task_credit"),
            ("a1", "task_credit"),
            ("a2", "bonus"),
        ):
            wanted = [l for l in whole if person in (None, l["person"]) and kind in (None, l["kind"])]
            for size in (1, 2, 4, 7):
                pages = [
                    worker.get_run_lines("sw", "2026-Q1", page=n, page_size=size, kind=kind)
                    if person is None
                    else worker.get_statement("sw", "2026-Q1", person, page=n, page_size=size, kind=kind)
                    for n in range(1, len(wanted) // size + 3)
                ]
                assert {p["total_lines"] for p in pages} == {len(wanted)}
                assert [l for p in pages for l in p["lines"]] == wanted, (person, kind, size)
                assert pages[-1]["lines"] == []
    finally:
        ledger.TABLE_ROWS = ledger_rows
