"""How a failed event waits out its delay and goes back to its handler.

Each event handler has one retry queue per delay of ``EVENT_RETRY_DELAYS``, ``<queue>.retry.<ms>ms``.
A failed event is published to the retry queue of its attempt with the header ``DUE``: when it may
be tried again (epoch milliseconds). The service consumes its own retry queues (``Waiting``, one
consumer a queue on the service's queue consumer; each consumer has its own prefetch, so held
retries never hold back the handlers' own deliveries), keeps each message until it is due, publishes
it back to the handler's queue, confirmed, and only then acknowledges it. A service that stops or
dies meanwhile leaves the message unacknowledged and the broker hands it to the next instance; an
event brought back twice is applied once (each handler's ``first_time``).

Why the service and not the broker's message TTL and dead-lettering, as before: a quorum queue dead-
letters at least once only through a worker beside its leader, and RabbitMQ 3.10 strands the dead-
lettered messages when that leader changes (tests/faults/test_failover.py: 3 to 10 of 40 retried
follow-ups never came back in 3 of 8 runs here and once in CI, the retry queue reporting them as
messages neither ready nor unacknowledged); at-most-once dead-lettering drops a message its target
cannot take at that moment. So a quorum retry queue is a plain queue. A classic retry queue keeps
the TTL and dead-lettering it has always been declared with, so an existing installation re-declares
it unchanged; while a service consumes it they only reach messages beyond the consumer's prefetch,
and either way a message reaches the handler's queue once its delay is over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from kombu import Queue

from services.common.messaging import queues

log = logging.getLogger("kam.retries")

DUE = "x-kam-due"  # header: epoch milliseconds from which a failed event may be tried again
REPUBLISH_PAUSE = 2.0  # seconds before a retry that could not be sent back is tried again


def delays(value) -> tuple[float, ...]:
    """EVENT_RETRY_DELAYS as a list, or as text: "[1, 2, 4]" or "1,2,4"."""
    if isinstance(value, str):
        value = [v for v in value.strip("[] ").replace(",", " ").split()]
    found = tuple(float(v) for v in value)
    if not found or any(d <= 0 for d in found):
        raise ValueError(f"EVENT_RETRY_DELAYS must be positive seconds, got {value!r}")
    return found


def delay_queue(name: str, delay: float, config: Mapping[str, Any] | None) -> Queue:
    """The queue a failed event of queue ``name`` waits in for ``delay`` seconds. Named by its delay:
    changing EVENT_RETRY_DELAYS declares new queues instead of clashing with the arguments of
    existing ones (let the old ones empty first: docs/operations.md, "Changing the retry delays")."""
    queue_name = f"{name}.retry.{int(delay * 1000)}ms"
    if queues.queue_type(config) == "quorum":
        return queues.typed(Queue(queue_name, durable=True), config)
    return Queue(
        queue_name,
        durable=True,
        queue_arguments={
            "x-message-ttl": int(delay * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": name,
        },
    )


def due_header(delay: float, now: float | None = None) -> dict[str, int]:
    """The header of an event failed at ``now`` (seconds) to be tried again ``delay`` seconds on."""
    return {DUE: int(round(((time.time() if now is None else now) + delay) * 1000))}


def seconds_to_wait(headers: Mapping[str, Any] | None, now: float | None = None) -> float:
    """How long a retry with these headers still waits; none without a readable DUE (a message put
    in a retry queue by an earlier version is tried at once: every handler is idempotent)."""
    try:
        due = int((headers or {})[DUE]) / 1000
    except (KeyError, TypeError, ValueError):
        return 0.0
    return max(0.0, due - (time.time() if now is None else now))


class Waiting:
    """The consumer of one retry queue of ``handler`` (a ReliableEventHandler): registered with
    the handler's queue consumer, which runs ``handle_message`` in a thread of its own for each
    message it delivers."""

    def __init__(self, handler, queue: Queue):
        self.handler, self.queue = handler, queue

    def handle_message(self, body, message) -> None:
        time.sleep(seconds_to_wait(message.headers))
        handler = self.handler
        try:
            handler.publisher.publish(
                body, exchange=None, routing_key=handler.queue.name, headers=dict(message.headers or {})
            )
        except Exception as exc:  # the broker is going or the handler's queue is gone: not acked
            log.error(
                "%s could not send a retry back to %s (%s: %s); it stays in %s",
                handler.entrypoint,
                handler.queue.name,
                type(exc).__name__,
                exc,
                self.queue.name,
                extra={"service": handler.container.service_name, "entrypoint": handler.entrypoint},
            )
            time.sleep(REPUBLISH_PAUSE)
            handler.queue_consumer.requeue_message(message)
            return
        handler.queue_consumer.ack_message(message)

    def __repr__(self) -> str:
        return f"<Waiting {self.queue.name}>"
