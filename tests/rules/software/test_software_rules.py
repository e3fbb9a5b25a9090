"""Software plugins, clause by clause (RULES.md §2), figures worked by hand in the comments."""
from decimal import Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from plugins.software import SoftwarePlugin, SoftwareProgressivePlugin
from shared.explain import CNY, FLAG, INFO, totals
from shared.facts_schema import load_facts

P = SoftwarePlugin()
PP = SoftwareProgressivePlugin()
REP = {"id": "r", "role": "account_manager", "quarterly_target": 200000, "start_date": "2024-01-01"}
PEOPLE = [REP, {"id": "s", "role": "account_manager", "quarterly_target": 200000, "start_date": "2024-01-01"}]


def facts(collections, quarter="2026-Q1", people=PEOPLE, **kw):
    return load_facts({"quarter": quarter, "month": "2026-01", "people": people, "collections": collections, **kw})


def coll(id_, amount, day="2026-01-10", rep="r", **kw):
    return {"id": id_, "rep": rep, "date": day, "amount": amount, **kw}


def credit_of(lines, person="r"):
    return sum((l.figure for l in lines if l.kind == "task_credit" and l.person == person), D(0))


def month_lines(*collections, **kw):
    return P.assess_month(facts(list(collections), **kw)).lines


def chain(plugin, amounts, people=(REP,), kpi=()):
    """Run the quarters of 2026 in order, handing carried state on; returns each quarter's result."""
    carried, out = {}, []
    for i, amount in enumerate(amounts):
        q = f"2026-Q{i % 4 + 1}" if i < 4 else f"2027-Q{i - 3}"
        year = 2026 if i < 4 else 2027
        f = load_facts({"quarter": q, "people": list(people), "kpi": list(kpi),
                        "collections": [coll(f"c{i}", amount, f"{year}-{(i % 4) * 3 + 2:02d}-10")] if amount else []})
        result = plugin.commission_quarter(f, carried)
        carried = result.carried
        out.append(result)
    return out


def cny(result, kind, person="r"):
    return sum((l.figure for l in result.lines if l.kind == kind and l.person == person and l.unit == CNY), D(0))


# --- §2.1 tiers ---------------------------------------------------------------------------

@pytest.mark.parametrize("amount, tier, owner", [("49999.99", "standard", "account_manager"),
                                                 ("50000", "large", "deputy_manager"),
                                                 ("299999.99", "large", "deputy_manager"),
                                                 ("300000", "strategic", "branch_manager")])
def test_tiers_on_both_sides_of_each_boundary(amount, tier, owner):
    o = load_facts({"opportunities": [{"id": "o", "amount": amount, "discovered": "2026-01-01"}]}).opportunities[0]
    for plugin in (P, PP):
        c = plugin.classify(o)
        assert (c.tier, c.owner_role, c.follow_up_days) == (tier, owner, 7)


# --- §2.2 crediting --------------------------------------------------------------------------

def test_net_credit_deducts_partner_expenses_entertainment_travel():
    # 100,000 - 10,000 - 5,000 - 3,000 - 2,000 = 80,000 toward the task (002/KAD §二1)
    lines = month_lines(coll("c", 100000, partner_share=10000, expenses=5000, entertainment=3000, travel=2000))
    assert credit_of(lines) == 80000


def test_not_in_crm_counts_for_nothing():
    lines = month_lines(coll("c", 100000, in_crm=False))
    assert credit_of(lines) == 0 and [l.kind for l in lines] == ["not_in_crm"]
    assert lines[0].clause == "002/KAP §二3"


def test_implementation_maintenance_training_six_percent_of_net_not_task():
    # software preset: 50,000 implementation with 10,000 partner share -> net 40,000 x 6% = 2,400
    f = facts([coll("c", 50000, revenue_kind="implementation", partner_share=10000)])
    result = P.commission_quarter(f)
    assert cny(result, "side_bonus") == 2400 and credit_of(result.lines) == 0
    # the progressive preset counts implementation toward the task (产品及实施回款, 002/KAB §二1)
    assert credit_of(PP.commission_quarter(f).lines) == 40000


def test_service_and_supplies_five_percent_of_gross():
    # 20,000 service with 5,000 expenses: 5% of the collected 20,000 = 1,000 (002/KAB §三3)
    f = facts([coll("c", 20000, revenue_kind="service", expenses=5000)])
    assert cny(P.commission_quarter(f), "side_bonus") == 1000
    # progressive: training is 5% of collections too: 10,000 -> 500
    assert cny(PP.commission_quarter(facts([coll("t", 10000, revenue_kind="training")])), "side_bonus") == 500


