"""The event path through the real broker (a throwaway vhost): validation, retries through delay
queues, parking, and the operator's list / show / replay / drop — by RPC and by `kam parked`."""

import json
import subprocess
import sys
import time

import eventlet
import pytest
from conftest import record_event
from nameko.standalone.events import event_dispatcher
from sqlalchemy.exc import OperationalError

from services.assessment.service import AssessmentService
from services.common import mixins as operations
from services.common.messaging.entrypoints import handles
from services.common.messaging.rpc import api
from wire import events as E

FAST = {"EVENT_RETRY_DELAYS": [1, 1, 2], "EVENT_POISON_ATTEMPTS": 3}


def _wait_until(predicate, timeout=30):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


class Flaky(operations.DeadLetters):
    """A service whose handler fails on purpose: by outage (OperationalError) or by poison."""

    name = "flaky"
    attempts: dict = {}
    done: list = []
    outage_failures = 0  # fail this many times with an outage, then succeed
    poison = set()  # event ids the handler cannot process

    @handles(E.INTAKE, E.RECORD_CHANGED)
    def on_record(self, payload):
        event_id = payload["event_id"]
        Flaky.attempts.setdefault(event_id, []).append(time.monotonic())
        if event_id in Flaky.poison:
            raise ValueError(f"cannot handle {event_id}")
        if len(Flaky.attempts[event_id]) <= Flaky.outage_failures:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        Flaky.done.append(event_id)

    @api
    def ping(self):
        return "pong"


@pytest.fixture
def flaky(request, start_service, amqp_uri):
    """The Flaky service started; the queue type by indirect parametrization (classic by default)."""
    Flaky.attempts, Flaky.done, Flaky.outage_failures, Flaky.poison = {}, [], 0, set()
    start_service(Flaky, **FAST, QUEUE_TYPE=getattr(request, "param", "classic"))
    return event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")


def _opportunity(i):
    return record_event("opportunity", {"id": f"o{i}", "amount": 30000, "discovered": "2026-03-02"})


# quorum on this one node too: its retry queues have no TTL and no dead-lettering, so only the
# service's own retry consumers (services.common.messaging.retries) can bring the event back
@pytest.mark.parametrize("flaky", ["classic", "quorum"], indirect=True)
def test_an_outage_is_retried_with_growing_delays_and_processed_once(flaky, rpc):
    Flaky.outage_failures = 3
    event = _opportunity(1)
    flaky(E.INTAKE, E.RECORD_CHANGED, event)
    _wait_until(lambda: Flaky.done == [event["event_id"]])
    times = Flaky.attempts[event["event_id"]]
    assert len(times) == 4  # three failures, one success: no hot loop, no loss
    gaps = [b - a for a, b in zip(times, times[1:])]
    # each retry waits its delay (1 s, 1 s, 2 s) from when it failed, in a retry queue, not in a worker
    assert gaps[0] >= 0.9 and gaps[1] >= 0.9 and gaps[2] >= 1.9, gaps
    assert gaps[2] < 10, gaps  # and is brought back then, not left in its queue
    assert rpc.flaky.list_parked()["count"] == 0


def test_a_retry_held_by_a_service_that_dies_is_brought_back_by_the_next(start_service, amqp_uri):
    """A quorum retry queue (no TTL): the first service holds the retry, unacknowledged, until it
    is due, and is killed before then; the broker hands the retry to the next instance, which
    brings it back when due. Applied once: the handler counts it done once."""
    Flaky.attempts, Flaky.done, Flaky.outage_failures, Flaky.poison = {}, [], 1, set()
    first = start_service(Flaky, EVENT_RETRY_DELAYS=[3], EVENT_POISON_ATTEMPTS=3, QUEUE_TYPE="quorum")
    event = _opportunity(4)
    event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")(E.INTAKE, E.RECORD_CHANGED, event)
    _wait_until(lambda: len(Flaky.attempts.get(event["event_id"], [])) == 1)
    eventlet.sleep(0.5)  # the retry is in its queue, delivered to the first service and held
    first.kill()
    assert Flaky.done == []
    start_service(Flaky, EVENT_RETRY_DELAYS=[3], EVENT_POISON_ATTEMPTS=3, QUEUE_TYPE="quorum")
    _wait_until(lambda: Flaky.done == [event["event_id"]], timeout=20)
    times = Flaky.attempts[event["event_id"]]
    assert len(times) == 2 and times[1] - times[0] >= 2.9, times  # due 3 s after the failure, not sooner


