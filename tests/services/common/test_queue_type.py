"""QUEUE_TYPE: every durable queue of the suite declared as one type, and a clear refusal to start
when the broker holds a queue of the other type (issue 28). Through the real broker, in the test's
own vhost (a single node runs quorum queues too)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from kombu import Queue

from services.assessment.service import AssessmentService
from services.common.messaging import queues, retries
from services.intake.service import IntakeService

ROOT = Path(__file__).resolve().parents[3]


def test_the_setting_is_read_and_checked(monkeypatch):
    monkeypatch.delenv("QUEUE_TYPE", raising=False)
    assert queues.queue_type({}) == "classic"
    monkeypatch.setenv("QUEUE_TYPE", "quorum")
    assert queues.queue_type({}) == "quorum"  # the environment, when the config says nothing
    assert queues.queue_type({"QUEUE_TYPE": "classic"}) == "classic"
    assert queues.queue_type({"QUEUE_TYPE": " Quorum "}) == "quorum"
    with pytest.raises(ValueError, match="QUEUE_TYPE must be one of classic, quorum, got 'mirrored'"):
        queues.queue_type({"QUEUE_TYPE": "mirrored"})


def test_classic_declares_as_before_and_quorum_adds_the_type():
    plain = Queue("rpc-x", durable=True)
    assert queues.typed(plain, {"QUEUE_TYPE": "classic"}) is plain  # no argument: existing queues match
    quorum = queues.typed(plain, {"QUEUE_TYPE": "quorum"})
    assert quorum.queue_arguments == {"x-queue-type": "quorum"}
    assert (quorum.durable, quorum.auto_delete, quorum.exclusive) == (True, False, False)
    # a retry queue: classic as it has always been declared (the broker's TTL and dead-lettering
    # stay, so an existing installation re-declares it unchanged); quorum without them, because
    # the service brings retries back itself (services.common.messaging.retries)
    classic = retries.delay_queue("q", 1, {"QUEUE_TYPE": "classic"})
    assert classic.name == "q.retry.1000ms"
    assert classic.queue_arguments == {
        "x-message-ttl": 1000,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "q",
    }
    assert retries.delay_queue("q", 1, {"QUEUE_TYPE": "quorum"}).queue_arguments == {"x-queue-type": "quorum"}


def _queue_types(amqp_uri: str) -> dict[str, str]:
    vhost = urlparse(amqp_uri).path.lstrip("/")
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--no-table-headers", "name", "type"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return dict(line.split("\t") for line in out.splitlines() if line.strip())


@pytest.mark.slow
def test_quorum_queues_carry_the_event_path_and_a_clash_is_refused_by_name(
    start_service, rpc, pg_url_factory, amqp_uri, tmp_path
):
    intake = start_service(IntakeService, pg_url_factory("intake"), QUEUE_TYPE="quorum")
    assessment = start_service(AssessmentService, pg_url_factory("assessment"), QUEUE_TYPE="quorum")
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    deadline = time.time() + 30
    while rpc.assessment.projection_status("acme") != {"business_line": 1}:  # through quorum queues
        assert time.time() < deadline
        time.sleep(0.1)
    types = _queue_types(amqp_uri)
    durable = {name: kind for name, kind in types.items() if not name.startswith("rpc.reply")}
    assert {"rpc-intake", "rpc-assessment", "assessment.parked"} <= set(durable)  # intake handles no events
    handler_queues = [
        n for n in durable if n.startswith("evt-intake-") and n.endswith("assessment.on_record_changed")
    ]
    assert handler_queues and any(".retry." in n for n in durable), sorted(durable)
    assert set(durable.values()) == {"quorum"}, durable
    # a service's own reply queue is of the type (it lives as long as the service); a standalone
    # client's stays classic and expiring (it lives as long as the client's connection)
    replies = {name: kind for name, kind in types.items() if name.startswith("rpc.reply")}
    assert {kind for name, kind in replies.items() if "standalone" in name} <= {"classic"}, replies
    assert {kind for name, kind in replies.items() if "standalone" not in name} <= {"quorum"}, replies

    intake.stop()
    assessment.stop()
    with pytest.raises(queues.QueueTypeClash) as clash:
        start_service(IntakeService, pg_url_factory("intake2"), QUEUE_TYPE="classic")
    text = str(clash.value)
    assert text.startswith("QUEUE_TYPE is classic, but the broker holds"), text
    assert "rpc-intake (quorum)" in text and "evt-intake-record_changed--" in text  # its subscribers
    assert "'Switching the queue type'" in text

    # run as an operator runs it: a plain message and exit status 2, no traceback
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "QUEUE_TYPE": "classic",
        "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'intake.db'}",
        "ACCESS_CONTROL": "off",
    }
    run = subprocess.run(
        [sys.executable, "-m", "services.serve", "intake"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "not started: QUEUE_TYPE is classic, but the broker holds" in run.stderr, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
