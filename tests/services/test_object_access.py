"""People see only their own (issue 25): through the real broker, every service on PostgreSQL with
ACCESS_CONTROL on, and over HTTP through the gateway.

Line "t" (telecom): am1 and am2 in branch b1, am3 in b2, each with an opportunity, a target, a
change asked for, a monthly penalty line and a statement. u1, u2, u3 are clerks on themselves
(scope self, linked to am1..am3); mb1 manages branch b1 only. For every person × every other
person's sheet lines, statement, records, assignment, escalations and notices: 0 reads allowed,
each refusal naming the field; one's own: read, and nothing else in it. The audit trail of each
service names who read what and what was refused.
"""

import json

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from kamcli.access import bootstrap
from kamkit.errors import Forbidden, Unauthorized
from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.escalation.service import EscalationService
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from services.notify.service import NotifyService
from tests.gateway.test_gateway_http import Http

ON = {"ACCESS_CONTROL": "on"}
LINE = "t"
PEOPLE = {"am1": "b1", "am2": "b1", "am3": "b2"}
USERS = {"u1": "am1", "u2": "am2", "u3": "am3"}


def _as(amqp_uri, token):
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30, context_data={"authorization": token})


def _until(check, timeout=30):
    with eventlet.Timeout(timeout):
        while True:
            try:
                if check():
                    return
            except Unauthorized:  # a token not yet announced to that service
                pass
            eventlet.sleep(0.2)


def _refused(call, field):
    with pytest.raises(Forbidden) as refused:
        call()
    assert refused.value.errors[0]["field"] == field, refused.value.errors
    return 1


@pytest.fixture
def suite(start_service, pg_url_factory, amqp_uri, free_port, tmp_path):
    intake_url = pg_url_factory("intake")
    root = bootstrap(intake_url, "root", "Root", days=1)["token"]
    start_service(IntakeService, intake_url, **ON)
    for cls in (EscalationService, AssessmentService, CompensationService):
        start_service(cls, pg_url_factory(cls.name), **ON)
    start_service(NotifyService, pg_url_factory("notify"), NOTIFY_OUTBOX_DIR=str(tmp_path), **ON)
    start_service(GatewayService, None, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port}", GATEWAY_RPC_TIMEOUT=10)
    tokens = {}
    with _as(amqp_uri, root) as admin:
        i = admin.intake
        i.register_business_line({"key": LINE, "plugin": "telecom"})
        for branch in ("b1", "b2"):
            i.register_branch(LINE, {"id": branch, "name": branch})
        for n, (person, branch) in enumerate(PEOPLE.items(), 1):
            i.register_person(LINE, {"id": person, "role": "account_manager", "branch": branch})
            i.record_opportunity(
                LINE,
                {
                    "id": f"o{n}",
                    "amount": 30000,
                    "discovered": "2026-03-02",
                    "origin": "audit",
                    "account_manager": person,
                    "branch": branch,
                },
            )
            i.set_target(LINE, {"id": f"t{n}", "person": person, "period": "2090-01", "amount": 3})
        grants = {
            **{u: ("clerk", "self", None, p) for u, p in USERS.items()},
            "mb1": ("manager", "branch", "b1", None),
        }
        for user, (role, scope, branch, person) in grants.items():
            i.create_principal({"id": user, "name": user, "kind": "person"})
            i.grant_role(user, LINE, role, scope=scope, branch=branch, person=person)
            tokens[user] = i.issue_token(user, days=1)["token"]
        _until(lambda: admin.notify.list_messages(LINE, "owner_assigned").__len__() == 3)
        _until(lambda: admin.compensation.projection_status(LINE).get("opportunity") == 3)
        _until(lambda: admin.assessment.projection_status(LINE).get("opportunity") == 3)
        admin.assessment.close_month(LINE, "2026-03")
        admin.compensation.run_quarter(LINE, "2026-Q1")
    return root, tokens, Http(free_port)


