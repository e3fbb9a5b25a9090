"""Sending the outbox: each event once in normal running, at a cost that does not grow with
history.

A sender claims a batch of unsent rows with one conditional UPDATE (``claim IS NULL`` or an
expired lease), which only one sender can win per row on SQLite and PostgreSQL alike; it then
publishes each claimed row (with broker confirms) and deletes it. The table therefore holds only
events still to send, and the claim reads the head of the id index whatever was sent before. A
sender that dies between publishing and deleting leaves its rows claimed; once the lease expires
another sender publishes them again (subscribers drop the duplicate by event_id).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import and_, insert, inspect, or_, select

from services.common.storage.db import utcnow

log = logging.getLogger("kam.outbox")

LEASE = timedelta(seconds=120)
BATCH = 100


def send_outbox(session, OutboxEvent, dispatch: Callable[[str, dict], None], limit: int = 1000) -> int:
    """Publish unsent events in id order and delete them; returns how many were sent.

    Per batch: one UPDATE claims it (a sub-select picks the oldest free rows; the outer condition
    re-checks each, so two senders never both win a row), one SELECT reads it, the events are
    published, one DELETE removes them."""

    _delete_sent(session, OutboxEvent)
    token = uuid.uuid4().hex
    sent = 0
    while sent < limit:
        now = utcnow()
        free = or_(OutboxEvent.claim.is_(None), OutboxEvent.claimed_until < now)
        size = min(BATCH, limit - sent)
        oldest = select(OutboxEvent.id).where(free).order_by(OutboxEvent.id).limit(size)
        claimed = (
            session.query(OutboxEvent)
            .filter(and_(OutboxEvent.id.in_(oldest), free))
            .update(
                {OutboxEvent.claim: token, OutboxEvent.claimed_until: now + LEASE}, synchronize_session=False
            )
        )
        session.commit()
        if not claimed:
            break
        rows = (
            session.query(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.payload)
            .filter_by(claim=token)
            .order_by(OutboxEvent.id)
            .all()
        )
        done = []
        try:
            for row_id, event_type, payload in rows:
                dispatch(event_type, payload)
                done.append(row_id)
        except Exception:
            # the broker is away: forget what went out, hand the rest back at once, so the next
            # sender (the timer, or the next call once the broker is back) sends them in order
            _release(session, OutboxEvent, token, done)
            raise
        session.query(OutboxEvent).filter(OutboxEvent.claim == token).delete(synchronize_session=False)
        session.commit()
        sent += len(done)
        if claimed < size:  # nothing more was free when this batch was claimed
            break
    return sent


def _release(session, OutboxEvent, token: str, done=()) -> None:
    try:
        session.rollback()
        if done:
            session.query(OutboxEvent).filter(OutboxEvent.id.in_(list(done))).delete(
                synchronize_session=False
            )
        session.query(OutboxEvent).filter_by(claim=token).update(
            {OutboxEvent.claim: None, OutboxEvent.claimed_until: None}, synchronize_session=False
        )
        session.commit()
    except Exception as exc:  # the database is away too: the lease covers it
        session.rollback()
        log.warning("could not release claimed outbox rows (%s); they go again when the lease ends", exc)


def claim_own(session, OutboxEvent, event_type: str, payload: dict) -> int:
    """Write an event to the outbox in the caller's transaction, already claimed by the caller
    (send it with ``send_own`` after the commit); returns its row id. Should the caller die
    before sending, the lease runs out and the timer's ``send_outbox`` sends it."""
    now = utcnow()
    return session.execute(
        _insert(OutboxEvent),
        dict(event_type=event_type, payload=payload, created_at=now, claim=OWN, claimed_until=now + LEASE),
    ).inserted_primary_key[0]


@functools.cache
def _insert(OutboxEvent):
    """One INSERT statement per outbox table (building one per call costs as much as running it)."""
    return insert(OutboxEvent)


def add_own(session, OutboxEvent, event_type: str, payload: dict):
    """``claim_own`` for code that works with ORM objects: the row goes in with the session's next
    flush; ``send_added`` publishes it after the commit."""
    now = utcnow()
    row = OutboxEvent(
        event_type=event_type, payload=payload, created_at=now, claim=OWN, claimed_until=now + LEASE
    )
    session.add(row)
    session.info.setdefault(_ADDED, []).append(row)
    return row


def send_added(session, OutboxEvent, dispatch) -> None:
    """After a commit: publish the rows ``add_own`` put in this session (those that were committed;
    a rolled-back row has no identity and is dropped)."""
    for row in session.info.pop(_ADDED, []):
        identity = inspect(row).identity
        if identity is not None:
            send_own(
                session,
                OutboxEvent,
                dispatch,
                row_id=identity[0],
                event_type=row.event_type,
                payload=row.payload,
            )


def send_own(session, OutboxEvent, dispatch, *, row_id: int, event_type: str, payload: dict) -> None:
    """Publish the event a call just committed (``claim_own``): one publish, no statement; its row
    is deleted with others by the process's next ``send_outbox``. A broker outage hands the row
    back to the timer at once."""
    try:
        dispatch(event_type, payload)
    except Exception as exc:  # committed: the answer stands, the timer sends it
        session.rollback()
        log.warning("event left in the outbox for the timer (%s: %s)", type(exc).__name__, exc)
        _release_rows(session, OutboxEvent, [row_id])
        return
    _sent(session, OutboxEvent).add(row_id)


# Rows published by their own call and not deleted yet, per database and outbox table of this
# process (several services can share a process in tests, each with its own database).
_SENT: dict[tuple[str, str], set[int]] = {}
_ADDED = "kam_outbox_added"
OWN = "own"


def _sent(session, OutboxEvent) -> set[int]:
    return _SENT.setdefault((str(session.get_bind().url), OutboxEvent.__table__.name), set())


def _delete_sent(session, OutboxEvent, chunk: int = 900) -> None:
    ids = _sent(session, OutboxEvent)
    while ids:
        batch = [ids.pop() for _ in range(min(chunk, len(ids)))]
        try:
            session.query(OutboxEvent).filter(OutboxEvent.id.in_(batch)).delete(synchronize_session=False)
            session.commit()
        except Exception as exc:  # sent already; deleted next time (or resent
            session.rollback()  # when the lease ends, and dropped by subscribers as a duplicate)
            ids.update(batch)
            log.warning("could not delete %d sent outbox rows yet (%s)", len(batch), exc)
            return


def _release_rows(session, OutboxEvent, ids) -> None:
    try:
        session.query(OutboxEvent).filter(OutboxEvent.id.in_(list(ids))).update(
            {OutboxEvent.claim: None, OutboxEvent.claimed_until: None}, synchronize_session=False
        )
        session.commit()
    except Exception as exc:  # the database is away too: the lease covers it
        session.rollback()
        log.warning("could not hand outbox rows back (%s); they go when the lease ends", exc)


def send_after_commit(session, OutboxEvent, dispatch) -> None:
    """Send what a call just committed; a broker outage is logged, not raised: the change is
    committed, the caller's answer stands, and the outbox timer sends it later."""
    try:
        send_outbox(session, OutboxEvent, dispatch)
    except Exception as exc:
        session.rollback()
        log.warning("events left in the outbox for the timer (%s: %s)", type(exc).__name__, exc)
