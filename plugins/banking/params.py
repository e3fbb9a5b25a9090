"""Every figure of the bank's loan performance rules (seed 002, docs/rules.md §3) as a parameter."""

from decimal import Decimal as D

from kamkit.params import Param
from kamkit.plugin import ESCALATION_PARAMS

GRADES = ("assistant", "junior", "intermediate", "senior")

PARAMETERS = ESCALATION_PARAMS + (
    # §3.2 tiers [reading]
    Param(
        "small_from",
        D(50000),
        "money",
        "rules §3.2",
        "From this loan amount: small (junior or above).",
        "reading",
    ),
    Param(
        "medium_from",
        D(500000),
        "money",
        "rules §3.2",
        "From this amount: medium (senior customer manager).",
        "reading",
    ),
    Param(
        "large_from",
        D(2000000),
        "money",
        "rules §3.2",
        "From this amount: large (sub-branch head).",
        "reading",
    ),
    # §3.1 grades
    Param("assistant_months", 6, "int", "002/LOAN §三1", "Under this many months of credit work: assistant."),
    Param("junior_min_handled", 30, "int", "002/LOAN §三2", "Junior: loans handled (经办) at least."),
    Param(
        "junior_max_overdue",
        D("0.01"),
        "rate",
        "002/LOAN §三2",
        "Junior: overdue rate at last month end at most.",
    ),
    Param("grade_years", 1, "int", "002/LOAN §三3", "Years in the grade below before the next one."),
    Param(
        "intermediate_min_managed", 50, "int", "002/LOAN §三3", "Intermediate: loans managed (管户) at least."
    ),
    Param("senior_min_managed", 70, "int", "002/LOAN §三4", "Senior: loans managed at least."),
    Param(
        "three_month_max_overdue",
        D("0.015"),
        "rate",
        "002/LOAN §三3",
        "Intermediate/senior: three-month average overdue rate at most.",
    ),
    Param(
        "base_pay",
        {"assistant": D(1800), "junior": D(2200), "intermediate": D(2700), "senior": D(3500)},
        "map",
        "002/LOAN §四",
        "Monthly base pay by grade.",
    ),
    # §3.3 penalties [default]
    Param(
        "overdue_limit",
        {"assistant": D("0.01"), "junior": D("0.01"), "intermediate": D("0.015"), "senior": D("0.015")},
        "map",
        "rules §3.3",
        "Overdue-rate limit per grade (an assistant is held to the junior limit).",
        "default",
    ),
    Param(
        "overdue_step",
        D("0.005"),
        "rate",
        "rules §3.3",
        "Each started step of this above the limit ...",
        "default",
    ),
    Param("overdue_step_points", D(2), "points", "rules §3.3", "... costs this many points.", "default"),
    Param(
        "missed_report_from",
        D(500000),
        "money",
        "rules §3.3",
        "Missed loan opportunities from this amount ...",
        "default",
    ),
    Param(
        "missed_points_manager",
        D(5),
        "points",
        "rules §3.3",
        "... cost the account manager this ...",
        "default",
    ),
    Param("missed_points_owner", D(3), "points", "rules §3.3", "... and the tier's owner this.", "default"),
    Param(
        "entry_deadline_days",
        7,
        "days",
        "rules §3.3",
        "A loan opportunity entered later than this after discovery is a missed report.",
        "default",
    ),
    # §3.4 piece rate
    Param(
        "referrer_bands",
        [
            {"from": D(10000), "pay": D(30)},
            {"from": D(60000), "pay": D(50)},
            {"from": D(110000), "pay": D(80)},
            {"from": D(510000), "pay": D(100)},
            {"from": D(1010000), "pay": D(150)},
        ],
        "table",
        "002/LOAN §五(一)",
        "Reward per loan by amount; amounts between printed bands fall to the lower band, above 2,000,000 "
        "the top band [reading].",
    ),
    Param(
        "piece_bands",
        [
            {"upto": D(2), "pay": D(30)},
            {"upto": D(5), "pay": D(40)},
            {"upto": D(10), "pay": D(50)},
            {"upto": D(1000000), "pay": D(60)},
        ],
        "table",
        "002/LOAN §五(二)1",
        "Pay per loan issued in the month, progressive: the seed prints 1-2: 30 and is cut; 3-5: 40, "
        "6-10: 50, > 10: 60 are [default].",
    ),
    Param(
        "reissue_weight",
        D("0.5"),
        "ratio",
        "002/LOAN §五(二)1",
        "Renewals, merged loans and extensions count as this many loans.",
    ),
)