def test_poison_is_parked_within_seconds_and_can_be_replayed_or_dropped(flaky, rpc):
    bad, worse = _opportunity(2), _opportunity(3)
    Flaky.poison = {bad["event_id"], worse["event_id"]}
    started = time.monotonic()
    flaky(E.INTAKE, E.RECORD_CHANGED, bad)
    flaky(E.INTAKE, E.RECORD_CHANGED, worse)
    _wait_until(lambda: rpc.flaky.list_parked()["count"] == 2)
    assert time.monotonic() - started < 10  # 3 attempts, 1 s + 1 s apart
    assert [len(Flaky.attempts[e["event_id"]]) for e in (bad, worse)] == [3, 3]
    listed = {item["event_id"]: item for item in rpc.flaky.list_parked()["items"]}
    item = listed[bad["event_id"]]
    assert item["error_type"] == "ValueError" and item["error"] == f"cannot handle {bad['event_id']}"
    assert item["attempts"] == 3 and item["queue"] == "evt-intake-record_changed--flaky.on_record"
    assert item["business_line"] == "acme" and item["event_type"] == "record_changed"
    shown = rpc.flaky.get_parked(item["id"])
    assert shown["body"] == bad  # the original message, whole

    Flaky.poison = set()  # the bug is fixed: replay one, drop the other
    assert [d["event_id"] for d in rpc.flaky.replay_parked(item["id"])] == [bad["event_id"]]
    _wait_until(lambda: Flaky.done == [bad["event_id"]])
    assert [d["event_id"] for d in rpc.flaky.drop_parked("all")] == [worse["event_id"]]
    assert rpc.flaky.list_parked() == {"items": [], "count": 0}
    assert worse["event_id"] not in Flaky.done


def test_an_event_not_published_by_the_suite_is_parked_and_never_applied(
    start_service, rpc, amqp_uri, pg_url_factory
):
    """Only the suite's broker users publish what handlers apply (services.common.messaging.origin): an event
    without a user_id, or published by any other broker user, is parked at once. RabbitMQ itself
    refuses a user_id that is not the connection's user, so it cannot be forged."""
    start_service(AssessmentService, pg_url_factory("assessment"), **FAST)
    line = record_event("business_line", {"key": "acme", "plugin": "acme-flat"}, key="acme")
    event_dispatcher({"AMQP_URI": amqp_uri})(E.INTAKE, E.RECORD_CHANGED, line)  # no user_id
    _wait_until(lambda: rpc.assessment.list_parked()["count"] == 1)
    item = rpc.assessment.list_parked()["items"][0]
    assert item["attempts"] == 1 and item["error_type"] == "InvalidEvent"
    assert "published by an unnamed user, not by one of the suite's services (guest)" in item["error"]
    assert rpc.assessment.projection_status("acme") == {}  # not applied
    # the same event published as the suite (user_id checked by the broker) is applied
    event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")(E.INTAKE, E.RECORD_CHANGED, line)
    _wait_until(lambda: rpc.assessment.projection_status("acme") == {"business_line": 1})
    # an operator who replays the parked one vouches for it: applied once (it is the same event)
    rpc.assessment.replay_parked(item["id"])
    _wait_until(lambda: rpc.assessment.list_parked()["count"] == 0)
    assert rpc.assessment.projection_status("acme") == {"business_line": 1}


