"""docs/rules.md §6 indicators (kamkit.indicators) computed from small facts documents, every figure
worked out by hand in a comment, on both sides of its standard, and the not-applicable cases (a zero
denominator is None with ``applicable: False`` and a reason, never 0). The quarter's indicator section
(kamkit.sections) hands its sales on to the next quarter's growth rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kamkit.activity import Activity, Window, last_working_day
from kamkit.errors import InvalidFacts
from kamkit.explain import INFO, Lines
from kamkit.facts_schema import load_facts
from kamkit.indicators import DEPARTMENT, compute
from kamkit.periods import Month, Quarter
from kamkit.sections import CARRIED_SALES, month_indicators, quarter_indicators
from plugins.software import SoftwarePlugin
from plugins.telecom import TelecomPlugin

TELECOM = TelecomPlugin().params  # sales are deals; base task 20,000 a month
SOFTWARE = SoftwarePlugin().params  # sales are collections; a person's quarterly_target
Q1 = Window.of(Quarter(2026, 1))
Q2 = Window.of(Quarter(2026, 2))
Y2026 = Window.of(2026)

NO_PLAN = "no sales plan for the period"


def am(pid, **kw):
    return {"id": pid, "role": "account_manager", **kw}


# Three account managers (measured) and a deputy manager (not a salesperson: never measured).
PEOPLE = [am("am1"), am("am2"), am("am3"), {"id": "dm1", "role": "deputy_manager"}]


def facts(people=None, **records):
    return load_facts({"people": PEOPLE if people is None else people, **records})


def customers(*ids, owner=None):
    return [{"id": c, **({"owner": owner} if owner else {})} for c in ids]


def values(f, key, window=Q1, params=TELECOM):
    """The indicator ``key`` of every measured person and the department, by person."""
    out = {v.person: v for v in compute(f, window, params) if v.definition.key == key}
    assert "dm1" not in out  # a deputy manager is not a salesperson
    return out


def d(text: str) -> Decimal:
    return Decimal(text)


def r4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))


def check(value, figure, numerator=None, denominator=None, met=None):
    """The value's figure (compared to 4 places when given as a 4-place string), its numerator and
    denominator, and whether it met the standard."""
    m = value.measure
    got = r4(m.value) if isinstance(figure, str) else m.value
    assert got == (d(figure) if isinstance(figure, str) else figure)
    if numerator is not None:
        assert m.numerator == numerator
    if denominator is not None:
        assert m.denominator == denominator
    assert value.met is met
    line = value.line()
    assert line.figure == m.value and line.unit == INFO and line.kind == "indicator"
    assert line.inputs["applicable"] is True and line.inputs["not_applicable_because"] is None
    assert line.inputs["met"] is met


def not_applicable(value, why):
    assert value.measure.value is None
    assert value.met is None
    line = value.line()
    assert line.figure is None  # not a 0, not a 0%
    assert line.inputs["applicable"] is False
    assert line.inputs["not_applicable_because"] == why
    assert line.inputs["value"] is None
    assert f"not applicable: {why}" in line.reason_en and "不适用" in line.reason_zh


# --- 001 §2.1 item 1: sales plan completion ------------------------------------------------------


def test_sales_plan_completion_on_deals_with_monthly_task_and_base_task():
    f = facts(
        people=[am("am1", monthly_task="10000"), am("am2"), {"id": "dm1", "role": "deputy_manager"}],
        deals=[
            {"id": "d1", "seller": "am1", "date": "2026-01-10", "list_price": 12000, "deal_price": 12000},
            {"id": "d2", "seller": "am1", "date": "2026-03-31", "list_price": 15000, "deal_price": 15000},
            {"id": "d3", "seller": "am1", "date": "2026-04-01", "list_price": 5000, "deal_price": 5000},
            {
                "id": "d4",
                "seller": "am2",
                "date": "2026-02-01",
                "list_price": 60000,
                "deal_price": "53999.99",
            },
            # an agent's sale and a deputy manager's are nobody's plan
            {
                "id": "d5",
                "seller": "ag1",
                "agent": True,
                "date": "2026-02-02",
                "list_price": 9,
                "deal_price": 9,
            },
            {"id": "d6", "seller": "dm1", "date": "2026-02-03", "list_price": 1000, "deal_price": 1000},
        ],
    )
    v = values(f, "sales_plan_completion")
    # am1: monthly task 10,000 x 3 months = 30,000; deals 12,000 + 15,000 = 27,000 (d3 is April)
    #      -> 27,000 / 30,000 = 0.9 exactly: met (standard 90%)
    check(v["am1"], d("0.9"), d(27000), d(30000), met=True)
    assert v["am1"].standard == d("0.9") and v["am1"].line().inputs["detail"]["basis"] == "deals"
    # am2: no monthly task -> base task 20,000 x 3 = 60,000; 53,999.99 / 60,000 = 0.89999983: not met
    check(v["am2"], "0.9000", d("53999.99"), d(60000), met=False)
    assert v["am2"].measure.value < d("0.9")
    # department: 27,000 + 53,999.99 = 80,999.99 / (30,000 + 60,000) = 0.89999989: not met
    check(v[DEPARTMENT], "0.9000", d("80999.99"), d(90000), met=False)
    assert v[DEPARTMENT].role == "department"


def test_sales_plan_completion_on_collections_with_quarterly_target():
    people = [am("am1", quarterly_target="100000"), am("am2", quarterly_target="100000")]
    f = facts(
        people=people,
        collections=[
            {"id": "c1", "rep": "am1", "date": "2026-01-15", "amount": 60000},
            {"id": "c2", "rep": "am1", "date": "2026-03-20", "amount": 30000},
            {"id": "c3", "rep": "am1", "date": "2025-12-31", "amount": 99999},
            {"id": "c4", "rep": "am2", "date": "2026-02-01", "amount": "89999.99"},
        ],
    )
    v = values(f, "sales_plan_completion", params=SOFTWARE)
    # am1: target 100,000 x 1 quarter; collections 60,000 + 30,000 = 90,000 (c3 is 2025)
    #      -> 0.9 exactly: met
    check(v["am1"], d("0.9"), d(90000), d(100000), met=True)
    assert v["am1"].line().inputs["detail"]["basis"] == "collections"
    # am2: 89,999.99 / 100,000 = 0.8999999: just below, not met
    check(v["am2"], d("0.8999999"), d("89999.99"), d(100000), met=False)
    # department: 179,999.99 / 200,000 = 0.89999995: not met
    check(v[DEPARTMENT], d("0.89999995"), d("179999.99"), d(200000), met=False)
    # a year: target 100,000 x 4 quarters = 400,000; am1 collected 90,000 in 2026 -> 0.225
    y = values(f, "sales_plan_completion", Y2026, SOFTWARE)
    check(y["am1"], d("0.225"), d(90000), d(400000), met=False)


def test_sales_plan_completion_without_a_target_is_not_applicable():
    # software has no base task: a person without a quarterly target has no plan, whatever they sold
    f = facts(collections=[{"id": "c1", "rep": "am1", "date": "2026-01-15", "amount": 5000}])
    v = values(f, "sales_plan_completion", params=SOFTWARE)
    not_applicable(v["am1"], NO_PLAN)
    assert v["am1"].measure.numerator == d(5000) and v["am1"].measure.denominator == 0
    not_applicable(v[DEPARTMENT], NO_PLAN)  # nobody has a plan: 5,000 / 0


def test_sales_plan_completion_is_not_a_month_indicator():
    f = facts(deals=[{"id": "d1", "seller": "am1", "date": "2026-01-10", "list_price": 1, "deal_price": 1}])
    assert values(f, "sales_plan_completion", Window.of(Month(2026, 1))) == {}


# --- 001 §2.1 item 3: big customers lost ----------------------------------------------------------


LOSSES = [
    # c1: lost in February, nobody named -> the owner am1
    {"id": "c1", "owner": "am1", "big": True, "changes": [{"date": "2026-02-10", "change": "lost"}]},
    # c2: owned by am1 but the loss is am2's (the change names the person): credited to am2
    {
        "id": "c2",
        "owner": "am1",
        "big": True,
        "changes": [{"date": "2026-03-05", "change": "lost", "person": "am2"}],
    },
    # c3 lost on 2025-12-31 and c4 on 2026-04-01: outside Q1
    {"id": "c3", "owner": "am2", "big": True, "changes": [{"date": "2025-12-31", "change": "lost"}]},
    {"id": "c4", "owner": "am2", "big": True, "changes": [{"date": "2026-04-01", "change": "lost"}]},
    # c5 downgraded: no longer big, but not a loss
    {"id": "c5", "owner": "am3", "big": True, "changes": [{"date": "2026-02-01", "change": "downgraded"}]},
]


def test_big_customers_lost_over_a_quarter_credits_the_change_person_over_the_owner():
    v = values(facts(customers=LOSSES), "big_customers_lost")
    # am1: c1 (owner, no person named) = 1; standard 0 lost: not met
    check(v["am1"], d(1), d(1), met=False)
    assert v["am1"].line().inputs["detail"]["customers"] == ["c1"]
    # am2: c2 (named on the change, though am1 owns it) = 1; c3 and c4 fall outside Q1
    check(v["am2"], d(1), met=False)
    assert v["am2"].line().inputs["detail"]["customers"] == ["c2"]
    # am3: c5 was downgraded, not lost: 0 -> met
    check(v["am3"], d(0), met=True)
    # department: c1 + c2 = 2
    check(v[DEPARTMENT], d(2), met=False)
    assert v[DEPARTMENT].line().inputs["detail"]["customers"] == ["c1", "c2"]
    assert v[DEPARTMENT].measure.denominator is None  # a count, not a ratio


def test_big_customers_lost_over_a_month():
    f = facts(customers=LOSSES)
    feb = values(f, "big_customers_lost", Window.of(Month(2026, 2)))
    # February: only c1 (2026-02-10) -> am1 1, am2 0 (c2 is March), department 1
    check(feb["am1"], d(1), met=False)
    check(feb["am2"], d(0), met=True)
    check(feb[DEPARTMENT], d(1), met=False)
    mar = values(f, "big_customers_lost", Window.of(Month(2026, 3)))
    # March: only c2 (2026-03-05), credited to am2
    check(mar["am1"], d(0), met=True)
    check(mar["am2"], d(1), met=False)
    # April: c4 (2026-04-01) is am2's, the owner
    apr = values(f, "big_customers_lost", Window.of(Month(2026, 4)))
    check(apr["am2"], d(1), met=False)
    check(apr[DEPARTMENT], d(1), met=False)


# --- 001 §2.1 item 4: development plan completion -------------------------------------------------


def test_development_plan_completion():
    plans = [
        {"id": "dp1", "person": "am1", "quarter": "2026-Q1", "planned": 2, "status": "submitted"},
        {"id": "dp2", "person": "am1", "quarter": "2026-Q1", "planned": 5, "status": "draft"},
        {"id": "dp3", "person": "am1", "quarter": "2026-Q1", "planned": 4, "status": "withdrawn"},
        {"id": "dp4", "person": "am2", "quarter": "2026-Q1", "planned": 2, "status": "approved"},
        {"id": "dp5", "person": "am2", "quarter": "2026-Q2", "planned": 3},
        {"id": "dp6", "person": "am3", "quarter": "2026-Q1", "planned": 6, "status": "draft"},
    ]
    cust = [
        {"id": "c1", "owner": "am1", "changes": [{"date": "2026-01-20", "change": "new_big"}]},
        {"id": "c2", "owner": "am1", "changes": [{"date": "2026-02-15", "change": "upgraded"}]},
        # won by am1 though am2 owns it
        {
            "id": "c3",
            "owner": "am2",
            "changes": [{"date": "2026-03-01", "change": "upgraded", "person": "am1"}],
        },
        {"id": "c4", "owner": "am2", "changes": [{"date": "2026-03-31", "change": "new_big"}]},
        {"id": "c5", "owner": "am2", "changes": [{"date": "2026-04-01", "change": "new_big"}]},  # Q2
    ]
    v = values(facts(customers=cust, development_plans=plans), "development_plan_completion")
    # am1: planned 2 (dp1; the draft dp2 and the withdrawn dp3 are not plans); won c1, c2, c3 = 3
    #      -> 3 / 2 = 1.5, over 100%: met (standard 100%)
    check(v["am1"], d("1.5"), d(3), d(2), met=True)
    assert v["am1"].line().inputs["detail"]["plans"] == ["dp1"]
    # am2: planned 2 (dp4 approved; dp5 is Q2); won c4 = 1 (c5 is April) -> 1 / 2 = 0.5: not met
    check(v["am2"], d("0.5"), d(1), d(2), met=False)
    # am3: only a draft -> 0 planned: not applicable
    not_applicable(v["am3"], "no development plan for the period")
    # department: planned 2 + 2 = 4, won 3 + 1 = 4 -> 1.0 exactly: met
    check(v[DEPARTMENT], d(1), d(4), d(4), met=True)


# --- 001 §2.1 item 5: valid complaints ------------------------------------------------------------


def test_valid_complaints_count_staff_and_company_faults_only():
    f = facts(
        complaints=[
            {"id": "k1", "person": "am1", "received": "2026-01-05", "fault": "none"},
            {"id": "k2", "person": "am1", "received": "2026-02-05", "fault": "staff"},
            {"id": "k3", "person": "am1", "received": "2026-03-05", "fault": "company"},
            {"id": "k4", "person": "am2", "received": "2026-03-10"},  # fault none by default
            {"id": "k5", "person": "am2", "received": "2026-04-01", "fault": "staff"},  # Q2
        ]
    )
    v = values(f, "valid_complaints")
    # am1: k2 (staff) + k3 (company) = 2; k1's fault is none -> 2: not met (standard 0)
    check(v["am1"], d(2), met=False)
    assert v["am1"].line().inputs["detail"]["complaints"] == ["k2", "k3"]
    # am2: k4 fault none, k5 in April -> 0: met
    check(v["am2"], d(0), met=True)
    check(v[DEPARTMENT], d(2), met=False)


# --- 001 §2.1 item 6: feedback timeliness ---------------------------------------------------------


FEEDBACK = [
    # answered exactly at the due time: timely
    {
        "id": "f1",
        "person": "am1",
        "raised_at": "2026-03-01T08:00:00",
        "due_at": "2026-03-02T08:00:00",
        "answered_at": "2026-03-02T08:00:00",
    },
    # one second later: not timely
    {
        "id": "f2",
        "person": "am1",
        "raised_at": "2026-03-01T08:00:00",
        "due_at": "2026-03-02T08:00:00",
        "answered_at": "2026-03-02T08:00:01",
    },
    # never answered: not timely
    {"id": "f3", "person": "am1", "raised_at": "2026-03-09T12:00:00", "due_at": "2026-03-10T12:00:00"},
    # raised in Q1, due on 2026-04-01: counted in Q2 (the window its due time falls in)
    {
        "id": "f4",
        "person": "am1",
        "raised_at": "2026-03-30T09:00:00",
        "due_at": "2026-04-01T00:00:00",
        "answered_at": "2026-04-02T09:00:00",
    },
    # raised in 2025-Q4, due in Q1, answered early: timely, counted in Q1
    {
        "id": "f5",
        "person": "am1",
        "raised_at": "2025-12-30T09:00:00",
        "due_at": "2026-01-02T09:00:00",
        "answered_at": "2026-01-01T09:00:00",
    },
    {
        "id": "f6",
        "person": "am2",
        "raised_at": "2026-02-01T09:00:00",
        "due_at": "2026-02-03T09:00:00",
        "answered_at": "2026-02-02T09:00:00",
    },
    # am3's only request falls due in Q2
    {"id": "f7", "person": "am3", "raised_at": "2026-03-31T09:00:00", "due_at": "2026-04-02T09:00:00"},
]


def test_feedback_timeliness():
    f = facts(feedback_requests=FEEDBACK)
    v = values(f, "feedback_timeliness")
    # am1: due in Q1 f1, f2, f3, f5 = 4; timely f1 (at the due time) and f5 = 2 -> 2/4 = 0.5: not met
    check(v["am1"], d("0.5"), d(2), d(4), met=False)
    # am2: f6 answered a day early -> 1/1 = 1: met (standard 100%)
    check(v["am2"], d(1), d(1), d(1), met=True)
    # am3: nothing fell due in Q1 -> not applicable
    not_applicable(v["am3"], "no customer feedback fell due in the period")
    # department: 5 due (f1, f2, f3, f5, f6), 3 timely -> 3/5 = 0.6
    check(v[DEPARTMENT], d("0.6"), d(3), d(5), met=False)
    q2 = values(f, "feedback_timeliness", Q2)
    # Q2: am1's f4 is due 2026-04-01 00:00 and answered on the 2nd -> 0/1 = 0 (a figure, not n/a)
    check(q2["am1"], d(0), d(0), d(1), met=False)
    # am3's f7 unanswered -> 0/1; am2 has nothing due in Q2
    check(q2["am3"], d(0), d(0), d(1), met=False)
    not_applicable(q2["am2"], "no customer feedback fell due in the period")


# --- 001 §2.1 item 7: revisit rate, under both readings of revisit_matching ----------------------


REVISIT_CUSTOMERS = customers("c1", "c2", "c3", "c4", "c9")
REVISITS = {
    "customers": REVISIT_CUSTOMERS,
    "visit_plans": [
        # am1 plans to revisit c1, c2, c3 in March
        {"person": "am1", "month": "2026-03", "submitted": "2026-02-27", "revisits": ["c1", "c2", "c3"]},
        # am2 plans to revisit c4 in January
        {"person": "am2", "month": "2026-01", "submitted": "2025-12-31", "revisits": ["c4"]},
    ],
    "visits": [
        {"id": "v1", "person": "am1", "customer": "c1", "date": "2026-03-10", "purpose": "revisit"},
        {"id": "v2", "person": "am1", "customer": "c2", "date": "2026-02-20", "purpose": "revisit"},
        {"id": "v3", "person": "am1", "customer": "c3", "date": "2026-04-08", "purpose": "revisit"},
        {"id": "v4", "person": "am1", "customer": "c3", "date": "2026-03-11"},  # a first visit
        {"id": "v5", "person": "am2", "customer": "c4", "date": "2026-01-15", "purpose": "revisit"},
    ],
}


def test_revisit_rate_period_reading():
    f = facts(**REVISITS)
    params = {**TELECOM, "revisit_matching": "period"}
    v = values(f, "revisit_rate", Q1, params)
    # am1: 3 planned revisits (c1, c2, c3); revisited in Q1: c1 (March) and c2 (February: any month
    #      of the period counts); c3 only had a first visit in Q1, its revisit is April -> 2/3 = 0.6667
    check(v["am1"], "0.6667", d(2), d(3), met=False)
    assert v["am1"].line().inputs["detail"]["matching"] == "period"
    # am2: c4 planned and revisited -> 1/1 = 1: met
    check(v["am2"], d(1), d(1), d(1), met=True)
    not_applicable(v["am3"], "no revisit planned in the period")
    # department: 4 planned, 3 revisited -> 0.75
    check(v[DEPARTMENT], d("0.75"), d(3), d(4), met=False)
    # the year: the March plan's c3 revisited in April now counts -> am1 3/3 = 1: met
    y = values(f, "revisit_rate", Y2026, params)
    check(y["am1"], d(1), d(3), d(3), met=True)
    check(y[DEPARTMENT], d(1), d(4), d(4), met=True)
    # Q2: the April revisit has no plan in Q2 -> nothing planned, not applicable
    not_applicable(values(f, "revisit_rate", Q2, params)["am1"], "no revisit planned in the period")


def test_revisit_rate_planned_month_reading():
    f = facts(**REVISITS)
    params = {**TELECOM, "revisit_matching": "planned_month"}
    v = values(f, "revisit_rate", Q1, params)
    # am1: 3 planned for March; revisited in March: c1 only (c2 was February, c3 April) -> 1/3
    check(v["am1"], "0.3333", d(1), d(3), met=False)
    assert v["am1"].line().inputs["detail"]["matching"] == "planned_month"
    # am2: c4 planned for January, revisited in January -> 1/1
    check(v["am2"], d(1), d(1), d(1), met=True)
    not_applicable(v["am3"], "no revisit planned in the period")
    # department: 4 planned, 2 in their month -> 0.5
    check(v[DEPARTMENT], d("0.5"), d(2), d(4), met=False)
    # the year: c3 revisited in April still is not the March revisit planned -> 1/3 (period: 3/3)
    y = values(f, "revisit_rate", Y2026, params)
    check(y["am1"], "0.3333", d(1), d(3), met=False)
    not_applicable(values(f, "revisit_rate", Q2, params)["am1"], "no revisit planned in the period")


def test_revisit_rate_period_reading_counts_only_planned_customers():
    f = facts(
        customers=REVISIT_CUSTOMERS,
        visit_plans=[
            {"person": "am1", "month": "2026-03", "submitted": "2026-02-27", "revisits": ["c1", "c2"]}
        ],
        visits=[
            {"id": "v1", "person": "am1", "customer": "c1", "date": "2026-03-10", "purpose": "revisit"},
            {"id": "v2", "person": "am1", "customer": "c9", "date": "2026-03-12", "purpose": "revisit"},
        ],
    )
    v = values(f, "revisit_rate", Q1, {**TELECOM, "revisit_matching": "period"})
    # 2 planned revisits (c1, c2); c1 revisited, c2 not; c9 was never planned -> 1/2 = 0.5, not met
    check(v["am1"], d("0.5"), d(1), d(2), met=False)


# --- 001 §2.1 item 8 and 003 §四 item 2: service cost control, maintenance-cost saving -----------


BUDGETS = {
    "budgets": [
        {"quarter": "2026-Q1", "amount": 3000, "person": "am1"},
        {"quarter": "2026-Q2", "amount": 5000, "person": "am1"},
        {"quarter": "2026-Q1", "amount": 2000, "person": "am2"},
        {"quarter": "2026-Q1", "amount": 10000},  # the department's own budget
    ],
    "expenses": [
        {"id": "e1", "date": "2026-01-10", "amount": 1000, "person": "am1"},
        {"id": "e2", "date": "2026-03-31", "amount": 2000, "person": "am1"},
        {"id": "e3", "date": "2026-04-01", "amount": 700, "person": "am1"},  # Q2
        {"id": "e4", "date": "2026-02-10", "amount": 2500, "person": "am2"},
        {"id": "e5", "date": "2026-02-11", "amount": 100, "person": "am3"},
        {"id": "e6", "date": "2026-03-01", "amount": 4000},  # spent by the department
    ],
}


def test_service_cost_control():
    v = values(facts(**BUDGETS), "service_cost_control")
    # am1: spent 1,000 + 2,000 = 3,000 (e3 is April) of a 3,000 budget -> 1.0 exactly: met (<= 100%)
    check(v["am1"], d(1), d(3000), d(3000), met=True)
    # am2: 2,500 / 2,000 = 1.25: above budget, not met
    check(v["am2"], d("1.25"), d(2500), d(2000), met=False)
    # am3: spent 100 with no budget: not applicable
    not_applicable(v["am3"], "no service budget for the period")
    # department: everything spent in Q1, 3,000 + 2,500 + 100 + 4,000 = 9,600, against its own
    # person-less budget 10,000 only (not 10,000 + 3,000 + 2,000) -> 0.96: met
    check(v[DEPARTMENT], d("0.96"), d(9600), d(10000), met=True)


def test_maintenance_cost_saving():
    v = values(facts(**BUDGETS), "maintenance_cost_saving")
    # am1: (3,000 - 3,000) / 3,000 = 0: met (standard 0: nothing overspent)
    check(v["am1"], d(0), d(0), d(3000), met=True)
    # am2: (2,000 - 2,500) / 2,000 = -0.25: not met
    check(v["am2"], d("-0.25"), d(-500), d(2000), met=False)
    assert v["am2"].line().inputs["detail"]["spent"] == d(2500) and v["am2"].line().inputs["detail"][
        "budget"
    ] == d(2000)
    not_applicable(v["am3"], "no service budget for the period")
    # department: (10,000 - 9,600) / 10,000 = 0.04: met
    check(v[DEPARTMENT], d("0.04"), d(400), d(10000), met=True)


def test_the_department_without_its_own_budget_has_no_cost_figure():
    people_only = {**BUDGETS, "budgets": [b for b in BUDGETS["budgets"] if "person" in b]}
    f = facts(**people_only)
    # the people's budgets are 3,000 + 2,000 but the department has none of its own -> n/a
    not_applicable(values(f, "service_cost_control")[DEPARTMENT], "no service budget for the period")
    not_applicable(values(f, "maintenance_cost_saving")[DEPARTMENT], "no service budget for the period")
    # Q2: am1's budget 5,000, spent 700 -> 0.14 and (5,000 - 700) / 5,000 = 0.86
    check(values(f, "service_cost_control", Q2)["am1"], d("0.14"), d(700), d(5000), met=True)
    check(values(f, "maintenance_cost_saving", Q2)["am1"], d("0.86"), d(4300), d(5000), met=True)


# --- 001 §2.1 定性1: customer files complete (a year's indicator) ---------------------------------


def test_customer_files_complete_over_a_year():
    full = {"name": "N", "segment": "A", "branch": "b1"}
    f = facts(
        branches=[{"id": "b1"}],
        customers=[
            {"id": "c1", "owner": "am1", "big": True, **full},
            {"id": "c2", "owner": "am1", "big": True, "name": "N", "branch": "b1"},  # no segment
            {"id": "c3", "owner": "am1", **full},  # not big
            # upgraded in June: big at the year's end, and complete
            {"id": "c4", "owner": "am1", **full, "changes": [{"date": "2026-06-01", "change": "upgraded"}]},
            # lost in November: not big at the year's end
            {"id": "c5", "owner": "am1", "big": True, "changes": [{"date": "2026-11-01", "change": "lost"}]},
            {"id": "c6", "owner": "am2", "big": True, **full},
            {"id": "c7", "big": True, **full},  # nobody owns it: its file lacks the owner
        ],
    )
    v = values(f, "customer_files_complete", Y2026)
    # am1: big at 2026-12-31: c1, c2, c4; complete c1, c4 -> 2/3 = 0.6667: not met (standard 100%)
    check(v["am1"], "0.6667", d(2), d(3), met=False)
    assert v["am1"].line().inputs["detail"]["fields"] == ["name", "segment", "owner"]
    # am2: c6 complete -> 1/1: met
    check(v["am2"], d(1), d(1), d(1), met=True)
    # am3: no big customer -> not applicable
    not_applicable(v["am3"], "no big customer on file")
    # department: big c1, c2, c4, c6, c7 = 5; complete c1, c4, c6 = 3 -> 0.6
    check(v[DEPARTMENT], d("0.6"), d(3), d(5), met=False)
    # a quarter does not show it: the seed names a year
    assert values(f, "customer_files_complete", Q1) == {}


# --- 003 §四 item 1: sales growth -----------------------------------------------------------------


GROWTH = [
    {"id": "d1", "seller": "am1", "date": "2026-02-01", "list_price": 60000, "deal_price": 60000},
    {"id": "d2", "seller": "am2", "date": "2026-02-02", "list_price": 40000, "deal_price": 40000},
    {"id": "d0", "seller": "am1", "date": "2025-11-02", "list_price": 48000, "deal_price": 48000},
]


def test_sales_growth_from_previous_sales():
    f = facts(deals=GROWTH)
    params = {**TELECOM, "previous_sales": {"am1": "50000", "am2": "0", DEPARTMENT: "80000"}}
    v = values(f, "sales_growth", Q1, params)
    # am1: (60,000 - 50,000) / 50,000 = 0.2: met (standard 0)
    check(v["am1"], d("0.2"), d(10000), d(50000), met=True)
    assert v["am1"].line().inputs["detail"]["sales"] == d(60000) and v["am1"].line().inputs["detail"][
        "previous"
    ] == d(50000)
    # am2: the previous quarter sold 0 -> (40,000 - 0) / 0: not applicable
    not_applicable(v["am2"], "no sales in the previous period")
    # am3: not in previous_sales -> not known
    not_applicable(v["am3"], "the previous period's sales are not known")
    # department: (100,000 - 80,000) / 80,000 = 0.25: met
    check(v[DEPARTMENT], d("0.25"), d(20000), d(80000), met=True)


@pytest.mark.parametrize(
    "previous, figure, met",
    [
        ("60000", d(0), True),  # (60,000 - 60,000) / 60,000 = 0: exactly the standard, met
        ("60001", d(-1) / d(60001), False),  # (60,000 - 60,001) / 60,001 = -0.0000167: not met
        ("59999", d(1) / d(59999), True),  # +1 / 59,999 = 0.0000167: met
    ],
)
def test_sales_growth_either_side_of_zero(previous, figure, met):
    v = values(facts(deals=GROWTH), "sales_growth", Q1, {**TELECOM, "previous_sales": {"am1": previous}})
    check(v["am1"], figure, met=met)


def test_sales_growth_without_previous_sales_is_not_applicable():
    v = values(facts(deals=GROWTH), "sales_growth")
    for who in ("am1", "am2", "am3", DEPARTMENT):
        not_applicable(v[who], "the previous period's sales are not known")
    assert v["am1"].measure.numerator == d(60000)  # this quarter's sales are still shown


def test_sales_growth_from_the_previous_quarters_records():
    f = facts(deals=GROWTH)
    params = {**TELECOM, "previous_activity": Activity(f, Q1.previous())}
    v = values(f, "sales_growth", Q1, params)
    # 2025-Q4: am1 sold 48,000 (d0) -> (60,000 - 48,000) / 48,000 = 0.25
    check(v["am1"], d("0.25"), d(12000), d(48000), met=True)
    # am2 sold nothing in 2025-Q4 -> not applicable
    not_applicable(v["am2"], "no sales in the previous period")


# --- 003 §四 item 3: complaint resolution rate ----------------------------------------------------


def test_complaint_resolution_rate_resolved_after_the_window_end_is_unresolved():
    f = facts(
        complaints=[
            {"id": "k1", "person": "am1", "received": "2026-01-10", "resolved_at": "2026-01-11T10:00:00"},
            {
                "id": "k2",
                "person": "am1",
                "received": "2026-03-31",
                "received_at": "2026-03-31T10:00:00",
                "resolved_at": "2026-04-01T09:00:00",
            },
            {
                "id": "k3",
                "person": "am1",
                "received": "2026-03-31",
                "received_at": "2026-03-31T22:00:00",
                "resolved_at": "2026-03-31T23:59:59",
            },
            {"id": "k4", "person": "am1", "received": "2026-02-01", "resolved": "2026-03-31"},
            {"id": "k5", "person": "am1", "received": "2026-02-02", "resolved": "2026-04-01"},
            {"id": "k6", "person": "am1", "received": "2026-03-01"},
            {"id": "k7", "person": "am2", "received": "2026-03-02", "hours_to_resolve": 2},
            {"id": "k8", "person": "am3", "received": "2026-04-02"},  # Q2
        ]
    )
    v = values(f, "complaint_resolution_rate")
    # am1: 6 received; resolved by 2026-04-01 00:00: k1, k3 (23:59:59 on the 31st), k4 (on the 31st)
    #      = 3; k2 and k5 were resolved on April 1st, k6 never -> 3/6 = 0.5: not met
    check(v["am1"], d("0.5"), d(3), d(6), met=False)
    # am2: k7 took 2 hours -> 1/1: met
    check(v["am2"], d(1), d(1), d(1), met=True)
    not_applicable(v["am3"], "no complaint in the period")
    # department: 7 received, 4 resolved -> 4/7 = 0.5714
    check(v[DEPARTMENT], "0.5714", d(4), d(7), met=False)
    # Q2: am3's k8 is open -> 0/1 = 0
    check(values(f, "complaint_resolution_rate", Q2)["am3"], d(0), d(0), d(1), met=False)


def test_complaint_resolution_rate_hours_past_the_window_end_are_unresolved():
    f = facts(
        complaints=[
            {
                "id": "k1",
                "person": "am1",
                "received": "2026-03-31",
                "received_at": "2026-03-31T09:00:00",
                "hours_to_resolve": 72,
            }
        ]
    )
    # received 2026-03-31 09:00 + 72 h = resolved 2026-04-03 09:00, after Q1's end -> 0/1 = 0
    check(values(f, "complaint_resolution_rate")["am1"], d(0), d(0), d(1), met=False)


# --- 003 §四 item 4: churn rate -------------------------------------------------------------------


def test_churn_rate_counts_big_customers_held_at_the_start():
    f = facts(
        customers=[
            {"id": "c1", "owner": "am1", "big": True},  # big on the register
            # ordinary on the register, upgraded in November 2025: big at the start
            {"id": "c2", "owner": "am1", "changes": [{"date": "2025-11-01", "change": "upgraded"}]},
            # big on the register, downgraded in December 2025: not big at the start
            {
                "id": "c3",
                "owner": "am1",
                "big": True,
                "changes": [{"date": "2025-12-15", "change": "downgraded"}],
            },
            # big at the start, lost in February
            {"id": "c4", "owner": "am1", "big": True, "changes": [{"date": "2026-02-01", "change": "lost"}]},
            # made big on the window's first day: not held at its start
            {"id": "c5", "owner": "am1", "changes": [{"date": "2026-01-01", "change": "new_big"}]},
            {"id": "c6", "owner": "am2", "big": True},
            {"id": "c7", "owner": "am3"},
        ]
    )
    v = values(f, "churn_rate")
    # am1: held at 2025-12-31: c1, c2, c4 = 3; lost c4 = 1 -> 1/3 = 0.3333: not met (standard 0)
    check(v["am1"], "0.3333", d(1), d(3), met=False)
    # am2: held c6, lost none -> 0/1 = 0: met
    check(v["am2"], d(0), d(0), d(1), met=True)
    # am3: c7 was never big -> not applicable
    not_applicable(v["am3"], "no big customer at the start of the period")
    # department: held c1, c2, c4, c6 = 4; lost 1 -> 0.25
    check(v[DEPARTMENT], d("0.25"), d(1), d(4), met=False)


# --- 003 §四 items 5, 6: new big customers, customers upgraded ------------------------------------


WINS = [
    {"id": "c1", "owner": "am1", "changes": [{"date": "2026-01-15", "change": "new_big"}]},
    {"id": "c2", "owner": "am1", "changes": [{"date": "2026-02-15", "change": "new_big", "person": "am2"}]},
    {"id": "c3", "owner": "am2", "changes": [{"date": "2026-03-31", "change": "upgraded"}]},
    {"id": "c4", "owner": "am1", "changes": [{"date": "2025-12-31", "change": "upgraded"}]},
    {"id": "c5", "owner": "am1", "changes": [{"date": "2026-04-01", "change": "new_big"}]},
    {
        "id": "c6",
        "owner": "am1",
        "big": True,
        "changes": [
            {"date": "2026-02-01", "change": "downgraded"},
            {"date": "2026-03-01", "change": "upgraded"},
        ],
    },
]


def test_new_big_customers_count_has_no_standard():
    v = values(facts(customers=WINS), "new_big_customers")
    # am1: c1 (2026-01-15) = 1; c2 is credited to am2, c5 is April
    check(v["am1"], d(1), d(1), met=None)
    assert v["am1"].standard is None and v["am1"].line().inputs["detail"]["customers"] == ["c1"]
    check(v["am2"], d(1), met=None)  # c2, named on the change
    assert v["am2"].line().inputs["detail"]["customers"] == ["c2"]
    check(v["am3"], d(0), met=None)
    check(v[DEPARTMENT], d(2), met=None)


def test_upgraded_customers_count_has_no_standard():
    v = values(facts(customers=WINS), "upgraded_customers")
    # am1: c6 upgraded again on 2026-03-01 = 1 (c4 was 2025); am2: c3 on 2026-03-31 = 1
    check(v["am1"], d(1), met=None)
    assert v["am1"].line().inputs["detail"]["customers"] == ["c6"]
    check(v["am2"], d(1), met=None)
    check(v["am3"], d(0), met=None)
    check(v[DEPARTMENT], d(2), met=None)
    assert "standard" not in v["am1"].line().reason_en


# --- 002 客户专员: next month's visit plan on time, and the month's plan completed ---------------


def test_last_working_day_steps_back_over_a_weekend():
    assert last_working_day(Month(2026, 2)) == date(2026, 2, 27)  # 28th is a Saturday
    assert last_working_day(Month(2026, 5)) == date(2026, 5, 29)  # 31st is a Sunday
    assert last_working_day(Month(2026, 3)) == date(2026, 3, 31)  # a Tuesday


def test_visit_plan_on_time_on_the_last_working_day():
    plans = [
        # March's plan, due by February's last working day: Friday 2026-02-27 (the 28th is a Saturday)
        {"person": "am1", "month": "2026-03", "submitted": "2026-02-27"},
        {"person": "am2", "month": "2026-03", "submitted": "2026-02-28"},  # a day late
        # am3 has no March plan (only April's)
        {"person": "am3", "month": "2026-04", "submitted": "2026-03-31"},
    ]
    f = facts(visit_plans=plans)
    v = values(f, "visit_plan_on_time", Window.of(Month(2026, 2)))
    check(v["am1"], d(1), met=True)
    assert v["am1"].line().inputs["detail"]["deadline"] == date(2026, 2, 27)
    assert v["am1"].line().inputs["detail"]["plan_month"] == "2026-03"
    check(v["am2"], d(0), met=False)  # submitted Saturday the 28th: a day late -> 0
    check(v["am3"], d(0), met=False)  # missing -> 0
    assert v["am3"].line().inputs["detail"]["submitted"] is None
    assert DEPARTMENT not in v  # a person's duty: no department row
    # March: April's plan due Tuesday 2026-03-31; am3 submitted that day -> 1
    mar = values(f, "visit_plan_on_time", Window.of(Month(2026, 3)))
    check(mar["am3"], d(1), met=True)
    check(mar["am1"], d(0), met=False)
    # a quarter does not show it: the seed names a month
    assert values(f, "visit_plan_on_time", Q1) == {}


def test_visit_plan_completion():
    f = facts(
        customers=customers("c1", "c2", "c3", "c4"),
        visit_plans=[
            {
                "person": "am1",
                "month": "2026-03",
                "submitted": "2026-02-27",
                "customers": ["c1", "c2"],
                "revisits": ["c3", "c1"],
            },
            {"person": "am2", "month": "2026-03", "submitted": "2026-02-26", "customers": ["c4"]},
            {"person": "am3", "month": "2026-04", "submitted": "2026-03-31", "customers": ["c4"]},
        ],
        visits=[
            {"id": "v1", "person": "am1", "customer": "c1", "date": "2026-03-05"},
            {"id": "v2", "person": "am1", "customer": "c3", "date": "2026-03-20", "purpose": "revisit"},
            {"id": "v3", "person": "am1", "customer": "c2", "date": "2026-04-02"},  # April
            {"id": "v4", "person": "am1", "customer": "c2", "date": "2026-02-25"},  # February
            {"id": "v5", "person": "am2", "customer": "c4", "date": "2026-03-31"},
        ],
    )
    v = values(f, "visit_plan_completion", Window.of(Month(2026, 3)))
    # am1: planned for March {c1, c2, c3} = 3 (c1 twice is one customer); visited in March c1, c3
    #      -> 2/3 = 0.6667: not met (standard 100%)
    check(v["am1"], "0.6667", d(2), d(3), met=False)
    # am2: c4 visited on March 31st -> 1/1: met
    check(v["am2"], d(1), d(1), d(1), met=True)
    # am3: no March plan -> not applicable
    not_applicable(v["am3"], "no visit plan for the period")
    # department: 4 planned, 3 visited -> 0.75
    check(v[DEPARTMENT], d("0.75"), d(3), d(4), met=False)


# --- the sections a plugin adds: month and quarter -------------------------------------------------


def growth_lines(lines):
    return {ln.person: ln for ln in lines if ln.inputs.get("indicator") == "sales_growth"}


def quarter_facts(quarter, deals):
    return load_facts({"quarter": quarter, "people": PEOPLE[:2], "deals": deals})


def test_quarter_indicators_hand_on_sales_for_the_next_quarters_growth():
    q1 = quarter_facts(
        "2026-Q1",
        [{"id": "d1", "seller": "am1", "date": "2026-02-01", "list_price": 60000, "deal_price": 60000}],
    )
    first = quarter_indicators(q1, TELECOM, None)
    # no sales handed on: growth is not applicable
    assert growth_lines(Lines(first.lines))["am1"].figure is None
    # Q1 hands on each person's sales and the department's, as text, with its quarter
    assert first.carried == {
        CARRIED_SALES: {"quarter": "2026-Q1", "sales": {"am1": "60000", "am2": "0", DEPARTMENT: "60000"}}
    }
    q2 = quarter_facts(
        "2026-Q2",
        [{"id": "d2", "seller": "am1", "date": "2026-05-01", "list_price": 66000, "deal_price": 66000}],
    )
    second = quarter_indicators(q2, TELECOM, first.carried)
    g = growth_lines(Lines(second.lines))
    # am1: (66,000 - 60,000) / 60,000 = 0.1; department the same; am2 sold 0 in Q1 -> n/a
    assert g["am1"].figure == d("0.1") and g["am1"].inputs["met"] is True
    assert g[DEPARTMENT].figure == d("0.1")
    assert g["am2"].figure is None
    assert g["am2"].inputs["not_applicable_because"] == "no sales in the previous period"
    assert second.carried[CARRIED_SALES]["quarter"] == "2026-Q2"
    # Q1's sales handed to Q3 are not the quarter before it: not used
    q3 = quarter_facts(
        "2026-Q3",
        [{"id": "d3", "seller": "am1", "date": "2026-08-01", "list_price": 1, "deal_price": 1}],
    )
    third = growth_lines(Lines(quarter_indicators(q3, TELECOM, first.carried).lines))
    assert third["am1"].figure is None
    assert third["am1"].inputs["not_applicable_because"] == "the previous period's sales are not known"
    # carried state without the key, or in another shape: not used either
    assert growth_lines(Lines(quarter_indicators(q2, TELECOM, {"other": 1}).lines))["am1"].figure is None
    assert (
        growth_lines(Lines(quarter_indicators(q2, TELECOM, {CARRIED_SALES: "x"}).lines))["am1"].figure is None
    )


def test_quarter_section_adds_the_sheet_where_the_line_lists_it():
    q1 = quarter_facts("2026-Q1", [])
    kinds = {ln.kind for ln in Lines(quarter_indicators(q1, TELECOM, None).lines)}
    assert kinds == {"indicator", "scorecard"}  # telecom lists "scorecard" among its indicators
    sheets = [
        ln.person for ln in Lines(quarter_indicators(q1, TELECOM, None).lines) if ln.kind == "scorecard"
    ]
    assert sheets == ["am1", "am2"]
    soft = Lines(quarter_indicators(q1, SOFTWARE, None).lines)
    assert {ln.kind for ln in soft} == {"indicator"}
    # the quarter's section holds the quarter's indicators only (no month indicator)
    assert {ln.inputs["indicator"] for ln in soft} >= {"sales_plan_completion", "churn_rate"}
    assert not {ln.inputs["indicator"] for ln in soft} & {"visit_plan_on_time", "visit_plan_completion"}


def test_the_telecom_plugin_carries_the_sales_into_its_next_quarter():
    plugin = TelecomPlugin()
    q1 = quarter_facts(
        "2026-Q1",
        [{"id": "d1", "seller": "am1", "date": "2026-02-01", "list_price": 50000, "deal_price": 50000}],
    )
    first = plugin.commission_quarter(q1, {"kept": 1})
    assert first.carried["kept"] == 1  # the rest of the carried state is kept
    q2 = quarter_facts(
        "2026-Q2",
        [{"id": "d2", "seller": "am1", "date": "2026-05-01", "list_price": 40000, "deal_price": 40000}],
    )
    second = plugin.commission_quarter(q2, first.carried)
    # am1: (40,000 - 50,000) / 50,000 = -0.2: not met
    line = growth_lines(Lines(second.lines))["am1"]
    assert line.figure == d("-0.2") and line.inputs["met"] is False


def test_month_indicators_are_the_month_ones():
    f = load_facts(
        {
            "month": "2026-02",
            "people": PEOPLE[:1],
            "visit_plans": [{"person": "am1", "month": "2026-03", "submitted": "2026-02-27"}],
        }
    )
    lines = Lines(month_indicators(f, TELECOM))
    keys = [(ln.person, ln.inputs["indicator"]) for ln in lines]
    assert keys == [
        ("am1", "big_customers_lost"),
        ("am1", "visit_plan_on_time"),
        ("am1", "visit_plan_completion"),
        (DEPARTMENT, "big_customers_lost"),
        (DEPARTMENT, "visit_plan_completion"),
    ]
    on_time = lines[1]
    assert on_time.figure == d(1) and on_time.inputs["period"] == "2026-02"


# --- the line's calendar: holidays and weekend working days (docs/rules.md §6.3) ------------------


@pytest.mark.parametrize(
    ("calendar", "submitted", "on_time"),
    [
        # April 2026 ends on Thursday the 30th: the last working day, without a calendar
        (None, "2026-04-30", 1),
        # the line makes the 30th a holiday (劳动节 bridge): the last working day is Wednesday the
        # 29th, so a plan on the 29th is on time and one on the 30th a day late
        ({"year": 2026, "holidays": ["2026-04-30", "2026-05-01"]}, "2026-04-29", 1),
        ({"year": 2026, "holidays": ["2026-04-30", "2026-05-01"]}, "2026-04-30", 0),
    ],
)
def test_visit_plan_on_time_before_a_holiday(calendar, submitted, on_time):
    plan = {"person": "am1", "month": "2026-05", "submitted": submitted}
    f = facts(visit_plans=[plan], calendars=[calendar] if calendar else [])
    v = values(f, "visit_plan_on_time", Window.of(Month(2026, 4)))
    assert v["am1"].measure.value == on_time


def test_a_weekend_working_day_can_be_the_months_last():
    # February 2026 ends on Saturday the 28th: Friday the 27th is the last working day, unless the
    # line works that Saturday (调休): then a plan on the 28th is on time
    plan = {"person": "am1", "month": "2026-03", "submitted": "2026-02-28"}
    late = values(facts(visit_plans=[plan]), "visit_plan_on_time", Window.of(Month(2026, 2)))
    assert late["am1"].measure.value == 0
    worked = facts(visit_plans=[plan], calendars=[{"year": 2026, "workdays": ["2026-02-28"]}])
    assert values(worked, "visit_plan_on_time", Window.of(Month(2026, 2)))["am1"].measure.value == 1
    with pytest.raises(InvalidFacts, match="already work"):
        facts(calendars=[{"year": 2026, "workdays": ["2026-02-27"]}])
    with pytest.raises(InvalidFacts, match="not in 2026"):
        facts(calendars=[{"year": 2026, "holidays": ["2027-01-01"]}])


def test_a_plugin_without_indicators_has_no_year_indicators():
    # bank-grades shows none: its year closes with its months' lines only (docs/rules.md §9.7)
    from kamkit.loader import load_plugin
    from kamkit.sections import year_indicators

    params = load_plugin("bank-grades").params
    assert "indicators" not in params
    assert year_indicators(load_facts({"people": PEOPLE[:1]}), 2026, params) == ()
