"""Plain-text tables for explained lines, aligned for Chinese and Latin text alike."""
from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any, Iterable, Sequence

from shared.explain import CNY, POINTS, Line, plain, totals
from shared.money import fmt


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    rows = [[str(c) for c in r] for r in rows]
    sizes = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    rule = "  ".join("-" * s for s in sizes)
    out = ["  ".join(pad(h, s) for h, s in zip(headers, sizes)).rstrip(), rule]
    out += ["  ".join(pad(c, s) for c, s in zip(r, sizes)).rstrip() for r in rows]
    return "\n".join(out)


def compact(inputs: dict) -> str:
    parts = []
    for key, value in plain(dict(inputs)).items():
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def figure(line: Line) -> str:
    return fmt(line.figure) if line.unit == CNY else f"{line.figure.normalize():f}" \
        if isinstance(line.figure, Decimal) else str(line.figure)


def lines_table(lines: Sequence[Line], lang: str = "en") -> str:
    rows = [(l.person, l.role, figure(l), l.unit, l.clause,
             l.reason_zh if lang == "zh" else l.reason_en, compact(l.inputs)) for l in lines]
    return table(("person", "role", "figure", "unit", "clause", "reason", "inputs"), rows)


def totals_table(lines: Sequence[Line]) -> str:
    points, money = totals(lines, POINTS), totals(lines, CNY)
    people = sorted(set(points) | set(money))
    if not people:
        return ""
    rows = [(p, f"{points.get(p, Decimal(0)).normalize():f}", fmt(money.get(p, Decimal(0))))
            for p in people]
    return table(("person", "points docked", "CNY"), rows)
