"""The pages for people who act, in a real headless browser against the gateway and the services
(access control on, PostgreSQL, RabbitMQ): a salesperson signs in, asks for a target change on
their own page; a manager signs in, approves it from the queue with a note; the quarter is run;
the salesperson reads the statement measured against the approved target (docs/rules.md §7)."""

import eventlet
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kamcli.access import bootstrap
from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.escalation.service import EscalationService
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from tests.services.test_object_access import _as, _until

ON = {"ACCESS_CONTROL": "on"}
LINE = "sw"


@pytest.fixture
def suite(start_service, pg_url_factory, amqp_uri, free_port):
    intake_url = pg_url_factory("intake")
    root = bootstrap(intake_url, "root", "Root", days=1)["token"]
    start_service(IntakeService, intake_url, **ON)
    for cls in (EscalationService, AssessmentService, CompensationService):
        start_service(cls, pg_url_factory(cls.name), **ON)
    start_service(GatewayService, None, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port}", GATEWAY_RPC_TIMEOUT=15)
    with _as(amqp_uri, root) as admin:
        i = admin.intake
        i.register_business_line({"key": LINE, "plugin": "software", "name": "福州软件"})
        i.register_person(
            LINE, {"id": "rep1", "name": "陈静", "role": "account_manager", "start_date": "2024-01-01"}
        )
        tokens = {}
        for who, role, scope, person in (
            ("chen", "clerk", "self", "rep1"),
            ("boss", "manager", "line", None),
        ):
            i.create_principal({"id": who, "name": who, "kind": "person"})
            i.grant_role(who, LINE, role, scope=scope, person=person)
            tokens[who] = i.issue_token(who, days=1)["token"]
        # Q1's target: 300,000, set by root; 270,000 collected in Q1 and 140,000 in Q2
        i.set_target(LINE, {"id": "t1", "person": "rep1", "period": "2026-Q1", "amount": 300000})
        i.record_collection(LINE, {"id": "k1", "rep": "rep1", "date": "2026-02-10", "amount": 270000})
        i.record_collection(LINE, {"id": "k2", "rep": "rep1", "date": "2026-05-10", "amount": 140000})
        _until(lambda: admin.compensation.projection_status(LINE).get("collection") == 2)
        admin.compensation.run_quarter(LINE, "2026-Q1")
    return root, tokens, f"http://127.0.0.1:{free_port}"


def _sign_in(browser, base, token):
    """Sign in with the token (retried while it is on its way to each service's picture)."""
    for _ in range(60):
        browser.get(f"{base}/sign-in")
        browser.find_element(By.NAME, "token").send_keys(token)
        browser.find_element(By.CSS_SELECTOR, "form button").click()
        if browser.current_url.endswith("/me"):
            return
        eventlet.sleep(0.3)
    pytest.fail(f"not signed in: {browser.current_url} {browser.page_source}")


def _sign_out(browser):
    browser.find_element(By.XPATH, "//form[@action='/sign-out']//button").click()
    for _ in range(50):
        if browser.current_url.endswith("/sign-in"):
            return
        eventlet.sleep(0.1)
    pytest.fail(f"not signed out: {browser.current_url}")


def _text(browser):
    return browser.find_element(By.TAG_NAME, "body").text


