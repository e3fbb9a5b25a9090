"""intake over the real RabbitMQ with its database on the real PostgreSQL."""

import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_waiter

from kamkit.errors import InvalidFacts, NotFound
from services.intake.service import IntakeService
from wire import events as E


class Listener:
    name = "listener"
    seen = []

    @event_handler(E.INTAKE, E.RECORD_CHANGED)
    def on_record(self, payload):
        Listener.seen.append(payload)


def test_rpc_validates_stores_in_postgres_and_publishes(start_service, rpc, pg_url_factory):
    Listener.seen = []
    start_service(IntakeService, pg_url_factory("intake"))
    listener = start_service(Listener)
    rpc.intake.register_business_line({"key": "tel", "plugin": "acme-flat"})
    rpc.intake.register_person("tel", {"id": "am1", "role": "account_manager"})
    with entrypoint_waiter(listener, "on_record", callback=lambda wr, res, exc: len(Listener.seen) >= 3):
        answer = rpc.intake.record_opportunity(
            "tel",
            {"id": "o1", "amount": "45000.50", "discovered": "2026-03-02", "account_manager": "am1"},
            idempotency_key="o1-create",
        )
    assert answer["version"] == 1
    assert [e["kind"] for e in Listener.seen] == ["business_line", "person", "opportunity"]
    assert Listener.seen[-1]["record"]["amount"] == "45000.50"

    # the caller gets the structured error back as itself, every bad field named
    with pytest.raises(InvalidFacts) as exc:
        rpc.intake.record_opportunity("tel", {"id": "o2", "amount": "lots", "discovered": "2026-13-01"})
    assert {e["field"] for e in exc.value.errors} == {"amount", "discovered"}
    assert rpc.intake.list_records("tel", "opportunity")["total"] == 1
    # a retried call with the same key is answered from the record of the first
    assert (
        rpc.intake.record_opportunity(
            "tel",
            {"id": "o1", "amount": "45000.50", "discovered": "2026-03-02", "account_manager": "am1"},
            idempotency_key="o1-create",
        )
        == answer
    )
    with pytest.raises(NotFound) as exc:  # a SuiteError like every other answer
        rpc.intake.no_such_method()
    assert exc.value.errors[0]["field"] == "method"
