"""The unit of work (services.common.storage.uow): a change's rows commit together, its events
are published only after the commit, a failure leaves nothing written and nothing sent, an
idempotency key answers once, and an event id is applied once."""

import gc
import weakref

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from kamkit.errors import Conflict
from services.common.storage import migrations, uow
from services.common.storage.db import new_base

Base = new_base()
TABLES = uow.reliability(Base)


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    migrations.prepare(engine, Base.metadata)
    with sessionmaker(bind=engine)() as s:
        yield s
    engine.dispose()


class Published(list):
    """The dispatcher: records what was published and whether the change was committed by then."""

    def __init__(self, session):
        super().__init__()
        self.session = session

    def __call__(self, event_type, payload):
        outbox_rows = self.session.execute(select(TABLES.outbox.id)).all()
        self.append((event_type, payload["n"], len(outbox_rows)))


def _unit(session, published, key=None, digest="d1"):
    idempotency = None if key is None else uow.Idempotency(key, "m", digest)
    return uow.standalone(session, TABLES, published, "svc", idempotency)


def _count(session, table):
    return len(session.execute(select(table)).all())


def test_events_are_published_after_the_commit_and_the_rows_stand_together(session):
    published = Published(session)
    with _unit(session, published, key="k1") as u:
        u.emit("thing_changed", {"n": 1})
        u.emit("thing_changed", {"n": 2})
        u.audit("m", target="thing:1", after={"n": 2})
        u.answer({"ok": True})
        assert published == []  # nothing leaves before the commit
    # both published in order; each row was committed (and still claimed) when it was sent
    assert [(t, n) for t, n, _ in published] == [("thing_changed", 1), ("thing_changed", 2)]
    assert all(rows == 2 for _, _, rows in published)
    assert _count(session, TABLES.audit) == 1 and _count(session, TABLES.calls) == 1


def test_a_failure_writes_nothing_and_sends_nothing(session):
    published = Published(session)
    with pytest.raises(ValueError), _unit(session, published, key="k1") as u:
        u.emit("thing_changed", {"n": 1})
        u.audit("m", target="thing:1")
        u.answer({"ok": True})
        raise ValueError("the change fails half way")
    assert published == []
    assert [_count(session, t) for t in (TABLES.outbox, TABLES.audit, TABLES.calls)] == [0, 0, 0]


def test_an_idempotency_key_answers_once_and_refuses_another_request(session):
    published = Published(session)
    with _unit(session, published, key="k1") as u:
        assert u.earlier_answer() is None
        u.answer({"version": 1})
    with _unit(session, published, key="k1") as u:
        assert u.earlier_answer() == {"version": 1}  # the retry's answer, nothing written again
    with pytest.raises(Conflict) as refused, _unit(session, published, key="k1", digest="other") as u:
        u.earlier_answer()
    assert refused.value.errors[0]["field"] == "idempotency_key"
    assert _count(session, TABLES.calls) == 1


def test_an_event_id_is_applied_once(session):
    published = Published(session)
    with _unit(session, published) as u:
        assert u.first_time("e1", "thing_changed") is True
    with _unit(session, published) as u:
        assert u.first_time("e1", "thing_changed") is False  # a redelivery: skipped
        assert u.first_time("e2", "thing_changed") is True


def test_the_dependency_does_not_keep_the_call_alive():
    # the service instance holds the dependency and the worker's context holds the instance: the
    # dependency must not hold the context, or each call's arguments live until a collection
    class Context:
        pass

    context = Context()
    alive = weakref.ref(context)
    provider = uow.UnitsOfWork()
    context.uow = provider.get_dependency(context)  # the cycle's other half, as in a worker
    gc.disable()
    try:
        del context
        assert alive() is None
    finally:
        gc.enable()
