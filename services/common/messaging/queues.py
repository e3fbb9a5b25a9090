"""The type of every durable queue the suite declares: ``QUEUE_TYPE`` (``classic`` or ``quorum``).

A classic queue lives on one broker node: when that node goes, its messages are out of reach until
it returns. A quorum queue is replicated over the cluster's nodes (Raft) and keeps answering while a
majority of them is up (RabbitMQ 3.10, Debian 12, has them). ``classic`` is the default (one node
gains nothing from a quorum queue but its cost); a cluster runs with ``quorum``.

Every durable queue takes the type: each service's RPC queue, its event handlers' queues, their
retry queues (a quorum one without the broker's TTL and dead-lettering: the service brings its
retries back itself, services.common.messaging.retries) and its parked queue, and the subscriber
queues a publisher declares before its first event (services.common.messaging.topology), so every
service declares every queue alike. A classic queue is declared without the argument, as before this
setting existed, so an existing installation re-declares its queues unchanged.

A service's own RPC reply queue (the gateway's, a period service's questions to intake) takes the
type too: it lives as long as the process, and a classic one on a node that is gone cannot be
declared elsewhere, so the gateway answered nothing until that node came back (measured:
tests/faults/test_failover.py). A standalone client's reply queue (the ``kam`` command line, an
integrator's script) stays classic and expiring: it belongs to one connection; if its node dies the
connection dies with it, the client reconnects to another node, its call times out or fails as
``Unavailable``, and it calls again with the same idempotency key: the write has one effect
(docs/operations.md, "Failover").

A queue cannot change type in place. A service whose ``QUEUE_TYPE`` differs from a queue the broker
already holds does not start: ``check`` declares every queue of the service before its consumers
do and answers with ``QueueTypeClash`` naming each queue, its type on the broker and the setting,
instead of a channel error in the middle of the start. docs/operations.md ("Switching the queue
type") says how to drain and re-declare.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Queue

QUEUE_TYPES = ("classic", "quorum")
DEFAULT = "classic"


class QueueTypeClash(RuntimeError):
    """Queues on the broker of another type than QUEUE_TYPE asks for."""

    def __init__(self, wanted: str, clashes: list[str]):
        self.wanted, self.clashes = wanted, clashes
        other = "classic" if wanted == "quorum" else "quorum"
        super().__init__(
            f"QUEUE_TYPE is {wanted}, but the broker holds {len(clashes)} of this service's queues as "
            f"another type ({', '.join(clashes)}). A queue cannot change type in place: either set "
            f"QUEUE_TYPE={other} as the rest of this installation runs, or stop every service, let "
            f"the queues drain, delete them and start again (docs/operations.md, 'Switching the "
            f"queue type')."
        )


def queue_type(config: Mapping[str, Any] | None = None) -> str:
    """The configured type: the service's config, else the environment, else classic."""
    value = (config or {}).get("QUEUE_TYPE") or os.environ.get("QUEUE_TYPE") or DEFAULT
    value = str(value).strip().lower()
    if value not in QUEUE_TYPES:
        raise ValueError(f"QUEUE_TYPE must be one of {', '.join(QUEUE_TYPES)}, got {value!r}")
    return value


def arguments(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The declare arguments of a durable queue of the given type."""
    return {} if queue_type(config) == "classic" else {"x-queue-type": "quorum"}


def typed(queue: Queue, config: Mapping[str, Any] | None = None) -> Queue:
    """``queue`` declared with the configured type (its own arguments kept)."""
    own = dict(queue.queue_arguments or {})
    extra = arguments(config)
    if not extra:
        return queue
    return Queue(
        queue.name,
        exchange=queue.exchange,
        routing_key=queue.routing_key,
        durable=True,
        auto_delete=False,
        exclusive=False,
        queue_arguments={**own, **extra},
    )


def check(amqp_uri: str, queues: Iterable[Queue], wanted: str) -> None:
    """Declare each queue as configured; raise QueueTypeClash naming every queue of another type."""
    clashes: list[str] = []
    queues = list(queues)
    if not queues:  # a service that only calls others (the gateway): nothing of its own to declare
        return
    with Connection(amqp_uri) as conn:
        conn.ensure_connection(max_retries=3)
        channel = conn.channel()
        for queue in {q.name: q for q in queues}.values():
            try:
                queue(channel).declare()
            except PreconditionFailed as exc:
                if "x-queue-type" not in str(exc):
                    raise
                current = "quorum" if "'quorum'" in str(exc).split("current is", 1)[-1] else "classic"
                clashes.append(f"{queue.name} ({current})")
                channel = conn.channel()  # the refusal closed the channel
    if clashes:
        raise QueueTypeClash(wanted, clashes)
