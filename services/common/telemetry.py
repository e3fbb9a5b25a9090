"""Metrics and health: what an operator's Prometheus scrapes and what a load balancer or an
orchestrator asks (Kubernetes' convention: ``/livez`` and ``/readyz``, answered by status code).

Every service has a ``Telemetry`` dependency. It counts and times each worker by entrypoint and
outcome (RPCs, event handlers, the gateway's HTTP requests, closes), and at scrape time reads what
is waiting: the outbox rows not yet published, the events in the service's queues not yet applied
(its lag behind the services publishing them), its parked events. The five services serve
``/metrics``, ``/livez`` and ``/readyz`` on ``METRICS_ADDRESS`` (host:port; each service's
config.yaml names its own default, ``off`` serves nothing); the gateway serves the same paths on
its HTTP port.

- live: the process runs and its service container has not died (restart it if not);
- ready: the broker answers, the database answers and is at the newest schema revision, and the
  events waiting for this service are at most ``READY_MAX_LAG`` (1000): a service far behind would
  answer reads with old figures. Each check is named in the JSON answer, 200 when all pass, 503
  when one fails.

The metric names (all ``kam_``, labelled by ``service``) are listed in docs/operations.md
("Metrics"); docker/grafana/dashboard.json and docker/alerts.yml are written on them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.web.handlers import HttpRequestHandler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from kamkit.errors import Internal, SuiteError, Unavailable
from services.common.messaging.faults import is_transient

log = logging.getLogger("kam.telemetry")

REGISTRY = CollectorRegistry()
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_CLOSE = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200)

RPC_CALLS = Counter(
    "kam_rpc_calls", "RPC calls answered, by outcome", ["service", "method", "outcome"], registry=REGISTRY
)
RPC_SECONDS = Histogram(
    "kam_rpc_seconds", "Time to answer an RPC", ["service", "method"], buckets=_LATENCY, registry=REGISTRY
)
EVENTS_HANDLED = Counter(
    "kam_event_handled",
    "Events handled: ok, retried later, or parked",
    ["service", "handler", "outcome"],
    registry=REGISTRY,
)
HANDLER_SECONDS = Histogram(
    "kam_event_handler_seconds",
    "Time an event handler ran",
    ["service", "handler"],
    buckets=_LATENCY,
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "kam_events_published", "Events published to the broker", ["service", "event_type"], registry=REGISTRY
)
CLOSES = Counter(
    "kam_closes",
    "Period closes and runs, by outcome",
    ["service", "period_kind", "outcome"],
    registry=REGISTRY,
)
CLOSE_SECONDS = Histogram(
    "kam_close_seconds",
    "Time a close or run took",
    ["service", "period_kind"],
    buckets=_CLOSE,
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "kam_http_requests", "HTTP requests answered", ["service", "route", "status"], registry=REGISTRY
)
HTTP_SECONDS = Histogram(
    "kam_http_request_seconds",
    "Time to answer an HTTP request",
    ["service", "route"],
    buckets=_LATENCY,
    registry=REGISTRY,
)

# RPCs that close or run a period: their count and duration are also kam_closes / kam_close_seconds
CLOSE_METHODS = {
    "close_month": "month",
    "run_month": "month",
    "run_quarter": "quarter",
    "close_quarter": "quarter",
    "close_year": "year",
}
DEFAULT_MAX_LAG = 1000
# a reading of the queues, the outbox and the checks serves the probes and scrapes of the next 2 s:
# a burst of them (a load balancer, Prometheus, a client polling) costs one
PROBE_CACHE_S = 2.0


def outcome_of(exc: BaseException | None) -> str:
    """ok, refused (the caller's mistake or a refusal), unavailable (an outage), error."""
    if exc is None:
        return "ok"
    if isinstance(exc, Unavailable) or (not isinstance(exc, SuiteError) and is_transient(exc)):
        return "unavailable"
    if isinstance(exc, Internal) or not isinstance(exc, SuiteError):
        return "error"
    return "refused"


class Depths(NamedTuple):
    lag: int  # events in the service's handler and retry queues, not yet applied
    parked: int  # events in its parked queue


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


class Telemetry(DependencyProvider):
    """Counts and times the service's workers; serves /metrics, /livez and /readyz when the service
    has a METRICS_ADDRESS. ``route_of(request)`` names an HTTP request's route (the gateway)."""

    def __init__(self, route_of: Callable[[Any], str] | None = None):
        self.route_of = route_of
        self.began: dict[Any, float] = {}
        self.server = None

    def setup(self):
        self.service = self.container.service_name
        self.readings: dict[str, tuple[float, Any]] = {}
        self.has_queues = any(isinstance(ep, EventHandler) for ep in self.container.entrypoints)
        _STATES[self.service] = self

    def start(self):
        address = str(self.container.config.get("METRICS_ADDRESS") or "off").strip()
        if address.lower() in ("", "off", "none"):
            return
        host, _, port = address.rpartition(":")
        try:
            sock = eventlet.listen((host or "127.0.0.1", int(port)))
        except (OSError, ValueError) as exc:  # the service runs on; only its metrics are missing
            log.error("metrics and health not served on %s: %s: %s", address, type(exc).__name__, exc)
            return
        self.server = eventlet.spawn(
            eventlet.wsgi.server, sock, self.wsgi, log_output=False, log=log, max_size=64
        )
        log.info("metrics and health on http://%s/metrics, /livez, /readyz", address)

    def stop(self):
        if self.server is not None:
            self.server.kill()
            self.server = None
        if _STATES.get(self.service) is self:
            del _STATES[self.service]

    kill = stop

    # --- workers ---------------------------------------------------------------------------------

    def get_dependency(self, worker_ctx):
        return self  # the gateway answers /metrics, /livez and /readyz itself (answer)

    def worker_setup(self, worker_ctx):
        self.began[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        began = self.began.pop(worker_ctx, None)
        if began is None:
            return
        seconds = time.perf_counter() - began
        entrypoint, exc = worker_ctx.entrypoint, exc_info[1] if exc_info else None
        name = entrypoint.method_name
        if isinstance(entrypoint, Rpc):
            outcome = outcome_of(exc)
            RPC_CALLS.labels(self.service, name, outcome).inc()
            RPC_SECONDS.labels(self.service, name).observe(seconds)
            if name in CLOSE_METHODS:
                CLOSES.labels(self.service, CLOSE_METHODS[name], outcome).inc()
                CLOSE_SECONDS.labels(self.service, CLOSE_METHODS[name]).observe(seconds)
        elif isinstance(entrypoint, EventHandler):
            if exc is None:  # a failure is counted where it is retried or parked
                EVENTS_HANDLED.labels(self.service, name, "ok").inc()
            HANDLER_SECONDS.labels(self.service, name).observe(seconds)
        elif isinstance(entrypoint, HttpRequestHandler):
            request = worker_ctx.args[0] if worker_ctx.args else None
            route = self.route_of(request) if self.route_of and request is not None else name
            status = getattr(result, "status_code", 500 if exc else 200)
            HTTP_REQUESTS.labels(self.service, route, str(status)).inc()
            HTTP_SECONDS.labels(self.service, route).observe(seconds)

    def worker_teardown(self, worker_ctx):
        self.began.pop(worker_ctx, None)

    # --- what is waiting ---------------------------------------------------------------------------

    def database(self):
        from services.common.storage.db import ServiceDatabase  # storage imports messaging

        return next((d for d in self.container.dependencies if isinstance(d, ServiceDatabase)), None)

    def waiting(self) -> dict[str, int | None]:
        """{outbox, lag, parked}: rows and messages not yet done (None: could not be read). Read at
        most once per PROBE_CACHE_S: a burst of scrapes and probes costs one reading."""
        return self._cached("waiting", self._read_waiting)

    def _cached(self, what: str, read: Callable[[], Any]) -> Any:
        now = time.monotonic()
        held = self.readings.get(what)
        if held is None or now - held[0] > PROBE_CACHE_S:
            held = self.readings[what] = (now, read())
        return held[1]

    def _read_waiting(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {"outbox": None, "lag": None, "parked": None}
        db = self.database()
        if db is not None and _has_table(db, "outbox"):
            try:
                with db.engine.connect() as conn:
                    out["outbox"] = int(conn.execute(text("SELECT count(*) FROM outbox")).scalar())
            except Exception as exc:  # an outage is a failed readiness check, not a failed scrape
                log.warning("outbox not counted: %s: %s", type(exc).__name__, exc)
        if not self.has_queues:  # intake, the gateway: no event of theirs waits on the broker
            out["lag"] = out["parked"] = 0
            return out
        try:
            out["lag"], out["parked"] = self._queue_depths()
        except Exception as exc:
            log.warning("queues not counted: %s: %s", type(exc).__name__, exc)
        return out

    def _queue_depths(self) -> Depths:
        """Messages ready in the service's handler queues and their retry queues; in its parked queue."""
        from services.common.messaging.entrypoints import service_queues

        mine = f"--{self.service}."
        lag = parked = 0
        with Connection(self.container.config["AMQP_URI"], connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
            channel = conn.channel()
            for queue in service_queues(self.container):
                is_parked = queue.name == f"{self.service}.parked"
                if not is_parked and not (queue.name.startswith("evt-") and mine in queue.name):
                    continue
                try:
                    count = channel.queue_declare(queue=queue.name, passive=True).message_count
                except Exception:  # not declared yet: nothing waits in it
                    channel = conn.channel()
                    continue
                if is_parked:
                    parked += count
                else:
                    lag += count
        return Depths(lag=lag, parked=parked)

    # --- health ------------------------------------------------------------------------------------

    def live(self) -> bool:
        died = getattr(self.container, "_died", None)
        return not (died is not None and died.ready())

    def checks(self, waiting: dict[str, int | None] | None = None) -> list[Check]:
        """What /readyz answers on, read at most once per PROBE_CACHE_S."""
        return self._cached("checks", lambda: self._read_checks(waiting))

    def _read_checks(self, waiting: dict[str, int | None] | None) -> list[Check]:
        found = [_broker_check(self.container.config["AMQP_URI"])]
        db = self.database()
        if db is not None:
            found.append(_database_check(db))
            waiting = waiting or self.waiting()
            limit = self.container.config.get("READY_MAX_LAG")
            found.append(caught_up(waiting["lag"], DEFAULT_MAX_LAG if limit in (None, "") else int(limit)))
        return found

    def wsgi(self, environ, start_response):
        status, headers, body = answer(self, environ.get("PATH_INFO", ""))
        start_response(status, headers)
        return [body]


def answer(telemetry: Telemetry, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of /metrics, /livez or /readyz."""
    if path == "/metrics":
        return "200 OK", [("Content-Type", CONTENT_TYPE_LATEST)], generate_latest(REGISTRY)
    if path == "/livez":
        live = telemetry.live()
        return _json(
            200 if live else 503, {"status": "live" if live else "dead", "service": telemetry.service}
        )
    if path == "/readyz":
        checks = telemetry.checks()
        ready = all(c.ok for c in checks)
        return _json(
            200 if ready else 503,
            {
                "status": "ready" if ready else "not ready",
                "service": telemetry.service,
                "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
            },
        )
    return _json(
        404, {"error": "not_found", "errors": [{"field": "path", "message": "/metrics, /livez, /readyz"}]}
    )


def _json(code: int, body: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[code]
    return f"{code} {reason}", [("Content-Type", "application/json")], json.dumps(body).encode()


def caught_up(lag: int | None, limit: int) -> Check:
    """Ready to answer reads while at most ``limit`` events wait to be applied."""
    if lag is None:
        return Check("caught_up", False, "the service's queues could not be read")
    return Check("caught_up", lag <= limit, f"{lag} event(s) waiting to be applied, at most {limit}")


def _broker_check(amqp_uri: str) -> Check:
    try:
        with Connection(amqp_uri, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
            return Check("broker", True, f"connected to {conn.as_uri()}")
    except Exception as exc:
        return Check("broker", False, f"{type(exc).__name__}: {exc}")


def _database_check(db) -> Check:
    from services.common.storage import migrations

    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            service = db.declarative_base.metadata.info.get("migrations")
            if service is None:
                return Check("database", True, "answering")
            current, head = migrations.current(conn), migrations.head(service)
            if current != head:
                return Check("database", False, f"at revision {current}, the service needs {head}")
            return Check("database", True, f"answering, at revision {current}")
    except Exception as exc:
        return Check("database", False, f"{type(exc).__name__}: {exc}")


def _has_table(db, name: str) -> bool:
    return name in db.declarative_base.metadata.tables


# --- the gauges, read at scrape time ---------------------------------------------------------------

_STATES: dict[str, Telemetry] = {}


class _Waiting:
    """kam_outbox_waiting, kam_projection_lag_events, kam_parked_messages, kam_ready per service."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        outbox = GaugeMetricFamily(
            "kam_outbox_waiting", "Events stored, not yet published", labels=["service"]
        )
        lag = GaugeMetricFamily(
            "kam_projection_lag_events",
            "Events waiting in the service's queues, not yet applied",
            labels=["service"],
        )
        parked = GaugeMetricFamily("kam_parked_messages", "Events parked for an operator", labels=["service"])
        ready = GaugeMetricFamily("kam_ready", "1 when /readyz passes", labels=["service"])
        for service, telemetry in sorted(_STATES.items()):
            waiting = telemetry.waiting()
            if waiting["outbox"] is not None:
                outbox.add_metric([service], waiting["outbox"])
            if waiting["lag"] is not None:
                lag.add_metric([service], waiting["lag"])
            if waiting["parked"] is not None:
                parked.add_metric([service], waiting["parked"])
            ready.add_metric([service], 1 if all(c.ok for c in telemetry.checks(waiting)) else 0)
        yield from (outbox, lag, parked, ready)


REGISTRY.register(_Waiting())
