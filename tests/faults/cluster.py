"""A private, throwaway three-node RabbitMQ cluster for fault tests.

Built from three PrivateBroker nodes (tests/faults/broker.py; read its docstring for how one
private node is booted from the Debian install without touching the shared rabbit@localhost on
127.0.0.1:5672 or the shared epmd on 4369). What the cluster adds:

* node names kamclu-<time>_<pid>_<random>-<i>@localhost, i = 0, 1, 2 (the same i as the index
  every method below takes and as the position in amqp_uris);
* one Erlang cookie shared by the three nodes (distribution refuses nodes whose cookies differ);
* ONE private epmd, on a private ERL_EPMD_PORT that all three nodes (and rabbitmqctl) use, so
  they find each other's distribution ports. Node 0 runs it (own_epmd=True), nodes 1 and 2 only
  register with it; it lives until close() and is not touched by stop_node/start_node(0);
* each node its own AMQP and distribution port (seven free ports picked at once, so they cannot
  collide) and its own directory inside one temp dir /tmp/kamclu-<time>_<pid>_<random>_*;
* the three nodes boot in parallel, then nodes 1 and 2 join node 0 (`rabbitmqctl stop_app;
  join_cluster <node 0>; start_app`, one after the other), and start() returns once
  `cluster_status` lists all three as running;
* `cluster_partition_handling = pause_minority` (RabbitMQ's advice for three nodes; override it
  with conf=). Erlang's net_ticktime stays 60 s, so peers notice a pause()d node only after
  45-75 s; pass conf={"net_ticktime": 10} for a faster verdict (checked: the VMs then run with
  ticktime 10, and a node paused for ~35 s and resumed was back in cluster_status within 1 s,
  no partition recorded).

Usage (as a pytest fixture, or directly as a context manager)::

    from cluster import PrivateCluster, private_cluster   # tests/faults is on sys.path there

    def test_quorum_queue_survives_a_node(private_cluster):  # fixture: started, closed after
        c = private_cluster
        c.amqp_uris        # ["pyamqp://guest:guest@127.0.0.1:<port0>/", ... one per node]
        c.amqp_uri         # the three joined with ";": kombu fails over to the next host
        leader = c.queue_leader("q")       # index of the node leading quorum queue "q"
        c.stop_node(leader)                # rabbitmqctl stop (kill=True: SIGKILL of its VM)
        c.start_node(leader)               # boots it again; returns once it runs in the cluster
        c.pause(1); c.resume(1)            # SIGSTOP / SIGCONT of node 1's VM
        c.ctl(2, "list_queues", "name", "leader")      # rabbitmqctl against node 2
        c.queues(2, "quorum_status", "q")              # rabbitmq-queues against node 2
        c.running_nodes()                  # {0, 1, 2}: indices cluster_status lists as running
        c.nodes[0]                         # the PrivateBroker of node 0 (nodename, port, dir...)

    with PrivateCluster(conf={"net_ticktime": 10}) as c:   # extra rabbitmq.conf settings
        ...

Requirements and policy as for PrivateBroker: rabbitmq-server installed (else the test is
skipped, or failed when CI=true), nodes run as user rabbitmq when we are root.

Timings measured on the dev machine (2 cores, RabbitMQ 3.10.8, OTP 25.2; other test runs kept
the load average at 5-12 throughout, so these are on the slow side; every rabbitmqctl call alone
took 0.8-2 s):
* start(): 23-32 s at load 2-7, up to 49 s at load 8-12: the three parallel boots 14-21 s, the
  two joins 10-18 s (each is four rabbitmqctl calls: stop_app, join_cluster, start_app, await_startup
  and a second boot of the rabbit app), then cluster_status;
* leader of a quorum queue with 200 persistent messages stopped gracefully: `rabbitmqctl stop`
  returns (VM gone) after 2.0-3.1 s, and by then a new leader already answers: a consumer that
  connects through a surviving node then gets its first message 0.01-0.02 s after connecting and
  all 200 within another 0.15-0.3 s;
* the leader SIGKILLed instead: the consumer (connecting at once) has its first message
  0.18-0.58 s after the kill, all 200 after 0.26-0.82 s;
* start_node() of that node until cluster_status shows three running again: 6.5-16 s;
* close(): 0.1-2.1 s (SIGKILL of all three; PID 1 here reaps the dead VMs lazily, up to ~2 s).

Leftovers: like PrivateBroker (PR_SET_PDEATHSIG on every node and the epmd); the first start()
in a process also removes kamclu-* dirs older than an hour and kills the process groups recorded
in their nodes' pgids files.
"""

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

