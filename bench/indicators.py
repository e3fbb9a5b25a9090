"""A quarter's indicators from the records: `kamkit.indicators.compute` for the quarter's window
with the telecom plugin's default parameters, plus `kamkit.kpi.scorecard_lines` (003 §十一's sheet
per person), in process, against a floor that is SQL GROUP BY over the same visits and complaints
(sqlite3 in memory). Prints seconds (min/median/max over repeats), the ratio to the floor and the
growth from the smaller size to the larger; no assertion, no pass/fail.

    .venv/bin/python bench/indicators.py [--sizes 10000 100000] [--repeats 5] [--collector on]

Sizes count the quarter's visits; everything else is in proportion: a person per 100 visits (1,000
account managers at 100,000), a complaint per 10 visits, 20 customers a person (3 in 10 big, 1 in
7 changing status in the quarter), a visit plan a person for each of the quarter's three months,
a feedback request per 20 visits, a deal and an expense per 10, a budget, a development plan and
three months' attendance a person, and a §4 sheet a person from a rater. The facts are built with
kamkit.facts' dataclasses directly (seeded), so the figure is the computation, not the loading.

The floor is the least the same counting could cost, reading every visit and complaint once:
three statements over tables of the quarter's visits and complaints already loaded (no index),
visits per person, revisits per (person, customer), complaints per person with their average
hours to resolution (an open complaint's clock stops at the quarter's end, as Complaint.hours).
Each repeat times both on the same facts (a fresh copy of the Facts, so its lazy indexes are built
again); the sizes take turns repeat by repeat (bench/closes.py says why). The cyclic garbage
collector is paused while the indicators are computed, as a quarter's run pauses it in the services
(`collector_paused`, services/common/periods/period_run.py); `--collector on` leaves it running,
as a plain caller of kamkit would (its full collections walk every record the facts hold).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import busy_fraction, machine_jiffies, median, spread  # noqa: E402

from kamkit import facts as F  # noqa: E402
from kamkit.activity import Window, last_working_day  # noqa: E402
from kamkit.indicators import compute  # noqa: E402
from kamkit.kpi import scorecard_lines  # noqa: E402
from kamkit.periods import Quarter  # noqa: E402
from plugins.telecom import TelecomPlugin  # noqa: E402

QUARTER = Quarter(2026, 3)
WINDOW = Window.of(QUARTER)
DAYS = [WINDOW.first + timedelta(days=d) for d in range((WINDOW.last - WINDOW.first).days + 1)]
GOAL = 1.1  # the issue's: 10 x the visits in at most 11 x the time


def populate(visits: int, seed: int = 1) -> F.Facts:
    """A quarter of ``visits`` visits and the records in proportion to them (see the docstring)."""
    rng = random.Random(seed)
    n_people = max(1, visits // 100)
    per_person = 20  # customers a person owns
    branches = [f"b{b}" for b in range(10)]
    people = [
        F.Person(f"am{i}", "account_manager", branch=branches[i % 10], start_date=date(2024, 1, 1))
        for i in range(n_people)
    ] + [F.Person(f"dep{b}", "deputy_manager", branch=branches[b]) for b in range(10)]
    ams = [p.id for p in people[:n_people]]

    def own(p: int) -> str:  # one of person p's customers (customer j is owned by am{j % n_people})
        return f"cu{p + n_people * rng.randrange(per_person)}"

    def moment(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randrange(8 * 60, 18 * 60))

    customers = []
    before = [WINDOW.first - timedelta(days=d) for d in range(1, 180)]
    for j in range(n_people * per_person):
        owner = j % n_people
        big, changes = rng.random() < 0.3, []
        status = big
        if rng.random() < 0.05:  # a change before the quarter
            kind = rng.choice((F.LOST, F.DOWNGRADED)) if status else rng.choice((F.NEW_BIG, F.UPGRADED))
            changes.append(F.StatusChange(rng.choice(before), kind))
            status = kind in (F.NEW_BIG, F.UPGRADED)
        if rng.random() < 1 / 7:  # a change in the quarter, sometimes credited to someone else
            kind = rng.choice((F.LOST, F.DOWNGRADED)) if status else rng.choice((F.NEW_BIG, F.UPGRADED))
            other = ams[rng.randrange(n_people)] if rng.random() < 0.05 else None
            changes.append(F.StatusChange(rng.choice(DAYS), kind, "bench", other))
        customers.append(
            F.Customer(
                f"cu{j}",
                f"customer {j}",
                ams[owner],
                branches[owner % 10],
                rng.choice(("A", "B", "C", "")),
                big,
                tuple(changes),
            )
        )
    visit_list = [
        F.Visit(
            f"v{i}",
            ams[p := rng.randrange(n_people)],
            own(p),
            rng.choice(DAYS),
            F.REVISIT if rng.random() < 0.4 else F.FIRST,
        )
        for i in range(visits)
    ]
    plans = []
    for p in range(n_people):
        for month in WINDOW.months:
            due = last_working_day(month.previous())
            plans.append(
                F.VisitPlan(
                    ams[p],
                    month,
                    due + timedelta(days=rng.choice((0, 0, 0, -2, 1))),
                    tuple(dict.fromkeys(own(p) for _ in range(8))),
                    tuple(dict.fromkeys(own(p) for _ in range(5))),
                )
            )
    complaints = []
    for i in range(visits // 10):
        p, day = rng.randrange(n_people), rng.choice(DAYS)
        at = moment(day)
        complaints.append(
            F.Complaint(
                f"co{i}",
                ams[p],
                day,
                own(p),
                at,
                at + timedelta(hours=rng.randrange(1, 8)),
                at + timedelta(hours=rng.randrange(2, 72)) if rng.random() < 0.85 else None,
                fault=rng.choice(("none",) * 7 + ("staff",) * 2 + ("company",)),
            )
        )
    feedback = []
    for i in range(visits // 20):
        p, raised = rng.randrange(n_people), moment(rng.choice(DAYS))
        answered = raised + timedelta(hours=rng.randrange(1, 72)) if rng.random() < 0.9 else None
        feedback.append(
            F.FeedbackRequest(f"fb{i}", ams[p], raised, raised + timedelta(hours=48), own(p), answered)
        )
    deals = []
    for i in range(visits // 10):
        listed = Decimal(rng.randrange(1_000, 50_000))
        agent = rng.random() < 0.05
        deals.append(
            F.Deal(
                f"d{i}",
                f"agent{i % 7}" if agent else ams[rng.randrange(n_people)],
                rng.choice(DAYS),
                listed,
                listed * Decimal(rng.choice(("0.7", "0.8", "0.9", "1"))),
                agent,
            )
        )
    expenses = [
        F.Expense(
            f"e{i}",
            rng.choice(DAYS),
            Decimal(rng.randrange(100, 5_000)),
            None if rng.random() < 0.05 else ams[rng.randrange(n_people)],
        )
        for i in range(visits // 10)
    ]
    budgets = [F.Budget(QUARTER, Decimal(rng.randrange(20_000, 60_000)), am) for am in ams]
    budgets.append(F.Budget(QUARTER, Decimal(2_000_000 * max(1, n_people // 1000))))
    development = [
        F.DevelopmentPlan(
            f"dp{p}",
            ams[p],
            QUARTER,
            rng.randrange(0, 4),
            tuple(own(p) for _ in range(3)),
            rng.choice(("submitted", "approved", "approved", "draft")),
        )
        for p in range(n_people)
    ]
    attendance = [
        F.Attendance(am, month, rng.choice((0, 0, 0, 1, 2, 3)), rng.choice((0, 0, 0, 0, 1)), 22)
        for am in ams
        for month in WINDOW.months
    ]
    featured = [
        F.FeaturedService(f"fs{i}", ams[rng.randrange(n_people)], rng.choice(DAYS), "bench")
        for i in range(n_people // 2)
    ]
    kpi = [
        F.KpiRating(
            am,
            "deputy_manager",
            scorecard=F.Scorecard(
                communication=Decimal(rng.randrange(3, 6)),
                responsibility=Decimal(rng.randrange(3, 6)),
                learning=Decimal(rng.randrange(3, 6)),
            ),
            rater=f"dep{i % 10}",
        )
        for i, am in enumerate(ams)
    ]
    return F.Facts(
        business_line="bench",
        quarter=QUARTER,
        branches=tuple(F.Branch(b) for b in branches),
        people=tuple(people),
        deals=tuple(deals),
        kpi=tuple(kpi),
        customers=tuple(customers),
        visit_plans=tuple(plans),
        visits=tuple(visit_list),
        development_plans=tuple(development),
        complaints=tuple(complaints),
        feedback_requests=tuple(feedback),
        budgets=tuple(budgets),
        expenses=tuple(expenses),
        attendance=tuple(attendance),
        featured_services=tuple(featured),
    )


def load_floor(facts: F.Facts) -> sqlite3.Connection:
    """The same visits and complaints as two plain tables of an in-memory SQLite database."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE visits (id TEXT, person TEXT, customer TEXT, day TEXT, purpose TEXT)")
    db.execute(
        "CREATE TABLE complaints (id TEXT, person TEXT, received TEXT, received_at TEXT, "
        "resolved_at TEXT, fault TEXT)"
    )
    db.executemany(
        "INSERT INTO visits VALUES (?, ?, ?, ?, ?)",
        ((v.id, v.person, v.customer, v.date.isoformat(), v.purpose) for v in facts.visits),
    )
    db.executemany(
        "INSERT INTO complaints VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                c.id,
                c.person,
                c.received.isoformat(),
                c.received_at.isoformat(sep=" "),
                c.resolved_at.isoformat(sep=" ") if c.resolved_at else None,
                c.fault,
            )
            for c in facts.complaints
        ),
    )
    db.commit()
    return db


