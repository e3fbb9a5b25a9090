"""Database plumbing every service shares: a declarative base per service, tables created on
start, and the three reliability tables (applied events, idempotency keys, event outbox).

Each service owns its database: nameko-sqlalchemy reads ``DB_URIS["<service>:Base"]`` from the
service's config (services/<name>/config.yaml: an SQLite file by default, PostgreSQL by URL).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import weakref
from datetime import UTC, datetime
from typing import Any

import orjson
from eventlet.semaphore import Semaphore
from nameko_sqlalchemy import Database
from sqlalchemy import JSON, Column, DateTime, Integer, String, event
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import declarative_base
from sqlalchemy.pool import QueuePool

from services.common.storage import migrations


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def reliability_tables(Base) -> tuple[type, type, type]:
    """(AppliedEvent, IdempotentCall, OutboxEvent) models on the given declarative Base."""

    class AppliedEvent(Base):
        """An event id this service has applied: a redelivery of it is ignored."""

        __tablename__ = "applied_events"
        event_id = Column(String(64), primary_key=True)
        event_type = Column(String(64), nullable=False)
        applied_at = Column(DateTime, nullable=False, default=utcnow)

    class IdempotentCall(Base):
        """A caller's idempotency key with the answer it got: a retry gets the same answer."""

        __tablename__ = "idempotent_calls"
        key = Column(String(200), primary_key=True)
        method = Column(String(64), nullable=False)
        request_hash = Column(String(64), nullable=False)
        response = Column(JSON, nullable=False)
        created_at = Column(DateTime, nullable=False, default=utcnow)

    class OutboxEvent(Base):
        """Events written in the same transaction as the change they announce and deleted once
        sent (services.common.storage.outbox), so the table holds only what is still to send."""

        __tablename__ = "outbox"
        id = Column(Integer, primary_key=True, autoincrement=True)
        event_type = Column(String(64), nullable=False)
        payload = Column(JSON, nullable=False)
        created_at = Column(DateTime, nullable=False, default=utcnow)
        claim = Column(String(32), nullable=True, index=True)  # the sender holding the row
        claimed_until = Column(DateTime, nullable=True)  # after this, another sender may take it

    return AppliedEvent, IdempotentCall, OutboxEvent


class ServiceDatabase(Database):
    """nameko-sqlalchemy's Database that also brings the service's database to its newest
    schema when it starts (services.common.storage.migrations: the Base names its service).

    PostgreSQL connections idle for a second are checked before use (``ping_when_idle``), so a
    database restart costs the calls made while it is down, not every pooled connection
    afterwards. SQLite runs in WAL mode with a busy timeout, so concurrent workers wait for the
    writer instead of failing with "locked"."""

    def setup(self):
        self.engine_options = {
            **self.engine_options,
            **_engine_options(
                self.container.config["DB_URIS"][
                    f"{self.container.service_name}:{self.declarative_base.__name__}"
                ],
                int(self.container.config.get("max_workers") or 10),
            ),
        }
        super().setup()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            WriterGate.of(self.engine)
        else:
            ping_when_idle(self.engine)
        migrations.prepare(self.engine, self.declarative_base.metadata)

    def session_of(self, worker_ctx):
        """The worker's session (the one ``self.db.session`` is in the worker)."""
        return self.dbs[worker_ctx].session

    def worker_teardown(self, worker_ctx):
        """Close the worker's sessions. Closing rolls back what is open, and when the database
        has just gone away that rollback fails; raised here, nameko treats it as fatal and the
        whole service stops (it did, under a PostgreSQL restart). The session's connections are
        thrown away instead, and the pool opens new ones once the database is back."""
        db = self.dbs.pop(worker_ctx, None)
        if db is None:
            return
        for session in [db._worker_session, *db._context_sessions]:
            if session is None:
                continue
            try:
                session.close()
            except Exception as exc:  # a dead connection: nothing left to roll back
                log.warning(
                    "database connection lost while closing a worker's session (%s: %s); discarded",
                    type(exc).__name__,
                    exc,
                )
                try:
                    session.invalidate()
                except Exception:
                    pass


SQLITE_BUSY_TIMEOUT_S = 30
log = logging.getLogger("kam.db")


