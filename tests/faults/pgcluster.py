"""A private, throwaway PostgreSQL cluster for fault tests.

The suite's normal fixtures share one cluster (127.0.0.1:5432, "15 main"). A fault test needs a
database that it can stop ("the database is down for 10 s") and start again without disturbing
anything else, so this module creates a separate cluster with the Debian tools
(pg_createcluster / pg_ctlcluster / pg_dropcluster), on its own port, and drops it afterwards.

Usage (as a pytest fixture, or directly as a context manager)::

    from pgcluster import PrivatePostgres      # tests/faults is on sys.path for its test modules

    @pytest.fixture
    def private_pg():
        with PrivatePostgres() as pg:
            yield pg

    def test_survives_outage(private_pg):
        url = private_pg.create_database("intake")    # postgresql://postgres@127.0.0.1:<port>/intake
        ...
        private_pg.stop()          # fast shutdown: existing connections are dropped
        time.sleep(10)
        private_pg.start()         # returns once the server accepts connections
        # or: with private_pg.down(): time.sleep(10)

Requirements: Debian's postgresql-common + postgresql-15 packages and root (pg_createcluster
writes /etc/postgresql and runs the server as user postgres). If they are missing the test is
skipped, or failed when CI=true, like the suite's other infrastructure fixtures.

Timings measured on the dev machine (Debian 12, PostgreSQL 15.20): create+start ~4.5 s,
stop (fast) ~0.2 s, start ~2.3 s, drop ~0.25 s. start() is slow because pg_ctlcluster itself
waits until three psql probes in a row succeed (0.5 s apart); the server really accepts
connections ~0.2 s after start() is called, so a test must not assume the database is still
unavailable until start() returns.

Clusters are named ``kamfault_<unix time>_<pid>_<random>``; the timestamp lets
cleanup_stale_clusters() recognise clusters left behind by crashed runs (SIGKILL, a killed CI
job) and drop those older than an hour. It runs once per process before the first cluster is
created. Clusters are registered with ``--start-conf manual`` so that a boot or
``service postgresql start`` never brings a leftover one back up.
"""

import atexit
import contextlib
import glob
import os
import random
import secrets
import shutil
import subprocess
import time

from private import port_is_free as _port_is_free
from private import unavailable as _unavailable

PG_VERSION = "15"
PREFIX = "kamfault_"  # every cluster this module creates starts with this
STALE_AFTER = 3600  # seconds; older clusters with PREFIX are leftovers
CONF_ROOT = f"/etc/postgresql/{PG_VERSION}"
DATA_ROOT = f"/var/lib/postgresql/{PG_VERSION}"
LOG_DIR = "/var/log/postgresql"
CMD_TIMEOUT = 120

# Server settings for a disposable cluster: durability off (nothing here must survive a crash),
# small memory, TCP only on 127.0.0.1, no SSL (the Debian default points at the snakeoil cert).
# They are appended to postgresql.conf (the last setting wins) rather than passed as
# `pg_createcluster -o`, which writes 127.0.0.1 unquoted (it looks like a number to it) and so
# produces a config file the server refuses to load.
SERVER_SETTINGS = """
# --- added by tests/faults/pgcluster.py ---
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
ssl = off
"""

_live = set()  # clusters created by this process and not dropped yet (for atexit)
_stale_checked = False  # cleanup_stale_clusters() runs once per process


def _check_prerequisites():
    how = f"`apt install postgresql-common postgresql-{PG_VERSION}` and run the tests as root"
    if shutil.which("pg_createcluster") is None:
        _unavailable(
            f"pg_createcluster is not installed, so no private PostgreSQL cluster can be "
            f"created for fault tests; needed: {how}"
        )
    if not os.path.exists(f"/usr/lib/postgresql/{PG_VERSION}/bin/postgres"):
        _unavailable(f"PostgreSQL {PG_VERSION} server binaries are missing; needed: {how}")
    if os.geteuid() != 0:
        _unavailable(
            f"a private PostgreSQL cluster needs root (pg_createcluster writes {CONF_ROOT}); needed: {how}"
        )


