"""Two events about one line applied side by side on PostgreSQL, in real OS threads with their
own connections (as two instances of the service would).

The person record of an account manager and an opportunity in her branch arrive together. Before
the line lock (services.common.locks) the opportunity's transaction looked for a holder of the
role and found none (the person was not committed), the person's transaction looked for vacant
opportunities and found none (the opportunity was not committed either): the opportunity stayed
without an owner for good, and nobody was docked or paid for it.
"""
import eventlet
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from sqlalchemy.orm import sessionmaker

from conftest import record_event
from services.escalation.models import Base, Opportunity
from services.escalation.service import EscalationService

threading = eventlet.patcher.original("threading")
time = eventlet.patcher.original("time")


class Db:
    def __init__(self, session):
        self.session = session


def test_an_opportunity_and_its_owner_applied_together_end_assigned(pg_url_factory):
    engine = sa.create_engine(pg_url_factory("escalation"))
    Base.metadata.create_all(engine)
    worker = lambda: worker_factory(EscalationService, db=Db(sessionmaker(bind=engine)()))  # noqa: E731
    worker().on_record_changed(record_event("business_line", {"key": "acme", "plugin": "acme-flat"}))

    # the person's transaction is held open just before it commits
    person, at_commit, go_on = worker(), threading.Event(), threading.Event()
    commit = person.db.session.commit
    person.db.session.commit = lambda: (at_commit.set(), go_on.wait(30), commit())
    a = threading.Thread(target=person.on_record_changed, args=(
        record_event("person", {"id": "am1", "role": "account_manager", "branch": "b1"}),))
    a.start()
    assert at_commit.wait(30)

    # acme-flat: 30,000 is small, owned by the account manager of its branch (none named)
    opportunity = worker()
    b = threading.Thread(target=opportunity.on_record_changed, args=(record_event(
        "opportunity", {"id": "o1", "amount": 30000, "discovered": "2026-03-02", "branch": "b1"}),))
    b.start()
    time.sleep(0.5)
    assert b.is_alive(), "the opportunity was applied while the line's person record was uncommitted"
    go_on.set()
    a.join(30), b.join(30)
    assert not a.is_alive() and not b.is_alive()

    with sessionmaker(bind=engine)() as session:
        row = session.get(Opportunity, ("acme", "o1"))
        assert (row.owner_role, row.owner) == ("account_manager", "am1")
    engine.dispose()
