"""intake's write path against its floor, in the same run: `record_opportunity` through the running
intake service (validation, idempotency, store, outbox, event) against a bare nameko echo service
with the same signature (bench/echo_service.py), each run as its own `nameko run` process on a
throwaway vhost and PostgreSQL database. Prints, per number of concurrent callers, throughput
and service CPU per call (min/median/max over repeats) and the ratios intake / echo; no
assertion, no pass/fail.

    .venv/bin/python bench/intake_rpc.py [--calls 500] [--callers 1 10] [--repeats 3]
        [--db postgresql://postgres@127.0.0.1:5432/postgres | sqlite]

Needs the local RabbitMQ (rabbitmqctl usable, for the throwaway vhost) and, for PostgreSQL, the
admin URL above (trust auth).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its threads) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def start(module: str, amqp_uri: str, db_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "AMQP_URI": amqp_uri, "INTAKE_DATABASE_URL": db_url, "LOG_LEVEL": "WARNING"}
    nameko = Path(sys.executable).with_name("nameko")
    return subprocess.Popen([str(nameko), "run", "--config", "services/intake/config.yaml", module],
                            cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)


def wait_ready(rpc, deadline=60):
    end = time.time() + deadline
    while True:
        try:
            rpc.intake.register_business_line({"key": "bench", "plugin": "telecom"})
            return
        except Exception:  # noqa: BLE001 - not up yet
            if time.time() > end:
                raise
            eventlet.sleep(0.2)


def drive(amqp_uri: str, calls: int, callers: int, run_id: str) -> float:
    """calls record_opportunity calls spread over `callers` concurrent clients; wall seconds."""
    from nameko.standalone.rpc import ClusterRpcProxy

    def client(worker: int):
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as rpc:
            for i in range(worker, calls, callers):
                rpc.intake.record_opportunity("bench", {
                    "id": f"{run_id}-{i}", "amount": 30000 + i % 1000, "discovered": "2026-03-02",
                    "branch": "b1", "account_manager": "am1", "lines": i % 7}, idempotency_key=f"{run_id}-{i}")

    pool = eventlet.GreenPool(callers)
    began = time.perf_counter()
    for worker in range(callers):
        pool.spawn(client, worker)
    pool.waitall()
    return time.perf_counter() - began


def measure(subject: str, module: str, amqp_uri: str, db_url: str, calls: int, callers: int, tmp: Path):
    from nameko.standalone.rpc import ClusterRpcProxy

    proc = start(module, amqp_uri, db_url, tmp / f"{subject}.log")
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
            wait_ready(rpc)
            rpc.intake.register_branch("bench", {"id": "b1"})
            rpc.intake.register_person("bench", {"id": "am1", "role": "account_manager", "branch": "b1"})
        drive(amqp_uri, 20, 1, f"warm-{uuid.uuid4().hex[:6]}")
        cpu = cpu_seconds(proc.pid)
        seconds = drive(amqp_uri, calls, callers, uuid.uuid4().hex[:8])
        return calls / seconds, (cpu_seconds(proc.pid) - cpu) / calls * 1000
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--callers", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin URL of a PostgreSQL server (a database is created per run), or 'sqlite'")
    args = parser.parse_args()
    vhost = f"kam_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                   check=True, capture_output=True)
    amqp_uri = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    admin = None
    created = []
    try:
        if args.db != "sqlite":
            import sqlalchemy as sa
            admin = sa.create_engine(args.db, isolation_level="AUTOCOMMIT")
        with tempfile.TemporaryDirectory() as tmp:
            results: dict[tuple[str, int], list[tuple[float, float]]] = {}
            for _ in range(args.repeats):
                for callers in args.callers:
                    for subject, module in (("echo", "bench.echo_service"), ("intake", "services.intake.service")):
                        if admin is None:
                            db_url = f"sqlite:///{tmp}/{subject}-{uuid.uuid4().hex[:6]}.db"
                        else:
                            name = f"kam_bench_{uuid.uuid4().hex[:8]}"
                            with admin.connect() as conn:
                                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                            created.append(name)
                            db_url = args.db.rsplit("/", 1)[0] + f"/{name}"
                        results.setdefault((subject, callers), []).append(
                            measure(subject, module, amqp_uri, db_url, args.calls, callers, Path(tmp)))
        print(f"record_opportunity, {args.calls} calls, {args.repeats} repeats, database: "
              f"{'SQLite' if admin is None else 'PostgreSQL'}")
        print(f"{'subject':<8} {'callers':>7} {'calls/s min/median/max':>26} {'service CPU ms/call min/median/max':>36}")
        for (subject, callers), values in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            rate, cpu = [v[0] for v in values], [v[1] for v in values]
            print(f"{subject:<8} {callers:>7} {min(rate):8.1f} {statistics.median(rate):8.1f} {max(rate):8.1f}"
                  f" {min(cpu):11.2f} {statistics.median(cpu):11.2f} {max(cpu):11.2f}")
        for callers in args.callers:
            intake, echo = results[("intake", callers)], results[("echo", callers)]
            ratio = statistics.median(v[0] for v in intake) / statistics.median(v[0] for v in echo)
            print(f"{callers} callers: intake throughput = {ratio:.2f} x echo; service CPU "
                  f"{statistics.median(v[1] for v in intake):.2f} ms/call vs {statistics.median(v[1] for v in echo):.2f}")
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
        if admin is not None:
            with admin.connect() as conn:
                for name in created:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
