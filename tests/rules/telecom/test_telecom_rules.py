"""Telecom plugin, clause by clause (docs/rules.md §1), figures worked by hand in the comments."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamkit.errors import ConfigError
from kamkit.explain import CNY, FLAG, INFO, POINTS, totals
from kamkit.facts_schema import load_facts
from plugins.telecom import TelecomPlugin

P = TelecomPlugin()
ROSTER = {
    "branches": [{"id": "b1"}, {"id": "b2", "urban": True}],
    "people": [
        {"id": "am1", "role": "account_manager", "branch": "b1", "start_date": "2025-01-01"},
        {"id": "dir1", "role": "center_director", "branch": "b1"},
        {"id": "dep1", "role": "deputy_manager", "branch": "b1"},
        {"id": "bm1", "role": "branch_manager", "branch": "b1"},
    ],
}


def facts(**kw):
    return load_facts({**ROSTER, **kw})


def opp(id_, amount, **kw):
    return {
        "id": id_,
        "amount": amount,
        "discovered": "2026-03-02",
        "entered": "2026-03-02",
        "branch": "b1",
        "account_manager": "am1",
        **kw,
    }


def month(*opps, **kw):
    """March's lines without the quota rows (each test opts into what it checks)."""
    f = facts(month="2026-03", opportunities=list(opps), **kw)
    return P.assess_month(f).lines


def points(lines, kind=None):
    return {p: v for p, v in totals([l for l in lines if kind is None or l.kind == kind], POINTS).items()}


# --- §1.1 tiers, owners, bulletin ---------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, tier, owner, confirmer, clause",
    [
        ("9999.99", "below_threshold", None, None, "000 §(一)1"),
        ("10000", "reportable", "account_manager", "entry_admin", "000 §(一)1"),
        ("19999.99", "reportable", "account_manager", "entry_admin", "000 §(一)1"),
        ("20000", "ordinary", "account_manager", "center_director", "000 §(一)2"),
        ("49999.99", "ordinary", "account_manager", "center_director", "000 §(一)2"),
        ("50000", "important", "deputy_manager", "deputy_manager", "000 §(一)3"),
        ("199999.99", "important", "deputy_manager", "deputy_manager", "000 §(一)3"),
        ("200000", "major", "branch_manager", "branch_manager", "000 §(一)4"),
    ],
)
def test_tier_boundaries_on_both_sides(amount, tier, owner, confirmer, clause):
    c = P.classify(facts(opportunities=[opp("o", amount)]).opportunities[0])
    assert (c.tier, c.owner_role, c.confirming_role, c.clause) == (tier, owner, confirmer, clause)
    # weekly follow-up from 20,000 (000 §(一)2-4): the escalation clock runs only then
    assert (c.follow_up_days == 7) == (D(amount) >= 20000)


def test_bulletin_takes_20000_or_5_lines():
    f = facts(opportunities=[opp("a", "19999.99", lines=4), opp("b", "19999.99", lines=5), opp("c", 20000)])
    assert [P.classify(o).in_bulletin for o in f.opportunities] == [False, True, True]


def test_thresholds_are_parameters():
    custom = TelecomPlugin({"major_from": 150000})
    o = facts(opportunities=[opp("o", 160000)]).opportunities[0]
    assert custom.classify(o).tier == "major" and P.classify(o).tier == "important"


@given(
    st.decimals(min_value=0, max_value=10**7, places=2), st.decimals(min_value=0, max_value=10**7, places=2)
)
def test_tier_is_monotone_in_amount(a, b):
    order = ["below_threshold", "reportable", "ordinary", "important", "major"]
    lo, hi = sorted((a, b))
    f = facts(opportunities=[opp("lo", str(lo)), opp("hi", str(hi))])
    assert order.index(P.classify(f.opportunities[0]).tier) <= order.index(
        P.classify(f.opportunities[1]).tier
    )


# --- §1.4 missed reports ---------------------------------------------------------------------------


def test_missed_report_small_band():
    # audit finding of 15,000, 2 lines: BM 1, Dir 2, AM 2 (000 §(三)(一)1 first line)
    lines = month(opp("o1", 15000, lines=2, origin="audit"), opp("q", 30000, scope="local"))
    assert points(lines, "missed_report_small") == {"bm1": 1, "dir1": 2, "am1": 2}


