"""Replay and compare of a quarter at a real organisation's size (docs/rules.md §9.2, §9.3):
`compensation.run_quarter` (software, 10,000 reps with 100 collections each), then
`replay_period` of the version it closed and `compare_period` of it under
software-progressive, through the running service. Prints seconds of each (min/median/max over
repeats) and each one's ratio to the quarter run measured in the same repeat, beside the SQL
GROUP BY floor of bench/closes.py; no assertion, no pass/fail.

    .venv/bin/python bench/replay_compare.py [--sizes 10000] [--collections 100] [--repeats 3]
        [--db sqlite|URL]

Needs the local RabbitMQ (rabbitmqctl, for a throwaway vhost).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import closes
from harness import Databases, median, start_service, stop_service, table, vhost, wait_for
from quarter_run import QUARTER, populate


def once(size: int, repeat: int, url: str, amqp: str, tmp: Path) -> dict[str, float]:
    """Seconds of the run, the replay and the comparison, by a freshly started service."""
    from nameko.standalone.rpc import ClusterRpcProxy

    env = {"AMQP_URI": amqp, "COMPENSATION_DATABASE_URL": url, "CLOSE_CATCH_UP_SECONDS": "0"}
    proc = start_service(
        "services.compensation.service",
        "services/compensation/config.yaml",
        env,
        tmp / f"compensation-{size}-{repeat}.log",
    )
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp}, timeout=1800) as rpc:
            svc = rpc.compensation
            wait_for(lambda: svc.projection_status("bench"))
            if repeat:
                svc.reopen_quarter("bench", QUARTER, "bench: run again")
            out = {}
            began = time.perf_counter()
            run = svc.run_quarter("bench", QUARTER)
            out["run"] = time.perf_counter() - began
            began = time.perf_counter()
            replayed = svc.replay_period("bench", QUARTER)
            out["replay"] = time.perf_counter() - began
            assert replayed["outcome"] == "identical", replayed["outcome"]
            began = time.perf_counter()
            compared = svc.compare_period("bench", QUARTER, plugin="software-progressive")
            out["compare"] = time.perf_counter() - began
            out["lines"] = run["line_count"]
            out["people"] = len(compared["people"])
            return out
    finally:
        stop_service(proc)


def main() -> None:
    p = closes.parser(__doc__, [10_000])
    p.add_argument("--collections", type=int, default=100, help="collections per rep in the quarter")
    args = p.parse_args()
    from services.compensation import models

    results: dict[int, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, vhost() as amqp:
        dbs = Databases(args.db, Path(tmp))
        try:
            urls = {}
            for size in args.sizes:
                urls[size] = dbs.new("compensation")
                rosters, records = populate(size, args.collections)
                n = closes.fill(urls[size], models, "bench", "software", rosters, records)
                print(f"{n:,} records projected for {size:,} reps", flush=True)
            for repeat in range(args.repeats):
                for size in args.sizes:
                    got = once(size, repeat, urls[size], amqp, Path(tmp))
                    floor = closes.floor_seconds(
                        urls[size], "bench", "collection", date(2026, 1, 1), date(2026, 3, 31), "rep"
                    )
                    keep = results.setdefault(size, {k: [] for k in ("run", "replay", "compare", "floor")})
                    for key in ("run", "replay", "compare"):
                        keep[key].append(got[key])
                    keep["floor"].append(floor)
                    print(
                        f"  {size:,}: run {got['run']:.1f} s ({got['lines']:,} lines), replay "
                        f"{got['replay']:.1f} s, compare {got['compare']:.1f} s ({got['people']:,} people); "
                        f"floor {floor:.2f} s",
                        flush=True,
                    )
        finally:
            dbs.drop_all()
    rows = []
    for size, got in results.items():
        for key in ("run", "replay", "compare", "floor"):
            rows.append((f"{key} {size:,} ({dbs.kind})", got[key], [0.0]))
    table(f"run, replay and compare of a quarter, {args.repeats} repeats", rows)
    for size, got in results.items():
        for key in ("replay", "compare"):
            ratios = sorted(a / b for a, b in zip(got[key], got["run"]))
            print(
                f"{size:,}: {key} / run = {ratios[0]:.2f} / {median(ratios):.2f} / {ratios[-1]:.2f} x "
                f"(min/median/max; {key} / floor {median(got[key]) / median(got['floor']):.1f} x)"
            )


if __name__ == "__main__":
    main()
