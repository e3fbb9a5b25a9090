"""Fault tests beyond one machine (issue 28): the suite as `make up` runs it on a PRIVATE three-node
RabbitMQ cluster with quorum queues, and on a PRIVATE PostgreSQL primary with a streaming standby;
never the shared broker or database. Each streams writes from a retrying client (every write with
its idempotency key) while the fault happens, then counts — sent, stored, projected by escalation,
assessment and compensation, owner notices made by notify — asserting 0 lost and 0 doubled, every
process alive and nothing parked, and prints how long the services took to answer again.
"""

import os
import signal
import time
import urllib.request

import eventlet
import pytest
from broker import private_broker  # noqa: F401 - fixture
from cluster import private_cluster  # noqa: F401 - fixture
from nameko.standalone.rpc import ClusterRpcProxy
from pgcluster import private_replica_set  # noqa: F401 - fixture
from suite import LINE, SERVICES, Client, Suite, expected, parked, set_up_line, settle, stream

from kamkit.errors import Unavailable

pytestmark = pytest.mark.slow

N = 120  # opportunities per test (+ a follow-up on every third)
ANSWER_WITHIN = 60  # seconds: every service answers again this soon after the fault (measured below)


def _all_answer(amqp_uri: str, since: float, limit: float, gateway: str | None = None) -> float:
    """Seconds from ``since`` until each of the five services has answered a call (a fresh client)
    and, given its address, the gateway an HTTP request it answers by RPC (its replies come back
    through its own reply queue, declared when it started)."""
    waiting = list(SERVICES) + (["gateway"] if gateway else [])
    while waiting:
        assert time.monotonic() - since < limit, f"{waiting} not answering {limit:g} s after the fault"
        try:
            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=5) as rpc:
                while waiting and waiting[0] != "gateway":
                    getattr(rpc, waiting[0]).list_parked(1)
                    waiting.pop(0)
            if waiting:
                request = urllib.request.Request(
                    f"http://{gateway}/lines/{LINE}/assessment-status",
                    # any token: the services run with ACCESS_CONTROL off here (suite.py)
                    headers={"Authorization": "Bearer kam_0123456789abcdef_any"},
                )
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert answer.status == 200
                waiting.pop(0)
        except Exception:  # the node it reached is the one going, or the service is reconnecting
            eventlet.sleep(0.5)
    return time.monotonic() - since


def _diagnosis(cluster, escalation_url: str, workdir) -> str:
    """Where the missing events are: the queues' counts, the follow-ups escalation lacks, each
    one's lines in the services' log, and what the broker nodes logged of dead-lettering."""
    import sqlalchemy as sa

    up = cluster._up(None)
    listed = cluster.ctl(
        up,
        "list_queues",
        "--no-table-headers",
        "name",
        "messages",
        "messages_ready",
        "messages_unacknowledged",
    )
    rows = [line.split("\t") for line in listed.splitlines() if line.strip()]
    held = [row for row in rows if len(row) == 4 and row[1] != "0"]
    for row in held:  # what the queue's Raft machine says it holds (ready, checked out, dead-lettered)
        server = "'%2F_" + row[0] + "'"
        for i in range(len(cluster.nodes)):
            out = cluster.ctl(i, "eval", f"ra:member_overview({{{server}, node()}}).", check=False)
            row.append(f"node {i}: {out.strip()[:1500]}")
    engine = sa.create_engine(escalation_url)
    with engine.connect() as conn:
        have = {row[0] for row in conn.execute(sa.text("SELECT id FROM follow_ups"))}
    engine.dispose()
    missing = sorted({f"f{i}" for i in range(0, N, 3)} - have, key=lambda name: int(name[1:]))
    log = (workdir / "run.log").read_text(errors="replace").splitlines()
    mentions = [line[:300] for line in log if any(f"'o{name[1:]}'" in line for name in missing)]
    broker_lines = []
    for node in cluster.nodes:
        path = os.path.join(node.dir, "log", f"{node.nodename}.log")
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                broker_lines += [
                    f"{node.nodename}: {line.rstrip()[:300]}"
                    for line in f
                    if "dead-letter" in line or "dead letter" in line or "dlx" in line
                ]
    return "\n".join(
        ["queues holding messages (name, messages, ready, unacknowledged):", *map(str, held)]
        + [f"escalation lacks {missing}", *mentions]
        + broker_lines[-40:]
    )


