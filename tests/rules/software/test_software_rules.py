"""Software plugins, clause by clause (docs/rules.md §2), figures worked by hand in the comments."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamkit.errors import ConfigError, InvalidFacts
from kamkit.explain import CNY, FLAG, INFO, in_indicator_section
from kamkit.facts_schema import load_facts
from plugins.software import SoftwarePlugin, SoftwareProgressivePlugin

P = SoftwarePlugin({"vat_divisor": 1})  # rules §2.3's worked example: vat_divisor 1 for readability
P_VAT = SoftwarePlugin()  # the seed's default: bonus amounts / 1.17
PP = SoftwareProgressivePlugin()
REP = {"id": "r", "role": "account_manager", "quarterly_target": 200000, "start_date": "2024-01-01"}
PEOPLE = [REP, {"id": "s", "role": "account_manager", "quarterly_target": 200000, "start_date": "2024-01-01"}]


def facts(collections, quarter="2026-Q1", people=PEOPLE, **kw):
    return load_facts(
        {"quarter": quarter, "month": "2026-01", "people": people, "collections": collections, **kw}
    )


def coll(id_, amount, day="2026-01-10", rep="r", **kw):
    return {"id": id_, "rep": rep, "date": day, "amount": amount, **kw}


def credit_of(lines, person="r"):
    return sum((l.figure for l in lines if l.kind == "task_credit" and l.person == person), D(0))


def month_lines(*collections, **kw):
    # the credit lines alone: the indicator section is tested in tests/kamkit/test_indicators.py
    return [l for l in P.assess_month(facts(list(collections), **kw)).lines if not in_indicator_section(l)]


def chain(plugin, amounts, people=(REP,), kpi=()):
    """Run the quarters of 2026 in order, handing carried state on; returns each quarter's result."""
    carried, out = {}, []
    for i, amount in enumerate(amounts):
        q = f"2026-Q{i % 4 + 1}" if i < 4 else f"2027-Q{i - 3}"
        year = 2026 if i < 4 else 2027
        f = load_facts(
            {
                "quarter": q,
                "people": list(people),
                "kpi": list(kpi),
                "collections": [coll(f"c{i}", amount, f"{year}-{(i % 4) * 3 + 2:02d}-10")] if amount else [],
            }
        )
        result = plugin.commission_quarter(f, carried)
        carried = result.carried
        out.append(result)
    return out


def cny(result, kind, person="r"):
    return sum(
        (l.figure for l in result.lines if l.kind == kind and l.person == person and l.unit == CNY), D(0)
    )


# --- §2.1 tiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, tier, owner",
    [
        ("49999.99", "standard", "account_manager"),
        ("50000", "large", "deputy_manager"),
        ("299999.99", "large", "deputy_manager"),
        ("300000", "strategic", "branch_manager"),
    ],
)
def test_tiers_on_both_sides_of_each_boundary(amount, tier, owner):
    o = load_facts(
        {"opportunities": [{"id": "o", "amount": amount, "discovered": "2026-01-01"}]}
    ).opportunities[0]
    for plugin in (P, PP):
        c = plugin.classify(o)
        assert (c.tier, c.owner_role, c.follow_up_days) == (tier, owner, 7)


# --- §2.2 crediting --------------------------------------------------------------------------


def test_net_credit_deducts_partner_expenses_entertainment_travel():
    # 100,000 - 10,000 - 5,000 - 3,000 - 2,000 = 80,000 toward the task (002/KAD §二1)
    lines = month_lines(
        coll("c", 100000, partner_share=10000, expenses=5000, entertainment=3000, travel=2000)
    )
    assert credit_of(lines) == 80000


def test_net_with_nothing_deducted_is_the_amount_as_stated_and_a_stated_zero_is_subtracted():
    # 002/KAD §二1: 12,000.5 with no deduction stated nets 12,000.5, the amount itself (not a copy:
    # a million collections); a partner share stated as 0.00 is subtracted: 12,000.5 - 0.00 =
    # 12,000.50, the same figure written as the subtraction writes it
    from datetime import date

    from kamkit.facts import Collection
    from plugins.software.crediting import net_of

    plain = Collection("c", "r", date(2026, 1, 10), D("12000.5"))
    assert net_of(plain) is plain.amount and str(net_of(plain)) == "12000.5"
    stated = Collection("c", "r", date(2026, 1, 10), D("12000.5"), partner_share=D("0.00"))
    assert str(net_of(stated)) == "12000.50" and net_of(stated) == D("12000.5")
    travel = Collection("c", "r", date(2026, 1, 10), D("12000.5"), travel=D("500"))
    assert net_of(travel) == D("11500.5")  # one deduction stated: 12,000.5 - 500


def test_not_in_crm_counts_for_nothing():
    lines = month_lines(coll("c", 100000, in_crm=False))
    assert credit_of(lines) == 0 and [l.kind for l in lines] == ["not_in_crm"]
    assert lines[0].clause == "002/KAP §二3"


