"""No event is lost to start-up order: a publisher makes every subscriber's queue exist first
(services.common.messaging.topology), and an event no queue would take stays in the outbox."""

import eventlet
from kombu import Connection
from nameko.amqp.publish import UndeliverableMessage

from services.assessment.service import AssessmentService
from services.common.messaging import topology
from services.common.messaging.origin import SuiteDispatcher
from services.common.messaging.rpc import api
from services.compensation.service import CompensationService
from services.escalation.service import EscalationService
from services.intake.service import IntakeService
from services.notify.service import NotifyService
from wire import events as E

SERVICES = (IntakeService, EscalationService, AssessmentService, CompensationService, NotifyService)


def test_subscriptions_are_read_from_the_services_handlers():
    # every projection takes intake's record and access changes; notify takes what the others announce
    projections = ("assessment", "compensation", "escalation", "notify")
    table = topology.subscribers()
    assert table[(E.INTAKE, E.RECORD_CHANGED)] == tuple(f"{s}.on_record_changed" for s in projections)
    assert table[(E.INTAKE, E.RECORDS_CHANGED)] == tuple(f"{s}.on_records_changed" for s in projections)
    assert table[(E.INTAKE, E.ACCESS_CHANGED)] == tuple(f"{s}.on_access_changed" for s in projections)
    assert table[(E.ESCALATION, E.OWNER_ASSIGNED)] == ("notify.on_owner_assigned",)
    assert table[(E.ESCALATION, E.OPPORTUNITY_ESCALATED)] == ("notify.on_escalated",)
    assert table[(E.ESCALATION, E.WARNING_DUE)] == ("notify.on_warning",)
    assert table[(E.ASSESSMENT, E.MONTH_CLOSED)] == ("notify.on_month_closed",)
    assert table[(E.COMPENSATION, E.QUARTER_CLOSED)] == ("notify.on_quarter_closed",)
    assert table[(E.COMPENSATION, E.PERIOD_STALE)] == ("notify.on_period_stale",)
    # inquiries waiting for an answer (docs/rules.md §9.6), warned by the service that holds them
    assert table[(E.ASSESSMENT, E.WARNING_DUE)] == ("notify.on_points_inquiry_warning",)
    assert table[(E.COMPENSATION, E.WARNING_DUE)] == ("notify.on_pay_inquiry_warning",)
    assert len(table) == 12


def _wait_until(predicate, timeout=30):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.1)


def test_records_written_before_any_subscriber_started_reach_each_one_when_it_starts(
    start_service, rpc, pg_url_factory
):
    # intake alone: the line, a person and an opportunity go out while nobody listens
    start_service(IntakeService, pg_url_factory("intake"))
    rpc.intake.register_business_line({"key": "tel", "plugin": "acme-flat"})
    rpc.intake.register_person("tel", {"id": "am1", "role": "account_manager"})
    rpc.intake.record_opportunity(
        "tel", {"id": "o1", "amount": "45000.50", "discovered": "2026-03-02", "account_manager": "am1"}
    )
    # ... then the subscribers start, one after the other, and each gets all of it (were the
    # publisher's queue not the very one the handler consumes, by name and flags, they would not)
    start_service(AssessmentService, pg_url_factory("assessment"))
    _wait_until(
        lambda: rpc.assessment.projection_status("tel") == {"business_line": 1, "opportunity": 1, "person": 1}
    )
    start_service(CompensationService, pg_url_factory("compensation"))
    _wait_until(
        lambda: (
            rpc.compensation.projection_status("tel") == {"business_line": 1, "opportunity": 1, "person": 1}
        )
    )


class Lonely:
    """Publishes an event type nobody subscribes to: without ``mandatory`` the broker drops it."""

    name = "lonely"
    dispatch = SuiteDispatcher()

    @api
    def shout(self):
        try:
            self.dispatch("nobody_listens", {"x": 1})
        except UndeliverableMessage:  # send_outbox / send_own then keep the row for the timer
            return "kept"
        return "gone"


def test_an_event_no_queue_would_take_raises_so_the_outbox_keeps_it(start_service, rpc):
    start_service(Lonely)
    assert rpc.lonely.shout() == "kept"


def test_queues_a_broker_lost_are_declared_again_at_the_next_event(
    start_service, rpc, amqp_uri, pg_url_factory
):
    start_service(IntakeService, pg_url_factory("intake"))
    queues = topology.subscriber_queues("intake", {})
    with Connection(amqp_uri.replace("pyamqp", "amqp")) as conn:
        for queue in queues:  # as a broker reset without its definitions would leave it
            queue(conn.channel()).delete()
        rpc.intake.register_business_line({"key": "tel", "plugin": "acme-flat"})
        held = {q.name: q(conn.channel()).queue_declare(passive=True).message_count for q in queues}
    # the unroutable publish came back; every queue was declared again and the event went in
    assert held == {q.name: (1 if q.routing_key == "record_changed" else 0) for q in queues}
