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

A PRIMARY WITH A STREAMING STANDBY, for failover tests (``PrivateReplicaSet``, fixture
``private_replica_set``)::

    from pgcluster import PrivateReplicaSet, private_replica_set   # noqa: F401 - fixture

    def test_failover(private_replica_set):
        rs = private_replica_set
        url = rs.create_database("x")     # made on the primary; returns once the standby has it
        engine = create_engine(url, pool_pre_ping=True)   # multi-host URL, see below
        ...                               # writes go to the primary
        rs.wait_replayed()                # standby has replayed all the primary flushed so far
        rs.stop_primary("immediate")      # crash ("fast": clean shutdown, its WAL all sent first)
        rs.promote()                      # returns once pg_is_in_recovery() is false
        ...                               # the same engine now writes to the promoted standby
    # also: rs.primary_url(db), rs.standby_url(db) (one server each); rs.primary / rs.standby are
    # PrivatePostgres objects (name, port, stop(), start()); rs.wait_streaming()

The primary is a PrivatePostgres with wal_level=replica, max_wal_senders, wal_keep_size=128MB,
synchronous_commit back ON (so a commit has been written, and can be streamed, when it returns)
and ``host replication all 127.0.0.1/32 trust`` as the first pg_hba line. The standby is made by
pg_createcluster (its own config, port, log; name ``<the usual name>_standby``), its data
directory then emptied and filled by ``pg_basebackup -R -X stream`` of the primary (run as user
postgres), and started; create() returns once the primary's pg_stat_replication shows it
``streaming``. Replication is asynchronous: an immediate stop loses what the standby had not
received yet, hence wait_replayed() before a crash when a test counts rows. After promote() the
old primary must stay down (started again it would be a second read-write server, first in the
URL, and it cannot rejoin without pg_rewind).

The multi-host URL (``rs.url(db)``), the ONE form that works everywhere here::

    postgresql://postgres@/DB?host=127.0.0.1,127.0.0.1&port=P1,P2&target_session_attrs=read-write

Tried with SQLAlchemy 1.4.54 (create_engine(url).connect()), psycopg2 2.9.10 / libpq 16
(psycopg2.connect(url)), make_url(url).render_as_string(hide_password=True) and Alembic 1.19.2:

