"""Loan tiers and owners [reading] — RULES.md §3.2."""
from __future__ import annotations

from shared.plugin import Classification

from .params import GRADES

LADDER = ("account_manager", "deputy_manager", "branch_manager", "city_admin")
TIERS = (  # key, threshold, owner, minimum grade, zh, en
    ("large", "large_from", "branch_manager", None, "大额贷款", "large loan"),
    ("medium", "medium_from", "deputy_manager", None, "中额贷款", "medium loan"),
    ("small", "small_from", "account_manager", "junior", "小额贷款", "small loan"),
)


def tier_of(amount, p):
    for key, threshold, owner, grade, zh, en in TIERS:
        if amount >= p[threshold]:
            return key, owner, grade, zh, en
    return "micro", "account_manager", None, "微贷", "micro loan"


def classify(o, p) -> Classification:
    tier, owner, grade, zh, en = tier_of(o.amount, p)
    confirmer = LADDER[LADDER.index(owner) + 1]
    need = f"，须初级及以上客户经理" if grade else ""
    return Classification(o.id, tier, owner, confirmer, None if tier == "micro" else p["follow_up_days"],
                          tier in ("medium", "large"), "RULES §3.2", f"金额 {o.amount} 元，{zh}{need}",
                          f"amount {o.amount}: {en}" + (f", {grade} grade or above" if grade else ""),
                          {"amount": o.amount, "min_grade": grade,
                           # who may own it: read by the escalation service when it picks the owner
                           "eligible_grades": list(GRADES[GRADES.index(grade):]) if grade else None,
                           "thresholds": {t[1]: p[t[1]] for t in TIERS}})
