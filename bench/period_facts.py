"""How the month's facts scale with history: the set-based, date-bounded read that assessment uses
(services.common.periods.factstore.period_document) against a baseline that reads the whole projection
and filters in Python. Prints both timings side by side and their ratio; no assertion, no pass/fail.

    .venv/bin/python bench/period_facts.py [--opportunities 200000] [--db sqlite:///bench.db]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import warnings
from datetime import date, timedelta

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from kamkit.periods import Month  # noqa: E402
from services.assessment.models import Base, Fact  # noqa: E402
from services.common.periods.factstore import period_document  # noqa: E402
from services.common.storage import migrations  # noqa: E402

LINE = "bench"


def populate(session, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = date(2021, 1, 1)
    rows = [
        {
            "business_line": LINE,
            "kind": "person",
            "key": f"am{i}",
            "version": 1,
            "day": None,
            "period": None,
            "doc": {"id": f"am{i}", "role": "account_manager"},
        }
        for i in range(200)
    ]
    for i in range(n):
        day = start + timedelta(days=rng.randrange(365 * 5))
        rows.append(
            {
                "business_line": LINE,
                "kind": "opportunity",
                "key": f"o{i}",
                "version": 1,
                "day": day,
                "period": None,
                "doc": {
                    "id": f"o{i}",
                    "amount": rng.randrange(5000, 500000),
                    "discovered": day.isoformat(),
                    "entered": day.isoformat(),
                    "account_manager": f"am{rng.randrange(200)}",
                },
            }
        )
    session.bulk_insert_mappings(Fact, rows)
    session.commit()


def baseline(session, month: Month, lookback: int):
    """Read every opportunity of the line, keep the month's window in Python."""
    low = month.first_day - timedelta(days=lookback)
    return [
        r.doc
        for r in session.query(Fact).filter_by(business_line=LINE, kind="opportunity")
        if low <= r.day <= month.last_day
    ]


def timed(fn, repeat=5):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=200000)
    parser.add_argument("--db", default="sqlite://")
    args = parser.parse_args()
    engine = create_engine(args.db)
    Base.metadata.drop_all(engine)
    migrations.prepare(engine, Base.metadata)
    session = sessionmaker(bind=engine)()
    populate(session, args.opportunities)
    month, lookback = Month(2025, 6), 30
    fast, doc = timed(
        lambda: period_document(
            session,
            Fact,
            LINE,
            first=month.first_day,
            last=month.last_day,
            kinds=["opportunity", "person"],
            lookback_days=lookback,
        )
    )
    slow, rows = timed(lambda: baseline(session, month, lookback), repeat=3)
    assert len(doc["opportunities"]) == len(rows)  # both read the same month
    print(
        f"opportunities in projection: {args.opportunities:,}; "
        f"read for 2025-06 (+{lookback} days): {len(rows):,}"
    )
    print(f"{'baseline: whole projection, filter in Python':<48} {slow * 1000:10.1f} ms")
    print(f"{'period_document: indexed date window':<48} {fast * 1000:10.1f} ms")
    print(f"{'ratio baseline / period_document':<48} {slow / fast:10.1f} x")


if __name__ == "__main__":
    main()