import broker
import pytest
from broker import CTL_TIMEOUT, PrivateBroker
from private import unavailable as _unavailable

PREFIX = "kamclu-"  # node names and temp dirs of clusters start with this
SIZE = 3
CLUSTER_CONF = {"cluster_partition_handling": "pause_minority"}

_live = set()  # clusters started by this process and not closed yet (for atexit)
_stale_checked = False


@atexit.register  # registered after broker's, so it runs first: nodes go down in cluster order
def _close_forgotten():
    for cluster in list(_live):
        with contextlib.suppress(Exception):
            cluster.close()


class PrivateCluster:
    """Three clustered private RabbitMQ nodes (see the module docstring).

    Attributes: nodes (the PrivateBrokers, index 0..2), dir, start_seconds (last start()),
    boot_seconds / join_seconds (its parts: three parallel boots; joins + cluster_status).
    """

    def __init__(self, conf=None, start_timeout=120):
        self.conf = dict(CLUSTER_CONF, **(conf or {}))
        self.start_timeout = start_timeout
        self.nodes = []
        self.dir = None
        self.start_seconds = self.boot_seconds = self.join_seconds = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:  # also pytest's skip/fail: no half-built cluster stays behind
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        """Create and boot the three nodes, cluster them; returns once all three run."""
        global _stale_checked
        t0 = time.monotonic()
        if broker._find_scripts() is None:
            _unavailable(
                "rabbitmq-server is not installed, so no private RabbitMQ cluster can be "
                "started for fault tests; needed: `apt install rabbitmq-server`"
            )
        if not _stale_checked:
            _stale_checked = True
            broker.cleanup_stale_nodes(prefix=PREFIX)
        tag = f"{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
        self.dir = tempfile.mkdtemp(prefix=f"{PREFIX}{tag}_")
        os.chmod(self.dir, 0o755)  # the nodes run as rabbitmq and live below it
        _live.add(self)
        ports = broker._pick_ports(2 * SIZE + 1)  # AMQP + dist per node, one shared epmd
        cookie = secrets.token_hex(20).upper()
        self.nodes = [
            PrivateBroker(
                self.conf,
                self.start_timeout,
                nodename=f"{PREFIX}{tag}-{i}@localhost",
                cookie=cookie,
                ports=(ports[2 * i], ports[2 * i + 1], ports[-1]),
                own_epmd=i == 0,
                parent_dir=self.dir,
            )
            for i in range(SIZE)
        ]
        # PrivateBroker.start() one node after the other would take three boot times; its steps
        # are run here instead so that the three VMs boot side by side.
        for node in self.nodes:
            node._create()
        self.nodes[0]._start_epmd()
        for node in self.nodes:
            node._start_node()
        for node in self.nodes:
            node._wait_ready()
        self.boot_seconds = time.monotonic() - t0
        first = self.nodes[0].nodename
        for node in self.nodes[1:]:
            node.stop_app()
            node.ctl("join_cluster", first)
            node.start_app()
        self.wait_running(set(range(SIZE)))
        self.start_seconds = time.monotonic() - t0
        self.join_seconds = self.start_seconds - self.boot_seconds
        return self

    def close(self):
        """SIGKILL every node (resuming paused ones first), kill the epmd (node 0's, so last)
        and remove all directories. Safe to call twice or after a failed start."""
        try:
            for node in self.nodes:  # all at once: each group takes ~1-2 s to be gone
                proc = node._node
                if proc is not None and proc.poll() is None:
                    with contextlib.suppress(OSError):
                        os.killpg(proc.pid, signal.SIGKILL)
            for node in self.nodes:
                with contextlib.suppress(Exception):
                    node.stop_node(kill=True)
            for node in reversed(self.nodes):
                with contextlib.suppress(Exception):
                    node.close()
        finally:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
            _live.discard(self)

    # -- fault injection -------------------------------------------------------------------

    def stop_node(self, i, kill=False):
        """Stop node i: `rabbitmqctl stop` (the peers see a clean shutdown), or kill=True:
        SIGKILL of its VM (a crash: peers see the distribution connections drop). Either way a
        client of node i sees its socket go, not an AMQP close: after a graceful stop kombu/py-amqp
        raise ConnectionResetError (the node logs connection_forced 'shutdown' but resets the
        socket at once, so the connection.close frame is lost), after SIGKILL OSError "Server
        unexpectedly closed connection". The data dir stays, so start_node(i) brings it back as
        the same cluster member."""
        self.nodes[i].stop_node(kill=kill)

    def start_node(self, i, timeout=None):
        """Boot node i again; returns once it accepts AMQP and cluster_status (asked of node i)
        lists it as running."""
        self.nodes[i].start()
        self.wait_running({i}, via=i, timeout=timeout)

    def pause(self, i):
        """SIGSTOP node i's VM (hung node / partition; see net_ticktime in the docstring).
        While it is frozen, `cluster_status` on the other nodes (running_nodes, wait_running)
        blocks ~35 s on its RPCs to it; `ctl(j, "eval", "nodes().")` answers at once."""
        self.nodes[i].pause()

    def resume(self, i):
        self.nodes[i].resume()

    # -- access ----------------------------------------------------------------------------

    @property
    def amqp_uris(self):
        return [node.amqp_uri for node in self.nodes]

    @property
    def amqp_uri(self):
        """All nodes in kombu's failover form: uri0;uri1;uri2."""
        return ";".join(self.amqp_uris)

    @property
    def nodenames(self):
        return [node.nodename for node in self.nodes]

    def index(self, nodename):
        """The index of a node given by its Erlang name (as rabbitmqctl prints it)."""
        return self.nodenames.index(nodename)

    def ctl(self, i, *args, timeout=CTL_TIMEOUT, check=True):
        """Run `rabbitmqctl -n <node i> args...`; returns its stdout."""
        return self.nodes[i].ctl(*args, timeout=timeout, check=check)

    def queues(self, i, *args, timeout=CTL_TIMEOUT, check=True):
        """Run `rabbitmq-queues -n <node i> args...` (it lives beside rabbitmqctl); returns
        its stdout."""
        node = self.nodes[i]
        script = os.path.join(os.path.dirname(node._scripts[1]), "rabbitmq-queues")
        proc = subprocess.run(
            [script, "-q", "-n", node.nodename, *args],
            env=node._env(),
            cwd=node.dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"rabbitmq-queues {' '.join(args)} failed ({proc.returncode}): "
                f"{proc.stdout.strip()} {proc.stderr.strip()}"
            )
        return proc.stdout

    def running_nodes(self, via=None):
        """Indices of the nodes that `cluster_status` (asked of node `via`, default: the
        first node this object believes up) lists as running."""
        out = self.ctl(self._up(via), "cluster_status", "--formatter", "json")
        status = json.loads(out)
        return {self.index(name) for name in status["running_nodes"] if name in self.nodenames}

    def wait_running(self, expected, via=None, timeout=None):
        """Wait until running_nodes(via) includes every index in `expected`."""
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while True:
            try:
                running = self.running_nodes(via)
            except RuntimeError as exc:
                running = exc
            if isinstance(running, set) and set(expected) <= running:
                return running
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster_status: running {running}, expected {sorted(expected)}")
            time.sleep(0.5)

    def queue_leader(self, name, vhost="/", via=None):
        """Index of the node whose Raft member leads quorum queue `name` (from `rabbitmq-queues
        quorum_status`, which asks the members themselves), or None if none is leader now."""
        out = self.queues(self._up(via), "quorum_status", name, "--vhost", vhost, "--formatter", "json")
        for member in json.loads(out):
            if member.get("Raft State") == "leader":
                return self.index(member["Node Name"])
        return None

    def _up(self, via):
        if via is not None:
            return via
        for i, node in enumerate(self.nodes):
            if node.running and not node._paused:
                return i
        raise RuntimeError("no node of the cluster is up")


@pytest.fixture
def private_cluster():
    """Pytest fixture: a started PrivateCluster, closed after the test (also when it fails).

    Import it into a test module (`from cluster import private_cluster`) to use it there."""
    with PrivateCluster() as cluster:
        yield cluster
