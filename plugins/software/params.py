"""Every figure of the software documents of seed 002 as a documented parameter (docs/rules.md §2)."""

from decimal import Decimal as D

from kamkit.indicators import ALL_INDICATORS, indicator_params
from kamkit.kpi import KPI_PARAMS
from kamkit.params import Param
from kamkit.plugin import ESCALATION_PARAMS

TIER_PARAMS = (
    Param(
        "large_from",
        D(50000),
        "money",
        "rules §2.1",
        "From this amount: large, owned by the key-account dept manager.",
        "reading",
    ),
    Param(
        "strategic_from",
        D(300000),
        "money",
        "rules §2.1",
        "From this amount: strategic, owned by the sales director.",
        "reading",
    ),
)

_KINDS = (
    "product",
    "implementation",
    "maintenance",
    "training",
    "secondary_dev",
    "service",
    "supplies",
    "add_module",
    "data_conversion",
)


def _share(**kw):
    return {k: D(kw.get(k, 0)) for k in _KINDS}


def crediting_params(task_share, side_rate, side_on_gross, clause):
    """What a collection credits and pays outside the task (docs/rules.md §2.2)."""
    return (
        Param(
            "task_share",
            task_share,
            "map",
            clause,
            "Fraction of a collection's net (secondary development: of its gross margin) that counts toward "
            "the task, by revenue kind.",
        ),
        Param(
            "side_rate",
            side_rate,
            "map",
            clause,
            "Bonus rate paid outside the task scheme, by revenue kind (not counted toward the task).",
        ),
        Param(
            "side_on_gross",
            side_on_gross,
            "map",
            clause,
            "1 where the side bonus is a share of gross collections (回款额) rather than of net.",
        ),
        Param(
            "joint_collector_share",
            D("0.7"),
            "rate",
            "002/KAB §二5",
            "Joint sale: the party that collects (the other party gets the rest). Tobacco contracts "
            "are not split (烟草除外): the collecting party gets them whole.",
        ),
        Param(
            "joint_delivered_kinds",
            ["implementation", "service"],
            "list",
            "002/KAB §二5",
            "Revenue kinds of a joint sale that go wholly to whoever delivers them (collection "
            "`delivered_by`, else the collector), never split: 项目实施和服务收入归直接提供者.",
        ),
        Param(
            "implementation_min_share",
            D("0.3"),
            "rate",
            "002/KAB §二3",
            "Implementation revenue must be at least this share of the contract total.",
        ),
    )


SOFTWARE_CREDITING = crediting_params(
    # the task is product and implementation revenue (大客户部考核办法 §一, 绩效考核办法 §二1);
    # maintenance and training earn their 6% only (绩效考核办法 §二2)
    _share(product=1, implementation=1, secondary_dev=1, add_module="0.5"),
    _share(implementation="0.06", maintenance="0.06", training="0.06", service="0.05", supplies="0.05"),
    _share(service=1, supplies=1),
    "002/KAP §二2",
)

PROGRESSIVE_CREDITING = crediting_params(
    _share(product=1, implementation=1, secondary_dev=1, add_module="0.5"),
    _share(maintenance="0.05", training="0.05", service="0.05", supplies="0.05"),
    _share(maintenance=1, training=1, service=1, supplies=1),
    "002/KAB §三3",
)

TARGET_PARAMS = (
    Param(
        "default_quarterly_target",
        D(200000),
        "money",
        "002/KAP §一",
        "Quarterly target T of a rep with none recorded.",
        "default",
    ),
    Param("base_ratio", D("0.5"), "rate", "002/KAP §一", "Base B = this x T (任务基数比 50%)."),
    Param(
        "first_quarter_no_task",
        True,
        "bool",
        "002/KAP §一",
        "A new rep carries no task (新业务员一季度不承担任务): B = 0, no debt, no deduction, no floating "
        "wage withheld.",
        "seed",
    ),
    Param(
        "new_rep_months",
        3,
        "int",
        "002/KAP §一",
        "... in every calendar quarter that begins before the end of the rep's first this-many "
        "months of employment (from start_date).",
        "reading",
        minimum=0,
    ),
)

VAT_CLAUSE = (
    "002/KAD §三1"  # 计提奖金=本季度实际回款/1.17*奖金比率; also 002/KAP §二1 按产品及实施回款税后净额
)