def test_missed_report_ordinary_band_and_boundaries():
    # 20,000 with 4 lines: BM 3, Dir 4, AM 4; 19,999.99 falls to the small band; 9,999.99 with
    # 4 lines is not reportable at all
    lines = month(
        opp("o1", 20000, lines=4, origin="audit"),
        opp("o2", "19999.99", origin="audit"),
        opp("o3", "9999.99", lines=4, origin="audit"),
    )
    assert points(lines, "missed_report_ordinary") == {"bm1": 3, "dir1": 4, "am1": 4}
    assert points(lines, "missed_report_small") == {"bm1": 1, "dir1": 2, "am1": 2}
    assert not [l for l in lines if l.inputs.get("opportunity") == "o3"]


def test_missed_report_important_by_amount_or_lines():
    # 50,000 (or 9,000 with 5 lines): BM 5, Dir 10, AM 10 each -> two cases: BM 10, Dir 20, AM 20
    lines = month(opp("o1", 50000, origin="audit"), opp("o2", 9000, lines=5, origin="audit"))
    assert points(lines, "missed_report_important") == {"bm1": 10, "dir1": 20, "am1": 20}
    assert {l.clause for l in lines if l.kind == "missed_report_important"} == {"000 §(三)(一)2"}
    # the deputy is charged 0 by this row: no line for dep1
    assert "dep1" not in points(lines)


@pytest.mark.parametrize(
    "amount, lines_, tiers, printed",
    [
        # (BM, Dir, AM) under missed_band_edges 'tiers' (the default) and 'printed'
        ("19999.99", 0, (1, 2, 2), (1, 2, 2)),  # below 2万: band 1 under both readings
        ("20000", 0, (3, 4, 4), (5, 10, 10)),  # 2万元及以上 as printed: band 3; by the tiers: ordinary
        ("30000", 0, (3, 4, 4), (5, 10, 10)),
        ("49999.99", 4, (3, 4, 4), (5, 10, 10)),
        ("50000", 0, (5, 10, 10), (5, 10, 10)),  # important by §(一)3: band 3 under both
        ("15000", 5, (5, 10, 10), (5, 10, 10)),  # 5 lines lift any amount into band 3 under both
    ],
)
def test_which_amounts_the_5_10_10_band_takes_is_a_reading_with_the_printed_2_wan_as_its_other_value(
    amount, lines_, tiers, printed
):
    # rules §1.4: the heading says 重大商机, the body 2万元及以上重要、重大商机, and §(一) starts 重要 at
    # 5万. 'tiers' (default) reads the bands by the §(一) tiers; 'printed' takes the printed 2万, so the
    # 3/4/4 band of §(三)(一)1 gets nothing by amount
    for params, (bm, dir_, am) in (({}, tiers), ({"missed_band_edges": "printed"}, printed)):
        f = facts(month="2026-03", opportunities=[opp("o1", amount, lines=lines_, origin="audit")])
        lines = [l for l in TelecomPlugin(params).assess_month(f).lines if l.kind.startswith("missed_report")]
        assert points(lines) == {"bm1": bm, "dir1": dir_, "am1": am}, params
        assert {l.clause for l in lines} == {"000 §(三)(一)2" if am == 10 else "000 §(三)(一)1"}


def test_the_band_edges_are_readings_and_the_printed_points_stay_seed():
    # rules §1.4: the 5/10/10 figures are printed [seed]; the amounts and lines they attach to are the
    # suite's reading [reading]; any other value of missed_band_edges is refused by name
    basis = {p.name: p.basis for p in P.parameters}
    assert basis["missed_band_edges"] == basis["missed_lines_threshold"] == "reading"
    assert {
        basis[k] for k in ("points_missed_small", "points_missed_ordinary", "points_missed_important")
    } == {"seed"}
    assert P.params["missed_band_edges"] == "tiers" and P.version == "1.1.0"
    with pytest.raises(ConfigError) as exc:
        TelecomPlugin({"missed_band_edges": "literal"})
    assert exc.value.errors[0]["field"] == "missed_band_edges"


