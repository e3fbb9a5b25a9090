"""Indicators computed from the records they are defined on (docs/rules.md §6).

Seed 001 §2.1 (大客户部绩效考核指标), seed 003 §四 (关键业绩指标) and the monthly visit plan of
seed 002's 客户专员月度考核表, each per person and for the department (the business line), over
the periods its seed names. Every value is an explained line (kamkit.explain.Line, unit ``info``,
kind ``indicator``) whose inputs carry the numerator, denominator, standard and clause. A ratio
whose denominator is zero is not applicable: its figure is None and it says why; it is never a 0%.

A plugin chooses its indicators with the ``indicators`` parameter (``indicator_params``) and asks
``indicator_lines(facts, window, params)`` for a month's or a quarter's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from . import facts as F
from . import service_indicators  # noqa: I001  (its rows register below; it imports this module lazily)
from .activity import NOTHING, ZERO, Activity, Window, last_working_day
from .explain import INFO, Line, LineTable
from .frozen import quick_init
from .params import Param
from .plugin import Clause
from .targets import in_force, monthly_task, quarterly_target

DEPARTMENT = "*"  # the person of a department's line: the whole business line
DEPARTMENT_ROLE = "department"
KIND = "indicator"

C001, C003, C002 = "001 §2.1", "003 §四", "002/KZY"
SECTION = "rules §6"  # the clause of a person's table of indicators; each line cites its own
INDICATOR_CLAUSES = {
    "rules §6": Clause("6", "Which indicators a line shows, whom they measure, and their standards."),
    C001: Clause(
        "6.1",
        "Big-customer department indicators: sales plan, customers lost, development plan, "
        "valid complaints, timely feedback, revisit rate, service-cost control.",
    ),
    C003: Clause(
        "6.2",
        "Key performance indicators: sales growth, maintenance-cost saving, complaint "
        "resolution, churn, new big customers, customers upgraded.",
    ),
    service_indicators.KF: Clause(
        "11.1",
        "Customer-service department KPIs: feedback and information passed on in time, revisits, "
        "complaint speed and satisfaction, big customers lost and revisited, satisfaction surveys.",
    ),
    service_indicators.HJ: Clause(
        "11.2",
        "400 call-centre KPIs: business, survey and process-improvement plans completed, service "
        "cost within budget, customer satisfaction, transfer rate, calls.",
    ),
    C002: Clause(
        "6.3",
        "Customer specialist's month: next month's visit plan by the last working day, "
        "and the month's plan completed.",
    ),
}


@quick_init  # a quarter of 10,000 people measures 130,000
@dataclass(frozen=True, slots=True)
class Measure:
    """What an indicator counted: value None when not applicable (``why`` then says why)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    why: str = ""


@dataclass(frozen=True)
class Definition:
    key: str
    zh: str
    en: str
    clause: str
    item: str  # the item's number or name in its seed table
    periods: tuple[str, ...]  # windows the seed names: month, quarter, year
    measure: str  # ratio | count | hours | flag
    better: str  # higher | lower: which side of the standard is met
    compute: Callable[[Activity, str | None, Mapping[str, Any]], Measure]
    department: bool = True  # also computed for the whole department


def _ratio(numerator, denominator, why: str, **inputs) -> Measure:
    numerator, denominator = Decimal(numerator), Decimal(denominator)
    if denominator == 0:
        return Measure(None, numerator, denominator, inputs, why)
    return Measure(numerator / denominator, numerator, denominator, inputs)


def _count(n: int, **inputs) -> Measure:
    return Measure(Decimal(n), Decimal(n), None, inputs)


# --- sales and targets ------------------------------------------------------------------------


def sales(activity: Activity, person: str | None, basis: str) -> Decimal:
    """A person's sales in the window by the line's measure: deals' prices, collections, loans
    (person None: everyone's). Summed once a person: the plan, the growth, the sheet and the carried
    sales all ask, and a quarter holds a million collections."""
    sums = (
        activity.deal_sums
        if basis == "deals"
        else activity.collection_sums
        if basis == "collections"
        else activity.loan_sums
    )
    return sums.get(person, ZERO)


