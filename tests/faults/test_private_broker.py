"""Smoke test of tests/faults/broker.py: the private node boots, survives stop_app/start_app,
and close() leaves no process or directory behind (~12 s)."""

import os

import broker
import kombu
import pytest
from broker import PrivateBroker, private_broker  # noqa: F401 - fixture


def _round_trip(uri, body):
    with kombu.Connection(uri, connect_timeout=5) as conn:
        queue = conn.SimpleQueue("kamfault_smoke")
        queue.put(body)
        message = queue.get(timeout=5)
        message.ack()
        queue.close()
        return message.payload


def test_private_broker_outage_and_teardown(private_broker):
    rmq = private_broker
    assert rmq.amqp_uri == f"pyamqp://guest:guest@127.0.0.1:{rmq.port}/"
    assert rmq.port != 5672 and rmq.nodename.startswith("kamfault-")
    assert _round_trip(rmq.amqp_uri, "before") == "before"

    with rmq.down():
        assert not broker._accepts(rmq.port)
    assert _round_trip(rmq.amqp_uri, "after") == "after"

    node_pgid, directory = rmq._node.pid, rmq.dir
    rmq.close()
    assert not os.path.exists(directory)
    with pytest.raises(ProcessLookupError):
        os.killpg(node_pgid, 0)


def test_missing_rabbitmq_skips(monkeypatch):
    monkeypatch.setattr(broker, "_find_scripts", lambda: None)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="rabbitmq-server is not installed"):
        PrivateBroker().start()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="rabbitmq-server is not installed"):
        PrivateBroker().start()
