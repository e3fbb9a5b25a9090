"""One writer at a time per key (a business line), across a service's workers and instances.

Two events about one line applied in concurrent transactions can each miss the other's uncommitted
rows: escalation assigned an opportunity while its owner's person record was being stored, and
neither transaction saw the other, leaving the opportunity vacant for good. A handler that reads
what another may be writing takes the line's lock first; it is held until the transaction ends.

PostgreSQL: a transaction-scoped advisory lock, tried first (one statement when nobody holds it).
When it is held, a process whose psycopg2 is green (services.common.storage.green: every service
as ``services.serve`` runs it) waits for it inside PostgreSQL, bounded by ``lock_timeout``, and is
granted it the moment the holder's transaction ends; otherwise (a plain script) it polls with
eventlet's sleep, because a wait in a blocking psycopg2 would stop the very hub that lets the
holder finish. The wait asks the server nothing meanwhile and ends when the holder's does, not up
to 100 ms after (two instances' CPU an event measured the same either way: docs/performance.md).
Under READ COMMITTED each statement after it sees
what the previous holder committed. SQLite: the process's writer gate
(services.common.storage.db.WriterGate), which already makes one writer at a time.
"""

from __future__ import annotations

import time

import eventlet
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kamkit.errors import Unavailable
from services.common.storage import green
from services.common.storage.db import WriterGate

LOCK_TIMEOUT_S = 60.0
_TRY = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))")
_WAIT = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_LOCK_TIMEOUT = text("SELECT current_setting('lock_timeout'), set_config('lock_timeout', :ms, true)")
_RESTORE = text("SELECT set_config('lock_timeout', :before, true)")
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait


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
    if session.execute(_TRY, {"key": key}).scalar():
        return
    if green.is_green():
        _wait(session, key, timeout)
        return
    deadline, pause = time.monotonic() + timeout, 0.002
    while not session.execute(_TRY, {"key": key}).scalar():
        if time.monotonic() > deadline:
            raise _still_locked(key, timeout)
        eventlet.sleep(pause)
        pause = min(pause * 2, 0.1)


def _wait(session, key: str, timeout: float) -> None:
    """Wait for ``key`` inside PostgreSQL, at most ``timeout`` seconds; the transaction's own
    lock_timeout is put back after (a wait that times out aborts the transaction anyway)."""
    before, _ = session.execute(_LOCK_TIMEOUT, {"ms": f"{int(timeout * 1000)}ms"}).one()
    try:
        session.execute(_WAIT, {"key": key})
    except OperationalError as exc:
        if getattr(exc.orig, "pgcode", None) == LOCK_NOT_AVAILABLE:
            raise _still_locked(key, timeout) from exc
        raise
    session.execute(_RESTORE, {"before": before})


def _still_locked(key: str, timeout: float) -> Unavailable:
    return Unavailable(f"{key} stayed locked for {timeout:g} s; retry later", field="")