def plan_of(
    person: F.Person, window: Window, params: Mapping[str, Any], facts: F.Facts | None = None
) -> Decimal | None:
    """The person's sales plan for the window (docs/rules.md §6.1, §7): a target in force for the
    window itself (a year's for a year), else the quarters' targets summed, else the months' tasks
    summed, else the line's monthly task [reading]; None when nothing sets one."""
    facts = facts if facts is not None else F.Facts(people=(person,))  # its own fields only
    if window.kind == "year":
        own = in_force(facts, person.id, window.first.year)
        if own.amount is not None:
            return own.amount
    quarters = [quarterly_target(facts, person, q) for q in window.quarters]
    if all(t.amount is not None for t in quarters) and window.kind != "month":
        return sum((t.amount for t in quarters), ZERO)
    base = params.get("base_task")
    months = [monthly_task(facts, person, m, default=base) for m in window.months]
    if any(t.amount is None for t in months):
        return None
    return sum((t.amount for t in months), ZERO)


def _sellers(activity: Activity, params) -> list[F.Person]:
    roles = set(params["indicator_roles"])
    return [p for p in activity.facts.people if p.role in roles]


def sales_plan_completion(activity: Activity, person: str | None, params) -> Measure:
    basis = params["indicator_sales"]
    people = [activity.facts.person(person)] if person is not None else _sellers(activity, params)
    # the department's completion is over the people who have a plan: a seller without one would
    # add sales to the numerator and nothing to the denominator
    plans = {p.id: plan_of(p, activity.window, params, activity.facts) for p in people if p is not None}
    planned = sum((plan for plan in plans.values() if plan), ZERO)
    counted = plans if person is not None else {pid: plan for pid, plan in plans.items() if plan}
    actual = sum((sales(activity, pid, basis) for pid in counted), ZERO)
    without = sorted(pid for pid, plan in plans.items() if not plan)
    return _ratio(actual, planned, "no sales plan for the period", basis=basis, without_plan=without)


def sales_growth(activity: Activity, person: str | None, params) -> Measure:
    """(this period's sales − the previous period's) / the previous period's [reading: the period
    before, 环比]. The previous period's sales come from ``params['previous_sales']`` (compensation
    carries them from the quarter before) or, failing that, from records of it in the facts."""
    basis = params["indicator_sales"]
    now = sales(activity, person, basis)
    previous = params.get("previous_sales")
    key = person if person is not None else DEPARTMENT
    if previous is not None and key in previous:
        before = Decimal(previous[key])
    elif params.get("previous_activity") is not None:
        before = sales(params["previous_activity"], person, basis)
    else:
        return Measure(None, now, None, {"basis": basis}, "the previous period's sales are not known")
    return _ratio(
        now - before, before, "no sales in the previous period", basis=basis, sales=now, previous=before
    )


# --- customers ----------------------------------------------------------------------------------


def big_customers_lost(activity: Activity, person: str | None, params) -> Measure:
    lost = activity.credits_of(person, F.LOST)
    return _count(len(lost), customers=sorted(c.customer.id for c in lost))


def new_big_customers(activity: Activity, person: str | None, params) -> Measure:
    won = activity.credits_of(person, F.NEW_BIG)
    return _count(len(won), customers=sorted(c.customer.id for c in won))


def upgraded_customers(activity: Activity, person: str | None, params) -> Measure:
    won = activity.credits_of(person, F.UPGRADED)
    return _count(len(won), customers=sorted(c.customer.id for c in won))


def churn_rate(activity: Activity, person: str | None, params) -> Measure:
    """Big customers lost in the period / big customers held at its start."""
    eve = activity.window.first - timedelta(days=1)
    held = [c for c in activity.of(activity.owned, person) if c.big_on(eve)]
    # losses of the customers held, whoever a loss is credited to: a rate of one book of customers
    inside = activity.window.contains
    lost = [c for c in held if any(ch.change == F.LOST and inside(ch.date) for ch in c.changes)]
    return _ratio(len(lost), len(held), "no big customer at the start of the period")


