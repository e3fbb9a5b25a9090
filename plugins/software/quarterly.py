"""Quarterly bonus with base, target, make-up and carry-over — RULES.md §2.3 (002/KAP §三, 002/KAD §二).

Carried state per rep (JSON-friendly, Decimals as strings), handed from quarter to quarter:
    year, carry (excess carried in), debts [{quarter, owed, base}], ytd_credit, ytd_target,
    half [{quarter, below_base}] (the current half-year's quarters)
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from shared.explain import CNY, FLAG, INFO, Line
from shared.facts import Facts, Person
from shared.kpi import kpi_coefficient
from shared.periods import Quarter

from .crediting import AM, by_person, period_parts

ZERO = Decimal(0)
C = "002/KAP §三"


def _s(value: Decimal) -> str:
    """Carried-state form of a Decimal: exact, without exponent or trailing zeros."""
    return format(value.normalize(), "f") if value else "0"


def fresh_state(year: int) -> dict[str, Any]:
    return {"year": year, "carry": "0", "debts": [], "ytd_credit": "0", "ytd_target": "0", "half": []}


def reps(facts: Facts, parts) -> list[Person]:
    named = {p.id for p in facts.people if p.role == AM or p.quarterly_target is not None} | set(parts)
    return [p for p in facts.people if p.id in named]


def targets(person: Person, q: Quarter, p) -> tuple[Decimal, Decimal, bool]:
    """(T, B, first quarter): a rep who started within the quarter carries no task (002/KAP §一)."""
    t = person.quarterly_target if person.quarterly_target is not None else p["default_quarterly_target"]
    first = bool(p["first_quarter_no_task"] and person.start_date and q.contains(person.start_date))
    return t, ZERO if first else t * p["base_ratio"], first


def line(person, figure, unit, kind, clause, zh, en, inputs):
    return Line(person, AM, figure, unit, kind, clause, zh, en, inputs)


def rep_quarter(person: Person, q: Quarter, credit: Decimal, state: dict, facts: Facts, p) -> tuple[list[Line], dict]:
    rid = person.id
    if state["year"] != q.year:
        state = fresh_state(q.year)
    T, B, first = targets(person, q, p)
    carry_in = Decimal(state["carry"])
    X = credit + carry_in
    debts = [dict(d) for d in state["debts"]]
    lines = [line(rid, X, INFO, "quarter_credit", C, f"本季实际完成额 X = 可计回款 {credit} + 上季转入 {carry_in}",
                  f"X = creditable collections {credit} + carried in {carry_in}",
                  {"credit": credit, "carry_in": carry_in, "T": T, "B": B, "first_quarter": first,
                   "debts_in": debts})]
    bonus = ZERO
    released = []
    if X < B:
        owed = B - X
        debts.append({"quarter": str(q), "owed": _s(owed), "base": _s(B)})
        E, carry_out, floating = ZERO, ZERO, False
        lines.append(line(rid, owed, INFO, "debt_created", "002/KAD §二2",
                          f"未完成基数 {B}：欠 {owed}，以后季度补足；不计提奖金", f"below base {B}: owes {owed} "
                          "to be made up later; no bonus", {"X": X, "B": B, "owed": owed}))
        lines.append(line(rid, -p["fixed_wage_deduction"], CNY, "fixed_wage_deduction", C,
                          f"未完成基数，扣发固定工资 {p['fixed_wage_deduction']}",
                          f"below base: {p['fixed_wage_deduction']} deducted from fixed wage",
                          {"X": X, "B": B, "deduction": p["fixed_wage_deduction"]}))
    else:
        surplus, repaid = X - B, ZERO
        for debt in debts:
            pay = min(surplus, Decimal(debt["owed"]))
            surplus -= pay
            repaid += pay
            debt["owed"] = _s(Decimal(debt["owed"]) - pay)
            if pay:
                lines.append(line(rid, pay, INFO, "debt_repaid", "002/KAD §二2", f"补足 {debt['quarter']} 欠额 {pay}",
                                  f"repaid {pay} of {debt['quarter']}'s shortfall", {"debt": debt, "paid": pay}))
            if Decimal(debt["owed"]) == 0:
                amount = Decimal(debt["base"]) * p["within_rate"]
                released.append(line(rid, amount, CNY, "released_bonus", "002/KAD §二2",
                                     f"{debt['quarter']} 基数已补足，补发该季奖金 {debt['base']} × 4%",
                                     f"{debt['quarter']}'s base made up: its bonus {debt['base']} x 4% released",
                                     {"quarter": debt["quarter"], "base": debt["base"], "rate": p["within_rate"]}))
        debts = [d for d in debts if Decimal(d["owed"]) > 0]
        E = X - repaid
        cap = p["quarter_cap"]
        if E < T:
            bonus, carry_out, floating = E * p["within_rate"], ZERO, False
            how_zh, how_en = f"E {E} < 目标 {T}：E × 4%", f"E {E} < target {T}: E x 4%"
        elif E < cap:
            bonus, carry_out, floating = T * p["within_rate"], E - T, True
            how_zh, how_en = f"目标 {T} × 4%，超出 {E - T} 转下季", f"target {T} x 4%; {E - T} carries over"
        else:
            bonus = T * p["within_rate"] + (cap - T) * p["over_rate"]
            carry_out, floating = E - cap, True
            how_zh = f"目标 {T} × 4% + ({cap} − {T}) × 5%，超出封顶 {E - cap} 转下季"
            how_en = f"target {T} x 4% + ({cap} - {T}) x 5%; {E - cap} above the cap carries over"
        coefficient = kpi_coefficient(rid, facts.kpi, p)
        factor = p["kpi_fixed_part"] + (1 - p["kpi_fixed_part"]) * coefficient.coefficient
        lines += list(coefficient.lines)
        lines.append(line(rid, bonus * factor, CNY, "bonus", C, f"{how_zh}，计提 {bonus} × KPI系数调整 {factor}",
                          f"{how_en}; computed {bonus} x KPI factor {factor}",
                          {"X": X, "E": E, "repaid": repaid, "T": T, "cap": cap, "computed": bonus,
                           "kpi_coefficient": coefficient.coefficient, "kpi_factor": factor}))
        if p["kpi_on_released"]:
            released = [replace(r, figure=r.figure * factor) for r in released]
    lines += released
    lines.append(line(rid, ZERO, INFO, "floating_wage_paid" if floating else "floating_wage_withheld", "002/KAD §二3",
                      "浮动工资发放" if floating else "浮动工资暂不发放",
                      "floating wage paid" if floating else "floating wage withheld", {"E": E, "T": T}))
    lines.append(line(rid, carry_out, INFO, "carry_out", C, f"转入下季 {carry_out}", f"carried to next quarter {carry_out}",
                      {"carry_out": carry_out, "counted": X - carry_out}))
    half = [h for h in state["half"] if (Quarter.parse(h["quarter"]).q - 1) // 2 == (q.q - 1) // 2]
    half.append({"quarter": str(q), "below_base": X < B, "credit": _s(credit), "target": _s(T)})
    state = {"year": q.year, "carry": _s(carry_out), "debts": debts,
             "ytd_credit": _s(Decimal(state["ytd_credit"]) + credit),
             "ytd_target": _s(Decimal(state["ytd_target"]) + T), "half": half}
    if q.q in (2, 4):
        lines += half_year(rid, half, debts, T, E)
    if q.is_year_end:
        lines += year_end(rid, state, p)
        state = fresh_state(q.year + 1)
    return lines, state


def half_year(rid, half, debts, T, E) -> list[Line]:
    """002/KAD §二4: reported grade moves, not paid."""
    below = sum(1 for h in half if h["below_base"])
    inputs = {"quarters": half, "debts_left": debts, "E": E, "T": T}
    if below >= 2:
        return [line(rid, Decimal(-1), FLAG, "salary_grade_down", "002/KAD §二4", "半年两个季度未完成基数：降一级工资",
                     "two quarters below base in the half-year: salary grade -1", inputs)]
    credit = sum(Decimal(h["credit"]) for h in half)
    target = sum(Decimal(h["target"]) for h in half)
    if not debts and credit >= target and E >= T:
        return [line(rid, Decimal(1), FLAG, "salary_grade_up", "002/KAD §二4", "半年补足欠额并完成目标：升一级工资",
                     "half-year repaid every shortfall and met its target: salary grade +1",
                     {**inputs, "half_credit": credit, "half_target": target})]
    return []


def year_end(rid, state, p) -> list[Line]:
    """RULES.md §2.3.4 [reading]: the excess still carried after Q4 is settled."""
    carry = Decimal(state["carry"])
    if carry <= 0:
        return []
    met = Decimal(state["ytd_credit"]) >= Decimal(state["ytd_target"])
    rate = p["year_end_rate_met"] if met else p["year_end_rate_missed"]
    return [line(rid, carry * rate, CNY, "year_end_settlement", "002/KAD §二2",
                 f"年终结算：结转 {carry} × {rate * 100}%（全年 {state['ytd_credit']} / 目标 {state['ytd_target']}）",
                 f"year end: carried {carry} x {rate * 100}% (year {state['ytd_credit']} vs target "
                 f"{state['ytd_target']})", {"carry": carry, "rate": rate, "year_credit": state["ytd_credit"],
                                            "year_target": state["ytd_target"], "annual_target_met": met})]


def side_bonus_lines(rows: Mapping[str, Mapping[str, Any]], clause: str = "002/KAP §二2") -> list[Line]:
    return [line(person, row["side"], CNY, "side_bonus", clause,
                 f"实施/维护/培训/服务等收入奖金 {row['side']}", f"implementation/maintenance/training/service bonus "
                 f"{row['side']}", {"collections": [pt.collection for pt in row["parts"] if pt.side_bonus]})
            for person, row in sorted(rows.items()) if row["side"]]


def run_scheme(facts: Facts, carried: Mapping[str, Any], p, rep_quarter_fn, side_clause: str):
    """Credit the quarter's collections, run each rep's quarter through the scheme, add side bonuses.
    rep_quarter_fn(person, quarter, credit row or None, carried state or None, facts, p)."""
    q = facts.quarter
    parts, credit_lines = period_parts(facts, q, p)
    rows = by_person(parts)
    lines, out = list(credit_lines), dict(carried)
    for person in reps(facts, rows):
        rep_lines, out[person.id] = rep_quarter_fn(person, q, rows.get(person.id), carried.get(person.id), facts, p)
        lines += rep_lines
    lines += side_bonus_lines(rows, side_clause)
    return sorted(lines, key=lambda l: l.person), out  # stable: each person's lines in computing order


def _rep_quarter(person, q, row, state, facts, p):
    return rep_quarter(person, q, row["task"] if row else ZERO, state or fresh_state(q.year), facts, p)


def run(facts: Facts, carried: Mapping[str, Any], p) -> tuple[list[Line], dict]:
    return run_scheme(facts, carried, p, _rep_quarter, "002/KAP §二2")
