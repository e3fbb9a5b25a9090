"""The KPI tables of seed 002's customer-service department and 400 call centre
(客服中心绩效考核指标, docs/rules.md §11), counted from the records (kamkit.work_records).

Each row of the two tables is a Definition of kamkit.indicators with the table's own item number,
periods and clause, so a line's indicators, sheets, pages and workbooks show them like any other.
The seed prints formulas and sources but no standards and no score rules: a figure is shown and
not judged unless the organisation sets a standard (``indicator_standards``) [default].
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from . import facts as F
from .activity import ZERO, Activity
from .deadlines import DeadlineRule, after, dues, met_rate
from .work_records import COOPERATION, SERVICE, mean

KF, HJ = "002/KFZX", "002/HJZX"  # 客服部关键绩效考核指标, 400呼叫中心关键绩效考核指标
HANDOFF = "handoff"  # the case kind of information passed on to another department

# 客户服务信息传递及时率: information is passed on within the standard time, held in working days.
HANDOFF_RULE = DeadlineRule(
    "handoff_passed",
    "客户服务信息传递",
    "service information passed on",
    HANDOFF,
    "opened",
    "passed",
    "handoff_days",
    KF,
)


def _measure(value, numerator=None, denominator=None, why: str = "", **inputs):
    from .indicators import Measure  # the indicators module imports this one at its end

    return Measure(value, numerator, denominator, inputs, why)


def _ratio(numerator, denominator, why: str, **inputs):
    numerator, denominator = Decimal(numerator), Decimal(denominator)
    if denominator == 0:
        return _measure(None, numerator, denominator, why, **inputs)
    return _measure(numerator / denominator, numerator, denominator, **inputs)


def handoff_timeliness(activity: Activity, person: str | None, params: Mapping[str, Any]):
    """Information passed on within the standard time / information to pass on, of the hand-offs
    falling due in the period."""
    window = activity.window
    found = [
        d
        for d in dues(activity.facts, (HANDOFF_RULE,), params, as_of=after(window))
        if window.contains(d.due) and (person is None or d.case.person == person)
    ]
    rate = met_rate(found)
    return _ratio(
        rate.met, rate.fell_due, "no information fell due to be passed on", days=params["handoff_days"]
    )


def _resolved_on(complaint: F.Complaint) -> date | None:
    if complaint.resolved_at is not None:
        return complaint.resolved_at.date()
    return complaint.resolved


def _resolved_in(activity: Activity) -> dict[str | None, list[F.Complaint]]:
    """Complaints resolved inside the window, by person (indexed once on the activity)."""
    held = activity.__dict__.get("_resolved_in")
    if held is None:
        held = {}
        for c in activity.facts.complaints:
            if activity.window.contains(_resolved_on(c)):
                held.setdefault(c.person, []).append(c)
        activity.__dict__["_resolved_in"] = held
    return held


def complaint_hours(activity: Activity, person: str | None, params: Mapping[str, Any]):
    """The month's complaint resolution time / complaints resolved in the month (average hours)."""
    pool = _resolved_in(activity)
    resolved = pool.get(person, []) if person is not None else [c for cs in pool.values() for c in cs]
    hours = [
        h for c in resolved if (h := c.hours(datetime.combine(activity.window.last, time.max))) is not None
    ]
    total = sum(hours, ZERO)
    return _ratio(
        total, len(hours), "no complaint resolved in the period", complaints=sorted(c.id for c in resolved)
    )


def complaint_satisfaction(activity: Activity, person: str | None, params: Mapping[str, Any]):
    """Complaints whose customer was satisfied with the resolution / complaints received in the
    period [reading: 总投诉数量 is every complaint received; one not yet asked counts as not
    satisfied]."""
    received = activity.of(activity.complaints, person)
    satisfied = [c for c in received if c.satisfied]
    return _ratio(
        len(satisfied),
        len(received),
        "no complaint in the period",
        not_asked=sum(c.satisfied is None for c in received),
    )


def big_customer_revisits(activity: Activity, person: str | None, params: Mapping[str, Any]):
    """Revisits to customers that were big customers on the day of the visit."""
    customers = {c.id: c for c in activity.facts.customers}
    visits = [
        v
        for v in activity.of(activity.visits, person)
        if v.purpose == F.REVISIT and (c := customers.get(v.customer)) is not None and c.big_on(v.date)
    ]
    return _measure(Decimal(len(visits)), Decimal(len(visits)), visits=sorted(v.id for v in visits))


def _survey_mean(subject: str):
    def compute(activity: Activity, person: str | None, params: Mapping[str, Any]):
        answers = [s for s in activity.of(activity.surveys, person) if s.subject == subject]
        value = mean(s.score for s in answers)
        why = "no survey answered in the period" if subject == SERVICE else "no cooperation sheet returned"
        total = sum((s.score for s in answers), ZERO)
        return _measure(
            value, total, Decimal(len(answers)), why if value is None else "", answers=len(answers)
        )

    return compute


def _plan_completion(plan: str):
    def compute(activity: Activity, person: str | None, params: Mapping[str, Any]):
        plans = [p for p in activity.of(activity.work_plans, person) if p.plan == plan]
        items = [i for p in plans for i in p.items]
        done = [i for i in items if i.done is not None and i.done <= activity.window.last]
        return _ratio(
            len(done), len(items), f"no {plan} plan for the period", plans=sorted(p.id for p in plans)
        )

    return compute


def _logs(activity: Activity, person: str | None) -> list:
    """A person's call logs; the centre's own (no person) for the department, else its agents'."""
    if person is not None:
        return activity.call_logs.get(person, [])
    own = activity.call_logs.get(None, [])
    return own or [c for p, logs in activity.call_logs.items() if p is not None for c in logs]


