"""One writer at a time per key (a business line), across a service's workers and instances.

Two events about one line applied in concurrent transactions can each miss the other's uncommitted
rows: escalation assigned an opportunity while its owner's person record was being stored, and
neither transaction saw the other, leaving the opportunity vacant for good. A handler that reads
what another may be writing takes the line's lock first; it is held until the transaction ends.

PostgreSQL: a transaction-scoped advisory lock, tried and waited for greenly. (psycopg2 blocks
the OS thread, so a blocking wait would freeze every green thread of the service, including
the one holding the lock.) Under READ COMMITTED each statement after it sees what the previous
holder committed. SQLite: the process's writer gate (services.common.db.WriterGate), which
already makes one writer at a time.
"""
from __future__ import annotations

import time

import eventlet
from sqlalchemy import text

from shared.errors import Unavailable

from .db import WriterGate

LOCK_TIMEOUT_S = 60.0
_TRY = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))")


def lock(session, key: str, timeout: float = LOCK_TIMEOUT_S) -> None:
    """Hold ``key`` until the session's transaction commits or rolls back."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        WriterGate.hold(connection)
        return
    deadline, pause = time.monotonic() + timeout, 0.002
    while not session.execute(_TRY, {"key": key}).scalar():
        if time.monotonic() > deadline:
            raise Unavailable(f"{key} stayed locked for {timeout:.0f} s; retry later", field="")
        eventlet.sleep(pause)
        pause = min(pause * 2, 0.1)
