"""What counts as creditable collections — RULES.md §2.2 (seed 002).

Each collection becomes per-person parts: credit toward the task and a side bonus paid outside
the task scheme, each explained by a Line. Pure; used by both software presets.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from shared.explain import FLAG, INFO, Line
from shared.facts import Collection, Facts
from shared.periods import Month, Quarter

ZERO = Decimal(0)
AM = "account_manager"


@dataclass(frozen=True)
class Part:
    person: str
    collection: str
    task_credit: Decimal  # counts toward the task (X)
    side_bonus: Decimal  # paid outside the task scheme
    share: Decimal  # this person's share of the collection
    largest_single: Decimal  # the collection's whole task credit (for the big-deal rule)


def net_of(c: Collection) -> Decimal:
    """002/KAD §二1: collections net of partner share, sales expenses, entertainment and travel."""
    return c.amount - c.partner_share - c.expenses - c.entertainment - c.travel


def shares(c: Collection, p) -> list[tuple[str, Decimal, str]]:
    """(person, share, clause): joint sale 70/30, contributions, or the collector alone."""
    if c.joint_with:
        own = p["joint_collector_share"]
        return [(c.rep, own, "002/KAB §二5"), (c.joint_with, 1 - own, "002/KAB §二5")]
    if c.contributions:
        return [(s.person, s.share, "002/KAP §二4") for s in c.contributions]
    return [(c.rep, Decimal(1), "002/KAD §二1")]


def credit(c: Collection, p) -> tuple[list[Part], list[Line]]:
    if not c.in_crm:
        return [], [Line(c.rep, AM, ZERO, INFO, "not_in_crm", "002/KAP §二3",
                         f"回款 {c.id} 的项目未进入CRM/销售漏斗：不计任务、不计奖金",
                         f"collection {c.id}: project not in the CRM funnel, no task credit and no bonus",
                         {"collection": c.id, "amount": c.amount})]
    net = net_of(c)
    kind = c.revenue_kind
    basis = c.gross_margin if kind == "secondary_dev" else net
    task = basis * p["task_share"].get(kind, ZERO)
    side_base = c.amount if p["side_on_gross"].get(kind, ZERO) else net
    side = side_base * p["side_rate"].get(kind, ZERO)
    inputs = {"collection": c.id, "date": c.date, "kind": kind, "amount": c.amount, "partner_share": c.partner_share,
              "expenses": c.expenses, "entertainment": c.entertainment, "travel": c.travel, "net": net,
              "gross_margin": c.gross_margin, "task_share": p["task_share"].get(kind, ZERO),
              "side_rate": p["side_rate"].get(kind, ZERO), "side_base": side_base}
    parts, lines = [], []
    clause = {"secondary_dev": "002/KAP §二5", "add_module": "002/KAB §二7", "data_conversion": "002/KAB §二7",
              "implementation": "002/KAP §二2", "maintenance": "002/KAP §二2", "training": "002/KAP §二2",
              "service": "002/KAB §三3", "supplies": "002/KAB §三3"}.get(kind, "002/KAD §二1")
    for person, share, split_clause in shares(c, p):
        parts.append(Part(person, c.id, task * share, side * share, share, task))
        lines.append(Line(person, AM, task * share, INFO, "task_credit", clause,
                          f"回款 {c.id}（{kind}）净额 {net}，计入任务 {task * share}（份额 {share}）",
                          f"collection {c.id} ({kind}): net {net}, task credit {task * share} (share {share})",
                          {**inputs, "share": share, "split_clause": split_clause}))
    return parts, lines


def period_parts(facts: Facts, period: Month | Quarter, p) -> tuple[list[Part], list[Line]]:
    parts, lines = [], []
    for c in sorted(facts.collections, key=lambda c: (c.date, c.id)):
        if period.contains(c.date):
            cp, cl = credit(c, p)
            parts += cp
            lines += cl
    return parts, lines + implementation_flags(facts, period, p)


def implementation_flags(facts: Facts, period, p) -> list[Line]:
    """002/KAB §二3: implementation revenue below 30% of the contract total is flagged."""
    lines = []
    for contract in facts.contracts:
        collectors = sorted({c.rep for c in facts.collections if c.contract == contract.id and period.contains(c.date)})
        floor = contract.total * p["implementation_min_share"]
        if collectors and contract.implementation < floor:
            lines += [Line(rep, AM, Decimal(1), FLAG, "implementation_share_low", "002/KAB §二3",
                           f"合同 {contract.id} 实施收入 {contract.implementation} 低于合同总价 {contract.total} 的 30%",
                           f"contract {contract.id}: implementation {contract.implementation} is below 30% of "
                           f"its total {contract.total}",
                           {"contract": contract.id, "total": contract.total,
                            "implementation": contract.implementation, "minimum": floor})
                      for rep in collectors]
    return lines


def by_person(parts: Iterable[Part]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for part in parts:
        row = out.setdefault(part.person, {"task": ZERO, "side": ZERO, "parts": []})
        row["task"] += part.task_credit
        row["side"] += part.side_bonus
        row["parts"].append(part)
    return out
