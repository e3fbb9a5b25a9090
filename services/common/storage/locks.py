"""One writer at a time per key (a business line), across a service's workers and instances.

Two events about one line applied in concurrent transactions can each miss the other's uncommitted
rows: escalation assigned an opportunity while its owner's person record was being stored, and
neither transaction saw the other, leaving the opportunity vacant for good. A handler that reads
what another may be writing takes the line's lock first; it is held until the transaction ends.

PostgreSQL: a transaction-scoped advisory lock, tried and waited for with eventlet's sleep, so
the wait is green whether or not psycopg2 was made green (``nameko run`` patches it; a plain
script may not), and never blocks the hub that would let the holder finish. Under READ
COMMITTED each statement after it sees what the previous holder committed. SQLite: the
process's writer gate (services.common.storage.db.WriterGate), which already makes one writer at a time.
"""

from __future__ import annotations

import time

import eventlet
from sqlalchemy import text

from kamkit.errors import Unavailable
from services.common.storage.db import WriterGate

LOCK_TIMEOUT_S = 60.0
_TRY = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))")


def lock(session, key: str, timeout: float = LOCK_TIMEOUT_S, *, long: bool = False) -> None:
    """Hold ``key`` until the session's transaction commits or rolls back. ``long``: held
    through a long computation (a period's close); on SQLite a lock of its own instead of the
    writer gate, so the service's other writers are not held up meanwhile (it must then be
    taken before the transaction's first write, or two holders could wait on each other)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not long:
            WriterGate.hold(connection)
        elif not WriterGate.hold_key(connection, key, timeout):
            raise _still_locked(key, timeout)
        return
    deadline, pause = time.monotonic() + timeout, 0.002
    while not session.execute(_TRY, {"key": key}).scalar():
        if time.monotonic() > deadline:
            raise _still_locked(key, timeout)
        eventlet.sleep(pause)
        pause = min(pause * 2, 0.1)


def _still_locked(key: str, timeout: float) -> Unavailable:
    return Unavailable(f"{key} stayed locked for {timeout:.0f} s; retry later", field="")
