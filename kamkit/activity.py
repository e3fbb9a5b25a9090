"""The work around big customers, indexed once per period: what the indicators count.

``Activity(facts, window)`` groups a period's customers, visits, plans, complaints, feedback
requests, budgets, expenses, attendance and featured services by person, so a quarter of 1,000
people and 100,000 visits is one pass over each kind, not one per person. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from operator import attrgetter

from . import facts as F
from .periods import Month, Quarter

ZERO = Decimal(0)


@dataclass(frozen=True)
class Window:
    """A period an indicator is measured over: a month, a quarter or a year."""

    kind: str  # month | quarter | year
    label: str  # 2026-03 | 2026-Q1 | 2026
    first: date
    last: date

    @classmethod
    def of(cls, period: Month | Quarter | int) -> Window:
        if isinstance(period, Month):
            return cls("month", str(period), period.first_day, period.last_day)
        if isinstance(period, Quarter):
            return cls("quarter", str(period), period.first_day, period.last_day)
        return cls("year", f"{int(period):04d}", date(int(period), 1, 1), date(int(period), 12, 31))

    @classmethod
    def parse(cls, text: str) -> Window:
        text = str(text).strip()
        if "Q" in text.upper():
            return cls.of(Quarter.parse(text))
        if "-" in text:
            return cls.of(Month.parse(text))
        if not text.isdigit() or len(text) != 4:
            raise ValueError(f"{text!r} is not a period; write 2026-03, 2026-Q1 or 2026")
        return cls.of(int(text))

    def contains(self, day: date | None) -> bool:
        return day is not None and self.first <= day <= self.last

    @cached_property
    def months(self) -> tuple[Month, ...]:
        out, month = [], Month.of(self.first)
        while month.first_day <= self.last:
            out.append(month)
            month = month.next()
        return tuple(out)

    @cached_property
    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(dict.fromkeys(m.quarter for m in self.months))

    @cached_property
    def end(self) -> datetime:
        """The first instant after the window: an open complaint's clock stops here."""
        return datetime.combine(self.last + timedelta(days=1), time.min)

    def previous(self) -> Window:
        """The window of the same length just before (for growth rates)."""
        if self.kind == "month":
            return Window.of(Month.of(self.first).previous())
        if self.kind == "quarter":
            return Window.of(Quarter.parse(self.label).previous())
        return Window.of(self.first.year - 1)


def _by_person(records: Iterable, person=lambda r: r.person) -> dict[str | None, list]:
    out: dict[str | None, list] = defaultdict(list)
    for record in records:
        out[person(record)].append(record)
    return out


MonthCustomer = tuple[tuple[int, int], str]  # ((year, month), customer)
NOTHING: frozenset = frozenset()


def _dated(records: Iterable, window: Window, when: str, who: str = "person") -> dict[str | None, list]:
    """``_by_person`` of the records dated inside the window, in one tight loop (a quarter's
    visits are the largest kind: 100,000 at a thousand people)."""
    first, last = window.first, window.last
    day_of, person_of = attrgetter(when), attrgetter(who)
    out: dict[str | None, list] = defaultdict(list)
    for record in records:
        day = day_of(record)
        if day is not None and first <= day <= last:
            out[person_of(record)].append(record)
    return out


@dataclass(frozen=True)
class Credit:
    """A customer's status change and whom it counts for."""

    person: str | None
    customer: F.Customer
    change: F.StatusChange


