"""The gateway over HTTP, in front of intake and assessment on PostgreSQL with ACCESS_CONTROL on,
through the real broker: status codes, named fields, idempotency keys, roles per line, the
generated OpenAPI document and the docs page."""

import json
import urllib.error
import urllib.request

import eventlet
import pytest
import sqlalchemy as sa

from kamcli.access import bootstrap
from kamkit.facts_schema import OpportunitySchema
from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.gateway import openapi, pages
from services.gateway.service import GatewayService
from services.intake.service import IntakeService

ON = {"ACCESS_CONTROL": "on"}
OPP = {"amount": 30000, "discovered": "2026-03-02", "origin": "audit", "account_manager": "am1"}


class Http:
    def __init__(self, port, token=None):
        self.base, self.token = f"http://127.0.0.1:{port}", token

    def __call__(self, method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, _headers(answer), _read(answer)
        except urllib.error.HTTPError as refused:
            return refused.code, _headers(refused), _read(refused)


def _headers(answer):
    return {k.lower(): v for k, v in answer.headers.items()}


def _read(answer):
    text = answer.read().decode()
    return json.loads(text) if answer.headers.get("Content-Type", "").startswith("application/json") else text


def _until(check, timeout=20):
    with eventlet.Timeout(timeout):
        while not check():
            eventlet.sleep(0.2)


@pytest.fixture
def gateway(start_service, pg_url_factory, free_port):
    """(admin's Http, port, database URLs): intake, assessment and compensation with access
    control on, and the gateway."""
    intake_url, assessment_url = pg_url_factory("intake"), pg_url_factory("assessment")
    admin = bootstrap(intake_url, "root", "Root", days=1)["token"]
    start_service(IntakeService, intake_url, **ON)
    start_service(AssessmentService, assessment_url, **ON)
    start_service(CompensationService, pg_url_factory("compensation"), **ON)
    start_service(GatewayService, None, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port}", GATEWAY_RPC_TIMEOUT=5)
    http = Http(free_port, admin)
    _until(lambda: http("GET", "/lines/none/assessment-status")[0] != 401)  # the token announced
    for line in ("a", "b"):
        assert http("POST", "/lines", {"key": line, "plugin": "telecom"})[0] == 201
        assert http("POST", f"/lines/{line}/people", {"id": "am1", "role": "account_manager"})[0] == 201
    return http, free_port, {"intake": intake_url, "assessment": assessment_url}


def _token_for(http, principal, line, role):
    assert http("POST", "/principals", {"id": principal, "name": principal, "kind": "person"})[0] == 201
    assert http("PUT", f"/principals/{principal}/roles/{line}", {"role": role})[0] == 200
    status, _, answer = http("POST", f"/principals/{principal}/tokens", {"days": 1})
    assert status == 201 and answer["token"].startswith("kam_")
    return answer["token"]


def test_status_codes_name_the_field(gateway):
    http, port, _ = gateway
    status, headers, answer = Http(port)("GET", "/lines/a/months/2026-03/sheet")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    assert answer == {
        "error": "unauthorized",
        "errors": [
            {
                "field": "authorization",
                "message": "send 'Authorization: Bearer <token>' (README: who may do what)",
            }
        ],
    }
    status, _, answer = Http(port, "kam_0123456789abcdef_wrong")("GET", "/lines/a/months/2026-03/sheet")
    assert (status, answer["errors"][0]["field"]) == (401, "authorization")  # decided by assessment
    status, _, answer = http(
        "POST", "/lines/a/opportunities", {"id": "o1", "amount": -5, "discovered": "2026-02-30"}
    )
    assert status == 400 and {e["field"] for e in answer["errors"]} == {"amount", "discovered"}
    # well formed, but naming a person nobody stored: what only stored state decides is a 409
    status, _, answer = http(
        "POST",
        "/lines/a/opportunities",
        {"id": "o9", "amount": 30000, "discovered": "2026-03-02", "account_manager": "ghost"},
    )
    assert (status, answer["error"], answer["errors"][0]["field"]) == (409, "conflict", "account_manager")
    # a PATCH offers the record's fields only (the document lists them): another is refused by name
    status, _, answer = http("PATCH", "/lines/a/people/am1", {"colour": "red"})
    assert (status, answer["errors"]) == (400, [{"field": "colour", "message": "unknown field"}])
    status, _, answer = http("POST", "/lines/a/opportunities", raw=b"{not json")
    assert status == 400 and answer["errors"][0]["field"] == "body"
    status, _, answer = http("GET", "/lines/a/months/2026-03/sheet?pages=2")
    assert status == 400 and answer["errors"][0]["field"] == "pages"
    assert http("GET", "/lines/a/opportunities/nope")[0] == 404
    assert http("GET", "/lines/a/months/2026-03/sheet")[0] == 404  # not closed
    status, headers, _ = http("DELETE", "/lines/a/opportunities")
    assert status == 405 and set(headers["allow"].split(", ")) >= {"GET", "POST"}
    assert http("GET", "/no/such/thing")[0] == 404
    # a query of 20,000 bytes (the web server alone would have answered a bare 414 above 8 KiB)
    status, _, answer = http("GET", "/lines/a/opportunities?kind=" + "x" * 20_000)
    assert status == 400 and answer["errors"] == [
        {"field": "query", "message": "the query is over 8192 bytes"}
    ]
    # escalation is not running here: the gateway answers 503 at once, with when to retry
    status, headers, answer = http("GET", "/lines/a/tiers")
    assert (status, headers["retry-after"], answer["error"]) == (503, "5", "unavailable")
    status, headers, _ = http("GET", "/lines/a/record-counts", headers={"X-Correlation-Id": "trace-42"})
    assert status == 200 and headers["x-correlation-id"] == "trace-42"


def test_idempotency_key_header_gives_one_effect(gateway):
    http, _, _ = gateway
    first = http("POST", "/lines/a/opportunities", {"id": "o1", **OPP}, {"Idempotency-Key": "k1"})
    again = http("POST", "/lines/a/opportunities", {"id": "o1", **OPP}, {"Idempotency-Key": "k1"})
    assert first[0] == 201 and again[0] == 201 and first[2] == again[2]  # the first answer, replayed
    status, _, answer = http(
        "POST", "/lines/a/opportunities", {"id": "o1", **OPP, "amount": 5}, {"Idempotency-Key": "k1"}
    )
    assert status == 409 and answer["error"] == "conflict"
    status, _, answer = http(
        "PATCH", "/lines/a/opportunities/o1", {"amount": 40000}, {"Idempotency-Key": "k2"}
    )
    assert (status, answer["version"], str(answer["record"]["amount"])) == (200, 2, "40000")
    assert http("GET", "/lines/a/record-counts")[2]["opportunity"] == [1, 2]  # one record, two versions
    # a close has one effect however often it is sent: a key (many clients send one on every POST)
    # is accepted and ignored; a malformed one is still refused, by name
    status, _, answer = http("POST", "/lines/a/months/2026-03/close", headers={"Idempotency-Key": "k3"})
    assert status == 200 and answer["period"] == "2026-03", answer
    status, _, answer = http("POST", "/lines/a/months/2026-03/close", headers={"Idempotency-Key": "a b"})
    assert status == 400 and answer["errors"][0]["field"] == "Idempotency-Key"


def test_roles_over_http_allowed_has_its_effect_refused_has_none(gateway):
    http, port, _ = gateway
    reader = Http(port, _token_for(http, "ann", "a", "reader"))
    clerk = Http(port, _token_for(http, "bob", "a", "clerk"))
    manager = Http(port, _token_for(http, "cai", "a", "manager"))

    def allowed(caller, *request):
        for _ in range(100):  # a new token reaches assessment with intake's next event
            status = caller(*request)[0]
            if status != 401:
                return status
            eventlet.sleep(0.2)
        return status

    assert allowed(reader, "GET", "/lines/a/people/am1") == 200
    # GET /lines: the lines each may see, with its role; the administrator of every line sees both
    assert [(l["key"], l["role"]) for l in reader("GET", "/lines")[2]] == [("a", "reader")]
    assert [(l["key"], l["role"]) for l in http("GET", "/lines")[2]] == [("a", "admin"), ("b", "admin")]
    status, _, answer = reader("POST", "/lines/a/opportunities", {"id": "r1", **OPP})
    assert status == 403 and answer["errors"][0]["field"] == "authorization"
    assert http("GET", "/lines/a/opportunities/r1")[0] == 404  # refused: nothing written
    assert clerk("POST", "/lines/a/opportunities", {"id": "c1", **OPP})[0] == 201
    assert clerk("POST", "/lines/b/opportunities", {"id": "c1", **OPP})[0] == 403  # another line
    assert http("GET", "/lines/b/opportunities/c1")[0] == 404
    assert (
        clerk("POST", "/lines/a/people", {"id": "p9", "role": "account_manager"})[0] == 403
    )  # roster: admin
    assert allowed(clerk, "POST", "/lines/a/months/2026-03/close") == 403  # a close: manager
    _until(lambda: http("GET", "/lines/a/assessment-status")[2].get("opportunity") == 1)
    assert allowed(manager, "POST", "/lines/a/months/2026-03/close") == 200
    # closing behind intake on purpose takes a reason, checked like any other field
    status, _, answer = manager("POST", "/lines/a/months/2026-03/close?accept_missing=%20")
    assert status == 400 and answer["errors"][0]["field"] == "accept_missing"
    status, _, sheet = reader("GET", "/lines/a/months/2026-03/sheet?person=am1&page=1&page_size=10")
    assert status == 200 and sheet["page"] == 1 and sheet["totals"]["am1"]["points"]
    assert manager("POST", "/lines/b/months/2026-03/close")[0] == 403
    # every refusal is in the trail of the service that refused it, with who and where
    refused = {
        (e["principal"], e["action"], e["business_line"])
        for service in ("intake", "assessment")
        for e in http("GET", f"/audit/{service}?outcome=refused&page_size=500")[2]["items"]
    }
    assert {
        ("ann", "record_opportunity", "a"),
        ("bob", "record_opportunity", "b"),
        ("bob", "register_person", "a"),
        ("bob", "close_month", "a"),
        ("cai", "close_month", "b"),
    } <= refused, refused
    assert not {e for e in refused if e[0] == "root"}  # the admin was refused nothing
    # a revoked token is refused from the next call on
    tokens = {t["id"]: p["id"] for p in http("GET", "/principals")[2] for t in p["tokens"]}
    ann = next(t for t, p in tokens.items() if p == "ann")
    assert http("DELETE", f"/tokens/{ann}")[0] == 200
    assert reader("GET", "/lines/a/people/am1")[0] == 401  # intake made the change: it holds at once


def test_document_is_generated_from_the_schemas_the_services_validate_with(gateway):
    http, port, _ = gateway
    status, _, doc = Http(port)("GET", "/openapi.json")  # no token needed to read the contract
    assert (
        status == 200
        and doc["openapi"].startswith("3.")
        and doc == json.loads(json.dumps(openapi.document()))
    )
    body = doc["paths"]["/lines/{business_line}/opportunities"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    opportunity = doc["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
    declared = OpportunitySchema._declared_fields
    assert set(opportunity["properties"]) == set(declared)
    assert set(opportunity["required"]) == {n for n, f in declared.items() if f.required}
    assert opportunity["properties"]["scope"]["enum"] == ["local", "citywide"]
    assert opportunity["additionalProperties"] is False
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {"close_month", "get_sheet", "write_opportunity", "issue_token", "get_statement"} <= operations
    status, _, page = Http(port)("GET", "/docs")
    assert status == 200 and "/openapi.json" in page and "swagger-ui-bundle.js" in page
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs/swagger-ui-bundle.js", timeout=30) as script:
        assert script.status == 200 and len(script.read()) > 100_000


def test_audit_trail_says_who_did_what_before_and_after_and_what_was_refused(gateway):
    http, port, urls = gateway
    reader = Http(port, _token_for(http, "ann", "a", "reader"))
    manager = Http(port, _token_for(http, "cai", "a", "manager"))
    trace = {"X-Correlation-Id": "crm-7781"}
    assert http("POST", "/lines/a/opportunities", {"id": "o1", **OPP}, trace)[0] == 201
    assert http("PATCH", "/lines/a/opportunities/o1", {"amount": 45000}, trace)[0] == 200
    assert reader("POST", "/lines/a/opportunities", {"id": "o2", **OPP})[0] == 403
    assert Http(port)("GET", "/lines/a/opportunities/o1")[0] == 401  # no token: refused at the gateway
    assert Http(port, "kam_0123456789abcdef_guess")("GET", "/lines/a/opportunities/o1")[0] == 401

    def audit(service, **query):
        status, _, page = http("GET", f"/audit/{service}?" + "&".join(f"{k}={v}" for k, v in query.items()))
        assert status == 200, page
        return page["items"]

    created, updated = audit("intake", target="opportunity:o1")
    assert (created["principal"], created["action"], created["outcome"]) == (
        "root",
        "record_opportunity",
        "done",
    )
    assert (created["before"], created["after"]["amount"], created["correlation_id"]) == (
        None,
        30000,
        "crm-7781",
    )
    assert (updated["action"], updated["before"]["amount"], updated["after"]["amount"]) == (
        "update_record",
        30000,
        45000,
    )
    refused = audit("intake", outcome="refused")
    assert [(r["principal"], r["action"], r["business_line"]) for r in refused] == [
        ("ann", "record_opportunity", "a"),
        ("token:0123456789abcdef", "get_record", "a"),
    ]
    assert "needs the clerk role" in refused[0]["detail"]
    granted = audit("intake", target="principal:cai")
    assert granted[1]["action"] == "grant_role" and granted[1]["after"]["grants"] == {"a": "manager"}
    assert granted[1]["before"]["grants"] == {}
    assert all("secret" not in str(entry) and "kam_" not in str(entry) for entry in audit("intake"))
    # a close and a reopening, in assessment's own trail
    _until(lambda: http("GET", "/lines/a/assessment-status")[2].get("opportunity") == 1)
    for _ in range(100):
        if manager("POST", "/lines/a/months/2026-03/close")[0] != 401:
            break
        eventlet.sleep(0.2)
    assert manager("POST", "/lines/a/months/2026-03/close")[0] == 200  # again: the same sheet, no entry
    assert manager("POST", "/lines/a/months/2026-03/reopen", {"reason": "o1's amount was wrong"})[0] == 200
    closed, reopened = audit("assessment", period="2026-03")
    assert (closed["principal"], closed["action"], closed["after"]["version"]) == ("cai", "close_month", 1)
    assert (reopened["before"]["status"], reopened["after"]["status"]) == ("closed", "reopened")
    assert reopened["after"]["reason"] == "o1's amount was wrong"
    # only an admin reads a trail; and nothing rewrites it
    assert reader("GET", "/audit/intake?business_line=a")[0] == 403
    engine = sa.create_engine(urls["intake"])
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_log SET principal = 'someone else'"))
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM audit_log"))
    finally:
        engine.dispose()


def test_report_pages_and_workbook_of_a_closed_month_behind_the_same_roles(gateway, monkeypatch):
    http, port, _ = gateway
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)  # every read a page at a time: the workbook streams them
    assert http("POST", "/lines/a/people", {"id": "am1", "name": "王芳", "role": "account_manager"})[0] == 200
    assert http("POST", "/lines/a/opportunities", {"id": "o1", **OPP})[0] == 201
    _until(lambda: http("GET", "/lines/a/assessment-status")[2].get("opportunity") == 1)
    assert http("GET", "/lines/a/months/2026-03/report.html")[0] == 404  # not closed yet
    assert http("POST", "/lines/a/months/2026-02/close")[0] == 200  # the year so far: a trend
    assert http("POST", "/lines/a/months/2026-03/close")[0] == 200
    points = http("GET", "/lines/a/months/2026-03/sheet")[2]["totals"]["am1"]["points"]
    status, headers, page = http("GET", "/lines/a/months/2026-03/report.html")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert (
        "王芳" in page and 'href="people/am1.html"' in page and "<svg" in page and "Month over month" in page
    )
    # the indicator section, read by its kinds although the lines come a page at a time
    assert "指标 Indicators" in page
    assert "Every line, by person" in page
    monkeypatch.setattr(pages, "LINES_ON_A_PAGE", 1)  # a large period: sums, charts and links only
    big = http("GET", "/lines/a/months/2026-03/report.html")[2]
    assert "Every line, by person" not in big and 'href="people/am1.html"' in big and "王芳" in big
    status, _, slip = http("GET", "/lines/a/months/2026-03/people/am1.html")
    assert status == 200 and "王芳" in slip and f"<b>{points}</b>" in slip
    assert http("GET", "/lines/a/months/2026-03/people/nobody.html")[0] == 404
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/lines/a/months/2026-03/report.xlsx",
        headers={"Authorization": f"Bearer {http.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert (
            answer.headers["Content-Type"]
            == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert "attachment" in answer.headers["Content-Disposition"]
        data = answer.read()
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data))
    assert any("Indicators" in name for name in book.sheetnames)  # the month's indicator section
    row = next(r for r in book["Summary"].iter_rows(min_row=3, values_only=True) if r[0] == "am1")
    assert row[1] == "王芳" and row[4] == int(points)
    every = http("GET", "/lines/a/months/2026-03/sheet")[2]["lines"]
    assert len(every) >= 2 and book["Lines"].max_row == 2 + len(every)  # each line once, in order
    assert [r[6] for r in book["Lines"].iter_rows(min_row=3, values_only=True)] == [x["kind"] for x in every]
    # the same access rules as the JSON: no token 401, another line's reader 403
    assert Http(port)("GET", "/lines/a/months/2026-03/report.html")[0] == 401
    other = Http(port, _token_for(http, "dan", "b", "reader"))
    for _ in range(100):
        status = other("GET", "/lines/a/months/2026-03/report.html")[0]
        if status != 401:  # the new token reaches assessment with intake's next event
            break
        eventlet.sleep(0.2)
    assert status == 403


def test_rules_from_a_month_replay_and_compare_over_http_and_kam(gateway, amqp_uri, capsys):
    http, port, _ = gateway
    july = {"effective_from": "2026-07", "plugin": "telecom", "parameters": {"entry_deadline_days": 5}}
    assert http("POST", "/lines/a/rules", {**july, "reason": "faster entry from H2"})[0] == 200
    status, _, listed = http("GET", "/lines/a/rules")
    assert status == 200 and [s["effective_from"] for s in listed] == [None, "2026-07"]
    assert listed[1]["set_by"] == "root" and listed[1]["reason"] == "faster entry from H2"
    assert http("POST", "/lines/a/rules", {**july, "reason": " "})[2]["errors"][0]["field"] == "rules.reason"
    assert http("POST", "/lines/a/opportunities", {"id": "o1", **OPP})[0] == 201
    _until(lambda: http("GET", "/lines/a/assessment-status")[2].get("opportunity") == 1)
    assert http("POST", "/lines/a/months/2026-03/close")[0] == 200
    sheet = http("GET", "/lines/a/months/2026-03/sheet")[2]
    # March keeps the first rules: an audit find of 30,000 is an ordinary missed report (am1 4),
    # and am1 entered no local opportunity (quota short: 5)
    assert sheet["rules_from"] is None and sheet["totals"]["am1"]["points"] == "9"
    # the record changes after the close: the replay still reads it as it was
    assert http("PATCH", "/lines/a/opportunities/o1", {"amount": 60000})[0] == 200
    # a close waits until assessment holds every change intake sent: o1's second version too
    assert http("POST", "/lines/a/months/2026-04/close")[0] == 200
    status, _, replayed = http("GET", "/lines/a/months/2026-03/replay")
    assert status == 200 and replayed["outcome"] == "identical" and replayed["lines_compared"] >= 1
    assert http("GET", "/lines/a/months/2026-03/replay?version=2")[0] == 404
    # what-if: the same facts with 6 points for an account manager's ordinary missed report
    six = {"points_missed_ordinary": {"branch_manager": 3, "deputy_manager": 0, "center_director": 4}}
    six["points_missed_ordinary"]["account_manager"] = 6
    status, _, compared = http("POST", "/lines/a/months/2026-03/compare", {"parameters": six})
    assert status == 200, compared
    am1 = next(p for p in compared["people"] if p["person"] == "am1")
    assert am1["figures"]["points"] == {"base": "9", "other": "11", "delta": "2"}  # 6 + 5, less 4 + 5
    assert http("POST", "/lines/a/months/2026-03/compare", {"plugin": "nope"})[2]["errors"][0]["field"] == (
        "plugin"
    )
    query = "?param=points_missed_ordinary={branch_manager: 3, deputy_manager: 0, center_director: 4, "
    query += "account_manager: 6}"
    status, headers, page = http("GET", "/lines/a/months/2026-03/compare.html" + query.replace(" ", "%20"))
    assert status == 200 and headers["content-type"].startswith("text/html") and "<svg" in page
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/lines/a/months/2026-03/compare.xlsx",
        headers={"Authorization": f"Bearer {http.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.headers["Content-Type"].endswith("spreadsheetml.sheet") and answer.read(2) == b"PK"
    # nothing stored by either: one version, as closed
    assert [v["version"] for v in http("GET", "/lines/a/months/2026-03/history")[2]] == [1]
    # a reader of the line may read the sheet, not replay or compare it
    reader = Http(port, _token_for(http, "rita", "a", "reader"))
    _until(lambda: reader("GET", "/lines/a/months/2026-03/sheet")[0] == 200)
    assert reader("GET", "/lines/a/months/2026-03/replay")[0] == 403
    assert reader("POST", "/lines/a/months/2026-03/compare", {})[0] == 403
    assert reader("POST", "/lines/a/rules", {**july, "reason": "x"})[0] == 403
    # kam replay through the broker with the admin's token: identical, exit 0
    from kamcli.main import main

    assert main(["replay", "a", "all", "--token", http.token, "--amqp-uri", amqp_uri]) == 0
    assert "2 of 2 closed version(s) replay identical" in capsys.readouterr().out


def test_a_month_of_pay_over_http_and_its_quarter(gateway):
    http, port, _ = gateway
    deal = {"id": "d1", "seller": "am1", "date": "2026-03-05", "list_price": 40000, "deal_price": 40000}
    assert http("POST", "/lines/a/deals", deal)[0] == 201
    # March: 40,000 at list price (ratio 1, 8%) over the 20,000 task; above 24,000: +1 pp.
    # 20,000 x 9% = 1,800; salary 1,800 and phone 100: 3,700.00
    status, _, march = http("POST", "/lines/a/months/2026-03/pay/run")
    assert status == 200 and march["totals"]["am1"]["CNY"] == "3700.00"
    status, _, slip = http("GET", "/lines/a/months/2026-03/pay/statements/am1")
    assert status == 200 and {l["kind"] for l in slip["lines"]} >= {"commission", "base_salary"}
    status, headers, page = http("GET", "/lines/a/months/2026-03/pay/people/am1.html")
    assert status == 200 and "3,700.00" in page
    assert http("GET", "/lines/a/months/2026-03/pay/replay")[2]["outcome"] == "identical"
    # the quarter holds January, February (closed on the way: 1,900 each) and March: 7,500.00
    status, _, q1 = http("POST", "/lines/a/quarters/2026-Q1/run")
    assert status == 200 and q1["totals"]["am1"]["CNY"] == "7500.00"
    assert [p["period"] for p in http("GET", "/lines/a/quarters/2026-Q1")[2]["sources"]] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    status, _, reopened = http("POST", "/lines/a/months/2026-02/pay/reopen", {"reason": "a late deal"})
    assert status == 200 and reopened["stale"] == ["2026-Q1"]
    assert http("GET", "/lines/a/months/2026-02/pay/history")[2][0]["status"] == "reopened"


def test_the_year_closed_and_read_over_http_with_its_pages(gateway):
    http, port, _ = gateway
    for m in range(1, 13):
        assert http("POST", f"/lines/a/months/2026-{m:02d}/close")[0] == 200
    status, _, year = http("POST", "/lines/a/years/2026/result/close")
    # am1 entered no local opportunity any month: the quota short 5 points a month, 60 in the year
    assert status == 200 and year["totals"]["am1"]["points"] == "60"
    status, _, mine = http("GET", "/lines/a/years/2026/result?person=am1")
    (quota,) = [l for l in mine["lines"] if l["kind"] == "quota_shortfall"]
    assert len(quota["inputs"]["periods"]) == 12 and quota["figure"] == "60"
    assert http("GET", "/lines/a/years/2026/result/replay")[2]["outcome"] == "identical"
    status, headers, page = http("GET", "/lines/a/years/2026/result/report.html")
    assert status == 200 and "am1" in page
    status, _, slip = http("GET", "/lines/a/years/2026/result/people/am1.html")
    assert status == 200 and "60" in slip
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/lines/a/years/2026/result/report.xlsx",
        headers={"Authorization": f"Bearer {http.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.read(2) == b"PK"
    # the pay year waits for its quarters
    status, _, refused = http("POST", "/lines/a/years/2026/pay/close")
    assert status == 409 and refused["errors"][0]["field"] == "year"