def test_implementation_counts_in_the_task_and_is_paid_by_its_six_percent_only():
    # rules §2.2: the task is product AND implementation revenue; implementation is paid 6% of its net.
    # 50,000 implementation with 10,000 partner share -> net 40,000: X = 40,000, side bonus 2,400;
    # the step bonus is on E less implementation: max(0, 40,000 - 40,000) = 0 (the first reading left
    # implementation out of X: X was 0, with -600 and a debt of 100,000)
    f = facts([coll("c", 50000, revenue_kind="implementation", partner_share=10000)])
    result = P.commission_quarter(f)
    assert cny(result, "side_bonus") == 2400 and credit_of(result.lines) == 40000
    assert [l.figure for l in result.lines if l.kind == "quarter_credit" and l.person == "r"] == [40000]
    assert cny(result, "bonus") == 0
    # with 120,000 product as well: X = 160,000 >= B (no -600); step bonus on 160,000 - 40,000 =
    # 120,000 x 4% = 4,800; 2,400 side
    both = P.commission_quarter(
        facts([coll("c", 50000, revenue_kind="implementation", partner_share=10000), coll("p", 120000)])
    )
    assert (cny(both, "bonus"), cny(both, "side_bonus"), cny(both, "fixed_wage_deduction")) == (4800, 2400, 0)
    # maintenance and training stay out of the task: 6% of net only
    other = P.commission_quarter(
        facts([coll("m", 10000, revenue_kind="maintenance"), coll("t", 5000, revenue_kind="training")])
    )
    assert credit_of(other.lines) == 0 and cny(other, "side_bonus") == 900  # 15,000 x 6%
    # the side bonus line names the collections that paid it: m and t; in `both`, c and not p
    ((side,), (side_both,)) = ([l for l in r.lines if l.kind == "side_bonus"] for r in (other, both))
    assert side.inputs["collections"] == ["m", "t"] and side_both.inputs["collections"] == ["c"]
    # the progressive preset counts implementation toward the task as well (产品及实施回款, 002/KAB §二1)
    assert credit_of(PP.commission_quarter(f).lines) == 40000


def test_implementation_below_the_standard_quote_is_topped_up_at_the_software_rate():
    # rules §2.2: contract k billed 20,000 implementation against a 50,000 quote: shortfall 30,000.
    # r collects 10,000 of it (half the billed implementation): 10,000 implementation credit (6% ->
    # 600) + 15,000 topped up like product revenue, and 100,000 product: X = 125,000 >= B;
    # step base S = 125,000 - 10,000 = 115,000 x 4% = 4,600
    contracts = [{"id": "k", "total": 100000, "implementation": 20000, "implementation_quote": 50000}]
    result = P.commission_quarter(
        facts(
            [coll("i", 10000, revenue_kind="implementation", contract="k"), coll("p", 100000, contract="k")],
            contracts=contracts,
        )
    )
    assert credit_of(result.lines) == 125000
    assert (cny(result, "bonus"), cny(result, "side_bonus")) == (4600, 600)
    (credit,) = [l for l in result.lines if l.kind == "task_credit" and l.inputs["collection"] == "i"]
    assert credit.inputs["topped_up"] == 15000 and credit.inputs["implementation_quote"] == 50000


def test_service_and_supplies_five_percent_of_gross():
    # 20,000 service with 5,000 expenses: 5% of the collected 20,000 = 1,000 (002/KAB §三3)
    f = facts([coll("c", 20000, revenue_kind="service", expenses=5000)])
    assert cny(P.commission_quarter(f), "side_bonus") == 1000
    # progressive: training is 5% of collections too: 10,000 -> 500
    assert cny(PP.commission_quarter(facts([coll("t", 10000, revenue_kind="training")])), "side_bonus") == 500


def test_secondary_development_at_gross_margin_add_module_half_data_conversion_nothing():
    lines = month_lines(
        coll("a", 100000, revenue_kind="secondary_dev", gross_margin=35000),
        coll("b", 30000, revenue_kind="add_module"),
        coll("c", 9000, revenue_kind="data_conversion"),
    )
    # 35,000 + 30,000 / 2 + 0 = 50,000
    assert credit_of(lines) == 50000


def test_joint_sale_exceptions_tobacco_and_delivered_revenue_and_a_unit_counterpart():
    # rules §2.2 (奖金计提考核办法 §二5): a tobacco contract is not split: the collector r gets 100,000
    people = [*PEOPLE, {"id": "hq", "role": "unit", "name": "总部大客户部"}]
    contracts = [{"id": "tob", "total": 500000, "implementation": 150000, "tobacco": True}]
    lines = month_lines(coll("j", 100000, joint_with="s", contract="tob"), contracts=contracts, people=people)
    assert (credit_of(lines, "r"), credit_of(lines, "s")) == (100000, 0)
    # implementation of a joint sale goes wholly to whoever delivered it (s), service likewise
    lines = month_lines(
        coll("i", 40000, joint_with="s", revenue_kind="implementation", delivered_by="s"),
        coll("v", 10000, joint_with="s", revenue_kind="service"),
        people=people,
    )
    assert (credit_of(lines, "r"), credit_of(lines, "s")) == (0, 40000)
    # a unit as counterpart (hq) is credited its 30% but never run through a rep's scheme:
    # no default target, no -600, no debt
    result = P.commission_quarter(facts([coll("u", 100000, joint_with="hq")], people=people))
    hq = [l for l in result.lines if l.person == "hq"]
    assert [l.kind for l in hq] == ["task_credit", "credited_not_run"] and hq[1].figure == 30000
    assert "hq" not in result.carried