class Activity:
    """A period's activity records by person (each list in record order)."""

    def __init__(self, facts: F.Facts, window: Window):
        self.facts, self.window = facts, window
        inside = window.contains
        months = {str(m) for m in window.months}
        quarters = set(window.quarters)
        self.visits = _dated(facts.visits, window, "date")
        self.complaints = _dated(facts.complaints, window, "received")
        self.feedback = _by_person(r for r in facts.feedback_requests if inside(r.due_at.date()))
        self.expenses = _dated(facts.expenses, window, "date")
        self.featured = _dated(facts.featured_services, window, "date")
        self.plans = _by_person(p for p in facts.visit_plans if str(p.month) in months)
        self.development = _by_person(p for p in facts.development_plans if p.quarter in quarters)
        self.budgets = _by_person(b for b in facts.budgets if b.quarter in quarters)
        self.attendance = _by_person(a for a in facts.attendance if str(a.month) in months)
        self.credits = _by_person(self._credits(window), lambda c: c.person)
        self.owned = _by_person(facts.customers, lambda c: c.owner)

    @classmethod
    def indexed(cls, facts: F.Facts, window: Window) -> Activity:
        """The facts' activity over ``window``, indexed once and kept on the facts (as their own
        indexes are): a quarter's indicators, sheets and carried sales read one index."""
        held = facts.__dict__.setdefault("_activity", {})
        if window not in held:
            held[window] = cls(facts, window)
        return held[window]

    # Sales by person in one pass over the period's deals, collections or loans (a quarter may hold
    # a million): {person: sum, None: everyone's}. Only the measure a line asks for is summed.

    @cached_property
    def deal_sums(self) -> dict[str | None, Decimal]:
        return _sums(self.facts.deals, self.window, "seller", "deal_price", "date", skip_agents=True)

    @cached_property
    def collection_sums(self) -> dict[str | None, Decimal]:
        return _sums(self.facts.collections, self.window, "rep", "amount", "date")

    @cached_property
    def loan_sums(self) -> dict[str | None, Decimal]:
        return _sums(self.facts.loans, self.window, "manager", "amount", "issued")

    @cached_property
    def plan_for(self) -> dict[tuple[str, Month], F.VisitPlan]:
        """Every visit plan by (person, month planned), whatever the window."""
        return {(p.person, p.month): p for p in self.facts.visit_plans}

    # Each person's visits of the window as sets, built on the first ask in one pass (a quarter
    # reads only the revisits; a month the visits by month). The department's figures are sums
    # over people, as every pair is one person's.

    @cached_property
    def revisited(self) -> dict[str, set[str]]:
        """{person: customers revisited}."""
        return {
            person: {v.customer for v in visits if v.purpose == F.REVISIT}
            for person, visits in self.visits.items()
        }

    @cached_property
    def revisited_monthly(self) -> dict[str, set[MonthCustomer]]:
        """{person: ((year, month), customer) revisited}."""
        return {
            person: {((v.date.year, v.date.month), v.customer) for v in visits if v.purpose == F.REVISIT}
            for person, visits in self.visits.items()
        }

    @cached_property
    def visited_monthly(self) -> dict[str, set[MonthCustomer]]:
        """{person: ((year, month), customer) visited, first visit or revisit}."""
        return {
            person: {((v.date.year, v.date.month), v.customer) for v in visits}
            for person, visits in self.visits.items()
        }

    # The records of kamkit.work_records (docs/rules.md §10), indexed on the first ask: most lines
    # hold none of them.

    @cached_property
    def surveys(self) -> dict[str | None, list]:
        return _dated(self.facts.surveys, self.window, "date")

    @cached_property
    def incidents(self) -> dict[str | None, list]:
        return _dated(self.facts.incidents, self.window, "date")

    @cached_property
    def checks(self) -> dict[str | None, list]:
        return _dated(self.facts.standard_checks, self.window, "date")

    @cached_property
    def call_logs(self) -> dict[str | None, list]:
        months = {str(m) for m in self.window.months}
        return _by_person(c for c in self.facts.call_logs if str(c.month) in months)

    @cached_property
    def work_plans(self) -> dict[str | None, list]:
        """Plans of a period inside the window (a month's, the quarter's, the year's)."""
        return _by_person(p for p in self.facts.work_plans if self.covers(p.period))

    def covers(self, period: str) -> bool:
        """Whether a period's label (2026-03, 2026-Q1, 2026) lies inside the window."""
        inner = Window.parse(period)
        return self.window.first <= inner.first and inner.last <= self.window.last

    def _credits(self, window: Window) -> Iterator[Credit]:
        for customer in self.facts.customers:
            for change in customer.changes:
                if window.contains(change.date):
                    yield Credit(customer.credited(change), customer, change)

    def credits_of(self, person: str | None, *changes: str) -> list[Credit]:
        """Status changes of ``changes`` kinds credited to ``person`` (None: everyone's)."""
        pool = self.credits.get(person, ()) if person is not None else _all(self.credits)
        return [c for c in pool if c.change.change in changes]

    def of(self, group: dict, person: str | None) -> list:
        """One person's records of a group, or everyone's (person None: the department)."""
        return list(group.get(person, ())) if person is not None else _all(group)


def _sums(records, window: Window, who: str, what: str, when: str, *, skip_agents: bool = False):
    """{person: sum of ``what`` of their records dated in the window, None: everyone's}, in one
    pass over the records (a million collections: 0.33 s)."""
    first, last = window.first, window.last
    person_of, amount_of, day_of = attrgetter(who), attrgetter(what), attrgetter(when)
    out: dict[str | None, Decimal] = {}
    get = out.get
    for record in records:
        if first <= day_of(record) <= last and not (skip_agents and record.agent):
            person = person_of(record)
            out[person] = get(person, ZERO) + amount_of(record)
    out[None] = sum(out.values(), ZERO)
    return out


def _all(group: dict) -> list:
    return [record for records in group.values() for record in records]


def working(day: date, calendars: Iterable[F.Calendar] = ()) -> bool:
    """Monday to Friday, unless the line's calendar makes it a holiday; a weekend day the
    calendar makes a working day (调休) is one."""
    for c in calendars:
        if c.year == day.year:
            if day in c.holidays:
                return False
            if day in c.workdays:
                return True
    return day.weekday() < 5


def last_working_day(month: Month, calendars: Iterable[F.Calendar] = ()) -> date:
    """The month's last working day by the line's calendars (docs/rules.md §6.3): Monday to
    Friday without them."""
    calendars = tuple(calendars)
    day = month.last_day
    while not working(day, calendars):
        day -= timedelta(days=1)
    return day
