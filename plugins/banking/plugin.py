"""The banking rule plugin: XX银行贷款业务绩效考核办法 and the CM grades (seed 002, RULES.md §3)."""
from __future__ import annotations

from shared.plugin import Clause, MonthResult, Names, QuarterResult, RulePlugin

from . import grades, indicators, piece_rate, tiers
from .params import PARAMETERS

CLAUSES = {
    "RULES §1.3": Clause("3.2", "Weekly follow-up and escalation as in 1.3."),
    "RULES §3.2": Clause("3.2", "micro < 50,000; small < 500,000 (junior+); medium < 2,000,000 (senior CM); large."),
    "RULES §3.3": Clause("3.3", "Overdue rate above the grade's limit: 2 points per started 0.5 pp; missed loan "
                                "opportunities >= 500,000: 5 to the CM, 3 to the tier's owner."),
    "002/LOAN §二": Clause("3.3", "Indicators: loans issued, new balance, balance, interest, overdue rate, per borrower."),
    "002/LOAN §三1": Clause("3.1", "Assistant: under 6 months of credit work."),
    "002/LOAN §三2": Clause("3.1", "Junior: over 6 months, >= 30 loans handled, overdue <= 1% last month end."),
    "002/LOAN §三3": Clause("3.1", "Intermediate: junior >= 1 year, >= 50 loans managed, 3-month overdue <= 1.5%."),
    "002/LOAN §三4": Clause("3.1", "Senior: intermediate >= 1 year, >= 70 loans managed, 3-month overdue <= 1.5%."),
    "002/LOAN §四": Clause("3.1", "Base pay by grade: 1,800 / 2,200 / 2,700 / 3,500."),
    "002/LOAN §五(一)": Clause("3.4", "Referrer reward per loan: 30 / 50 / 80 / 100 / 150 by amount."),
    "002/LOAN §五(二)1": Clause("3.4", "Loans-issued pay, progressive by the month's count; re-issues count 0.5."),
}


class BankingPlugin(RulePlugin):
    key = "banking"
    version = "1.0.0"
    names = Names("信贷客户经理考核（银行）", "Bank credit customer managers")
    roles = {
        "account_manager": Names("客户经理", "customer manager"),
        "deputy_manager": Names("高级客户经理", "senior customer manager"),
        "branch_manager": Names("支行行长", "sub-branch head"),
        "city_admin": Names("市分行客户经理领导小组", "city-branch CM board"),
        "referrer": Names("贷款业务推荐人", "loan referrer"),
    }
    ladder = tiers.LADDER
    parameters = PARAMETERS
    clauses = CLAUSES

    def classify(self, opportunity):
        return tiers.classify(opportunity, self.params)

    def assess_month(self, facts) -> MonthResult:
        lines = (grades.findings(facts, self.params) + indicators.indicator_lines(facts)
                 + indicators.overdue_points(facts, self.params) + indicators.missed_points(facts, self.params))
        return MonthResult(facts.month, tuple(sorted(lines, key=lambda l: (l.person, l.clause, l.kind))))

    def commission_quarter(self, facts, carried=None) -> QuarterResult:
        # Piece-rate pay is monthly: nothing carries between quarters.
        return QuarterResult(facts.quarter, tuple(piece_rate.quarter(facts, self.params)), dict(carried or {}))
