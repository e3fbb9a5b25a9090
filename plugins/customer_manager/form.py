"""The scorecard of 客户经理绩效考核方案 四 (docs/rules.md §12.2): its twelve printed rows, each a
kamkit.appraisal Item whose figures are parameters.

The measured rows count the period's records: the service work plan's items done (WorkPlan of plan
``service``), service-standard checks passed against the period before (StandardCheck), new big
customers credited (the customer register's status changes), sales-rule, teamwork and conduct
incidents (Incident), late arrivals (Attendance). The ability rows and 责任感 are rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kamkit import facts as F
from kamkit.activity import Activity, Window
from kamkit.appraisal import MEASURED, RATED, Form, Item, Value
from kamkit.facts import Person
from kamkit.scoring import Growth, PerUnit, Rated, Steps
from kamkit.work_records import CONDUCT, SALES_RULE, TEAMWORK

KHJL = "002/KHJL"  # 客户经理绩效考核方案
PERF, ABILITY, ATTITUDE = "performance", "ability", "attitude"


def _d(params: Mapping[str, Any], name: str) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in params[name].items()}


def plan_rule(params) -> Steps:
    p = _d(params, "plan_completion_rule")
    return Steps(
        p["standard"], p["step"], p["at_standard"], p["down"], p["up"], p["full"], partial=bool(p["partial"])
    )


def execution_rule(params) -> Growth:
    p = _d(params, "standard_execution_rule")
    return Growth(p["base"], p["per_point"], p["full"])


def _per_unit(name: str):
    def rule(params) -> PerUnit:
        p = _d(params, name)
        above = p.get("zero_above")
        return PerUnit(
            p["start"], p["per_unit"], p["full"], None if above is None or above < 0 else int(above)
        )

    return rule


def _rated(name: str):
    def rule(params) -> Rated:
        return Rated(Decimal(str(params["rated_full"][name])))

    return rule


# --- measures ------------------------------------------------------------------------------


def plan_completion(activity: Activity, person: Person, params) -> Value:
    """Items of the period's service work plans done by its end / items planned."""
    plans = [p for p in activity.work_plans.get(person.id, []) if p.plan == params["service_plan_kind"]]
    items = [i for p in plans for i in p.items]
    done = [i for i in items if i.done is not None and i.done <= activity.window.last]
    if not items:
        return Value(None, {"plans": []}, "no service work plan for the period")
    return Value(
        Decimal(len(done)) / len(items),
        {"plans": sorted(p.id for p in plans), "done": len(done), "planned": len(items)},
    )


def _execution_rate(activity: Activity, person: str) -> Decimal | None:
    checks = activity.checks.get(person, [])
    return Decimal(sum(c.passed for c in checks)) / len(checks) if checks else None


def standard_execution_growth(activity: Activity, person: Person, params) -> Value:
    """This period's rate of service-standard checks passed minus the period before's (1% = one
    percentage point [reading]); the period before from the records, else the carried rate."""
    now = _execution_rate(activity, person.id)
    before_window = activity.window.previous()
    before = _execution_rate(Activity.indexed(activity.facts, before_window), person.id)
    carried = (activity.facts.carried.get("execution_rate") or {}).get(person.id)
    if before is None and carried is not None:
        before = Decimal(carried)
    inputs = {"rate": now, "previous_rate": before, "previous_period": before_window.label}
    if now is None:
        return Value(None, inputs, "no service-standard check in the period")
    if before is None:
        return Value(None, inputs, "no service-standard check in the period before")
    return Value(now - before, inputs)


def new_customers(activity: Activity, person: Person, params) -> Value:
    """New customers credited to the person in the period (the register's new big customers)."""
    won = activity.credits_of(person.id, F.NEW_BIG)
    return Value(Decimal(len(won)), {"customers": sorted(c.customer.id for c in won)})


def _incidents(kind: str):
    def measure(activity: Activity, person: Person, params) -> Value:
        found = [i for i in activity.incidents.get(person.id, []) if i.kind == kind]
        return Value(Decimal(len(found)), {"incidents": sorted(i.id for i in found)})

    return measure


def late_arrivals(activity: Activity, person: Person, params) -> Value:
    """Late arrivals of the period's months (an absence counts as one when absence_counts_as_late)."""
    rows = activity.attendance.get(person.id, [])
    late = sum(a.late_arrivals for a in rows)
    absences = sum(a.absences for a in rows)
    counted = late + (absences if params["absence_counts_as_late"] else 0)
    return Value(
        Decimal(counted),
        {"late_arrivals": late, "absences": absences, "months_on_file": sorted(str(a.month) for a in rows)},
    )


def _row(key, zh, en, group, source, rule, measure=None) -> Item:
    return Item(key, zh, en, group, f"{KHJL} 四", source, rule, measure)


FORM = Form(
    "customer_manager",
    "客户经理绩效考核",
    "Customer-manager scorecard",
    f"{KHJL} 三",
    (
        _row(
            "plan_completion",
            "客服工作计划完成率",
            "Service work plan completion",
            PERF,
            MEASURED,
            plan_rule,
            plan_completion,
        ),
        _row(
            "standard_execution",
            "客服标准有效执行率",
            "Service standards executed (growth)",
            PERF,
            MEASURED,
            execution_rule,
            standard_execution_growth,
        ),
        _row(
            "new_customers",
            "新客户开发",
            "New customers",
            PERF,
            MEASURED,
            _per_unit("new_customer_rule"),
            new_customers,
        ),
        _row(
            "sales_rules",
            "销售制度执行",
            "Sales rules kept",
            PERF,
            MEASURED,
            _per_unit("sales_rule_rule"),
            _incidents(SALES_RULE),
        ),
        _row(
            "teamwork",
            "团队协作",
            "Teamwork",
            PERF,
            MEASURED,
            _per_unit("teamwork_rule"),
            _incidents(TEAMWORK),
        ),
        _row("knowledge", "专业知识", "Professional knowledge", ABILITY, RATED, _rated("knowledge")),
        _row("judgement", "分析判断能力", "Analysis and judgement", ABILITY, RATED, _rated("judgement")),
        _row("communication", "沟通能力", "Communication", ABILITY, RATED, _rated("communication")),
        _row("adaptability", "灵活应变能力", "Adaptability", ABILITY, RATED, _rated("adaptability")),
        _row(
            "attendance",
            "员工出勤率",
            "Attendance",
            ATTITUDE,
            MEASURED,
            _per_unit("attendance_rule"),
            late_arrivals,
        ),
        _row(
            "conduct",
            "日常行为规范",
            "Daily conduct",
            ATTITUDE,
            MEASURED,
            _per_unit("conduct_rule"),
            _incidents(CONDUCT),
        ),
        _row(
            "responsibility", "责任感", "Sense of responsibility", ATTITUDE, RATED, _rated("responsibility")
        ),
    ),
)


def carried_rates(facts: F.Facts, window: Window) -> dict[str, str]:
    """Each person's service-standard execution rate of the period, for the next period's growth."""
    activity = Activity.indexed(facts, window)
    out = {}
    for person in facts.people:
        rate = _execution_rate(activity, person.id)
        if rate is not None:
            out[person.id] = str(rate)
    return out