FLOOR_SQL = (
    "SELECT person, count(*) FROM visits WHERE day BETWEEN :first AND :last GROUP BY person",
    "SELECT person, customer, count(*) FROM visits WHERE day BETWEEN :first AND :last "
    "AND purpose = 'revisit' GROUP BY person, customer",
    "SELECT person, count(*), avg((julianday(coalesce(resolved_at, :end)) - julianday(received_at)) * 24) "
    "FROM complaints WHERE received BETWEEN :first AND :last GROUP BY person",
)


def floor_once(db: sqlite3.Connection) -> tuple[float, int]:
    """(seconds, complaints counted) of the three GROUP BYs, rows fetched."""
    bounds = {
        "first": WINDOW.first.isoformat(),
        "last": WINDOW.last.isoformat(),
        "end": WINDOW.end.isoformat(sep=" "),
    }
    gc.collect()
    began = time.perf_counter()
    answers = [db.execute(sql, bounds).fetchall() for sql in FLOOR_SQL]
    seconds = time.perf_counter() - began
    assert all(answers), "the floor read nothing"
    return seconds, sum(row[1] for row in answers[2])


def subject_once(facts: F.Facts, params, collector: str) -> tuple[float, int, int, int]:
    """(seconds, values, sheets, complaints counted) of the quarter's indicators and §4 sheets,
    on a fresh copy of the facts (their lazy indexes are built again, as a run's new facts would)."""
    fresh = dataclasses.replace(facts)
    gc.collect()
    if collector == "paused":
        gc.disable()
    try:
        began = time.perf_counter()
        values = compute(fresh, WINDOW, params)
        sheets = list(scorecard_lines(fresh, WINDOW, params))
        seconds = time.perf_counter() - began
    finally:
        gc.enable()
    resolution = next(
        v for v in values if v.person == "*" and v.definition.key == "complaint_resolution_rate"
    )
    return seconds, len(values), len(sheets), int(resolution.measure.denominator)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="visits in the quarter")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument(
        "--collector",
        choices=("paused", "on"),
        default="paused",
        help="the cyclic GC while the indicators are computed: paused as in the services, or on",
    )
    args = p.parse_args()
    params = TelecomPlugin().params
    built = {}
    for size in args.sizes:
        began = time.perf_counter()
        facts = populate(size)
        built[size] = (facts, load_floor(facts))
        print(
            f"{size:,} visits: {len(facts.people):,} people, {len(facts.complaints):,} complaints, "
            f"{len(facts.customers):,} customers, {len(facts.visit_plans):,} visit plans, "
            f"{len(facts.feedback_requests):,} feedback requests, {len(facts.expenses):,} expenses, "
            f"{len(facts.deals):,} deals; built and loaded in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
    results: dict[int, dict[str, list[float]]] = {}
    machine = machine_jiffies()
    for _ in range(args.repeats):
        for size in args.sizes:
            facts, db = built[size]
            seconds, n_values, n_sheets, counted = subject_once(facts, params, args.collector)
            floor, floored = floor_once(db)
            assert counted == floored, "the subject and the floor did not count the same complaints"
            got = results.setdefault(size, {"subject": [], "floor": []})
            got["subject"].append(seconds)
            got["floor"].append(floor)
            print(
                f"  {size:,}: indicators {seconds:.3f} s ({n_values:,} values, {n_sheets:,} sheets); "
                f"floor {floor:.3f} s",
                flush=True,
            )
    busy = busy_fraction(machine, machine_jiffies())
    print(
        f"a quarter's indicators and §4 sheets, in process, collector {args.collector}, "
        f"{args.repeats} repeats (the machine's cores {busy:.0%} busy meanwhile)"
    )
    print(f"{'subject':<48} {'seconds min/median/max':>28}")
    for size, got in results.items():
        subject, floor = (
            f"indicators + sheets {size:,} visits",
            f"floor: SQL GROUP BY {size:,} visits (SQLite)",
        )
        print(f"{subject:<48} {spread(got['subject'], '8.3f'):>28}")
        print(f"{floor:<48} {spread(got['floor'], '8.3f'):>28}")
    for size, got in results.items():
        ratios = [s / f for s, f in zip(got["subject"], got["floor"], strict=True)]
        print(
            f"{size:,}: indicators / floor = {spread(ratios, '.1f')} x min/median/max a repeat "
            f"(of the medians: {median(got['subject']) / median(got['floor']):.1f} x)"
        )
    if len(results) > 1:
        small, large = min(results), max(results)
        pairs = [b / a for a, b in zip(results[small]["subject"], results[large]["subject"], strict=True)]
        growth = median(results[large]["subject"]) / median(results[small]["subject"])
        floor_growth = median(results[large]["floor"]) / median(results[small]["floor"])
        bound = GOAL * large / small
        print(
            f"growth {small:,} -> {large:,} visits ({large / small:.0f} x the records): "
            f"{growth:.1f} x the time (repeat by repeat {spread(pairs, '.1f')}; "
            f"the floor's: {floor_growth:.1f} x); "
            f"at most x {bound:.0f}: {'holds' if growth <= bound else 'does not hold'}"
        )


if __name__ == "__main__":
    main()