def test_joint_sale_seventy_thirty_and_contribution_shares():
    # joint: r collected 100,000 with s: r 70,000, s 30,000
    lines = month_lines(coll("j", 100000, joint_with="s"))
    assert (credit_of(lines, "r"), credit_of(lines, "s")) == (70000, 30000)
    # contributions 0.25 / 0.75 of 80,000: r 20,000, s 60,000
    lines = month_lines(
        coll("k", 80000, contributions=[{"person": "r", "share": "0.25"}, {"person": "s", "share": "0.75"}])
    )
    assert (credit_of(lines, "r"), credit_of(lines, "s")) == (20000, 60000)


def test_implementation_below_thirty_percent_of_contract_is_flagged():
    contracts = [
        {"id": "k1", "total": 100000, "implementation": "29999.99"},
        {"id": "k2", "total": 100000, "implementation": 30000},
    ]
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
    assert q4.carried["r"] == {
        "year": 2027,
        "carry": "0",
        "debts": [],
        "ytd_credit": "0",
        "ytd_target": "0",
        "half": [],
    }  # reset for the new year


def test_bonus_is_on_net_of_vat_by_default():
    # rules §2.3: the seed's 计提奖金=本季度实际回款/1.17*奖金比率; tests stay on collections as collected.
    # The worked example with the default vat_divisor 1.17: Q2 9,600 / 1.17 = 8,205.128205...
    # (5,600 / 1.17 = 4,786.32..., 4,000 / 1.17 = 3,418.80...), Q3 8,000 / 1.17 = 6,837.606837...;
    # Q1 still owes 40,000 (60,000 < B 100,000) and Q3 still carries 60,000
    q1, q2, q3 = chain(P_VAT, [60000, 180000, 260000])
    assert cny(q2, "bonus") + cny(q2, "released_bonus") == D(9600) / D("1.17")
    assert cny(q3, "bonus") == D(8000) / D("1.17") and D(q3.carried["r"]["carry"]) == 60000
    assert q1.carried["r"]["debts"][0]["owed"] == "40000" and cny(q1, "fixed_wage_deduction") == -600
    (bonus,) = [l for l in q3.lines if l.kind == "bonus"]
    assert bonus.inputs["vat_divisor"] == D("1.17") and bonus.to_dict()["figure"] == "6837.61"


def test_floating_wage_follows_the_quarters_own_completion():
    # rules §2.3: paid when X reaches T, whether or not X also repaid earlier debts.
    # Q1 60,000 owes 40,000; Q2 X 210,000 >= T 200,000 although E = 170,000 < T: paid (the first
    # reading tested E and withheld it)
    q1, q2 = chain(P, [60000, 210000])
    assert [l.kind for l in q2.lines if l.kind.startswith("floating")] == ["floating_wage_paid"]
    assert [l.kind for l in q1.lines if l.kind.startswith("floating")] == ["floating_wage_withheld"]


def test_debts_in_shows_the_debts_before_the_quarter():
    q1, q2 = chain(P, [60000, 50000])
    # Q2 starts owing Q1's 40,000 and ends owing Q2's 50,000 too: debts_in lists Q1's only
    (credit,) = [l for l in q2.lines if l.kind == "quarter_credit"]
    assert credit.inputs["debts_in"] == [{"quarter": "2026-Q1", "owed": "40000", "base": "100000"}]
    assert len(q2.carried["r"]["debts"]) == 2


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
    (p1,) = chain(PP, [200000], kpi=kpi)
    # progressive (no VAT division): 200,000 >= B: 7.12% = 14,240 x (70% + 30% x 0.5) = 12,104
    assert cny(p1, "bonus") == D("12104")


def test_a_new_rep_carries_no_task_in_quarters_beginning_within_their_first_three_months():
    # rules §2.3: started 2026-02-15; the first 3 months end 2026-05-15: Q1 and Q2 (begins 04-01)
    # carry no task, Q3 (begins 07-01) does. B = 0: no debt, no deduction; 30,000 x 4% = 1,200
    new = {**REP, "start_date": "2026-02-15"}
    q1, q2, q3 = chain(P, [30000, 30000, 30000], people=[new])
    assert cny(q1, "bonus") == 1200 and cny(q1, "fixed_wage_deduction") == 0
    assert q2.carried["r"]["debts"] == [] and cny(q2, "fixed_wage_deduction") == 0
    # Q3: B = 100,000 > 30,000: -600 and a debt of 70,000
    assert cny(q3, "fixed_wage_deduction") == -600 and q3.carried["r"]["debts"][0]["owed"] == "70000"
    # started 2026-01-01: its 3 months end 04-01, so Q2 (begins 04-01) already carries a task
    _, q2 = chain(P, [30000, 30000], people=[{**REP, "start_date": "2026-01-01"}])
    assert cny(q2, "fixed_wage_deduction") == -600
    # the months are a parameter: 6 months from 2026-01-01 end 07-01: Q2 carries none
    _, q2 = chain(
        SoftwarePlugin({"vat_divisor": 1, "new_rep_months": 6}),
        [30000, 30000],
        people=[{**REP, "start_date": "2026-01-01"}],
    )
    assert cny(q2, "fixed_wage_deduction") == 0


