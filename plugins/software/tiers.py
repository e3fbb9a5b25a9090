"""Tiers and owners of software opportunities [reading of seed 002] — docs/rules.md §2.1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamkit.facts import Opportunity
from kamkit.money import fmt
from kamkit.plugin import Classification, Names, Tier

TIERS = (  # key, threshold parameter, owner, confirmer (the next rung), zh, en
    ("strategic", "strategic_from", "branch_manager", "city_admin", "战略级商机", "strategic opportunity"),
    ("large", "large_from", "deputy_manager", "branch_manager", "大型商机", "large opportunity"),
)

# the tiers declared (RulePlugin.tiers): what notices and checks call them
DECLARED = (
    *(Tier(key, Names(zh, en), own, conf, "rules §2.1") for key, _, own, conf, zh, en in TIERS),
    Tier(
        "standard",
        Names("标准商机", "standard opportunity"),
        "account_manager",
        "deputy_manager",
        "rules §2.1",
    ),
)


def classify(o: Opportunity, params: Mapping[str, Any]) -> Classification:
    tier, owner, confirmer, zh, en = (
        "standard",
        "account_manager",
        "deputy_manager",
        "标准商机",
        "standard opportunity",
    )
    for key, threshold, own, conf, tzh, ten in TIERS:
        if o.amount >= params[threshold]:
            tier, owner, confirmer, zh, en = key, own, conf, tzh, ten
            break
    return Classification(
        o.id,
        tier,
        owner,
        confirmer,
        params["follow_up_days"],
        tier != "standard",
        "rules §2.1",
        f"金额 {fmt(o.amount)} 元，{zh}",
        f"amount {fmt(o.amount)}: {en}",
        {"amount": o.amount, "large_from": params["large_from"], "strategic_from": params["strategic_from"]},
    )
