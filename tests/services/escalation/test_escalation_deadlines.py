"""escalation watches the deadlines of cases (docs/rules.md §10.2) as it watches follow-ups: a step
past its due day climbs the line's ladder, each rung once; one falling due soon is warned of.
The line is power-supply's (002/DL 第二节4): passed on within 5 working days, a high-voltage
single-source application answered within 20. Days by hand against the March 2026 calendar."""

from conftest import record_event
from nameko.testing.services import worker_factory

from services.common.storage import uow
from services.escalation.models import Base, DeadlineEscalation
from services.escalation.service import EscalationService
from wire import events as E

ROSTER = [
    ("business_line", {"key": "acme", "plugin": "power-supply"}),
    ("person", {"id": "clerk", "role": "supply_clerk", "branch": "b1"}),
    ("person", {"id": "officer", "role": "connection_officer", "branch": "b1"}),
    ("person", {"id": "mkt", "role": "marketing"}),
    ("person", {"id": "boss", "role": "manager"}),
]
# accepted by the supply office on Monday 2 March
CASE = {
    "id": "app1",
    "kind": "supply_application",
    "person": "clerk",
    "opened": "2026-03-02",
    "attributes": {"voltage": "high", "supply": "single"},
}


def _worker(sqlite_db):
    worker = uow.for_worker(worker_factory(EscalationService, db=sqlite_db(Base)))
    for kind, doc in ROSTER:
        worker.on_record_changed(record_event(kind, doc))
    worker.on_record_changed(record_event("case", CASE))
    return worker


def _sent(worker, event_type):
    return [c.args[1] for c in worker.dispatch.call_args_list if c.args[0] == event_type]


def test_a_step_past_its_due_day_climbs_one_rung_per_step_once(sqlite_db):
    worker = _worker(sqlite_db)
    # passed on within 5 working days of Mon 2 March: 3, 4, 5, 6, 9 -> due Mon 9 March
    assert worker.sweep("2026-03-09") == []  # on the due day it is not late
    made = worker.sweep("2026-03-10")  # 1 working day late: the rung above the clerk
    assert [(m["rule"], m["step"], m["role"], m["person"], m["days_late"]) for m in made] == [
        ("passed_on", 1, "connection_officer", "officer", 1)
    ]
    assert worker.sweep("2026-03-10") == []  # each rung once
    # Fri 20 March: 9 working days late; escalation_step_days 7: 1 + (9 - 1) // 7 = 2 steps
    assert [(m["step"], m["role"]) for m in worker.sweep("2026-03-20")] == [(2, "marketing")]
    (first, second) = _sent(worker, E.DEADLINE_ESCALATED)
    assert (first["case"], first["due"], first["owner"], first["clause"]) == (
        "app1",
        "2026-03-09",
        "clerk",
        "002/DL §第二节4",
    )
    assert second["days_late"] == 9
    # the reply (20 working days: due Mon 30 March) is not late yet
    assert {r.rule for r in worker.db.session.query(DeadlineEscalation)} == {"passed_on"}


def test_a_step_done_stops_the_climb_and_the_list_says_where_each_stands(sqlite_db):
    worker = _worker(sqlite_db)
    done = {**CASE, "steps": {"passed_on": "2026-03-12"}}
    worker.on_record_changed(record_event("case", done, version=2))
    assert worker.sweep("2026-03-20") == []  # passed on (late, but done): nothing to climb
    listed = worker.list_deadlines("acme", as_of="2026-03-31")
    # left to do: the reply, due Mon 30 March (4 + 5 + 5 + 5 + 1 working days), a day late on the 31st
    assert [(d["rule"], d["due"], d["state"], d["days_late"]) for d in listed] == [
        ("reply_single", "2026-03-30", "overdue", 1)
    ]


def test_a_deadline_is_warned_of_before_it_falls_due(sqlite_db):
    worker = _worker(sqlite_db)
    worker.on_record_changed(record_event("case", {**CASE, "steps": {"passed_on": "2026-03-05"}}, version=2))
    # warn_days_before 2: the reply due Mon 30 March is warned of from Sat 28 March, once
    assert worker.warn("2026-03-27") == []
    (warned,) = worker.warn("2026-03-28")
    assert (warned["what"], warned["key"], warned["person"], warned["due"]) == (
        "deadline",
        "app1:reply_single",
        "clerk",
        "2026-03-30",
    )
    assert worker.warn("2026-03-29") == []