def test_partial_repayment_keeps_the_rest_of_the_debt():
    q1, q2 = chain(P, [20000, 120000])
    # Q1 owes 80,000. Q2 surplus 20,000 repays part: owes 60,000; E = 100,000: 4,000, nothing released
    assert q2.carried["r"]["debts"] == [{"quarter": "2026-Q1", "owed": "60000", "base": "100000"}]
    assert (cny(q2, "bonus"), cny(q2, "released_bonus")) == (4000, 0)


def test_half_year_grade_moves():
    # rules §2.3.5: the half's credit against the half-year base (B + B = 200,000)
    q1, q2 = chain(P, [50000, 60000])  # 110,000 < 200,000: grade -1
    (down,) = [l for l in q2.lines if l.unit == FLAG]
    assert down.kind == "salary_grade_down" and (down.inputs["half_credit"], down.inputs["half_base"]) == (
        110000,
        200000,
    )
    # both quarters below B but the half makes its base: 90,000 + 99,999 ... use 150,000 + 60,000:
    # Q2 alone is below B, the half's 210,000 >= 200,000: no demotion (and Q2's X < T: no promotion)
    _, q2 = chain(P, [150000, 60000])
    assert not [l for l in q2.lines if l.unit == FLAG]
    # Q1 owes 20,000; Q2 (X 260,000) repays it and meets T: every earlier shortfall repaid: +1
    _, up = chain(P, [80000, 260000])
    assert [l.kind for l in up.lines if l.unit == FLAG] == ["salary_grade_up"]
    # the target step per grade is a parameter (default 0: reported only)
    _, up = chain(SoftwarePlugin({"vat_divisor": 1, "half_year_target_step": 20000}), [80000, 260000])
    (flag,) = [l for l in up.lines if l.unit == FLAG]
    assert flag.inputs["new_target"] == 220000 and "target +20000" in flag.reason_en


def test_parameters_are_honoured():
    custom = SoftwarePlugin({"within_rate": "0.05", "fixed_wage_deduction": 500, "vat_divisor": 1})
    (q1,) = chain(custom, [150000])
    assert cny(q1, "bonus") == 7500  # 150,000 x 5%
    (q1,) = chain(custom, [10000])
    assert cny(q1, "fixed_wage_deduction") == -500


# --- §2.4 progressive ------------------------------------------------------------------------------


def test_progressive_below_base_and_above_the_annual_target():
    # rules §2.4, tests on collections as collected (vat_divisor 1): 50,000 < B 100,000: 1.424% = 712
    (q1,) = chain(PP, [50000])
    assert cny(q1, "bonus") == 712
    # Q1-Q3 200,000 each: B reached, 7.12% = 14,240 each; Q4 300,000 with 600,000 before: 100,000
    # above the annual target 800,000 at 9.968% + 200,000 at 7.12% = 9,968 + 14,240 = 24,208.
    # Year end: 900,000 -> 800,000 x 7.12% + 100,000 x 9.968% = 66,928 = what the quarters
    # computed (3 x 14,240 + 24,208): nothing more is due
    *_, q4 = chain(PP, [200000, 200000, 200000, 300000])
    assert cny(q4, "bonus") == D("24208") and cny(q4, "year_end_settlement") == 0
    (settle,) = [l for l in q4.lines if l.kind == "year_end_settlement"]
    assert (settle.inputs["year_bonus"], settle.inputs["paid_by_quarters"]) == (66928, 66928)
    assert q4.carried["r"] == {
        "year": 2027,
        "debts": [],
        "ytd_credit": "0",
        "ytd_base": "0",
        "ytd_computed": "0",
    }


def test_progressive_shortfall_is_made_up_from_later_quarters():
    # rules §2.4 (§二2): Q1 50,000 < B: 712 and a shortfall of 50,000. Q2 250,000 makes it up first:
    # Q1's base is reached, it is released 100,000 x 7.12% - 712 = 6,408; E = 200,000 x 7.12% = 14,240
    q1, q2 = chain(PP, [50000, 250000])
    assert q1.carried["r"]["debts"] == [
        {"quarter": "2026-Q1", "owed": "50000", "base": "100000", "paid": "712"}
    ]
    assert (cny(q2, "bonus"), cny(q2, "released_bonus")) == (14240, 6408)
    assert q2.carried["r"]["debts"] == []
    # a year that ends below its base (Q3, Q4 nothing): the year's 300,000 x 1.424% = 4,272 is less
    # than the quarters computed (712 + 6,408 + 14,240 = 21,360): reported, not clawed back
    *_, q4 = chain(PP, [50000, 250000, 0, 0])
    (settle,) = [l for l in q4.lines if l.kind == "year_end_settlement"]
    assert (
        settle.unit == INFO
        and settle.inputs["year_bonus"] == D("4272")
        and cny(q4, "year_end_settlement") == 0
    )