def development_plan_completion(activity: Activity, person: str | None, params) -> Measure:
    """Big customers won (new or upgraded) / big customers planned in the period's development
    plans (submitted or approved; drafts and withdrawn plans are not plans)."""
    plans = [p for p in activity.of(activity.development, person) if p.status in ("submitted", "approved")]
    planned = sum(p.planned for p in plans)
    won = activity.credits_of(person, F.NEW_BIG, F.UPGRADED)
    return _ratio(len(won), planned, "no development plan for the period", plans=sorted(p.id for p in plans))


def customer_files_complete(activity: Activity, person: str | None, params) -> Measure:
    """Big customers whose file holds every field of ``customer_file_fields`` / big customers."""
    wanted = params["customer_file_fields"]
    big = [c for c in activity.of(activity.owned, person) if c.big_on(activity.window.last)]
    complete = [c for c in big if all(getattr(c, name, None) for name in wanted)]
    return _ratio(len(complete), len(big), "no big customer on file", fields=list(wanted))


# --- service ---------------------------------------------------------------------------------


def valid_complaints(activity: Activity, person: str | None, params) -> Measure:
    valid = [c for c in activity.of(activity.complaints, person) if c.valid]
    return _count(len(valid), complaints=sorted(c.id for c in valid))


def complaint_resolution_rate(activity: Activity, person: str | None, params) -> Measure:
    """Complaints received in the period and resolved by its end / complaints received."""
    received = activity.of(activity.complaints, person)
    end = activity.window.end
    resolved = [c for c in received if _resolved_by(c, end)]
    return _ratio(len(resolved), len(received), "no complaint in the period")


def _resolved_by(complaint: F.Complaint, end) -> bool:
    if complaint.resolved_at is not None:
        return complaint.resolved_at < end
    if complaint.resolved is not None:
        return complaint.resolved < end.date()
    if complaint.hours_to_resolve is None:
        return False  # still open
    start = complaint.received_at or datetime.combine(complaint.received, time.min)
    return start + timedelta(hours=float(complaint.hours_to_resolve)) < end


def feedback_timeliness(activity: Activity, person: str | None, params) -> Measure:
    """Requests falling due in the period answered by their due time / requests falling due."""
    due = activity.of(activity.feedback, person)
    timely = [r for r in due if r.timely()]
    return _ratio(len(timely), len(due), "no customer feedback fell due in the period")


class PlanMatch(NamedTuple):
    """Planned customers against visits made: how many were done, planned, and made unplanned."""

    done: int
    planned: int
    unplanned: int


NO_MATCH = PlanMatch(0, 0, 0)


def _people_of(activity: Activity, person: str | None) -> Iterable[str]:
    if person is not None:
        return (person,)
    return sorted({*activity.plans, *activity.visits} - {None})


def _matched(activity: Activity, person: str | None, match: Callable[[str], PlanMatch]) -> PlanMatch:
    """``match`` for one person, or summed over everyone (the department): every planned or made
    pair is one person's, so the department's sets are the disjoint union of its people's."""
    counts = [match(p) for p in _people_of(activity, person)]
    return PlanMatch(
        sum(c.done for c in counts), sum(c.planned for c in counts), sum(c.unplanned for c in counts)
    )


def _month(month) -> tuple[int, int]:
    return (month.year, month.month)


def revisit_rate(activity: Activity, person: str | None, params) -> Measure:
    """Customers revisited / customers planned for a revisit (docs/rules.md §6.1 on which visit
    counts for which plan: ``revisit_matching``)."""
    by_month = params["revisit_matching"] == "planned_month"

    def match(who: str) -> PlanMatch:
        plans = activity.plans.get(who, ())
        if by_month:
            planned = {(_month(p.month), c) for p in plans for c in p.revisits}
            made = activity.revisited_monthly.get(who, NOTHING)
            return PlanMatch(len(planned & made), len(planned), 0)
        planned = {c for p in plans for c in p.revisits}
        made = activity.revisited.get(who, NOTHING)
        return PlanMatch(len(planned & made), len(planned), len(made - planned))

    counts = _matched(activity, person, match)
    if by_month:
        why = "no revisit planned in the period"
        return _ratio(counts.done, counts.planned, why, matching="planned_month")
    # a revisit of a customer nobody planned is shown, not counted for a planned one
    return _ratio(
        counts.done,
        counts.planned,
        "no revisit planned in the period",
        matching="period",
        unplanned=counts.unplanned,
    )


