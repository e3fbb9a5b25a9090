"""Metrics and health (issue 28): what Prometheus scrapes and what /livez and /readyz answer, through
the real broker and PostgreSQL."""

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from kamkit.errors import Forbidden, Internal, InvalidFacts, NotFound, Unavailable
from services.assessment.service import AssessmentService
from services.common import telemetry
from services.common.telemetry import Telemetry, caught_up, outcome_of
from services.intake.service import IntakeService


def test_an_outcome_is_what_the_caller_got():
    assert outcome_of(None) == "ok"
    assert outcome_of(InvalidFacts("bad", field="amount")) == "refused"
    assert outcome_of(NotFound("none", field="id")) == "refused"
    assert outcome_of(Forbidden("no", field="role")) == "refused"
    assert outcome_of(Unavailable("down", field="")) == "unavailable"
    assert outcome_of(ConnectionRefusedError()) == "unavailable"  # an outage, before it is mapped
    assert outcome_of(Internal(correlation_id="c1")) == "error"
    assert outcome_of(KeyError("x")) == "error"


def test_ready_while_at_most_the_limit_of_events_waits():
    # limit 1000: 1000 waiting is ready, 1001 is not; unreadable queues are not ready
    assert caught_up(1000, 1000).ok and not caught_up(1001, 1000).ok
    assert caught_up(0, 0).ok and not caught_up(1, 0).ok
    assert caught_up(1001, 1000).detail == "1001 event(s) waiting to be applied, at most 1000"
    assert not caught_up(None, 1000).ok


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _sample(metrics: str, name: str, **labels) -> float:
    """The value of one sample of the exposition text, 0 when absent."""
    for line in metrics.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.slow
def test_a_service_counts_its_calls_and_events_and_says_when_it_is_ready(
    start_service, rpc, pg_url_factory, free_port
):
    address = f"127.0.0.1:{free_port}"
    start_service(IntakeService, pg_url_factory("intake"))
    assessment = start_service(
        AssessmentService, pg_url_factory("assessment"), METRICS_ADDRESS=address, READY_MAX_LAG=2
    )
    _, before = _get(f"http://{address}/metrics")
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    with pytest.raises(InvalidFacts):
        rpc.intake.register_branch("acme", {"id": ""})
    deadline = time.time() + 30
    while rpc.assessment.projection_status("acme") != {"business_line": 1}:
        assert time.time() < deadline
        time.sleep(0.1)

    status, metrics = _get(f"http://{address}/metrics")
    assert status == 200

    def grew(name, **labels):
        return _sample(metrics, name, **labels) - _sample(before, name, **labels)

    # one registration, one refusal, one event published and applied (the registry is the
    # process's: here both services run in the test's process)
    assert grew("kam_rpc_calls_total", service="intake", method="register_business_line", outcome="ok") == 1
    assert grew("kam_rpc_calls_total", service="intake", method="register_branch", outcome="refused") == 1
    assert grew("kam_rpc_seconds_count", service="intake", method="register_business_line") == 1
    assert grew("kam_events_published_total", service="intake", event_type="record_changed") == 1
    handled = grew("kam_event_handled_total", service="assessment", handler="on_record_changed", outcome="ok")
    assert handled == 1
    assert _sample(metrics, "kam_projection_lag_events", service="assessment") == 0
    assert _sample(metrics, "kam_parked_messages", service="assessment") == 0
    assert _sample(metrics, "kam_outbox_waiting", service="assessment") == 0
    assert _sample(metrics, "kam_ready", service="assessment") == 1

    status, live = _get(f"http://{address}/livez")
    assert (status, json.loads(live)["status"]) == (200, "live")
    status, ready = _get(f"http://{address}/readyz")
    ready = json.loads(ready)
    assert status == 200 and ready["status"] == "ready", ready
    assert [c["name"] for c in ready["checks"]] == ["broker", "database", "caught_up"]
    assert ready["checks"][1]["detail"].startswith("answering, at revision ")
    assert _get(f"http://{address}/nothing")[0] == 404

    # three events wait while assessment is stopped: past its limit of 2, it would not be ready
    watcher = next(d for d in assessment.dependencies if isinstance(d, Telemetry))
    assessment.stop()
    for i in range(3):
        rpc.intake.register_branch("acme", {"id": f"b{i}"})
    deadline = time.time() + 10
    while watcher._queue_depths().lag < 3:
        assert time.time() < deadline
        time.sleep(0.1)
    assert watcher._queue_depths() == (3, 0)
    assert caught_up(3, 2).ok is False and caught_up(3, 3).ok is True
    assert telemetry._STATES.get("assessment") is not watcher  # a stopped service is not scraped
