"""The entrypoints every service uses instead of nameko's plain ones.

``api``: an RPC method whose caller always gets a SuiteError. A caller's mistake is the service's
own SuiteError; a database or broker outage is ``Unavailable``; anything else is ``Internal`` with
a correlation id, the detail going to the log only. A reply that cannot be published (the broker
is restarting) is logged, never allowed to kill the service: the caller times out and retries with
its idempotency key.

``handles(source, event_type)``: an event handler that never acknowledges an event unprocessed. The
payload is checked against its schema (wire.events) first; an invalid one is parked at once. A
handler that fails is retried through the broker with growing delays (per-handler retry queues the
service itself brings back from when each event is due, services.common.messaging.retries), never by
requeueing in a hot loop or sleeping in the worker; after its attempts it is parked in the service's
dead-letter queue with the error, the attempts and the original message
(services.common.messaging.deadletter).

Both acknowledge through ``SafeQueueConsumer``: an ack on a connection the broker has reset is
dropped (the broker redelivers the message, handlers are idempotent) instead of killing the
service.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from functools import partial

import eventlet
from kombu import Queue
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler
from nameko.exceptions import IncorrectSignature, MalformedRequest, MethodNotFound
from nameko.messaging import HeaderDecoder, QueueConsumer
from nameko.rpc import RPC_QUEUE_TEMPLATE, ReplyListener, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange

from kamkit.errors import Forbidden, Internal, InvalidFacts, NotFound, SuiteError, Unauthorized, Unavailable
from services.common import telemetry
from services.common.access.guard import access_control_on, check_call, record_read, record_refusal
from services.common.messaging import deadletter, queues, retries, topology, unstorable
from services.common.messaging.faults import NotYet, is_transient
from services.common.messaging.origin import broker_user, trusted_publishers
from wire.events import InvalidEvent, check_event

log = logging.getLogger("kam.entrypoints")

# Seconds before retry n of a failed event (growing); after the last one the event is parked.
# A fault that looks permanent (not an outage) is parked after POISON_ATTEMPTS instead, so a
# poison message is out of the way within seconds while an outage gets minutes to end.
DEFAULT_RETRY_DELAYS = (1, 2, 4, 8, 15, 30, 60, 120, 300)
DEFAULT_POISON_ATTEMPTS = 3
ATTEMPTS = "x-kam-attempts"  # header: handler attempts so far
PRINCIPAL_HEADER = "nameko.principal"  # context data "principal": set by SafeRpc after the access check
REACH_HEADER = "nameko.reach"  # context data "reach": what of the line the call may touch (rules.Reach)
TURN_S = 0.2  # seconds the queue consumer waits for the broker before it looks at its own work
PUBLISH_RETRY = {"max_retries": 5, "interval_start": 1, "interval_step": 2, "interval_max": 5}


class QuickTurns:
    """A queue consumer that looks for consumers to cancel (a stopping entrypoint) between waits of
    TURN_S for the broker: a wait of a second, kombu's default, made each stop of a service last
    2-3 s."""

    def run(self, _tokens=1, **kwargs):
        kwargs.setdefault("safety_interval", TURN_S)
        return super().run(_tokens, **kwargs)


class SafeQueueConsumer(QuickTurns, QueueConsumer):
    """nameko's queue consumer, but an ack or requeue that fails (the channel died under it: a
    broker restart) is logged and dropped: the broker requeues every unacked message of a dead
    channel by itself, so nothing is lost, and the service keeps running."""

    def start(self):
        if not self._starting:
            check_queues(self.container)
        super().start()

    @contextmanager
    def establish_connection(self):
        """kombu's reconnect loop, retrying every second or two instead of backing off to 30 s,
        so a service answers again within seconds of the broker's return."""
        with self.create_connection() as conn:
            conn.ensure_connection(
                self.on_connection_error,
                self.connect_max_retries,
                interval_start=1,
                interval_step=1,
                interval_max=2,
            )
            yield conn

    def ack_message(self, message):
        self._settle(message, "ack")

    def requeue_message(self, message):
        self._settle(message, "requeue")

    def _settle(self, message, how):
        try:
            if message.channel.connection:
                getattr(message, how)()
        except Exception as exc:  # any transport error here means a dead channel
            log.warning(
                "could not %s a message on a closed channel (%s: %s); the broker redelivers it",
                how,
                type(exc).__name__,
                exc,
            )


