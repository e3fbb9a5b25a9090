"""The outbox sends each event once with many senders at work, on SQLite and PostgreSQL, and keeps
only what is still to send (so a claim never wades through history)."""

from datetime import timedelta

import eventlet
import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from services.common.storage import outbox
from services.common.storage.db import _engine_options, _sqlite_pragmas, new_base, reliability_tables, utcnow

Base = new_base()
_, _, OutboxEvent = reliability_tables(Base)

EVENTS, SENDERS = 300, 10


def _sessions(url):
    engine = create_engine(url, **_engine_options(url))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return engine, sessionmaker(bind=engine)


def _race(url):
    engine, Session = _sessions(url)
    sent = []

    def dispatch(event_type, payload):
        eventlet.sleep(0)  # a publish yields to the other senders, as a broker round trip does
        sent.append(payload["n"])

    def writer():
        session = Session()
        for n in range(EVENTS):
            session.add(OutboxEvent(event_type="e", payload={"n": n}))
            session.commit()
            eventlet.sleep(0)
        session.close()

    def sender():
        session = Session()
        for _ in range(EVENTS):
            outbox.send_outbox(session, OutboxEvent, dispatch)
            eventlet.sleep(0)
        session.close()

    pool = eventlet.GreenPool()
    pool.spawn(writer)
    for _ in range(SENDERS):
        pool.spawn(sender)
    pool.waitall()
    final = Session()
    outbox.send_outbox(final, OutboxEvent, dispatch)  # whatever the race left: none expected
    left = final.query(OutboxEvent).count()
    final.close()
    engine.dispose()
    return sent, left


def test_each_event_is_sent_once_by_ten_senders_on_sqlite(tmp_path):
    sent, left = _race(f"sqlite:///{tmp_path / 'outbox.db'}")
    assert sorted(sent) == list(range(EVENTS))  # none lost, none twice
    assert left == 0  # sent rows are deleted: the next claim reads only unsent rows


def test_each_event_is_sent_once_by_ten_senders_on_postgres(pg_url_factory):
    sent, left = _race(pg_url_factory("outbox"))
    assert sorted(sent) == list(range(EVENTS))
    assert left == 0


def test_a_failed_publish_hands_rows_back_and_a_dead_sender_s_rows_go_after_the_lease(tmp_path):
    engine, Session = _sessions(f"sqlite:///{tmp_path / 'outbox.db'}")
    session = Session()
    session.add_all([OutboxEvent(event_type="e", payload={"n": n}) for n in range(3)])
    session.commit()

    def crash(event_type, payload):
        raise ConnectionError("broker gone")

    with pytest.raises(ConnectionError):
        outbox.send_outbox(session, OutboxEvent, crash)
    session.rollback()
    sent = []
    # a publish that fails hands the rows back at once: the next sender sends them, in order
    outbox.send_outbox(Session(), OutboxEvent, lambda t, p: sent.append(p["n"]))
    assert sent == [0, 1, 2]
    # a sender that died after claiming (no chance to hand back) keeps them until its lease ends
    session.add_all([OutboxEvent(event_type="e", payload={"n": n}) for n in (3, 4)])
    session.commit()
    session.query(OutboxEvent).update(
        {OutboxEvent.claim: "dead", OutboxEvent.claimed_until: utcnow() + timedelta(seconds=60)}
    )
    session.commit()
    outbox.send_outbox(Session(), OutboxEvent, lambda t, p: sent.append(p["n"]))
    assert sent == [0, 1, 2]  # still leased to the sender that died
    session.query(OutboxEvent).update({OutboxEvent.claimed_until: utcnow() - timedelta(seconds=1)})
    session.commit()
    outbox.send_outbox(Session(), OutboxEvent, lambda t, p: sent.append(p["n"]))
    assert sent == [0, 1, 2, 3, 4]  # sent again once the lease ran out (subscribers drop duplicates)
    engine.dispose()
