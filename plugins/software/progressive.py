"""The progressive preset — RULES.md §2.4 (002/KAB 大客户销售人员奖金计提考核办法 §三).

Carried state per rep: year, ytd_base (bonus base so far this year), annual_target.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from shared.errors import InvalidFacts
from shared.explain import CNY, INFO, Line
from shared.facts import Facts
from shared.kpi import kpi_coefficient

from .crediting import AM
from .quarterly import _s, run_scheme, targets

ZERO = Decimal(0)
C1, C2, C3 = "002/KAB §三1", "002/KAB §三2", "002/KAB §三"


def rep_quarter(person, q, row, state, facts: Facts, p) -> tuple[list[Line], dict]:
    if state and "ytd_base" not in state:
        raise InvalidFacts(f"carried state of {person.id} is not a software-progressive state "
                           f"(keys: {', '.join(sorted(state))})", field=f"carried.{person.id}")
    if not state or state.get("year") != q.year:
        state = {"year": q.year, "ytd_base": "0"}
    T, B, first = targets(person, q, p)
    annual = T * 4
    credit = row["task"] if row else ZERO
    base = credit / p["vat_divisor"]
    big = sum((pt.task_credit for pt in (row["parts"] if row else []) if pt.largest_single > p["big_deal_over"]), ZERO)
    big_share = big / credit if credit else ZERO
    before = Decimal(state["ytd_base"])
    after = before + base
    above = max(ZERO, after - annual) - max(ZERO, before - annual)  # this quarter's part above the year's target
    inputs = {"credit": credit, "vat_divisor": p["vat_divisor"], "base": base, "B": B, "T": T,
              "annual_target": annual, "ytd_before": before, "ytd_after": after, "above_annual": above,
              "big_deal_credit": big, "big_deal_share": big_share, "first_quarter": first}
    if base < B:
        bonus, how = base * p["below_base_rate"], f"below base: {base} x {p['below_base_rate']}"
        clause = C1
    else:
        normal = base - above
        if big_share >= p["big_deal_share"] or credit == 0:
            small_part = ZERO
        else:  # 002/KAB §三2, cut in the seed: the small deals' part at the configured rate
            small_part = normal * (1 - big_share)
        bonus = ((normal - small_part) * p["base_reached_rate"] + small_part * p["small_deal_rate_below_share"]
                 + above * p["over_annual_rate"])
        how = (f"base reached: {normal - small_part} x {p['base_reached_rate']} + {small_part} x "
               f"{p['small_deal_rate_below_share']} + above the annual target {above} x {p['over_annual_rate']}")
        clause = C2 if small_part else C1
    coefficient = kpi_coefficient(person.id, facts.kpi, p)
    factor = p["kpi_fixed_part"] + (1 - p["kpi_fixed_part"]) * coefficient.coefficient
    lines = [Line(person.id, AM, base, INFO, "bonus_base", "002/KAD §三1",
                  f"计提基数 = 可计回款 {credit} / {p['vat_divisor']}", f"bonus base = credit {credit} / "
                  f"{p['vat_divisor']}", inputs),
             *coefficient.lines,
             Line(person.id, AM, bonus * factor, CNY, "bonus", clause,
                  f"计提奖金 {bonus} × KPI调整 {factor}", f"{how}; computed {bonus} x KPI factor {factor}",
                  {**inputs, "computed": bonus, "kpi_coefficient": coefficient.coefficient, "kpi_factor": factor})]
    new_state = {"year": q.year + 1, "ytd_base": "0"} if q.is_year_end else {"year": q.year, "ytd_base": _s(after)}
    return lines, new_state


def run(facts: Facts, carried: Mapping[str, Any], p) -> tuple[list[Line], dict]:
    return run_scheme(facts, carried, p, rep_quarter, "002/KAB §三3")
