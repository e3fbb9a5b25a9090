"""Tiered commission computed per calendar month: a month's statement — seed 003 §五–§七."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kamkit.explain import CNY, Line
from kamkit.facts import Deal, Facts
from kamkit.money import fmt
from kamkit.periods import Month
from kamkit.targets import LINE, InForce, monthly_task, target_line

from .params import AM

ZERO = Decimal(0)


def pct(rate: Decimal) -> str:
    """A rate in a reason, as exact as it is: 0.08 -> 8%, 0.085 -> 8.5% (never 8.00%). Money in a
    reason is fmt's, as reported: 12000.00, not a raw 12000.0 or 1.2E+4."""
    return f"{format((rate * 100).normalize(), 'f')}%" if rate else "0%"


def band_rate(d: Decimal, p: Mapping[str, Any]) -> Decimal:
    """003 §六1: the first band whose lower bound d clears (inclusively where the seed says 含)."""
    for row in p["price_bands"]:
        if d > row["from"] or (row["inclusive"] and d == row["from"]):
            return row["rate"]
    return p["floor_rate"]


def monthly_adjustment(sales, listed, task, p, *, over_key, over_pp, low_pp) -> tuple[Decimal, dict]:
    """Accelerator above 120% of the task, deduction below a 0.75 average ratio."""
    avg = sales / listed if listed else ZERO
    accel = p[over_pp] if sales > task * p[over_key] else ZERO
    low = p[low_pp] if listed and avg < p["low_ratio_below"] else ZERO
    return accel - low, {
        "sales": sales,
        "task": task,
        "average_ratio": avg,
        "accelerator_pp": accel,
        "low_ratio_pp": low,
    }


def _task(facts: Facts, seller: str, month: Month, p) -> InForce:
    """A seller's base task in force for the month: a target, else their monthly_task, else the
    line's base_task (docs/rules.md §7)."""
    person = facts.person(seller)
    if person is None:
        return InForce(p["base_task"], LINE)
    return monthly_task(facts, person, month, default=p["base_task"])


def seller_month(person: str, deals: list[Deal], task: Decimal, p) -> list[Line]:
    deals = sorted(deals, key=lambda d: (d.date, d.id))
    sales = sum((d.deal_price for d in deals), ZERO)
    listed = sum((d.list_price for d in deals), ZERO)
    adj, month_inputs = monthly_adjustment(
        sales, listed, task, p, over_key="accelerator_over", over_pp="accelerator_pp", low_pp="low_ratio_pp"
    )
    lines, remaining = [], task
    for d in deals:
        consumed = min(remaining, d.deal_price)  # the base task is used up in order of sale date
        remaining -= consumed
        part = d.deal_price - consumed
        ratio = d.deal_price / d.list_price
        base = band_rate(ratio, p)
        rate = max(ZERO, base + adj) if base > 0 else ZERO
        above = ratio > 1  # sold above list price: allowed, but said (the top band d >= 0.90 applies)
        lines.append(
            Line(
                person,
                AM,
                part * rate,
                CNY,
                "commission",
                "003 §六1",
                f"订单 {d.id}：成交 {fmt(d.deal_price)}/标价 {fmt(d.list_price)}（{ratio:.4f} 折比"
                f"{'，高于标价：折比大于1' if above else ''}），"
                f"基本任务抵扣 {fmt(consumed)}，计提 {fmt(part)} × {pct(rate)}",
                f"deal {d.id}: {fmt(d.deal_price)} of list {fmt(d.list_price)} (ratio {ratio:.4f}"
                f"{', above the list price: ratio above 1' if above else ''}); {fmt(consumed)} used by the "
                f"base task; {fmt(part)} x {pct(rate)}",
                {
                    "deal": d.id,
                    "date": d.date,
                    "list_price": d.list_price,
                    "deal_price": d.deal_price,
                    "ratio": ratio,
                    "above_list_price": above,
                    "task_consumed": consumed,
                    "commissionable": part,
                    "band_rate": base,
                    "adjustment_pp": adj,
                    "rate": rate,
                    **month_inputs,
                },
            )
        )
    return lines


def single_order_bonus(d: Deal, p) -> Line | None:
    steps = [s for s in p["single_order_bonus"] if d.deal_price >= s["from"]]
    if not steps:
        return None
    top = max(steps, key=lambda s: s["from"])
    return Line(
        d.seller,
        AM,
        top["bonus"],
        CNY,
        "single_order_bonus",
        "003 §六1",
        f"单笔订单 {d.id} 达 {fmt(top['from'])} 元，奖励 {fmt(top['bonus'])} 元",
        f"single order {d.id} reached {fmt(top['from'])}: bonus {fmt(top['bonus'])}",
        {"deal": d.id, "deal_price": d.deal_price, "step": top["from"], "bonus": top["bonus"]},
    )