def test_progressive_single_deal_is_a_contract_and_the_big_deal_share_reading_is_a_parameter():
    # 117,000 in one collection (> 50,000) and 117,000 in ten collections of 11,700: 234,000 >= B;
    # big share 50% >= 40%: 7.12% on all = 16,660.80
    small = [coll(f"s{i}", 11700, "2026-02-10") for i in range(10)]
    f = facts([coll("big", 117000, "2026-02-10"), *small])
    assert cny(PP.commission_quarter(f), "bonus") == D("16660.80")
    custom = SoftwareProgressivePlugin({"small_deal_rate_below_share": "0.01424", "big_deal_share": "0.6"})
    # big share 50% < 60%: 117,000 x 7.12% + 117,000 x 1.424% = 8,330.40 + 1,666.08 = 9,996.48
    assert cny(custom.commission_quarter(f), "bonus") == D("9996.48")
    # the ten small collections are one contract k of 117,000 (单产 = a contract's total): a big deal
    # too, so everything is big: 234,000 x 7.12% = 16,660.80 even with the custom share
    contracted = facts(
        [coll("big", 117000, "2026-02-10"), *[{**c, "contract": "k"} for c in small]],
        contracts=[{"id": "k", "total": 117000, "implementation": 40000}],
    )
    assert cny(custom.commission_quarter(contracted), "bonus") == D("16660.80")


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


# --- reasons, new reps and half-years as a new user reads them ---------------------------------------

FLOAT_LIKE = r"\d\.0(?!\d)"  # 75000.0, 1.0: how a float prints, never how the suite writes a figure


def test_reasons_print_money_as_the_suite_reports_it():
    import re

    # T 150,000: B = 150,000 x 0.5 = 75,000 (an exact 75000.0); X = 30,000 below it owes 45,000
    low = {**REP, "quarterly_target": 150000}
    (q1,) = chain(P, [30000], people=[low])
    (debt,) = [l for l in q1.lines if l.kind == "debt_created"]
    assert debt.reason_en == "below base 75000.00: owes 45000.00 to be made up later; no bonus"
    assert debt.to_dict()["figure"] == "45000" and debt.inputs["B"] == 75000  # exact, not 45000.0
    assert "未完成基数 75000.00：欠 45000.00" in debt.reason_zh
    (deduction,) = [l for l in q1.lines if l.kind == "fixed_wage_deduction"]
    assert deduction.reason_en == "below base: 600.00 deducted from fixed wage"
    # a joint sale credits 100,000 x 0.7 = 70,000 (an exact 70000.0) and 30,000; progressive too
    joint = facts([coll("j", 100000, joint_with="s")])
    for plugin in (P, P_VAT, PP):
        result = plugin.commission_quarter(joint)
        reasons = [r for l in result.lines for r in (l.reason_en, l.reason_zh)]
        assert not [r for r in reasons if re.search(FLOAT_LIKE, r)], plugin.key
    (credit,) = [
        l for l in P.commission_quarter(joint).lines if l.kind == "quarter_credit" and l.person == "r"
    ]
    assert credit.reason_en == "X = creditable collections 70000.00 + carried in 0.00"


def test_a_new_rep_without_a_task_has_no_floating_wage_withheld():
    # rules §2.3 (002/KAP §一 新业务员一季度不承担任务): started 2026-02-15, Q1 and Q2 carry no task.
    # X = 30,000 < T 200,000 would withhold the floating wage of a rep with a task; this rep has
    # none to fall short of: nothing withheld, said with the new-rep clause. The bonus steps still
    # use T: 30,000 x 4% = 1,200. Q3 carries a task: 30,000 < T withholds it.
    new = {**REP, "start_date": "2026-02-15"}
    q1, q2, q3 = chain(P, [30000, 30000, 30000], people=[new])
    for q in (q1, q2):
        (wage,) = [l for l in q.lines if l.kind.startswith("floating_wage")]
        assert (wage.kind, wage.clause, wage.figure) == ("floating_wage_paid", "002/KAP §一", 0)
        assert wage.reason_en.startswith("no task this quarter (a new rep): nothing withheld")
        assert wage.inputs["no_task"] is True and str(wage.inputs["start_date"]) == "2026-02-15"
    assert cny(q1, "bonus") == 1200
    (wage,) = [l for l in q3.lines if l.kind.startswith("floating_wage")]
    assert (wage.kind, wage.clause, wage.inputs["no_task"]) == (
        "floating_wage_withheld",
        "002/KAP §三",
        False,
    )
    # first_quarter_no_task false: the new rep carries the task, the floating wage test with it
    (q1,) = chain(SoftwarePlugin({"vat_divisor": 1, "first_quarter_no_task": False}), [30000], people=[new])
    assert [l.kind for l in q1.lines if l.kind.startswith("floating_wage")] == ["floating_wage_withheld"]