def test_secondary_development_at_gross_margin_add_module_half_data_conversion_nothing():
    lines = month_lines(coll("a", 100000, revenue_kind="secondary_dev", gross_margin=35000),
                        coll("b", 30000, revenue_kind="add_module"),
                        coll("c", 9000, revenue_kind="data_conversion"))
    # 35,000 + 30,000 / 2 + 0 = 50,000
    assert credit_of(lines) == 50000


def test_joint_sale_seventy_thirty_and_contribution_shares():
    # joint: r collected 100,000 with s: r 70,000, s 30,000
    lines = month_lines(coll("j", 100000, joint_with="s"))
    assert (credit_of(lines, "r"), credit_of(lines, "s")) == (70000, 30000)
    # contributions 0.25 / 0.75 of 80,000: r 20,000, s 60,000
    lines = month_lines(coll("k", 80000, contributions=[{"person": "r", "share": "0.25"},
                                                        {"person": "s", "share": "0.75"}]))
    assert (credit_of(lines, "r"), credit_of(lines, "s")) == (20000, 60000)


def test_implementation_below_thirty_percent_of_contract_is_flagged():
    contracts = [{"id": "k1", "total": 100000, "implementation": "29999.99"},
                 {"id": "k2", "total": 100000, "implementation": 30000}]
    lines = month_lines(coll("a", 1000, contract="k1"), coll("b", 1000, contract="k2"), contracts=contracts)
    flags = [l for l in lines if l.unit == FLAG]
    assert [(l.person, l.inputs["contract"], l.clause) for l in flags] == [("r", "k1", "002/KAB §二3")]


def test_month_has_no_points_only_explained_credit():
    lines = month_lines(coll("a", 1000))
    assert {l.unit for l in lines} <= {INFO, FLAG}


# --- §2.3 the quarterly scheme -------------------------------------------------------------------

def test_the_worked_example_of_rules_2_3_exactly():
    q1, q2, q3, q4 = chain(P, [60000, 180000, 260000, 280000])
    # Q1: X 60,000 < B 100,000: no bonus, debt 40,000, -600 fixed wage
    assert cny(q1, "bonus") == 0 and cny(q1, "fixed_wage_deduction") == -600
    assert q1.carried["r"]["debts"] == [{"quarter": "2026-Q1", "owed": "40000", "base": "100000"}]
    # Q2: 180,000 repays 40,000; E = 140,000 < T: 5,600; Q1 released 100,000 x 4% = 4,000 -> 9,600
    assert (cny(q2, "bonus"), cny(q2, "released_bonus")) == (5600, 4000)
    assert q2.carried["r"]["debts"] == [] and D(q2.carried["r"]["carry"]) == 0
    # Q3: 260,000 >= T: 200,000 x 4% = 8,000, carry 60,000
    assert cny(q3, "bonus") == 8000 and D(q3.carried["r"]["carry"]) == 60000
    # Q4: X = 280,000 + 60,000 = 340,000 >= C: 8,000 + 100,000 x 5% = 13,000, carry 40,000;
    # year 780,000 < 800,000 -> 40,000 x 4% = 1,600 at year end
    assert cny(q4, "bonus") == 13000 and cny(q4, "year_end_settlement") == 1600
    assert [l.figure for l in q4.lines if l.kind == "carry_out"] == [40000]
    assert q4.carried["r"] == {"year": 2027, "carry": "0", "debts": [], "ytd_credit": "0", "ytd_target": "0",
                               "half": []}  # reset for the new year


def test_year_end_at_five_percent_when_the_annual_target_is_met():
    # 4 x 250,000 = 1,000,000 >= 800,000. Q1..Q3 carry 50,000 each step: Q3 X = 250,000 + 100,000 =
    # 350,000 -> carry 50,000; Q4 X = 300,000 -> cap reached, carry 0... use Q4 400,000:
    # Q1 250,000 -> carry 50,000; Q2 300,000 -> E >= C: carry 0; Q3 250,000 -> carry 50,000;
    # Q4 400,000 + 50,000 = 450,000 -> carry 150,000; year 1,200,000 >= 800,000: 150,000 x 5% = 7,500
    *_, q4 = chain(P, [250000, 250000, 250000, 400000])
    assert cny(q4, "year_end_settlement") == 7500


def test_kpi_coefficient_scales_the_paid_bonus():
    kpi = [{"person": "r", "rater_role": "deputy_manager", "score": 50}]
    (q1,) = chain(P, [200000], kpi=kpi)
    # 8,000 x (80% + 20% x 0.5) = 7,200
    assert cny(q1, "bonus") == 7200
    (p1,) = chain(PP, [234000], kpi=kpi)
    # progressive: 234,000 / 1.17 = 200,000 >= B: 7.12% = 14,240 x (70% + 30% x 0.5) = 12,104
    assert cny(p1, "bonus") == D("12104")


