"""客户经理绩效考核方案 (002/KHJL, docs/rules.md §12): every row on both sides of its thresholds,
the raters' weights, the assessment window, not-scored items, the yearly scorecard. Figures by hand."""

from decimal import Decimal as D

import pytest

from kamkit.conformance import check_plugin
from kamkit.facts_schema import load_facts
from kamkit.scoring import Growth, PerUnit, Rated, Steps
from plugins.customer_manager import CustomerManagerPlugin

PEOPLE = [
    {"id": "cm1", "role": "account_manager"},
    {"id": "boss", "role": "sales_manager"},
]


def quarter(q="2026-Q1", carried=None, plugin=None, **records):
    facts = load_facts({"quarter": q, "people": PEOPLE, **records})
    result = (plugin or CustomerManagerPlugin()).commission_quarter(facts, carried)
    return {(ln.inputs["period"], ln.inputs.get("item") or ln.kind): ln for ln in result.lines}, result


def item(lines, key, period="2026-Q1"):
    return lines[(period, key)]


# --- the score rules (kamkit.scoring) ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "points"),
    [
        # 20 at exactly 100%; -2 per whole 5% below; +2 per whole 5% above; within 0..25
        ("1", "20"),
        ("0.96", "20"),  # 4% below: not a whole step
        ("0.95", "18"),  # one step below
        ("0.94", "18"),  # 6% below: still one whole step
        ("0.90", "16"),
        ("1.05", "22"),
        ("1.0999", "22"),  # 9.99% above: one whole step
        ("1.10", "24"),
        ("1.15", "25"),  # 26 capped at the full 25
        ("0.45", "0"),  # 11 steps below: -22 -> 0, not -2
    ],
)
def test_plan_completion_steps_either_side_of_100_percent(value, points):
    rule = Steps(D(1), D("0.05"), D(20), D(2), D(2), D(25))
    assert rule.score(D(value)).points == D(points)


def test_partial_steps_count_pro_rata_when_asked():
    # 97%: 0.6 of a 5% step below -> 20 - 1.2 = 18.8
    assert Steps(D(1), D("0.05"), D(20), D(2), D(2), D(25), partial=True).score(D("0.97")).points == D("18.8")


@pytest.mark.parametrize(
    ("growth", "points"),
    [("0.10", "5"), ("0.019", "0.5"), ("0.0099", "0"), ("-0.2", "0"), ("0.40", "20"), ("0.60", "20")],
)
def test_execution_growth_half_a_point_per_whole_point_no_deduction_for_a_fall(growth, points):
    # base 0 [reading]: +0.5 per whole percentage point; 40 pp reach the full 20; a fall scores 0
    assert Growth(D(0), D("0.5"), D(20)).score(D(growth)).points == D(points)


@pytest.mark.parametrize(("late", "points"), [(0, "2"), (1, "1.5"), (3, "0.5"), (4, "0")])
def test_attendance_half_a_point_a_late_arrival_zero_above_three(late, points):
    # 2 - 0.5 x late for 3 or fewer; more than 3 -> 0 (not 2 - 2 = 0 by chance: 4 is above the limit)
    assert PerUnit(D(2), D("-0.5"), D(2), zero_above=3).score(D(late)).points == D(points)


def test_rated_points_are_held_to_the_full_mark():
    assert Rated(D(5)).score(D(7)).points == D(5)
    assert Rated(D(5)).score(D("4.5")).points == D("4.5")


# --- the plugin on records ---------------------------------------------------------------


def test_plan_completion_from_the_service_work_plan():
    plan = {
        "id": "wp1",
        "period": "2026-Q1",
        "plan": "service",
        "person": "cm1",
        "items": [{"id": f"i{n}", "done": "2026-03-20"} for n in range(19)] + [{"id": "i19"}],
    }
    lines, _ = quarter(work_plans=[plan])
    # 19 of 20 done = 95%: one whole 5% step below -> 20 - 2 = 18
    assert item(lines, "plan_completion").figure == D(18)
    assert item(lines, "plan_completion").inputs["planned"] == 20


def test_no_plan_is_not_scored_and_the_total_is_out_of_what_was_scored():
    lines, _ = quarter()
    assert item(lines, "plan_completion").figure is None
    assert "no service work plan" in item(lines, "plan_completion").reason_en
    total = lines[("2026-Q1", "appraisal_total")]
    # nothing rated, no plan, no checks: scored are new customers 0, sales rules 3, teamwork 5,
    # attendance 2 (no late arrival on file), conduct 2 = 12 of 15 + 3 + 5 + 2 + 2 = 27
    assert total.figure == D(12) and total.inputs["full_of_scored"] == D(27)
    assert "plan_completion" in total.inputs["not_scored"]


def test_standard_execution_growth_against_the_quarter_before():
    checks = [
        # Q4 2025: 6 of 10 passed = 60%
        *({"id": f"a{n}", "person": "cm1", "date": "2025-11-03", "passed": n < 6} for n in range(10)),
        # Q1 2026: 7 of 10 passed = 70%: +10 pp -> 10 x 0.5 = 5
        *({"id": f"b{n}", "person": "cm1", "date": "2026-02-03", "passed": n < 7} for n in range(10)),
    ]
    lines, result = quarter(standard_checks=checks)
    assert item(lines, "standard_execution").figure == D(5)
    assert result.carried["execution_rate"] == {"cm1": "0.7"}


def test_standard_execution_falls_back_on_the_carried_rate():
    checks = [{"id": f"b{n}", "person": "cm1", "date": "2026-02-03", "passed": n < 5} for n in range(10)]
    # 50% now against 80% carried: a fall of 30 pp -> 0, no deduction below 0
    lines, _ = quarter(carried={"execution_rate": {"cm1": "0.8"}}, standard_checks=checks)
    assert item(lines, "standard_execution").figure == D(0)
    lines, _ = quarter(standard_checks=checks)  # nothing before: not scored
    assert item(lines, "standard_execution").figure is None


