"""A month close at a real organisation's size: `assessment.close_month` (telecom) through the
running service, at 100,000 and 1,000,000 opportunities of one month for 10,000 people, against
a SQL GROUP BY over the same projection (bench/closes.py says how). Prints seconds and the
service's peak RSS (min/median/max over repeats), the ratio to the floor and the growth from the
smaller size to the larger; no assertion, no pass/fail.

    .venv/bin/python bench/close_month.py [--sizes 100000 1000000] [--repeats 3] [--db sqlite|URL]
        [--people 10000] [--missed 0.05]

The month's mix: --missed of the opportunities are missed reports (half found by the city audit,
half entered 8-12 days after discovery); the rest are entered within a week. Amounts are spread
over the four bands of seed 000. Needs the local RabbitMQ (rabbitmqctl, for a throwaway vhost).
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import closes

MONTH = "2026-03"
BRANCHES = 100


def populate(size: int, people: int, missed: float, seed: int = 1):
    rng = random.Random(seed)
    managers = people - 3 * BRANCHES
    roster = {
        "branch": [{"id": f"b{b}", "urban": b < 30} for b in range(BRANCHES)],
        "person": [
            {
                "id": f"am{i}",
                "role": "account_manager",
                "branch": f"b{i % BRANCHES}",
                "start_date": "2024-01-01",
            }
            for i in range(managers)
        ]
        + [
            {"id": f"{prefix}{b}", "role": role, "branch": f"b{b}"}
            for b in range(BRANCHES)
            for prefix, role in (
                ("dir", "center_director"),
                ("dep", "deputy_manager"),
                ("bm", "branch_manager"),
            )
        ],
    }

    def records():
        for i in range(size):
            am, day, r = rng.randrange(managers), rng.randint(1, 28), rng.random()
            late, audit = r < missed / 2, missed / 2 <= r < missed
            entered = min(28, day + (rng.randint(8, 12) if late else rng.randint(0, 6)))
            doc = {
                "id": f"o{i}",
                "amount": str(rng.choice((15000, 30000, 80000, 250000))),
                "discovered": f"{MONTH}-{day:02d}",
                "entered": f"{MONTH}-{entered:02d}",
                "branch": f"b{am % BRANCHES}",
                "account_manager": f"am{am}",
                "lines": rng.randint(0, 6),
                "customer": f"customer-{rng.randrange(10**6)}",
                "origin": "audit" if audit else "reported",
            }
            yield "opportunity", doc["id"], date(2026, 3, day), doc

    return roster, records()


def main() -> None:
    p = closes.parser(__doc__, [100_000, 1_000_000])
    p.add_argument("--people", type=int, default=10_000)
    p.add_argument("--missed", type=float, default=0.05)
    args = p.parse_args()
    from services.assessment import models

    closes.run(
        args,
        label="close_month",
        service="assessment",
        models=models,
        plugin="telecom",
        populate=lambda size: populate(size, args.people, args.missed),
        close=lambda svc: svc.close_month("bench", MONTH),
        reopen=lambda svc: svc.reopen_month("bench", MONTH, "bench: close again"),
        floor=lambda url: closes.floor_seconds(
            url, "bench", "opportunity", date(2026, 3, 1), date(2026, 3, 31), "account_manager"
        ),
    )


if __name__ == "__main__":
    main()
