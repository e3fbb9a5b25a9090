"""The power-supply rule plugin: the 业扩报装 deadlines of 电力大客户用电管理制度 (002/DL 第二节) with the
roles of 公司大客户管理 (a supply company's big-customer flow) — docs/rules.md §14."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kamkit.deadline_sheet import known_by
from kamkit.deadlines import OPEN, OVERDUE, Due, dues
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

from . import deadline_rules, sheet
from .deadline_rules import (
    CONNECTION_OFFICER,
    DEADLINES,
    MANAGER,
    MARKETING,
    METERING,
    SUPPLY_CLERK,
    TICKET_CLAUSE,
    counted,
)
from .sheet import SUMMARY

ROLES_CLAUSE = "002/DL §第二节2"
NO_TIERS = "rules §14.1"

CLAUSES = {
    **ESCALATION_CLAUSES,
    NO_TIERS: Clause(
        "14.1",
        "No opportunity scheme: every opportunity is the supply clerk's, with no follow-up cadence and "
        "no bulletin.",
    ),
    ROLES_CLAUSE: Clause(
        "14.1",
        "The supply office's connection clerk takes the application and passes it to the customer-"
        "service centre's connection officer, who settles the scheme with marketing.",
    ),
    DEADLINES: Clause(
        "14.2, 14.3",
        "Scheme answered within 20 working days (high-voltage single source) or 30 (dual source) of "
        "acceptance, passed on within 5; scheme valid 1 year (HV) or 3 months (LV); extension asked "
        "10 days before expiry, at most one validity period.",
    ),
    TICKET_CLAUSE: Clause(
        "14.4", "The metering office returns the meter-installation ticket within 5 days of installing."
    ),
    SUMMARY: Clause(
        "14.5",
        "Each case handler's deadlines met of those falling due in the month; a missed deadline is "
        "stated, docked 0 points unless the organisation sets some.",
    ),
}


class PowerSupplyPlugin(RulePlugin):
    key = "power-supply"
    version = "1"
    names = Names("供电企业大客户业扩报装期限", "Power supply: big-customer connection deadlines")
    roles = {
        SUPPLY_CLERK: Names("供电所业扩员", "supply-office connection clerk"),
        CONNECTION_OFFICER: Names("客户服务中心业扩专责", "customer-service centre connection officer"),
        MARKETING: Names("市场营销部", "marketing department"),
        MANAGER: Names("供电公司分管领导", "supply company's manager in charge"),
        METERING: Names("计量所", "metering office"),
    }
    # 第二节2-3: the clerk passes the application up to the connection officer, who works with
    # marketing; the company's manager in charge is above them [reading, fixed in code]. The metering
    # office is a department beside this line, not a rung of it.
    ladder = (SUPPLY_CLERK, CONNECTION_OFFICER, MARKETING, MANAGER)
    grades = ()  # the scheme has no grades
    tiers = (Tier("connection", Names("业扩报装", "new connection"), SUPPLY_CLERK, None, NO_TIERS),)
    parameters = ESCALATION_PARAMS + deadline_rules.PARAMS
    clauses = CLAUSES
    # What escalation watches, with the default parameters; an instance holds its own, and the rules
    # its sheet states (sheet_rules: the extensions too, stated once asked).
    deadlines = deadline_rules.watched({p.name: p.default for p in deadline_rules.PARAMS})

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        super().__init__(overrides)
        self.sheet_rules = deadline_rules.rules(self.params)
        self.deadlines = deadline_rules.watched(self.params)

    def classify(self, opportunity: Opportunity) -> Classification:
        return untiered(
            self.tiers[0],
            opportunity,
            "用电管理制度不涉及商机分级：由供电所业扩员负责，无跟进周期，不进周报",
            "the supply rules have no opportunity tiers: the supply clerk's, no follow-up cadence, "
            "not in the bulletin",
        )

    def assess_month(self, facts: Facts) -> MonthResult:
        return MonthResult(facts.month, sheet.month_lines(facts, self.params, self.sheet_rules))

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """No pay: the seed prints none."""
        return QuarterResult(facts.quarter, (), {})

    def deadline_rungs(self, owner_role: str | None, days_late: int) -> list[tuple[int, str]]:
        """An overdue meter ticket climbs from the clerk's rung: the metering office is beside the
        ladder, and the connection officer who asked for the ticket is the first to chase it."""
        return super().deadline_rungs(SUPPLY_CLERK if owner_role == METERING else owner_role, days_late)

    def open_deadlines(self, facts: Facts, as_of: date) -> list[Due]:
        """What escalation should watch on a day: every deadline with a step to do, not done by then,
        that is owed (kamkit.deadlines.open_deadlines, less the extensions nobody asked for)."""
        known = known_by(facts, as_of)
        return [
            d
            for d in dues(known, self.sheet_rules, self.params, as_of=as_of)
            if d.rule.end and d.state in (OPEN, OVERDUE) and counted(d, self.params)
        ]