def test_first_quarter_of_a_new_rep_carries_no_task():
    new = {**REP, "start_date": "2026-02-01"}
    (q1,) = chain(P, [30000], people=[new])
    # B = 0: no debt, no deduction; E = 30,000 < T: 30,000 x 4% = 1,200
    assert cny(q1, "bonus") == 1200 and cny(q1, "fixed_wage_deduction") == 0
    assert q1.carried["r"]["debts"] == []


def test_partial_repayment_keeps_the_rest_of_the_debt():
    q1, q2 = chain(P, [20000, 120000])
    # Q1 owes 80,000. Q2 surplus 20,000 repays part: owes 60,000; E = 100,000: 4,000, nothing released
    assert q2.carried["r"]["debts"] == [{"quarter": "2026-Q1", "owed": "60000", "base": "100000"}]
    assert (cny(q2, "bonus"), cny(q2, "released_bonus")) == (4000, 0)


def test_half_year_grade_moves():
    q1, q2 = chain(P, [50000, 60000])
    assert [l.kind for l in q2.lines if l.unit == FLAG] == ["salary_grade_down"]
    _, up = chain(P, [80000, 260000])
    # Q1 owes 20,000; Q2 repays it, E = 240,000 >= T and the half made 340,000 < 400,000: no move
    assert not [l for l in up.lines if l.unit == FLAG]
    _, up = chain(P, [150000, 260000])
    # no debts, half 410,000 >= 400,000 and Q2's E 260,000 >= T: grade +1
    assert [l.kind for l in up.lines if l.unit == FLAG] == ["salary_grade_up"]


def test_parameters_are_honoured():
    custom = SoftwarePlugin({"within_rate": "0.05", "fixed_wage_deduction": 500})
    (q1,) = chain(custom, [150000])
    assert cny(q1, "bonus") == 7500  # 150,000 x 5%
    (q1,) = chain(custom, [10000])
    assert cny(q1, "fixed_wage_deduction") == -500


# --- §2.4 progressive ------------------------------------------------------------------------------

def test_progressive_below_base_and_above_the_annual_target():
    # 58,500 / 1.17 = 50,000 < B 100,000: 1.424% = 712 (KPI unrated: coefficient 1)
    (q1,) = chain(PP, [58500])
    assert cny(q1, "bonus") == 712
    # four quarters of 234,000 (base 200,000 each): the year's target 800,000 is reached exactly
    # in Q4, nothing above; a fifth... instead Q4 of 351,000 (base 300,000): 100,000 above the
    # target at 9.968% + 200,000 at 7.12% = 9,968 + 14,240 = 24,208
    *_, q4 = chain(PP, [234000, 234000, 234000, 351000])
    assert cny(q4, "bonus") == D("24208")
    assert q4.carried["r"] == {"year": 2027, "ytd_base": "0"}


def test_progressive_big_deal_share_reading_is_a_parameter():
    # 117,000 in one collection (> 50,000) and 117,000 in small ones: base 200,000 >= B; big share
    # 50% >= 40%: 7.12% on all = 14,240; with a small-deal rate of 1.424% set and a big share under
    # 40%, the small part is paid at that rate
    small = [coll(f"s{i}", 11700, "2026-02-10") for i in range(10)]
    f = facts([coll("big", 117000, "2026-02-10"), *small])
    assert cny(PP.commission_quarter(f), "bonus") == 14240
    custom = SoftwareProgressivePlugin({"small_deal_rate_below_share": "0.01424", "big_deal_share": "0.6"})
    # base 200,000, big share 50% < 60%: 100,000 x 7.12% + 100,000 x 1.424% = 7,120 + 1,424 = 8,544
    assert cny(custom.commission_quarter(f), "bonus") == 8544


# --- properties ------------------------------------------------------------------------------------

amounts = st.lists(st.integers(0, 500000), min_size=4, max_size=4)


@settings(max_examples=80, deadline=None)
@given(amounts)
def test_a_year_counts_every_creditable_yuan_once_and_pays_nothing_negative(year):
    results = chain(P, year)
    counted = sum((l.inputs["counted"] for r in results for l in r.lines if l.kind == "carry_out"), D(0))
    last_carry = [l.figure for l in results[-1].lines if l.kind == "carry_out"][0]
    # every yuan collected is either counted in a quarter or still carried out of Q4
    assert counted + last_carry == sum(D(a) for a in year)
    for r in results:
        assert all(l.figure >= 0 for l in r.lines if l.unit == CNY and l.kind != "fixed_wage_deduction")
    assert chain(P, year)[-1].lines == results[-1].lines  # deterministic


@settings(max_examples=40, deadline=None)
@given(amounts)
def test_progressive_pays_nothing_negative_and_more_collections_never_pay_less(year):
    a = chain(PP, year)
    b = chain(PP, [x + 1000 for x in year])
    for ra, rb in zip(a, b):
        assert cny(ra, "bonus") >= 0 and cny(rb, "bonus") >= cny(ra, "bonus")
