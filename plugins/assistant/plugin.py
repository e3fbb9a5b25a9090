"""The assistant rule plugin: 市场部大客户经理助理岗位调整方案 (002/ZL) of a bottled-water business —
docs/rules.md §16. Pay is earned and stated month by month."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamkit.explain import Line
from kamkit.facts import Facts, Opportunity, Person
from kamkit.periods import Month
from kamkit.plugin import (
    ESCALATION_PARAMS,
    Classification,
    MonthResult,
    Names,
    QuarterResult,
    RulePlugin,
    Tier,
    untiered,
)

from . import fixed_pay, sales, service
from .clauses import CLAUSES, NO_TIERS
from .params import PARAMS, checked
from .roles import ASSISTANT, KEY_ACCOUNT_MANAGER, LADDER, ROLES

UNTIERED = Tier("untiered", Names("不分级", "not tiered"), KEY_ACCOUNT_MANAGER, None, NO_TIERS)


def paid_in(person: Person, month: Month) -> bool:
    """An assistant is paid for a month they had joined by its last day (no start_date: on file
    before the month)."""
    return person.role == ASSISTANT and (person.start_date is None or person.start_date <= month.last_day)


class AssistantPlugin(RulePlugin):
    key = "kam-assistant"
    version = "1.0.0"
    names = Names("大客户经理助理薪酬", "Key-account manager's assistant pay")
    roles = ROLES
    ladder = LADDER
    parameters = ESCALATION_PARAMS + PARAMS
    clauses = CLAUSES
    tiers = (UNTIERED,)
    grades = ()
    pay_every = "month"  # 002/ZL 二: every part is a month's (工龄奖x元/月; 每个月 standards)

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        super().__init__(overrides)
        self.params = checked(self.params)

    def classify(self, opportunity: Opportunity) -> Classification:
        """002/ZL has no opportunity scheme: every opportunity is the one untiered tier, with no
        cadence and no bulletin."""
        return untiered(
            UNTIERED,
            opportunity,
            "本方案不对商机分级，无跟进周期",
            "this scheme sets no opportunity tiers and no follow-up cadence",
        )

    def _assistants(self, facts: Facts, month: Month) -> list[Person]:
        return sorted((x for x in facts.people if paid_in(x, month)), key=lambda x: x.id)

    def assess_month(self, facts: Facts) -> MonthResult:
        """The assessment table of the month (考核表): the target and M, dispensers and barrels
        against their standards — shown, not paid."""
        month, p = facts.month, self.params
        lines: list[Line] = []
        for person in self._assistants(facts, month):
            lines += sales.sheet_lines(facts, person, month, p)
            lines += service.sheet_lines(facts, person, month, p)
        return MonthResult(month, lines)

    def commission_month(self, facts: Facts) -> MonthResult:
        """Each assistant's month, part by part: base, lunch, full attendance, seniority, pension,
        sales bonus, service bonus, cleaning extra, delivery extra."""
        month, p = facts.month, self.params
        lines: list[Line] = []
        for person in self._assistants(facts, month):
            lines += fixed_pay.fixed_lines(facts, person, month, p)
            lines.append(sales.sales_line(facts, person, month, p))
            lines += service.service_lines(facts, person, month, p)
        return MonthResult(month, lines)

    def quarter_section(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        # the quarter adds nothing to its months, and nothing in the scheme spans a month: the
        # carried state is handed on as it came
        return QuarterResult(facts.quarter, (), dict(carried or {}))

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        return self.months_and_section(facts, carried)
