"""notify through the real broker: notices and the weekly bulletin rendered in Chinese and
English and delivered to an outbox directory, a real SMTP server and a real webhook endpoint;
a failing channel is logged and retried."""

import json
import mailbox
import socket
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path

import eventlet
import pytest

from services.escalation.service import EscalationService
from services.intake.service import IntakeService
from services.notify.service import NotifyService

HERE = Path(__file__).parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args, port):
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{args} did not start: {proc.stderr.read().decode()}")


@pytest.fixture
def smtp_server(tmp_path):
    port, box = _free_port(), tmp_path / "maildir"
    proc = _serve(
        ["-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", str(box)], port
    )
    yield port, box
    proc.kill()


@pytest.fixture
def webhook_port():
    return _free_port()


def _wait_until(predicate, timeout=60):
    # a bound, not a speed: it returns as soon as the predicate holds (20 s ran out once with
    # another test suite sharing the machine's two cores and its broker)
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


def test_notices_and_bulletin_reach_every_channel_and_failures_are_retried(
    start_service, rpc, pg_url_factory, tmp_path, smtp_server, webhook_port
):
    smtp_port, maildir = smtp_server
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    channels = [
        {"name": "outbox", "type": "outbox", "dir": str(tmp_path / "outbox")},
        {
            "name": "mail",
            "type": "smtp",
            "host": "127.0.0.1",
            "port": smtp_port,
            "sender": "kam@example.com",
            "recipients": ["ops@example.com"],
        },
        {"name": "hook", "type": "webhook", "url": f"http://127.0.0.1:{webhook_port}/kam", "timeout": 2},
    ]
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(EscalationService, pg_url_factory("escalation"))
    start_service(NotifyService, pg_url_factory("notify"), NOTIFY_CHANNELS=channels)
    # acme-flat: >= 100,000 is "big" (branch manager, in the bulletin); smaller is the AM's
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    rpc.intake.register_branch("acme", {"id": "b1"})
    rpc.intake.register_person("acme", {"id": "am1", "role": "account_manager", "branch": "b1"})
    rpc.intake.register_person("acme", {"id": "bm1", "role": "branch_manager", "branch": "b1"})
    for oid, amount in (("o1", 150000), ("o2", 30000)):
        rpc.intake.record_opportunity(
            "acme",
            {
                "id": oid,
                "amount": amount,
                "discovered": "2026-03-02",
                "entered": "2026-03-02",
                "branch": "b1",
                "account_manager": "am1",
            },
        )
    _wait_until(lambda: len(rpc.notify.list_messages("acme", "owner_assigned")) == 2)
    rpc.intake.post_follow_up("acme", {"id": "f1", "opportunity": "o1", "date": "2026-03-06"})
    # o2 has no follow-up for 7 days: escalated to bm1 on 9 March
    assert [e["opportunity"] for e in rpc.escalation.sweep("2026-03-09")] == ["o2"]
    _wait_until(lambda: len(rpc.notify.list_messages("acme", "escalation")) == 1)
    (escalation,) = rpc.notify.list_messages("acme", "escalation")
    assert "bm1" in escalation["markdown"] and "逾期第 1 周" in escalation["markdown"]

    # the weekly bulletin lists o1 (>= 100,000 for acme) with its follow-up, not o2; once a week
    (made,) = rpc.notify.send_weekly_bulletin("2026-03-09", "acme")
    assert made["opportunities"] == 1
    assert rpc.notify.send_weekly_bulletin("2026-03-11", "acme")[0]["message"] == made["message"]
    # asked for once, made once: one audit entry (access control is off here: principal "-")
    (entry,) = rpc.notify.list_audit(business_line="acme")["items"]
    assert (entry["action"], entry["target"], entry["principal"]) == (
        "send_weekly_bulletin",
        "message:bulletin:acme:2026-W11",
        "-",
    )
    assert entry["after"]["opportunities"] == 1
    (bulletin,) = rpc.notify.list_messages("acme", "weekly_bulletin")
    assert "| o1 | 150,000.00 |" in bulletin["markdown"] and "2026-03-06" in bulletin["markdown"]
    assert "| o2 |" not in bulletin["markdown"]

    # outbox and SMTP got all four messages; the webhook was down: logged, to be retried
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert len(files) == 8 and any(f.endswith("weekly_bulletin-acme.html") for f in files)
    subjects = sorted(str(make_header(decode_header(m["Subject"]))) for m in mailbox.Maildir(maildir))
    assert len(subjects) == 4 and any("商机跟进周报 / Weekly opportunity bulletin" in s for s in subjects)
    failed = [d for d in rpc.notify.list_deliveries() if d["channel"] == "hook"]
    assert len(failed) == 4 and all(d["status"] == "retrying" and d["last_error"] for d in failed)

    sink = _serve([str(HERE / "webhook_sink.py"), str(webhook_port), str(hooks)], webhook_port)
    try:
        assert rpc.notify.retry_deliveries("2030-01-01T00:00:00") == 4
        assert {d["status"] for d in rpc.notify.list_deliveries()} == {"sent"}
        bodies = [json.loads(p.read_text("utf-8")) for p in sorted(hooks.iterdir())]
        assert sorted(b["kind"] for b in bodies) == [
            "escalation",
            "owner_assigned",
            "owner_assigned",
            "weekly_bulletin",
        ]
    finally:
        sink.kill()
