"""A business line's rules over time (docs/rules.md §9.1): the plugin and parameters it was
registered with, then each set in force from a month on. A period is computed with the set in
force on its first month; a quarter or a year whose months a change falls inside keeps the set
its first month had, and the change applies from the next period it begins.

Pure: reads a business line's document (wire.records.BusinessLineSchema), decides nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleSet:
    plugin: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    effective_from: str | None = None  # a month (2026-07); None: since the line was registered
    reason: str | None = None
    set_by: str | None = None
    set_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "effective_from": self.effective_from,
            "plugin": self.plugin,
            "parameters": dict(self.parameters),
            "reason": self.reason,
            "set_by": self.set_by,
            "set_at": self.set_at,
        }


def schedule(line: Mapping[str, Any]) -> tuple[RuleSet, ...]:
    """Every set of the line, the one it was registered with first, then by month."""
    first = RuleSet(line["plugin"], dict(line.get("parameters") or {}))
    later = sorted(line.get("rules") or (), key=lambda r: r["effective_from"])
    return (
        first,
        *(
            RuleSet(
                r["plugin"],
                dict(r.get("parameters") or {}),
                r["effective_from"],
                r.get("reason"),
                r.get("set_by"),
                r.get("set_at"),
            )
            for r in later
        ),
    )


def first_month(period: str) -> str:
    """The first month of a month (2026-03), a quarter (2026-Q1) or a year (2026) label."""
    if "-Q" in period:
        year, q = period.split("-Q")
        return f"{year}-{3 * int(q) - 2:02d}"
    if len(period) == 4:
        return f"{period}-01"
    return period


def in_force(line: Mapping[str, Any], period: str | None = None) -> RuleSet:
    """The set in force for ``period`` (a month, quarter or year label): the newest whose month is
    not after the period's first month; None: the newest of all (what applies from now on)."""
    sets = schedule(line)
    if period is None:
        return sets[-1]
    month = first_month(str(period))
    return [s for s in sets if s.effective_from is None or s.effective_from <= month][-1]


def with_set(line: Mapping[str, Any], new: RuleSet) -> dict[str, Any]:
    """The line's document with ``new`` in force from its month (replacing a set of that month)."""
    kept = [r for r in line.get("rules") or () if r["effective_from"] != new.effective_from]
    rules = sorted([*kept, new.to_dict()], key=lambda r: r["effective_from"])
    return {**line, "rules": rules}