def service_cost_control(activity: Activity, person: str | None, params) -> Measure:
    """Service costs spent / budgeted. The department's budget is its own (a budget without a
    person), not the sum of its people's."""
    spent = sum((e.amount for e in activity.of(activity.expenses, person)), ZERO)
    budget = sum((b.amount for b in activity.budgets.get(person, ())), ZERO)
    return _ratio(spent, budget, "no service budget for the period")


def maintenance_cost_saving(activity: Activity, person: str | None, params) -> Measure:
    """(budget − spent) / budget: the share of the maintenance budget saved [reading]."""
    spent = sum((e.amount for e in activity.of(activity.expenses, person)), ZERO)
    budget = sum((b.amount for b in activity.budgets.get(person, ())), ZERO)
    return _ratio(budget - spent, budget, "no service budget for the period", spent=spent, budget=budget)


# --- the customer specialist's month (002 客户专员月度考核表) --------------------------------------


def visit_plan_on_time(activity: Activity, person: str | None, params) -> Measure:
    """Next month's visit plan submitted by this month's last working day: 1, else 0."""
    month = activity.window.months[-1]
    deadline = last_working_day(month, activity.facts.calendars)
    plan = activity.plan_for.get((person, month.next()))
    on_time = plan is not None and plan.submitted <= deadline
    return Measure(
        Decimal(int(on_time)),
        inputs={
            "plan_month": str(month.next()),
            "deadline": deadline,
            "submitted": plan.submitted if plan else None,
        },
    )


def visit_plan_completion(activity: Activity, person: str | None, params) -> Measure:
    """Planned customers visited in the month they were planned for / customers planned."""

    def match(who: str) -> PlanMatch:
        plans = activity.plans.get(who)
        if not plans:  # most people of a large line on most months: nothing to match
            return NO_MATCH
        planned = {(_month(p.month), c) for p in plans for c in {*p.customers, *p.revisits}}
        made = activity.visited_monthly.get(who, NOTHING)
        return PlanMatch(len(planned & made), len(planned), 0)

    counts = _matched(activity, person, match)
    return _ratio(counts.done, counts.planned, "no visit plan for the period")


