"""The unit of work: one change, written one way.

Every RPC and handler that changes a service's state writes through a ``UnitOfWork``::

    with self.uow(idempotency=Idempotency(key, "record_opportunity", digest)) as u:
        if (answer := u.earlier_answer()) is not None:
            return answer
        ...                                   # the change itself, on u.session
        u.audit(business_line=line, target=f"opportunity:{key}", after=doc)
        u.emit(E.RECORD_CHANGED, event)
        u.answer(response)                    # stored under the idempotency key
    return response

It owns the session's transaction, the audit entry (services.common.storage.audit), the
idempotency key's answer (``idempotent_calls``) and the outbox rows of the events the change
announces (services.common.storage.outbox), all written in the change's own transaction. On a
clean exit it commits and then publishes each event it emitted; an exception rolls everything
back and nothing is sent. An event's row is written already claimed by the unit, so after the
commit it is published here without a claim round; should the process die first, the claim's
lease runs out and the service's outbox timer sends it (subscribers drop a duplicate by id).
A handler asks ``first_time(event)`` first, so a redelivered event has one effect.

Storage only: it imports nothing of messaging, access or periods; the service hands it the
function that publishes (its ``SuiteDispatcher``).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import bindparam, insert, select

from kamkit.errors import Conflict
from services.common.storage import audit as audit_trail
from services.common.storage import outbox
from services.common.storage.db import ServiceDatabase, first_time, reliability_tables

Dispatch = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Tables:
    """A service's reliability tables on its declarative base (services.common.storage.db)."""

    applied: type  # AppliedEvent: event ids applied here
    calls: type  # IdempotentCall: idempotency keys and their answers
    outbox: type  # OutboxEvent: events still to send
    audit: type  # AuditEntry: the append-only audit trail


def reliability(base) -> Tables:
    """The four tables every service has, on its declarative base."""
    applied, calls, outbox = reliability_tables(base)
    return Tables(applied=applied, calls=calls, outbox=outbox, audit=audit_trail.audit_table(base))


@dataclass(frozen=True)
class Idempotency:
    """A call's idempotency key as stored (already scoped, e.g. per business line), the method
    and the request's digest (services.common.storage.db.request_hash)."""

    key: str
    method: str
    digest: str


@dataclass(frozen=True)
class EarlierAnswer:
    """What an idempotency key answered the first time."""

    request_hash: str
    response: Any


@dataclass
class _Emitted:
    row_id: int
    event_type: str
    payload: Mapping[str, Any]