def _run(*args, check=True):
    """Run a Debian cluster tool; on failure raise with its output (not just an exit code)."""
    proc = subprocess.run(args, capture_output=True, text=True, timeout=CMD_TIMEOUT)
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({proc.returncode}): {proc.stdout.strip()} {proc.stderr.strip()}"
        )
    return proc


def _log_tail(name, lines=15):
    try:
        with open(f"{LOG_DIR}/postgresql-{PG_VERSION}-{name}.log") as fh:
            return "".join(fh.readlines()[-lines:])
    except OSError:
        return "(no server log)"


def _cluster_ports():
    """Ports configured for existing clusters of any version (running or not)."""
    ports = set()
    for conf in glob.glob("/etc/postgresql/*/*/postgresql.conf"):
        try:
            with open(conf) as fh:
                for line in fh:
                    key, _, value = line.partition("=")
                    if key.strip() == "port":
                        ports.add(int(value.split("#")[0].strip()))
        except (OSError, ValueError):
            pass
    return ports


def _pick_port():
    """A free port BELOW the kernel's ephemeral range.

    A port from the ephemeral range (what bind(0) hands out) could be taken by some client's
    outgoing connection while the cluster is stopped, and start() would then fail with "address
    already in use". Below the range only listeners compete, and we check for those.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as fh:
            low = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    lo, hi = (20000, low - 1) if low > 21000 else (low // 2 + 1024, low - 1)
    taken = _cluster_ports()
    for _ in range(200):
        port = random.randint(lo, hi)
        if port not in taken and _port_is_free(port):
            return port
    raise RuntimeError(f"no free port found in {lo}-{hi}")


def drop_cluster(name):
    """Stop (immediately: the data is thrown away) and drop one cluster of ours.

    Tolerates a cluster that is stopped, half-created or already gone. Only ever touches
    names starting with PREFIX.
    """
    if not name.startswith(PREFIX):
        raise ValueError(f"refusing to drop {name!r}: not a cluster created by pgcluster.py")
    if os.path.isdir(f"{CONF_ROOT}/{name}"):
        _run(
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            "-m",
            "immediate",
            PG_VERSION,
            name,
            "stop",
            check=False,
        )  # exit code 2 = was not running
        dropped = _run("pg_dropcluster", "--stop", PG_VERSION, name, check=False)
        if dropped.returncode != 0 and os.path.isdir(f"{CONF_ROOT}/{name}"):
            # A broken cluster pg_dropcluster will not handle: remove what pg_createcluster made.
            shutil.rmtree(f"{CONF_ROOT}/{name}", ignore_errors=True)
            shutil.rmtree(f"{DATA_ROOT}/{name}", ignore_errors=True)
    for leftover in (f"{LOG_DIR}/postgresql-{PG_VERSION}-{name}.log",):
        if os.path.exists(leftover):
            os.remove(leftover)
    _live.discard(name)


def cleanup_stale_clusters(max_age=STALE_AFTER):
    """Drop clusters named PREFIX... that were created more than max_age seconds ago.

    These are leftovers of runs that died without teardown. The creation time comes from the
    name (kamfault_<unix time>_...), falling back to the config directory's mtime. Returns the
    names dropped.
    """
    try:
        names = [n for n in os.listdir(CONF_ROOT) if n.startswith(PREFIX)]
    except OSError:
        return []
    dropped = []
    now = time.time()
    for name in names:
        try:
            created = int(name[len(PREFIX) :].split("_")[0])
        except ValueError:
            try:
                created = os.path.getmtime(f"{CONF_ROOT}/{name}")
            except OSError:
                continue
        if now - created > max_age:
            drop_cluster(name)
            dropped.append(name)
    return dropped


@atexit.register
def _drop_forgotten():
    """Last resort for clusters whose owner never called close() (e.g. an aborted session)."""
    for name in list(_live):
        try:
            drop_cluster(name)
        except Exception:  # interpreter exit; nothing useful to do
            pass


class PrivatePostgres:
    """A private PostgreSQL 15 cluster on 127.0.0.1:<free port>, trust auth for everyone.

    with PrivatePostgres() as pg:          # creates and starts; drops on exit, even on error
        url = pg.create_database("x")      # -> postgresql://postgres@127.0.0.1:<port>/x
        pg.stop(); pg.start()              # an outage; start() waits until connections work
        with pg.down(): ...                # the same, as a block

    Attributes: name (cluster name), port, running (as far as this object knows).
    """

    def __init__(self, start_timeout=60):
        self.name = None
        self.port = None
        self.running = False
        self.start_timeout = start_timeout

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self):
        self.create()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def create(self):
        """Create and start the cluster (skips/fails the test if the tools are missing)."""
        global _stale_checked
        _check_prerequisites()
        if not _stale_checked:
            _stale_checked = True
            cleanup_stale_clusters()
        last_error = None
        for _attempt in range(3):  # a retry covers losing a port race with another process
            self.port = _pick_port()
            self.name = f"{PREFIX}{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
            _live.add(self.name)
            try:
                _run(
                    "pg_createcluster",
                    "--start-conf",
                    "manual",
                    "-p",
                    str(self.port),
                    PG_VERSION,
                    self.name,
                    # initdb options: trust for local and host (TCP) connections; skip fsyncs.
                    "--",
                    "--auth=trust",
                    "--no-sync",
                )
                with open(f"{CONF_ROOT}/{self.name}/postgresql.conf", "a") as conf:
                    conf.write(SERVER_SETTINGS)
                self.start()
                return self
            except Exception as exc:  # retried, then re-raised below
                last_error = exc
                drop_cluster(self.name)
                self.running = False
        raise RuntimeError(f"could not create a private PostgreSQL cluster: {last_error}")

    def close(self):
        """Stop and drop the cluster. Safe to call twice, after a failed create, or mid-outage."""
        if self.name is not None:
            drop_cluster(self.name)
        self.running = False

    # -- fault injection -------------------------------------------------------------------

    def stop(self, mode="fast"):
        """Stop the server. "fast" (default) disconnects clients and rolls back their open
        transactions at once; "immediate" simulates a crash (recovery on the next start)."""
        _run("pg_ctlcluster", "--skip-systemctl-redirect", "-m", mode, PG_VERSION, self.name, "stop")
        self.running = False

    def start(self):
        """Start the server and return once it accepts TCP connections (or raise).

        Takes ~2.3 s, though clients can connect after ~0.2 s (see the module docstring)."""
        try:
            _run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.name, "start")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\nserver log:\n{_log_tail(self.name)}") from None
        self._wait_ready()
        self.running = True

    @contextlib.contextmanager
    def down(self, mode="fast"):
        """Context manager: the database is stopped inside the block, started again after."""
        self.stop(mode)
        try:
            yield self
        finally:
            self.start()

    # -- databases -------------------------------------------------------------------------

    def url(self, dbname="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name):
        """CREATE DATABASE name; returns its URL."""
        import psycopg2
        from psycopg2 import sql

        conn = psycopg2.connect(self.url("postgres"), connect_timeout=10)
        try:
            conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()
        return self.url(name)

    def _wait_ready(self):
        # pg_ctl already waits for the postmaster's "ready" state; this also proves that TCP on
        # 127.0.0.1 with trust auth works, which is what the tests will use.
        import psycopg2

        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                psycopg2.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg2.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"private cluster {self.name} on port {self.port} did not "
                        f"accept connections within {self.start_timeout} s: {exc}"
                        f"\nserver log:\n{_log_tail(self.name)}"
                    ) from None
                time.sleep(0.1)
