"""A quarter run at a real organisation's size: `compensation.run_quarter` (software) through the
running service, 1,000 and 10,000 reps with 100 collections each in the quarter, against a SQL
GROUP BY over the same projection (bench/closes.py says how). Prints seconds and the service's
peak RSS (min/median/max over repeats), the ratio to the floor and the growth from the smaller
size to the larger; no assertion, no pass/fail.

    .venv/bin/python bench/quarter_run.py [--sizes 1000 10000] [--collections 100] [--repeats 3]
        [--db sqlite|URL]

Sizes count reps. The mix: 1 collection in 10 is implementation revenue, 1 in 20 a joint sale
with another rep, 1 in 50 outside the CRM; targets of 150,000-400,000 a quarter. Needs the local
RabbitMQ (rabbitmqctl, for a throwaway vhost).
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import closes

QUARTER = "2026-Q1"
DAYS = [date(2026, 1, 1).toordinal() + d for d in range(90)]


def populate(reps: int, per_rep: int, seed: int = 1):
    rng = random.Random(seed)
    roster = {
        "person": [
            {
                "id": f"rep{i}",
                "role": "account_manager",
                "start_date": "2024-01-01",
                "quarterly_target": str(rng.choice((150_000, 200_000, 300_000, 400_000))),
            }
            for i in range(reps)
        ]
        + [{"id": "mgr", "role": "deputy_manager"}, {"id": "dir", "role": "branch_manager"}]
    }

    def records():
        for i in range(reps * per_rep):
            rep, day, r = i % reps, date.fromordinal(rng.choice(DAYS)), rng.random()
            doc = {
                "id": f"c{i}",
                "rep": f"rep{rep}",
                "date": day.isoformat(),
                "amount": str(rng.randrange(1_000, 20_000)),
            }
            if r < 0.1:
                doc["revenue_kind"] = "implementation"
            elif r < 0.15:
                doc["joint_with"] = f"rep{(rep + 1) % reps}"
            elif r < 0.17:
                doc["in_crm"] = False
            yield "collection", doc["id"], day, doc

    return roster, records()


def main() -> None:
    p = closes.parser(__doc__, [1_000, 10_000])
    p.add_argument("--collections", type=int, default=100, help="collections per rep in the quarter")
    args = p.parse_args()
    from services.compensation import models

    closes.run(
        args,
        label="run_quarter",
        service="compensation",
        models=models,
        plugin="software",
        populate=lambda reps: populate(reps, args.collections),
        close=lambda svc: svc.run_quarter("bench", QUARTER),
        reopen=lambda svc: svc.reopen_quarter("bench", QUARTER, "bench: run again"),
        floor=lambda url: closes.floor_seconds(
            url, "bench", "collection", date(2026, 1, 1), date(2026, 3, 31), "rep"
        ),
    )


if __name__ == "__main__":
    main()