def department_month(facts: Facts, manager, month: Month, by_seller, p) -> Line | None:
    members = [m for m in facts.with_role(AM, manager.branch)] if manager.branch else []
    if not members:
        return None
    deals = [d for m in members for d in by_seller.get(m.id, [])]
    if not deals:
        return None
    sales = sum((d.deal_price for d in deals), ZERO)
    listed = sum((d.list_price for d in deals), ZERO)
    # the members' tasks in force (docs/rules.md §7): the department's base is their sum [reading]
    base = sum((_task(facts, m.id, month, p).amount for m in members), ZERO)
    adj, inputs = monthly_adjustment(
        sales,
        listed,
        base,
        p,
        over_key="accelerator_over",
        over_pp="department_accelerator_pp",
        low_pp="department_low_ratio_pp",
    )
    excess = max(ZERO, sales - base)
    rate = max(ZERO, p["department_rate"] + adj)
    return Line(
        manager.id,
        manager.role,
        excess * rate,
        CNY,
        "manager_commission",
        "003 §六2",
        f"{month} 部门业绩 {fmt(sales)}，扣除基本任务 {fmt(base)} 后 {fmt(excess)} × {pct(rate)}",
        f"{month}: department sales {fmt(sales)} less its base {fmt(base)} = {fmt(excess)} x {pct(rate)}",
        {
            **inputs,
            "month": month,
            "members": [m.id for m in members],
            "department_base": base,
            "excess": excess,
            "rate": rate,
        },
    )


def agent_line(d: Deal, p) -> Line:
    return Line(
        d.seller,
        "agent",
        d.deal_price * p["agent_rate"],
        CNY,
        "agent_commission",
        "003 §七",
        f"代理商销售 {d.id}：{fmt(d.deal_price)} × {pct(p['agent_rate'])}",
        f"agent sale {d.id}: {fmt(d.deal_price)} x {pct(p['agent_rate'])}",
        {"deal": d.id, "deal_price": d.deal_price, "rate": p["agent_rate"]},
    )


def salary_lines(facts: Facts, month: Month, p) -> list[Line]:
    lines = []
    for person in facts.people:
        salary, phone = p["base_salary"].get(person.role), p["phone_allowance"].get(person.role)
        if salary is not None:
            lines.append(
                Line(
                    person.id,
                    person.role,
                    salary,
                    CNY,
                    "base_salary",
                    "003 §五",
                    f"{month} 基本工资",
                    f"{month} base salary",
                    {"month": month, "role": person.role},
                )
            )
        if phone is not None:
            lines.append(
                Line(
                    person.id,
                    person.role,
                    phone,
                    CNY,
                    "phone_allowance",
                    "003 §五",
                    f"{month} 电话补助",
                    f"{month} phone allowance",
                    {"month": month},
                )
            )
    return lines


def month(facts: Facts, month: Month, p) -> list[Line]:
    """A month's pay (003 §五–§七: 当月): each seller's commission over the month's base task, the
    single-order bonuses, agents' sales, the department managers' share and base salaries."""
    deals = [d for d in facts.deals if month.contains(d.date)]
    by_seller: dict[str, list[Deal]] = {}
    for d in deals:
        if not d.agent:
            by_seller.setdefault(d.seller, []).append(d)
    lines: list[Line] = []
    for seller, own in sorted(by_seller.items()):
        task = _task(facts, seller, month, p)
        lines.append(target_line(seller, AM, task, str(month)))  # the base task and its source
        lines += seller_month(seller, own, task.amount, p)
    lines += [b for d in deals if not d.agent and (b := single_order_bonus(d, p))]
    lines += [agent_line(d, p) for d in deals if d.agent]
    for manager in facts.with_role(p["department_manager_role"]):
        line = department_month(facts, manager, month, by_seller, p)
        if line is not None:
            lines.append(line)
    if p["pay_base_salary"]:
        lines += salary_lines(facts, month, p)
    return sorted(
        lines,
        key=lambda l: (
            l.person,
            str(l.inputs.get("month") or l.inputs.get("date")),
            l.kind,
            str(l.inputs.get("deal", "")),
        ),
    )
