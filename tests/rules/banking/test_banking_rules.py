"""Banking plugin, clause by clause (RULES.md §3), figures worked by hand in the comments."""
from decimal import Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from plugins.banking import BankingPlugin
from plugins.banking.piece_rate import progressive_pay, referrer_reward
from shared.explain import CNY, FLAG, POINTS, totals
from shared.facts_schema import load_facts

P = BankingPlugin()


def person(id_, grade, start="2020-01-01", since="2020-01-01", role="account_manager", branch="s1"):
    return {"id": id_, "role": role, "grade": grade, "start_date": start, "grade_since": since, "branch": branch}


def book(manager, month, balance=1000000, overdue=0, handled=0, managed=0, **kw):
    return {"manager": manager, "month": month, "balance": balance, "overdue_balance": overdue,
            "loans_handled": handled, "loans_managed": managed, **kw}


def month(people, portfolios=(), **kw):
    return P.assess_month(load_facts({"month": "2026-03", "branches": [{"id": "s1"}], "people": people,
                                      "portfolios": list(portfolios), **kw})).lines


def flags(lines, kind):
    return {l.person: l.inputs.get("to", l.inputs.get("grade")) for l in lines if l.kind == kind}


# --- §3.2 tiers ------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, tier, owner, grade", [
    ("49999.99", "micro", "account_manager", None), ("50000", "small", "account_manager", "junior"),
    ("499999.99", "small", "account_manager", "junior"), ("500000", "medium", "deputy_manager", None),
    ("1999999.99", "medium", "deputy_manager", None), ("2000000", "large", "branch_manager", None)])
def test_loan_tiers_on_both_sides(amount, tier, owner, grade):
    o = load_facts({"opportunities": [{"id": "o", "amount": amount, "discovered": "2026-03-01"}]}).opportunities[0]
    c = P.classify(o)
    assert (c.tier, c.owner_role, c.inputs["min_grade"]) == (tier, owner, grade)
    assert c.follow_up_days == (None if tier == "micro" else 7) and c.in_bulletin == (tier in ("medium", "large"))


@given(st.decimals(min_value=0, max_value=10**8, places=2), st.decimals(min_value=0, max_value=10**8, places=2))
def test_tier_is_monotone(a, b):
    order = ["micro", "small", "medium", "large"]
    lo, hi = sorted((a, b))
    f = load_facts({"opportunities": [{"id": "l", "amount": str(lo), "discovered": "2026-01-01"},
                                      {"id": "h", "amount": str(hi), "discovered": "2026-01-01"}]})
    assert order.index(P.classify(f.opportunities[0]).tier) <= order.index(P.classify(f.opportunities[1]).tier)


# --- §3.1 grades -----------------------------------------------------------------------------

def test_assistant_qualifies_for_junior_after_six_months_30_loans_and_1_percent():
    # started 2025-09-30: 6 full months by 31 March; 30 handled; overdue 10,000 / 1,000,000 = 1%
    people = [person("a", "assistant", start="2025-09-30")]
    assert flags(month(people, [book("a", "2026-03", overdue=10000, handled=30)]), "grade_promotion") == {"a": "junior"}
    # 29 handled, or 1.01% overdue, or started 1 October (5 months): no promotion
    assert not flags(month(people, [book("a", "2026-03", overdue=10000, handled=29)]), "grade_promotion")
    assert not flags(month(people, [book("a", "2026-03", overdue=10100, handled=30)]), "grade_promotion")
    late = [person("a", "assistant", start="2025-10-01")]
    assert not flags(month(late, [book("a", "2026-03", handled=30)]), "grade_promotion")


def test_junior_to_intermediate_needs_a_year_50_managed_and_a_three_month_average():
    people = [person("j", "junior", since="2025-03-31")]
    # rates 1%, 2%, 1.5% -> average 1.5%: qualifies; grade_since 31 March 2025: one year on 31 March 2026
    books = [book("j", "2026-01", overdue=10000), book("j", "2026-02", overdue=20000),
             book("j", "2026-03", overdue=15000, managed=50, handled=60)]
    lines = month(people, books)
    assert flags(lines, "grade_promotion") == {"j": "intermediate"}
    # but 1.5% last month end is above the junior's own 1%: the shortfall is reported too
    assert flags(lines, "grade_shortfall") == {"j": "junior"}
    books[1] = book("j", "2026-02", overdue=20001)  # average 1.50003%: no promotion
    assert not flags(month(people, books), "grade_promotion")
    recent = [person("j", "junior", since="2025-04-01")]
    assert not flags(month(recent, [book("j", "2026-03", managed=50, handled=60)]), "grade_promotion")


def test_intermediate_to_senior_needs_70_managed():
    people = [person("i", "intermediate", since="2024-01-01")]
    assert flags(month(people, [book("i", "2026-03", managed=70)]), "grade_promotion") == {"i": "senior"}
    assert not flags(month(people, [book("i", "2026-03", managed=69)]), "grade_promotion")


def test_a_senior_below_70_managed_no_longer_meets_the_grade():
    lines = month([person("s", "senior")], [book("s", "2026-03", managed=60)])
    (line,) = [l for l in lines if l.kind == "grade_shortfall"]
    assert line.unit == FLAG and line.clause == "002/LOAN §三4" and "loans_managed" in line.reason_en


