"""intake with two calls side by side on PostgreSQL (tests/side_by_side.py)."""

import pytest
from side_by_side import Workers

from kamkit.errors import Conflict
from services.intake import store
from services.intake.models import Base
from services.intake.service import IntakeService


def test_an_update_merged_into_an_older_version_is_refused_not_written(pg_url_factory, monkeypatch):
    # A reads o1 (version 1) and merges amount 45,000 into it; B's status "won" commits before
    # A writes. Written as merged, A's document would carry the old status and undo B's win.
    workers = Workers(IntakeService, Base, pg_url_factory("intake"))
    setup = workers()
    setup.register_business_line({"key": "acme", "plugin": "acme-flat"})
    setup.record_opportunity("acme", {"id": "o1", "amount": 30000, "discovered": "2026-03-02"})
    a, b = workers(), workers()
    probe = store.probe

    def b_commits_first(*args):
        monkeypatch.setattr(store, "probe", probe)
        assert b.update_record("acme", "opportunity", "o1", {"status": "won"})["version"] == 2
        return probe(*args)

    monkeypatch.setattr(store, "probe", b_commits_first)
    with pytest.raises(Conflict) as refused:
        a.update_record("acme", "opportunity", "o1", {"amount": 45000}, idempotency_key="k1")
    assert refused.value.errors[0]["field"] == "key"
    assert workers().get_record("acme", "opportunity", "o1")["record"]["status"] == "won"
    # the caller's retry with the same key merges into the newest version: both changes stand
    again = a.update_record("acme", "opportunity", "o1", {"amount": 45000}, idempotency_key="k1")
    assert (again["version"], again["record"]["status"], again["record"]["amount"]) == (3, "won", 45000)
    workers.close()
