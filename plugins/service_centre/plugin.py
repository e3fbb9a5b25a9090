"""The service-centre and call-centre plugins: the KPI tables of 客服中心绩效考核指标 (002/KFZX,
002/HJZX) — docs/rules.md §11. Each month's and quarter's sheet is the table's indicators for every
agent and the department, counted from the records (kamkit.service_indicators); the year's come
with the year's close. The seed prints formulas, periods and sources only: no standard, no score,
no pay, so the figures are shown and judged only against standards an organisation sets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from kamkit.facts import Facts, Opportunity
from kamkit.indicators import INDICATOR_CLAUSES, indicator_params
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
from kamkit.sections import month_indicators, quarter_indicators
from kamkit.service_indicators import CALLS, CENTRE

OWN = "rules §11.3"
CLAUSES = {
    **ESCALATION_CLAUSES,
    **INDICATOR_CLAUSES,
    OWN: Clause("11.3", "A service line has no opportunity tiers, standards, scores or pay of its own."),
}


class _TablePlugin(RulePlugin):
    """A line whose sheets are one KPI table: indicators only."""

    agent: ClassVar[str]  # the role measured per person
    clauses = CLAUSES
    grades = ()

    def classify(self, opportunity: Opportunity) -> Classification:
        """No opportunity scheme: an opportunity is its agent's, with no cadence and no bulletin."""
        return untiered(
            self.tiers[0],
            opportunity,
            "客服指标表不涉及商机分级",
            "a service KPI table has no opportunity tiers",
        )

    def assess_month(self, facts: Facts) -> MonthResult:
        return MonthResult(facts.month, month_indicators(facts, self.params))

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """The quarter's indicators; no pay (the tables print none)."""
        section = quarter_indicators(facts, self.params, carried)
        return QuarterResult(facts.quarter, section.lines, dict(section.carried))


class ServiceCentrePlugin(_TablePlugin):
    key = "service-centre"
    version = "1.0.0"
    names = Names("客服部关键绩效考核指标", "Customer-service department KPIs")
    agent = "service_agent"
    roles = {
        "service_agent": Names("客服专员", "Service agent"),
        "service_manager": Names("客服部经理", "Service manager"),
        "director": Names("分管领导", "Director"),
    }
    ladder = ("service_agent", "service_manager", "director")
    parameters = (
        *ESCALATION_PARAMS,
        *indicator_params(default_set=CENTRE, sales_basis="deals", roles=["service_agent"]),
    )
    tiers = (Tier("service", Names("服务", "Service"), "service_agent", None, OWN),)


class CallCentrePlugin(_TablePlugin):
    key = "call-centre"
    version = "1.0.0"
    names = Names("400呼叫中心关键绩效考核指标", "400 call-centre KPIs")
    agent = "call_agent"
    roles = {
        "call_agent": Names("话务员", "Call agent"),
        "call_centre_manager": Names("呼叫中心经理", "Call-centre manager"),
        "director": Names("分管领导", "Director"),
    }
    ladder = ("call_agent", "call_centre_manager", "director")
    parameters = (
        *ESCALATION_PARAMS,
        *indicator_params(default_set=CALLS, sales_basis="deals", roles=["call_agent"]),
    )
    tiers = (Tier("service", Names("服务", "Service"), "call_agent", None, OWN),)