def test_single_source_is_charged_in_addition():
    # 60,000 missed and bought single-source by a competitor: 5/10/10 + 5/10/10 = BM 10, Dir 20, AM 20
    lines = month(opp("o1", 60000, origin="audit", competitor_single_source=True))
    assert points(lines, "missed_single_source") == {"bm1": 5, "dir1": 10, "am1": 10}
    assert points(lines)["am1"] == 20 + 5  # + 5 for am1's unmet local quota (no local entry)


def test_late_and_never_entered_reports_count_in_their_month():
    # deadline 7 days: discovered 1 March, entered 8 March is on time; entered 9 March is late
    on_time = opp("o1", 30000, discovered="2026-03-01", entered="2026-03-08")
    late = opp("o2", 30000, discovered="2026-02-20", entered="2026-03-09")  # counts in March
    never = opp("o3", 30000, discovered="2026-02-25", entered=None)  # deadline 4 March passed
    never_april = opp("o4", 30000, discovered="2026-03-25", entered=None)  # deadline 1 April
    lines = month(on_time, late, never, never_april)
    missed = {l.inputs["opportunity"] for l in lines if l.kind.startswith("missed_report")}
    assert missed == {"o2", "o3"}
    assert (
        TelecomPlugin({"entry_deadline_days": 10})
        .assess_month(facts(month="2026-03", opportunities=[late]))
        .lines
    )  # 17 days late still
    assert not [
        l
        for l in TelecomPlugin({"entry_deadline_days": 20})
        .assess_month(facts(month="2026-03", opportunities=[late]))
        .lines
        if l.kind.startswith("missed")
    ]


# --- §1.2 quotas, entry quality --------------------------------------------------------------


def test_account_manager_quota_shortfall():
    # am1 entered no local opportunity in March: 1 missing x (BM 2, Dir 5, AM 5)
    lines = month(opp("c", 30000, scope="citywide"))
    assert points(lines, "quota_shortfall") == {"bm1": 2, "dir1": 5, "am1": 5}
    # a new starter (joined 10 March) owes nothing that month
    people = [dict(p, start_date="2026-03-10") if p["id"] == "am1" else p for p in ROSTER["people"]]
    f = load_facts({**ROSTER, "people": people, "month": "2026-03"})
    assert not points(P.assess_month(f).lines, "quota_shortfall")


def test_branch_citywide_quota_urban_two():
    # b1 (not urban) owes 1 citywide, entered 1: nothing; b2 (urban) owes 2, entered 0 -> 2 x
    # (BM 2, Dir 5) to b2's (vacant) posts
    lines = month(opp("c", 30000, scope="citywide"), opp("l", 30000))
    short = [l for l in lines if l.kind == "branch_quota_shortfall"]
    assert {(l.person, l.figure) for l in short} == {
        ("vacant:branch_manager:b2", 4),
        ("vacant:center_director:b2", 10),
    }


def test_poor_quality_entry():
    # Dir 2, AM 2 per poor entry; two -> 4 each
    lines = month(opp("o1", 30000, quality="poor"), opp("o2", 25000, quality="poor"))
    assert points(lines, "poor_entry") == {"dir1": 4, "am1": 4}


# --- §1.4 losses and the veto -----------------------------------------------------------------


def test_subjective_loss_lands_in_the_verdict_month():
    lost = opp("o1", 80000, status="lost", discovered="2026-01-10", entered="2026-01-10")
    reviews = [{"opportunity": "o1", "verdict": "subjective", "decided": "2026-03-20"}]
    lines = month(lost, loss_reviews=reviews)
    # BM 5, Dep 7, Dir 10, AM 10 (000 §(三)(二)1)
    assert points(lines, "subjective_loss") == {"bm1": 5, "dep1": 7, "dir1": 10, "am1": 10}
    april = P.assess_month(facts(month="2026-04", opportunities=[lost], loss_reviews=reviews)).lines
    assert not points(april, "subjective_loss")