def test_a_half_year_grade_from_one_quarter_is_provisional():
    # rules §2.3.5: Q1 80,000 owes 20,000, Q2 260,000 repays it and meets T: +1, final (both
    # quarters of the half known)
    _, q2 = chain(P, [80000, 260000])
    (flag,) = [l for l in q2.lines if l.unit == FLAG]
    assert flag.inputs["provisional"] is False and "provisional" not in flag.reason_en
    assert flag.inputs["quarters_known"] == ["2026-Q1", "2026-Q2"]
    # Q2 run alone (no carried state): the half's credit is Q2's 260,000 >= its base 100,000 and
    # T met: +1 on one quarter of two, provisional until Q2 is run from Q1's carried state
    alone = P.commission_quarter(facts([coll("c", 260000, "2026-05-10")], quarter="2026-Q2", people=[REP]))
    (flag,) = [l for l in alone.lines if l.unit == FLAG]
    assert flag.kind == "salary_grade_up" and flag.inputs["provisional"] is True
    assert flag.inputs["quarters_known"] == ["2026-Q2"]
    assert "provisional: 2026-Q2 only; final when 2026-Q2 is run from 2026-Q1's carried state" in (
        flag.reason_en
    )
    assert "暂定" in flag.reason_zh
    # a rep who joined in Q2 has no Q1 to know: Q2 alone is the half-year, final
    joined = {**REP, "start_date": "2026-04-01"}
    alone = P.commission_quarter(facts([coll("c", 260000, "2026-05-10")], quarter="2026-Q2", people=[joined]))
    (flag,) = [l for l in alone.lines if l.unit == FLAG]
    assert flag.inputs["provisional"] is False


# --- the seeds' disagreements as parameters (rules §2.2, §2.3.2) ------------------------------------

KAD = SoftwarePlugin({"vat_divisor": 1, "floating_wage_rule": "kad"})


def wages(result, person="r"):
    return [
        (l.kind, l.clause, l.inputs.get("quarter"))
        for l in result.lines
        if l.kind.startswith("floating_wage") and l.person == person
    ]


def test_the_floating_wage_rule_is_a_reading_kap_by_default_kad_the_other_documents():
    basis = {p.name: (p.basis, p.default, p.choices) for p in P.parameters}
    assert basis["floating_wage_rule"] == ("reading", "kap", ("kap", "kad"))
    assert P.version == "1.2.0" and "floating_wage_rule" not in PP.params  # KAB has no floating wage
    with pytest.raises(ConfigError) as exc:
        SoftwarePlugin({"floating_wage_rule": "both"})
    assert exc.value.errors[0]["field"] == "floating_wage_rule"


def test_kad_withholds_the_floating_wage_only_below_the_base_and_pays_it_back_when_made_up():
    # rules §2.3.2, T 200,000, B 100,000 (the worked example's quarters):
    # Q1 60,000 < B: withheld under both rules (KAP: < T; KAD: < B), Q1 owes 40,000.
    # Q2 180,000: B <= X < T. KAP withholds it (< T) and never pays Q1's back. KAD pays Q2's own
    # (not below the base) and, Q2's surplus 80,000 repaying Q1's 40,000 in full, pays Q1's
    # withheld wage back in Q2 on a line of its own (浮动工资在补足的季度发放). Q3 260,000: paid by both.
    kap = chain(P, [60000, 180000, 260000])
    kad = chain(KAD, [60000, 180000, 260000])
    assert [wages(r) for r in kap] == [
        [("floating_wage_withheld", "002/KAP §三", None)],
        [("floating_wage_withheld", "002/KAP §三", None)],
        [("floating_wage_paid", "002/KAP §三", None)],
    ]
    assert [wages(r) for r in kad] == [
        [("floating_wage_withheld", "002/KAD §二3", None)],
        [
            ("floating_wage_paid", "002/KAD §二3", None),
            ("floating_wage_back_paid", "002/KAD §二3", "2026-Q1"),
        ],
        [("floating_wage_paid", "002/KAD §二3", None)],
    ]
    # the carried state remembers the withheld wage until it is paid back
    assert [r.carried["r"]["wage_withheld"] for r in kad] == [["2026-Q1"], [], []]
    assert "wage_withheld" not in kap[0].carried["r"]  # kap's state is as it was
    (back,) = [l for l in kad[1].lines if l.kind == "floating_wage_back_paid"]
    assert back.inputs["made_up_in"] == "2026-Q2" and back.reason_en == (
        "2026-Q1's shortfall below its base made up in 2026-Q2: the floating wage withheld in 2026-Q1 "
        "is paid back now"
    )
    # only the floating wage differs: bonus, release, -600 and carry are the same under both
    for a, b in zip(kap, kad):
        for kind in ("bonus", "released_bonus", "fixed_wage_deduction"):
            assert cny(a, kind) == cny(b, kind)
        assert a.carried["r"]["carry"] == b.carried["r"]["carry"]
    assert (cny(kad[1], "bonus"), cny(kad[1], "released_bonus")) == (5600, 4000)