@pytest.mark.slow
def test_every_person_reads_only_their_own_through_the_broker_and_http(suite, amqp_uri):
    root, tokens, http = suite
    allowed_of_others = refusals = 0
    for user, me in USERS.items():
        others = [p for p in PEOPLE if p != me]
        with _as(amqp_uri, tokens[user]) as rpc:
            _until(lambda me=me: rpc.escalation.get_assignment(LINE, f"o{me[-1]}")["owner"] == me)
            _until(lambda me=me: rpc.compensation.get_statement(LINE, "2026-Q1", me) is not None)
            # one's own: read, and only one's own in it
            sheet = rpc.assessment.get_sheet(LINE, "2026-03")
            assert sheet["lines"] and {x["person"] for x in sheet["lines"]} == {me}
            assert set(sheet["totals"]) == {me}
            assert {x["person"] for x in rpc.assessment.get_sheet(LINE, "2026-03", person=me)["lines"]} == {
                me
            }
            run = rpc.compensation.get_run(LINE, "2026-Q1")
            assert {x["person"] for x in run["lines"]} <= {me} and set(run["totals"]) <= {me}
            pages = rpc.compensation.get_run_lines(LINE, "2026-Q1", page=1, page_size=500)
            assert {x["person"] for x in pages["lines"]} <= {me}
            mine = rpc.intake.list_records(LINE, "opportunity")
            assert [r["key"] for r in mine["items"]] == [f"o{me[-1]}"] and mine["total"] == 1
            assert [r["key"] for r in rpc.intake.list_records(LINE, "target")["items"]] == [f"t{me[-1]}"]
            assert [r["key"] for r in rpc.intake.list_records(LINE, "person")["items"]] == [me]
            assert rpc.intake.get_record(LINE, "person", me)["key"] == me
            notices = rpc.notify.list_messages(LINE, "owner_assigned")
            assert len(notices) == 1 and f"o{me[-1]}" in notices[0]["markdown"]
            # one's own request: asked, as oneself
            change = {"id": f"c-{user}", "person": me, "period": "2090-02", "amount": 2, "reason": "r"}
            assert rpc.intake.request_target_change(LINE, change)["record"]["requested_by"] == user
            # every other person's: refused by name, every time
            for other in others:
                n = other[-1]
                refusals += _refused(
                    lambda other=other: rpc.assessment.get_sheet(LINE, "2026-03", person=other), "person"
                )
                refusals += _refused(
                    lambda other=other: rpc.compensation.get_statement(LINE, "2026-Q1", other), "person"
                )
                refusals += _refused(lambda other=other: rpc.intake.get_record(LINE, "person", other), "key")
                refusals += _refused(lambda n=n: rpc.intake.get_record(LINE, "opportunity", f"o{n}"), "key")
                refusals += _refused(lambda n=n: rpc.intake.get_record(LINE, "target", f"t{n}"), "key")
                refusals += _refused(lambda n=n: rpc.escalation.get_assignment(LINE, f"o{n}"), "opportunity")
                refusals += _refused(
                    lambda n=n: rpc.escalation.list_escalations(LINE, f"o{n}"), "opportunity"
                )
                asked = {
                    "id": f"x-{user}-{other}",
                    "person": other,
                    "period": "2090-02",
                    "amount": 1,
                    "reason": "r",
                }
                refusals += _refused(
                    lambda asked=asked: rpc.intake.request_target_change(LINE, asked), "change.person"
                )
            # what is the whole line's: refused to a grant on oneself
            for call in (
                lambda: rpc.assessment.sheet_history(LINE, "2026-03"),
                lambda: rpc.compensation.run_history(LINE, "2026-Q1"),
                lambda: rpc.escalation.tier_counts(LINE),
                lambda: rpc.intake.record_counts(LINE),
                lambda: rpc.assessment.close_month(LINE, "2026-04"),
            ):
                refusals += _refused(call, "authorization")
        # over HTTP, the same token: one's own statement and page, another's 403
        as_user = Http(http.base.rsplit(":", 1)[1], tokens[user])
        assert as_user("GET", f"/lines/{LINE}/quarters/2026-Q1/statements/{me}")[0] == 200
        assert as_user("GET", f"/lines/{LINE}/months/2026-03/people/{me}.html")[0] == 200
        report = as_user("GET", f"/lines/{LINE}/months/2026-03/report.html")
        assert report[0] == 200 and all(other not in report[2] for other in others)
        for other in others:
            for path in (
                f"/lines/{LINE}/quarters/2026-Q1/statements/{other}",
                f"/lines/{LINE}/months/2026-03/people/{other}.html",
                f"/lines/{LINE}/months/2026-03/sheet?person={other}",
            ):
                status = as_user("GET", path)[0]
                allowed_of_others += status == 200
                assert status == 403, (user, path, status)
    assert allowed_of_others == 0 and refusals == 3 * (2 * 8 + 5)

    # warnings (docs/rules.md §8): each owner's follow-up falls due on 9 March; warned on the 7th
    with _as(amqp_uri, root) as admin:
        assert len(admin.escalation.warn("2026-03-07", LINE)) == 3
        _until(lambda: len(admin.notify.list_messages(LINE, "warning")) == 3)
    with _as(amqp_uri, tokens["u1"]) as rpc:  # one's own warning only
        (mine,) = rpc.notify.list_messages(LINE, "warning")
        assert "o1" in mine["subject"]

    # the branch manager: b1's people, not b2's
    with _as(amqp_uri, tokens["mb1"]) as rpc:
        warned = sorted(m["subject"].rsplit(": ", 1)[1] for m in rpc.notify.list_messages(LINE, "warning"))
        assert warned == ["o1", "o2"]  # am1's and am2's, in b1; not am3's in b2
        assert {x["person"] for x in rpc.assessment.get_sheet(LINE, "2026-03")["lines"]} == {"am1", "am2"}
        assert rpc.intake.decide_target_change(LINE, "c-u1", "approve")["record"]["status"] == "approved"
        _refused(lambda: rpc.intake.decide_target_change(LINE, "c-u3", "approve"), "change")
        _refused(lambda: rpc.compensation.get_statement(LINE, "2026-Q1", "am3"), "person")
        _refused(
            lambda: rpc.intake.set_target(LINE, {"id": "t9", "person": "am3", "period": "2091", "amount": 1}),
            "target.person",
        )

    # the trail names who read what, and what was refused, in the service holding the data
    with _as(amqp_uri, root) as admin:
        reads = admin.compensation.list_audit(LINE, principal="u1", outcome="read")["items"]
        assert any(e["action"] == "get_statement" and e["target"] == "am1" for e in reads), reads
        assert all(e["after"] == {"reach": "self:am1"} for e in reads)
        refused = admin.compensation.list_audit(LINE, principal="u1", outcome="refused")["items"]
        assert any(e["action"] == "get_statement" and "am2" in e["detail"] for e in refused), refused
        assert json.dumps(admin.intake.list_audit(LINE, principal="u2", outcome="refused")).count("o1") >= 1
