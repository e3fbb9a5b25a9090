"""Parked events: each service's dead-letter queue, and what an operator does with it.

An event its handler could not process (invalid, poison, or failing past its retries) is
published to ``<service>.parked`` — a durable queue nobody consumes — with the original body and
headers plus ``x-kam-*`` headers: a parked id, the queue it came from, the error, the attempts
and when it first failed. It stays there until an operator replays it (it goes back to its
handler's queue with its attempts reset) or drops it. Both are RPCs of every service
(``DeadLetters``) and ``kam parked`` commands.

Reading the queue takes messages without acknowledging them and closes the channel, so the
broker puts back every one not replayed or dropped, in order.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from kombu import Connection, Queue

from kamkit.errors import NotFound, clip
from services.common.messaging import queues
from services.common.messaging.origin import broker_user

PARKED_ID = "x-kam-parked-id"
FIRST_FAILED = "x-kam-first-failed"
_KEYS = {
    "service": "x-kam-service",
    "queue": "x-kam-queue",
    "source": "x-kam-source",
    "event_type": "x-kam-event-type",
    "attempts": "x-kam-attempts",
    "error": "x-kam-error",
    "error_type": "x-kam-error-type",
    "parked_at": "x-kam-parked-at",
    "first_failed": FIRST_FAILED,
    "replays": "x-kam-replays",
}
MAX_LIST = 1000


def parked_queue(service: str, config=None) -> Queue:
    return queues.typed(Queue(f"{service}.parked", durable=True), config)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def parked_headers(*, service, queue, source, event_type, attempts, error, first_failed=None):
    now = now_iso()
    return {
        PARKED_ID: uuid.uuid4().hex,
        _KEYS["service"]: service,
        _KEYS["queue"]: queue,
        _KEYS["source"]: source,
        _KEYS["event_type"]: event_type,
        _KEYS["attempts"]: attempts,
        _KEYS["error"]: clip(str(error), 2000),
        _KEYS["error_type"]: type(error).__name__,
        _KEYS["parked_at"]: now,
        FIRST_FAILED: first_failed or now,
    }


def describe(message, with_body: bool = False) -> dict[str, Any]:
    headers = message.headers or {}
    out = {"id": headers.get(PARKED_ID)}
    out.update({name: headers.get(header) for name, header in _KEYS.items()})
    body = message.payload if message.content_type else message.body
    out["event_id"] = body.get("event_id") if isinstance(body, dict) else None
    out["business_line"] = body.get("business_line") if isinstance(body, dict) else None
    if with_body:
        out["body"] = body
        out["headers"] = {k: v for k, v in headers.items() if not str(k).startswith("x-kam-")}
    else:
        out["body_preview"] = clip(json.dumps(body, ensure_ascii=False, default=str), 200)
    return out


class ParkedQueue:
    """One service's parked events, read and changed over a short-lived connection."""

    def __init__(self, amqp_uri: str, service: str, config=None):
        self.amqp_uri, self.queue = amqp_uri, parked_queue(service, config)

    def _walk(self, conn, limit=MAX_LIST):
        channel = conn.channel()
        queue = self.queue(channel)
        queue.declare()
        for _ in range(limit):
            message = queue.get(no_ack=False, accept=["json"])
            if message is None:
                return
            yield channel, message

    def list(self, limit: int = 100) -> dict[str, Any]:
        with Connection(self.amqp_uri) as conn:
            items = [describe(m) for _, m in self._walk(conn, limit)]
            count = self.queue(conn.channel()).queue_declare(passive=True).message_count
        return {"items": items, "count": count + len(items)}  # unacked ones are not counted yet

    def get(self, parked_id: str) -> dict[str, Any]:
        with Connection(self.amqp_uri) as conn:
            for _, message in self._walk(conn):
                if (message.headers or {}).get(PARKED_ID) == parked_id:
                    return describe(message, with_body=True)
        raise NotFound(f"no parked event {parked_id!r}", field="parked_id")

    def settle(self, parked_id: str, replay: bool) -> list[dict[str, Any]]:
        """Replay (back to its handler's queue, attempts reset) or drop one parked event, or every
        one with ``parked_id='all'``. Returns what was done."""
        done = []
        with Connection(self.amqp_uri) as conn:
            producer = conn.Producer() if replay else None
            for _channel, message in self._walk(conn):
                headers = message.headers or {}
                if parked_id not in ("all", headers.get(PARKED_ID)):
                    continue
                if replay:
                    original = {k: v for k, v in headers.items() if not str(k).startswith("x-kam-")}
                    original[_KEYS["replays"]] = int(headers.get(_KEYS["replays"]) or 0) + 1
                    target = headers.get(_KEYS["queue"])
                    # published again under this service's broker user: an operator who replays an
                    # event vouches for it, whoever published it first (services.common.messaging.origin)
                    producer.publish(
                        message.body,
                        exchange="",
                        routing_key=target,
                        headers=original,
                        content_type=message.content_type,
                        content_encoding=message.content_encoding,
                        delivery_mode=2,
                        retry=True,
                        user_id=broker_user(self.amqp_uri),
                    )
                message.ack()
                done.append(
                    {
                        "id": headers.get(PARKED_ID),
                        "event_id": describe(message)["event_id"],
                        "queue": headers.get(_KEYS["queue"]),
                        "replayed": replay,
                    }
                )
                if parked_id != "all":
                    break
        if not done and parked_id != "all":
            raise NotFound(f"no parked event {parked_id!r}", field="parked_id")
        return done
