"""Who listens to what: every event subscription in the suite, so that no event is published
before the queues of all its subscribers exist.

RabbitMQ drops a message that no queue is bound to receive, and a subscriber's queue is declared
only when that subscriber first starts. Services start in any order (a fresh install, compose,
``services.run``), so without this the first events of a new installation could reach some
subscribers and not others. Each publisher therefore declares, when it starts (and again if a
publish comes back unroutable), the durable queue of every subscriber of its events, exactly as
nameko's event handler declares it (``evt-<source>-<type>--<service>.<method>``); the events
wait there until the subscriber starts. Who subscribes is read from the services' handlers
(``subscribers``), so a new handler is a new subscription with nothing else to declare.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from typing import Any

from kombu import Queue
from nameko.events import EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.standalone.events import get_event_exchange

from services.common.messaging import queues

# The suite's services. Their event handlers (``handles``) are its subscriptions: declared once,
# where each handler is, and read from the service classes when a publisher starts.
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")


@functools.cache
def subscribers() -> dict[tuple[str, str], tuple[str, ...]]:
    """(source service, event type) -> the "service.method" handlers subscribed to it. The
    service modules are looked up by name (they import this package; it cannot import them)."""
    table: dict[tuple[str, str], list[str]] = {}
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}.service")
        service = next(
            c
            for c in vars(module).values()
            if isinstance(c, type) and c.__module__ == module.__name__ and getattr(c, "name", None) == name
        )
        for attr in dir(service):
            for ext in getattr(getattr(service, attr), ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(ext, EventHandler):
                    table.setdefault((ext.source_service, ext.event_type), []).append(f"{name}.{attr}")
    return {key: tuple(sorted(handlers)) for key, handlers in table.items()}


def event_queue(source: str, event_type: str, handler: str, config: Mapping[str, Any]) -> Queue:
    """The queue nameko's service-pool event handler ``handler`` ("service.method") consumes,
    with the same name, binding, flags and type (a mismatch would make the broker refuse either)."""
    return queues.typed(
        Queue(
            f"evt-{source}-{event_type}--{handler}",
            exchange=get_event_exchange(source, config),
            routing_key=event_type,
            durable=True,
            auto_delete=False,
            exclusive=False,
        ),
        config,
    )


def subscriber_queues(source: str, config: Mapping[str, Any]) -> list[Queue]:
    """Every subscriber queue of the events ``source`` publishes."""
    return [
        event_queue(src, event_type, handler, config)
        for (src, event_type), handlers in subscribers().items()
        if src == source
        for handler in handlers
    ]
