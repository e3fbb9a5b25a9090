"""A private, throwaway RabbitMQ node for fault tests.

The suite's normal fixtures share one broker (rabbit@localhost on 127.0.0.1:5672, started with
`rabbitmq-server -detached`). A fault test needs a broker it can take down ("the broker restarts
for 20 s") without disturbing anything else, so this module boots a second, completely separate
node from the same installation:

* its own node name (kamfault-<time>_<pid>_<random>@localhost) and its own Erlang cookie;
* its own ports, all on 127.0.0.1 and all picked free below the ephemeral range: AMQP
  (RABBITMQ_NODE_PORT), Erlang distribution (RABBITMQ_DIST_PORT) and a PRIVATE epmd
  (ERL_EPMD_PORT) that this module starts in the foreground, so it is our child and is killed
  with the node; the shared epmd on 4369 is never used (and the node never daemonizes one);
* no plugins (RABBITMQ_ENABLED_PLUGINS_FILE lists none), so no management listener that could
  clash with the shared node's 15672;
* its own rabbitmq.conf, rabbitmq-env.conf (empty: /etc/rabbitmq/rabbitmq-env.conf, which sets
  NODENAME=rabbit@localhost, is not read), data (RABBITMQ_MNESIA_BASE) and log dirs, all in one
  temp directory that is removed on close().

Root: tests and CI run as root. Debian's /usr/sbin/rabbitmq-server and /usr/sbin/rabbitmqctl are
wrappers that re-exec the real scripts in /usr/lib/rabbitmq/bin via `su rabbitmq`, which resets
HOME to /var/lib/rabbitmq (the shared node's cookie) and sends the server's output to
/var/log/rabbitmq/startup_log. We bypass them: the real rabbitmq-server script is run directly,
as user rabbitmq when we are root (subprocess user=/group=), in the FOREGROUND (not -detached) so
that it is our child in its own process group; rabbitmqctl is run as ourselves with HOME pointing
at the private cookie (Erlang only checks that the cookie file is not group/world readable).

Usage (as a pytest fixture, or directly as a context manager)::

    from broker import PrivateBroker, private_broker   # tests/faults is on sys.path there

    def test_survives_broker_restart(private_broker):  # fixture: started, closed afterwards
        uri = private_broker.amqp_uri                    # pyamqp://guest:guest@127.0.0.1:<port>/
        ...
        private_broker.stop_app()     # closes every client connection (CONNECTION_FORCED 320)
        time.sleep(20)
        private_broker.start_app()    # returns once AMQP accepts connections again
        # or: with private_broker.down(): time.sleep(20)
        # or: private_broker.restart()          full node restart (rabbitmqctl stop + boot)
        # or: private_broker.restart(kill=True) crash: SIGKILL the VM, no connection.close
        # or: private_broker.close_connections()  drop clients, broker stays up
        # or: private_broker.pause(); ...; private_broker.resume()   SIGSTOP/SIGCONT the VM:
        #     a hung broker / network partition (only heartbeats or timeouts notice it)

    with PrivateBroker(conf={"heartbeat": 5}) as rmq:   # extra rabbitmq.conf settings
        ...

To use the fixture from a test module: `from broker import private_broker` at module level
(pytest picks up imported fixtures), or wrap PrivateBroker in your own fixture.

If rabbitmq-server is not installed the test is skipped, or failed when CI=true, like the suite's
other infrastructure fixtures.

Timings measured on the dev machine (2 cores): start 6.5-9 s (first boot to an open AMQP port
~5.5 s, then await_startup), stop_app 0.6-1 s, start_app 2-3 s, restart() ~8.5 s,
restart(kill=True) ~9 s (it was ~17 s while stop_node waited 10 s for the unreaped wrapper),
close() ~2 s. rabbitmqctl itself costs ~0.7 s
per call (it boots an Erlang VM).

Leftovers: the node is started with PR_SET_PDEATHSIG, so if the test process dies the wrapper
script gets SIGTERM and stops the VM; epmd gets SIGKILL. As a second line of defence, the first
start() in a process removes directories (and kills the process groups recorded in them) of
nodes from runs that are over an hour old.

Clusters: tests/faults/cluster.py (PrivateCluster) builds three nodes from this class, passing the
keyword arguments nodename, cookie, ports, own_epmd and parent_dir (see PrivateBroker).
"""