def test_pending_objective_and_small_losses():
    lost = [
        opp("o1", 80000, status="lost"),
        opp("o2", 80000, status="lost"),
        opp("o3", 30000, status="lost"),
        opp("o4", 30000, status="lost", citywide_bid=True),
    ]
    reviews = [
        {"opportunity": "o2", "verdict": "objective", "decided": "2026-03-05"},
        {"opportunity": "o4", "verdict": "subjective", "decided": "2026-03-05"},
    ]
    lines = month(*lost, loss_reviews=reviews)
    kinds = {(l.kind, l.inputs["opportunity"]) for l in lines if "loss" in l.kind}
    # o1 pending (listed, no points); o2 objective (no points); o3 ordinary: not a counted loss;
    # o4 a citywide bid lost for a subjective cause: charged
    assert kinds == {("loss_review_pending", "o1"), ("loss_objective", "o2"), ("subjective_loss", "o4")}
    assert all(l.unit == INFO for l in lines if l.kind in ("loss_review_pending", "loss_objective"))


def test_veto_flag_for_everyone_charged_a_missed_report_or_subjective_loss():
    lines = month(opp("o1", 30000, origin="audit"), opp("q", 30000))
    flags = [l for l in lines if l.kind == "veto_flag"]
    assert {l.person for l in flags} == {"am1", "dir1", "bm1"} and all(l.unit == FLAG for l in flags)
    assert flags[0].clause == "000 §(三)" and flags[0].inputs["opportunities"] == ["o1"]


def test_any_lost_important_order_or_citywide_bid_flags_the_year_whatever_the_verdict():
    # rules §1.4 / 000 §(三) 漏报、漏单、丢单作为年度绩效否决指标: o2 (80,000, important) lost for an
    # objective cause: no points, yet the year of everyone §(三)(二)1 would charge (BM, Dep, Dir, AM) is
    # flagged, naming o2 and its verdict (the first reading flagged subjective losses only: dep1 was
    # not flagged at all); o4 (a citywide bid) lost for a subjective cause: charged and
    # flagged; o1 pending: neither (the flag lands with the verdict); o3 (30,000, ordinary) is no 丢单
    lost = [
        opp("o1", 80000, status="lost"),
        opp("o2", 80000, status="lost"),
        opp("o3", 30000, status="lost"),
        opp("o4", 30000, status="lost", citywide_bid=True),
    ]
    reviews = [
        {"opportunity": "o2", "verdict": "objective", "decided": "2026-03-05"},
        {"opportunity": "o3", "verdict": "subjective", "decided": "2026-03-05"},
        {"opportunity": "o4", "verdict": "subjective", "decided": "2026-03-05"},
    ]
    flags = {l.person: l for l in month(*lost, loss_reviews=reviews) if l.kind == "veto_flag"}
    assert set(flags) == {"bm1", "dep1", "dir1", "am1"}
    assert flags["dep1"].inputs["cases"] == [
        {"opportunity": "o2", "cause": "lost (objective)"},
        {"opportunity": "o4", "cause": "lost (subjective)"},
    ]
    assert "o2 lost (objective)" in flags["am1"].reason_en and "o2 丢单（客观原因）" in flags["am1"].reason_zh
    # veto_on_objective_loss = false: only the subjective loss o4 flags
    narrow = (
        TelecomPlugin({"veto_on_objective_loss": False})
        .assess_month(facts(month="2026-03", opportunities=lost, loss_reviews=reviews))
        .lines
    )
    assert {l.person: l.inputs["opportunities"] for l in narrow if l.kind == "veto_flag"} == {
        "bm1": ["o4"],
        "dep1": ["o4"],
        "dir1": ["o4"],
        "am1": ["o4"],
    }


# --- §1.5 commission ------------------------------------------------------------------------------


def quarter(deals, people=None, **params):
    f = load_facts({**ROSTER, "people": people or ROSTER["people"], "quarter": "2026-Q1", "deals": deals})
    # pay alone: the indicator section is tested in tests/kamkit/test_indicators.py
    return TelecomPlugin({"pay_base_salary": False, "indicators": [], **params}).commission_quarter(f).lines


