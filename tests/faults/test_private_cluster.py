"""tests/faults/cluster.py: three private nodes form one cluster; a quorum queue keeps every
confirmed message when the node leading it stops (gracefully, or SIGKILLed), a consumer on a
surviving node gets each exactly once, and the stopped node rejoins. Prints the timings
(run with -s to see them); ~1 min per case on 2 cores.
"""

import collections
import contextlib
import os
import time

import broker
import cluster
import eventlet
import kombu
import pytest
from cluster import PrivateCluster, private_cluster  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

N = 200
QUEUE = "kamclu_quorum"
QUORUM = {"x-queue-type": "quorum"}


def _publish_confirmed(uri, n):
    """Declare the durable quorum queue and publish n persistent messages, each confirmed."""
    with kombu.Connection(uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        conn.default_channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False, arguments=QUORUM)
        producer = conn.Producer(serializer="json")
        for i in range(n):
            # confirm_publish: basic_publish waits for the broker's ack (raises on a nack)
            producer.publish({"i": i}, routing_key=QUEUE, delivery_mode=2, message_id=f"m{i}", retry=False)
        return conn.default_channel.queue_declare(queue=QUEUE, passive=True).message_count


def _consume_all(uri, n, quiet=2.0, timeout=60):
    """Consume until n messages arrived, then `quiet` s more (to catch duplicates).
    Returns (Counter of message ids, monotonic times of the deliveries, AMQP port used)."""
    got = collections.Counter()
    times = []

    def on_message(body, message):
        times.append(time.monotonic())
        got[message.properties["message_id"]] += 1
        message.ack()

    # kombu failover form "uri0;uri1;uri2": connect() moves on to the next host when one refuses
    with kombu.Connection(uri, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=len(uri.split(";")) + 1, interval_start=0, interval_step=0.2)
        port = conn.connection.sock.getpeername()[1]
        queue = kombu.Queue(QUEUE, no_declare=True)
        with conn.Consumer([queue], callbacks=[on_message], accept=["json"], prefetch_count=50):
            deadline = time.monotonic() + timeout
            until = None
            while time.monotonic() < (until or deadline):
                if until is None and sum(got.values()) >= n:
                    until = time.monotonic() + quiet
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    pass
    return got, times, port


def _what_a_client_sees(conn):
    """What a client connected to the node, waiting in drain_events, sees when the node goes."""
    try:
        conn.drain_events(timeout=60)
    except TimeoutError:
        return "nothing within 60 s"
    except Exception as exc:  # whatever it is, it is what we want to report
        return f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
    return "an event"


@pytest.mark.parametrize("kill", [False, True], ids=["graceful-stop", "sigkill"])
def test_quorum_queue_survives_leader_stop_and_node_rejoins(private_cluster, kill):
    c = private_cluster
    everyone = {0, 1, 2}
    print(
        f"\ncluster started in {c.start_seconds:.1f} s (boot {c.boot_seconds:.1f} s, "
        f"joins {c.join_seconds:.1f} s)"
    )

    # -- three nodes, one cluster, each with its own AMQP port --------------------------------
    assert len(set(c.nodenames)) == 3 and all(n.startswith("kamclu-") for n in c.nodenames)
    ports = [node.port for node in c.nodes]
    assert len(set(ports)) == 3 and 5672 not in ports
    assert c.amqp_uris == [f"pyamqp://guest:guest@127.0.0.1:{p}/" for p in ports]
    assert c.amqp_uri == ";".join(c.amqp_uris)
    assert len({node.epmd_port for node in c.nodes}) == 1  # one shared private epmd
    for i in everyone:
        assert c.running_nodes(via=i) == everyone

    # -- N persistent messages into a quorum queue through node 0, publisher confirms ----------
    assert _publish_confirmed(c.amqp_uris[0], N) == N
    leader = c.queue_leader(QUEUE)
    assert leader in everyone
    survivors = everyone - {leader}
    watcher = kombu.Connection(c.amqp_uris[leader], connect_timeout=5)  # a client of the leader
    watcher.connect()
    watching = eventlet.spawn(_what_a_client_sees, watcher)
    eventlet.sleep(0.2)

    # -- stop the leader; consume through a surviving node ------------------------------------
    t0 = time.monotonic()
    if kill:
        # SIGKILL is sent before stop_node first yields; its wait for the dead processes to be
        # reaped (~1-2 s here: PID 1 reaps orphans lazily) runs beside the consumer
        stopping = eventlet.spawn(c.stop_node, leader, kill=True)
        eventlet.sleep(0)
    else:
        c.stop_node(leader)  # rabbitmqctl stop: returns once the VM has exited
    while broker._accepts(c.nodes[leader].port, timeout=0.2):
        eventlet.sleep(0.01)
    t_down = time.monotonic()
    got, times, port = _consume_all(c.amqp_uri, N)
    if kill:
        stopping.wait()
    seen = watching.wait()
    with contextlib.suppress(Exception):
        watcher.release()
    assert seen not in ("nothing within 60 s", "an event")  # its client noticed: an error
    assert port != c.nodes[leader].port
    via = next(i for i, node in enumerate(c.nodes) if node.port == port)
    assert sorted(got) == sorted(f"m{i}" for i in range(N)), (len(got), sum(got.values()))
    assert set(got.values()) == {1}, [k for k, v in got.items() if v > 1]
    new_leader = c.queue_leader(QUEUE, via=min(survivors))
    assert new_leader in survivors

    # -- the stopped node comes back and rejoins -----------------------------------------------
    t1 = time.monotonic()
    c.start_node(leader)
    restart = time.monotonic() - t1
    for i in everyone:
        assert c.running_nodes(via=i) == everyone
    with kombu.Connection(c.amqp_uris[leader], connect_timeout=5) as conn:
        assert conn.default_channel.queue_declare(queue=QUEUE, passive=True).message_count == 0

    print(
        f"{'SIGKILL' if kill else 'graceful stop'} of leader node {leader} (AMQP port closed after "
        f"{t_down - t0:.2f} s): consumer on node {via} got the first message {times[0] - t0:.2f} s after "
        f"the stop began ({times[0] - t_down:.2f} s after it began connecting), all {N} at "
        f"{times[N - 1] - t0:.2f} s; "
        f"new leader node {new_leader}; start_node until 3 running {restart:.2f} s\n"
        f"a client connected to the stopped node saw: {seen}"
    )

    # -- close() leaves nothing behind ---------------------------------------------------------
    groups = [node._node.pid for node in c.nodes] + [c.nodes[0]._epmd.pid]
    directory = c.dir
    t2 = time.monotonic()
    c.close()
    print(f"close {time.monotonic() - t2:.2f} s")
    assert not os.path.exists(directory)
    assert _alive_in(groups) == []


def _alive_in(pgids):
    """Live (not zombie) processes in these process groups, as (pid, pgid, state, name). A dead
    VM can stay a zombie for a while: it was reparented to PID 1, which reaps lazily here."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                name, rest = fh.read().rsplit(")", 1)
        except OSError:
            continue
        state, _ppid, pgid = rest.split()[:3]
        if int(pgid) in pgids and state != "Z":
            alive.append((int(pid), int(pgid), state, name.split("(", 1)[1]))
    return alive


def test_missing_rabbitmq_skips(monkeypatch):
    monkeypatch.setattr(broker, "_find_scripts", lambda: None)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="rabbitmq-server is not installed"):
        PrivateCluster().start()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="rabbitmq-server is not installed"):
        PrivateCluster().start()
    assert not cluster._live
