"""Loan tiers and owners [reading] — docs/rules.md §3.2."""

from __future__ import annotations

from decimal import Decimal

from kamkit.facts import Opportunity
from kamkit.params import Param
from kamkit.plugin import Classification, Names, Tier

from .grades import GRADE_ZH, GRADES

LADDER = ("account_manager", "deputy_manager", "branch_manager", "city_admin")
CLAUSE = "rules §3.2"
# Where the seed names a role the reading assigns: 高级客户经理 is a grade of the CIB scheme, the
# city-branch CM board assesses every customer manager.
ROLE_CLAUSES = {"deputy_manager": "002/CIB §第七条", "city_admin": "002/CIB §第五条"}
ROLE_ZH = {
    "account_manager": "客户经理",
    "deputy_manager": "高级客户经理",
    "branch_manager": "支行行长",
    "city_admin": "市分行客户经理领导小组",
}

# key, threshold parameter, owner role, minimum-grade parameter, zh, en — largest first
TIERS = (
    ("large", "large_from", "branch_manager", None, "大额贷款", "large loan"),
    ("medium", "medium_from", "deputy_manager", None, "中额贷款", "medium loan"),
    ("small", "small_from", "account_manager", "small_min_grade", "小额贷款", "small loan"),
)
MICRO = ("micro", None, "account_manager", None, "微额贷款", "micro loan")
BULLETIN = ("medium", "large")
# the tiers declared (RulePlugin.tiers): what notices and checks call them
DECLARED = tuple(
    Tier(key, Names(zh, en), owner, LADDER[LADDER.index(owner) + 1], CLAUSE)
    for key, _, owner, _, zh, en in (*TIERS, MICRO)
)

PARAMS = (
    Param(
        "small_from",
        Decimal(50000),
        "money",
        CLAUSE,
        "From this loan amount a loan is small (below it: micro, any grade may own it).",
        "reading",
    ),
    Param(
        "small_min_grade",
        "junior",
        "text",
        CLAUSE,
        "A small loan's account manager must hold this grade or above.",
        "reading",
    ),
    Param(
        "medium_from",
        Decimal(500000),
        "money",
        CLAUSE,
        "From this amount: medium, owned by a senior customer manager (deputy_manager).",
        "reading",
    ),
    Param(
        "large_from",
        Decimal(2000000),
        "money",
        CLAUSE,
        "From this amount: large, owned by the sub-branch head (branch_manager).",
        "reading",
    ),
)


def tier_of(amount: Decimal, p) -> tuple[str, str, str | None, str, str]:
    """(tier, owner role, minimum grade or None, zh, en) of a loan amount."""
    for key, threshold, owner, grade_param, zh, en in TIERS:
        if amount >= p[threshold]:
            return key, owner, p[grade_param] if grade_param else None, zh, en
    return MICRO[0], MICRO[2], None, MICRO[4], MICRO[5]


def classify(o: Opportunity, p) -> Classification:
    tier, owner, grade, zh, en = tier_of(o.amount, p)
    confirmer = LADDER[LADDER.index(owner) + 1]  # the owner's next rung up [reading]
    follow_up = None if tier == MICRO[0] else p["follow_up_days"]
    need_zh = f"（须{GRADE_ZH.get(grade, grade)}及以上）" if grade else ""
    need_en = f", {grade} grade or above" if grade else ""
    cadence_zh = f"，每 {follow_up} 天跟进" if follow_up else "，无需定期跟进"
    cadence_en = f", follow-up every {follow_up} days" if follow_up else ", no follow-up cadence"
    return Classification(
        o.id,
        tier,
        owner,
        confirmer,
        follow_up,
        tier in BULLETIN,
        CLAUSE,
        f"贷款商机 {o.id} 金额 {o.amount} 元：{zh}，由{ROLE_ZH[owner]}负责{need_zh}，"
        f"{ROLE_ZH[confirmer]}确认{cadence_zh}",
        f"loan opportunity {o.id} of {o.amount}: {en}, owned by {owner}{need_en}, confirmed by "
        f"{confirmer}{cadence_en}",
        {
            "amount": o.amount,
            "min_grade": grade,
            # who may own it: read by the escalation service when it picks the owner
            "eligible_grades": list(GRADES[GRADES.index(grade) :]) if grade in GRADES else None,
            "thresholds": {t[1]: p[t[1]] for t in TIERS},
            "follow_up_days": follow_up,
            "role_clauses": {r: c for r, c in ROLE_CLAUSES.items() if r in (owner, confirmer)},
        },
    )