def test_a_forged_or_broken_event_is_parked_at_once_and_never_stored(
    start_service, rpc, amqp_uri, pg_url_factory
):
    # the events come by hand, not from intake: a close has no intake to wait for
    start_service(AssessmentService, pg_url_factory("assessment"), **FAST, CLOSE_CATCH_UP_SECONDS=0)
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")
    dispatch(
        E.INTAKE,
        E.RECORD_CHANGED,
        record_event("business_line", {"key": "acme", "plugin": "acme-flat"}, key="acme"),
    )
    forged = record_event("opportunity", {"id": "o9", "amount": "30000", "discovered": "2026-03-02"})
    forged["record"]["amount"] = "-5"  # what intake would never have accepted
    dispatch(E.INTAKE, E.RECORD_CHANGED, forged)
    dispatch(E.INTAKE, E.RECORD_CHANGED, {"event_id": "x1", "kind": "opportunity"})  # no envelope
    dispatch(E.INTAKE, E.RECORD_CHANGED, ["not", "an", "object"])
    _wait_until(lambda: rpc.assessment.list_parked()["count"] == 3)
    items = rpc.assessment.list_parked()["items"]
    assert all(i["attempts"] == 1 and i["error_type"] == "InvalidEvent" for i in items)
    forged_item = next(i for i in items if i["event_id"] == forged["event_id"])
    assert "record.amount" in forged_item["error"]
    # nothing of them was stored, and the line's month still closes
    assert rpc.assessment.projection_status("acme") == {"business_line": 1}
    assert rpc.assessment.close_month("acme", "2026-03")["line_count"] == 0

    # the operator's command line sees the same queue and drops what cannot be fixed
    kam = [sys.executable, "-m", "kamcli.main", "parked"]
    listed = subprocess.run(
        [*kam, "list", "assessment", "--amqp-uri", amqp_uri, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["count"] == 3
    shown = subprocess.run(
        [*kam, "show", "assessment", forged_item["id"], "--amqp-uri", amqp_uri],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(shown.stdout)["body"]["record"]["amount"] == "-5"
    dropped = subprocess.run(
        [*kam, "drop", "assessment", "all", "--amqp-uri", amqp_uri],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dropped.stdout.startswith("3 dropped"), dropped.stdout + dropped.stderr
    assert rpc.assessment.list_parked()["count"] == 0


def test_a_redelivered_event_has_one_effect_in_every_consumer(start_service, rpc, amqp_uri, pg_url_factory):
    from services.compensation.service import CompensationService
    from services.escalation.service import EscalationService
    from services.notify.service import NotifyService

    for cls in (EscalationService, AssessmentService, CompensationService):
        start_service(cls, pg_url_factory(cls.name))
    start_service(NotifyService, pg_url_factory("notify"), NOTIFY_CHANNELS=[])
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")
    line = record_event("business_line", {"key": "acme", "plugin": "acme-flat"}, key="acme")
    person = record_event("person", {"id": "am1", "role": "account_manager"})
    opportunity = record_event(
        "opportunity", {"id": "o1", "amount": 30000, "discovered": "2026-03-02", "account_manager": "am1"}
    )
    for event in (line, person, opportunity, line, person, opportunity, opportunity):  # sent again
        dispatch(E.INTAKE, E.RECORD_CHANGED, event)
    _wait_until(lambda: len(rpc.notify.list_messages("acme", "owner_assigned")) >= 1)
    eventlet.sleep(2)  # give any duplicate the time to (wrongly) land
    assert rpc.escalation.projection_versions("acme") == {"opportunity": 1, "person": 1}
    assert rpc.assessment.projection_status("acme") == {"business_line": 1, "opportunity": 1, "person": 1}
    assert rpc.compensation.projection_status("acme") == {"business_line": 1, "opportunity": 1, "person": 1}
    assert len(rpc.notify.list_messages("acme", "owner_assigned")) == 1  # one notice, not three


def test_a_batch_reaches_every_consumer_once_in_events_of_bounded_size(
    start_service, rpc, amqp_uri, pg_url_factory
):
    """record_batch of 1,500 opportunities -> records_changed events of 1,000 + 500 records;
    each consumer applies each once, a redelivered batch event included, and a forged batch
    event (one bad record among good ones) is parked naming that record, nothing of it stored."""
    from nameko.events import event_handler

    from services.compensation.service import CompensationService
    from services.escalation.service import EscalationService
    from services.intake.service import IntakeService
    from services.notify.service import NotifyService

    class Tap:
        name = "tap"
        seen = []

        @event_handler(E.INTAKE, E.RECORDS_CHANGED)
        def on_batch(self, payload):
            Tap.seen.append(payload)

    start_service(IntakeService, pg_url_factory("intake"))
    for cls in (EscalationService, AssessmentService, CompensationService):
        start_service(cls, pg_url_factory(cls.name), **FAST)
    start_service(NotifyService, pg_url_factory("notify"), NOTIFY_CHANNELS=[])
    start_service(Tap)
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    rpc.intake.record_batch("acme", "person", [{"id": "am1", "role": "account_manager"}])
    opportunities = [
        {"id": f"o{i}", "amount": 30000 + i, "discovered": "2026-03-02", "account_manager": "am1"}
        for i in range(1500)
    ]
    assert rpc.intake.record_batch("acme", "opportunity", opportunities)["created"] == 1500
    _wait_until(
        lambda: (
            rpc.assessment.projection_status("acme").get("opportunity") == 1500
            and rpc.compensation.projection_status("acme").get("opportunity") == 1500
            and rpc.escalation.projection_versions("acme").get("opportunity") == 1500
            and len(Tap.seen) == 3
        ),
        timeout=120,
    )
    assert sorted(len(e["records"]) for e in Tap.seen) == [1, 500, 1000]

    dispatch = event_dispatcher({"AMQP_URI": amqp_uri}, user_id="guest")
    batch = next(e for e in Tap.seen if len(e["records"]) == 500)
    dispatch(E.INTAKE, E.RECORDS_CHANGED, batch)  # redelivered
    forged = E.make_event(
        E.RECORDS_CHANGED,
        business_line="acme",
        kind="opportunity",
        as_of=None,
        records=[
            {
                "key": "f1",
                "version": 1,
                "change": "created",
                "record": {"id": "f1", "amount": "1", "discovered": "2026-03-02"},
            }
        ],
    )
    forged["records"].append(
        {
            "key": "f2",
            "version": 1,
            "change": "created",  # intake would refuse it
            "record": {"id": "f2", "amount": "-5", "discovered": "2026-03-02"},
        }
    )
    dispatch(E.INTAKE, E.RECORDS_CHANGED, forged)
    _wait_until(lambda: rpc.assessment.list_parked()["count"] == 1, timeout=60)
    eventlet.sleep(2)  # give a duplicate the time to (wrongly) land
    assert "records.1.record.amount" in rpc.assessment.list_parked()["items"][0]["error"]
    for service in (rpc.assessment, rpc.compensation):
        assert service.projection_versions("acme")["opportunity"] == 1500  # not 2,000, no f1
    assert rpc.escalation.projection_versions("acme") == {"opportunity": 1500, "person": 1}
    assert rpc.escalation.tier_counts("acme") and sum(rpc.escalation.tier_counts("acme").values()) == 1500
    assert rpc.intake.record_counts("acme")["opportunity"] == [1500, 1500]
