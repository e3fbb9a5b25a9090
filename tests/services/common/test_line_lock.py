"""The line lock on PostgreSQL (services.common.storage.locks), both ways it waits: inside
PostgreSQL when psycopg2 is green (every service as services.serve runs it), by polling with
eventlet's sleep when it is not (a wait in a blocking psycopg2 would stop the hub the holder needs).
Two sessions in two green threads of one process, as two workers of one service hold them."""

import eventlet
import pytest
import sqlalchemy as sa
from psycogreen.eventlet import eventlet_wait_callback
from psycopg2 import extensions
from sqlalchemy.orm import sessionmaker

from kamkit.errors import Unavailable
from services.common.storage import green
from services.common.storage.locks import lock


@pytest.fixture(params=["green", "blocking"])
def sessions(request, pg_url_factory):
    """Sessions on a fresh database, psycopg2 green or not for the test's length."""
    before = extensions.get_wait_callback()
    extensions.set_wait_callback(eventlet_wait_callback if request.param == "green" else None)
    engine = sa.create_engine(pg_url_factory("locks"))
    try:
        assert green.is_green() == (request.param == "green")
        yield sessionmaker(bind=engine)
    finally:
        engine.dispose()
        extensions.set_wait_callback(before)


def test_a_second_holder_waits_until_the_first_ends_and_then_holds_it(sessions):
    first, second = sessions(), sessions()
    order = []
    lock(first, "line:acme")
    order.append("first holds")

    def take():
        lock(second, "line:acme")
        order.append("second holds")
        second.commit()

    waiter = eventlet.spawn(take)
    eventlet.sleep(0.3)  # the waiter has asked and is waiting; this thread (the holder) still runs
    assert order == ["first holds"]
    first.commit()  # the transaction ends: the lock goes with it
    order.append("first ended")
    waiter.wait()
    assert order == ["first holds", "first ended", "second holds"]
    # another line's lock never waits for this one
    lock(first, "line:other")
    first.commit()


def test_a_lock_held_past_the_timeout_is_unavailable_and_nothing_stays_set(sessions):
    first, second = sessions(), sessions()
    lock(first, "line:acme")
    with pytest.raises(Unavailable, match="line:acme stayed locked for 0.3 s; retry later"):
        lock(second, "line:acme", timeout=0.3)
    second.rollback()
    first.commit()
    # once free it is taken at once, and a wait leaves the transaction's lock_timeout as it was
    lock(second, "line:acme", timeout=5)
    assert second.execute(sa.text("SELECT current_setting('lock_timeout')")).scalar() == "0"
    second.commit()


def test_a_wait_restores_the_lock_timeout_it_found(sessions):
    first, second = sessions(), sessions()
    lock(first, "line:acme")
    second.execute(sa.text("SET LOCAL lock_timeout = '7s'"))
    waiter = eventlet.spawn(lock, second, "line:acme", 5)
    eventlet.sleep(0.2)
    first.commit()
    waiter.wait()
    assert second.execute(sa.text("SELECT current_setting('lock_timeout')")).scalar() == "7s"
    second.commit()