def _correlation(worker_ctx) -> str:
    data = getattr(worker_ctx, "data", None) or {}
    return str(data.get("correlation_id") or getattr(worker_ctx, "call_id", "") or "")


def as_suite_error(
    exc: BaseException, *, service: str, entrypoint: str, correlation_id: str, exc_info=None
) -> SuiteError:
    """The SuiteError a caller receives for ``exc``; unexpected faults are logged in full here."""
    if isinstance(exc, SuiteError):
        return exc
    if isinstance(exc, IncorrectSignature):
        return InvalidFacts(f"the arguments do not match the method: {exc}", field="arguments")
    if isinstance(exc, MethodNotFound):
        return NotFound(f"no such method: {exc}", field="method")
    if isinstance(exc, MalformedRequest):
        return InvalidFacts(str(exc), field="request")
    extra = {"service": service, "entrypoint": entrypoint, "correlation_id": correlation_id}
    if is_transient(exc):
        log.error("unavailable: %s: %s", type(exc).__name__, exc, exc_info=exc_info, extra=extra)
        return Unavailable(
            "a dependency of the service (database or broker) is unavailable; "
            "retry later with the same idempotency key",
            field="",
        )
    log.error("internal error: %s: %s", type(exc).__name__, exc, exc_info=exc_info, extra=extra)
    return Internal(correlation_id=correlation_id)


class SafeRpcConsumer(RpcConsumer):
    queue_consumer = SafeQueueConsumer()

    def setup(self):
        super().setup()
        self.queue = queues.typed(self.queue, self.container.config)  # QUEUE_TYPE

    def handle_result(self, message, result, exc_info):
        if exc_info is not None and not isinstance(exc_info[1], SuiteError):
            # raised before a worker existed: unknown method, wrong arguments, malformed body
            error = as_suite_error(
                exc_info[1],
                service=self.container.service_name,
                entrypoint=message.delivery_info.get("routing_key", ""),
                correlation_id=message.properties.get("correlation_id", ""),
                exc_info=exc_info,
            )
            exc_info = (type(error), error, None)
        try:
            result, exc_info = super().handle_result(message, result, exc_info)
        except Exception as exc:  # the reply could not be published
            log.warning(
                "reply to %s not sent (%s: %s); the caller times out and retries",
                message.properties.get("reply_to"),
                type(exc).__name__,
                exc,
                extra={"service": self.container.service_name},
            )
            self.queue_consumer.ack_message(message)
        return result, exc_info


class ReplyConsumer(QuickTurns, QueueConsumer):
    """The queue consumer of a service's RPC replies, apart from its SafeQueueConsumer: a classic
    reply queue lives on the node the service first connected to, and while that node is down it
    cannot be declared again elsewhere; on a consumer of their own the service's RPC and event
    consumers go on meanwhile (shared, all of them stopped with it: tests/faults/test_failover.py).
    Its turns are as quick as the SafeQueueConsumer's, so it stops as quickly."""


class SafeReplyListener(ReplyListener):
    """nameko's reply listener, its queue of the configured type: under QUEUE_TYPE=quorum the
    service's reply queue is replicated, so a long-lived caller (the gateway, a close asking intake)
    still gets its answers when the node it first declared the queue on is gone; a classic one is
    out of reach until that node returns. It keeps nameko's expiry (x-expires, 5 minutes unused)."""

    queue_consumer = ReplyConsumer()

    def setup(self):
        super().setup()
        self.queue = queues.typed(self.queue, self.container.config)


class SafeRpcProxy(RpcProxy):
    """nameko's RpcProxy whose reply consumer stops as quickly as the service's others."""

    rpc_reply_listener = SafeReplyListener()


