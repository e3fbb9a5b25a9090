"""Piece-rate pay computed per month, paid in the quarterly run — seed 002/LOAN §四, §五."""
from __future__ import annotations

from decimal import Decimal

from shared.explain import CNY, Line
from shared.facts import Facts
from shared.periods import Month

from .params import GRADES

ZERO = Decimal(0)


def referrer_reward(amount: Decimal, p) -> tuple[Decimal, Decimal | None]:
    """(reward, band start): the highest printed band the amount reaches; gaps fall to the lower band."""
    band = None
    for row in p["referrer_bands"]:
        if amount >= row["from"]:
            band = row
    return (band["pay"], band["from"]) if band else (ZERO, None)


def progressive_pay(count: Decimal, p) -> tuple[Decimal, list[dict]]:
    """Each band pays its own loans, like income tax: 2.5 loans = 2 x 30 + 0.5 x 40."""
    total, used, rows = ZERO, ZERO, []
    for band in p["piece_bands"]:
        here = max(ZERO, min(count, band["upto"]) - used)
        if here:
            rows.append({"upto": band["upto"], "loans": here, "pay": band["pay"]})
            total += here * band["pay"]
        used = max(used, min(count, band["upto"]))
    return total, rows


def month_lines(facts: Facts, month: Month, p) -> list[Line]:
    lines = []
    loans = [l for l in facts.loans if month.contains(l.issued)]
    for manager in sorted({l.manager for l in loans}):
        own = [l for l in loans if l.manager == manager]
        count = sum((Decimal(1) if l.kind == "new" else p["reissue_weight"] for l in own), ZERO)
        pay, bands = progressive_pay(count, p)
        person = facts.person(manager)
        lines.append(Line(manager, person.role if person else "account_manager", pay, CNY, "loans_issued_pay",
                          "002/LOAN §五(二)1", f"{month} 放款折算 {count} 笔，累进计酬 {pay} 元",
                          f"{month}: {count} loans (renewals/merges/extensions at {p['reissue_weight']}), "
                          f"progressive pay {pay}",
                          {"month": month, "loans": [l.id for l in own], "weighted_count": count, "bands": bands}))
    for loan in loans:
        if loan.referrer:
            reward, band = referrer_reward(loan.amount, p)
            person = facts.person(loan.referrer)
            lines.append(Line(loan.referrer, person.role if person else "referrer", reward, CNY, "referrer_reward",
                              "002/LOAN §五(一)", f"推荐贷款 {loan.id}（{loan.amount} 元）奖励 {reward} 元",
                              f"referred loan {loan.id} ({loan.amount}): {reward}",
                              {"loan": loan.id, "amount": loan.amount, "band_from": band, "month": month}))
    for person in facts.people:
        if person.grade in GRADES:
            pay = p["base_pay"][person.grade]
            lines.append(Line(person.id, person.role, pay, CNY, "base_pay", "002/LOAN §四",
                              f"{month} {person.grade} 基础薪酬", f"{month} base pay ({person.grade})",
                              {"month": month, "grade": person.grade}))
    return lines


def quarter(facts: Facts, p) -> list[Line]:
    lines = [l for m in facts.quarter.months for l in month_lines(facts, m, p)]
    return sorted(lines, key=lambda l: (l.person, str(l.inputs.get("month")), l.kind))