* ``?host=H,H&port=P1,P2`` (libpq's own list form): works in all of them, before and after
  failover. SQLAlchemy passes host and port through as strings (supported since 1.4.40;
  make_url(url).host and .port are None, the lists are in .query). render_as_string percent-
  encodes the commas (``host=127.0.0.1%2C127.0.0.1``), which libpq decodes, so the rendered
  string still connects; but do not hand the RENDERED string to alembic's
  Config.set_main_option: ConfigParser reads % as interpolation ("ValueError: invalid
  interpolation syntax"). The raw form has no %, and ``alembic -n intake -x url=<it> upgrade
  head`` / ``current`` and migrations.prepare() on create_engine(url) work.
* ``?host=H:P1&host=H:P2`` (SQLAlchemy's own form, 1.3.20+; ports in it work since 1.4.40):
  SQLAlchemy OK (it joins them into host=H,H port=P1,P2), but psycopg2.connect / psql FAIL:
  libpq keeps only the last host= and reads "H:P2" as a host name ("could not translate host
  name "127.0.0.1:P2" to address: Name or service not known"). Mixed with ``&port=`` SQLAlchemy
  raises ArgumentError "Can't mix 'multihost' formats together".
* ``postgresql://postgres@H:P1,H:P2/DB?...`` (libpq's netloc list): psycopg2 OK, but SQLAlchemy
  FAILS in make_url, so create_engine too: "ValueError: invalid literal for int() with base 10:
  'P1,127.0.0.1:P2'".
* ``?host=H:P1,H:P2``: fails everywhere ("could not translate host name "127.0.0.1:P1"").

With target_session_attrs=read-write libpq tries the hosts in order and takes the first that is
up and not in recovery: before failover the primary; with the primary down and the standby not
yet promoted every connect fails with "connection to server at "127.0.0.1", port P2 failed:
session is read-only" (no write can land on the standby); after promote() the standby. An
engine with pool_pre_ping=True finds its pooled connections to the dead primary dead on the
next checkout, invalidates the pool and connects anew, so the same engine follows the failover.

Timings measured (Debian 12, PostgreSQL 15.20, 7 runs of tests/faults/test_private_standby.py):
create 8.6-10.7 s (primary 3.2-4.8 s, standby incl. base backup and start 5.1-6.0 s, streaming
check ~0.01 s), create_database ~0.65 s, wait_replayed when caught up ~0.015 s, stop_primary
0.17-0.29 s (fast and immediate alike), promote() 0.18-0.30 s, close() ~0.9 s. Failover as the
test measures it: from calling stop_primary("immediate") to the first committed write on the
promoted standby, minus the test's deliberate 1 s pause before promote() (a stand-in for a
failover manager noticing), 0.39-0.60 s = the stop (0.17-0.29) + one refused write (~0.01) +
promote() (0.18-0.30) + the first write after promote() returned (0.010-0.028 s, always at the
first attempt: the pre-ping, a new connection past the dead primary, the INSERT and COMMIT).

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

import pytest
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
    ``settings``: more postgresql.conf lines, appended after SERVER_SETTINGS (so they win).
    """

    suffix = ""  # appended to the cluster's name (a standby's ends in "_standby")

    def __init__(self, start_timeout=60, settings=""):
        self.name = None
        self.port = None
        self.running = False
        self.start_timeout = start_timeout
        self.settings = settings  # more postgresql.conf lines, after SERVER_SETTINGS (so they win)

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
            self.name = f"{PREFIX}{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}{self.suffix}"
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
                    conf.write(SERVER_SETTINGS + self.settings)
                self._configure()
                self.start()
                return self
            except Exception as exc:  # retried, then re-raised below
                last_error = exc
                drop_cluster(self.name)
                self.running = False
        raise RuntimeError(f"could not create a private PostgreSQL cluster: {last_error}")

    def _configure(self):
        """Hook: runs after the cluster is made and configured, before its first start."""

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


# -- a primary with a streaming standby ------------------------------------------------------

# Both servers: WAL fit for a standby, and room for one. synchronous_commit is back ON (the
# single cluster turns it off): with it off, a commit returns before its WAL is written, and the
# WAL sender only sends what is written, so "committed" would not yet mean "can reach the
# standby". fsync stays off: an immediate stop kills the server, not the machine, and the OS
# still holds the written WAL.
REPLICATION_SETTINGS = """
wal_level = replica
max_wal_senders = 5
wal_keep_size = 128MB
hot_standby = on
synchronous_commit = on
"""
REPLICATION_HBA = "host    replication     all             127.0.0.1/32            trust\n"


def _as_postgres(*args):
    """Run a server binary as user postgres (the data directory must belong to it)."""
    return _run("runuser", "-u", "postgres", "--", *args)


class _ReplicationCluster(PrivatePostgres):
    """A PrivatePostgres whose pg_hba lets 127.0.0.1 stream WAL (trust), first line, so no
    later rule can shadow it."""

    def __init__(self, start_timeout=60):
        super().__init__(start_timeout, settings=REPLICATION_SETTINGS)

    def _configure(self):
        hba = f"{CONF_ROOT}/{self.name}/pg_hba.conf"
        with open(hba) as fh:
            rules = fh.read()
        with open(hba, "w") as fh:
            fh.write("# --- added by tests/faults/pgcluster.py ---\n" + REPLICATION_HBA + rules)


class _Standby(_ReplicationCluster):
    """A cluster whose data directory is replaced by a base backup of ``primary`` before its first
    start: pg_createcluster gives it its own config, port and log; pg_basebackup -R its data,
    standby.signal and primary_conninfo (127.0.0.1:<primary port>)."""

    suffix = "_standby"

    def __init__(self, primary, start_timeout=60):
        super().__init__(start_timeout)
        self.primary = primary

    def _configure(self):
        super()._configure()
        data = f"{DATA_ROOT}/{self.name}"
        # pg_basebackup wants an empty directory; this one (made by pg_createcluster) belongs to
        # postgres, while its parent may belong to root, so it is emptied rather than removed
        for entry in os.listdir(data):
            path = os.path.join(data, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
        _as_postgres(
            f"/usr/lib/postgresql/{PG_VERSION}/bin/pg_basebackup",
            "--host=127.0.0.1",
            f"--port={self.primary.port}",
            "--username=postgres",
            f"--pgdata={data}",
            "--write-recovery-conf",  # -R: standby.signal + primary_conninfo
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
        )


class PrivateReplicaSet:
    """A private primary with one streaming (asynchronous) standby, for failover tests.

    with PrivateReplicaSet() as rs:            # both created, started, streaming verified
        url = rs.create_database("x")          # made on the primary, replayed on the standby
        engine = create_engine(url, pool_pre_ping=True)   # url: both hosts, read-write only
        ...
        rs.wait_replayed()                     # the standby has replayed all the primary wrote
        rs.stop_primary("immediate")           # a crash; "fast" = clean shutdown
        rs.promote()                           # the standby takes writes; the same url finds it

    Attributes: primary and standby (PrivatePostgres objects: name, port, stop(), start()),
    promoted (whether promote() has run). After promote() the old primary must stay down: it
    would come back as a second read-write server (the URL lists it first, so clients would
    write to it) and cannot rejoin without pg_rewind.
    """

    def __init__(self, start_timeout=60):
        self.primary = _ReplicationCluster(start_timeout)
        self.standby = _Standby(self.primary, start_timeout)
        self.promoted = False

    def __enter__(self):
        self.create()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def create(self):
        try:
            self.primary.create()
            self.standby.create()
            self.wait_streaming()
        except BaseException:
            self.close()
            raise
        return self

    def close(self):
        """Drop both clusters (the standby first). Safe to call twice or after a failed create."""
        try:
            self.standby.close()
        finally:
            self.primary.close()

    # -- URLs ------------------------------------------------------------------------------

    def url(self, dbname="postgres"):
        """Both servers, primary first; libpq connects to the first that is up AND read-write.

        The form SQLAlchemy 1.4.54, psycopg2 and libpq all read (the module docstring says
        which others do not)."""
        return (
            f"postgresql://postgres@/{dbname}?host=127.0.0.1,127.0.0.1"
            f"&port={self.primary.port},{self.standby.port}&target_session_attrs=read-write"
        )

    def primary_url(self, dbname="postgres"):
        return self.primary.url(dbname)

    def standby_url(self, dbname="postgres"):
        return self.standby.url(dbname)

    def create_database(self, name):
        """CREATE DATABASE on the primary; returns the multi-host URL once the standby has it."""
        self.primary.create_database(name)
        self.wait_replayed()
        return self.url(name)

    # -- replication -----------------------------------------------------------------------

    def wait_streaming(self, timeout=30):
        """Wait until the primary's pg_stat_replication shows the standby streaming."""
        deadline = time.monotonic() + timeout
        while True:
            state = _query(
                self.primary_url(),
                "SELECT state FROM pg_stat_replication WHERE application_name = %s",
                (f"{PG_VERSION}/{self.standby.name}",),  # the walreceiver names itself cluster_name
            )
            if state == "streaming":
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"standby {self.standby.name} is not streaming from {self.primary.name} after "
                    f"{timeout} s (state: {state})\nstandby log:\n{_log_tail(self.standby.name)}"
                )
            time.sleep(0.1)

    def wait_replayed(self, timeout=30):
        """Wait until the standby has replayed everything the primary has flushed by now (with
        synchronous_commit on, that is every commit made so far). Returns the LSN."""
        target = _query(self.primary_url(), "SELECT pg_current_wal_flush_lsn()")
        deadline = time.monotonic() + timeout
        while True:
            behind = _query(
                self.standby_url(),
                "SELECT pg_wal_lsn_diff(%s, coalesce(pg_last_wal_replay_lsn(), '0/0'))",
                (target,),
            )
            if behind <= 0:
                return target
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"standby {self.standby.name} has not replayed up to {target} after {timeout} s "
                    f"({behind} bytes behind)\nstandby log:\n{_log_tail(self.standby.name)}"
                )
            time.sleep(0.05)

    # -- failover --------------------------------------------------------------------------

    def stop_primary(self, mode="fast"):
        """Stop the primary: "fast" shuts it down cleanly (its last WAL reaches the standby),
        "immediate" is a crash (what the standby has not received is lost to it)."""
        self.primary.stop(mode)

    def promote(self, timeout=30):
        """Make the standby a read-write primary; returns once pg_is_in_recovery() is false."""
        _run("pg_ctlcluster", PG_VERSION, self.standby.name, "promote")  # pg_ctl promote: waits
        deadline = time.monotonic() + timeout
        while _query(self.standby_url(), "SELECT pg_is_in_recovery()"):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"standby {self.standby.name} still in recovery {timeout} s after promote"
                    f"\nstandby log:\n{_log_tail(self.standby.name)}"
                )
            time.sleep(0.05)
        self.promoted = True


def _query(url, sql, args=()):
    """The first column of the first row (None if no row), on a fresh autocommit connection."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=5)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, args)
            row = cur.fetchone()
            return None if row is None else row[0]
    finally:
        conn.close()


@pytest.fixture
def private_replica_set():
    """Pytest fixture: a PrivateReplicaSet (primary streaming to a standby), dropped afterwards.

    Import it into a test module (`from pgcluster import private_replica_set`) to use it there."""
    with PrivateReplicaSet() as rs:
        yield rs