import atexit
import contextlib
import ctypes
import glob
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
from private import port_is_free as _port_is_free
from private import unavailable as _unavailable

PREFIX = "kamfault-"  # node names and temp dirs created here start with this
STALE_AFTER = 3600  # seconds; older dirs with PREFIX are leftovers
CTL_TIMEOUT = 60  # seconds for one rabbitmqctl call
REAL_SCRIPTS = "/usr/lib/rabbitmq/bin"  # Debian: the scripts behind the /usr/sbin wrappers

# rabbitmq.conf for a disposable node. The tmp dir may be small, so the default disk alarm
# (50 MB free) is kept low; guest may log in (only over loopback, which is all we use).
BASE_CONF = {
    "loopback_users.guest": "true",
    "disk_free_limit.absolute": "10MB",
    "log.file.level": "info",
    "log.console": "false",
}

_live = set()  # brokers started by this process and not closed yet (for atexit)
_stale_checked = False  # cleanup_stale_nodes() runs once per process


def _find_scripts():
    """(rabbitmq-server, rabbitmqctl) real scripts, or None if RabbitMQ is not installed."""
    for bindir in (os.environ.get("KAM_RABBITMQ_BIN"), REAL_SCRIPTS):
        if bindir and os.access(os.path.join(bindir, "rabbitmq-server"), os.X_OK):
            return os.path.join(bindir, "rabbitmq-server"), os.path.join(bindir, "rabbitmqctl")
    # Non-Debian layouts (generic tarball, Homebrew): the scripts on PATH are the real ones.
    server, ctl = shutil.which("rabbitmq-server"), shutil.which("rabbitmqctl")
    if server and ctl and not server.startswith("/usr/sbin/"):
        return server, ctl
    return None


