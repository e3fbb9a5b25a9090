"""Run all five services (or some) as separate processes against the local broker.

    python -m services.run                      # all five, SQLite files under var/
    python -m services.run intake escalation    # some of them
    ESCALATION_DATABASE_URL=postgresql://postgres@127.0.0.1/kam_escalation python -m services.run

Each service is `nameko run --config services/<name>/config.yaml services.<name>.service`; the
broker and databases come from the environment (see each config.yaml). Ctrl-C or SIGTERM stops
every process; if one dies, the others are stopped too and the exit status says so.
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

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")


def broker_reachable(uri: str) -> bool:
    parsed = urlparse(uri.replace("pyamqp://", "amqp://"))
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=3).close()
        return True
    except OSError:
        return False


def command(name: str) -> list[str]:
    nameko = Path(sys.executable).with_name("nameko")
    return [str(nameko), "run", "--config", f"services/{name}/config.yaml", f"services.{name}.service"]


def main(argv: list[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or list(SERVICES)
    unknown = sorted(set(names) - set(SERVICES))
    if unknown:
        print(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(SERVICES)}", file=sys.stderr)
        return 2
    uri = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    if not broker_reachable(uri):
        print(f"RabbitMQ is not reachable at {uri}. Start it (`rabbitmq-server -detached`) or install "
              f"it (`apt install rabbitmq-server`), or set AMQP_URI.", file=sys.stderr)
        return 1
    (ROOT / "var").mkdir(exist_ok=True)
    procs = {n: subprocess.Popen(command(n), cwd=ROOT) for n in names}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"running {', '.join(names)} (Ctrl-C stops them all)", flush=True)
    status = 0
    while not stopping:
        dead = [n for n, p in procs.items() if p.poll() is not None]
        if dead:
            print(f"service(s) exited: {', '.join(dead)}; stopping the others", file=sys.stderr)
            status = 1
            break
        time.sleep(0.5)
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.time() + 20
    for p in procs.values():
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
    return status


if __name__ == "__main__":
    sys.exit(main())