def test_kad_pays_a_withheld_wage_back_only_when_the_shortfall_is_made_up_in_full():
    # Q1 20,000 owes 80,000 (withheld). Q2 120,000: surplus 20,000 repays part, 60,000 still owed:
    # Q2's own wage paid under KAD (120,000 >= B), Q1's not yet; KAP withholds Q2's (< T).
    # Q3 200,000: surplus 100,000 repays the 60,000: Q1's wage paid back in Q3 (and Q1's bonus
    # 100,000 x 4% = 4,000 released); E = 140,000 -> 5,600. KAP pays Q3's own (X = T), nothing back.
    kad = chain(KAD, [20000, 120000, 200000])
    assert wages(kad[1]) == [("floating_wage_paid", "002/KAD §二3", None)]
    assert kad[1].carried["r"]["wage_withheld"] == ["2026-Q1"]
    assert wages(kad[2]) == [
        ("floating_wage_paid", "002/KAD §二3", None),
        ("floating_wage_back_paid", "002/KAD §二3", "2026-Q1"),
    ]
    assert (cny(kad[2], "bonus"), cny(kad[2], "released_bonus")) == (5600, 4000)
    kap = chain(P, [20000, 120000, 200000])
    assert [wages(r)[0][0] for r in kap] == ["floating_wage_withheld"] * 2 + ["floating_wage_paid"]
    assert not [l for r in kap for l in r.lines if l.kind == "floating_wage_back_paid"]


@pytest.mark.parametrize(
    "amount, kap, kad",
    [
        ("99999.99", "floating_wage_withheld", "floating_wage_withheld"),  # below the base
        ("100000", "floating_wage_withheld", "floating_wage_paid"),  # X = B: not below (低于) it
        ("199999.99", "floating_wage_withheld", "floating_wage_paid"),
        ("200000", "floating_wage_paid", "floating_wage_paid"),  # X = T
    ],
)
def test_the_floating_wage_on_both_sides_of_the_base_and_the_target(amount, kap, kad):
    assert wages(chain(P, [amount])[0])[0][0] == kap
    assert wages(chain(KAD, [amount])[0])[0][0] == kad


def test_a_wage_withheld_under_kad_and_never_made_up_lapses_with_its_debt_at_year_end():
    # rules §2.3.2, §2.3.4: Q1 60,000 withheld; nothing more in 2026: Q1-Q4 withheld, their debts
    # and wages lapse at year end; 2027-Q1 300,000 pays its own wage and nothing back
    *_, q4, next_q1 = chain(KAD, [60000, 0, 0, 0, 300000])
    assert "wage_withheld" not in q4.carried["r"] and q4.carried["r"]["debts"] == []
    assert wages(next_q1) == [("floating_wage_paid", "002/KAD §二3", None)]
    # a carried list that is not a list of quarters is refused by field
    f = facts([coll("c", 10000)])
    bad = {"r": {"year": 2026, "carry": "0", "debts": [], "ytd_credit": "0", "ytd_target": "0", "half": []}}
    with pytest.raises(InvalidFacts) as exc:
        KAD.commission_quarter(f, {"r": {**bad["r"], "wage_withheld": "2025-Q4"}})
    assert exc.value.errors[0]["field"] == "carried.r.wage_withheld"


OUT = SoftwarePlugin({"vat_divisor": 1, "outside_funnel_counts_for_task": True})


def test_projects_outside_the_funnel_are_a_reading_credited_for_nothing_by_default():
    basis = {p.name: (p.basis, p.default) for p in P.parameters}
    assert basis["outside_funnel_counts_for_task"] == ("reading", False)
    assert "outside_funnel_counts_for_task" not in PP.params  # 002/KAB §二4: neither, as its document
    # the monthly statement: the default says not credited (002/KAP §二3); true credits it to the
    # task under 002/KAD §二5 and says no bonus
    (default,) = month_lines(coll("o", 50000, in_crm=False))
    assert (default.kind, default.clause, default.figure) == ("not_in_crm", "002/KAP §二3", 0)
    (counted,) = [
        l
        for l in OUT.assess_month(facts([coll("o", 50000, in_crm=False)])).lines
        if not in_indicator_section(l)
    ]
    assert (counted.kind, counted.clause, counted.figure) == ("task_credit", "002/KAD §二5", 50000)
    assert counted.reason_en == (
        "collection o (product): project outside the sales funnel / CRM: net 50000.00, counts for the task "
        "50000.00 (share 1), earns no bonus"
    )


