"""The README's curl walkthrough, run as written against `make up` (python -m services.run, access
control on as shipped) on this test's broker vhost and fresh databases: the first administrator's
token reads a closed month's sheet over HTTP; without it, 401."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def walkthrough(name: str = "walkthrough") -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split(f"<!-- {name} -->\n", 1)[1].split(f"<!-- /{name} -->", 1)[0]
    return "\n".join(line[4:] for line in block.splitlines())


def run_walkthrough(script: str, amqp_uri, tmp_path, port) -> subprocess.CompletedProcess:
    """``script`` in bash against `python -m services.run` (access control on as shipped)."""
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "GATEWAY_ADDRESS": f"127.0.0.1:{port}",
        "KAM": f"http://127.0.0.1:{port}",
        "NOTIFY_OUTBOX_DIR": str(tmp_path / "outbox"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("ACCESS_CONTROL", None)
    for name in ("intake", "escalation", "assessment", "compensation", "notify"):
        env[f"{name.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / name}.db"
    up = subprocess.Popen(
        [sys.executable, "-m", "services.run"],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "up.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        return subprocess.run(
            ["bash", "-eu", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)


def test_readme_walkthrough_reads_a_closed_sheet_with_the_token_and_gets_401_without(
    amqp_uri, tmp_path, free_port
):
    done = run_walkthrough(walkthrough(), amqp_uri, tmp_path, free_port)
    assert done.returncode == 0, done.stdout + done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [a.get("change") for a in answers[:4]] == ["created"] * 4, answers
    summary, sheet = answers[-2], answers[-1]
    assert summary["period"] == "2026-03" and summary["line_count"] >= 1, summary
    # Worked by hand (docs/rules.md §1.4's table, AM column; quota of §1.2): o1, 30,000 yuan and 0 lines
    # (20,000 <= amount < 50,000, lines < 5), found by the city audit, never reported by am1: 4
    # points (§(三)(一)1, second line); am1 entered no local opportunity in March against a quota
    # of 1: 1 missing entry x 5 points (§(三)(一)4); 4 + 5 = 9, and the missed report sets the
    # year's veto flag (§(三)).
    figures = {
        line["kind"]: (line["figure"], line["clause"]) for line in sheet["lines"] if line["person"] == "am1"
    }
    assert figures == {
        "missed_report_ordinary": ("4", "000 §(三)(一)1"),
        "quota_shortfall": ("5", "000 §(三)(一)4"),
        "veto_flag": ("1", "000 §(三)"),
    }, sheet
    assert sheet["totals"] == {"am1": {"flag": "1", "points": "9"}}
    assert all(line["reason_zh"] and line["reason_en"] for line in sheet["lines"])
    assert re.search(r"^without a token: 401$", done.stdout, re.M), done.stdout


def test_readme_acts_walkthrough_confirms_and_shows_the_approved_change_on_the_statement(
    amqp_uri, tmp_path, free_port
):
    script = walkthrough() + "\n" + walkthrough("walkthrough-targets")
    done = run_walkthrough(script, amqp_uri, tmp_path, free_port)
    assert done.returncode == 0, done.stdout + done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    errors = [a["error"] for a in answers if "error" in a]
    # am1 confirming their own opportunity: 403; setting a second target over March's standing one:
    # 409; approving one's own request: 403
    assert errors == ["forbidden", "conflict", "forbidden"], answers
    (confirmed,) = [a for a in answers if a.get("kind") == "confirmation"]
    assert (confirmed["record"]["by"], confirmed["record"]["recorded_by"]) == ("dir1", "li.wei"), confirmed
    statement = answers[-1]
    (target,) = [l for l in statement["lines"] if l["kind"] == "target"]
    assert (target["figure"], target["inputs"]["requested_by"], target["inputs"]["approved_by"]) == (
        "30000",
        "li.wei",
        "zhao",
    ), target
    # 40,000 sold against a task of 30,000: 10,000 commissionable; 40,000 > 1.2 x 30,000 = 36,000,
    # so the 8% band + 1 pp: 10,000 x 9% = 900
    (deal,) = [l for l in statement["lines"] if l["kind"] == "commission"]
    assert deal["figure"] == "900.00", deal
