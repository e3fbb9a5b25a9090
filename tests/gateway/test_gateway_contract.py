"""The gateway against its own OpenAPI document, by schemathesis: thousands of requests generated
from the document (valid and invalid, stateful sequences, unsupported methods, calls without the
token) against the five services and the gateway as `make up` runs them, on PostgreSQL with
access control on. No answer may be a 5xx, and every answer must match the document: its status
code, content type, headers and body schema; invalid input must be refused; a call without the
token must be refused.

Every check, ``positive_data_acceptance`` too: a request the document calls valid is not refused
as bad input (400). What only stored state decides (a record named that does not exist yet, a key
taken, a role the line's plugin lacks) is a 409, and the document says what a request alone must
be (ids without control characters, years 1950–2100, the installed plugins, a PATCH's fields).
The few rules across fields no JSON Schema states are listed in ``CROSS_FIELD`` with the rule:
those operations are held to every other check. The seed is fixed so a run is repeatable; run it
with another seed to search further (README, "Over HTTP"). The two runs go side by side, each
with one worker: with two workers in one run, hypothesis (describing a lambda for a report)
sometimes fails inside itself on Python 3.11.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kamcli.access import bootstrap

ROOT = Path(__file__).resolve().parents[2]
SEED = os.environ.get("KAM_CONTRACT_SEED", "3")
EXAMPLES = os.environ.get("KAM_CONTRACT_EXAMPLES", "20")
# operations whose bodies obey a rule across fields or on another's content that JSON Schema
# does not state: a valid-looking body may be refused with 400 naming the field (each rule in
# docs/facts-format.md, "Rules across fields"); those operations are held to every other check.
# A path pattern (every operation on the kind: one, a batch, a PATCH), or one operation's name.
CROSS_FIELD = {
    "/kpi-ratings": "exactly one of score or scorecard",
    "/portfolios": "the overdue balance is at most the balance",
    "/calendars": "holidays and workdays fall in the calendar's year",
    "/customers": "a customer's changes are in date order",
    "/complaints": "received_at on the day received; answers and resolution after it",
    "/feedback-requests": "due_at and answered_at are not before raised_at",
    "/collections": "joint_with or contributions, not both",
    "/opportunities": "entered is not before discovered",
    "/loss-reviews": "a verdict comes with the day it was decided",
    "POST /lines": "parameters are the chosen plugin's",
    "POST /lines/{business_line}/rules": "parameters are the chosen plugin's",
    "/compare": "parameters are the other plugin's",
    "/compare.html": "parameters are the other plugin's",
    "/compare.xlsx": "parameters are the other plugin's",
    "/inquiries": "an inquiry names a line or a missing record",
    "PUT /principals/{principal}/roles/{business_line}": "scope self names the person, branch the branch",
    "/cases": "a case's steps are not before it was opened",
    "/work-plans": "a plan's items have different ids",
    "/call-logs": "answered, blocked and abandoned within the calls; transferred within answered",
    "/appraisals": "a manager's names the rater, a customer's the customer, a self-appraisal the person",
    "/appointments": "a proposal is proposed; a decision names who and when, not before proposed",
}


def _post(base, token, path, body):
    request = urllib.request.Request(
        base + path,
        data=body.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


@pytest.mark.slow
def test_gateway_answers_as_its_document_says(amqp_uri, pg_url_factory, tmp_path, free_port):
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "GATEWAY_ADDRESS": f"127.0.0.1:{free_port}",
        "NOTIFY_OUTBOX_DIR": str(tmp_path / "outbox"),
        "LOG_LEVEL": "WARNING",
        "GATEWAY_RPC_TIMEOUT": "30",
    }
    env.pop("ACCESS_CONTROL", None)
    for name in ("intake", "escalation", "assessment", "compensation", "notify"):
        env[f"{name.upper()}_DATABASE_URL"] = pg_url_factory(name)
    token = bootstrap(env["INTAKE_DATABASE_URL"], "root", "Root", days=1)["token"]
    log = tmp_path / "up.log"
    up = subprocess.Popen(
        [sys.executable, "-m", "services.run"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{free_port}"
    try:
        deadline = time.time() + 90
        while True:  # up, and every service knows the token
            try:
                if _post(base, token, "/lines", '{"key": "0", "plugin": "telecom"}') in (200, 201):
                    break
            except OSError:
                pass
            assert time.time() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        # the generator's favourite identifiers, made to exist, so requests reach the rules
        _post(base, token, "/lines/0/branches", '{"id": "0", "name": "0"}')
        _post(base, token, "/lines/0/people", '{"id": "0", "role": "account_manager", "branch": "0"}')
        # the operations without a rule across fields, every check; the others, every check but
        # positive_data_acceptance: two runs, each operation in one of them
        # an operation's name is "METHOD /path": a kind's every operation, or one by its name
        named = "|".join(
            rf".*{re.escape(w)}(/.*)?$" if w.startswith("/") else rf"{re.escape(w)}$" for w in CROSS_FIELD
        )
        narrowed = ["--exclude-name-regex", f"^({named})"]
        widened = ["--include-name-regex", f"^({named})"]
        # the two runs side by side, each its own schemathesis process (the machine has two cores
        # and each run keeps about one busy): their requests go to the same suite, as two
        # integrators' would
        runs = _side_by_side(
            [
                _schemathesis(base, token, env, tmp_path, narrowed, tmp_path / "run-0.txt"),
                _schemathesis(
                    base,
                    token,
                    env,
                    tmp_path,
                    [*widened, "--exclude-checks", "positive_data_acceptance"],
                    tmp_path / "run-1.txt",
                ),
            ]
        )
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
    total = 0
    for n, (returncode, report) in enumerate(runs):
        (ROOT / "out").mkdir(exist_ok=True)
        (ROOT / "out" / f"contract-report-{n}.txt").write_text(report)  # the whole of it, to read after
        generated = re.search(r"(\d+) generated, (\d+) passed", report)
        assert returncode == 0 and generated, report[report.find("FAILURES") :][:6000] + report[-1500:]
        assert generated.group(1) == generated.group(2), report[-3000:]
        total += int(generated.group(1))
    print(f"schemathesis: {total} requests generated, all answered as documented")
    assert total >= 2000


def _schemathesis(base, token, env, cwd, selection, report: Path) -> tuple[subprocess.Popen, Path]:
    """One run of schemathesis as an outside client, over the operations ``selection`` picks,
    started; its output goes to ``report``."""
    with open(report, "wb") as sink:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{base}/openapi.json",
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                *selection,
                "-n",
                EXAMPLES,
                "--workers",
                "1",
                "--seed",
                SEED,
                "--no-color",
                "--request-timeout",
                "60",
            ],
            cwd=cwd,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return process, report


def _side_by_side(started: list[tuple[subprocess.Popen, Path]]) -> list[tuple[int, str]]:
    """Each run's exit status and output once all have ended (killed after 20 minutes)."""
    deadline = time.monotonic() + 1200
    for process, _ in started:
        try:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return [(process.returncode, report.read_text(errors="replace")) for process, report in started]