# --- §3.3 indicators and points -------------------------------------------------------------------

def test_indicators_are_reported():
    lines = month([person("m", "junior")], [book("m", "2026-03", balance=600000, overdue=3000, borrowers=12,
                                                 interest_recovered=4200, new_balance=80000, handled=40)],
                  loans=[{"id": "l1", "manager": "m", "amount": 50000, "issued": "2026-03-05"},
                         {"id": "l2", "manager": "m", "amount": 50000, "issued": "2026-02-05"}])
    got = {l.kind: l.figure for l in lines if l.clause == "002/LOAN §二"}
    # 1 loan in March; 3,000 / 600,000 = 0.5%; 600,000 / 12 = 50,000 per borrower
    assert got == {"loans_issued": 1, "new_balance": 80000, "balance": 600000, "interest_recovered": 4200,
                   "overdue_rate": D("0.005"), "average_balance": 50000}


@pytest.mark.parametrize("grade, overdue, points", [
    ("junior", 10000, 0),  # exactly 1%: at the limit
    ("junior", 12000, 2),  # 1.2%: 0.2 pp above -> 1 started step -> 2
    ("junior", 15000, 2),  # 1.5%: exactly 0.5 pp -> 1 step
    ("junior", 15100, 4),  # 1.51%: 2 started steps -> 4
    ("senior", 15000, 0), ("senior", 25000, 4),  # senior limit 1.5%: 2.5% is 1 pp -> 2 steps
    ("assistant", 12000, 2),  # an assistant is held to the junior limit
])
def test_overdue_points_per_started_half_point(grade, overdue, points):
    lines = month([person("m", grade)], [book("m", "2026-03", overdue=overdue, managed=80, handled=80)])
    assert totals(lines, POINTS).get("m", 0) == points


def test_missed_loan_opportunity_of_half_a_million():
    people = [person("m", "junior"), person("d", "senior", role="deputy_manager"),
              person("h", "senior", role="branch_manager")]
    opps = [{"id": "o1", "amount": 500000, "discovered": "2026-03-02", "origin": "audit", "branch": "s1",
             "account_manager": "m"},
            {"id": "o2", "amount": 3000000, "discovered": "2026-03-02", "entered": "2026-03-20", "branch": "s1",
             "account_manager": "m"},
            {"id": "o3", "amount": "499999.99", "discovered": "2026-03-02", "origin": "audit", "account_manager": "m"}]
    lines = month(people, opportunities=opps)
    # o1 medium: m 5, deputy d 3; o2 large and entered 18 days late: m 5, head h 3; o3 below 500,000
    assert totals(lines, POINTS) == {"m": 10, "d": 3, "h": 3}


# --- §3.4 piece rate -------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, reward", [("9999.99", 0), ("10000", 30), ("50000", 30), ("55000", 30),
                                            ("60000", 50), ("105000", 50), ("110000", 80), ("509999", 80),
                                            ("510000", 100), ("1010000", 150), ("2000000", 150), ("5000000", 150)])
def test_referrer_reward_bands_and_gaps(amount, reward):
    assert referrer_reward(D(amount), P.params)[0] == reward


@pytest.mark.parametrize("count, pay", [("1", 30), ("2", 60), ("2.5", 80), ("5", 180), ("6", 230),
                                       ("10", 430), ("11", 490)])
def test_loans_issued_pay_is_progressive(count, pay):
    # 2 x 30 = 60; 2.5: 60 + 0.5 x 40 = 80; 5: 60 + 3 x 40 = 180; 10: 180 + 5 x 50 = 430; 11: 490
    assert progressive_pay(D(count), P.params)[0] == pay


def test_quarter_pays_piece_rate_referrers_and_base_pay():
    f = load_facts({"quarter": "2026-Q1", "branches": [{"id": "s1"}],
                    "people": [person("m", "junior"), {"id": "r", "role": "referrer"}],
                    "loans": [{"id": "l1", "manager": "m", "amount": 80000, "issued": "2026-01-05", "referrer": "r"},
                              {"id": "l2", "manager": "m", "amount": 30000, "issued": "2026-01-06",
                               "kind": "renewal"},
                              {"id": "l3", "manager": "m", "amount": 30000, "issued": "2026-01-07",
                               "kind": "extension"},
                              {"id": "l4", "manager": "m", "amount": 30000, "issued": "2026-01-08",
                               "kind": "merge"}]})
    paid = totals(P.commission_quarter(f).lines, CNY)
    # January: 1 + 3 x 0.5 = 2.5 loans -> 80; base pay junior 2,200 x 3 = 6,600; r: 80,000 -> 50
    assert paid == {"m": D(6680), "r": D(50)}


@settings(max_examples=60)
@given(st.decimals(min_value=0, max_value=40, places=1), st.decimals(min_value=0, max_value=40, places=1))
def test_piece_pay_and_reward_are_monotone_and_never_negative(a, b):
    lo, hi = sorted((a, b))
    assert D(0) <= progressive_pay(lo, P.params)[0] <= progressive_pay(hi, P.params)[0]
    assert D(0) <= referrer_reward(lo * 100000, P.params)[0] <= referrer_reward(hi * 100000, P.params)[0]