@pytest.mark.slow
def test_a_target_change_from_request_to_approval_to_the_statement(suite, browser, page_errors, amqp_uri):
    root, tokens, base = suite
    # the salesperson: their page, their request
    _sign_in(browser, base, tokens["chen"])
    assert "Queue" not in _text(browser)  # a clerk on themselves has no queue
    browser.find_element(By.PARTIAL_LINK_TEXT, "My page").click()
    page = _text(browser)
    assert "陈静" in page and "2026-Q1" in page and "300,000.00" in page, page  # Q1's statement, t1
    form = browser.find_element(By.CSS_SELECTOR, "form.ask")
    form.find_element(By.NAME, "period").send_keys("2026-Q2")
    form.find_element(By.NAME, "amount").send_keys("280000")
    form.find_element(By.NAME, "reason").send_keys("新区域 new region")
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 15).until(lambda b: "done=" in b.current_url or "error=" in b.current_url)
    page = _text(browser)
    assert "asked for" in page and "pending" in page and "280,000.00" in page, page
    assert page_errors() == []
    _sign_out(browser)

    # the manager: the queue, approve with a note
    _sign_in(browser, base, tokens["boss"])
    browser.find_element(By.PARTIAL_LINK_TEXT, "Queue").click()
    row = browser.find_element(By.XPATH, "//tr[td[contains(., '新区域 new region')]]")
    assert "chen" in row.text and "280,000.00" in row.text
    row.find_element(By.NAME, "note").send_keys("同意 agreed")
    row.find_element(By.XPATH, ".//button[@value='approve']").click()
    WebDriverWait(browser, 15).until(lambda b: "done=" in b.current_url or "error=" in b.current_url)
    assert ": approve" in _text(browser) and "新区域" not in _text(browser)  # done, out of the queue
    _sign_out(browser)

    with _as(amqp_uri, root) as admin:
        admin.compensation.run_quarter(LINE, "2026-Q2")  # waits for every change intake sent

    # the salesperson reads Q2's statement: measured against 280,000, asked by chen, approved by boss
    _sign_in(browser, base, tokens["chen"])
    browser.find_element(By.PARTIAL_LINK_TEXT, "My page").click()
    assert "approved" in _text(browser) and "同意 agreed" in _text(browser)
    browser.find_element(By.LINK_TEXT, "2026-Q2").click()
    slip = _text(browser)
    assert "陈静" in slip and "2026-Q2 target 280000: change c-rep1-2026-Q2-" in slip, slip
    assert "asked by chen, approved by boss" in slip, slip
    # measured against it: S = 140,000 < T = 280,000, so 4% (002/KAP §三): 5,600 / 1.17 (VAT) =
    # 4,786.32; plan completion 140,000 / 280,000 = 50.00%
    assert "4,786.32" in slip and "50.00%" in slip
    # and another's page is not theirs to read
    browser.get(f"{base}/lines/{LINE}/quarters/2026-Q2/people/boss.html")
    assert "Cannot" in _text(browser) or "not within" in _text(browser) or "403" in browser.title
    assert page_errors() == [] or all("403" in e["message"] for e in page_errors())

    # the salesperson questions line 1 of the Q2 statement; the manager answers it (docs/rules.md §9.6)
    browser.get(f"{base}/lines/{LINE}/me")
    form = browser.find_element(By.CSS_SELECTOR, "form.inquire")
    form.find_element(By.NAME, "period").send_keys("2026-Q2")
    form.find_element(By.NAME, "line").send_keys("1")
    form.find_element(By.NAME, "text").send_keys("回款少记 a collection is short")
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 15).until(lambda b: "done=" in b.current_url or "error=" in b.current_url)
    page = _text(browser)
    assert "inquiry #1 raised" in page and "a collection is short" in page and "open" in page, page
    _sign_out(browser)
    _sign_in(browser, base, tokens["boss"])
    browser.find_element(By.PARTIAL_LINK_TEXT, "Queue").click()
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'a collection is short')]]")
    assert "rep1" in row.text and "2026-Q2" in row.text and "collection k2" in row.text
    row.find_element(By.NAME, "note").send_keys("回款已核对 checked: all recorded")
    row.find_element(By.XPATH, ".//button[@value='reject']").click()
    WebDriverWait(browser, 15).until(lambda b: "done=" in b.current_url or "error=" in b.current_url)
    assert ": reject" in _text(browser) and "a collection is short" not in _text(browser)
    _sign_out(browser)
    _sign_in(browser, base, tokens["chen"])
    browser.find_element(By.PARTIAL_LINK_TEXT, "My page").click()
    assert "rejected" in _text(browser) and "checked: all recorded" in _text(browser)
