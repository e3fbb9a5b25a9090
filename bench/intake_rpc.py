"""intake's write path against its floor, in the same run: `record_opportunity` through the running
intake service (validation, idempotency, store, outbox, event) against a bare nameko echo service
with the same signature (bench/echo_service.py), each run as its own `nameko run` process on a
throwaway vhost and PostgreSQL database. Prints, per number of concurrent callers, throughput
and service CPU per call (min/median/max over repeats), the ratios intake / echo, and two
intake instances (one queue, one database) against one; no assertion, no pass/fail.

    .venv/bin/python bench/intake_rpc.py [--calls 500] [--callers 1 10] [--instances 1 2] [--repeats 3]
        [--db postgresql://postgres@127.0.0.1:5432/postgres | sqlite]

Needs the local RabbitMQ (rabbitmqctl usable, for the throwaway vhost) and, for PostgreSQL, the
admin URL above (trust auth).
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    PG_ADMIN,
    Databases,
    busy_fraction,
    consumers,
    cpu_seconds,
    machine_jiffies,
    start_service,
    stop_service,
    vhost,
    wait_for,
)


def drive(amqp_uri: str, calls: int, callers: int, run_id: str) -> float:
    """calls record_opportunity calls spread over `callers` concurrent clients; wall seconds."""
    from nameko.standalone.rpc import ClusterRpcProxy

    def client(worker: int):
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as rpc:
            for i in range(worker, calls, callers):
                rpc.intake.record_opportunity(
                    "bench",
                    {
                        "id": f"{run_id}-{i}",
                        "amount": 30000 + i % 1000,
                        "discovered": "2026-03-02",
                        "branch": "b1",
                        "account_manager": "am1",
                        "lines": i % 7,
                    },
                    idempotency_key=f"{run_id}-{i}",
                )

    pool = eventlet.GreenPool(callers)
    began = time.perf_counter()
    for worker in range(callers):
        pool.spawn(client, worker)
    pool.waitall()
    return time.perf_counter() - began


def measure(
    subject: str,
    module: str,
    amqp_uri: str,
    db_url: str,
    calls: int,
    callers: int,
    tmp: Path,
    instances: int = 1,
):
    """(calls/s, service CPU ms a call summed over the instances, share of the machine's cores
    busy meanwhile (callers, broker and database included), the callers' own CPU ms a call) of one
    run; `instances`
    processes of the service share its queue and database, as a second instance would."""
    from nameko.standalone.rpc import ClusterRpcProxy

    procs = [
        start_service(
            module,
            "services/intake/config.yaml",
            {"AMQP_URI": amqp_uri, "INTAKE_DATABASE_URL": db_url},
            tmp / f"{subject}-{n}.log",
        )
        for n in range(instances)
    ]
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
            wait_for(lambda: rpc.intake.register_business_line({"key": "bench", "plugin": "telecom"}))
            rpc.intake.register_branch("bench", {"id": "b1"})
            rpc.intake.register_person("bench", {"id": "am1", "role": "account_manager", "branch": "b1"})
        up = time.time() + 60
        while consumers(amqp_uri, "rpc-intake") != instances:  # every instance up
            if time.time() > up or any(p.poll() is not None for p in procs):
                raise RuntimeError(
                    f"{instances} instance(s) of {module} not all consuming; logs in "
                    f"{tmp}: "
                    + " | ".join((tmp / f"{subject}-{n}.log").read_text()[-500:] for n in range(instances))
                )
            time.sleep(0.2)
        drive(amqp_uri, 20 * instances, instances, f"warm-{uuid.uuid4().hex[:6]}")
        cpu, machine, client = sum(cpu_seconds(p.pid) for p in procs), machine_jiffies(), time.process_time()
        seconds = drive(amqp_uri, calls, callers, uuid.uuid4().hex[:8])
        return (
            calls / seconds,
            (sum(cpu_seconds(p.pid) for p in procs) - cpu) / calls * 1000,
            busy_fraction(machine, machine_jiffies()),
            (time.process_time() - client) / calls * 1000,
        )
    finally:
        for proc in procs:
            stop_service(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--callers", type=int, nargs="+", default=[1, 10])
    parser.add_argument(
        "--instances",
        type=int,
        nargs="+",
        default=[1, 2],
        help="intake processes sharing the queue and database (echo runs as one)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--db",
        default=PG_ADMIN,
        help="admin URL of a PostgreSQL server (a database is created per run), or 'sqlite'",
    )
    args = parser.parse_args()
    runs = [("echo", "bench.echo_service", 1)] + [
        ("intake", "services.intake.service", n) for n in args.instances
    ]
    with tempfile.TemporaryDirectory() as tmp, vhost() as amqp_uri:
        dbs = Databases(args.db, Path(tmp))
        try:
            results: dict[tuple[str, int, int], list[tuple[float, ...]]] = {}
            for _ in range(args.repeats):
                for callers in args.callers:
                    for subject, module, instances in runs:
                        results.setdefault((subject, callers, instances), []).append(
                            measure(
                                subject,
                                module,
                                amqp_uri,
                                dbs.new(subject),
                                args.calls,
                                callers,
                                Path(tmp),
                                instances,
                            )
                        )
        finally:
            dbs.drop_all()
    print(f"record_opportunity, {args.calls} calls, {args.repeats} repeats, database: {dbs.kind}")
    print(
        f"{'subject':<8} {'callers':>7} {'instances':>9} {'calls/s min/median/max':>26}"
        f" {'service CPU ms/call min/median/max':>36} {'machine busy':>12} {'callers ms/call':>15}"
    )
    for (subject, callers, instances), values in sorted(
        results.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])
    ):
        rate, cpu = [v[0] for v in values], [v[1] for v in values]
        busy, client = statistics.median(v[2] for v in values), statistics.median(v[3] for v in values)
        print(
            f"{subject:<8} {callers:>7} {instances:>9} {min(rate):8.1f} {statistics.median(rate):8.1f}"
            f" {max(rate):8.1f} {min(cpu):11.2f} {statistics.median(cpu):11.2f} {max(cpu):11.2f}"
            f" {busy:11.0%} {client:15.2f}"
        )

    def rate(key):
        return statistics.median(v[0] for v in results[key])

    for callers in args.callers:
        one = results[("intake", callers, args.instances[0])]
        print(
            f"{callers} callers: intake throughput = "
            f"{rate(('intake', callers, args.instances[0])) / rate(('echo', callers, 1)):.2f}"
            f" x echo; service CPU {statistics.median(v[1] for v in one):.2f} ms/call vs "
            f"{statistics.median(v[1] for v in results[('echo', callers, 1)]):.2f}",
            end="",
        )
        for n in args.instances[1:]:
            print(
                f"; {n} instances = "
                f"{rate(('intake', callers, n)) / rate(('intake', callers, args.instances[0])):.2f}"
                f" x {args.instances[0]}",
                end="",
            )
        print()


if __name__ == "__main__":
    main()
