"""Warnings before a breach through the real broker (docs/rules.md §8): escalation finds what
falls due soon or waits too long, announces each warning once; notify words it with names, tiers
in each language and amounts as the sheets show them, and delivers it once. Counted: warnings
announced, messages made, files delivered."""

from datetime import datetime, timedelta

import eventlet

from services.escalation.models import Awaiting, OutboxEvent
from services.escalation.service import EscalationService
from services.intake.service import IntakeService
from services.notify.service import NotifyService
from wire import events as E

LINE = "fz"


def _wait_until(predicate, timeout=60):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


def test_each_warning_is_announced_once_and_worded_for_people(start_service, rpc, pg_url_factory, tmp_path):
    escalation = start_service(EscalationService, pg_url_factory("escalation"))
    outbox = tmp_path / "outbox"
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(
        NotifyService,
        pg_url_factory("notify"),
        NOTIFY_CHANNELS=[{"name": "outbox", "type": "outbox", "dir": str(outbox)}],
    )
    i = rpc.intake
    # telecom; warn 2 days before, the manager told too, a decision may wait 3 days
    i.register_business_line(
        {"key": LINE, "plugin": "telecom", "parameters": {"warn_manager": True, "approval_wait_days": 3}}
    )
    i.register_branch(LINE, {"id": "b1"})
    i.register_person(LINE, {"id": "am1", "name": "王芳", "role": "account_manager", "branch": "b1"})
    i.register_person(LINE, {"id": "dir1", "name": "李明", "role": "center_director", "branch": "b1"})
    # 30,000 yuan: an ordinary opportunity (000 §(一)2), owned by am1, a follow-up every 7 days:
    # entered 2 March, first overdue day 9 March
    i.record_opportunity(
        LINE,
        {
            "id": "o1",
            "amount": 30000,
            "discovered": "2026-03-02",
            "entered": "2026-03-02",
            "branch": "b1",
            "account_manager": "am1",
        },
    )
    i.record_visit_plan(LINE, {"person": "am1", "month": "2026-03", "submitted": "2026-02-26"})
    _wait_until(lambda: len(rpc.notify.list_messages(LINE, "owner_assigned")) == 1)
    (assigned,) = rpc.notify.list_messages(LINE, "owner_assigned")
    # names, the tier and the role in each language, not keys
    assert "定为普通商机，由客户经理 王芳 (am1) 负责跟进，每 7 天跟进" in assigned["markdown"]
    assert (
        "Opportunity o1 (ordinary opportunity) is followed up by 王芳 (am1), customer manager, "
        "a follow-up every 7 days" in assigned["markdown"]
    )

    # 6 March: 3 days before the 9th: nothing yet. 7 March: 2 days: am1 and their manager (the
    # next rung, center_director dir1) told. 8 March: the same due day: not again.
    assert rpc.escalation.warn("2026-03-06", LINE) == []
    (warned,) = rpc.escalation.warn("2026-03-07", LINE)
    assert (warned["what"], warned["key"], warned["tell"], warned["due"]) == (
        "follow_up",
        "o1",
        ["am1", "dir1"],
        "2026-03-09",
    )
    assert rpc.escalation.warn("2026-03-08", LINE) == []
    # 30 March (Monday): next month's visit plan is due on Tuesday the 31st, the last working
    # day; am1 plans visits and has none for April: warned (1 day left), once
    (plan,) = [w for w in rpc.escalation.warn("2026-03-30", LINE) if w["what"] == "visit_plan"]
    assert (plan["key"], plan["due"]) == ("2026-04", "2026-03-31")
    assert [w for w in rpc.escalation.warn("2026-03-31", LINE) if w["what"] == "visit_plan"] == []

    # a target change asked for now waits: not warned 2 days on, warned 3 days on (and once)
    i.request_target_change(
        LINE,
        {"id": "c1", "person": "am1", "period": "2090-01", "amount": 2, "reason": "r", "requested_by": "lin"},
    )
    _wait_until(lambda: escalation_holds(escalation, "c1"))
    today = datetime.utcnow().date()
    assert [w for w in rpc.escalation.warn(str(today + timedelta(days=2)), LINE) if w["key"] == "c1"] == []
    (waited,) = [w for w in rpc.escalation.warn(str(today + timedelta(days=3)), LINE) if w["key"] == "c1"]
    assert waited["what"] == "target_change" and waited["tell"] == ["am1", "dir1"]
    assert [w for w in rpc.escalation.warn(str(today + timedelta(days=9)), LINE) if w["key"] == "c1"] == []

    # counted: 3 warnings announced, 3 messages, each delivered once to the outbox channel
    with escalation_session(escalation) as session:
        announced = session.query(OutboxEvent).filter_by(event_type=E.WARNING_DUE).count()
    assert announced == 3
    _wait_until(lambda: len(rpc.notify.list_messages(LINE, "warning")) == 3)
    follow_up = next(m for m in rpc.notify.list_messages(LINE, "warning") if "o1" in m["subject"])
    assert "商机 o1 须在 2026-03-09 前跟进（负责人 王芳 (am1)，还剩 2 天）" in follow_up["markdown"]
    assert "通知：王芳 (am1)、李明 (dir1)" in follow_up["markdown"]
    _wait_until(lambda: len([p for p in outbox.iterdir() if "warning" in p.name]) == 6)  # .md + .html
    assert sum(d["status"] == "sent" for d in rpc.notify.list_deliveries()) == 4  # + the assignment


def escalation_holds(container, key):
    """The change reached escalation's projection."""
    with escalation_session(container) as session:
        return session.query(Awaiting).filter_by(business_line=LINE, key=key).count() == 1


def escalation_session(container):
    from sqlalchemy.orm import Session

    from services.common.storage.db import ServiceDatabase

    database = next(d for d in container.dependencies if isinstance(d, ServiceDatabase))
    return Session(database.engine)