def _pick_ports(count):
    """`count` distinct free ports BELOW the kernel's ephemeral range.

    A port from the ephemeral range (what bind(0) hands out) could be taken by some client's
    outgoing connection while the broker is stopped, and the restart would then fail with
    "address in use". Below the range only listeners compete, and we check for those.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as fh:
            low = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    lo, hi = (20000, low - 1) if low > 21000 else (low // 2 + 1024, low - 1)
    ports = []
    for _ in range(500):
        port = random.randint(lo, hi)
        if port not in ports and port not in (25672, 4369) and _port_is_free(port):
            ports.append(port)
            if len(ports) == count:
                return ports
    raise RuntimeError(f"no {count} free ports found in {lo}-{hi}")


def _accepts(port, timeout=1.0):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
        return True
    except OSError:
        return False


try:
    _libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork, used in preexec_fn
except OSError:  # pragma: no cover - not Linux/glibc
    _libc = None


def _set_pdeathsig(sig):
    """preexec_fn: deliver `sig` to the child when the process that started it dies (Linux).
    Python runs preexec_fn after the setuid to rabbitmq, so the setting survives it. Strictly it
    fires when the creating *thread* exits: start brokers from the main thread (pytest does)."""

    def preexec():
        if _libc is not None:
            _libc.prctl(1, int(sig))  # 1 = PR_SET_PDEATHSIG

    return preexec


def _kill_group(pgid, sig=signal.SIGKILL, wait=10.0):
    """Signal a process group we created; with SIGKILL, wait until all its members are gone
    (the listening sockets close only when beam.smp has really exited)."""
    deadline = time.monotonic() + wait
    try:
        os.killpg(pgid, sig)
        while sig == signal.SIGKILL and time.monotonic() < deadline:
            time.sleep(0.05)
            os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        pass


def cleanup_stale_nodes(max_age=STALE_AFTER, prefix=PREFIX):
    """Remove leftovers of runs that died without close(): temp dirs named <prefix><time>_...
    that are older than max_age. The process groups recorded in their `pgids` files (the dir's
    own and, for a cluster, its nodes' one level down) are killed only if a process of that
    group still has the directory in its environment (so a recycled pid is never hit). Returns
    the directories removed."""
    removed = []
    base = tempfile.gettempdir()
    now = time.time()
    for name in os.listdir(base):
        if not name.startswith(prefix):
            continue
        path = os.path.join(base, name)
        try:
            created = int(name[len(prefix) :].split("_")[0])
        except ValueError:
            continue
        if now - created <= max_age or not os.path.isdir(path):
            continue
        pgids = []
        for record in glob.glob(os.path.join(path, "pgids")) + glob.glob(os.path.join(path, "*", "pgids")):
            try:
                with open(record) as fh:
                    pgids += [int(x) for x in fh.read().split()]
            except (OSError, ValueError):
                pass
        for pgid in pgids:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/environ", "rb") as fh:
                        mine = path.encode() in fh.read()
                    if mine and os.getpgid(int(pid)) == pgid:
                        _kill_group(pgid)
                        break
                except OSError:
                    continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@atexit.register
def _close_forgotten():
    """Last resort for brokers whose owner never called close() (e.g. an aborted session)."""
    for broker in list(_live):
        with contextlib.suppress(Exception):
            broker.close()


class PrivateBroker:
    """A private RabbitMQ node on 127.0.0.1:<free port>, user guest/guest, no plugins.

    with PrivateBroker() as rmq:         # starts; stops the node and removes its files on exit
        rmq.amqp_uri                     # pyamqp://guest:guest@127.0.0.1:<port>/
        rmq.stop_app(); rmq.start_app()  # broker "restart": the VM stays up, AMQP goes away
        rmq.restart(kill=False)          # full node restart (kill=True: SIGKILL, then boot)
        rmq.ctl("list_queues", "name", "messages_unacknowledged")  # any rabbitmqctl command

    Attributes: nodename, port (AMQP), dist_port, epmd_port, dir, running (AMQP up, as far as
    this object knows), start_seconds / stop_seconds (last measured durations).

    Keyword arguments for nodes of a cluster (tests/faults/cluster.py); by default a standalone
    node picks all of them itself: nodename (name@localhost), cookie (the Erlang cookie, shared
    by the cluster's nodes), ports ((amqp, dist, epmd), picked by the caller so that nodes do not
    collide), own_epmd=False (the epmd on ports[2] is run by another node: this one neither
    starts nor kills it) and parent_dir (create the node's directory in there).
    """

    def __init__(
        self,
        conf=None,
        start_timeout=90,
        *,
        nodename=None,
        cookie=None,
        ports=None,
        own_epmd=True,
        parent_dir=None,
    ):
        self.conf = dict(BASE_CONF, **(conf or {}))
        self.start_timeout = start_timeout
        self._given = {"nodename": nodename, "cookie": cookie, "ports": ports, "parent_dir": parent_dir}
        self._own_epmd = own_epmd
        self.nodename = self.dir = self.port = self.dist_port = self.epmd_port = None
        self.running = False
        self.start_seconds = self.stop_seconds = None
        self._node = self._epmd = None  # subprocess.Popen objects
        self._scripts = None
        self._user = None  # run the node as this user (root -> rabbitmq)
        self._paused = False

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        """Create the node on first call, then boot it; returns once AMQP accepts connections
        and `rabbitmqctl await_startup` succeeded. Also used to boot it again after
        stop_node() / restart()."""
        global _stale_checked
        t0 = time.monotonic()
        if self.dir is None:
            self._create()
            if not _stale_checked:
                _stale_checked = True
                cleanup_stale_nodes()
        if self._own_epmd and (self._epmd is None or self._epmd.poll() is not None):
            self._start_epmd()
        if self._node is None or self._node.poll() is not None:
            self._start_node()
        self._wait_ready()
        self.start_seconds = time.monotonic() - t0
        return self

    def close(self):
        """Stop the node (rabbitmqctl stop, then SIGKILL its process group if still alive),
        kill our epmd and remove the directory. Safe to call twice or after a failed start."""
        t0 = time.monotonic()
        try:
            self.stop_node()
        finally:
            if self._epmd is not None:
                self._epmd.kill()
                self._epmd.wait(10)
                self._epmd = None
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
            _live.discard(self)
            self.stop_seconds = time.monotonic() - t0

    # -- fault injection -------------------------------------------------------------------

    def stop_app(self):
        """Stop the RabbitMQ application (the Erlang VM stays up). Every client connection is
        closed with connection.close 320 CONNECTION_FORCED and the AMQP port stops listening."""
        self.ctl("stop_app")
        self.running = False

    def start_app(self):
        """Start the application again; returns once AMQP accepts connections."""
        self.ctl("start_app")
        self._wait_ready()

    def down(self, kill=False):
        """Context manager: the broker is down inside the block (stop_app, or the whole node
        with kill=True: SIGKILL, no connection.close), and back up after it."""

        @contextlib.contextmanager
        def outage():
            if kill:
                self.stop_node(kill=True)
            else:
                self.stop_app()
            try:
                yield self
            finally:
                if kill:
                    self.start()
                else:
                    self.start_app()

        return outage()

    def stop_node(self, kill=False):
        """Stop the whole node. kill=False: `rabbitmqctl stop` (clean: clients get
        connection.close), falling back to SIGKILL; kill=True: SIGKILL at once, as a crash
        (clients see the TCP connection drop). Durable queues and their messages survive
        (the data dir is kept until close())."""
        if self._paused:
            with contextlib.suppress(Exception):
                self.resume()
        node, self._node, self.running = self._node, None, False
        if node is None or node.poll() is not None:
            return
        if not kill:
            with contextlib.suppress(Exception):
                self.ctl("stop", timeout=30)
            with contextlib.suppress(subprocess.TimeoutExpired):
                node.wait(15)
        # The wrapper script, beam.smp, erl_child_setup, inet_gethost: all in this group. The
        # wrapper is our child: reap it first, or as a zombie it keeps the group "alive" and
        # _kill_group would wait its full 10 s.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(node.pid, signal.SIGKILL)
        node.wait(10)
        _kill_group(node.pid)

    def restart(self, kill=False):
        """Full node restart (see stop_node); returns once it is up again."""
        self.stop_node(kill=kill)
        return self.start()

    def pause(self):
        """Freeze the node (SIGSTOP to its Erlang VM): sockets stay open but nothing answers,
        like a hung broker or a network partition; clients notice only through heartbeats or
        their own timeouts. resume() (or close()) thaws it."""
        os.kill(self._beam_pid(), signal.SIGSTOP)
        self._paused = True

    def resume(self):
        os.kill(self._beam_pid(), signal.SIGCONT)
        self._paused = False

    def close_connections(self, reason="kamfault"):
        """Force-close every client connection; the broker itself stays up."""
        self.ctl("close_all_connections", reason)

    # -- access ----------------------------------------------------------------------------

    @property
    def amqp_uri(self):
        return f"pyamqp://guest:guest@127.0.0.1:{self.port}/"

    def ctl(self, *args, timeout=CTL_TIMEOUT, check=True):
        """Run `rabbitmqctl -n NODE args...` against this node; returns its stdout."""
        proc = subprocess.run(
            [self._scripts[1], "-q", "-n", self.nodename, *args],
            env=self._env(),
            cwd=self.dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"rabbitmqctl {' '.join(args)} failed ({proc.returncode}): "
                f"{proc.stdout.strip()} {proc.stderr.strip()}"
            )
        return proc.stdout

    def log_tail(self, lines=30):
        """The last lines of the node's log and console output, for error messages."""
        out = []
        for name in (f"log/{self.nodename}.log", "console.out"):
            with contextlib.suppress(OSError, TypeError):
                with open(os.path.join(self.dir, name), errors="replace") as fh:
                    out.append(f"--- {name}\n" + "".join(fh.readlines()[-lines:]))
        return "\n".join(out) or "(no node log)"

    # -- internals -------------------------------------------------------------------------

    def _create(self):
        self._scripts = _find_scripts()
        if self._scripts is None:
            _unavailable(
                "rabbitmq-server is not installed, so no private RabbitMQ node can be "
                "started for fault tests; needed: `apt install rabbitmq-server`"
            )
        if os.geteuid() == 0:
            import pwd

            try:
                self._user = pwd.getpwnam("rabbitmq")
            except KeyError:
                self._user = None  # no rabbitmq user: the node runs as root
        given = self._given
        self.port, self.dist_port, self.epmd_port = given["ports"] or _pick_ports(3)
        tag = f"{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
        self.nodename = given["nodename"] or f"{PREFIX}{tag}@localhost"
        self.dir = tempfile.mkdtemp(prefix=f"{self.nodename.split('@')[0]}_", dir=given["parent_dir"])
        _live.add(self)
        for sub in ("mnesia", "log", "home"):
            os.mkdir(os.path.join(self.dir, sub))
        files = {
            "enabled_plugins": "[].\n",  # no plugins: no management port
            "rabbitmq-env.conf": "",  # do not read /etc/rabbitmq's
            "rabbitmq.conf": "".join(f"{k} = {v}\n" for k, v in self.conf.items()),
            "home/.erlang.cookie": given["cookie"] or secrets.token_hex(20).upper(),
        }
        for name, text in files.items():
            with open(os.path.join(self.dir, name), "w") as fh:
                fh.write(text)
        os.chmod(os.path.join(self.dir, "home/.erlang.cookie"), 0o400)
        os.chmod(self.dir, 0o755)
        if self._user is not None:
            for root, dirs, names in os.walk(self.dir):
                for name in [root, *(os.path.join(root, n) for n in dirs + names)]:
                    os.chown(name, self._user.pw_uid, self._user.pw_gid)

    def _env(self):
        """Environment for the server script and rabbitmqctl; nothing inherited that could point
        them at the shared node (RABBITMQ_*, ERL_*, HOME)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RABBITMQ_", "ERL_")) and k not in ("HOME", "NOTIFY_SOCKET")
        }
        d = self.dir
        env.update(
            {
                "HOME": f"{d}/home",  # -> home/.erlang.cookie
                "RABBITMQ_CONF_ENV_FILE": f"{d}/rabbitmq-env.conf",
                "RABBITMQ_NODENAME": self.nodename,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "ERL_EPMD_PORT": str(self.epmd_port),
                "ERL_EPMD_ADDRESS": "127.0.0.1",
                "RABBITMQ_CONFIG_FILE": f"{d}/rabbitmq.conf",
                "RABBITMQ_ENABLED_PLUGINS_FILE": f"{d}/enabled_plugins",
                "RABBITMQ_MNESIA_BASE": f"{d}/mnesia",
                "RABBITMQ_LOG_BASE": f"{d}/log",
                "RABBITMQ_PLUGINS_EXPAND_DIR": f"{d}/plugins-expand",
                "RABBITMQ_PID_FILE": f"{d}/node.pid",
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            }
        )
        return env

    def _popen(self, args, logname, deathsig):
        user = (
            {}
            if self._user is None
            else {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        )
        with open(os.path.join(self.dir, logname), "ab") as log:
            proc = subprocess.Popen(
                args,
                env=self._env(),
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_set_pdeathsig(deathsig),
                **user,
            )
        with open(os.path.join(self.dir, "pgids"), "a") as fh:  # for cleanup_stale_nodes()
            fh.write(f"{proc.pid}\n")
        return proc

    def _start_epmd(self):
        # Foreground epmd (no -daemon): our child, so close() can kill it by pid.
        epmd = shutil.which("epmd") or "epmd"
        self._epmd = self._popen(
            [epmd, "-port", str(self.epmd_port), "-address", "127.0.0.1"], "epmd.out", signal.SIGKILL
        )
        deadline = time.monotonic() + 10
        while not _accepts(self.epmd_port):
            if self._epmd.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private epmd on port {self.epmd_port} did not start")
            time.sleep(0.05)

    def _start_node(self):
        if _accepts(self.port):
            raise RuntimeError(f"port {self.port} is taken; cannot boot {self.nodename}")
        # Foreground: the script runs erl in the background and waits; SIGTERM to the script
        # (our PDEATHSIG) makes it stop the VM cleanly.
        self._node = self._popen([self._scripts[0]], "console.out", signal.SIGTERM)

    def _beam_pid(self):
        """The Erlang VM's pid (rabbit writes RABBITMQ_PID_FILE), checked to be in our group."""
        with open(os.path.join(self.dir, "node.pid")) as fh:
            pid = int(fh.read().strip())
        if self._node is None or os.getpgid(pid) != self._node.pid:
            raise RuntimeError(f"pid {pid} from node.pid is not a process of {self.nodename}")
        return pid

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while not _accepts(self.port):
            if self._node is None or self._node.poll() is not None:
                raise RuntimeError(f"node {self.nodename} exited while starting:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"node {self.nodename} did not open AMQP port {self.port} "
                    f"within {self.start_timeout} s:\n{self.log_tail()}"
                )
            time.sleep(0.1)
        self.ctl("await_startup", "--timeout", str(self.start_timeout))
        self.running = True


@pytest.fixture
def private_broker():
    """Pytest fixture: a started PrivateBroker, closed after the test.

    Import it into a test module (`from broker import private_broker`) to use it there."""
    with PrivateBroker() as rmq:
        yield rmq
