"""The year's result per person (docs/rules.md §9.7): what the year's closed months (points,
findings, grade reviews) or quarters (pay, the year-end settlement) stated, summed per person by
kind and clause with each period's figure beside it, and the annual veto of seed 000 §(三) —
missed reports and lost orders veto the person's year — with every opportunity that caused it.

Pure: given the closed versions' lines as the sheets answer them (dicts), nothing is computed
again; the period's indicators for the year come from kamkit.indicators beside these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kamkit.explain import FLAG, INDICATOR_KINDS, INFO, Line

VETO_FLAG = "veto_flag"  # the monthly flag a plugin raises (telecom: 000 §(三))
ANNUAL_VETO = "annual_veto"
_CAUSE_ZH = {
    "missed report": "漏报",
    "lost (subjective)": "丢单（主观原因）",
    "lost (objective)": "丢单（客观原因）",
}


@dataclass(frozen=True)
class Stated:
    """A closed version of one of the year's periods, and its lines."""

    period: str
    version: int
    lines: Sequence[Mapping[str, Any]]


def _figure(line: Mapping[str, Any]) -> Decimal:
    return Decimal(str(line.get("exact") or line["figure"]))


def year_lines(year: str, periods: Iterable[Stated]) -> list[Line]:
    """Per person, role, unit, kind and clause: the year's total with each period's figure; then
    each vetoed person's annual veto. In person order, as a statement reads."""
    totals: dict[tuple[str, str, str, str, str], dict[str, Decimal]] = {}
    vetoes: dict[tuple[str, str], dict[str, Any]] = {}
    for stated in periods:
        for line in stated.lines:
            if line["kind"] == VETO_FLAG:
                veto = vetoes.setdefault(
                    (line["person"], line["role"]), {"clause": line["clause"], "cases": []}
                )
                for case in (line.get("inputs") or {}).get("cases", ()):
                    veto["cases"].append({**case, "period": stated.period})
                continue
            if line["unit"] == INFO or line["kind"] in INDICATOR_KINDS or line.get("figure") is None:
                continue
            key = (line["person"], line["role"], line["unit"], line["kind"], line["clause"])
            per = totals.setdefault(key, {})
            per[stated.period] = per.get(stated.period, Decimal(0)) + _figure(line)
    out = [_total(year, key, per) for key, per in totals.items()]
    out += [_veto(year, person, role, found) for (person, role), found in vetoes.items()]
    return sorted(out, key=lambda l: (l.person, l.kind == ANNUAL_VETO, l.unit, l.clause, l.kind))


def _total(year: str, key: tuple[str, str, str, str, str], per: Mapping[str, Decimal]) -> Line:
    person, role, unit, kind, clause = key
    total = sum(per.values(), Decimal(0))
    months = "，".join(f"{p} {f}" for p, f in sorted(per.items()))
    return Line(
        person,
        role,
        total,
        unit,
        kind,
        clause,
        f"{year} 全年 {kind} [{clause}]：{months}",
        f"{year}, the year's {kind} [{clause}]: " + ", ".join(f"{p} {f}" for p, f in sorted(per.items())),
        {"year": year, "periods": {p: f for p, f in sorted(per.items())}},
    )


def _veto(year: str, person: str, role: str, found: Mapping[str, Any]) -> Line:
    cases = sorted(found["cases"], key=lambda c: (c["period"], c["opportunity"]))
    return Line(
        person,
        role,
        Decimal(1),
        FLAG,
        ANNUAL_VETO,
        found["clause"],
        f"{year} 年度绩效否决："
        + "，".join(
            f"{c['opportunity']} {_CAUSE_ZH.get(c['cause'], c['cause'])}（{c['period']}）" for c in cases
        ),
        f"{year}: the year's performance is vetoed: "
        + ", ".join(f"{c['opportunity']} {c['cause']} ({c['period']})" for c in cases),
        {"year": year, "opportunities": sorted({c["opportunity"] for c in cases}), "cases": cases},
    )


def _case_zh(case: Mapping[str, Any]) -> str:
    return f"{case['opportunity']} {_CAUSE_ZH.get(case['cause'], case['cause'])}（{case['period']}）"
