"""The railway rule plugin: 大客户运输服务管理办法 (002/TL), big-customer qualification (第五、六条) and
the year's volume (第七–十一条) — docs/rules.md §15."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kamkit.activity import Window
from kamkit.deadline_sheet import known_by, month_deadlines, summaries
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

from . import annual_volume, qualification
from .annual_volume import BUREAU, MINISTRY, datable

MANAGER = "account_manager"
NO_TIERS = "rules §15.3"  # also the sheet's summary

CLAUSES = {
    **ESCALATION_CLAUSES,
    NO_TIERS: Clause(
        "15.3",
        "No opportunity scheme: every opportunity is the big-customer manager's, with no follow-up "
        "cadence and no bulletin; the month's sheet states deadlines, qualifications and each "
        "person's deadlines met; no pay.",
    ),
    qualification.CONDITIONS_CLAUSE: Clause(
        "15.1",
        "A big customer meets all six conditions, among them a year's volume of 1,000,000 t or more at "
        "one station, or freight of 100,000,000 yuan or more.",
    ),
    qualification.PATH_CLAUSE: Clause(
        "15.1",
        "The bureau verifies the application and reports it; the ministry approves, then issues the "
        "certificate.",
    ),
    annual_volume.ONCE_A_YEAR: Clause(
        "15.2",
        "The year's volume is fixed once a year, in force when customer, bureau and ministry have signed.",
    ),
    annual_volume.SUBMIT: Clause(
        "15.2", "The customer submits the volume form by early December (10 December)."
    ),
    annual_volume.BUREAU_CLAUSE: Clause(
        "15.2", "The bureau signs and reports it to the ministry by mid-December (20 December)."
    ),
    annual_volume.MINISTRY_CLAUSE: Clause("15.2", "The ministry signs it by the end of December."),
}


class RailwayPlugin(RulePlugin):
    key = "railway"
    version = "1"
    names = Names("铁路大客户运输服务", "Railway big-customer transport service")
    roles = {
        MANAGER: Names("铁路局大客户经理", "bureau big-customer manager"),
        BUREAU: Names("铁路局货运营销部门", "railway bureau (freight marketing)"),
        MINISTRY: Names("铁道部", "Ministry of Railways"),
    }
    # 第四条 统一领导、分级负责; 第六条 the bureau reports to the ministry [reading, fixed in code]
    ladder = (MANAGER, BUREAU, MINISTRY)
    grades = ()  # the scheme has no grades
    tiers = (Tier("big_customer", Names("铁路大客户", "railway big customer"), MANAGER, None, NO_TIERS),)
    parameters = ESCALATION_PARAMS + qualification.PARAMS + annual_volume.PARAMS
    clauses = CLAUSES
    deadlines = annual_volume.RULES

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        super().__init__(overrides)
        annual_volume.check_days(self.params)

    def classify(self, opportunity: Opportunity) -> Classification:
        return untiered(
            self.tiers[0],
            opportunity,
            "运输服务管理办法不涉及商机分级：由大客户经理负责，无跟进周期，不进周报",
            "the transport rules have no opportunity tiers: the big-customer manager's, no follow-up "
            "cadence, not in the bulletin",
        )

    def assess_month(self, facts: Facts) -> MonthResult:
        """The deadlines falling due in the month, then the qualification and volume findings of the
        cases as they stood at its end."""
        window = Window.of(facts.month)
        roles = {p.id: p.role for p in facts.people}
        stated = month_deadlines(datable(facts), window, self.deadlines, self.params, roles=roles)
        cases = known_by(facts, window.last).cases
        found = [line for c in cases for line in qualification.findings(c, window, self.params, roles)]
        volumes = list(annual_volume.findings(cases, window, roles))
        # each big-customer manager, and anyone else handling a case, in roster order
        handlers = {c.person for c in cases}
        people = [p.id for p in facts.people if p.role == MANAGER or p.id in handlers]
        what = Names("年运量期限", "year-volume deadlines")
        summary = summaries(people, stated.fell_due, roles, clause=NO_TIERS, what=what, month=window.label)
        return MonthResult(facts.month, stated.lines + found + volumes + summary)

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """No pay: the seed prints none."""
        return QuarterResult(facts.quarter, (), {})

    def open_deadlines(self, facts: Facts, as_of: date) -> list[Due]:
        """What escalation should watch on a day: each volume step not done by then, of the cases
        whose year is recorded."""
        return [
            d
            for d in dues(known_by(datable(facts), as_of), self.deadlines, self.params, as_of=as_of)
            if d.state in (OPEN, OVERDUE)
        ]