Q, Y, M = "quarter", "year", "month"
DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "sales_plan_completion",
            "大客户销售计划完成率",
            "Sales plan completion",
            C001,
            "1",
            (Q, Y),
            "ratio",
            "higher",
            sales_plan_completion,
        ),
        Definition(
            "big_customers_lost",
            "大客户流失数",
            "Big customers lost",
            C001,
            "3",
            (M, Q, Y),
            "count",
            "lower",
            big_customers_lost,
        ),
        Definition(
            "development_plan_completion",
            "大客户开发计划完成率",
            "Development plan completion",
            C001,
            "4",
            (Q, Y),
            "ratio",
            "higher",
            development_plan_completion,
        ),
        Definition(
            "valid_complaints",
            "大客户有效投诉次数",
            "Valid complaints",
            C001,
            "5",
            (Q, Y),
            "count",
            "lower",
            valid_complaints,
        ),
        Definition(
            "feedback_timeliness",
            "大客户意见反馈及时率",
            "Timely feedback rate",
            C001,
            "6",
            (Q, Y),
            "ratio",
            "higher",
            feedback_timeliness,
        ),
        Definition(
            "revisit_rate", "大客户回访率", "Revisit rate", C001, "7", (Q, Y), "ratio", "higher", revisit_rate
        ),
        Definition(
            "service_cost_control",
            "服务费用控制",
            "Service-cost control",
            C001,
            "8",
            (Q, Y),
            "ratio",
            "lower",
            service_cost_control,
        ),
        Definition(
            "customer_files_complete",
            "大客户信息档案完整性",
            "Customer files complete",
            C001,
            "定性1",
            (Y,),
            "ratio",
            "higher",
            customer_files_complete,
        ),
        Definition(
            "sales_growth",
            "大客户销售收入增长率",
            "Sales growth rate",
            C003,
            "1",
            (Q, Y),
            "ratio",
            "higher",
            sales_growth,
        ),
        Definition(
            "maintenance_cost_saving",
            "大客户维护费用节省率",
            "Maintenance-cost saving",
            C003,
            "2",
            (Q, Y),
            "ratio",
            "higher",
            maintenance_cost_saving,
        ),
        Definition(
            "complaint_resolution_rate",
            "大客户投诉解决率",
            "Complaint resolution rate",
            C003,
            "3",
            (Q, Y),
            "ratio",
            "higher",
            complaint_resolution_rate,
        ),
        Definition(
            "churn_rate", "大客户流失率", "Churn rate", C003, "4", (Q, Y), "ratio", "lower", churn_rate
        ),
        Definition(
            "new_big_customers",
            "开发目标大客户的数量",
            "New big customers",
            C003,
            "5",
            (Q, Y),
            "count",
            "higher",
            new_big_customers,
        ),
        Definition(
            "upgraded_customers",
            "提升普通客户为大客户的数量",
            "Customers upgraded to big",
            C003,
            "6",
            (Q, Y),
            "count",
            "higher",
            upgraded_customers,
        ),
        Definition(
            "visit_plan_on_time",
            "次月拜访工作计划按时上报",
            "Next month's visit plan on time",
            C002,
            "1",
            (M,),
            "flag",
            "higher",
            visit_plan_on_time,
            department=False,
        ),
        Definition(
            "visit_plan_completion",
            "拜访目标完成率",
            "Visit plan completion",
            C002,
            "1",
            (M,),
            "ratio",
            "higher",
            visit_plan_completion,
        ),
    )
}
# The sales departments' tables (001 §2.1, 003 §四, 002/KZY): a sales line's default set.
ALL_INDICATORS = tuple(DEFINITIONS)
# the service centre's and the call centre's tables (seed 002, docs/rules.md §11)
DEFINITIONS.update({d.key: d for d in service_indicators.definitions()})

# Standards the seeds print (003 §十一's 90%) or the suite sets [default]: met when the value is on
# the definition's ``better`` side of it; None: the seed sets none (the figure is shown, not judged).
STANDARDS = {
    "sales_plan_completion": Decimal("0.9"),
    "big_customers_lost": Decimal(0),
    "development_plan_completion": Decimal(1),
    "valid_complaints": Decimal(0),
    "feedback_timeliness": Decimal(1),
    "revisit_rate": Decimal(1),
    "service_cost_control": Decimal(1),
    "customer_files_complete": Decimal(1),
    "sales_growth": Decimal(0),
    "maintenance_cost_saving": Decimal(0),
    "complaint_resolution_rate": Decimal(1),
    "churn_rate": Decimal(0),
    "visit_plan_on_time": Decimal(1),
    "visit_plan_completion": Decimal(1),
}


def indicator_params(
    *, default_set: Sequence[str], sales_basis: str, roles: Sequence[str]
) -> tuple[Param, ...]:
    """The indicator parameters of a plugin, with its own default set and sales measure."""
    return (
        Param(
            "indicators",
            list(default_set),
            "list",
            "rules §6",
            "Indicators on this line's sheets (keys of docs/rules.md §6); each is shown for the "
            "periods its seed names.",
            "default",
        ),
        Param(
            "indicator_sales",
            sales_basis,
            "text",
            C001,
            "What counts as a person's sales for the sales-plan and growth indicators: deals, "
            "collections or loans.",
            "reading",
        ),
        Param(
            "indicator_roles",
            list(roles),
            "list",
            "rules §6",
            "Roles measured by the indicators (everyone else is not a salesperson).",
            "default",
        ),
        Param(
            "indicator_standards",
            dict(STANDARDS),
            "map",
            "rules §6",
            "Standard of each indicator (the 90% sales standard is 003 §十一's; the rest are the "
            "suite's: a plan met in full, nothing lost, no valid complaint, spend within budget).",
            "default",
        ),
        Param(
            "revisit_matching",
            "period",
            "text",
            C001,
            "Which revisit counts for a planned one: 'period' (the seed's formula: customers "
            "revisited in the period / customers planned for a revisit in it) or 'planned_month' "
            "(only a revisit in the month the plan named).",
            "reading",
        ),
        Param(
            "handoff_days",
            1,
            "days",
            service_indicators.KF,
            "Working days within which information for another department is passed on (客户服务信息"
            "传递及时率: the seed says 'in the standard time' and prints none).",
            "default",
        ),
        Param(
            "customer_file_fields",
            ["name", "segment", "owner"],
            "list",
            C001,
            "Fields a big customer's file must hold to count as complete (定性1).",
            "reading",
        ),
    )


