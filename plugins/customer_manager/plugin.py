"""The customer-manager scorecard plugin: 客户经理绩效考核方案 (seed 002, 002/KHJL) —
docs/rules.md §12. Quarterly and yearly scorecards of measured and rated items, rated by managers,
the person and customers inside the assessment window; no pay (the scheme prints none)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kamkit.activity import Window
from kamkit.appraisal import form_lines
from kamkit.facts import Facts, Opportunity
from kamkit.params import Param
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

from .form import FORM, KHJL, carried_rates

CLAUSES = {
    **ESCALATION_CLAUSES,
    "rules §1.3": Clause("1.3", "An overdue follow-up climbs one rung of the ladder per overdue step."),
    f"{KHJL} 二": Clause(
        "12.1", "Raters: managers and assessors, the person, customers; no weights printed."
    ),
    f"{KHJL} 三": Clause(
        "12.1",
        "Quarterly scorecard, assessed days 1-10 of the next quarter's first month; yearly, 1-10 January.",
    ),
    f"{KHJL} 四": Clause("12.2", "The scorecard's rows: weights, full marks and scoring standards."),
    "rules §12.3": Clause(
        "12.3", "The suite's readings: missing weights, starting scores, caps, partial steps."
    ),
}


def _map(value: dict) -> dict:
    return {k: Decimal(str(v)) for k, v in value.items()}


PARAMETERS = (
    *ESCALATION_PARAMS,
    Param(
        "rater_weights",
        _map({"manager": "0.6", "self": "0.1", "customer": "0.3"}),
        "map",
        f"{KHJL} 二",
        "Weight of each rater kind in a rated item (managers and assessors are the main subject, 为主体); "
        "the seed prints no weights. A kind that did not rate leaves its weight to the others.",
        "default",
    ),
    Param(
        "window_first_day",
        1,
        "int",
        f"{KHJL} 三",
        "First day of the assessment window (下一季度第一个月的1日).",
        "seed",
        minimum=1,
    ),
    Param(
        "window_last_day",
        10,
        "int",
        f"{KHJL} 三",
        "Last day of the assessment window (…10日).",
        "seed",
        minimum=1,
    ),
    Param(
        "yearly_assessment",
        True,
        "bool",
        f"{KHJL} 三",
        "Whether customer managers have a yearly scorecard too. The yearly clause names 销售部经理 (the "
        "sales-department manager), apparently copied from a template; read as the document's subject.",
        "reading",
    ),
    Param(
        "plan_completion_rule",
        _map(
            {"standard": 1, "step": "0.05", "at_standard": 20, "down": 2, "up": 2, "full": 25, "partial": 0}
        ),
        "map",
        f"{KHJL} 四",
        "客服工作计划完成率: 20 at exactly 100%, -2 per whole 5% below, +2 per whole 5% above, within 0..25 "
        "(the cap at the full mark and whole steps are readings: partial 1 counts part steps pro rata).",
        "seed",
    ),
    Param(
        "standard_execution_rule",
        _map({"base": 0, "per_point": "0.5", "full": 20}),
        "map",
        f"{KHJL} 四",
        "客服标准有效执行率: +0.5 per percentage point of growth against the period before, no deduction "
        "for a fall, up to 20. The seed prints no starting score: base 0 [reading] (full 20 at +40 pp).",
        "reading",
    ),
    Param(
        "new_customer_rule",
        _map({"start": 0, "per_unit": 2, "full": 15}),
        "map",
        f"{KHJL} 四",
        "新客户开发: +2 per new customer in the period from 0, up to the full 15 (the cap is a reading).",
        "seed",
    ),
    Param(
        "sales_rule_rule",
        _map({"start": 3, "per_unit": "-0.5", "full": 3}),
        "map",
        f"{KHJL} 四",
        "销售制度执行: full 3, -0.5 a violation, not below 0.",
        "seed",
    ),
    Param(
        "teamwork_rule",
        _map({"start": 5, "per_unit": -2, "full": 5}),
        "map",
        f"{KHJL} 四",
        "团队协作: full 5, -2 an incident affecting the team's work, not below 0.",
        "seed",
    ),
    Param(
        "attendance_rule",
        _map({"start": 2, "per_unit": "-0.5", "full": 2, "zero_above": 3}),
        "map",
        f"{KHJL} 四",
        "员工出勤率: full 2, -0.5 a late arrival (3 or fewer), 0 above 3 in the quarter.",
        "seed",
    ),
    Param(
        "absence_counts_as_late",
        True,
        "bool",
        f"{KHJL} 四",
        "Whether an absence counts as a late arrival: full marks need 100% attendance (出勤率达到100%) "
        "but the seed prices only late arrivals.",
        "reading",
    ),
    Param(
        "conduct_rule",
        _map({"start": 2, "per_unit": "-0.5", "full": 2}),
        "map",
        f"{KHJL} 四",
        "日常行为规范: full 2, -0.5 a breach, not below 0.",
        "seed",
    ),
    Param(
        "rated_full",
        _map({"knowledge": 5, "judgement": 5, "communication": 5, "adaptability": 5, "responsibility": 5}),
        "map",
        f"{KHJL} 四",
        "Full mark of each rated row (5 each as printed; 责任感's levels are cut off in the seed).",
        "seed",
    ),
    Param(
        "service_plan_kind",
        "service",
        "text",
        "rules §12.3",
        "The work-plan kind that is the 客服工作计划 measured by plan completion.",
        "default",
    ),
)


class CustomerManagerPlugin(RulePlugin):
    key = "customer-manager"
    version = "1.0.0"
    names = Names("客户经理绩效考核方案", "Customer-manager scorecard")
    roles = {
        "account_manager": Names("客户经理", "Customer manager"),
        "sales_manager": Names("销售管理人员", "Sales manager"),
        "department_head": Names("部门负责人", "Department head"),
    }
    ladder = ("account_manager", "sales_manager", "department_head")
    parameters = PARAMETERS
    clauses = CLAUSES
    tiers = (Tier("customer", Names("客户", "Customer"), "account_manager", None, "rules §12.3"),)

    def classify(self, opportunity: Opportunity) -> Classification:
        """The scheme has no opportunity rules: every opportunity is the customer manager's, with no
        follow-up cadence and no bulletin."""
        return untiered(
            self.tiers[0],
            opportunity,
            "客户经理绩效考核方案不涉及商机分级",
            "the scorecard scheme has no opportunity tiers",
        )

    def assess_month(self, facts: Facts) -> MonthResult:
        """No monthly sheet: the scheme assesses quarters and years."""
        return MonthResult(facts.month, ())

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """The quarter's scorecard of every customer manager; in the fourth quarter the year's too
        (assessed in the same January window). No pay: the scheme prints none."""
        facts = _with_carried(facts, carried)
        people = facts.with_role("account_manager")
        quarter = Window.of(facts.quarter)
        lines = form_lines(FORM, facts, quarter, self.params, people)
        year = Window.of(facts.quarter.year)
        state = {"execution_rate": carried_rates(facts, quarter)}
        if facts.quarter.q == 4 and self.params["yearly_assessment"]:
            year_facts = _with_carried(facts, {"execution_rate": (carried or {}).get("year_rate") or {}})
            lines += form_lines(FORM, year_facts, year, self.params, people)
            state["year_rate"] = carried_rates(facts, year)
        else:
            state["year_rate"] = dict((carried or {}).get("year_rate") or {})
        return QuarterResult(facts.quarter, tuple(lines), state)


def _with_carried(facts: Facts, carried: Mapping[str, Any] | None) -> Facts:
    from dataclasses import replace

    return replace(facts, carried={**facts.carried, **(carried or {})})