def _engine_options(url: str, workers: int = 10) -> dict[str, Any]:
    # JSON columns are read with orjson (~4x the stdlib): a large close reads a document a record;
    # they are still written by the stdlib encoder, whose output orjson reads back exactly
    options: dict[str, Any] = {"json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
        if ":memory:" not in url and url.rstrip("/") != "sqlite:":
            # SQLAlchemy 1.4 gives a SQLite file NullPool: a connection opened (and put in WAL
            # mode) for every call, an eighth of intake's CPU in the demo. Pooled instead; all
            # green threads share one OS thread, and no pool limit makes a worker wait.
            options.update(poolclass=QueuePool, pool_size=10, max_overflow=-1)
        return options
    # a connection for every worker and the timers: with the default 5 (+10 overflow) each busy
    # moment opened and closed PostgreSQL connections, an eighth of intake's time at 10 callers
    return {**options, "pool_size": workers + 2, "max_overflow": 10}


PING_IDLE_S = 1.0  # no database restarts faster: a connection used since cannot have outlived one


def ping_when_idle(engine) -> None:
    """Check a pooled connection before use only when it has lain idle ``PING_IDLE_S`` or more.
    A database restart then costs the calls made while it is down, not a failure on each pooled
    connection afterwards, as SQLAlchemy's ``pool_pre_ping`` gives; but a busy service no longer
    pays a round trip on every call for it (5% of intake's CPU). A dead connection found here is
    replaced by a new one before the call sees it; one that dies in use invalidates the pool."""

    def fresh(_dbapi_connection, record, *_):
        record.info["kam_idle_since"] = time.monotonic()

    def checkout(dbapi_connection, record, _proxy):
        since = record.info.get("kam_idle_since")
        if since is not None and time.monotonic() - since < PING_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as exc:  # any failure: this connection is not usable
            raise DisconnectionError(f"pooled connection is dead ({type(exc).__name__})") from exc

    event.listen(engine.pool, "connect", fresh)
    event.listen(engine.pool, "checkin", fresh)
    event.listen(engine.pool, "checkout", checkout)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    # synchronous stays FULL: a committed record of someone's pay survives a power cut too
    cursor.close()


class WriterGate:
    """One SQLite writer at a time in this process, waited for greenly.

    SQLite allows one write transaction per file; a second writer waits in the busy handler,
    which sleeps in C and so freezes the whole eventlet hub: every green thread of the service,
    including the writer it waits for, for up to the busy timeout. (A month close writing its
    lines while the outbox timer tried to claim a row took 183 s instead of 30.) The gate is taken
    before a transaction's first write and given back when it ends, so writers queue as green
    threads and the busy handler is left for other processes on the same file."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
    _gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its gate

    def __init__(self, timeout: float = SQLITE_BUSY_TIMEOUT_S):
        self.semaphore, self.timeout = Semaphore(1), timeout
        self.keyed: dict[str, Semaphore] = {}  # services.common.storage.locks, long holds

    @classmethod
    def of(cls, engine) -> WriterGate:
        """The engine's gate, watching it from the first call."""
        if engine not in cls._gates:
            cls._gates[engine] = gate = cls()
            gate.watch(engine)
        return cls._gates[engine]

    @classmethod
    def hold(cls, connection) -> None:
        """Take the gate for this connection's transaction before its first write, so what it
        reads next is what the last writer committed (services.common.storage.locks)."""
        gate = cls._gates.get(connection.engine)
        if gate is not None:
            gate._take(connection, "(held for a read-then-write)", None)

    @classmethod
    def hold_key(cls, connection, key: str, timeout: float) -> bool:
        """Take this process's lock on ``key`` for the connection's transaction, without the
        gate (a close holds its period through a long computation; the other writers go on).
        False if it was not free within ``timeout``."""
        gate = cls._gates.get(connection.engine)
        held = connection.info.setdefault("kam_keys", {})
        if gate is None or key in held:
            return True
        semaphore = gate.keyed.setdefault(key, Semaphore(1))
        if not semaphore.acquire(timeout=timeout):
            return False
        held[key] = semaphore
        return True

    def watch(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        event.listen(engine.pool, "reset", self._reset)
        event.listen(engine.pool, "close", self._reset)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip()[:7].upper().startswith(self.WRITES):
            return
        self._take(conn, statement, parameters)

    def _take(self, conn, statement, parameters):
        if conn.info.get("writer_gate"):
            return
        if not self.semaphore.acquire(timeout=self.timeout):
            raise OperationalError(statement, parameters, Exception("database is locked (writer gate)"))
        conn.info["writer_gate"] = True

    def _end(self, conn):
        self._release(conn.info)

    def _reset(self, dbapi_connection, record, *args):
        if record is not None:
            self._release(record.info)

    def _release(self, info):
        if info.pop("writer_gate", False):
            self.semaphore.release()
        for semaphore in info.pop("kam_keys", {}).values():
            semaphore.release()


def request_hash(method: str, payload: Any) -> str:
    text = json.dumps([method, payload], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_time(session, AppliedEvent, event_id: str, event_type: str) -> bool:
    """Claim an event id inside the current transaction; False if it was applied before.

    The claim commits with the handler's own changes, so a crash before commit leaves the event
    unclaimed (it is redelivered and applied once), and a committed one is never applied twice.
    """
    if session.get(AppliedEvent, event_id) is not None:
        return False
    session.add(AppliedEvent(event_id=event_id, event_type=event_type))
    try:
        session.flush()
    except IntegrityError:  # another instance claimed it between our read and our write
        session.rollback()
        return False
    return True


def new_base(migrations: str | None = None):
    """A service's declarative base; ``migrations``: the service whose Alembic revisions
    (services/<name>/migrations) build these tables. Without, the tables are created as they
    are (test and bench services)."""
    base = declarative_base()
    if migrations is not None:
        base.metadata.info["migrations"] = migrations
    return base


__all__ = ["ServiceDatabase", "reliability_tables", "first_time", "request_hash", "new_base", "utcnow"]