def test_the_broker_node_leading_the_queues_stops_mid_stream_and_nothing_is_lost(
    private_cluster, pg_url_factory, tmp_path, free_port
):
    cluster = private_cluster
    urls = {name: pg_url_factory(name) for name in SERVICES}
    gateway = f"127.0.0.1:{free_port}"
    suite = Suite(cluster.amqp_uri, urls, tmp_path, env={"QUEUE_TYPE": "quorum"}, gateway_port=free_port)
    client = Client(cluster.amqp_uri)
    measured = {}
    try:
        set_up_line(client)
        listed = cluster.ctl(0, "list_queues", "--no-table-headers", "name", "type")
        rows = [line.split("\t") for line in listed.splitlines() if line.strip()]
        types = {name: kind for name, kind in rows if not name.startswith("rpc.reply")}
        assert types and set(types.values()) == {"quorum"}, types
        # every service connected to the first node of AMQP_URI and declared its queues there, so
        # that node leads them (a quorum queue's leader is placed on the declaring client's node)
        leader = cluster.queue_leader("rpc-intake")
        assert leader == 0, leader
        others = [uri for i, uri in enumerate(cluster.amqp_uris) if i != leader]

        def stop_the_leader(begun):
            stopped = time.monotonic()
            cluster.stop_node(leader)
            begun.send()
            # and a service (re)started while the first node of its AMQP_URI is down connects to
            # the next (nameko issue #552: ECONNREFUSED at start)
            os.kill(suite.current_pids()["intake"], signal.SIGKILL)
            measured["answering"] = _all_answer(";".join(others), stopped, ANSWER_WITHIN, gateway)
            eventlet.sleep(max(0.0, 20 - (time.monotonic() - stopped)))  # the node stays away 20 s
            cluster.start_node(leader)
            cluster.wait_running(range(3))

        stream(client, N, N // 3, stop_the_leader)
        assert cluster.queue_leader("rpc-intake") is not None
        got = settle(client, N)
        if got != expected(N):
            print(_diagnosis(cluster, urls["escalation"], tmp_path))
        assert got == expected(N), (got, parked(client))
        assert suite.alive() == {name: True for name in SERVICES}
        restarted = {name for name in SERVICES if suite.current_pids()[name] != suite.pids[name]}
        assert restarted == {"intake"}, suite.log[-3000:]  # the one killed; no other exited
        assert parked(client) == {name: 0 for name in SERVICES}
        print(
            f"\nbroker node {leader} (leading rpc-intake) stopped: every service and the gateway answered "
            f"through the others after {measured['answering']:.1f} s; client retries {client.retries}"
        )
    finally:
        client.close()
        suite.stop()


def test_the_database_primary_stops_and_the_standby_is_promoted_and_nothing_is_lost(
    private_broker, private_replica_set, tmp_path
):
    pg = private_replica_set
    amqp_uri = private_broker.amqp_uri
    urls = {name: pg.create_database(name) for name in SERVICES}  # the multi-host read-write URLs
    suite = Suite(amqp_uri, urls, tmp_path)
    client = Client(amqp_uri)
    answers, measured = [], {}
    try:
        set_up_line(client)

        def fail_over(begun):
            stopped = time.monotonic()
            # a planned stop: the primary sends the standby all it has committed before it exits
            pg.stop_primary("fast")
            begun.send()
            try:  # a caller meanwhile is told to come back with the same key, not given SQL
                with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
                    rpc.intake.register_branch(LINE, {"id": "b-during"}, idempotency_key="during")
            except Unavailable as exc:
                answers.append(exc)
            eventlet.sleep(max(0.0, 3 - (time.monotonic() - stopped)))
            promoted = time.monotonic()
            pg.promote()
            measured["promote"] = time.monotonic() - promoted
            # the same call again, with its key, until it lands: services writing again
            while True:
                try:
                    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
                        rpc.intake.register_branch(LINE, {"id": "b-during"}, idempotency_key="during")
                    break
                except Unavailable:
                    eventlet.sleep(0.2)
            measured["writing"] = time.monotonic() - promoted

        stream(client, N, N // 3, fail_over)
        assert len(answers) == 1 and answers[0].code == "unavailable"
        got = settle(client, N)
        assert got == expected(N), (got, parked(client), suite.log[-4000:])
        # the call made during the switch, retried with its key: one branch
        branches = client.call("intake", "list_records", LINE, "branch", {})
        assert [b["key"] for b in branches["items"]].count("b-during") == 1, branches
        assert suite.alive() == {name: True for name in SERVICES}
        assert suite.current_pids() == suite.pids, suite.log[-3000:]
        assert parked(client) == {name: 0 for name in SERVICES}
        print(
            f"\nprimary stopped, standby promoted in {measured['promote']:.1f} s; intake writing again "
            f"{measured['writing']:.1f} s after the promotion; client retries {client.retries}"
        )
    finally:
        client.close()
        suite.stop()