class SafeRpc(Rpc):
    rpc_consumer = SafeRpcConsumer()

    def __init__(self, **kwargs):
        kwargs.setdefault("expected_exceptions", SuiteError)
        super().__init__(**kwargs)

    def handle_message(self, body, message):
        """Text no database stores is refused first; then, with ACCESS_CONTROL on, the caller's token
        and role are checked (services.common.access.guard): a refusal is raised here and the consumer
        answers it; no worker runs, nothing is read or written."""
        if isinstance(body, dict) and unstorable.may_hold(getattr(message, "body", None)):
            # text no database stores: refused by name before anything else (the audit of a
            # refused call could not store it either) and before any worker runs
            bad = unstorable.problems(
                getattr(self.container.service_cls, self.method_name, None),
                body.get("args"),
                body.get("kwargs"),
            )
            if bad:
                raise InvalidFacts(bad)
        admitted = None
        if access_control_on(self.container.config):
            context = HeaderDecoder().unpack_message_headers(message)
            try:
                admitted = check_call(self.container, self.method_name, body, context)
            except (Unauthorized, Forbidden) as refusal:
                record_refusal(self.container, self.method_name, body, context, refusal)
                raise
        # the worker's context says who was let in and how far (services.common.access.caller),
        # never what the caller sent under those names
        message.headers[PRINCIPAL_HEADER] = admitted.principal if admitted else ""
        message.headers[REACH_HEADER] = admitted.reach.text() if admitted else ""
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result, exc_info):
        if exc_info is not None:
            error = as_suite_error(
                exc_info[1],
                service=self.container.service_name,
                entrypoint=self.method_name,
                correlation_id=_correlation(worker_ctx),
                exc_info=exc_info,
            )
            if error is not exc_info[1]:
                exc_info = (type(error), error, None)
            if isinstance(error, Forbidden) and worker_ctx.context_data.get("principal"):
                record_read(self.container, self.method_name, worker_ctx, refusal=error)  # refused inside
        elif worker_ctx.context_data.get("principal"):
            record_read(self.container, self.method_name, worker_ctx)  # who read what (issue 25)
        return super().handle_result(message, worker_ctx, result, exc_info)


api = SafeRpc.decorator


