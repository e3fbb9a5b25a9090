"""Run the five services and the HTTP gateway (or some of them) as separate processes against the
local broker.

    python -m services.run                      # all six, SQLite files under var/, HTTP on :8000
    python -m services.run intake escalation    # some of them
    ESCALATION_DATABASE_URL=postgresql://postgres@127.0.0.1/kam_escalation python -m services.run

Each service is `python -m services.serve <name>` (services/serve.py: nameko's runner with one
clean stop on any signal); the broker and databases come from the environment (see each
config.yaml). This runner supervises them: a service that exits is logged and started again after a
growing pause (1 s, 2 s, 4 s, ... up to a minute; back to 1 s once it has stayed up a minute),
while the others keep running. Ctrl-C, SIGTERM or SIGHUP stops every process, whether it reaches
this runner alone or the whole process group (a terminal's Ctrl-C, systemd, a container's init):
each service stops once, finishing its running work within STOP_GRACE seconds (20).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from services.common.messaging.origin import broker_nodes

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify", "gateway")


def broker_reachable(uri: str) -> bool:
    """Whether any of the broker nodes ``uri`` names (``amqp://a;amqp://b``) takes a connection."""
    for node in broker_nodes(uri):
        parsed = urlparse(node.replace("pyamqp://", "amqp://"))
        try:
            socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=3).close()
            return True
        except OSError:
            continue
    return False


def command(name: str) -> list[str]:
    return [sys.executable, "-m", "services.serve", name]


def main(argv: list[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or list(SERVICES)
    unknown = sorted(set(names) - set(SERVICES))
    if unknown:
        print(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(SERVICES)}", file=sys.stderr)
        return 2
    uri = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    if not broker_reachable(uri):
        print(
            f"RabbitMQ is not reachable at {uri}. Start it (`rabbitmq-server -detached`) or install "
            f"it (`apt install rabbitmq-server`), or set AMQP_URI.",
            file=sys.stderr,
        )
        return 1
    (ROOT / "var").mkdir(exist_ok=True)
    procs = {n: _start(n) for n in names}
    started = {n: time.monotonic() for n in names}
    backoff = {n: MIN_BACKOFF for n in names}
    due: dict[str, float] = {}  # service -> when to start it again
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    print(f"running {', '.join(names)} (Ctrl-C stops them all)", flush=True)
    for name, proc in procs.items():
        print(f"{name}: pid {proc.pid}", flush=True)
    while not stopping:
        now = time.monotonic()
        for name, proc in list(procs.items()):
            if name in due or proc.poll() is None:
                continue
            if now - started[name] >= STABLE_AFTER:
                backoff[name] = MIN_BACKOFF
            due[name] = now + backoff[name]
            log(f"service {name} exited with status {proc.returncode}; restarting it in {backoff[name]:g} s")
            backoff[name] = min(MAX_BACKOFF, backoff[name] * 2)
        for name, when in list(due.items()):
            if now >= when:
                del due[name]
                procs[name], started[name] = _start(name), time.monotonic()
                log(f"service {name} started again (pid {procs[name].pid})")
        time.sleep(0.5)
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.time() + float(os.environ.get("STOP_GRACE", "20")) + 5  # each service's grace, then some
    for p in procs.values():
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
    return 0


MIN_BACKOFF, MAX_BACKOFF, STABLE_AFTER = 1.0, 60.0, 60.0


# where each service serves /metrics, /livez and /readyz under this runner, unless the environment
# says (the gateway serves them on its HTTP port)
METRICS_PORTS = {"intake": 9101, "escalation": 9102, "assessment": 9103, "compensation": 9104, "notify": 9105}


def _start(name: str) -> subprocess.Popen:
    env = dict(os.environ)
    if name in METRICS_PORTS:
        env.setdefault(f"{name.upper()}_METRICS_ADDRESS", f"127.0.0.1:{METRICS_PORTS[name]}")
    return subprocess.Popen(command(name), cwd=ROOT, env=env)


def log(text: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} run: {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
