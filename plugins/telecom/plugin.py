"""The telecom rule plugin: seed 000 商机管理应对办法, with seed 003's commission (docs/rules.md §1)."""

from __future__ import annotations

from kamkit.indicators import INDICATOR_CLAUSES
from kamkit.kpi import KPI_CLAUSES
from kamkit.plugin import (
    ESCALATION_CLAUSES,
    Classification,
    Clause,
    MonthResult,
    Names,
    QuarterResult,
    RulePlugin,
)
from kamkit.sections import month_indicators, quarter_indicators
from kamkit.targets import TARGET_CLAUSES

from . import commission, penalties, tiers
from .params import PARAMETERS
from .tiers import DECLARED as DECLARED_TIERS

CLAUSES = {
    **INDICATOR_CLAUSES,
    **TARGET_CLAUSES,
    **KPI_CLAUSES,
    "000 §(一)1": Clause(
        "1.1, 1.2",
        "Opportunities of 10,000-20,000 are recorded by the entry admin; each "
        "account manager enters >= 1 local, each branch >= 1 citywide (urban 2) a month.",
    ),
    "000 §(一)2": Clause(
        "1.1", "20,000-50,000: ordinary, confirmed by the centre director, weekly follow-up."
    ),
    "000 §(一)3": Clause(
        "1.1", "50,000-200,000: important, owned by the deputy branch manager, weekly follow-up."
    ),
    "000 §(一)4": Clause("1.1", ">= 200,000: major, owned by the branch manager, weekly follow-up."),
    "000 §(一)5": Clause("1.1", "The weekly bulletin covers every opportunity >= 20,000 or >= 5 lines."),
    "rules §1.3": Clause("1.3", "Overdue follow-ups escalate one rung up the ladder per overdue week."),
    "rules §8": ESCALATION_CLAUSES["rules §8"],
    "rules §1.4": Clause(
        "1.4", "A missed report: found by the city audit, or entered > 7 days after discovery."
    ),
    "000 §(三)(一)1": Clause(
        "1.4",
        "Missed report under 50,000 and < 5 lines: BM 1/Dir 2/AM 2 below 20,000, "
        "BM 3/Dir 4/AM 4 from 20,000.",
    ),
    "000 §(三)(一)2": Clause(
        "1.4",
        "Missed report >= 50,000 or >= 5 lines: BM 5, Dir 10, AM 10 (the band's edges are the suite's "
        "reading of contradictory text, missed_band_edges; 'printed': from 20,000).",
    ),
    "000 §(三)(一)3": Clause(
        "1.4", "A missed report that let a competitor buy single-source: BM 5, Dir 10, AM 10 more."
    ),
    "000 §(三)(一)4": Clause(
        "1.4",
        "Entry quota short: per entry BM 2, Dir 5, AM 5 (branch citywide: BM 2, Dir 5); "
        "poor-quality entry: Dir 2, AM 2.",
    ),
    "000 §(三)(二)1": Clause(
        "1.4",
        "Important/major or citywide bid lost for a subjective cause: BM 5, Dep 7, "
        "Dir 10, AM 10, in the month of the verdict.",
    ),
    "000 §(三)": Clause("1.4", "Missed reports and lost orders (any verdict) are an annual veto indicator."),
    "003 §五": Clause(
        "1.5", "Base salary: department manager 2,400 + phone 100; account manager 1,800 + phone 100."
    ),
    "003 §六1": Clause(
        "1.5",
        "Commission by price ratio (8/4/2/1.5%), +1 pp above 120% of task, -0.5 pp under "
        "0.75 average ratio; single-order bonus 10,000/20,000/50,000.",
    ),
    "003 §六2": Clause(
        "1.5", "Department manager: 0.5% of department sales above its base, +0.1 pp / -0.3 pp."
    ),
    "003 §六3": Clause("1.5", "Monthly base task 20,000 per person earns no commission."),
    "003 §七": Clause("1.5", "Agent sales: 1%."),
}


class TelecomPlugin(RulePlugin):
    key = "telecom"
    # 1.1.0: the missed-report bands' edges a parameter (missed_band_edges); money in the
    # commission reasons as reported (8%, 5000.00): a version closed under 1.0.0 is not replayed
    # under these reasons
    version = "1.1.0"
    names = Names("政企商机管理（电信）", "Telecom key-account opportunities")
    roles = {
        "account_manager": Names("客户经理", "customer manager"),
        "center_director": Names("分公司政企客户中心主任", "branch gov-enterprise centre director"),
        "deputy_manager": Names("分公司分管副经理", "deputy branch manager"),
        "branch_manager": Names("分公司经理", "branch manager"),
        "entry_admin": Names("本地商机信息录入管理员", "local entry admin"),
        "city_admin": Names("市公司商机管理员", "city opportunity admin"),
        "agent": Names("代理商", "sales agent"),
    }
    ladder = ("account_manager", "center_director", "deputy_manager", "branch_manager", "city_admin")
    tiers = DECLARED_TIERS
    parameters = PARAMETERS
    clauses = CLAUSES

    def classify(self, opportunity) -> Classification:
        return tiers.classify(opportunity, self.params)

    def assess_month(self, facts) -> MonthResult:
        lines = tuple(penalties.assess(facts, self.params))
        return MonthResult(facts.month, lines + month_indicators(facts, self.params))

    pay_every = "month"  # 003 §六: the month's (当月) task, sales and department commission

    def commission_month(self, facts) -> MonthResult:
        return MonthResult(facts.month, tuple(commission.month(facts, facts.month, self.params)))

    def quarter_section(self, facts, carried=None) -> QuarterResult:
        # nothing carries between quarters but the indicators' sales (the next growth rate)
        section = quarter_indicators(facts, self.params, carried)
        return QuarterResult(facts.quarter, section.lines, {**(carried or {}), **section.carried})

    def commission_quarter(self, facts, carried=None) -> QuarterResult:
        return self.months_and_section(facts, carried)
