"""Score rules: how a measured value becomes points on a scorecard (docs/rules.md §10.1).

Pure and explained. A rule turns one value (a ratio, a count, a growth, a rater's points) into
``Scored``: the points, what they were computed from, and the reason in both languages. The
schemes of seed 002 use four shapes, each a small frozen dataclass here:

    Steps     points at a standard, ± so many per whole step above or below it
              (客户经理绩效考核方案: 20 at exactly 100%, ∓2 per 5% below / above, full 25)
    PerUnit   a start, ± so many per unit counted (new customers +2 each; −0.5 a violation)
    Growth    so many per point of growth against the period before, no deduction for a fall
    Rated     points a rater gives, within the item's full mark

Every rule clamps to [0, full]; ``zero_above`` (PerUnit) scores 0 once a count passes a limit
(attendance: more than 3 late arrivals a quarter is 0). A value that is not applicable (None: a
ratio over nothing) is scored by ``not_applicable`` of the item's table — never silently 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Scored:
    """Points for one item, what they came from, and why (both languages)."""

    points: Decimal | None  # None: not scored (not applicable and no rule for it)
    inputs: Mapping[str, Any] = field(default_factory=dict)
    reason_zh: str = ""
    reason_en: str = ""


def _clamp(points: Decimal, full: Decimal) -> Decimal:
    return max(ZERO, min(points, full))


def _pct(value: Decimal) -> str:
    return f"{shown(value * HUNDRED)}%"


def shown(value: Decimal) -> str:
    """A figure as a reason shows it: to 0.01 at most (the line's figure stays exact)."""
    shown = Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
    return f"{shown:f}" if shown else "0"


@dataclass(frozen=True)
class Steps:
    """``at_standard`` points when the value equals ``standard``; ``down`` fewer per whole
    ``step`` below it, ``up`` more per whole step above it; within [0, full]. A partial step
    counts nothing (每低于5%: a whole 5% each) unless ``partial`` is set, when it counts pro rata."""

    standard: Decimal
    step: Decimal
    at_standard: Decimal
    down: Decimal
    up: Decimal
    full: Decimal
    partial: bool = False

    def score(self, value: Decimal) -> Scored:
        gap = value - self.standard
        steps = abs(gap) / self.step
        if not self.partial:
            steps = steps.to_integral_value(rounding=ROUND_FLOOR)
        change = steps * (self.up if gap > 0 else -self.down) if gap else ZERO
        points = _clamp(self.at_standard + change, self.full)
        side_en = "above" if gap > 0 else "below" if gap < 0 else "at"
        side_zh = "高于" if gap > 0 else "低于" if gap < 0 else "等于"
        return Scored(
            points,
            {
                "value": value,
                "standard": self.standard,
                "steps": steps,
                "step": self.step,
                "at_standard": self.at_standard,
                "per_step": self.up if gap > 0 else self.down,
                "full": self.full,
            },
            f"{_pct(value)}，{side_zh}标准 {_pct(self.standard)} {shown(steps)} 档"
            f"（每档 {_pct(self.step)}），得 {shown(points)} 分（满分 {shown(self.full)}）",
            f"{_pct(value)}, {shown(steps)} step(s) of {_pct(self.step)} {side_en} the standard "
            f"{_pct(self.standard)}: {shown(points)} of {shown(self.full)}",
        )


@dataclass(frozen=True)
class PerUnit:
    """``start`` points, ``per_unit`` more (or fewer, when negative) per unit counted, within
    [0, full]; 0 once the count is above ``zero_above`` when that is set."""

    start: Decimal
    per_unit: Decimal
    full: Decimal
    zero_above: int | None = None

    def score(self, value: Decimal) -> Scored:
        count = Decimal(value)
        if self.zero_above is not None and count > self.zero_above:
            points, note_zh, note_en = (
                ZERO,
                f"，超过 {self.zero_above} 次得 0 分",
                f", above {self.zero_above}: 0",
            )
        else:
            points, note_zh, note_en = _clamp(self.start + self.per_unit * count, self.full), "", ""
        return Scored(
            points,
            {
                "count": count,
                "start": self.start,
                "per_unit": self.per_unit,
                "full": self.full,
                "zero_above": self.zero_above,
            },
            f"{shown(count)} 次，{shown(self.start)} 分起每次 {shown(self.per_unit)}{note_zh}，"
            f"得 {shown(points)} 分",
            f"{shown(count)} counted, {shown(self.start)} {'+' if self.per_unit >= 0 else '−'}"
            f" {shown(abs(self.per_unit))} each{note_en}: {shown(points)} of {shown(self.full)}",
        )


@dataclass(frozen=True)
class Growth:
    """``base`` points, ``per_point`` more per whole percentage point of growth against the
    period before; a fall is not deducted (出现负增长不扣分); within [0, full]."""

    base: Decimal
    per_point: Decimal
    full: Decimal

    def score(self, value: Decimal) -> Scored:
        points_grown = (value * HUNDRED).to_integral_value(rounding=ROUND_FLOOR)
        grown = max(ZERO, points_grown)
        points = _clamp(self.base + grown * self.per_point, self.full)
        return Scored(
            points,
            {"growth": value, "whole_points": grown, "base": self.base, "per_point": self.per_point},
            f"增长 {_pct(value)}，{shown(self.base)} 分起每 1% 加 {shown(self.per_point)}，负增长不扣分，"
            f"得 {shown(points)} 分",
            f"growth {_pct(value)}: {shown(self.base)} + {shown(self.per_point)} per whole point, "
            f"no deduction for a fall: {shown(points)} of {shown(self.full)}",
        )


@dataclass(frozen=True)
class Rated:
    """The points a rater gives, within [0, full] (a rating outside is refused at intake)."""

    full: Decimal

    def score(self, value: Decimal) -> Scored:
        points = _clamp(Decimal(value), self.full)
        return Scored(
            points,
            {"rated": value, "full": self.full},
            f"评分 {shown(points)} 分（满分 {shown(self.full)}）",
            f"rated {shown(points)} of {shown(self.full)}",
        )


RULES = {"steps": Steps, "per_unit": PerUnit, "growth": Growth, "rated": Rated}


def rule_from(spec: Mapping[str, Any]) -> Steps | PerUnit | Growth | Rated:
    """A rule from a parameter's mapping: ``{"rule": "steps", "standard": "1", ...}``, so an
    organisation re-weights a row without code. Numbers are read as Decimal."""
    kind = spec["rule"]
    cls = RULES[kind]
    args = {
        k: (v if k in ("partial", "zero_above") else Decimal(str(v))) for k, v in spec.items() if k != "rule"
    }
    if "zero_above" in args and args["zero_above"] is not None:
        args["zero_above"] = int(args["zero_above"])
    return cls(**args)
