"""Fault tests: the suite as `make up` runs it, on a PRIVATE RabbitMQ node (and a private
PostgreSQL cluster where a database must stop), never the shared ones. Each streams writes from a
retrying client while the fault happens and then counts — sent, stored, projected by escalation,
assessment and compensation, owner notices made by notify — asserting 0 lost and 0 doubled, every
process alive, nothing parked.
"""

import eventlet
import pytest
from broker import private_broker  # noqa: F401 - fixture
from nameko.standalone.rpc import ClusterRpcProxy
from pgcluster import PrivatePostgres
from suite import SERVICES, Client, Suite, expected, parked, set_up_line, settle, stream

from kamkit.errors import Unavailable

pytestmark = pytest.mark.slow

N = 240  # opportunities per test (+ a follow-up on every third)


@pytest.fixture
def shared_pg_urls(pg_url_factory):
    return {name: pg_url_factory(name) for name in SERVICES}


def test_broker_restart_mid_stream_loses_nothing_and_every_service_stays_up(
    private_broker, shared_pg_urls, tmp_path
):
    suite = Suite(private_broker.amqp_uri, shared_pg_urls, tmp_path)
    client = Client(private_broker.amqp_uri)
    try:
        set_up_line(client)

        def restart(begun):  # what an operator does: rabbitmqctl stop_app; sleep 20; start_app
            with private_broker.down():
                begun.send()
                eventlet.sleep(20)

        stream(client, N, N // 3, restart)
        assert client.retries > 0  # the outage was really felt by the writer
        got = settle(client, N)
        assert got == expected(N), (got, parked(client), suite.log[-4000:])
        assert suite.alive() == {name: True for name in SERVICES}
        assert suite.current_pids() == suite.pids, suite.log[-3000:]  # none exited, none restarted
        assert "exited" not in suite.log
        assert parked(client) == {name: 0 for name in SERVICES}
    finally:
        client.close()
        suite.stop()


def test_kill_9_of_each_service_mid_stream_loses_nothing(private_broker, shared_pg_urls, tmp_path):
    suite = Suite(private_broker.amqp_uri, shared_pg_urls, tmp_path)
    client = Client(private_broker.amqp_uri)
    try:
        set_up_line(client)

        def kill_each(begun):
            import os
            import signal

            for name in SERVICES:
                os.kill(suite.current_pids()[name], signal.SIGKILL)
                if not begun.ready():
                    begun.send()
                eventlet.sleep(3)

        stream(client, N, N // 4, kill_each)
        got = settle(client, N)
        assert got == expected(N), (got, parked(client), suite.log[-4000:])
        restarted = {name: suite.current_pids()[name] != suite.pids[name] for name in SERVICES}
        assert restarted == {name: True for name in SERVICES}  # the supervisor brought each back
        assert suite.alive() == {name: True for name in SERVICES}
        assert parked(client) == {name: 0 for name in SERVICES}
    finally:
        client.close()
        suite.stop()


def test_downstream_databases_down_for_10_s_lose_nothing(private_broker, pg_url_factory, tmp_path):
    with PrivatePostgres() as pg:
        urls = {"intake": pg_url_factory("intake")}  # intake stays up: the writes go on
        urls.update({name: pg.create_database(name) for name in SERVICES if name != "intake"})
        suite = Suite(private_broker.amqp_uri, urls, tmp_path)
        client = Client(private_broker.amqp_uri)
        try:
            set_up_line(client)

            answers = []

            def outage(begun):
                with pg.down():
                    begun.send()
                    eventlet.sleep(2)
                    try:  # a caller meanwhile is told to come back, not given SQL or a stack
                        with ClusterRpcProxy({"AMQP_URI": private_broker.amqp_uri}, timeout=20) as rpc:
                            rpc.assessment.close_month("acme", "2026-03")
                    except Unavailable as exc:
                        answers.append(exc)
                    eventlet.sleep(8)

            stream(client, N, N // 3, outage)
            got = settle(client, N)
            assert got == expected(N), (got, parked(client), suite.log[-4000:])
            assert len(answers) == 1 and answers[0].code == "unavailable"
            assert suite.alive() == {name: True for name in SERVICES}
            assert suite.current_pids() == suite.pids, suite.log[-3000:]
            assert parked(client) == {name: 0 for name in SERVICES}
        finally:
            client.close()
            suite.stop()
