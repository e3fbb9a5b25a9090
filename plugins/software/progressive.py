"""The progressive preset — docs/rules.md §2.4 (002/KAB 大客户销售人员奖金计提考核办法 §二, §三).

Tests are on collections as collected (no VAT rule in this document: ``vat_divisor`` defaults to
1 and divides bonus amounts only). Below the base B: 1.424%, and a shortfall B − X to be made up
by later quarters exactly as in §2.3 (与基数部分的差额需用下季度实际完成额补足 — §二2); a quarter whose
shortfall is made up is released its difference (B at 7.12% less what it was paid). B reached:
7.12% on the whole amount, 9.968% on the year's part above the annual target. The year end
settles the year on its actual completion and pays what the quarters paid short
(年终按实际完成任务情况结算奖金并调整季度发放差额).

Carried state per rep: year, debts [{quarter, owed, base, paid}], ytd_credit, ytd_base,
ytd_computed (bonus computed so far, before KPI and VAT).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kamkit.errors import InvalidFacts
from kamkit.explain import CNY, INFO, Line
from kamkit.facts import Facts
from kamkit.kpi import kpi_coefficient, measured_of
from kamkit.money import fmt
from kamkit.targets import in_force, target_line

from .crediting import AM
from .quarterly import _s, run_scheme, targets

ZERO = Decimal(0)
C1, C2, C3, MAKE_UP = "002/KAB §三1", "002/KAB §三2", "002/KAB §三", "002/KAB §二2"
STATE_KEYS = {"year", "debts", "ytd_credit", "ytd_base", "ytd_computed"}


def fresh(year: int) -> dict[str, Any]:
    return {"year": year, "debts": [], "ytd_credit": "0", "ytd_base": "0", "ytd_computed": "0"}


def rate_on(amount: Decimal, before: Decimal, annual: Decimal, p) -> tuple[Decimal, Decimal]:
    """(bonus, part above the annual target) of ``amount`` once the base is reached, the year's
    credit standing at ``before``: 7.12% up to the annual target, 9.968% above it."""
    above = max(ZERO, before + amount - annual) - max(ZERO, before - annual)
    return (amount - above) * p["base_reached_rate"] + above * p["over_annual_rate"], above


def year_bonus(credit: Decimal, base: Decimal, annual: Decimal, p) -> Decimal:
    """The year's bonus on its actual completion (the year end's yardstick)."""
    if credit < base:
        return credit * p["below_base_rate"]
    return rate_on(credit, ZERO, annual, p)[0]


def rep_quarter(person, q, row, state, facts: Facts, p) -> tuple[list[Line], dict]:
    if state and not STATE_KEYS <= set(state):
        raise InvalidFacts(
            f"carried state of {person.id} is not a software-progressive state "
            f"(keys: {', '.join(sorted(state))})",
            field=f"carried.{person.id}",
        )
    if not state or state.get("year") != q.year:
        state = fresh(q.year)
    T, B, first, target = targets(facts, person, q, p)
    # a target set for the year is the year's; else four quarters' [reading, docs/rules.md §7]
    yearly = in_force(facts, person.id, q.year)
    annual, vat = (yearly.amount if yearly.amount is not None else T * 4), p["vat_divisor"]
    X = row["task"] if row else ZERO
    before = Decimal(state["ytd_credit"])
    debts = [dict(d) for d in state["debts"]]
    big = row["big_deal_credit"] if row else ZERO
    big_share = big / X if X else ZERO
    inputs = {
        "X": X,
        "B": B,
        "T": T,
        "annual_target": annual,
        **({"annual_target_set": yearly.inputs()} if yearly.amount is not None else {}),
        "ytd_before": before,
        "vat_divisor": vat,
        "big_deal_credit": big,
        "big_deal_share": big_share,
        "first_quarter": first,
        "debts_in": [dict(d) for d in debts],
    }
    lines: list[Line] = [target_line(person.id, AM, target, str(q))]  # what T is, who set or approved it
    released: list[Line] = []
    if X < B:
        bonus, how, clause = (
            X * p["below_base_rate"],
            f"below base {fmt(B)}: {fmt(X)} x {p['below_base_rate']}",
            C1,
        )
        debts.append({"quarter": str(q), "owed": _s(B - X), "base": _s(B), "paid": _s(bonus)})
        lines.append(
            Line(
                person.id,
                AM,
                B - X,
                INFO,
                "debt_created",
                MAKE_UP,
                f"未完成基数 {fmt(B)}：差额 {fmt(B - X)} 须以后季度补足",
                f"below base {fmt(B)}: {fmt(B - X)} to be made up by later quarters",
                {"X": X, "B": B, "owed": B - X},
            )
        )
        above = ZERO
    else:
        surplus, repaid = X - B, ZERO
        for debt in debts:
            pay = min(surplus, Decimal(debt["owed"]))
            surplus, repaid = surplus - pay, repaid + pay
            debt["owed"] = _s(Decimal(debt["owed"]) - pay)
            if pay:
                lines.append(
                    Line(
                        person.id,
                        AM,
                        pay,
                        INFO,
                        "debt_repaid",
                        MAKE_UP,
                        f"补足 {debt['quarter']} 差额 {fmt(pay)}",
                        f"made up {fmt(pay)} of {debt['quarter']}'s shortfall",
                        {"debt": dict(debt), "paid": pay},
                    )
                )
            if Decimal(debt["owed"]) == 0:
                due = Decimal(debt["base"]) * p["base_reached_rate"] - Decimal(debt["paid"])
                released.append(
                    Line(
                        person.id,
                        AM,
                        due / vat,
                        CNY,
                        "released_bonus",
                        MAKE_UP,
                        f"{debt['quarter']} 基数已补足：补发 {fmt(debt['base'])} × {p['base_reached_rate']} "
                        f"− 已发 {fmt(debt['paid'])} = {fmt(due)}" + (f" / {_s(vat)}" if vat != 1 else ""),
                        f"{debt['quarter']}'s base made up: {fmt(debt['base'])} x {p['base_reached_rate']} "
                        f"less the {fmt(debt['paid'])} it was paid = {fmt(due)}"
                        + (f" / {_s(vat)}" if vat != 1 else ""),
                        {
                            "quarter": debt["quarter"],
                            "base": debt["base"],
                            "paid_then": debt["paid"],
                            "rate": p["base_reached_rate"],
                            "vat_divisor": vat,
                        },
                    )
                )
        debts = [d for d in debts if Decimal(d["owed"]) > 0]
        E = X - repaid
        _, above = rate_on(E, before + repaid, annual, p)  # E sits on top of the year's credit
        normal = E - above
        if big_share >= p["big_deal_share"] or X == 0:
            small_part = ZERO
        else:  # 002/KAB §三2, cut in the seed: the small deals' part at the configured rate
            small_part = normal * (1 - big_share)
        bonus = (
            (normal - small_part) * p["base_reached_rate"]
            + small_part * p["small_deal_rate_below_share"]
            + above * p["over_annual_rate"]
        )
        how = (
            f"base reached: E {fmt(E)} (after making up {fmt(repaid)}): "
            f"{fmt(normal - small_part)} x {p['base_reached_rate']} "
            f"+ {fmt(small_part)} x {p['small_deal_rate_below_share']} + above the annual target "
            f"{fmt(above)} x {p['over_annual_rate']}"
        )
        clause = C2 if small_part else C1
        inputs |= {"repaid": repaid, "E": E}
    coefficient = kpi_coefficient(
        person.id, facts.kpi_of(person.id), p, measured=measured_of(facts, person.id, p)
    )
    factor = p["kpi_fixed_part"] + (1 - p["kpi_fixed_part"]) * coefficient.coefficient
    lines += [
        *coefficient.lines,
        Line(
            person.id,
            AM,
            bonus / vat * factor,
            CNY,
            "bonus",
            clause,
            f"计提奖金 {fmt(bonus)}" + (f" / {_s(vat)}" if vat != 1 else "") + f" × KPI调整 {_s(factor)}",
            f"{how}; computed {fmt(bonus)}"
            + (f" / {_s(vat)}" if vat != 1 else "")
            + f" x KPI factor {_s(factor)}",
            {
                **inputs,
                "above_annual": above,
                "computed": bonus,
                "kpi_coefficient": coefficient.coefficient,
                "kpi_factor": factor,
            },
        ),
    ]
    lines += released
    computed = Decimal(state["ytd_computed"]) + bonus + sum((r.figure * vat for r in released), ZERO)
    state = {
        "year": q.year,
        "debts": debts,
        "ytd_credit": _s(before + X),
        "ytd_base": _s(Decimal(state["ytd_base"]) + B),
        "ytd_computed": _s(computed),
    }
    if q.is_year_end:
        lines += year_end(person.id, state, annual, p)
        state = fresh(q.year + 1)
    return lines, state


def year_end(rid, state, annual, p) -> list[Line]:
    """Settle the year on its actual completion: pay what the quarters paid short [reading: a
    surplus paid by the quarters is reported, not clawed back]."""
    credit, base, paid = (Decimal(state[k]) for k in ("ytd_credit", "ytd_base", "ytd_computed"))
    due = year_bonus(credit, base, annual, p)
    difference, vat = due - paid, p["vat_divisor"]
    inputs = {
        "year_credit": credit,
        "year_base": base,
        "annual_target": annual,
        "year_bonus": due,
        "paid_by_quarters": paid,
        "difference": difference,
        "vat_divisor": vat,
    }
    if difference > 0:
        return [
            Line(
                rid,
                AM,
                difference / vat,
                CNY,
                "year_end_settlement",
                MAKE_UP,
                f"年终按全年完成 {fmt(credit)} 结算奖金 {fmt(due)}，季度已计提 {fmt(paid)}，"
                f"补发差额 {fmt(difference)}",
                f"year end on the year's completion {fmt(credit)}: bonus {fmt(due)}, the quarters computed "
                f"{fmt(paid)}; the difference {fmt(difference)} is paid",
                inputs,
            )
        ]
    return [
        Line(
            rid,
            AM,
            difference,
            INFO,
            "year_end_settlement",
            MAKE_UP,
            f"年终按全年完成 {fmt(credit)} 结算奖金 {fmt(due)}，季度已计提 {fmt(paid)}，无需补发",
            f"year end on the year's completion {fmt(credit)}: bonus {fmt(due)}, the quarters computed "
            f"{fmt(paid)}; nothing more is due",
            inputs,
        )
    ]


def run(facts: Facts, carried: Mapping[str, Any], p) -> tuple[list[Line], dict]:
    return run_scheme(facts, carried, p, rep_quarter, "002/KAB §三3")
