"""Every figure of seed 000 and seed 003 the telecom plugin uses, as a documented parameter."""

from decimal import Decimal as D

from kamkit.indicators import ALL_INDICATORS, indicator_params
from kamkit.kpi import KPI_PARAMS
from kamkit.params import Param
from kamkit.plugin import ESCALATION_PARAMS
from kamkit.sections import SCORECARD

AM, DIR, DEP, BM = "account_manager", "center_director", "deputy_manager", "branch_manager"


def _pts(bm, dep, dir_, am):
    return {BM: D(bm), DEP: D(dep), DIR: D(dir_), AM: D(am)}


TIER_PARAMS = (
    Param(
        "reportable_from",
        D(10000),
        "money",
        "000 §(一)1",
        "Below this amount (and under bulletin_min_lines lines) an opportunity need not be reported.",
    ),
    Param(
        "ordinary_from", D(20000), "money", "000 §(一)2", "From this amount: ordinary 普通 (centre director)."
    ),
    Param(
        "important_from",
        D(50000),
        "money",
        "000 §(一)3",
        "From this amount: important 重要 (deputy manager).",
    ),
    Param("major_from", D(200000), "money", "000 §(一)4", "From this amount: major 重大 (branch manager)."),
    Param(
        "bulletin_min_amount", D(20000), "money", "000 §(一)5", "Weekly bulletin: amount at least this ..."
    ),
    Param(
        "bulletin_min_lines", 5, "int", "000 §(一)5", "... or at least this many lines (线路条数).", minimum=0
    ),
)

QUOTA_PARAMS = (
    Param(
        "local_quota",
        1,
        "int",
        "000 §(一)1",
        "Local opportunities each account manager enters a month.",
        minimum=0,
    ),
    Param(
        "citywide_quota",
        1,
        "int",
        "000 §(一)1",
        "Citywide opportunities each branch enters a month.",
        minimum=0,
    ),
    Param("citywide_quota_urban", 2, "int", "000 §(一)1", "... an urban branch (城区分公司).", minimum=0),
    Param(
        "quota_exempt_new_starters",
        True,
        "bool",
        "000 §(三)(一)4",
        "A person who started after the 1st of the month owes no entry quota that month.",
        "reading",
    ),
)

PENALTY_PARAMS = (
    Param(
        "report_day",
        "entry",
        "text",
        "rules §1.4",
        "What a missed report of an opportunity from ordinary_from is measured against: 'entry' (the "
        "day it was entered in the system: §(三)(一)'s 未按要求录入管理系统) or 'confirmation' (the day its "
        "confirming role confirmed it, when §(一)2-4 report it to the city). Under either, a rejected "
        "opportunity is not a missed report.",
        "reading",
        choices=("entry", "confirmation"),
    ),
    Param(
        "entry_deadline_days",
        7,
        "days",
        "rules §1.4",
        "An opportunity entered later than this many days after discovery is a missed report.",
        "default",
    ),
    Param(
        "missed_band_edges",
        "tiers",
        "text",
        "000 §(三)(一)2",
        "Which amounts the missed-report bands of §(三)(一) attach to, the seed's text contradicting "
        "itself (heading 重大商机, body 2万元及以上重要、重大商机): 'tiers' reads them by the §(一) tiers "
        "(band 1 from reportable_from, band 2 from ordinary_from, the 5/10/10 band from important_from, "
        "50,000); 'printed' takes band 3's 2万元及以上 as printed (the 5/10/10 band from ordinary_from, "
        "20,000, which leaves the 3/4/4 band nothing by amount).",
        "reading",
        choices=("tiers", "printed"),
    ),
    Param(
        "missed_lines_threshold",
        5,
        "int",
        "000 §(三)(一)2",
        "A missed report of this many lines or more is charged in the 5/10/10 band whatever its amount "
        "(线路条数5条及以上); the 或线路条数5条以下 of bands 1-2 is read as 'and fewer lines' [reading].",
        "reading",
        minimum=0,
    ),
    Param(
        "points_missed_small",
        _pts(1, 0, 2, 2),
        "map",
        "000 §(三)(一)1",
        "Missed report, amount < 20,000 and lines < 5: points per role.",
    ),
    Param(
        "points_missed_ordinary",
        _pts(3, 0, 4, 4),
        "map",
        "000 §(三)(一)1",
        "Missed report, 20,000 <= amount < 50,000 and lines < 5 (band 2, under missed_band_edges "
        "'tiers'): points per role.",
    ),
    Param(
        "points_missed_important",
        _pts(5, 0, 10, 10),
        "map",
        "000 §(三)(一)2",
        "Missed report, amount >= 50,000 (missed_band_edges 'tiers'; 'printed': >= 20,000) or lines >= 5: "
        "points per role. The seed prints 5 and 10 without 各 (each); the director and the account "
        "manager are each charged 10, as in bands 1-2 and §(三)(二)1.",
    ),
    Param(
        "points_single_source",
        _pts(5, 0, 10, 10),
        "map",
        "000 §(三)(一)3",
        "A missed report that let a competitor buy single-source: charged in addition.",
        "reading",
    ),
    Param(
        "points_quota_missing",
        _pts(2, 0, 5, 5),
        "map",
        "000 §(三)(一)4",
        "Per local entry an account manager owes and did not make.",
    ),
    Param(
        "points_branch_quota_missing",
        {BM: D(2), DIR: D(5)},
        "map",
        "000 §(三)(一)4",
        "Per citywide entry a branch owes and did not make (BM and Dir only).",
        "reading",
    ),
    Param(
        "points_poor_entry",
        _pts(0, 0, 2, 2),
        "map",
        "000 §(三)(一)4",
        "Per entry judged non-compliant, low quality or perfunctory.",
    ),
    Param(
        "veto_on_objective_loss",
        True,
        "bool",
        "000 §(三)",
        "A lost important/major opportunity or lost citywide bid flags the year whatever its review's "
        "verdict (the seed's words: 漏报、漏单、丢单作为年度绩效否决指标); "
        "false flags subjective losses only.",
        "reading",
    ),
    Param(
        "points_subjective_loss",
        _pts(5, 7, 10, 10),
        "map",
        "000 §(三)(二)1",
        "Important/major or citywide-bid opportunity lost for a subjective cause of the branch.",
    ),
)