def transfer_rate(activity: Activity, person: str | None, params: Mapping[str, Any]):
    """Calls transferred / calls answered (全部接通电话数)."""
    logs = _logs(activity, person)
    return _ratio(
        sum(c.transferred for c in logs), sum(c.answered for c in logs), "no call answered in the period"
    )


def call_count(activity: Activity, person: str | None, params: Mapping[str, Any]):
    """Every call into or out of the centre, blocked and abandoned ones included."""
    logs = _logs(activity, person)
    calls = sum(c.calls for c in logs)
    return _measure(
        Decimal(calls),
        Decimal(calls),
        inbound=sum(c.inbound for c in logs),
        outbound=sum(c.outbound for c in logs),
        blocked=sum(c.blocked for c in logs),
        abandoned=sum(c.abandoned for c in logs),
    )


customer_satisfaction = _survey_mean(SERVICE)
cooperation_satisfaction = _survey_mean(COOPERATION)


def definitions():
    """The two tables' rows as Definitions (registered by kamkit.indicators)."""
    from .indicators import (
        Definition,
        big_customers_lost,
        feedback_timeliness,
        revisit_rate,
        service_cost_control,
    )

    M, Q, Y = "month", "quarter", "year"
    rows = (
        # 客服部关键绩效考核指标 (9 rows)
        (
            "centre_feedback_timeliness",
            "客户意见反馈及时率",
            "Feedback within standard time",
            KF,
            "1",
            (M,),
            "ratio",
            "higher",
            feedback_timeliness,
        ),
        (
            "centre_handoff_timeliness",
            "客户服务信息传递及时率",
            "Service information passed on in time",
            KF,
            "2",
            (M,),
            "ratio",
            "higher",
            handoff_timeliness,
        ),
        ("centre_revisit_rate", "客户回访率", "Revisit rate", KF, "3", (M,), "ratio", "higher", revisit_rate),
        (
            "centre_complaint_hours",
            "客户投诉解决速度",
            "Average complaint resolution time",
            KF,
            "4",
            (M,),
            "hours",
            "lower",
            complaint_hours,
        ),
        (
            "centre_complaint_satisfaction",
            "客户投诉解决满意率",
            "Satisfaction with complaint resolution",
            KF,
            "5",
            (M,),
            "ratio",
            "higher",
            complaint_satisfaction,
        ),
        (
            "centre_big_customers_lost",
            "大客户流失数",
            "Big customers lost",
            KF,
            "6",
            (M, Q, Y),
            "count",
            "lower",
            big_customers_lost,
        ),
        (
            "centre_big_customer_revisits",
            "大客户回访次数",
            "Big-customer revisits",
            KF,
            "7",
            (M, Q, Y),
            "count",
            "higher",
            big_customer_revisits,
        ),
        (
            "centre_customer_satisfaction",
            "客户满意度",
            "Customer satisfaction",
            KF,
            "8",
            (M, Q, Y),
            "score",
            "higher",
            customer_satisfaction,
        ),
        (
            "centre_cooperation_satisfaction",
            "部门协作满意度",
            "Department cooperation satisfaction",
            KF,
            "9",
            (M, Q, Y),
            "score",
            "higher",
            cooperation_satisfaction,
        ),
        # 400呼叫中心关键绩效考核指标 (7 rows)
        (
            "calls_business_plan_completion",
            "呼叫中心业务计划完成率",
            "Call-centre business plan completion",
            HJ,
            "1",
            (M, Q, Y),
            "ratio",
            "higher",
            _plan_completion("business"),
        ),
        (
            "calls_service_cost_control",
            "服务费用预算控制率",
            "Service-cost budget control",
            HJ,
            "2",
            (M, Q, Y),
            "ratio",
            "lower",
            service_cost_control,
        ),
        (
            "calls_survey_plan_completion",
            "客户调研计划完成率",
            "Customer survey plan completion",
            HJ,
            "3",
            (M, Q, Y),
            "ratio",
            "higher",
            _plan_completion("survey"),
        ),
        (
            "calls_process_plan_completion",
            "服务流程改进目标完成率",
            "Service-process improvement completion",
            HJ,
            "4",
            (M, Q, Y),
            "ratio",
            "higher",
            _plan_completion("process"),
        ),
        (
            "calls_customer_satisfaction",
            "客户满意度",
            "Customer satisfaction",
            HJ,
            "5",
            (M, Q, Y),
            "score",
            "higher",
            customer_satisfaction,
        ),
        (
            "calls_transfer_rate",
            "转接率",
            "Transfer rate",
            HJ,
            "6",
            (M, Q, Y),
            "ratio",
            "lower",
            transfer_rate,
        ),
        ("calls_call_count", "呼叫数", "Calls", HJ, "7", (M, Q, Y), "count", "higher", call_count),
    )
    return [Definition(*row) for row in rows]


CENTRE = tuple(
    f"centre_{k}"
    for k in (
        "feedback_timeliness",
        "handoff_timeliness",
        "revisit_rate",
        "complaint_hours",
        "complaint_satisfaction",
        "big_customers_lost",
        "big_customer_revisits",
        "customer_satisfaction",
        "cooperation_satisfaction",
    )
)
CALLS = tuple(
    f"calls_{k}"
    for k in (
        "business_plan_completion",
        "service_cost_control",
        "survey_plan_completion",
        "process_plan_completion",
        "customer_satisfaction",
        "transfer_rate",
        "call_count",
    )
)
