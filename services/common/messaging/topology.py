"""Who listens to what: every event subscription in the suite, so that no event is published
before the queues of all its subscribers exist.

RabbitMQ drops a message that no queue is bound to receive, and a subscriber's queue is declared
only when that subscriber first starts. Services start in any order (a fresh install, compose,
``services.run``), so without this the first events of a new installation could reach some
subscribers and not others. Each publisher therefore declares, when it starts (and again if a
publish comes back unroutable), the durable queue of every subscriber of its events, exactly as
nameko's event handler declares it (``evt-<source>-<type>--<service>.<method>``); the events
wait there until the subscriber starts. The table is checked against the services' handlers by
a test (tests/services/common/test_topology.py).
"""
from __future__ import annotations

from typing import Any, Mapping

from kombu import Queue
from nameko.standalone.events import get_event_exchange

import wire.events as E

_EVERY_PROJECTION = ("escalation", "assessment", "compensation", "notify")

# (source service, event type) -> the "service.method" handlers subscribed to it
SUBSCRIBERS: dict[tuple[str, str], tuple[str, ...]] = {
    (E.INTAKE, E.RECORD_CHANGED): tuple(f"{s}.on_record_changed" for s in _EVERY_PROJECTION),
    (E.INTAKE, E.RECORDS_CHANGED): tuple(f"{s}.on_records_changed" for s in _EVERY_PROJECTION),
    (E.INTAKE, E.ACCESS_CHANGED): tuple(f"{s}.on_access_changed" for s in _EVERY_PROJECTION),
    (E.ESCALATION, E.OWNER_ASSIGNED): ("notify.on_owner_assigned",),
    (E.ESCALATION, E.OPPORTUNITY_ESCALATED): ("notify.on_escalated",),
    (E.ASSESSMENT, E.MONTH_CLOSED): ("notify.on_month_closed",),
    (E.COMPENSATION, E.QUARTER_CLOSED): ("notify.on_quarter_closed",),
    (E.COMPENSATION, E.PERIOD_STALE): ("notify.on_period_stale",),
}


def event_queue(source: str, event_type: str, handler: str, config: Mapping[str, Any]) -> Queue:
    """The queue nameko's service-pool event handler ``handler`` ("service.method") consumes,
    with the same name, binding and flags (a mismatch would make the broker refuse either)."""
    return Queue(f"evt-{source}-{event_type}--{handler}", exchange=get_event_exchange(source, config),
                 routing_key=event_type, durable=True, auto_delete=False, exclusive=False)


def subscriber_queues(source: str, config: Mapping[str, Any]) -> list[Queue]:
    """Every subscriber queue of the events ``source`` publishes."""
    return [event_queue(src, event_type, handler, config)
            for (src, event_type), handlers in SUBSCRIBERS.items() if src == source
            for handler in handlers]
