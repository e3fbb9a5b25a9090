"""The banking rule plugin: XX银行贷款业务绩效考核办法 (002/LOAN) with the customer-manager
scheme of 兴业银行客户经理绩效考核实施办法 (002/CIB) — docs/rules.md §3."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kamkit.explain import Line
from kamkit.facts import Facts, Opportunity
from kamkit.indicators import ALL_INDICATORS, INDICATOR_CLAUSES, indicator_params
from kamkit.plugin import (
    ESCALATION_CLAUSES,
    ESCALATION_PARAMS,
    Classification,
    Clause,
    MonthResult,
    Names,
    QuarterResult,
    RulePlugin,
)
from kamkit.sections import month_indicators, quarter_indicators

from . import grades, indicators, pay_parts, piece_rate, tiers
from .grades import GRADES
from .tiers import DECLARED as DECLARED_TIERS

CLAUSES = {
    **INDICATOR_CLAUSES,
    "rules §8": ESCALATION_CLAUSES["rules §8"],
    "rules §1.3": Clause(
        "1.3",
        "An owner with no follow-up for 7 days escalates one rung up the ladder per further overdue week.",
    ),
    "rules §3.2": Clause(
        "3.2",
        "Loan tiers: micro < 50,000 (any grade); small < 500,000 (junior or above); "
        "medium < 2,000,000 (senior customer manager); large (sub-branch head).",
    ),
    "rules §3.3": Clause(
        "3.3",
        "The suite's default rule, not the seed's (002/LOAN §二 prints the overdue rate as an indicator "
        "only and docks nothing): overdue rate above the grade's limit: 2 points per started 0.5 pp; "
        "missed loan opportunities >= 500,000: 5 to the customer manager, 3 to the tier's owner.",
    ),
    "002/LOAN §二": Clause(
        "3.3",
        "Indicators: loans issued this month, new balance, balance, interest recovered, "
        "overdue rate, average balance per borrower.",
    ),
    "002/LOAN §三1": Clause("3.1", "Assistant: under 6 months of credit work."),
    "002/LOAN §三2": Clause(
        "3.1", "Junior: over 6 months, >= 30 loans handled, overdue rate <= 1% at month end."
    ),
    "002/LOAN §三3": Clause(
        "3.1", "Intermediate: junior >= 1 year, >= 50 loans managed, 3-month average overdue rate <= 1.5%."
    ),
    "002/LOAN §三4": Clause(
        "3.1", "Senior: intermediate >= 1 year, >= 70 loans managed, 3-month average overdue rate <= 1.5%."
    ),
    "002/LOAN §四": Clause("3.1", "Monthly base pay by grade: 1,800 / 2,200 / 2,700 / 3,500."),
    "002/LOAN §五(一)": Clause(
        "3.4", "Referrer reward per loan issued: 30 / 50 / 80 / 100 / 150 by amount band."
    ),
    "002/LOAN §五(二)1": Clause(
        "3.4",
        "Loans-issued pay, progressive by the month's count (1-2 loans: 30 each); "
        "renewals, merged loans and extensions count 0.5.",
    ),
    "002/LOAN §五(二)2": Clause(
        "3.5",
        "New-balance pay: the bank's rate table (new_balance_rates) band by band on the month's new "
        "balance; the seed prints no rate: until set, stated as not configured.",
    ),
    "002/LOAN §五(二)3": Clause(
        "3.5",
        "Balance-maintained pay: the bank's rate table (balance_rates) band by band on the month-end "
        "balance; the seed prints no rate: until set, stated as not configured.",
    ),
    "002/LOAN §五(二)4": Clause(
        "3.5",
        "Loan-quality pay: the bank's table (quality_rates) by the month-end overdue rate; the seed "
        "prints no rate: until set, stated as not configured.",
    ),
    "002/LOAN §五(二)5": Clause(
        "3.5",
        "Per-borrower pay: the bank's table (average_rates) by the average loan per borrower; the seed "
        "prints no rate: until set, stated as not configured.",
    ),
    "002/CIB §第五条": Clause(
        "3.1, 3.2",
        "Customer managers are assessed by the city-branch CM board "
        "(市分行客户经理领导小组), the top of the ladder.",
    ),
    "002/CIB §第七条": Clause(
        "3.2",
        "Customer managers are graded; senior customer managers (高级客户经理) "
        "are the deputy_manager role that owns medium loans.",
    ),
}


def ordered(lines: Iterable[Line]) -> tuple[Line, ...]:
    """Deterministic order: person, clause, month, the record's id, kind."""

    def key(l: Line):
        i = l.inputs
        return (
            l.person,
            l.clause,
            str(i.get("month", "")),
            str(i.get("opportunity") or i.get("loan") or ""),
            l.kind,
        )

    return tuple(sorted(lines, key=key))


