"""Opportunity tiers, owners and bulletin scope — seed 000 §(一), §(二)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamkit.facts import Opportunity
from kamkit.plugin import Classification, Names, Tier

from .params import AM, BM, DEP, DIR

# tier -> (owner role, confirming role, clause, zh, en); ordered from the top amount down
TIERS = (
    ("major", "major_from", BM, BM, "000 §(一)4", "重大商机", "major opportunity"),
    ("important", "important_from", DEP, DEP, "000 §(一)3", "重要商机", "important opportunity"),
    ("ordinary", "ordinary_from", AM, DIR, "000 §(一)2", "普通商机", "ordinary opportunity"),
    (
        "reportable",
        "reportable_from",
        AM,
        "entry_admin",
        "000 §(一)1",
        "需录入商机",
        "reportable opportunity",
    ),
)
# the tiers declared (RulePlugin.tiers): what notices and checks call them
DECLARED = tuple(
    Tier(key, Names(zh, en), owner, confirmer, clause) for key, _, owner, confirmer, clause, zh, en in TIERS
) + (Tier("below_threshold", Names("无需上报", "below the reporting threshold"), None, None, "000 §(一)1"),)
# Tiers reported to the city company with a weekly follow-up (000 §(一)2-4, §(二)1).
WEEKLY = {"ordinary", "important", "major"}


def tier_of(amount, params: Mapping[str, Any]) -> tuple[str, str | None, str | None, str, str, str]:
    for key, threshold, owner, confirmer, clause, zh, en in TIERS:
        if amount >= params[threshold]:
            return key, owner, confirmer, clause, zh, en
    return "below_threshold", None, None, "000 §(一)1", "无需上报", "below the reporting threshold"


def in_bulletin(o: Opportunity, params: Mapping[str, Any]) -> bool:
    return o.amount >= params["bulletin_min_amount"] or o.lines >= params["bulletin_min_lines"]


def classify(o: Opportunity, params: Mapping[str, Any]) -> Classification:
    tier, owner, confirmer, clause, zh, en = tier_of(o.amount, params)
    weekly = tier in WEEKLY
    bulletin = in_bulletin(o, params)
    return Classification(
        o.id,
        tier,
        owner,
        confirmer,
        params["follow_up_days"] if weekly else None,
        bulletin,
        clause,
        f"金额 {o.amount} 元，{zh}"
        + ("，每周反馈跟进" if weekly else "")
        + ("，列入周通报" if bulletin else ""),
        f"amount {o.amount}: {en}"
        + (", weekly follow-up" if weekly else "")
        + (", in the weekly bulletin" if bulletin else ""),
        {
            "amount": o.amount,
            "lines": o.lines,
            "thresholds": {t[1]: params[t[1]] for t in TIERS},
            "bulletin": {
                "min_amount": params["bulletin_min_amount"],
                "min_lines": params["bulletin_min_lines"],
            },
        },
    )
