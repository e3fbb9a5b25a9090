"""The assistant's parameters (docs/rules.md §16): every figure of 002/ZL [seed], every reading of
its unclear text [reading] and every choice where it is silent [default], with the other reading in
the doc. ``checked`` refuses overrides that would pay a wrong sum rather than compute with them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kamkit.errors import ConfigError
from kamkit.params import Param

from .clauses import CLEANING, DELIVERY, NOTE, PAY, RECORDS, SALES, SERVICE

D = Decimal

# choices of the text parameters
WORKED, WORKING = "worked", "working"
FIRST_DAY, LAST_DAY = "first_day", "last_day"
REGION, PERSON = "region", "person"
ITEM, SUB_ITEM = "item", "sub_item"

FIXED_PAY = (
    Param("base_pay", D(900), "money", PAY, "Base pay a month (基本薪900元)."),
    Param("lunch_per_day", D(5), "money", PAY, "Lunch allowance per day (午餐5元/天)."),
    Param(
        "lunch_days",
        WORKED,
        "text",
        PAY,
        "Which days the lunch allowance counts (the seed says only 5元/天): 'worked' = the month's "
        "working days less the days absent on the attendance record; the other reading, 'working', "
        "pays every working day of the month, absent or not.",
        "reading",
        choices=(WORKED, WORKING),
    ),
    Param("full_attendance_pay", D(30), "money", PAY, "Full-attendance bonus a month (满勤30元)."),
    Param(
        "full_attendance_max_late",
        0,
        "int",
        PAY,
        "Late arrivals a month still counted as full attendance (满勤, not defined in the seed): 0 = a "
        "month with no absence and no late arrival; the other reading counts absences only (set it "
        "high, e.g. 31).",
        "reading",
        minimum=0,
    ),
    Param(
        "seniority_pay",
        [],
        "table",
        PAY,
        "Seniority pay a month (工龄奖x元/月): the seed prints the letter x, not an amount, and refers to a "
        "pay policy (薪资制度) it does not hold. Rows {from_years, pay}: from that many whole years of "
        "service, that much a month (the row with the most years reached applies). Empty = not "
        "configured: an assistant owed it gets a pay_part_not_configured line, never a silent 0.",
        "default",
    ),
    Param("pension_subsidy", D(100), "money", PAY, "Pension subsidy a month (养老补贴100元)."),
    Param(
        "service_years_required",
        1,
        "int",
        NOTE,
        "Whole years of service (from the person's start_date) before seniority pay and the pension "
        "subsidy are paid (服务期满1年以上: at least one year).",
        minimum=0,
    ),
    Param(
        "service_counted_on",
        FIRST_DAY,
        "text",
        NOTE,
        "The day of the month on which the year of service must be complete for the month to pay: "
        "'first_day' = a month that begins with the year served (a start on 15 March 2025 pays from "
        "April 2026); the other reading, 'last_day', pays the month the anniversary falls in.",
        "reading",
        choices=(FIRST_DAY, LAST_DAY),
    ),
)

BONUS = (
    Param(
        "performance_bonus",
        D(2300),
        "money",
        PAY,
        "Performance bonus a month (绩效考核奖金2300元), divided between the two items by their weights: "
        "20% = 460 for sales, 80% = 1,840 for service [reading, fixed in code: the alternative, 2,300 x "
        "the weighted completion, gives the same figures because the service item is met or not].",
    ),
    Param("sales_weight", D("0.20"), "rate", SALES, "Weight of the sales item (权重20%)."),
    Param("service_weight", D("0.80"), "rate", SERVICE, "Weight of the service item (权重80%)."),
)

SALES_ITEM = (
    Param(
        "sales_measured_for",
        REGION,
        "text",
        SALES,
        "Whose sales M measures: 'region' (区域销售指标完成率, as printed) = the deals in the month of the "
        "people of the assistant's branch against the region's target (a target record with no person "
        "and region = the branch); the other reading, 'person', = the assistant's own deals against "
        "their own monthly task (docs/rules.md §7).",
        "reading",
        choices=(REGION, PERSON),
    ),
    Param(
        "sales_floor",
        D("0.80"),
        "rate",
        SALES,
        "Below this M there is no sales bonus (低于80%,则无此项奖金).",
    ),
    Param(
        "sales_at_actual_rate",
        True,
        "bool",
        SALES,
        "From the floor to 100% the sales bonus is its share x M (按实际完成率考核: 460 x M); the other "
        "reading (false) pays the share in full once M reaches the floor.",
        "reading",
    ),
    Param(
        "sales_cap",
        D(1),
        "ratio",
        SALES,
        "M above which nothing more is paid: the printed band stops at 100%, so M > 100% pays as 100% "
        "(460); the seed says nothing of M above 100%.",
        "reading",
    ),
)

SERVICE_ITEM = (
    Param("cleaning_standard", 100, "int", CLEANING, "Dispensers to clean a month (标准为100台).", minimum=1),
    Param(
        "delivery_standard", 1000, "int", DELIVERY, "Barrels to deliver a month (标准为1000桶).", minimum=1
    ),
    Param(
        "cleaning_extra_pay", D(4), "money", CLEANING, "Extra pay per dispenser above the standard (4元/台)."
    ),
    Param("delivery_extra_pay", D(2), "money", DELIVERY, "Extra pay per barrel above the standard (2元/桶)."),
    Param(
        "barrels_per_dispenser",
        D(10),
        "ratio",
        SERVICE,
        "The offset rate (not printed): barrels that make up one dispenser's shortfall and dispensers "
        "that make up one barrel's (1 / it). 10 = the ratio of the standards (1,000 / 100); the other "
        "reading, 2, is the ratio of the extra-pay rates (4元 / 2元).",
        "reading",
    ),
    Param(
        "offset_units_earn_extra",
        False,
        "bool",
        SERVICE,
        "Whether units used to make up the other standard's shortfall also earn their extra pay "
        "(the seed is silent): false = a unit counts once; true = every unit above its own standard "
        "earns the extra.",
        "reading",
    ),
    Param(
        "failed_offset_keeps_extras",
        True,
        "bool",
        SERVICE,
        "When the surplus cannot fully offset the other shortfall (不能完全抵消), whether it still earns its "
        "extra pay: true = an offset that cannot be completed is not made, the surplus stays extra; "
        "false = the surplus is spent on the failed offset and earns nothing.",
        "reading",
    ),
    Param(
        "service_forfeit",
        ITEM,
        "text",
        SERVICE,
        "What 无此项奖金 removes when a shortfall is not fully offset: 'item' = the whole service share "
        "(1,840: the item has one weight); the other reading, 'sub_item', removes only the half of the "
        "standard that fell short (920 each).",
        "reading",
        choices=(ITEM, SUB_ITEM),
    ),
)

RECORD_KINDS = (
    Param(
        "cleaning_case_kind",
        "dispenser_cleaning",
        "text",
        RECORDS,
        "The case kind recording dispensers cleaned: its person, its opened day and its 'units' attribute "
        "(how many dispensers) (本岗位提供报告).",
        "default",
    ),
    Param(
        "delivery_case_kind",
        "water_delivery",
        "text",
        RECORDS,
        "The case kind recording barrels delivered (upgraded and ordinary alike): its person, its "
        "opened day and its 'units' attribute (how many barrels).",
        "default",
    ),
)

PARAMS = FIXED_PAY + BONUS + SALES_ITEM + SERVICE_ITEM + RECORD_KINDS


def checked(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """The parameters, or a ConfigError naming each override that would compute a wrong sum: the
    weights must share out exactly the whole bonus, the standards and the offset rate must be
    positive (a shortfall is divided by the rate), every seniority row needs years and pay."""
    errors = []
    if params["sales_weight"] + params["service_weight"] != 1:
        errors.append(
            {
                "field": "service_weight",
                "message": f"sales_weight + service_weight must be 1 (20% + 80% = 100%), got "
                f"{params['sales_weight']} + {params['service_weight']}",
            }
        )
    if params["barrels_per_dispenser"] <= 0:
        errors.append({"field": "barrels_per_dispenser", "message": "must be above 0"})
    if params["sales_cap"] < params["sales_floor"]:
        errors.append({"field": "sales_cap", "message": "must be at least sales_floor"})
    for i, row in enumerate(params["seniority_pay"]):
        if set(row) != {"from_years", "pay"} or row["pay"] < 0 or row["from_years"] != int(row["from_years"]):
            errors.append(
                {
                    "field": f"seniority_pay.{i}",
                    "message": "a row is {from_years: whole years, pay: amount >= 0}",
                }
            )
    if errors:
        raise ConfigError(errors)
    return params
