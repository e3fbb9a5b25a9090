"""Two events about one line applied side by side on PostgreSQL (tests/side_by_side.py).

The person record of an account manager and an opportunity in her branch arrive together. Before
the line lock (services.common.storage.locks) the opportunity's transaction looked for a holder of the
role and found none (the person was not committed), the person's transaction looked for vacant
opportunities and found none (the opportunity was not committed either): the opportunity stayed
without an owner for good, and nobody was docked or paid for it.
"""

from conftest import record_event
from side_by_side import HeldAtCommit, Workers, in_thread, still_waiting

from services.escalation.models import Base, Opportunity
from services.escalation.service import EscalationService


def test_an_opportunity_and_its_owner_applied_together_end_assigned(pg_url_factory):
    workers = Workers(EscalationService, Base, pg_url_factory("escalation"))
    workers().on_record_changed(record_event("business_line", {"key": "acme", "plugin": "acme-flat"}))

    person = workers()
    held = HeldAtCommit(
        person.db.session,
        person.on_record_changed,
        record_event("person", {"id": "am1", "role": "account_manager", "branch": "b1"}),
    )
    # acme-flat: 30,000 is small, owned by the account manager of its branch (none named)
    thread, _ = in_thread(
        workers().on_record_changed,
        record_event(
            "opportunity", {"id": "o1", "amount": 30000, "discovered": "2026-03-02", "branch": "b1"}
        ),
    )
    assert still_waiting(thread), "the opportunity was applied while the line's person record was uncommitted"
    held.release()
    thread.join(30)

    with workers.sessions() as session:
        row = session.get(Opportunity, ("acme", "o1"))
        assert (row.owner_role, row.owner) == ("account_manager", "am1")
    workers.close()
