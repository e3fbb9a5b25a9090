"""intake's batch write against its floor, in the same run: 100,000 opportunities loaded through the
running intake service with `record_batch` (validation, references, idempotency, store, outbox,
events) against a SQLAlchemy Core executemany of the same rows into the same `records` table of a
fresh database (chunk for chunk, one transaction each). Prints seconds (min/median/max over
repeats) until the last batch is answered, and until its last event is on the broker, the
service's peak RSS, and the ratio floor / intake; no assertion, no pass/fail.

    .venv/bin/python bench/intake_batch.py [--records 100000] [--batch 5000] [--repeats 3]
        [--db postgresql://postgres@127.0.0.1:5432/postgres | sqlite]

Needs the local RabbitMQ (rabbitmqctl usable, for the throwaway vhost) and, for PostgreSQL, the
admin URL above (trust auth).
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import (  # noqa: E402
    PG_ADMIN,
    Databases,
    median,
    peak_rss_mib,
    start_service,
    stop_service,
    table,
    vhost,
    wait_for,
)

from wire import events as E  # noqa: E402


def opportunities(n: int, run_id: str) -> list[dict]:
    return [
        {
            "id": f"{run_id}-{i}",
            "amount": 30000 + i % 1000,
            "discovered": f"2026-03-{1 + i % 28:02d}",
            "branch": "b1",
            "account_manager": "am1",
            "lines": i % 7,
        }
        for i in range(n)
    ]


def floor(db_url: str, records: list[dict], batch: int) -> float:
    """The same rows as intake stores them, by Core executemany, one transaction per chunk."""
    import sqlalchemy as sa

    from services.common.storage import migrations
    from services.intake.models import Base, Record
    from wire.records import record_day

    engine = sa.create_engine(db_url)
    migrations.prepare(engine, Base.metadata)
    rows = [
        {
            "business_line": "bench",
            "kind": "opportunity",
            "key": r["id"],
            "version": 1,
            "doc": r,
            "day": record_day("opportunity", r),
        }
        for r in records
    ]
    began = time.perf_counter()
    for start in range(0, len(rows), batch):
        with engine.begin() as conn:
            conn.execute(sa.insert(Record), rows[start : start + batch])
    seconds = time.perf_counter() - began
    engine.dispose()
    return seconds


def published(amqp_uri: str, queue: str) -> int:
    """Events waiting on a queue bound to intake's records_changed (declared on first use)."""
    from kombu import Connection, Exchange, Queue

    with Connection(amqp_uri) as conn:
        declared = Queue(
            queue,
            Exchange(f"{E.INTAKE}.events", type="topic", durable=True),
            routing_key=E.RECORDS_CHANGED,
            auto_delete=False,
        )(conn.channel()).declare()
        return conn.default_channel.queue_declare(queue, passive=True).message_count if declared else 0


def subject(
    amqp_uri: str, db_url: str, records: list[dict], batch: int, tmp: Path
) -> tuple[float, float, float]:
    """(seconds until the last batch answered, seconds until its last event was published, peak RSS
    MiB)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    proc = start_service(
        "services.intake.service",
        "services/intake/config.yaml",
        {"AMQP_URI": amqp_uri, "INTAKE_DATABASE_URL": db_url},
        tmp / "intake.log",
    )
    tap = f"bench-tap-{uuid.uuid4().hex[:6]}"
    published(amqp_uri, tap)  # bound before the first batch: it counts every event published
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=600) as rpc:
            wait_for(lambda: rpc.intake.register_business_line({"key": "bench", "plugin": "telecom"}))
            rpc.intake.register_branch("bench", {"id": "b1"})
            rpc.intake.register_person("bench", {"id": "am1", "role": "account_manager", "branch": "b1"})
            began = time.perf_counter()
            for start in range(0, len(records), batch):
                rpc.intake.record_batch(
                    "bench", "opportunity", records[start : start + batch], idempotency_key=f"batch-{start}"
                )
            answered = time.perf_counter() - began
        while published(amqp_uri, tap) < -(-len(records) // E.RECORDS_PER_EVENT):
            time.sleep(0.05)
        sent = time.perf_counter() - began
        return answered, sent, peak_rss_mib(proc.pid)
    finally:
        stop_service(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--db",
        default=PG_ADMIN,
        help="admin URL of a PostgreSQL server (a database is created per run), or 'sqlite'",
    )
    args = parser.parse_args()
    floors, answered, sent, rss = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp, vhost() as amqp_uri:
        dbs = Databases(args.db, Path(tmp))
        try:
            for _ in range(args.repeats):
                records = opportunities(args.records, uuid.uuid4().hex[:8])
                floors.append(floor(dbs.new("floor"), records, args.batch))
                a, s, r = subject(amqp_uri, dbs.new("intake"), records, args.batch, Path(tmp))
                answered.append(a), sent.append(s), rss.append(r)
        finally:
            dbs.drop_all()
    table(
        f"{args.records} opportunities in batches of {args.batch}, {args.repeats} repeats, "
        f"database: {dbs.kind}",
        [
            ("floor: Core executemany", floors, [0] * len(floors)),
            ("intake.record_batch, last answer", answered, rss),
            ("intake.record_batch, last event sent", sent, rss),
        ],
    )
    print(
        f"intake = {median(floors) / median(answered):.2f} x floor (answered), "
        f"{median(floors) / median(sent):.2f} x floor (events sent); "
        f"{args.records / median(answered):.0f} records/s"
    )


if __name__ == "__main__":
    main()