# The inputs of an indicator's line, in order: one LineTable row a value (indicator_blocks), so a
# quarter of 10,000 people is 30,000 compact rows, not 130,000 lines. ``detail`` holds what the
# indicator counted beyond its ratio (the customers lost, the plans read, ...); the four texts are the
# value and its judgement as the reasons show them.
COLUMNS = (
    "clause",
    "indicator",
    "item",
    "name_zh",
    "name_en",
    "period",
    "measure",
    "value",
    "numerator",
    "denominator",
    "standard",
    "better",
    "met",
    "applicable",
    "not_applicable_because",
    "detail",
    "shown_zh",
    "shown_en",
    "judged_zh",
    "judged_en",
)
# what a row stores; the other COLUMNS are derived on reading (derived_inputs)
STORED = (
    "clause",
    "indicator",
    "period",
    "numerator",
    "denominator",
    "standard",
    "met",
    "not_applicable_because",
    "detail",
)
REASON_ZH = "{name_zh}（{period}）：{shown_zh}{judged_zh}"
REASON_EN = "{name_en} ({period}): {shown_en}{judged_en}"


@quick_init
@dataclass(frozen=True, slots=True)
class Value:
    """One indicator's figure for one person (or the department) and one period."""

    definition: Definition
    person: str
    role: str
    window: Window
    measure: Measure
    standard: Decimal | None

    @property
    def met(self) -> bool | None:
        value, standard = self.measure.value, self.standard
        if value is None or standard is None:
            return None
        return value >= standard if self.definition.better == "higher" else value <= standard

    def row(self) -> tuple:
        """(figure, *inputs in STORED order): the value as a LineTable row. The rest of COLUMNS
        (names, kinds, the figures as text) are derived from these as the row is read."""
        m = self.measure
        return (
            m.value,
            self.definition.clause,
            self.definition.key,
            self.window.label,
            m.numerator,
            m.denominator,
            self.standard,
            self.met,
            m.why or None,
            dict(m.inputs),
        )

    def line(self) -> Line:
        """The value as the line its sheet shows (exactly what its table row stands for)."""
        (line,) = _table(self.person, self.role, [self.row()]).lines()
        return line


def _table(person: str, role: str, rows: list) -> LineTable:
    """A person's indicators, each row its own clause (the table's: docs/rules.md §6)."""
    return LineTable(person, role, INFO, KIND, SECTION, REASON_ZH, REASON_EN, STORED, rows, KIND)


