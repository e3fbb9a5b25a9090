"""Where an event comes from: only the suite's own services may publish what its handlers apply.

Every service publishes under its broker user with the AMQP ``user_id`` property set to it, and
RabbitMQ refuses a message whose ``user_id`` is not the publishing connection's user, so the
property cannot be forged. A handler applies an event only if its ``user_id`` is one of the
trusted publishers: the service's own broker user, and any listed in ``EVENT_PUBLISHERS``
(comma-separated; give each service its own broker user and list them all). Anything else is
parked at once, never applied (services.common.messaging.entrypoints.ReliableEventHandler).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlparse

from nameko.amqp.publish import UndeliverableMessage, get_connection
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY
from nameko.events import EventDispatcher

from services.common import telemetry
from services.common.messaging import topology


def broker_nodes(amqp_uri: str) -> list[str]:
    """The node URIs of ``AMQP_URI``: one, or several separated by ``;`` (a cluster; kombu connects
    to the first that answers and moves to the next when a connection fails)."""
    return [node.strip() for node in amqp_uri.split(";") if node.strip()]


def broker_user(amqp_uri: str) -> str:
    """The user an AMQP URI logs in as (kombu's default, guest, when it names none); on a cluster,
    every node's URI names the same user."""
    first = (broker_nodes(amqp_uri) or [amqp_uri])[0]
    return unquote(urlparse(first.replace("pyamqp://", "amqp://", 1)).username or "guest")


def trusted_publishers(config: Mapping[str, Any]) -> frozenset[str]:
    listed = str(config.get("EVENT_PUBLISHERS") or "")
    return frozenset(
        {
            broker_user(config[AMQP_URI_CONFIG_KEY]),
            *(name.strip() for name in listed.split(",") if name.strip()),
        }
    )


class SuiteDispatcher(EventDispatcher):
    """nameko's event dispatcher, publishing with ``user_id`` set to the service's broker user,
    ``mandatory`` (an event no queue would take raises instead of vanishing, so it stays in the
    outbox), into subscriber queues it made sure exist (services.common.messaging.topology).

    The subscriber queues are declared at setup and again when a publish comes back unroutable
    (a broker that lost its definitions), not on every publish: kombu's per-publish declare
    copies each entity, ~0.4 ms of intake's write path."""

    def setup(self):
        config = self.container.config
        self.options["user_id"] = broker_user(config[AMQP_URI_CONFIG_KEY])
        self.options["mandatory"] = True
        self.subscribers = topology.subscriber_queues(self.container.service_name, config)
        super().setup()
        # declared as QUEUE_TYPE says, or a clear refusal to start (services.common.messaging.queues)
        from services.common.messaging.entrypoints import check_queues  # it imports this module

        check_queues(self.container)

    def _declare_subscribers(self) -> bool:
        with get_connection(self.amqp_uri, self.container.config.get(AMQP_SSL_CONFIG_KEY)) as conn:
            channel = conn.channel()
            for queue in self.subscribers:
                queue(channel).declare()
        return bool(self.subscribers)

    def get_dependency(self, worker_ctx):
        dispatch = super().get_dependency(worker_ctx)

        def dispatch_routed(event_type, event_data):
            try:
                dispatch(event_type, event_data)
            except UndeliverableMessage:
                if not self._declare_subscribers():
                    raise
                dispatch(event_type, event_data)  # raises again if nothing subscribes to it
            telemetry.EVENTS_PUBLISHED.labels(self.container.service_name, event_type).inc()

        return dispatch_routed
