"""Who may do what, through the real broker on PostgreSQL with ACCESS_CONTROL on: a role × action
× line matrix (allowed: the effect; refused: Forbidden and no effect), calls without a token or
with a revoked one (Unauthorized)."""

import json

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from kamcli.main import main as kam
from kamkit.errors import Forbidden, Unauthorized
from services.assessment.service import AssessmentService
from services.intake.service import IntakeService

ON = {"ACCESS_CONTROL": "on"}
OPP = {"amount": 30000, "discovered": "2026-03-02", "origin": "audit", "account_manager": "am1"}


def _as(amqp_uri, token):
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30, context_data={"authorization": token})


def _until_let_in(call, timeout=20):
    """A new token works once the service's picture has it (the event, then a refresh)."""
    with eventlet.Timeout(timeout):
        while True:
            try:
                return call()
            except Unauthorized:
                eventlet.sleep(0.2)


@pytest.mark.slow
def test_roles_cover_their_actions_on_their_line_only(start_service, amqp_uri, pg_url_factory, capsys):
    intake_url = pg_url_factory("intake")
    assert kam(["access", "bootstrap", "root", "--name", "Root", "--database", intake_url, "--json"]) == 0
    admin_token = json.loads(capsys.readouterr().out)["token"]
    start_service(IntakeService, intake_url, **ON)
    start_service(AssessmentService, pg_url_factory("assessment"), **ON)

    tokens = {}
    with _as(amqp_uri, admin_token) as admin:
        for line in ("a", "b"):
            admin.intake.register_business_line({"key": line, "plugin": "acme-flat"})
            admin.intake.register_person(line, {"id": "am1", "role": "account_manager"})
        for role in ("reader", "clerk", "manager"):
            admin.intake.create_principal({"id": role, "name": role, "kind": "person"})
            admin.intake.grant_role(role, "a", role)
            tokens[role] = admin.intake.issue_token(role, days=1)["token"]

    # (service, call, role needed): each run on line "a" (granted) and line "b" (not granted)
    actions = [
        ("intake", lambda rpc, line, i: rpc.intake.get_record(line, "person", "am1"), "reader"),
        ("intake", lambda rpc, line, i: rpc.intake.record_opportunity(line, {"id": f"o{i}", **OPP}), "clerk"),
        (
            "intake",
            lambda rpc, line, i: rpc.intake.register_person(line, {"id": f"p{i}", "role": "account_manager"}),
            "admin",
        ),
        ("assessment", lambda rpc, line, i: rpc.assessment.reopen_month(line, "2026-01", "why"), "manager"),
        # a target is the department manager's (docs/rules.md §7); who set it is the caller
        (
            "intake",
            lambda rpc, line, i: rpc.intake.set_target(line, {"id": f"t{i}", "period": "2090", "amount": 9}),
            "manager",
        ),
    ]
    order = ("reader", "clerk", "manager", "admin")
    i = 0
    for role, token in tokens.items():
        with _as(amqp_uri, token) as rpc:
            _until_let_in(lambda: rpc.assessment.projection_status("a"))
            for service, call, needs in actions:
                for line in ("a", "b"):
                    i += 1
                    allowed = line == "a" and order.index(role) >= order.index(needs)
                    with _as(amqp_uri, admin_token) as admin:
                        before = admin.intake.record_counts(line)
                    if allowed:
                        try:
                            call(rpc, line, i)
                        except Forbidden as exc:
                            pytest.fail(f"{role} refused {service} on {line}: {exc}")
                        except Exception as exc:  # past the check: the action's own answer
                            assert "Forbidden" not in type(exc).__name__, exc
                    else:
                        with pytest.raises(Forbidden):
                            call(rpc, line, i)
                        with _as(amqp_uri, admin_token) as admin:
                            assert admin.intake.record_counts(line) == before, (role, service, line)

    # no token, a wrong one, a revoked one: Unauthorized, before anything is read
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as anonymous:
        with pytest.raises(Unauthorized):
            anonymous.intake.get_record("a", "person", "am1")
    good = tokens["reader"]
    with _as(amqp_uri, good[:-1] + ("A" if good[-1] != "A" else "B")) as wrong:  # one character off
        with pytest.raises(Unauthorized):
            wrong.assessment.projection_status("a")
    with _as(amqp_uri, admin_token) as admin:
        admin.intake.revoke_token(tokens["reader"].split("_")[1])
    with _as(amqp_uri, tokens["reader"]) as revoked, eventlet.Timeout(20):
        while True:
            try:
                revoked.assessment.projection_status("a")
            except Unauthorized:
                break
            eventlet.sleep(0.2)
        with pytest.raises(Unauthorized):
            revoked.intake.get_record("a", "person", "am1")