def deal(id_, list_price, price, day="2026-01-10", **kw):
    return {"id": id_, "seller": "am1", "date": day, "list_price": list_price, "deal_price": price, **kw}


def commissions(lines):
    return [l.figure for l in lines if l.kind == "commission"]


@pytest.mark.parametrize(
    "price, rate",
    [
        ("90000", "0.08"),
        ("89999", "0.04"),  # 0.90 inclusive 8%; just below -> 4%
        ("80001", "0.04"),
        ("80000", "0.02"),  # 0.80 exclusive
        ("70001", "0.02"),
        ("70000", "0.015"),  # 0.70 exclusive for 2%, inclusive for 1.5%
        ("60001", "0.015"),
        ("60000", "0"),  # 0.60 and below: nothing [reading]
    ],
)
def test_price_ratio_bands_on_both_sides(price, rate):
    # list 100,000; a first deal of 20,000 at full price eats the base task, so the tested
    # deal is wholly commissionable: price x band rate. The month's sales stay under 120% x
    # 20,000? No: they exceed it (accelerator +1 pp applies to bands > 0), so expected =
    # price x (rate + 0.01) when rate > 0. Average ratio stays >= 0.75 except in the 0.6-0.7
    # rows: (20,000 + 70,000) / 120,000 = 0.75 (not below); (20,000 + 60,001)/120,000 = 0.667.
    lines = quarter([deal("t", 20000, 20000, "2026-01-05"), deal("x", 100000, price)])
    (line,) = [l for l in lines if l.inputs.get("deal") == "x"]
    assert line.inputs["band_rate"] == D(rate)
    avg = (D(20000) + D(price)) / D(120000)
    expected = D(rate) + D("0.01") - (D("0.005") if avg < D("0.75") else 0) if D(rate) else D(0)
    assert line.figure == D(price) * expected


def test_base_task_consumed_in_sale_order_and_accelerator():
    # January: 15,000 (1 Jan) then 10,000 (2 Jan), both at full price (8%). The 20,000 task eats
    # all of the first and 5,000 of the second: 5,000 commissionable. Sales 25,000 > 24,000
    # (120% x 20,000) -> 9%: 5,000 x 9% = 450
    lines = quarter([deal("a", 15000, 15000, "2026-01-01"), deal("b", 10000, 10000, "2026-01-02")])
    assert commissions(lines) == [D(0), D(450)]
    # 24,000 exactly is not above 120%: 4,000 x 8% = 320
    lines = quarter([deal("a", 24000, 24000)])
    assert commissions(lines) == [D(320)]


def test_commission_reasons_print_money_as_reported_and_rates_as_percent():
    # rules §1.5: b's 10,000 at full price: 5,000 of it used by the task, 5,000 at 8% + 1 pp = 9%
    # (sales 25,000 > 24,000). Money is printed as the suite reports it (5000.00), a rate as it is
    # (9%, never the raw 9.00% of 0.09 x 100)
    lines = quarter([deal("a", 15000, 15000, "2026-01-01"), deal("b", 10000, 10000, "2026-01-02")])
    (b,) = [l for l in lines if l.kind == "commission" and l.inputs["deal"] == "b"]
    assert b.reason_en == (
        "deal b: 10000.00 of list 10000.00 (ratio 1.0000); 5000.00 used by the base task; 5000.00 x 9%"
    )
    assert (
        b.reason_zh
        == "订单 b：成交 10000.00/标价 10000.00（1.0000 折比），基本任务抵扣 5000.00，计提 5000.00 × 9%"
    )
    # the department manager (0.5% - 0.3 pp + 0.1 pp = 0.3% on 30,000 - 20,000) and an agent (1%)
    (mgr,) = [
        l for l in quarter([deal("a", "42857.15", 30000, "2026-03-03")]) if l.kind == "manager_commission"
    ]
    assert mgr.reason_en == "2026-03: department sales 30000.00 less its base 20000.00 = 10000.00 x 0.3%"
    (agent,) = quarter([deal("a", 10000, "10000.5", seller="agent-7", agent=True)])
    assert agent.reason_en == "agent sale a: 10000.50 x 1%" and agent.figure == D("100.005")
    (big,) = [l for l in quarter([deal("a", 300000, 300000)]) if l.kind == "single_order_bonus"]
    assert big.reason_en == "single order a reached 300000.00: bonus 10000.00"