QUARTERLY_PARAMS = TARGET_PARAMS + (
    Param(
        "vat_divisor",
        D("1.17"),
        "ratio",
        VAT_CLAUSE,
        "Bonus is computed on net of VAT (计提奖金=本季度实际回款/1.17*奖金比率): every bonus amount (step, "
        "released, year end) is divided by this; every test (base, target, cap, debts, carry) stays on "
        "credited collections as collected.",
        "seed",
        positive=True,  # the bonus is divided by it
    ),
    Param(
        "implementation_topup",
        True,
        "bool",
        "002/KAP §二2",
        "Implementation billed below its contract's implementation_quote is topped up to the quote "
        "(按标准报价划拨实施费); the topped-up part is credited like product revenue, as the "
        "implementation is collected.",
        "reading",
    ),
    Param(
        "half_year_target_step",
        D(0),
        "money",
        "002/KAD §二4",
        "How far the quarterly target moves with each salary grade step (同比增减任务指标); 0 = the grade "
        "move is reported only.",
        "reading",
    ),
    Param(
        "outside_funnel_counts_for_task",
        False,
        "bool",
        "002/KAD §二5",
        "A project outside the sales funnel / CRM: false (002/KAP §二3, 002/KAB §二4) credits it nothing; "
        "true (002/KAD §二5 计业绩，但不计提奖金) credits it to the quarter's completion X for the task "
        "(base, debts and their make-up, target, floating wage, half-year grade, the year's target) "
        "and to no bonus: no side bonus, and the step bonus, cap and carry are on E less what is left "
        "of it after making up debts; it is never carried.",
        "reading",
    ),
    Param(
        "floating_wage_rule",
        "kap",
        "text",
        "002/KAD §二3",
        "When the floating wage (浮动工资) is withheld: 'kap' (002/KAP §三, the scheme this plugin runs) "
        "withholds it while the quarter's X is below the target T and never pays it back; 'kad' "
        "(002/KAD §二3) withholds it only while X is below the base B and pays a withheld wage back in "
        "the quarter whose completion makes the shortfall up (浮动工资在补足的季度发放).",
        "reading",
        choices=("kap", "kad"),
    ),
    Param("within_rate", D("0.04"), "rate", "002/KAP §三", "Bonus rate within the target."),
    Param("over_rate", D("0.05"), "rate", "002/KAP §三", "Bonus rate between the target and the cap."),
    Param("quarter_cap", D(300000), "money", "002/KAP §三", "Quarterly cap C; above it the excess carries."),
    Param("fixed_wage_deduction", D(600), "money", "002/KAP §三", "Deducted from fixed wage below base."),
    Param(
        "kpi_fixed_part", D("0.8"), "rate", "002/KAP §三", "Paid bonus = bonus x (this + rest x KPI coef)."
    ),
    Param(
        "kpi_on_released",
        False,
        "bool",
        "002/KAP §三",
        "Whether the KPI factor also scales bonuses released by repaying a debt.",
        "reading",
    ),
    Param(
        "year_end_rate_met",
        D("0.05"),
        "rate",
        "002/KAD §二2",
        "Year end: excess still carried is paid at this rate if the annual target was met ...",
        "reading",
    ),
    Param("year_end_rate_missed", D("0.04"), "rate", "002/KAD §二2", "... else at this rate.", "reading"),
)

PROGRESSIVE_PARAMS = TARGET_PARAMS + (
    Param(
        "vat_divisor",
        D(1),
        "ratio",
        "002/KAB §二1",
        "This document has no VAT rule: bonus amounts are divided by this (1 = as collected).",
        "reading",
        positive=True,
    ),
    Param("below_base_rate", D("0.01424"), "rate", "002/KAB §三1", "Rate while the base is not reached."),
    Param(
        "base_reached_rate",
        D("0.0712"),
        "rate",
        "002/KAB §三1",
        "Rate on the whole amount once B is reached.",
    ),
    Param(
        "over_annual_rate",
        D("0.09968"),
        "rate",
        "002/KAB §三1",
        "Rate on the year's part above the annual target.",
    ),
    Param(
        "big_deal_over",
        D(50000),
        "money",
        "002/KAB §三2",
        "A single deal (单产: a contract's total collections) above this is a big deal.",
    ),
    Param(
        "big_deal_share",
        D("0.4"),
        "rate",
        "002/KAB §三2",
        "Big deals at least this share of the total (and B reached): 7.12% on everything.",
    ),
    Param(
        "small_deal_rate_below_share",
        D("0.0712"),
        "rate",
        "002/KAB §三2",
        "The seed is cut after 'if not 40%, then single deals of 5...': rate on the small deals of a rep "
        "below the share. The default changes nothing until an organisation sets its own.",
        "reading",
    ),
    Param(
        "kpi_fixed_part", D("0.7"), "rate", "002/KAB §三", "Paid bonus = bonus x (this + rest x KPI coef)."
    ),
)

# docs/rules.md §6: the 大客户部 indicators of 001 §2.1, 003 §四 and 002's visit plan; sales are
# collections (what the scheme credits), and the KPI sheet's measured items come from the records
INDICATORS = indicator_params(
    default_set=ALL_INDICATORS, sales_basis="collections", roles=["account_manager"]
)
SOFTWARE_PARAMETERS = (
    ESCALATION_PARAMS + TIER_PARAMS + SOFTWARE_CREDITING + QUARTERLY_PARAMS + KPI_PARAMS + INDICATORS
)
PROGRESSIVE_PARAMETERS = (
    ESCALATION_PARAMS + TIER_PARAMS + PROGRESSIVE_CREDITING + PROGRESSIVE_PARAMS + KPI_PARAMS + INDICATORS
)
