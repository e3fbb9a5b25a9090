"""A period close through the running service against a SQL GROUP BY floor (bench/close_month.py,
bench/quarter_run.py share this).

The service's projection is filled directly, as record_changed events would have left it (one
row per record, stored as validated), so the figure is the close itself, not the loading. Each
repeat starts the service afresh (its peak RSS is the close's), reopens the period if a former
repeat closed it, and times ``close_month``/``run_quarter`` from call to answer. The floor, in
the same run and on the same rows, is one SQL statement grouping the period's records by person
(count and sum of amounts): the least any close must do, reading every record once. Every size
is filled first, then the sizes take turns repeat by repeat; the growth from the smaller size to
the larger is printed for the close and for its floor (this shared machine is not linear either:
a million records' objects stay far less close to the processor than 100,000's).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from harness import Databases, median, peak_rss_mib, start_service, stop_service, table, vhost, wait_for

from services.common.storage import migrations

CHUNK = 20_000


def fill(
    db_url: str,
    models,
    line: str,
    plugin: str,
    rosters: dict[str, list[dict]],
    records: Iterator[tuple[str, str, Any, dict]],
) -> int:
    """Writes the line, its roster and ``records`` ((kind, key, day, doc), ...) into the
    projection table of ``models`` (a service's models module); returns how many records."""
    engine = sa.create_engine(db_url)
    migrations.prepare(engine, models.Base.metadata)
    table_ = models.Fact.__table__
    rows = [
        {
            "business_line": line,
            "kind": "business_line",
            "key": line,
            "version": 1,
            "day": None,
            "period": None,
            "doc": {"key": line, "plugin": plugin, "parameters": {}, "name": ""},
        }
    ]
    for kind, docs in rosters.items():
        rows += [
            {
                "business_line": line,
                "kind": kind,
                "key": d["id"],
                "version": 1,
                "day": None,
                "period": None,
                "doc": d,
            }
            for d in docs
        ]
    count = 0
    with engine.begin() as conn:
        conn.execute(table_.insert(), rows)
        batch = []
        for kind, key, day, doc in records:
            batch.append(
                {
                    "business_line": line,
                    "kind": kind,
                    "key": key,
                    "version": 1,
                    "day": day,
                    "period": None,
                    "doc": doc,
                }
            )
            if len(batch) == CHUNK:
                conn.execute(table_.insert(), batch)
                count += len(batch)
                batch = []
        if batch:
            conn.execute(table_.insert(), batch)
            count += len(batch)
    engine.dispose()
    return count


def floor_seconds(db_url: str, line: str, kind: str, first, last, person_field: str) -> float:
    """One GROUP BY over the period's records: count and sum of amounts per person."""
    engine = sa.create_engine(db_url)
    if engine.dialect.name == "sqlite":
        person, amount = (
            f"json_extract(doc, '$.{person_field}')",
            "sum(CAST(json_extract(doc, '$.amount') AS REAL))",
        )
    else:
        person, amount = f"doc->>'{person_field}'", "sum((doc->>'amount')::numeric)"
    sql = sa.text(
        f"SELECT {person}, count(*), {amount} FROM facts WHERE business_line = :line "
        f"AND kind = :kind AND day BETWEEN :first AND :last GROUP BY 1"
    )
    began = time.perf_counter()
    with engine.connect() as conn:
        groups = conn.execute(sql, {"line": line, "kind": kind, "first": first, "last": last}).fetchall()
    seconds = time.perf_counter() - began
    engine.dispose()
    assert groups, "the floor read nothing: the projection is not what the close reads"
    return seconds


def run(
    args,
    *,
    label: str,
    service: str,
    models,
    plugin: str,
    populate: Callable[[int], tuple[dict, Iterator]],
    close: Callable[[Any], dict],
    reopen: Callable[[Any], Any],
    floor: Callable[[str], float],
) -> None:
    results: dict[int, dict[str, list[float]]] = {}
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, vhost() as amqp:
        dbs = Databases(args.db, Path(tmp))
        try:
            urls = {}
            for size in args.sizes:
                urls[size] = dbs.new(service)
                rosters, records = populate(size)
                began = time.perf_counter()
                n = fill(urls[size], models, "bench", plugin, rosters, records)
                print(f"{label}: {n:,} records projected in {time.perf_counter() - began:.0f} s", flush=True)
            # the sizes take turns, repeat by repeat: this shared machine has slow spells, and the
            # growth from one size to the next should not be one spell against another
            for repeat in range(args.repeats):
                for size in args.sizes:
                    seconds, rss, answer = _close_once(
                        size, repeat, urls[size], amqp, Path(tmp), service=service, close=close, reopen=reopen
                    )
                    got = results.setdefault(size, {"close": [], "rss": [], "floor": [], "lines": []})
                    got["close"].append(seconds)
                    got["rss"].append(rss)
                    got["lines"].append(answer["line_count"])
                    got["floor"].append(floor(urls[size]))
                    print(
                        f"  {size:,}: close {got['close'][-1]:.1f} s, peak RSS {got['rss'][-1]:.0f} MiB, "
                        f"{answer['line_count']:,} lines; floor {got['floor'][-1]:.2f} s",
                        flush=True,
                    )
        finally:
            dbs.drop_all()
    rows = []
    for size, got in results.items():
        rows.append((f"{label} {size:,} ({dbs.kind})", got["close"], got["rss"]))
        rows.append((f"floor: SQL GROUP BY {size:,}", got["floor"], [0.0]))
    table(f"{label} through the running service, {args.repeats} repeats", rows)
    for size, got in results.items():
        print(
            f"{size:,}: close / floor = {median(got['close']) / median(got['floor']):.1f} x "
            f"(median {median(got['close']):.1f} s, peak RSS median {median(got['rss']):.0f} MiB)"
        )
    if len(results) > 1:
        small, large = min(results), max(results)
        growth = median(results[large]["close"]) / median(results[small]["close"])
        floor_growth = median(results[large]["floor"]) / median(results[small]["floor"])
        print(
            f"growth {small:,} -> {large:,} ({large / small:.0f} x the records): {growth:.1f} x the time "
            f"(the floor's: {floor_growth:.1f} x)"
        )


def _close_once(
    size: int,
    repeat: int,
    db_url: str,
    amqp: str,
    tmp: Path,
    *,
    service: str,
    close: Callable[[Any], dict],
    reopen: Callable[[Any], Any],
) -> tuple[float, float, dict]:
    """(seconds, peak RSS MiB, answer) of one close of a filled projection by a freshly started
    service (its peak RSS is the close's); reopens the period first when a former repeat closed it."""
    from nameko.standalone.rpc import ClusterRpcProxy

    # the projection is filled here, not by intake's events: nothing to wait for
    env = {"AMQP_URI": amqp, f"{service.upper()}_DATABASE_URL": db_url, "CLOSE_CATCH_UP_SECONDS": "0"}
    proc = start_service(
        f"services.{service}.service",
        f"services/{service}/config.yaml",
        env,
        tmp / f"{service}-{size}-{repeat}.log",
    )
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp}, timeout=900) as rpc:
            wait_for(lambda: getattr(rpc, service).projection_status("bench"))
            if repeat:
                reopen(getattr(rpc, service))
            began = time.perf_counter()
            answer = close(getattr(rpc, service))
            return time.perf_counter() - began, peak_rss_mib(proc.pid), answer
    finally:
        stop_service(proc)


def parser(doc: str, default_sizes: list[int]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=default_sizes)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--db",
        default="sqlite",
        help="'sqlite' (the services' default) or the admin URL of a PostgreSQL server",
    )
    return p