def test_low_average_ratio_deduction():
    # 50,000 listed, sold at 37,000 (0.74 -> 2% band); average 0.74 < 0.75 -> -0.5 pp;
    # 37,000 > 24,000 -> +1 pp: 2% + 1 - 0.5 = 2.5% on 17,000 = 425
    assert commissions(quarter([deal("a", 50000, 37000)])) == [D(425)]


def test_single_order_bonus_highest_step_only():
    lines = quarter(
        [deal("a", 300000, 300000), deal("b", "1000000", "999999.99"), deal("c", 1000000, 1000000)]
    )
    bonus = {l.inputs["deal"]: l.figure for l in lines if l.kind == "single_order_bonus"}
    assert bonus == {"a": 10000, "b": 20000, "c": 50000}


def test_department_manager_override():
    # dir1 manages b1 (am1 alone; base 20,000). March sales 30,000 at 0.7 ratio: avg 0.7 < 0.75
    # -> 0.5% - 0.3 pp; 30,000 > 24,000 -> +0.1 pp: 0.3% x 10,000 = 30
    lines = quarter([deal("a", "42857.15", 30000, "2026-03-03")])
    (mgr,) = [l for l in lines if l.kind == "manager_commission"]
    assert (mgr.person, mgr.clause) == ("dir1", "003 §六2") and mgr.figure == D(30)


def test_agent_sales_earn_one_percent_and_no_task():
    lines = quarter([deal("a", 10000, 10000, seller="agent-7", agent=True)])
    (line,) = lines
    assert (line.person, line.role, line.figure, line.clause) == ("agent-7", "agent", D(100), "003 §七")


def test_base_salary_and_phone_per_month():
    f = load_facts({**ROSTER, "quarter": "2026-Q1"})
    lines = P.commission_quarter(f).lines
    # am1: (1,800 + 100) x 3 = 5,700; dir1: (2,400 + 100) x 3 = 7,500
    paid = totals(lines, CNY)
    assert paid["am1"] == 5700 and paid["dir1"] == 7500 and "bm1" not in paid


def test_a_personal_task_overrides_the_default():
    people = [dict(p, monthly_task=10000) if p["id"] == "am1" else p for p in ROSTER["people"]]
    # task 10,000: 15,000 - 10,000 = 5,000 x 9% (15,000 > 12,000) = 450
    assert commissions(quarter([deal("a", 15000, 15000)], people=people)) == [D(450)]


deals_strategy = st.lists(
    st.tuples(st.integers(1, 90), st.integers(1000, 600000), st.integers(30, 100)), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(deals_strategy)
def test_commission_never_negative_task_consumed_once_and_deterministic(raw):
    deals = [
        deal(
            f"d{i}",
            lst,
            lst * pct // 100,
            str(date(2026, 1, 1).fromordinal(date(2026, 1, 1).toordinal() + day - 1)),
        )
        for i, (day, lst, pct) in enumerate(raw)
    ]
    lines = quarter(deals)
    assert all(l.figure >= 0 for l in lines)
    assert lines == quarter(deals)
    for m in (1, 2, 3):
        own = [l for l in lines if l.kind == "commission" and l.inputs["date"].month == m]
        sales = sum((l.inputs["deal_price"] for l in own), D(0))
        assert sum((l.inputs["commissionable"] for l in own), D(0)) == max(D(0), sales - 20000)
        assert all(l.figure <= l.inputs["commissionable"] * D("0.09") for l in own)


def test_overdue_follow_ups_climb_the_telecom_ladder():
    # rules §1.3: an account manager's opportunity, 14 days without follow-up: week 1 -> centre
    # director, week 2 -> deputy; a deputy's after 7 days -> branch manager
    assert P.escalation_role("account_manager", 14) == [(1, "center_director"), (2, "deputy_manager")]
    assert P.escalation_role("deputy_manager", 7) == [(1, "branch_manager")]
    assert P.escalation_role("account_manager", 6) == []
