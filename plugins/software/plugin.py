"""The software plugins (seed 002, 某软件福州分公司): `software` (docs/rules.md §2.1-2.3) and its
`software-progressive` preset (§2.4). Same roles, tiers and crediting; different quarterly schemes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamkit.indicators import INDICATOR_CLAUSES
from kamkit.kpi import KPI_CLAUSES
from kamkit.plugin import ESCALATION_CLAUSES, Clause, MonthResult, Names, QuarterResult, RulePlugin
from kamkit.sections import month_indicators, quarter_indicators
from kamkit.targets import TARGET_CLAUSES

from . import crediting, progressive, quarterly, tiers
from .params import PROGRESSIVE_PARAMETERS, SOFTWARE_PARAMETERS
from .tiers import DECLARED as DECLARED_TIERS

COMMON_CLAUSES = {
    **INDICATOR_CLAUSES,
    "rules §8": ESCALATION_CLAUSES["rules §8"],
    **TARGET_CLAUSES,
    "rules §1.3": Clause("2.1", "Weekly follow-up and escalation as in 1.3."),
    "rules §2.1": Clause(
        "2.1", "standard < 50,000 (rep), large < 300,000 (dept manager), strategic (director)."
    ),
    "002/KAD §二1": Clause(
        "2.2", "Credit = collections net of partner share, expenses, entertainment, travel."
    ),
    "002/KAP §二2": Clause(
        "2.2",
        "Implementation, maintenance, training: 6% of net; maintenance and training "
        "count toward no task, implementation does (paid by its 6% only); implementation "
        "below the standard quote is topped up and credited like product revenue.",
    ),
    "002/KAP §二3": Clause("2.2", "A project not in the CRM funnel: no bonus, no task."),
    "002/KAP §二4": Clause("2.2", "Several reps: credit split by contribution shares."),
    "002/KAP §二5": Clause("2.2", "Secondary development counts at gross margin."),
    "002/KAB §二3": Clause("2.2", "Implementation revenue must be >= 30% of the contract total."),
    "002/KAB §二5": Clause(
        "2.2",
        "Joint sale: the collecting party 70%, the other 30%; tobacco contracts are "
        "not split; implementation and service go to whoever delivers them; a unit as "
        "counterpart is credited, never run through a rep's scheme.",
    ),
    "002/KAB §二7": Clause("2.2", "Add-module/add-site revenue counts at half; data conversion not at all."),
    "002/KAB §三3": Clause("2.2", "Service, training and supplies income: 5% of collections."),
    **KPI_CLAUSES,
}

SOFTWARE_CLAUSES = {
    **COMMON_CLAUSES,
    "002/KAP §一": Clause(
        "2.3", "Base = 50% of target; no task in quarters beginning within a new rep's first 3 months."
    ),
    "002/KAP §三": Clause(
        "2.3",
        "Quarterly bonus: below base nothing and -600, the shortfall made up by later "
        "quarters' surplus, releasing that quarter's bonus; 4% within target, 5% to the "
        "300,000 cap on E less implementation, excess carried; floating wage paid when "
        "the quarter's X reaches its target; paid x (80% + 20% KPI).",
    ),
    "002/KAD §三1": Clause(
        "2.3", "Bonus on net of VAT: every bonus amount / 1.17; tests on collections as collected."
    ),
    "002/KAD §二3": Clause(
        "2.3",
        "Under floating_wage_rule 'kad': the floating wage is withheld only below the base and paid "
        "back in the quarter that makes the shortfall up (浮动工资在补足的季度发放).",
    ),
    "002/KAD §二5": Clause(
        "2.2",
        "Under outside_funnel_counts_for_task: a project outside the sales funnel counts for the task "
        "(base, debts, target, floating wage, grade) but earns no bonus (计业绩，但不计提奖金).",
    ),
    "002/KAD §二2": Clause(
        "2.3", "The year end settles the carried excess (年终按实际完成任务情况结算奖金)."
    ),
    "002/KAD §二4": Clause(
        "2.3",
        "Half-year credit below the half-year base -> grade -1; every shortfall repaid "
        "and the second quarter's target met -> +1; reported, not paid; provisional until both "
        "quarters are known.",
    ),
}

PROGRESSIVE_CLAUSES = {
    **COMMON_CLAUSES,
    "002/KAP §一": Clause(
        "2.4", "Base = 50% of target; no task in quarters beginning within a new rep's first 3 months."
    ),
    "002/KAB §二2": Clause(
        "2.4",
        "A shortfall below base is made up by later quarters; the year end settles "
        "the quarters' differences.",
    ),
    "002/KAB §三": Clause("2.4", "Paid bonus = bonus x (70% + 30% x KPI coefficient)."),
    "002/KAB §二1": Clause(
        "2.4", "Bonus on product and implementation collections as collected (no VAT rule)."
    ),
    "002/KAB §三1": Clause(
        "2.4",
        "1.424% below base; 7.12% on the whole once base is reached; 9.968% on the "
        "year's part above the annual target.",
    ),
    "002/KAB §三2": Clause(
        "2.4",
        "Big deals (a contract's collections > 50,000) >= 40% of the total and base reached: 7.12% on all.",
    ),
}

ROLES = {
    "account_manager": Names("销售人员", "sales rep"),
    "deputy_manager": Names("大客户部经理", "key-account dept manager"),
    "branch_manager": Names("销售总监", "sales director"),
    "city_admin": Names("销售管理", "sales management"),
    "unit": Names("单位（联合销售对方）", "organisational unit (a joint sale's counterpart)"),
}
LADDER = ("account_manager", "deputy_manager", "branch_manager", "city_admin")


class _SoftwareBase(RulePlugin):
    # 1.1.0: a new rep's floating wage not withheld, provisional half-year grades, money in reasons
    # as reported (a version closed under 1.0.0 is not replayed under these reasons); 1.2.0: the
    # seeds' disagreements as parameters (floating_wage_rule, outside_funnel_counts_for_task)
    version = "1.2.0"
    roles = ROLES
    ladder = LADDER
    tiers = DECLARED_TIERS

    def classify(self, opportunity):
        return tiers.classify(opportunity, self.params)

    def assess_month(self, facts) -> MonthResult:
        """§2 docks no points: the month's credit summary and implementation-share findings."""
        lines = crediting.period_parts(facts, facts.month, self.params).lines
        return MonthResult(
            facts.month, tuple(sorted(lines, key=lambda l: l.person)) + month_indicators(facts, self.params)
        )


class SoftwarePlugin(_SoftwareBase):
    key = "software"
    names = Names("大客户部销售考核（软件）", "Software key-account sales")
    parameters = SOFTWARE_PARAMETERS
    clauses = SOFTWARE_CLAUSES

    def commission_quarter(self, facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        lines, state = quarterly.run(facts, carried or {}, self.params)
        section = quarter_indicators(facts, self.params, carried)
        return QuarterResult(facts.quarter, tuple(lines) + section.lines, {**state, **section.carried})


class SoftwareProgressivePlugin(_SoftwareBase):
    key = "software-progressive"
    names = Names("大客户销售奖金计提（软件，累进）", "Software progressive bonus")
    parameters = PROGRESSIVE_PARAMETERS
    clauses = PROGRESSIVE_CLAUSES

    def commission_quarter(self, facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        lines, state = progressive.run(facts, carried or {}, self.params)
        section = quarter_indicators(facts, self.params, carried)
        return QuarterResult(facts.quarter, tuple(lines) + section.lines, {**state, **section.carried})
