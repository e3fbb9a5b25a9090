"""The bank-grades rule plugin: the customer-manager ladder of 兴业银行客户经理绩效考核实施办法
(002/CIB 第五条, 第七条–第十条) — docs/rules.md §13.

The document's pay, assessment content and promotion rules are not in the seed (every copy stops at
第十条), so this plugin pays nothing: its month is the grade sheet (does each grade held stand?).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamkit.facts import Facts, Opportunity
from kamkit.plugin import (
    ESCALATION_CLAUSES,
    ESCALATION_PARAMS,
    Classification,
    Clause,
    MonthResult,
    Names,
    QuarterResult,
    RulePlugin,
    Tier,
    untiered,
)

from . import ladder as L
from .sheet import RULE as SHEET_RULE
from .sheet import sheet_lines

NO_TIERS = "rules §13.5"

CLAUSES = {
    **ESCALATION_CLAUSES,
    L.ART5: Clause(
        "13.2",
        "Customer managers are led by their unit, guided by the city branch's departments and assessed "
        "by the city-branch CM leading group (市分行客户经理领导小组).",
    ),
    L.ART7: Clause(
        "13.1, 13.2",
        "Four ranks, six grades: 资深; 高级 二级/一级; 客户经理 二级/一级; 助理 (trainees outside). "
        "资深/高级: head-office and provincial rules, recruited and appointed by the city branch; "
        "客户经理/助理: recruited by the sub-branch, appointed once the city branch approves.",
    ),
    L.ART8: Clause(
        "13.3",
        "Basic conditions of every customer manager (character, ethics, expression): attested, "
        "not on record.",
    ),
    L.ART9: Clause(
        "13.3",
        "助理客户经理: at least 1 year of banking work and the post-skill appraisal examination passed.",
    ),
    L.ART10: Clause("13.3", "客户经理: at least 2 years of banking work."),
    SHEET_RULE: Clause(
        "13.4",
        "Each month, for every grade held: it stands (approved by the approving role, conditions met on the "
        "day proposed) or a finding says why not; appointments waiting are shown.",
    ),
    NO_TIERS: Clause(
        "13.5", "No opportunity scheme and no pay in this document: one tier, no cadence, no pay."
    ),
}


class BankGradesPlugin(RulePlugin):
    key = "bank-grades"
    version = "1.0.0"
    names = Names("银行客户经理等级（兴业银行）", "Bank customer-manager grades (CIB)")
    roles = L.ROLE_NAMES
    # the escalation ladder (docs/rules.md §1.3), as the banking plugin's; the grade ladder is grade_ladder
    ladder = (L.ACCOUNT_MANAGER, L.DEPUTY, L.BRANCH, L.CITY)
    grade_ladder = L.LADDER  # kamkit.ladders.Ladder: the grades, their conditions, who proposes and approves
    grades = L.GRADES
    parameters = ESCALATION_PARAMS + L.PARAMS
    clauses = CLAUSES
    tiers = (Tier("any", Names("不分级", "no tiers"), L.ACCOUNT_MANAGER, None, NO_TIERS),)

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        super().__init__(overrides)  # years below 0 are refused by the parameters' minimum
        self.ladder_in_force = L.in_force(self.params)

    def classify(self, opportunity: Opportunity) -> Classification:
        return untiered(
            self.tiers[0],
            opportunity,
            "本办法不对商机分级，无跟进周期，不入周报",
            "this document grades customer managers, not opportunities: no tier, no follow-up cadence, "
            "no bulletin",
        )

    def assess_month(self, facts: Facts) -> MonthResult:
        return MonthResult(facts.month, sheet_lines(facts, self.ladder_in_force, self.params))

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        # 第十条 is the last article in the seed: no grade pay is printed, so nothing is paid or carried
        return QuarterResult(facts.quarter, (), {})