@dataclass
class UnitOfWork:
    session: Any
    tables: Tables
    dispatch: Dispatch
    writer: audit_trail.Writer
    idempotency: Idempotency | None = None
    emitted: list[_Emitted] = field(default_factory=list)
    committed: bool = False

    # --- inside the change ------------------------------------------------------------------

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.rollback()
            return False
        if not self.committed:
            self.commit()
        return False

    def first_time(self, event_id: str, event_type: str) -> bool:
        """Claim an event id in this transaction; False if it was applied before (the change is
        then skipped and its redelivery has no effect)."""
        return first_time(self.session, self.tables.applied, event_id, event_type)

    def earlier_answer(self) -> Any:
        """The answer this call's idempotency key got the first time, or None. The same key with
        another request is a Conflict naming ``idempotency_key``."""
        if self.idempotency is None:
            return None
        row = self.session.execute(_earlier(self.tables.calls), {"key": self.idempotency.key}).first()
        return None if row is None else self.replay(EarlierAnswer(row.request_hash, row.response))

    def replay(self, earlier: EarlierAnswer) -> Any:
        """The earlier answer, if it was given to the same request (services that read it
        together with other rows, in one round trip, hand it in here)."""
        if earlier.request_hash != self.idempotency.digest:
            raise Conflict("idempotency key already used with a different request", field="idempotency_key")
        return earlier.response

    def stored_answer(self) -> Any:
        """After a lost race on the key (IntegrityError, rolled back): the winner's answer, or None."""
        if self.idempotency is None:
            return None
        row = self.session.get(self.tables.calls, self.idempotency.key)
        return None if row is None else self.replay(EarlierAnswer(row.request_hash, row.response))

    def answer(self, response: Any) -> Any:
        """Store the call's answer under its idempotency key (none: nothing to store)."""
        if self.idempotency is not None:
            self.session.execute(_insert(self.tables.calls), self.answer_row(response))
        return response

    def answer_row(self, response: Any) -> dict[str, Any]:
        """The idempotency row's values, for a caller that writes it in a statement of its own."""
        i = self.idempotency
        return dict(key=i.key, method=i.method, request_hash=i.digest, response=response)

    def audit(self, action: str | None = None, **entry: Any) -> None:
        """The change's audit entry (who, what, before and after), in its transaction."""
        self.writer.done(self.session, action, **entry)

    def audit_row(self, action: str | None = None, **entry: Any) -> dict[str, Any]:
        """The audit entry's values, for a caller that writes it in a statement of its own."""
        return self.writer.entry(action, **entry)

    def emit(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """Announce an event of this change: its outbox row now, its publish after the commit."""
        self.adopt(
            outbox.claim_own(self.session, self.tables.outbox, event_type, payload), event_type, payload
        )

    def adopt(self, row_id: int, event_type: str, payload: Mapping[str, Any]) -> None:
        """An outbox row the caller wrote itself, claimed as ``outbox.OWN`` (intake's one-statement
        create): published after the commit like an emitted one."""
        self.emitted.append(_Emitted(row_id, event_type, payload))

    # --- the end ----------------------------------------------------------------------------

    def commit(self) -> None:
        """Commit, then publish every event emitted. A publish that fails leaves its row to the
        outbox timer (logged); the change stands and so does the caller's answer."""
        self.session.commit()
        self.committed = True
        emitted, self.emitted = self.emitted, []
        for event in emitted:
            outbox.send_own(
                self.session,
                self.tables.outbox,
                self.dispatch,
                row_id=event.row_id,
                event_type=event.event_type,
                payload=event.payload,
            )

    def rollback(self) -> None:
        self.session.rollback()
        self.emitted = []


# built once per table: building a statement costs about as much CPU as running it
_earlier = functools.cache(
    lambda calls: select(calls.request_hash, calls.response).where(calls.key == bindparam("key"))
)
_insert = functools.cache(insert)


class UnitsOfWork(DependencyProvider):
    """``self.uow(...)`` in a service: a new UnitOfWork on the worker's session.

    The service class names its tables (``tables = Tables(...)``) and has a ``ServiceDatabase``
    and a ``SuiteDispatcher``; the unit is made when the worker asks, so the worker's session and
    its dispatcher exist by then."""

    def get_dependency(self, worker_ctx):
        # a weak reference: the service instance holds this function and the worker's context
        # holds the instance, so a strong one would be a cycle keeping the call's arguments (a
        # batch's 5,000 records) alive until the next garbage collection (+20 MiB in the batch
        # bench)
        return functools.partial(self.open, weakref.ref(worker_ctx))

    def open(self, worker_ref, idempotency: Idempotency | None = None) -> UnitOfWork:
        worker_ctx = worker_ref()
        container = self.container
        database = next(d for d in container.dependencies if isinstance(d, ServiceDatabase))
        dispatcher = next((d for d in container.dependencies if d.attr_name == "dispatch"), None)
        service = container.service_cls
        return UnitOfWork(
            session=database.session_of(worker_ctx),
            tables=service.tables,
            dispatch=_publishes_nothing if dispatcher is None else dispatcher.get_dependency(worker_ctx),
            writer=audit_trail.Writer(
                service.tables.audit, container.service_name, worker_ctx.context_data, worker_ctx.call_id
            ),
            idempotency=idempotency,
        )


def _publishes_nothing(event_type: str, _payload) -> None:
    raise RuntimeError(f"this service has no dispatcher: it cannot announce {event_type}")


def standalone(
    session, tables: Tables, dispatch: Dispatch, service: str, idempotency: Idempotency | None = None
) -> UnitOfWork:
    """A unit outside a running service (tools, tests): the principal is nobody ('-')."""
    return UnitOfWork(
        session=session,
        tables=tables,
        dispatch=dispatch,
        writer=audit_trail.Writer(tables.audit, service, {}, ""),
        idempotency=idempotency,
    )


def for_worker(worker):
    """``worker.uow`` for a service instance made outside a container (nameko's worker_factory
    in tests): standalone units on its ``db.session``, publishing through its ``dispatch`` (a
    mock there, looked up at each publish). Answers the worker."""
    service = type(worker)

    def open_unit(idempotency: Idempotency | None = None) -> UnitOfWork:
        def dispatch(event_type, payload):
            worker.dispatch(event_type, payload)

        return standalone(worker.db.session, service.tables, dispatch, service.name, idempotency)

    worker.uow = open_unit
    return worker
