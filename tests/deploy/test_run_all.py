"""`make up` (python -m services.run) starts the five services and the HTTP gateway as processes
that answer over the real broker (access control on, as shipped), and Ctrl-C stops every one."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import eventlet
from nameko.exceptions import MethodNotFound, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from kamcli.access import bootstrap
from kamkit.errors import NotFound, Unauthorized

ROOT = Path(__file__).resolve().parents[2]


def _up(rpc):
    """True once every service answers (MethodNotFound is an answer; UnknownService is not, nor
    Unauthorized: the caller's token is not announced to that service yet)."""
    for name in ("intake", "escalation", "assessment", "compensation", "notify"):
        try:
            getattr(rpc, name).list_parked(1)
        except (UnknownService, Unauthorized):
            return False
        except (MethodNotFound, NotFound):
            pass
    return True


def test_run_command_starts_all_six_and_stops_them_on_ctrl_c(amqp_uri, tmp_path, free_port):
    port = free_port
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "NOTIFY_OUTBOX_DIR": str(tmp_path / "outbox"),
        "GATEWAY_ADDRESS": f"127.0.0.1:{port}",
    }
    env.pop("ACCESS_CONTROL", None)  # as shipped: on
    for name in ("intake", "escalation", "assessment", "compensation", "notify"):
        env[f"{name.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / name}.db"
    token = bootstrap(env["INTAKE_DATABASE_URL"], "ops", "Operator")["token"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as anonymous:
            with eventlet.Timeout(60):
                while True:  # up, and refusing a call without a token
                    try:
                        anonymous.intake.list_parked(1)
                        raise AssertionError("a call without a token was let in")
                    except UnknownService:
                        eventlet.sleep(0.2)
                    except Unauthorized:
                        break
        with eventlet.Timeout(60):  # the gateway may start after intake answers
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=30) as answer:
                        assert json.load(answer) == {"status": "ok"}
                        break
                except urllib.error.URLError:
                    eventlet.sleep(0.2)
        with ClusterRpcProxy(
            {"AMQP_URI": amqp_uri}, timeout=60, context_data={"authorization": token}
        ) as rpc:
            with eventlet.Timeout(60):  # the processes take a few seconds to declare their queues
                while not _up(rpc):
                    assert proc.poll() is None, proc.stdout.read().decode()
                    eventlet.sleep(0.2)
            rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
            assert rpc.escalation.list_escalations("acme") == []
            with eventlet.Timeout(30):
                while rpc.assessment.projection_status("acme") != {"business_line": 1}:
                    eventlet.sleep(0.1)
            assert rpc.compensation.projection_status("acme") == {"business_line": 1}
            assert rpc.notify.list_messages("acme") == []
        # metrics and health (services.common.telemetry): each service on its own port, the
        # gateway on its HTTP port, the gateway's requests counted by operation and status
        for address in [f"127.0.0.1:{port}", *(f"127.0.0.1:{p}" for p in range(9101, 9106))]:
            with urllib.request.urlopen(f"http://{address}/readyz", timeout=30) as answer:
                assert json.load(answer)["status"] == "ready", address
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            metrics = answer.read().decode()
        health = 'kam_http_requests_total{route="health",service="gateway",status="200"} 1.0'
        assert health in metrics, metrics
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 0, output
    assert "running intake, escalation, assessment, compensation, notify, gateway" in output
    assert {p.name for p in tmp_path.iterdir()} >= {
        f"{n}.db" for n in ("intake", "escalation", "assessment", "compensation", "notify")
    }


def test_a_service_that_dies_is_restarted_and_the_others_keep_running(amqp_uri, tmp_path, free_port):
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "NOTIFY_OUTBOX_DIR": str(tmp_path / "outbox"),
        "GATEWAY_ADDRESS": f"127.0.0.1:{free_port}",
        "ACCESS_CONTROL": "off",
    }  # the restarts are under test
    for name in ("intake", "escalation", "assessment", "compensation", "notify"):
        env[f"{name.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / name}.db"
    out = tmp_path / "run.log"
    with open(out, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.run"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
            with eventlet.Timeout(60):
                while not _up(rpc):
                    eventlet.sleep(0.2)
            pids = dict(line.split(": pid ") for line in out.read_text().splitlines() if ": pid " in line)
            os.kill(int(pids["escalation"]), signal.SIGKILL)
            with eventlet.Timeout(60):  # logged, restarted after its back-off, answering again
                while "service escalation started again" not in out.read_text():
                    eventlet.sleep(0.2)
                while True:
                    try:
                        rpc.escalation.list_escalations("acme")
                        break
                    except UnknownService:
                        eventlet.sleep(0.2)
            assert proc.poll() is None
            rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})  # others kept on
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    log = out.read_text()
    assert "service escalation exited with status -9; restarting it in 1 s" in log, log
    assert log.count("started again") == 1, log
