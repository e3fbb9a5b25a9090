"""notify's projection under concurrency, through the real broker on PostgreSQL: an opportunity's
record, its assignment and its escalations arrive at once and are handled by ten workers side by
side; no notice and no escalation count may be lost (they were, to an insert race and a
read-modify-write ``escalations += 1``)."""

import eventlet
import pytest
from conftest import record_event
from nameko.standalone.events import event_dispatcher

from services.notify.service import NotifyService
from wire import events as E

OPPORTUNITIES, ESCALATIONS = 60, 5


def _assigned(i):
    return E.make_event(
        E.OWNER_ASSIGNED,
        business_line="acme",
        opportunity=f"o{i}",
        tier="big",
        owner_role="branch_manager",
        owner="bm1",
        in_bulletin=True,
        clause="ACME §1",
        reason_zh="大单",
        reason_en="big",
        as_of=None,
    )


def _escalated(i, week):
    return E.make_event(
        E.OPPORTUNITY_ESCALATED,
        business_line="acme",
        opportunity=f"o{i}",
        week=week,
        role="branch_manager",
        person="bm1",
        owner="am1",
        owner_role="account_manager",
        last_follow_up="2026-03-02",
        days_overdue=7 * week,
        clause="rules §1.3",
        as_of=None,
    )


@pytest.mark.slow
def test_concurrent_events_on_one_opportunity_lose_no_notice_and_no_count(
    start_service, rpc, amqp_uri, pg_url_factory
):
    start_service(NotifyService, pg_url_factory("notify"), NOTIFY_CHANNELS=[], max_workers=10)
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")
    pool = eventlet.GreenPool(20)
    for i in range(OPPORTUNITIES):  # every event of an opportunity at once, in no set order
        pool.spawn(dispatch, E.ESCALATION, E.OWNER_ASSIGNED, _assigned(i))
        pool.spawn(
            dispatch,
            E.INTAKE,
            E.RECORD_CHANGED,
            record_event("opportunity", {"id": f"o{i}", "amount": 150000, "discovered": "2026-03-02"}),
        )
        for week in range(1, ESCALATIONS + 1):
            pool.spawn(dispatch, E.ESCALATION, E.OPPORTUNITY_ESCALATED, _escalated(i, week))
    pool.waitall()
    with eventlet.Timeout(120):
        while len(rpc.notify.list_messages("acme", "escalation")) < OPPORTUNITIES * ESCALATIONS:
            eventlet.sleep(0.2)
    assert len(rpc.notify.list_messages("acme", "owner_assigned")) == OPPORTUNITIES
    assert len(rpc.notify.list_messages("acme", "escalation")) == OPPORTUNITIES * ESCALATIONS
    # the bulletin lists each opportunity once, with its record, owner and every escalation counted
    (bulletin,) = rpc.notify.send_weekly_bulletin("2026-03-30", "acme")
    assert bulletin["opportunities"] == OPPORTUNITIES
    rows = rpc.notify.list_messages("acme", "weekly_bulletin")[0]["markdown"]
    assert rows.count("| bm1 |") >= OPPORTUNITIES  # owner kept (zh and en tables)
    assert all(f"| o{i} | 150,000.00 |" in rows for i in range(OPPORTUNITIES))  # as the sheets show it
    assert rows.count(f"| {ESCALATIONS} |") >= OPPORTUNITIES  # each count is 5: none lost
    assert rpc.notify.list_parked()["count"] == 0


class Slow:
    """A channel whose sends wait until released (an SMTP server taking its time)."""

    def __init__(self):
        from side_by_side import threading

        self.sent, self.sending, self.go_on = [], threading.Event(), threading.Event()

    def send(self, message):
        self.sending.set()
        self.go_on.wait(30)
        self.sent.append(message.subject)


def test_a_delivery_on_its_way_is_not_sent_again_by_the_retry_timer(pg_url_factory):
    # A makes the sheet's notice and starts sending it; meanwhile the retry timer (of A or of a
    # second instance) finds the same delivery still pending: it used to send it a second time.
    from side_by_side import Workers, in_thread

    from services.notify.models import Base, Delivery
    from services.notify.service import NotifyService

    closed = E.make_event(
        E.MONTH_CLOSED,
        business_line="acme",
        period="2026-03",
        version=1,
        plugin="acme-flat",
        lines=1,
        totals={"am1": {"points": "3"}},
    )
    workers, slow = Workers(NotifyService, Base, pg_url_factory("notify")), Slow()
    making, _ = in_thread(workers(channels={"mail": slow}, config={}).on_month_closed, closed)
    assert slow.sending.wait(30)
    again = Slow()
    assert workers(channels={"mail": again}, config={}).retry_deliveries() == 0
    slow.go_on.set()
    making.join(30)
    assert (slow.sent, again.sent) == (["acme 2026-03 月度考核扣分表 / monthly penalty sheet (v1)"], [])
    with workers.sessions() as session:
        (delivery,) = session.query(Delivery).all()
        assert (delivery.status, delivery.attempts) == ("sent", 1)
    workers.close()
