"""Quarterly bonus with base, target, make-up and carry-over — docs/rules.md §2.3 (002/KAP §三, 002/KAD §二).

Carried state per rep (JSON-friendly, Decimals as strings), handed from quarter to quarter:
    year, carry (excess carried in), debts [{quarter, owed, base}], ytd_credit, ytd_target,
    half [{quarter, below_base}] (the current half-year's quarters); under ``floating_wage_rule``
    'kad' also wage_withheld [quarter, ...] (the quarters whose floating wage is withheld until their
    shortfall is made up)
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from kamkit.errors import InvalidFacts
from kamkit.explain import CNY, FLAG, INFO, Line
from kamkit.facts import Facts, Person
from kamkit.kpi import kpi_coefficient, measured_of
from kamkit.money import fmt
from kamkit.periods import Quarter
from kamkit.targets import InForce, in_force, quarterly_target, target_line

from .crediting import AM, exact, period_parts

ZERO = Decimal(0)
C = "002/KAP §三"
KAD_WAGE = "002/KAD §二3"  # 浮动工资在补足的季度发放


def _s(value: Decimal) -> str:
    """Carried-state form of a Decimal: exact, without exponent or trailing zeros."""
    return format(value.normalize(), "f") if value else "0"


def _pct(rate: Decimal) -> str:
    """A rate in a reason: 0.04 -> 4%. Money in a reason is fmt's (75000.00): an exact figure
    such as 150,000 x 0.5 = 75000.0 reads as a float."""
    return f"{_s(rate * 100)}%"


def check_state(rid: str, state: Mapping[str, Any]) -> None:
    """A carried state that cannot be read is refused by field, not half-used."""
    errors = []
    if not isinstance(state.get("year"), int) or isinstance(state.get("year"), bool):
        errors.append(
            {"field": f"carried.{rid}.year", "message": f"must be a year, got {state.get('year')!r}"}
        )
    for key in ("carry", "ytd_credit", "ytd_target"):
        try:
            Decimal(str(state.get(key)))
        except InvalidOperation:
            errors.append(
                {"field": f"carried.{rid}.{key}", "message": f"must be a number, got {state.get(key)!r}"}
            )
    if not isinstance(state.get("debts"), list) or not isinstance(state.get("half"), list):
        errors.append({"field": f"carried.{rid}", "message": "debts and half must be lists"})
    withheld = state.get("wage_withheld", [])
    if not isinstance(withheld, list) or not all(isinstance(q, str) for q in withheld):
        errors.append(
            {
                "field": f"carried.{rid}.wage_withheld",
                "message": f"must be a list of quarters, got {withheld!r}",
            }
        )
    if errors:
        raise InvalidFacts(errors)


def fresh_state(year: int) -> dict[str, Any]:
    return {"year": year, "carry": "0", "debts": [], "ytd_credit": "0", "ytd_target": "0", "half": []}


def reps(facts: Facts) -> list[Person]:
    """Who runs through a rep's bonus scheme: sales reps, and anyone given a quarterly target (in
    their own field or by a target for the quarter). Another party credited with a joint sale (an
    organisational unit) is credited, not run."""
    return [
        p
        for p in facts.people
        if p.role == AM
        or p.quarterly_target is not None
        or (facts.quarter is not None and in_force(facts, p.id, facts.quarter).amount is not None)
    ]


class RepTarget(NamedTuple):
    T: Decimal  # the quarter's target in force (docs/rules.md §7)
    B: Decimal  # its base: T × base_ratio, 0 for a new rep
    new: bool  # a new rep's quarter: no task
    source: InForce  # where T comes from: set by whom, or the change and its approval


def targets(facts: Facts, person: Person, q: Quarter, p) -> RepTarget:
    """A new rep carries no task (新业务员一季度不承担任务, 002/KAP §一) in every calendar quarter
    that begins before the end of their first ``new_rep_months`` months [reading]."""
    target = quarterly_target(facts, person, q, default=p["default_quarterly_target"])
    t = target.amount
    new = bool(
        p["first_quarter_no_task"]
        and person.start_date
        and q.first_day < add_months(person.start_date, p["new_rep_months"])
    )
    return RepTarget(t, ZERO if new else exact(t * p["base_ratio"]), new, target)  # 75000, not 75000.0


def add_months(day, months: int):
    """The same day ``months`` later (clamped to the month's end): 2026-02-15 + 3 = 2026-05-15."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def line(person, figure, unit, kind, *, clause, zh, en, inputs):
    return Line(person, AM, figure, unit, kind, clause, zh, en, inputs)


def rep_quarter(
    person: Person,
    q: Quarter,
    credit: Decimal,
    state: dict,
    *,
    facts: Facts,
    p,
    implementation: Decimal = ZERO,
    outside: Decimal = ZERO,
) -> tuple[list[Line], dict]:
    """One rep's quarter. ``credit`` counts every test (base, debts, target, cap, carry, floating
    wage); ``implementation`` (part of it) is paid by its 6% side rate only, so the step bonus is
    computed on E less it; every bonus amount is divided by ``vat_divisor`` (docs/rules.md §2.3).

    ``outside`` (part of ``credit``: projects outside the funnel, credited under
    ``outside_funnel_counts_for_task``, 002/KAD §二5) counts for the task — the base, the debts and
    their make-up (which it repays first), the target, the floating wage, the half-year and the
    year — and for no bonus: what is left of it after the make-up stays out of the step bonus, the
    cap and the carry, and it is never carried (docs/rules.md §2.2)."""
    rid = person.id
    check_state(rid, state)
    if state["year"] != q.year:
        state = fresh_state(q.year)
    T, B, first, target = targets(facts, person, q, p)
    vat = p["vat_divisor"]
    kad = p.get("floating_wage_rule") == "kad"
    withheld = list(state.get("wage_withheld", []))
    carry_in = Decimal(state["carry"])
    X = credit + carry_in
    debts = [dict(d) for d in state["debts"]]
    credit_inputs = {
        "credit": credit,
        "carry_in": carry_in,
        "T": T,
        "B": B,
        "first_quarter": first,
        "implementation": implementation,
        "vat_divisor": vat,
        "debts_in": [dict(d) for d in debts],  # a copy: the state before this quarter
    }
    zh = f"本季实际完成额 X = 可计回款 {fmt(credit)} + 上季转入 {fmt(carry_in)}"
    en = f"X = creditable collections {fmt(credit)} + carried in {fmt(carry_in)}"
    if outside:
        credit_inputs["outside_funnel"] = outside
        zh += f"（其中未进入销售漏斗 {fmt(outside)}：计业绩，不计提奖金）"
        en += f" (of which outside the sales funnel {fmt(outside)}: counts for the task, earns no bonus)"
    if kad:
        credit_inputs["wage_withheld_in"] = list(withheld)
    lines = [
        target_line(rid, AM, target, str(q)),  # what T is and who set or approved it
        line(rid, X, INFO, "quarter_credit", clause=C, zh=zh, en=en, inputs=credit_inputs),
    ]
    bonus = ZERO
    released, back_paid = [], []
    if X < B:
        owed = B - X
        debts.append({"quarter": str(q), "owed": _s(owed), "base": _s(B)})
        E, carry_out = ZERO, ZERO
        lines.append(
            line(
                rid,
                owed,
                INFO,
                "debt_created",
                clause=C,
                zh=f"未完成基数 {fmt(B)}：欠 {fmt(owed)}，以后季度补足；不计提奖金",
                en=f"below base {fmt(B)}: owes {fmt(owed)} to be made up later; no bonus",
                inputs={"X": X, "B": B, "owed": owed},
            )
        )
        lines.append(
            line(
                rid,
                -p["fixed_wage_deduction"],
                CNY,
                "fixed_wage_deduction",
                clause=C,
                zh=f"未完成基数，扣发固定工资 {fmt(p['fixed_wage_deduction'])}",
                en=f"below base: {fmt(p['fixed_wage_deduction'])} deducted from fixed wage",
                inputs={"X": X, "B": B, "deduction": p["fixed_wage_deduction"]},
            )
        )
    else:
        surplus, repaid = X - B, ZERO
        for debt in debts:
            pay = min(surplus, Decimal(debt["owed"]))
            surplus -= pay
            repaid += pay
            debt["owed"] = _s(Decimal(debt["owed"]) - pay)
            if pay:
                lines.append(
                    line(
                        rid,
                        pay,
                        INFO,
                        "debt_repaid",
                        clause=C,
                        zh=f"补足 {debt['quarter']} 欠额 {fmt(pay)}",
                        en=f"repaid {fmt(pay)} of {debt['quarter']}'s shortfall",
                        inputs={"debt": debt, "paid": pay},
                    )
                )
            if Decimal(debt["owed"]) == 0:
                amount = Decimal(debt["base"]) * p["within_rate"] / vat
                released.append(
                    line(
                        rid,
                        amount,
                        CNY,
                        "released_bonus",
                        clause=C,
                        zh=f"{debt['quarter']} 基数已补足，补发该季奖金 {fmt(debt['base'])} × "
                        f"{_pct(p['within_rate'])} / {_s(vat)}",
                        en=f"{debt['quarter']}'s base made up: "
                        f"its bonus {fmt(debt['base'])} x {_pct(p['within_rate'])} / {_s(vat)} released",
                        inputs={
                            "quarter": debt["quarter"],
                            "base": debt["base"],
                            "rate": p["within_rate"],
                            "vat_divisor": vat,
                        },
                    )
                )
                if kad and debt["quarter"] in withheld:
                    withheld.remove(debt["quarter"])
                    back_paid.append(wage_back_paid(rid, debt, q))
        debts = [d for d in debts if Decimal(d["owed"]) > 0]
        E = X - repaid
        # outside-funnel credit repays debts first; what is left of it earns no bonus and does not carry
        kept_out = max(ZERO, outside - repaid)
        E_bonus = E - kept_out  # the cap, the carry and the steps below are on it, as collected
        cap = p["quarter_cap"]
        carry_out = ZERO if E_bonus < T else (E_bonus - T if E_bonus < cap else E_bonus - cap)
        S = max(ZERO, E_bonus - implementation)  # the step bonus's base: implementation is paid at 6% only
        within, over = _pct(p["within_rate"]), _pct(p["over_rate"])
        if S < T:
            bonus = S * p["within_rate"]
            how_zh, how_en = (
                f"S {fmt(S)} < 目标 {fmt(T)}：S × {within}",
                f"S {fmt(S)} < target {fmt(T)}: S x {within}",
            )
        elif S < cap:
            bonus = T * p["within_rate"]
            how_zh, how_en = f"目标 {fmt(T)} × {within}", f"target {fmt(T)} x {within}"
        else:
            bonus = T * p["within_rate"] + (cap - T) * p["over_rate"]
            how_zh = f"目标 {fmt(T)} × {within} + ({fmt(cap)} − {fmt(T)}) × {over}"
            how_en = f"target {fmt(T)} x {within} + ({fmt(cap)} - {fmt(T)}) x {over}"
        if carry_out:
            how_zh += f"，超出部分 {fmt(carry_out)} 转下季"
            how_en += f"; {fmt(carry_out)} carries over"
        bonus = bonus / vat
        coefficient = kpi_coefficient(rid, facts.kpi_of(rid), p, measured=measured_of(facts, rid, p))
        factor = p["kpi_fixed_part"] + (1 - p["kpi_fixed_part"]) * coefficient.coefficient
        lines += list(coefficient.lines)
        out_zh = f" − 漏斗外 {fmt(kept_out)}" if outside else ""
        out_en = f" - outside the funnel {fmt(kept_out)}" if outside else ""
        bonus_inputs = {
            "X": X,
            "E": E,
            "repaid": repaid,
            "implementation": implementation,
            "S": S,
            "T": T,
            "cap": cap,
            "vat_divisor": vat,
            "computed": bonus,
            "kpi_coefficient": coefficient.coefficient,
            "kpi_factor": factor,
        }
        if outside:
            bonus_inputs |= {"outside_funnel": outside, "outside_funnel_kept_out": kept_out}
        lines.append(
            line(
                rid,
                bonus * factor,
                CNY,
                "bonus",
                clause=C,
                zh=f"S = E {fmt(E)}{out_zh} − 实施 {fmt(implementation)}；{how_zh}；"
                f"÷ {_s(vat)}（税后）计提 {fmt(bonus)} × KPI系数调整 {_s(factor)}",
                en=f"S = E {fmt(E)}{out_en} - implementation {fmt(implementation)}; {how_en}; / {_s(vat)} "
                f"(net of VAT) = {fmt(bonus)} x KPI factor {_s(factor)}",
                inputs=bonus_inputs,
            )
        )
        if p["kpi_on_released"]:
            released = [replace(r, figure=r.figure * factor) for r in released]
    lines += released
    if kad:
        wage = kad_floating_wage(person, X, B, T, first, p)
        if wage.kind == "floating_wage_withheld":
            withheld.append(str(q))
    else:
        wage = floating_wage(person, X, T, first, p)
    lines.append(wage)
    lines += back_paid
    lines.append(
        line(
            rid,
            carry_out,
            INFO,
            "carry_out",
            clause=C,
            zh=f"转入下季 {fmt(carry_out)}",
            en=f"carried to next quarter {fmt(carry_out)}",
            inputs={"carry_out": carry_out, "counted": X - carry_out},
        )
    )
    half = [h for h in state["half"] if (Quarter.parse(h["quarter"]).q - 1) // 2 == (q.q - 1) // 2]
    half.append(
        {"quarter": str(q), "below_base": X < B, "credit": _s(credit), "target": _s(T), "base": _s(B)}
    )
    state = {
        "year": q.year,
        "carry": _s(carry_out),
        "debts": debts,
        "ytd_credit": _s(Decimal(state["ytd_credit"]) + credit),
        "ytd_target": _s(Decimal(state["ytd_target"]) + T),
        "half": half,
    }
    if kad:
        state["wage_withheld"] = withheld
    if q.q in (2, 4):
        lines += half_year(person, q, half, debts, X, T, p)
    if q.is_year_end:
        lines += year_end(rid, state, p)
        state = fresh_state(q.year + 1)
    return lines, state


def floating_wage(person: Person, X: Decimal, T: Decimal, no_task: bool, p) -> Line:
    """002/KAP §三 (docs/rules.md §2.3.2): paid when the quarter's X reaches T, whether or not it
    also repaid earlier debts; withheld below. A new rep carries no task (002/KAP §一): there is no
    target to fall short of, so nothing is withheld [reading, docs/rules.md §2.3] — T only sets
    their bonus steps."""
    if no_task:
        return no_task_wage(person, X, T, p)
    paid = X >= T
    return line(
        person.id,
        ZERO,
        INFO,
        "floating_wage_paid" if paid else "floating_wage_withheld",
        clause=C,
        zh=f"本季实际完成 {fmt(X)} {'≥' if paid else '<'} 目标 {fmt(T)}："
        f"浮动工资{'发放' if paid else '暂不发放'}",
        en=f"quarter's completion X {fmt(X)} {'>=' if paid else '<'} target {fmt(T)}: floating wage "
        f"{'paid' if paid else 'withheld'}",
        inputs={"X": X, "T": T, "no_task": False},
    )


def no_task_wage(person: Person, X: Decimal, T: Decimal, p) -> Line:
    return line(
        person.id,
        ZERO,
        INFO,
        "floating_wage_paid",
        clause="002/KAP §一",
        zh=f"新业务员本季不承担任务：浮动工资不暂扣，照发（本季实际完成 {fmt(X)}；目标 {fmt(T)} "
        f"只定奖金档次）",
        en=f"no task this quarter (a new rep): nothing withheld, floating wage paid (X {fmt(X)}; "
        f"the target {fmt(T)} sets the bonus steps only)",
        inputs={
            "X": X,
            "T": T,
            "no_task": True,
            "start_date": person.start_date,
            "new_rep_months": p["new_rep_months"],
        },
    )


def kad_floating_wage(person: Person, X: Decimal, B: Decimal, T: Decimal, no_task: bool, p) -> Line:
    """002/KAD §二3 under ``floating_wage_rule`` 'kad' (docs/rules.md §2.3.2): withheld only while
    the quarter's X is below the base B (低于基数，不发放浮动工资), paid otherwise — debts or not;
    a withheld wage is paid back in the quarter that makes its shortfall up (wage_back_paid)."""
    if no_task:
        return no_task_wage(person, X, T, p)
    paid = X >= B
    return line(
        person.id,
        ZERO,
        INFO,
        "floating_wage_paid" if paid else "floating_wage_withheld",
        clause=KAD_WAGE,
        zh=f"本季实际完成 {fmt(X)} {'≥' if paid else '<'} 基数 {fmt(B)}："
        + ("浮动工资发放（仅低于基数时暂不发放）" if paid else "浮动工资暂不发放，在补足差额的季度补发"),
        en=f"quarter's completion X {fmt(X)} {'>=' if paid else '<'} base {fmt(B)}: floating wage "
        + (
            "paid (withheld only below the base)"
            if paid
            else "withheld, to be paid in the quarter that makes the shortfall up"
        ),
        inputs={"X": X, "B": B, "no_task": False, "rule": "kad"},
    )


def wage_back_paid(rid: str, debt: Mapping[str, Any], q: Quarter) -> Line:
    """002/KAD §二3 (浮动工资在补足的季度发放) under ``floating_wage_rule`` 'kad': the floating wage
    withheld in a quarter below its base is paid back, on a line of its own, in the quarter whose
    completion makes that quarter's shortfall up in full [reading (a), docs/rules.md §2.3.2]."""
    return line(
        rid,
        ZERO,
        INFO,
        "floating_wage_back_paid",
        clause=KAD_WAGE,
        zh=f"{debt['quarter']} 与基数的差额已于本季补足：补发 {debt['quarter']} 暂扣的浮动工资"
        f"（浮动工资在补足的季度发放）",
        en=f"{debt['quarter']}'s shortfall below its base made up in {q}: the floating wage withheld in "
        f"{debt['quarter']} is paid back now",
        inputs={"quarter": debt["quarter"], "made_up_in": str(q), "base": debt["base"], "rule": "kad"},
    )


def half_year(person: Person, q: Quarter, half, debts, X, T, p) -> list[Line]:
    """002/KAD §二4 (docs/rules.md §2.3.5): the half-year's credited collections below its base (the sum
    of its quarters' B) -> salary grade -1; a half-year that repaid every earlier shortfall and
    whose second quarter met its target -> +1. Reported, not paid; the target moves by
    ``half_year_target_step`` per grade (0: reported only).

    Final only when both quarters are known: run without the first quarter's carried state, the
    half-year is this quarter alone and the flag says it is provisional (a rep who joined in the
    second quarter has no first one to know)."""
    rid = person.id
    credit = sum(Decimal(h["credit"]) for h in half)
    base = sum(Decimal(h.get("base", "0")) for h in half)
    step = p["half_year_target_step"]
    first, known = q.previous(), [h["quarter"] for h in half]
    joined_later = person.start_date is not None and person.start_date >= q.first_day
    provisional = str(first) not in known and not joined_later
    note_zh = f"；暂定：仅有 {q}，以 {first} 的结转状态重算 {q} 后为准" if provisional else ""
    note_en = (
        f"; provisional: {q} only; final when {q} is run from {first}'s carried state" if provisional else ""
    )
    inputs = {
        "quarters": half,
        "half_credit": credit,
        "half_base": base,
        "debts_left": debts,
        "second_quarter_X": X,
        "T": T,
        "target_step": step,
        "quarters_known": known,
        "provisional": provisional,
    }
    if credit < base:
        return [
            line(
                rid,
                Decimal(-1),
                FLAG,
                "salary_grade_down",
                clause="002/KAD §二4",
                zh=f"半年实际完成 {fmt(credit)} 低于半年基数 {fmt(base)}：降一级工资"
                + (f"，目标 −{fmt(step)}" if step else "")
                + note_zh,
                en=f"half-year credit {fmt(credit)} below the half-year base {fmt(base)}: salary grade -1"
                + (f", target -{fmt(step)}" if step else "")
                + note_en,
                inputs={**inputs, "new_target": T - step},
            )
        ]
    if not debts and X >= T:
        return [
            line(
                rid,
                Decimal(1),
                FLAG,
                "salary_grade_up",
                clause="002/KAD §二4",
                zh="半年补足此前欠额且第二季度完成目标：升一级工资"
                + (f"，目标 +{fmt(step)}" if step else "")
                + note_zh,
                en="half-year repaid every earlier shortfall and its second quarter met its target: salary "
                "grade +1" + (f", target +{fmt(step)}" if step else "") + note_en,
                inputs={**inputs, "new_target": T + step},
            )
        ]
    return []


def year_end(rid, state, p) -> list[Line]:
    """docs/rules.md §2.3.4 [reading]: the excess still carried after Q4 is settled."""
    carry = Decimal(state["carry"])
    if carry <= 0:
        return []
    met = Decimal(state["ytd_credit"]) >= Decimal(state["ytd_target"])
    rate = p["year_end_rate_met"] if met else p["year_end_rate_missed"]
    vat = p.get("vat_divisor", Decimal(1))
    year, target = state["ytd_credit"], state["ytd_target"]
    return [
        line(
            rid,
            carry * rate / vat,
            CNY,
            "year_end_settlement",
            clause="002/KAD §二2",
            zh=f"年终结算：结转 {fmt(carry)} × {_pct(rate)} / {_s(vat)}"
            f"（全年 {fmt(year)} / 目标 {fmt(target)}）",
            en=f"year end: carried {fmt(carry)} x {_pct(rate)} / {_s(vat)} (year {fmt(year)} vs target "
            f"{fmt(target)})",
            inputs={
                "carry": carry,
                "rate": rate,
                "vat_divisor": vat,
                "year_credit": state["ytd_credit"],
                "year_target": state["ytd_target"],
                "annual_target_met": met,
            },
        )
    ]


def side_bonus_lines(rows: Mapping[str, Mapping[str, Any]], clause: str = "002/KAP §二2") -> list[Line]:
    return [
        line(
            person,
            row["side"],
            CNY,
            "side_bonus",
            clause=clause,
            zh=f"实施/维护/培训/服务等收入奖金 {fmt(row['side'])}",
            en=f"implementation/maintenance/training/service bonus {fmt(row['side'])}",
            inputs={"collections": row["side_collections"]},
        )
        for person, row in sorted(rows.items())
        if row["side"]
    ]


def run_scheme(facts: Facts, carried: Mapping[str, Any], p, rep_quarter_fn, side_clause: str):
    """Credit the quarter's collections, run each rep's quarter through the scheme, add side bonuses.
    rep_quarter_fn(person, quarter, credit row or None, carried state or None, facts, p)."""
    q = facts.quarter
    credited = period_parts(facts, q, p)
    credit_lines, rows = credited.lines, credited.per_person
    lines, out = list(credit_lines), dict(carried)
    run_ids = set()
    for person in reps(facts):
        run_ids.add(person.id)
        rep_lines, out[person.id] = rep_quarter_fn(
            person, q, rows.get(person.id), carried.get(person.id), facts, p
        )
        lines += rep_lines
    for party in sorted(set(rows) - run_ids):  # credited (e.g. a joint sale's unit), never run
        lines.append(
            Line(
                party,
                "unit",
                rows[party]["task"],
                INFO,
                "credited_not_run",
                "002/KAB §二5",
                f"{party} 获联合销售等记入 {fmt(rows[party]['task'])}，不是销售人员，不参与个人奖金考核",
                f"{party} is credited {fmt(rows[party]['task'])} (a joint sale's counterpart, not a rep): "
                f"not run through a rep's bonus scheme",
                {"credit": rows[party]["task"]},
            )
        )
    lines += side_bonus_lines({k: v for k, v in rows.items() if k in run_ids}, side_clause)
    return sorted(lines, key=lambda l: l.person), out  # stable: each person's lines in computing order


def _rep_quarter(person, q, row, state, facts, p):
    return rep_quarter(
        person,
        q,
        row["task"] if row else ZERO,
        state or fresh_state(q.year),
        facts=facts,
        p=p,
        implementation=row["implementation"] if row else ZERO,
        outside=row["outside"] if row else ZERO,
    )


def run(facts: Facts, carried: Mapping[str, Any], p) -> tuple[list[Line], dict]:
    return run_scheme(facts, carried, p, _rep_quarter, "002/KAP §二2")