class ReliableEventHandler(EventHandler):
    """An event handler (service pool) that validates, retries through the broker and parks."""

    queue_consumer = SafeQueueConsumer()

    def setup(self):
        super().setup()
        config = self.container.config
        self.queue = queues.typed(self.queue, config)  # QUEUE_TYPE, as every service declares it
        self.delays = retries.delays(config.get("EVENT_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))
        self.poison_attempts = int(config.get("EVENT_POISON_ATTEMPTS", DEFAULT_POISON_ATTEMPTS))
        self.trusted = trusted_publishers(config)
        # a retried event goes back under this service's own user, which it trusts
        self.publisher = Publisher(
            config[AMQP_URI_CONFIG_KEY],
            retry=True,
            retry_policy=PUBLISH_RETRY,
            user_id=broker_user(config[AMQP_URI_CONFIG_KEY]),
            mandatory=True,
        )
        self.delay_queues = [retries.delay_queue(self.queue.name, delay, config) for delay in self.delays]
        self.parked = deadletter.parked_queue(self.container.service_name, config)
        # the service brings its own failed events back when their delay is over (messaging.retries)
        self.waiting = [retries.Waiting(self, queue) for queue in self.delay_queues]
        for waiting in self.waiting:
            self.queue_consumer.register_provider(waiting)

    def stop(self):
        # the queue consumer cancels a consumer at its next turn (up to a second): all of this
        # handler's at once, not one turn each
        stopping = [eventlet.spawn(self.queue_consumer.unregister_provider, w) for w in self.waiting]
        stopping.append(eventlet.spawn(super().stop))
        for thread in stopping:
            thread.wait()

    @property
    def entrypoint(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    def handle_message(self, body, message):
        origin = (message.properties or {}).get("user_id")
        if origin not in self.trusted:  # not published by the suite (services.common.messaging.origin)
            self._fail(
                message,
                body,
                InvalidEvent(
                    f"published by {origin or 'an unnamed user'}, not by one of the "
                    f"suite's services ({', '.join(sorted(self.trusted))})"
                ),
                attempts=_attempts(message) + 1,
                final=True,
            )
            return
        try:
            check_event(self.event_type, body)
        except InvalidEvent as exc:
            self._fail(message, body, exc, attempts=_attempts(message) + 1, final=True)
            return
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
        else:
            exc = exc_info[1]
            attempts = _attempts(message) + 1
            budget = len(self.delays) + 1 if is_transient(exc) else self.poison_attempts
            log.warning(
                "%s failed on attempt %d of %d: %s: %s",
                self.entrypoint,
                attempts,
                budget,
                type(exc).__name__,
                exc,
                extra=self._extra(worker_ctx.args[0] if worker_ctx.args else {}),
            )
            self._fail(message, worker_ctx.args[0], exc, attempts, final=attempts >= budget)
        return result, exc_info

    # --- retry or park -------------------------------------------------------------------------

    def _fail(self, message, body, exc, attempts, final):
        headers = {**(message.headers or {}), ATTEMPTS: attempts}
        try:
            if final:
                entry = deadletter.parked_headers(
                    service=self.container.service_name,
                    queue=self.queue.name,
                    source=self.source_service,
                    event_type=self.event_type,
                    attempts=attempts,
                    error=exc,
                    first_failed=headers.get(deadletter.FIRST_FAILED),
                )
                self.publisher.publish(
                    body,
                    exchange=None,
                    routing_key=self.parked.name,
                    declare=[self.parked],
                    headers={**headers, **entry},
                )
                log.error(
                    "%s parked event %s after %d attempt(s): %s: %s",
                    self.entrypoint,
                    body.get("event_id") if isinstance(body, dict) else None,
                    attempts,
                    type(exc).__name__,
                    exc,
                    extra=self._extra(body),
                )
            else:
                headers.setdefault(deadletter.FIRST_FAILED, deadletter.now_iso())
                step = min(attempts, len(self.delay_queues)) - 1
                delay_queue = self.delay_queues[step]
                headers.update(retries.due_header(self.delays[step]))
                self.publisher.publish(
                    body, exchange=None, routing_key=delay_queue.name, declare=[delay_queue], headers=headers
                )
            telemetry.EVENTS_HANDLED.labels(
                self.container.service_name, self.method_name, "parked" if final else "retried"
            ).inc()
        except Exception as publish_error:
            # Not acked: the broker gives the message back when this channel closes. If the
            # channel is still alive, hand it back after a pause rather than spinning on it.
            log.error(
                "%s could not %s an event (%s: %s); it stays on its queue",
                self.entrypoint,
                "park" if final else "schedule a retry of",
                type(publish_error).__name__,
                publish_error,
                extra=self._extra(body),
            )
            self.container.spawn_managed_thread(partial(self._requeue_later, message))
            return
        self.queue_consumer.ack_message(message)

    def _requeue_later(self, message):
        time.sleep(min(self.delays or (5,)))
        self.queue_consumer.requeue_message(message)

    def _extra(self, body):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        return {
            "service": self.container.service_name,
            "entrypoint": self.entrypoint,
            "correlation_id": event_id,
        }


def service_queues(container) -> list[Queue]:
    """Every durable queue ``container``'s service consumes or publishes to, as it declares them: its
    RPC queue, its handlers' queues with their retry queues, its parked queue, and the queues of its
    events' subscribers (services.common.messaging.topology). Read from the service class, so it is
    whole before any extension is set up."""
    config, service = container.config, container.service_name
    found: list[Queue] = []
    handlers = [ep for ep in container.entrypoints if isinstance(ep, ReliableEventHandler)]
    if any(isinstance(ep, Rpc) for ep in container.entrypoints):
        found.append(
            queues.typed(
                Queue(
                    RPC_QUEUE_TEMPLATE.format(service),
                    exchange=get_rpc_exchange(config),
                    routing_key=f"{service}.*",
                    durable=True,
                ),
                config,
            )
        )
    delays = retries.delays(config.get("EVENT_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))
    for ep in handlers:
        queue = topology.event_queue(ep.source_service, ep.event_type, f"{service}.{ep.method_name}", config)
        found.append(queue)
        found.extend(retries.delay_queue(queue.name, delay, config) for delay in delays)
    if handlers:
        found.append(deadletter.parked_queue(service, config))
    found.extend(topology.subscriber_queues(service, config))
    return found


def check_queues(container) -> None:
    """Declare the service's queues as QUEUE_TYPE says, once per container, or refuse to start with
    every clash named (services.common.messaging.queues); called by whichever of the service's
    extensions reaches the broker first (the event publisher at setup, the consumer at start)."""
    if getattr(container, "_kam_queues_checked", False):
        return
    container._kam_queues_checked = True
    queues.check(
        container.config[AMQP_URI_CONFIG_KEY], service_queues(container), queues.queue_type(container.config)
    )


def _attempts(message) -> int:
    try:
        return int((message.headers or {}).get(ATTEMPTS, 0))
    except (TypeError, ValueError):
        return 0


handles = ReliableEventHandler.decorator

__all__ = ["api", "handles", "NotYet", "SafeQueueConsumer", "SafeRpcProxy", "as_suite_error"]
