"""Calendar months, quarters and years as small value objects ("2026-03", "2026-Q1", "2026")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist (1-12)")

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH.match(str(text).strip())
        if not m:
            raise ValueError(f"{text!r} is not a month; write YYYY-MM, e.g. 2026-03")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    # Computed once per period object: a quarter's run asks every collection whether it falls in.
    @cached_property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def contains(self, day: date | None) -> bool:
        return day is not None and (day.year, day.month) == (self.year, self.month)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    def __post_init__(self):
        if not 1 <= self.q <= 4:
            raise ValueError(f"quarter {self.q} does not exist (1-4)")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER.match(str(text).strip().upper())
        if not m:
            raise ValueError(f"{text!r} is not a quarter; write YYYY-Qn, e.g. 2026-Q1")
        return cls(int(m.group(1)), int(m.group(2)))

    @cached_property
    def months(self) -> tuple[Month, Month, Month]:
        first = (self.q - 1) * 3 + 1
        return tuple(Month(self.year, first + i) for i in range(3))  # type: ignore[return-value]

    @cached_property
    def first_day(self) -> date:
        return self.months[0].first_day

    @cached_property
    def last_day(self) -> date:
        return self.months[-1].last_day

    def contains(self, day: date | None) -> bool:
        return day is not None and self.first_day <= day <= self.last_day

    def next(self) -> Quarter:
        return Quarter(self.year + self.q // 4, self.q % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.q == 1), (self.q - 2) % 4 + 1)

    @property
    def is_year_end(self) -> bool:
        return self.q == 4

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.q}"


@dataclass(frozen=True, order=True)
class Year:
    """A calendar year, the period of the annual close (docs/rules.md §9.7)."""

    year: int

    @classmethod
    def parse(cls, text: str) -> Year:
        m = _YEAR.match(str(text).strip())
        if not m:
            raise ValueError(f"{text!r} is not a year; write YYYY, e.g. 2026")
        return cls(int(m.group(1)))

    @cached_property
    def months(self) -> tuple[Month, ...]:
        return tuple(Month(self.year, m) for m in range(1, 13))

    @cached_property
    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.year, q) for q in range(1, 5))

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)

    def contains(self, day: date | None) -> bool:
        return day is not None and day.year == self.year

    def next(self) -> Year:
        return Year(self.year + 1)

    def previous(self) -> Year:
        return Year(self.year - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}"


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (e.g. 2026-01-15 -> 2026-07-14 is 5)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months
