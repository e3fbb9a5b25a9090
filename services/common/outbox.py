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

import logging
import uuid
from datetime import timedelta
from typing import Callable

from sqlalchemy import and_, or_

log = logging.getLogger("kam.outbox")

LEASE = timedelta(seconds=120)
BATCH = 100


def send_outbox(session, OutboxEvent, dispatch: Callable[[str, dict], None], limit: int = 1000) -> int:
    """Publish unsent events in id order and delete them; returns how many were sent."""
    from .db import utcnow

    token = uuid.uuid4().hex
    sent = 0
    while sent < limit:
        now = utcnow()
        free = or_(OutboxEvent.claim.is_(None), OutboxEvent.claimed_until < now)
        ids = [i for (i,) in session.query(OutboxEvent.id).filter(free)
               .order_by(OutboxEvent.id).limit(min(BATCH, limit - sent))]
        if not ids:
            session.commit()
            break
        session.query(OutboxEvent).filter(and_(OutboxEvent.id.in_(ids), free)).update(
            {OutboxEvent.claim: token, OutboxEvent.claimed_until: now + LEASE},
            synchronize_session=False)
        session.commit()
        rows = session.query(OutboxEvent).filter_by(claim=token).order_by(OutboxEvent.id).all()
        try:
            for row in rows:
                dispatch(row.event_type, row.payload)
                session.query(OutboxEvent).filter_by(id=row.id, claim=token).delete(synchronize_session=False)
                session.commit()
                sent += 1
        except Exception:
            # the broker is away: hand the rest back at once, so the next sender (the timer, or the
            # next call once the broker is back) sends them in order instead of after the lease
            _release(session, OutboxEvent, token)
            raise
    return sent


def _release(session, OutboxEvent, token: str) -> None:
    try:
        session.rollback()
        session.query(OutboxEvent).filter_by(claim=token).update(
            {OutboxEvent.claim: None, OutboxEvent.claimed_until: None}, synchronize_session=False)
        session.commit()
    except Exception as exc:  # noqa: BLE001 - the database is away too: the lease covers it
        session.rollback()
        log.warning("could not release claimed outbox rows (%s); they go again when the lease ends", exc)


def send_after_commit(session, OutboxEvent, dispatch) -> None:
    """Send what a call just committed; a broker outage is logged, not raised: the change is
    committed, the caller's answer stands, and the outbox timer sends it later."""
    try:
        send_outbox(session, OutboxEvent, dispatch)
    except Exception as exc:  # noqa: BLE001
        session.rollback()
        log.warning("events left in the outbox for the timer (%s: %s)", type(exc).__name__, exc)
