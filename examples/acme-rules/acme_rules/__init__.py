"""ACME's own rules: one threshold, a flat penalty per missed report, a flat commission.

Deliberately different from every built-in plugin so a test can tell which one ran. Written the
way docs/plugins.md teaches: everything comes from ``kamkit``, nothing from the services.
"""

from decimal import Decimal

from kamkit import (
    CNY,
    ESCALATION_CLAUSES,
    ESCALATION_PARAMS,
    POINTS,
    Classification,
    Clause,
    Line,
    MonthResult,
    Names,
    Param,
    QuarterResult,
    RulePlugin,
)


class AcmeFlatPlugin(RulePlugin):
    key = "acme-flat"
    version = "1.0.0"
    names = Names("ACME 统一规则", "ACME flat rules")
    roles = {"account_manager": Names("销售", "seller"), "branch_manager": Names("经理", "manager")}
    ladder = ("account_manager", "branch_manager")
    parameters = ESCALATION_PARAMS + (
        Param("big_deal", Decimal("100000"), "money", "ACME §1", "Amount from which a deal is big."),
        Param("missed_points", Decimal("3"), "points", "ACME §2", "Points per missed report."),
        Param("rate", Decimal("0.03"), "rate", "ACME §3", "Flat commission rate on deal price."),
    )
    clauses = {
        "ACME §1": Clause("-", "Big deals are owned by the manager."),
        "ACME §2": Clause("-", "Each missed report costs the seller flat points."),
        "ACME §3": Clause("-", "Commission is a flat rate on every deal."),
        # the suite's clause follow_up_days and escalation_step_days cite (docs/rules.md §1.3)
        **ESCALATION_CLAUSES,
    }

    def classify(self, opportunity):
        big = opportunity.amount >= self.params["big_deal"]
        return Classification(
            opportunity.id,
            "big" if big else "small",
            "branch_manager" if big else "account_manager",
            None,
            7,
            big,
            "ACME §1",
            "大单" if big else "小单",
            "big" if big else "small",
            {"amount": opportunity.amount, "big_deal": self.params["big_deal"]},
        )

    def assess_month(self, facts):
        lines = tuple(
            Line(
                o.account_manager,
                "account_manager",
                self.params["missed_points"],
                POINTS,
                "missed_report",
                "ACME §2",
                "漏报",
                "missed report",
                {"opportunity": o.id, "points": self.params["missed_points"]},
            )
            for o in facts.opportunities
            if o.origin == "audit" and o.account_manager and facts.month.contains(o.discovered)
        )
        return MonthResult(facts.month, lines)

    def commission_quarter(self, facts, carried=None):
        lines = tuple(
            Line(
                d.seller,
                "account_manager",
                d.deal_price * self.params["rate"],
                CNY,
                "commission",
                "ACME §3",
                "统一提成",
                "flat commission",
                {"deal": d.id, "deal_price": d.deal_price, "rate": self.params["rate"]},
            )
            for d in facts.deals
            if facts.quarter.contains(d.date)
        )
        # carried state: deal prices to date, so a test can see a later quarter built on it; kept as a
        # string because carried state is stored as JSON between quarters
        to_date = Decimal((carried or {}).get("deals_to_date", "0")) + sum(
            (d.deal_price for d in facts.deals if facts.quarter.contains(d.date)), Decimal(0)
        )
        return QuarterResult(facts.quarter, lines, {**(carried or {}), "deals_to_date": str(to_date)})
