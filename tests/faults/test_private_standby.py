"""Failover on tests/faults/pgcluster.py's PrivateReplicaSet: a plain SQLAlchemy engine on the
multi-host URL (both servers, target_session_attrs=read-write, pool_pre_ping) writes to the
primary, the primary crashes, the standby is promoted, and the same engine writes to it: not one
committed row is lost, and no write lands anywhere while there is no primary."""

import os
import time

import pytest
from pgcluster import (
    CONF_ROOT,
    DATA_ROOT,
    LOG_DIR,
    PG_VERSION,
    PrivateReplicaSet,
    private_replica_set,  # noqa: F401 - fixture
)
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

pytestmark = pytest.mark.slow

N = 500  # rows committed before the crash
BATCH = 5  # rows a transaction
DETECTION_DELAY = 1.0  # s between the crash and promote(): stands in for a failover manager noticing


def _server(conn):
    return tuple(conn.execute(text("SELECT inet_server_port(), pg_is_in_recovery()")).one())


def _ids(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text("SELECT id FROM t"))}
    finally:
        engine.dispose()


def _insert(engine, ids):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (id) VALUES (:id)"), [{"id": i} for i in ids])


def test_crash_of_primary_then_promote_loses_no_committed_row(private_replica_set):
    rs = private_replica_set
    url = rs.create_database("failover")
    assert url.startswith("postgresql://postgres@/failover?host=127.0.0.1,127.0.0.1&port=")
    engine = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=0)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (id integer PRIMARY KEY, at timestamptz DEFAULT now())"))
        committed = set()
        for start in range(0, N, BATCH):
            batch = range(start, start + BATCH)
            _insert(engine, batch)
            committed.update(batch)
        # the pool holds four connections to the primary, all of which the crash will kill
        held = [engine.connect() for _ in range(4)]
        assert {_server(c) for c in held} == {(rs.primary.port, False)}
        for conn in held:
            conn.close()

        rs.wait_replayed()
        assert _ids(rs.standby_url("failover")) == committed

        stopped = time.monotonic()
        rs.stop_primary("immediate")
        stop_s = time.monotonic() - stopped
        # no primary now: the pool finds its connections dead, libpq finds the standby read-only
        with pytest.raises(OperationalError, match="read-only") as refused:
            _insert(engine, [-1])
        refused_s = time.monotonic() - stopped
        time.sleep(DETECTION_DELAY)

        promoting = time.monotonic()
        rs.promote()
        promoted = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            try:
                _insert(engine, range(N, N + BATCH))
                break
            except OperationalError:
                assert time.monotonic() - promoted < 30, "no write reached the promoted standby"
                time.sleep(0.01)
        written = time.monotonic()
        committed.update(range(N, N + BATCH))

        with engine.connect() as conn:
            assert _server(conn) == (rs.standby.port, False)
        for start in range(N + BATCH, N + 10 * BATCH, BATCH):  # and it goes on writing
            _insert(engine, range(start, start + BATCH))
            committed.update(range(start, start + BATCH))
        assert _ids(rs.standby_url("failover")) == committed  # 0 lost, and the refused write absent

        total = written - stopped
        print(
            f"\nfailover: stop_primary(immediate) {stop_s:.3f} s; write refused after {refused_s:.3f} s "
            f"({str(refused.value.orig).strip().splitlines()[-1]}); "
            f"promote() {promoted - promoting:.3f} s; first write {written - promoted:.3f} s after "
            f"promote() returned ({attempts} attempt(s)); stop -> first write {total:.3f} s, "
            f"{total - DETECTION_DELAY:.3f} s without the deliberate {DETECTION_DELAY} s before promote()"
        )
    finally:
        engine.dispose()


def test_replica_set_streams_and_close_leaves_nothing():
    with PrivateReplicaSet() as rs:
        names = (rs.primary.name, rs.standby.name)
        assert rs.standby.name.endswith("_standby") and rs.standby.port != rs.primary.port
        engine = create_engine(rs.standby_url())
        with engine.connect() as conn:
            assert _server(conn) == (rs.standby.port, True)  # a hot standby: reads, no writes
            assert conn.execute(text("SELECT status FROM pg_stat_wal_receiver")).scalar() == "streaming"
        engine.dispose()
    for name in names:
        for leftover in (
            f"{CONF_ROOT}/{name}",
            f"{DATA_ROOT}/{name}",
            f"{LOG_DIR}/postgresql-{PG_VERSION}-{name}.log",
        ):
            assert not os.path.exists(leftover)
