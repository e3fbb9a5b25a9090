"""SQLite lets one transaction write at a time and makes a second writer wait in its busy
handler, which sleeps in C: under eventlet that freezes every green thread of the service,
including the writer being waited for. services.common.storage.db.WriterGate makes writers of one
process queue as green threads instead."""

from __future__ import annotations

import eventlet
import sqlalchemy as sa

from services.common.storage.db import WriterGate


def two_writers(tmp_path, gate: bool) -> dict:
    """Writer A takes the write lock and, mid-transaction, yields to the hub for 0.3 s (as a
    close does between chunks of lines); writer B writes meanwhile. Returns what happened."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/gate.db", connect_args={"timeout": 1})
    if gate:
        WriterGate(timeout=10).watch(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (who TEXT)"))
    happened = {}

    def a():
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO t VALUES ('a')"))
            eventlet.sleep(0.3)
        happened["a"] = "committed"

    def b():
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO t VALUES ('b')"))
            happened["b"] = "committed"
        except sa.exc.OperationalError as exc:
            happened["b"] = str(exc.orig)

    first = eventlet.spawn(a)
    eventlet.sleep(0.05)  # A holds the lock
    second = eventlet.spawn(b)
    first.wait(), second.wait()
    with engine.connect() as conn:
        happened["rows"] = sorted(r[0] for r in conn.execute(sa.text("SELECT who FROM t")))
    engine.dispose()
    return happened


def test_without_the_gate_the_second_writer_freezes_the_hub_and_fails(tmp_path):
    # the case the gate exists for: B's busy wait blocks A's green thread, so A cannot commit
    # within B's 1 s timeout and B fails with "database is locked"
    happened = two_writers(tmp_path, gate=False)
    assert "locked" in happened["b"] and happened["rows"] == ["a"]


def test_with_the_gate_writers_queue_and_both_commit(tmp_path):
    happened = two_writers(tmp_path, gate=True)
    assert happened == {"a": "committed", "b": "committed", "rows": ["a", "b"]}