def test_outside_the_funnel_counts_for_the_base_and_debts_but_not_for_the_bonus():
    # rules §2.2: 80,000 in the funnel and 50,000 outside it, T 200,000, B 100,000.
    # Default: X = 80,000 < B: no bonus, a debt of 20,000, -600, floating wage withheld.
    # True: X = 130,000 >= B: no debt, no -600; the bonus leaves the 50,000 out: S = 130,000 - 50,000 =
    # 80,000 < T -> 80,000 x 4% = 3,200; still X < T: floating wage withheld (002/KAP §三)
    f = facts([coll("p", 80000), coll("o", 50000, in_crm=False)])
    off, on = P.commission_quarter(f), OUT.commission_quarter(f)
    assert (cny(off, "bonus"), cny(off, "fixed_wage_deduction")) == (0, -600)
    assert off.carried["r"]["debts"] == [{"quarter": "2026-Q1", "owed": "20000", "base": "100000"}]
    assert (cny(on, "bonus"), cny(on, "fixed_wage_deduction"), on.carried["r"]["debts"]) == (3200, 0, [])
    assert wages(on) == [("floating_wage_withheld", "002/KAP §三", None)]
    (x,) = [l for l in on.lines if l.kind == "quarter_credit" and l.person == "r"]
    assert x.figure == 130000 and x.inputs["outside_funnel"] == 50000
    assert x.reason_en == (
        "X = creditable collections 130000.00 + carried in 0.00 (of which outside the sales funnel "
        "50000.00: counts for the task, earns no bonus)"
    )
    (bonus,) = [l for l in on.lines if l.kind == "bonus" and l.person == "r"]
    assert bonus.reason_en.startswith(
        "S = E 130000.00 - outside the funnel 50000.00 - implementation 0.00; S 80000.00 < target "
        "200000.00: S x 4%"
    )
    assert (bonus.inputs["S"], bonus.inputs["outside_funnel_kept_out"]) == (80000, 50000)
    # outside the funnel, no side bonus either: 50,000 of implementation credits 50,000 to the task
    # (not as implementation) and earns no 6%; 10,000 of maintenance credits nothing and earns nothing
    g = facts(
        [
            coll("i", 50000, revenue_kind="implementation", in_crm=False),
            coll("m", 10000, revenue_kind="maintenance", in_crm=False),
        ]
    )
    side = OUT.commission_quarter(g)
    assert (cny(side, "side_bonus"), credit_of(side.lines)) == (0, 50000)
    assert cny(P.commission_quarter(g), "side_bonus") == 0 and credit_of(P.commission_quarter(g).lines) == 0


def test_outside_the_funnel_makes_up_debts_first_and_counts_for_the_half_year_grade():
    # Q1 60,000 owes 40,000. Q2 100,000 in the funnel + 80,000 outside:
    # default: X = 100,000 = B: nothing repaid, S = 100,000 -> 4,000; the half-year 160,000 < its
    # base 200,000: salary grade -1.
    # true: X = 180,000, the surplus 80,000 repays Q1's 40,000 (Q1 released: 4,000) from the outside
    # credit, 40,000 of which is left and kept out of the bonus: E = 140,000, S = 140,000 - 40,000 =
    # 100,000 -> 4,000, the same bonus; the half-year 240,000 >= 200,000: no demotion (Q2's X < T:
    # no promotion either)
    def quarters(plugin):
        carried, out = {}, []
        for q, rows in (
            ("2026-Q1", [coll("a", 60000, "2026-02-10")]),
            ("2026-Q2", [coll("b", 100000, "2026-05-10"), coll("o", 80000, "2026-05-11", in_crm=False)]),
        ):
            result = plugin.commission_quarter(facts(rows, quarter=q, people=[REP]), carried)
            carried = result.carried
            out.append(result)
        return out

    _, off = quarters(P)
    _, on = quarters(OUT)
    assert (cny(off, "bonus"), cny(off, "released_bonus")) == (4000, 0)
    assert off.carried["r"]["debts"][0]["owed"] == "40000"
    assert [l.kind for l in off.lines if l.unit == FLAG] == ["salary_grade_down"]
    assert (cny(on, "bonus"), cny(on, "released_bonus"), on.carried["r"]["debts"]) == (4000, 4000, [])
    assert not [l for l in on.lines if l.unit == FLAG]


def test_outside_the_funnel_is_never_carried_nor_reaches_the_cap():
    # 250,000 in the funnel + 60,000 outside: X = 310,000 (the target met: floating wage paid), but the
    # bonus's E is 250,000: T <= 250,000 < C -> 200,000 x 4% = 8,000 and 50,000 (in the funnel) carried,
    # exactly as without the outside credit; not 8,000 + 100,000 x 5% with 10,000 carried
    f = facts([coll("p", 250000), coll("o", 60000, in_crm=False)])
    on, off = OUT.commission_quarter(f), P.commission_quarter(f)
    assert (cny(on, "bonus"), on.carried["r"]["carry"]) == (8000, "50000")
    assert (cny(off, "bonus"), off.carried["r"]["carry"]) == (8000, "50000")
    assert wages(on) == [("floating_wage_paid", "002/KAP §三", None)]
    assert [l.inputs["counted"] for l in on.lines if l.kind == "carry_out" and l.person == "r"] == [260000]
