"""escalation through the real broker: owner assigned, overdue follow-ups escalated once."""

import eventlet
from nameko.events import event_handler
from nameko.standalone.rpc import ClusterRpcProxy

from services.escalation.service import EscalationService
from services.intake.service import IntakeService
from wire import events as E


class Listener:
    name = "listener"
    seen = []

    @event_handler(E.ESCALATION, E.OWNER_ASSIGNED)
    def on_owner(self, payload):
        Listener.seen.append(payload)

    @event_handler(E.ESCALATION, E.OPPORTUNITY_ESCALATED)
    def on_escalated(self, payload):
        Listener.seen.append(payload)


def _org(rpc):
    # acme-flat (examples/acme-rules): < 100,000 is "small", owned by the account manager,
    # followed up every 7 days; ladder account_manager -> branch_manager.
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    rpc.intake.register_branch("acme", {"id": "b1"})
    rpc.intake.register_person("acme", {"id": "am1", "role": "account_manager", "branch": "b1"})
    rpc.intake.register_person("acme", {"id": "bm1", "role": "branch_manager", "branch": "b1"})


def _opportunity(rpc, i, day="2026-03-02"):
    rpc.intake.record_opportunity(
        "acme",
        {
            "id": f"o{i}",
            "amount": 30000,
            "discovered": day,
            "entered": day,
            "branch": "b1",
            "account_manager": "am1",
        },
    )


def _wait_until(predicate, timeout=20):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


def test_owner_assigned_then_escalated_once_per_week_and_reset_by_follow_up(
    start_service, rpc, pg_url_factory
):
    Listener.seen = []
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(EscalationService, pg_url_factory("escalation"))
    start_service(Listener)
    _org(rpc)
    _opportunity(rpc, 1)
    _wait_until(lambda: any(e.get("opportunity") == "o1" for e in Listener.seen))
    (assigned,) = Listener.seen
    assert (assigned["tier"], assigned["owner_role"], assigned["owner"]) == (
        "small",
        "account_manager",
        "am1",
    )

    # entered 2 March; 7 days without a follow-up -> overdue on 9 March, not on 8 March
    assert rpc.escalation.sweep("2026-03-08") == []
    (made,) = rpc.escalation.sweep("2026-03-09")
    assert (made["week"], made["role"], made["person"]) == (1, "branch_manager", "bm1")
    assert rpc.escalation.sweep("2026-03-09") == [] and rpc.escalation.sweep("2026-03-20") == []

    # a follow-up on 10 March restarts the clock: overdue again on 17 March, once
    rpc.intake.post_follow_up("acme", {"id": "f1", "opportunity": "o1", "date": "2026-03-10"})
    _wait_until(lambda: rpc.escalation.get_assignment("acme", "o1")["last_follow_up"] == "2026-03-10")
    assert rpc.escalation.sweep("2026-03-16") == []
    assert [m["clock"] for m in rpc.escalation.sweep("2026-03-17")] == ["2026-03-10"]
    _wait_until(lambda: sum(e.get("week") == 1 for e in Listener.seen) == 2)
    assert len(rpc.escalation.list_escalations("acme", "o1")) == 2


def test_two_instances_sweeping_together_escalate_each_rung_once(
    start_service, rpc, pg_url_factory, amqp_uri
):
    Listener.seen = []
    start_service(IntakeService, pg_url_factory("intake"))
    shared_db = pg_url_factory("escalation")
    start_service(EscalationService, shared_db)
    start_service(EscalationService, shared_db)  # a second instance on the same queues and database
    start_service(Listener)
    _org(rpc)
    for i in range(1, 7):
        _opportunity(rpc, i)
    _wait_until(lambda: sum(e.get("tier") == "small" for e in Listener.seen) == 6)

    def sweep(_):  # each concurrent caller has its own connection
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as own:
            return own.escalation.sweep("2026-03-09")

    results = list(eventlet.GreenPool().imap(sweep, range(4)))
    made = [m["opportunity"] for r in results for m in r]
    assert sorted(made) == [f"o{i}" for i in range(1, 7)]  # six escalations in all, none twice
    _wait_until(lambda: sum("week" in e for e in Listener.seen) == 6)
    eventlet.sleep(0.5)
    assert sum("week" in e for e in Listener.seen) == 6
    assert len(rpc.escalation.list_escalations("acme")) == 6