class BankingPlugin(RulePlugin):
    key = "banking"
    # 1.1.0: §五(二) parts 2-5 (docs/rules.md §3.5); 1.2.0: the points lines say they are the
    # suite's default rule, money in the piece-rate reasons as reported (15.00, not 15.0)
    version = "1.2.0"
    names = Names("信贷客户经理考核（银行）", "Bank credit customer managers")

    roles = {
        "account_manager": Names("客户经理", "customer manager"),
        "deputy_manager": Names("高级客户经理", "senior customer manager"),
        "branch_manager": Names("支行行长", "sub-branch head"),
        "city_admin": Names("市分行客户经理领导小组", "city-branch CM board"),
        # 002/LOAN §一: the rules also assess whoever refers a loan (paid per §五(一))
        "referrer": Names("贷款业务推荐人", "loan referrer"),
    }
    ladder = tiers.LADDER
    parameters = (
        ESCALATION_PARAMS
        + tiers.PARAMS
        + grades.PARAMS
        + indicators.PARAMS
        + piece_rate.PARAMS
        + pay_parts.PARAMS
        # docs/rules.md §6: the big-customer indicators, sales measured by the loans issued
        + indicator_params(default_set=ALL_INDICATORS, sales_basis="loans", roles=["account_manager"])
    )
    tiers = DECLARED_TIERS
    grades = GRADES  # 002/LOAN §三's four grades; the CIB ladder (four ranks, six grades) is `bank-grades`
    clauses = CLAUSES

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        super().__init__(overrides)
        # A map override (base_pay, overdue_limit, loan_weights) changes the keys it names and keeps
        # the others, so overriding one grade's pay cannot silently drop another's.
        defaults = {p.name: p.default for p in self.parameters if p.kind == "map"}
        self.params = {**self.params, **{k: {**d, **self.params[k]} for k, d in defaults.items()}}
        pay_parts.check_tables(self.params)  # a rate table a part cannot read is refused, named

    def classify(self, opportunity: Opportunity) -> Classification:
        return tiers.classify(opportunity, self.params)

    def assess_month(self, facts: Facts) -> MonthResult:
        p = self.params
        lines = (
            grades.findings(facts, p)
            + indicators.indicator_lines(facts)
            + indicators.overdue_points(facts, p)
            + indicators.missed_points(facts, p)
        )
        return MonthResult(facts.month, ordered(lines) + month_indicators(facts, p))

    pay_every = "month"  # 002/LOAN §四, §五: base pay and piece rates of the month

    def commission_month(self, facts: Facts) -> MonthResult:
        month, p = facts.month, self.params
        lines = piece_rate.month_lines(facts, month, p) + pay_parts.month_lines(facts, month, p)
        return MonthResult(month, ordered(lines))

    def quarter_section(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        # nothing carries between quarters but the indicators' sales (the next growth rate)
        section = quarter_indicators(facts, self.params, carried)
        return QuarterResult(facts.quarter, section.lines, {**(carried or {}), **section.carried})

    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        return self.months_and_section(facts, carried)