def derived_inputs(figure: Any, stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row's inputs in COLUMNS order (less the clause, the line's own): the definition's
    names and kinds, and the figures as text (kamkit.explain.DERIVERS). ``figure`` and the stored
    figures are Decimals, or their text as the services store them."""
    key = stored["indicator"]
    d = DEFINITIONS.get(key)
    measure, better = (d.measure, d.better) if d else ("count", "higher")
    numerator, denominator, standard = (_decimal(stored[k]) for k in ("numerator", "denominator", "standard"))
    met, why = stored["met"], stored["not_applicable_because"]
    if figure is None:
        shown_zh, shown_en = "不适用", f"not applicable: {why or ''}"
    else:
        shown_zh = shown_en = _shown(_decimal(figure), measure)
    if denominator is not None:
        of = f"{numerator} / {denominator}"
        shown_zh, shown_en = f"{shown_zh}，{of}", f"{shown_en}, {of}"
    if met is None:
        judged_zh = judged_en = ""
    else:
        level = _shown(standard, measure)
        judged_zh = f"，标准 {level}，{'达标' if met else '未达标'}"
        judged_en = f", standard {level}, {'met' if met else 'not met'}"
    return {
        "indicator": key,
        "item": d.item if d else "",
        "name_zh": d.zh if d else key,
        "name_en": d.en if d else key,
        "period": stored["period"],
        "measure": measure,
        "value": figure,
        "numerator": stored["numerator"],
        "denominator": stored["denominator"],
        "standard": stored["standard"],
        "better": better,
        "met": met,
        "applicable": figure is not None,
        "not_applicable_because": why,
        "detail": stored["detail"],
        "shown_zh": shown_zh,
        "shown_en": shown_en,
        "judged_zh": judged_zh,
        "judged_en": judged_en,
    }


def _decimal(value: Any) -> Decimal | None:
    return value if value is None or isinstance(value, Decimal) else Decimal(value)


def _shown(value: Decimal, measure: str) -> str:
    if measure == "ratio":
        return f"{value * 100:.2f}%"
    if measure == "hours":
        return f"{value:.2f} h"
    if measure == "score":  # a mean of 0-100 answers
        return f"{value:.2f}"
    return f"{value.normalize():f}"


def compute(
    facts: F.Facts, window: Window, params: Mapping[str, Any], *, keys: Sequence[str] | None = None
) -> list[Value]:
    """The indicators of ``keys`` (default: the line's ``indicators``) that the seed names for this
    window's kind, for every measured person and the department, in definition order."""
    wanted = [k for k in (keys if keys is not None else params["indicators"]) if k in DEFINITIONS]
    definitions = [DEFINITIONS[k] for k in wanted if window.kind in DEFINITIONS[k].periods]
    if not definitions:
        return []
    activity = Activity.indexed(facts, window)
    standards = {**STANDARDS, **params["indicator_standards"]}
    people = sorted(_sellers(activity, params), key=lambda p: p.id)  # not roster order: the same facts
    out = []
    for person in people:
        for d in definitions:
            out.append(
                Value(
                    d,
                    person.id,
                    person.role,
                    window,
                    d.compute(activity, person.id, params),
                    standards.get(d.key),
                )
            )
    for d in definitions:
        if d.department:
            out.append(
                Value(
                    d,
                    DEPARTMENT,
                    DEPARTMENT_ROLE,
                    window,
                    d.compute(activity, None, params),
                    standards.get(d.key),
                )
            )
    return out


def indicator_lines(facts: F.Facts, window: Window, params: Mapping[str, Any], **kw) -> Iterator[Line]:
    """The indicators as lines (what ``indicator_blocks`` stands for)."""
    for block in indicator_blocks(facts, window, params, **kw):
        yield from block.lines()


def indicator_blocks(facts: F.Facts, window: Window, params: Mapping[str, Any], **kw) -> list[LineTable]:
    """The indicators as a sheet holds them: a LineTable a person (each row citing its own clause),
    in order: a quarter of 10,000 people is 10,000 stored rows."""
    blocks: list[LineTable] = []
    for value in compute(facts, window, params, **kw):
        last = blocks[-1] if blocks else None
        if last is None or last.person != value.person:
            last = _table(value.person, value.role, [])
            blocks.append(last)
        last.rows.append(value.row())
    return blocks


def sales_by_person(facts: F.Facts, window: Window, params: Mapping[str, Any]) -> dict[str, str]:
    """Each measured person's sales in the window (and the department's), for the next period's
    growth rate: compensation carries it."""
    activity = Activity.indexed(facts, window)
    basis = params["indicator_sales"]
    out = {p.id: str(sales(activity, p.id, basis)) for p in _sellers(activity, params)}
    out[DEPARTMENT] = str(sales(activity, None, basis))
    return out