COMMISSION_PARAMS = (
    Param(
        "base_task",
        D(20000),
        "money",
        "003 §六3",
        "Monthly base task per person: the first this-many yuan of the month earn nothing "
        "(a person's monthly_task overrides it).",
    ),
    Param(
        "price_bands",
        [
            {"from": D("0.9"), "inclusive": D(1), "rate": D("0.08")},
            {"from": D("0.8"), "inclusive": D(0), "rate": D("0.04")},
            {"from": D("0.7"), "inclusive": D(0), "rate": D("0.02")},
            {"from": D("0.6"), "inclusive": D(0), "rate": D("0.015")},
        ],
        "table",
        "003 §六1",
        "Rate by price ratio d = deal/list, first matching row: d >= 0.9 -> 8%; 0.8 < d -> 4%; "
        "0.7 < d -> 2%; 0.6 < d -> 1.5%.",
    ),
    Param("floor_rate", D(0), "rate", "003 §六1", "Rate for d <= 0.60 (the seed stops at 0.6).", "reading"),
    Param(
        "accelerator_over",
        D("1.2"),
        "ratio",
        "003 §六1",
        "Month's sales above this multiple of the task add accelerator_pp.",
    ),
    Param("accelerator_pp", D("0.01"), "rate", "003 §六1", "+1 percentage point."),
    Param("low_ratio_below", D("0.75"), "ratio", "003 §六1", "Month's average price ratio below this ..."),
    Param(
        "low_ratio_pp",
        D("0.005"),
        "rate",
        "003 §六1",
        "... takes this many points off the rate ('增加0.5%' read as a deduction).",
        "reading",
    ),
    Param(
        "single_order_bonus",
        [
            {"from": D(300000), "bonus": D(10000)},
            {"from": D(500000), "bonus": D(20000)},
            {"from": D(1000000), "bonus": D(50000)},
        ],
        "table",
        "003 §六1",
        "One order of at least `from` earns `bonus`; the highest step only.",
    ),
    Param(
        "department_manager_role",
        "center_director",
        "text",
        "003 §六2",
        "Role that is paid the department manager's override; department = their branch.",
        "reading",
    ),
    Param("department_rate", D("0.005"), "rate", "003 §六2", "0.5% of department sales above its base."),
    Param("department_accelerator_pp", D("0.001"), "rate", "003 §六2", "+0.1 pp above 120% of the base."),
    Param(
        "department_low_ratio_pp",
        D("0.003"),
        "rate",
        "003 §六2",
        "-0.3 pp when the department's average price ratio is below 0.75.",
        "reading",
    ),
    Param("agent_rate", D("0.01"), "rate", "003 §七", "Agents (代理商) earn this on their sales."),
    Param("pay_base_salary", True, "bool", "003 §五", "Put base salary and phone allowance on statements."),
    Param("base_salary", {DIR: D(2400), AM: D(1800)}, "map", "003 §五", "Monthly base salary per role."),
    Param(
        "phone_allowance", {DIR: D(100), AM: D(100)}, "map", "003 §五", "Monthly phone allowance per role."
    ),
)

# docs/rules.md §6: every indicator of 001 §2.1, 003 §四 and 002's visit plan, and 003 §十一's sheet
# (the line is paid on seed 003's commission, so it is assessed on 003's sheet too)
INDICATORS = indicator_params(
    default_set=[*ALL_INDICATORS, SCORECARD], sales_basis="deals", roles=["account_manager"]
)

PARAMETERS = (
    ESCALATION_PARAMS
    + TIER_PARAMS
    + QUOTA_PARAMS
    + PENALTY_PARAMS
    + COMMISSION_PARAMS
    + INDICATORS
    + KPI_PARAMS
)