def test_new_customers_two_each_up_to_fifteen():
    def customers(n):
        return [
            {"id": f"c{i}", "owner": "cm1", "changes": [{"date": "2026-02-01", "change": "new_big"}]}
            for i in range(n)
        ]

    lines, _ = quarter(customers=customers(7))
    assert item(lines, "new_customers").figure == D(14)  # 7 x 2
    lines, _ = quarter(customers=customers(8))
    assert item(lines, "new_customers").figure == D(15)  # 16 held to the full 15


def test_incidents_dock_their_rows():
    incidents = [
        {"id": "v1", "person": "cm1", "date": "2026-01-10", "kind": "sales_rule"},
        {"id": "v2", "person": "cm1", "date": "2026-02-10", "kind": "sales_rule"},
        {"id": "t1", "person": "cm1", "date": "2026-02-11", "kind": "teamwork"},
        {"id": "t2", "person": "cm1", "date": "2026-02-12", "kind": "teamwork"},
        {"id": "t3", "person": "cm1", "date": "2026-02-13", "kind": "teamwork"},
        {"id": "k1", "person": "cm1", "date": "2026-03-01", "kind": "conduct"},
        {"id": "old", "person": "cm1", "date": "2025-12-31", "kind": "conduct"},  # the quarter before
    ]
    lines, _ = quarter(incidents=incidents)
    assert item(lines, "sales_rules").figure == D(2)  # 3 - 2 x 0.5
    assert item(lines, "teamwork").figure == D(0)  # 5 - 3 x 2 = -1 -> 0
    assert item(lines, "conduct").figure == D("1.5")  # 2 - 0.5; December's is not this quarter's


def test_attendance_counts_absences_as_late_by_default():
    attendance = [
        {"person": "cm1", "month": "2026-01", "late_arrivals": 2},
        {"person": "cm1", "month": "2026-02", "absences": 1},
    ]
    lines, _ = quarter(attendance=attendance)
    assert item(lines, "attendance").figure == D(0.5)  # 3 counted: 2 - 1.5
    plugin = CustomerManagerPlugin({"absence_counts_as_late": False})
    lines, _ = quarter(plugin=plugin, attendance=attendance)
    assert item(lines, "attendance").figure == D(1)  # 2 late: 2 - 1


def _appraisal(id_, kind, day, points, rater=None, customer=None, period="2026-Q1"):
    doc = {"id": id_, "person": "cm1", "period": period, "rater_kind": kind, "submitted": day}
    doc["items"] = {"knowledge": points}
    if rater:
        doc["rater"] = rater
    if customer:
        doc["customer"] = customer
    return doc


def test_raters_are_weighted_and_a_missing_kind_leaves_its_weight_to_the_others():
    appraisals = [
        _appraisal("a1", "manager", "2026-04-03", 4, rater="boss"),
        _appraisal("a2", "self", "2026-04-05", 5, rater="cm1"),
        _appraisal("a3", "customer", "2026-04-10", 3, customer="k1"),
    ]
    customers = [{"id": "k1"}]
    lines, _ = quarter(appraisals=appraisals, customers=customers)
    # 0.6 x 4 + 0.1 x 5 + 0.3 x 3 = 2.4 + 0.5 + 0.9 = 3.8
    assert item(lines, "knowledge").figure == D("3.8")
    lines, _ = quarter(appraisals=appraisals[:2], customers=customers)
    # no customer: weights 0.6 and 0.1 renormalised to 6/7 and 1/7: (24 + 5) / 7
    assert item(lines, "knowledge").figure == D("2.9") / D("0.7")  # 4.142857...


def test_a_rating_outside_the_window_is_not_counted_and_said_so():
    # Q1's window is 1-10 April: 31 March is before it, 11 April after it, 1 and 10 April inside
    late = [
        _appraisal("early", "manager", "2026-03-31", 1, rater="boss"),
        _appraisal("late", "manager", "2026-04-11", 1, rater="boss"),
    ]
    lines, _ = quarter(appraisals=late)
    assert item(lines, "knowledge").figure is None
    assert item(lines, "knowledge").inputs["late_appraisals"] == ["early", "late"]
    assert "2 outside it" in item(lines, "knowledge").reason_en
    inside = [
        _appraisal("first", "manager", "2026-04-01", 2, rater="boss"),
        _appraisal("last", "manager", "2026-04-10", 4, rater="boss"),
    ]
    lines, _ = quarter(appraisals=inside)
    assert item(lines, "knowledge").figure == D(3)  # the manager kind's mean (2 + 4) / 2


def test_the_fourth_quarter_adds_the_year_assessed_in_january():
    appraisals = [
        _appraisal("q4", "manager", "2027-01-05", 4, rater="boss", period="2026-Q4"),
        _appraisal("yr", "manager", "2027-01-08", 5, rater="boss", period="2026"),
    ]
    lines, _ = quarter("2026-Q4", appraisals=appraisals)
    assert item(lines, "knowledge", "2026-Q4").figure == D(4)
    assert item(lines, "knowledge", "2026").figure == D(5)
    lines, _ = quarter(
        "2026-Q4", plugin=CustomerManagerPlugin({"yearly_assessment": False}), appraisals=appraisals
    )
    assert ("2026", "knowledge") not in lines


def test_every_line_cites_a_declared_clause_and_the_plugin_keeps_the_contract():
    assert check_plugin(CustomerManagerPlugin) == []
    lines, _ = quarter()
    assert {ln.clause for ln in lines.values()} <= set(CustomerManagerPlugin.clauses)
