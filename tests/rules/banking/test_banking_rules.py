"""Banking plugin, clause by clause (docs/rules.md §3), figures worked by hand in the comments."""

from decimal import Decimal as D

import pytest

from kamkit.explain import CNY, FLAG, INFO, POINTS, totals
from kamkit.facts_schema import load_facts
from kamkit.periods import Month, Quarter
from kamkit.sections import CARRIED_SALES
from plugins.banking import BankingPlugin
from plugins.banking.piece_rate import progressive_pay, referrer_reward

P = BankingPlugin()


def person(id_, grade, start="2020-01-01", since="2020-01-01", role="account_manager", branch="s1"):
    return {
        "id": id_,
        "role": role,
        "grade": grade,
        "start_date": start,
        "grade_since": since,
        "branch": branch,
    }


def book(manager, month, balance=1000000, overdue=0, handled=0, managed=0, **kw):
    return {
        "manager": manager,
        "month": month,
        "balance": balance,
        "overdue_balance": overdue,
        "loans_handled": handled,
        "loans_managed": managed,
        **kw,
    }


def month(people, portfolios=(), plugin=P, at="2026-03", **kw):
    return plugin.assess_month(
        load_facts(
            {"month": at, "branches": [{"id": "s1"}], "people": people, "portfolios": list(portfolios), **kw}
        )
    ).lines


def quarter(people, loans, plugin=P, carried=None):
    return plugin.commission_quarter(
        load_facts({"quarter": "2026-Q1", "branches": [{"id": "s1"}], "people": people, "loans": loans}),
        carried,
    )


def flags(lines, kind):
    return {l.person: l.inputs.get("to", l.inputs.get("grade")) for l in lines if l.kind == kind}


def opportunity(amount, **kw):
    return load_facts(
        {"opportunities": [{"id": "o", "amount": amount, "discovered": "2026-03-01", **kw}]}
    ).opportunities[0]


# --- identity, roles and ladder (roles table, 002/CIB §第五条, §第七条, rules §1.3) --------------------


def test_roles_and_ladder_follow_the_cib_scheme():
    assert (P.key, P.version, P.names.zh) == ("banking", "1.2.0", "信贷客户经理考核（银行）")
    # 第七条: 高级客户经理 is the deputy rung; 第五条: the city-branch CM board assesses, so it tops the
    # ladder
    assert (
        P.roles["deputy_manager"].zh == "高级客户经理"
        and P.roles["city_admin"].zh == "市分行客户经理领导小组"
    )
    assert P.ladder == ("account_manager", "deputy_manager", "branch_manager", "city_admin")
    assert {"002/CIB §第五条", "002/CIB §第七条"} <= set(P.clauses)
    # every clause a parameter cites is declared
    assert {p.clause for p in P.parameters} <= set(P.clauses)


def test_escalation_climbs_the_bank_ladder():
    # 7 days without follow-up: week 1 -> the senior CM; 14: week 2 -> sub-branch head; 21: the board
    assert P.escalation_role("account_manager", 6) == []
    assert P.escalation_role("account_manager", 7) == [(1, "deputy_manager")]
    assert P.escalation_role("account_manager", 21) == [
        (1, "deputy_manager"),
        (2, "branch_manager"),
        (3, "city_admin"),
    ]
    assert P.escalation_role("branch_manager", 40) == [(1, "city_admin")]  # stops at the top
    assert BankingPlugin({"follow_up_days": 3}).escalation_role("deputy_manager", 3) == [
        (1, "branch_manager")
    ]


# --- §3.2 tiers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, tier, owner, confirmer, grade",
    [
        ("49999.99", "micro", "account_manager", "deputy_manager", None),
        ("50000", "small", "account_manager", "deputy_manager", "junior"),
        ("499999.99", "small", "account_manager", "deputy_manager", "junior"),
        ("500000", "medium", "deputy_manager", "branch_manager", None),
        ("1999999.99", "medium", "deputy_manager", "branch_manager", None),
        ("2000000", "large", "branch_manager", "city_admin", None),
    ],
)
def test_loan_tiers_on_both_sides(amount, tier, owner, confirmer, grade):
    c = P.classify(opportunity(amount))
    assert (c.tier, c.owner_role, c.confirming_role, c.inputs["min_grade"]) == (tier, owner, confirmer, grade)
    assert c.follow_up_days == (None if tier == "micro" else 7) and c.in_bulletin == (
        tier in ("medium", "large")
    )
    assert c.clause == "rules §3.2" and c.clause in P.clauses and amount in c.reason_en


def test_small_loans_need_a_junior_and_the_reasons_say_so():
    c = P.classify(opportunity("60000"))
    # the escalation service reads eligible_grades to pick a qualified owner
    assert c.inputs["eligible_grades"] == ["junior", "intermediate", "senior"]
    assert "junior grade or above" in c.reason_en and "须初级及以上" in c.reason_zh
    assert P.classify(opportunity("100")).inputs["eligible_grades"] is None
    large = P.classify(opportunity("2500000"))
    assert large.inputs["role_clauses"] == {"city_admin": "002/CIB §第五条"}
    assert P.classify(opportunity("600000")).inputs["role_clauses"] == {"deputy_manager": "002/CIB §第七条"}


def test_tier_thresholds_grade_and_cadence_are_parameters():
    custom = BankingPlugin(
        {
            "small_from": 100000,
            "small_min_grade": "intermediate",
            "large_from": "1000000",
            "follow_up_days": 5,
        }
    )
    # 60,000 is micro below a 100,000 threshold; 1,200,000 is large from 1,000,000
    assert custom.classify(opportunity("60000")).tier == "micro"
    small = custom.classify(opportunity("100000"))
    assert (small.tier, small.follow_up_days, small.inputs["eligible_grades"]) == (
        "small",
        5,
        ["intermediate", "senior"],
    )
    assert custom.classify(opportunity("1200000")).tier == "large"


# --- §3.1 grades --------------------------------------------------------------------------------------


def test_assistant_qualifies_for_junior_after_six_months_30_loans_and_1_percent():
    # started 2025-09-30: 6 full months by 31 March; 30 handled; overdue 10,000 / 1,000,000 = 1%
    people = [person("a", "assistant", start="2025-09-30")]
    lines = month(people, [book("a", "2026-03", overdue=10000, handled=30)])
    (line,) = [l for l in lines if l.unit == FLAG]
    assert (line.person, line.kind, line.clause, line.figure) == ("a", "grade_promotion", "002/LOAN §三2", 1)
    assert line.inputs["to"] == "junior" and "promotion to junior" in line.reason_en
    assert line.inputs["checks"]["months_in_credit_work"] == {"value": 6, "required": 6, "met": True}
    # 29 handled, or 1.01% overdue, or started 1 October (5 months by 31 March): no promotion
    assert not flags(month(people, [book("a", "2026-03", overdue=10000, handled=29)]), "grade_promotion")
    assert not flags(month(people, [book("a", "2026-03", overdue=10100, handled=30)]), "grade_promotion")
    late = [person("a", "assistant", start="2025-10-01")]
    assert not flags(month(late, [book("a", "2026-03", handled=30)]), "grade_promotion")
    # an assistant has no condition to fail (002/LOAN §三1: the entry grade)
    assert not flags(month(late, [book("a", "2026-03", overdue=900000)]), "grade_shortfall")


def test_a_junior_above_1_percent_or_under_30_handled_no_longer_meets_the_grade():
    # 10,001 / 1,000,000 = 1.0001% > 1%; 29 handled < 30
    lines = month(
        [person("j", "junior", since="2026-01-01"), person("k", "junior", since="2026-01-01")],
        [book("j", "2026-03", overdue=10001, handled=40), book("k", "2026-03", handled=29)],
    )
    short = {l.person: l for l in lines if l.kind == "grade_shortfall"}
    assert set(short) == {"j", "k"}
    assert short["j"].inputs["failed"] == ["overdue_rate"] and short["k"].inputs["failed"] == [
        "loans_handled"
    ]
    assert short["j"].clause == "002/LOAN §三2" and short["j"].unit == FLAG and short["j"].figure == 1
    # exactly 1% and 30 handled still meet the grade
    ok = month([person("j", "junior", since="2026-01-01")], [book("j", "2026-03", overdue=10000, handled=30)])
    assert not flags(ok, "grade_shortfall")


def test_junior_to_intermediate_needs_a_year_50_managed_and_a_three_month_average():
    people = [person("j", "junior", since="2025-03-31")]
    # rates 1%, 2%, 1.5% -> average 1.5%: qualifies; grade_since 31 March 2025: one year on 31 March 2026
    books = [
        book("j", "2026-01", overdue=10000),
        book("j", "2026-02", overdue=20000),
        book("j", "2026-03", overdue=15000, managed=50, handled=60),
    ]
    lines = month(people, books)
    assert flags(lines, "grade_promotion") == {"j": "intermediate"}
    (promo,) = [l for l in lines if l.kind == "grade_promotion"]
    assert promo.clause == "002/LOAN §三3" and promo.inputs["checks"]["average_overdue_rate"]["value"] == D(
        "0.015"
    )
    # but 1.5% last month end is above the junior's own 1%: the shortfall is reported too
    assert flags(lines, "grade_shortfall") == {"j": "junior"}
    books[1] = book("j", "2026-02", overdue=20001)  # average 1.50003%: no promotion
    assert not flags(month(people, books), "grade_promotion")
    books[1] = book("j", "2026-02", overdue=20000)
    books[2] = book("j", "2026-03", overdue=15000, managed=49, handled=60)  # 49 managed: no
    assert not flags(month(people, books), "grade_promotion")
    recent = [person("j", "junior", since="2025-04-01")]  # a year only on 1 April 2026
    assert not flags(month(recent, [book("j", "2026-03", managed=50, handled=60)]), "grade_promotion")


def test_three_month_average_uses_the_months_on_file():
    # December's 9% is outside the window; February is missing: mean of January 1% and March 2% = 1.5%
    people = [person("i", "intermediate", since="2020-01-01")]
    books = [
        book("i", "2025-12", overdue=90000),
        book("i", "2026-01", overdue=10000),
        book("i", "2026-03", overdue=20000, managed=80),
    ]
    lines = month(people, books)
    (promo,) = [l for l in lines if l.kind == "grade_promotion"]
    assert promo.inputs["checks"]["average_overdue_rate"]["value"] == D("0.015")
    assert promo.inputs["monthly_overdue_rates"] == {"2026-03": D("0.02"), "2026-01": D("0.01")}
    # the window is a parameter: over 4 months December counts, (9 + 1 + 2) / 3 = 4% > 1.5%
    wide = month(people, books, plugin=BankingPlugin({"overdue_average_months": 4}))
    assert flags(wide, "grade_shortfall") == {"i": "intermediate"}


def test_intermediate_to_senior_needs_70_managed():
    people = [person("i", "intermediate", since="2024-01-01")]
    lines = month(people, [book("i", "2026-03", managed=70)])
    assert flags(lines, "grade_promotion") == {"i": "senior"}
    assert [l.clause for l in lines if l.kind == "grade_promotion"] == ["002/LOAN §三4"]
    assert not flags(month(people, [book("i", "2026-03", managed=69)]), "grade_promotion")
    # a year as intermediate: since 29 February 2024 -> 28 February 2025, assessed February 2025
    leap = [person("i", "intermediate", since="2024-02-29")]
    assert flags(month(leap, [book("i", "2025-02", managed=70)], at="2025-02"), "grade_promotion") == {
        "i": "senior"
    }
    assert not flags(month(leap, [book("i", "2025-01", managed=70)], at="2025-01"), "grade_promotion")


def test_a_senior_below_70_managed_no_longer_meets_the_grade():
    lines = month([person("s", "senior")], [book("s", "2026-03", managed=60)])
    (line,) = [l for l in lines if l.kind == "grade_shortfall"]
    assert line.unit == FLAG and line.clause == "002/LOAN §三4" and "loans_managed" in line.reason_en
    assert line.person == "s" and line.inputs["decided_by"] == "city_admin"
    assert not flags(month([person("s", "senior")], [book("s", "2026-03", managed=70)]), "grade_shortfall")


def test_no_month_end_portfolio_no_grade_finding():
    # [reading] nothing to assess: neither a promotion nor a shortfall is reported
    lines = month([person("s", "senior"), person("a", "assistant", start="2020-01-01")])
    assert not [l for l in lines if l.unit == FLAG]


def test_grade_conditions_are_parameters():
    custom = BankingPlugin({"junior_min_handled": 20, "assistant_months": 3, "senior_min_managed": 60})
    people = [person("a", "assistant", start="2025-12-31"), person("s", "senior")]
    books = [book("a", "2026-03", handled=20), book("s", "2026-03", managed=60)]
    # 3 months and 20 handled now make a junior; 60 managed now keep a senior
    assert flags(month(people, books, plugin=custom), "grade_promotion") == {"a": "junior"}
    assert not flags(month(people, books, plugin=custom), "grade_shortfall")
    assert flags(month(people, books), "grade_shortfall") == {"s": "senior"}


# --- §3.3 indicators and points ------------------------------------------------------------------------


def test_indicators_are_reported():
    lines = month(
        [person("m", "junior")],
        [
            book(
                "m",
                "2026-03",
                balance=600000,
                overdue=3000,
                borrowers=12,
                interest_recovered=4200,
                new_balance=80000,
                handled=40,
            )
        ],
        loans=[
            {"id": "l1", "manager": "m", "amount": 50000, "issued": "2026-03-05"},
            {"id": "l2", "manager": "m", "amount": 50000, "issued": "2026-02-05"},
        ],
    )
    info = {l.kind: l for l in lines if l.clause == "002/LOAN §二"}
    got = {k: l.figure for k, l in info.items()}
    # 1 loan in March; 3,000 / 600,000 = 0.5%; 600,000 / 12 = 50,000 per borrower
    assert got == {
        "loans_issued": 1,
        "new_balance": 80000,
        "balance": 600000,
        "interest_recovered": 4200,
        "overdue_rate": D("0.005"),
        "average_balance": 50000,
    }
    assert all(l.unit == INFO and l.person == "m" for l in info.values())
    assert info["loans_issued"].inputs["loans"] == ["l1"]
    assert info["average_balance"].inputs == {"month": Month(2026, 3), "balance": 600000, "borrowers": 12}
    assert "0.5%" in info["overdue_rate"].reason_en


def test_indicators_without_borrowers_or_without_a_book():
    lines = month([person("m", "junior"), person("n", "junior")], [book("m", "2026-03", borrowers=0)])
    kinds = {(l.person, l.kind) for l in lines if l.clause == "002/LOAN §二"}
    assert ("m", "average_balance") not in kinds and ("m", "balance") in kinds
    assert {k for p, k in kinds if p == "n"} == {"loans_issued"}  # no month-end book: only the count


@pytest.mark.parametrize(
    "grade, overdue, points",
    [
        ("junior", 10000, 0),  # exactly 1%: at the limit
        ("junior", 10001, 2),  # 1.0001%: a started step
        ("junior", 12000, 2),  # 1.2%: 0.2 pp above -> 1 started step -> 2
        ("junior", 15000, 2),  # 1.5%: exactly 0.5 pp -> 1 step
        ("junior", 15100, 4),  # 1.51%: 2 started steps -> 4
        ("intermediate", 15000, 0),  # intermediate limit 1.5%: at it
        ("senior", 15000, 0),
        ("senior", 25000, 4),  # senior limit 1.5%: 2.5% is 1 pp -> 2 steps
        ("assistant", 12000, 2),  # an assistant is held to the junior limit [reading]
        (None, 12000, 2),  # so is an account manager with no grade
    ],
)
def test_overdue_points_per_started_half_point(grade, overdue, points):
    lines = month([person("m", grade)], [book("m", "2026-03", overdue=overdue, managed=80, handled=80)])
    assert totals(lines, POINTS).get("m", 0) == points
    docked = [l for l in lines if l.unit == POINTS]
    assert len(docked) == (1 if points else 0)  # at the limit: no line, not a line of 0
    for line in docked:
        assert (line.kind, line.clause, line.person) == ("overdue_rate", "rules §3.3", "m")
        assert line.inputs["steps"] * 2 == points


def test_overdue_points_are_parameters():
    # 3 points per started 1 pp: 2.5% against 1% is 1.5 pp -> 2 steps -> 6
    custom = BankingPlugin(
        {"overdue_step_points": 3, "overdue_step": "0.01", "overdue_limit": {"junior": "0.01"}}
    )
    lines = month([person("m", "junior")], [book("m", "2026-03", overdue=25000, handled=80)], plugin=custom)
    assert totals(lines, POINTS) == {"m": 6}
    assert custom.params["overdue_limit"]["senior"] == D("0.015")  # a map override keeps the other grades


def test_overdue_points_say_they_are_the_suites_default_rule_not_the_seeds():
    # rules §3.3: 002/LOAN §二 prints the overdue rate as an indicator only; the points are the suite's
    # [default]. A junior at 12,000 / 1,000,000 = 1.2%: 0.2 pp above the 1% limit, one started step of
    # 0.5 pp -> 2 points; the line's reason says whose rule docked them
    lines = month([person("m", "junior")], [book("m", "2026-03", overdue=12000, handled=80)])
    (line,) = [l for l in lines if l.unit == POINTS]
    assert line.reason_en == (
        "overdue rate 1.2% above the junior limit 1% by 0.2%: 1 started step(s) of 0.5% x 2 points "
        "(points by the suite's default rule, set by the organisation's parameters, not the seed's: "
        "002/LOAN §二 prints the overdue rate as an indicator only and docks nothing)"
    )
    assert "本套件默认规则" in line.reason_zh and "非种子文件规定" in line.reason_zh
    # the indicator itself is the seed's and docks nothing
    (info,) = [l for l in lines if l.kind == "overdue_rate" and l.unit == INFO]
    assert info.clause == "002/LOAN §二" and "default" not in info.reason_en
    # and every points parameter is marked as the suite's default
    basis = {p.name: p.basis for p in P.parameters}
    assert {basis[n] for n in ("overdue_limit", "overdue_step", "overdue_step_points")} == {"default"}
    points_params = ("overdue_limit", "overdue_step", "overdue_step_points")
    assert all("suite's default" in p.doc for p in P.parameters if p.name in points_params)
    # a missed report's points say so too, and print the amount as money (500000.00)
    opps = [
        {"id": "o1", "amount": 500000, "discovered": "2026-03-02", "origin": "audit", "account_manager": "m"}
    ]
    (missed,) = [l for l in month([person("m", "junior")], opportunities=opps) if l.kind == "missed_report"]
    assert missed.reason_en.startswith(
        "missed report of loan opportunity o1 (500000.00, found by the city audit): account manager 5 points "
        "(points by the suite's default rule"
    )


def test_missed_loan_opportunity_of_half_a_million():
    people = [
        person("m", "junior"),
        person("d", "senior", role="deputy_manager"),
        person("h", "senior", role="branch_manager"),
    ]
    opps = [
        {
            "id": "o1",
            "amount": 500000,
            "discovered": "2026-03-02",
            "origin": "audit",
            "branch": "s1",
            "account_manager": "m",
        },
        {
            "id": "o2",
            "amount": 3000000,
            "discovered": "2026-03-02",
            "entered": "2026-03-20",
            "branch": "s1",
            "account_manager": "m",
        },
        {
            "id": "o3",
            "amount": "499999.99",
            "discovered": "2026-03-02",
            "origin": "audit",
            "account_manager": "m",
        },
    ]
    lines = month(people, opportunities=opps)
    # o1 medium: m 5, deputy d 3; o2 large and entered 18 days late: m 5, head h 3; o3 below 500,000
    assert totals(lines, POINTS) == {"m": 10, "d": 3, "h": 3}
    owner = {l.person: l for l in lines if l.kind == "missed_report_owner"}
    d = owner["d"]
    assert (d.role, d.clause, d.inputs["opportunity"]) == ("deputy_manager", "rules §3.3", "o1")
    assert owner["h"].role == "branch_manager" and owner["h"].inputs["tier"] == "large"
    assert [l.inputs["opportunity"] for l in lines if l.kind == "missed_report"] == ["o1", "o2"]


def test_missed_report_month_rule_and_vacant_owner():
    people = [person("m", "junior")]
    opps = [  # discovered in February, entered 20 March (deadline 3 March): counts in March
        {
            "id": "late",
            "amount": 600000,
            "discovered": "2026-02-24",
            "entered": "2026-03-20",
            "branch": "s1",
            "account_manager": "m",
        },
        # entered on the 7th day: in time
        {
            "id": "ontime",
            "amount": 600000,
            "discovered": "2026-03-01",
            "entered": "2026-03-08",
            "branch": "s1",
            "account_manager": "m",
        },
        # never entered, discovered 28 March: deadline 4 April passes in April
        {"id": "never", "amount": 600000, "discovered": "2026-03-28", "branch": "s1", "account_manager": "m"},
        # never entered, discovered 20 March: deadline 27 March passed in March; no head in s1
        {"id": "lost", "amount": 2500000, "discovered": "2026-03-20", "branch": "s1", "account_manager": "m"},
    ]
    lines = month(people, opportunities=opps)
    # March: late (m 5, vacant deputy 3) + lost (m 5, vacant head 3)
    assert totals(lines, POINTS) == {"m": 10, "vacant:deputy_manager:s1": 3, "vacant:branch_manager:s1": 3}
    april = month(people, opportunities=opps, at="2026-04")
    assert {l.inputs["opportunity"] for l in april if l.unit == POINTS} == {"never"}
    # a 14-day deadline: "late" (24 Feb + 14 = 10 March) is still late, "lost" (20 March + 14 = 3 April)
    # is not missed before April
    custom = month(people, opportunities=opps, plugin=BankingPlugin({"entry_deadline_days": 14}))
    assert {l.inputs["opportunity"] for l in custom if l.unit == POINTS} == {"late"}


def test_missed_report_threshold_is_a_parameter_and_the_owner_is_not_charged_twice():
    # from 50,000 a small loan counts; its tier's owner is the account manager himself: 5 points, not 5 + 3
    opps = [
        {
            "id": "s",
            "amount": 80000,
            "discovered": "2026-03-02",
            "origin": "audit",
            "branch": "s1",
            "account_manager": "m",
        }
    ]
    custom = BankingPlugin({"missed_report_from": 50000, "missed_points_manager": 4})
    assert totals(month([person("m", "junior")], opportunities=opps, plugin=custom), POINTS) == {"m": 4}
    assert totals(month([person("m", "junior")], opportunities=opps), POINTS) == {}


# --- §3.4 piece rate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, reward",
    [
        ("9999.99", 0),
        ("10000", 30),
        ("50000", 30),
        ("50000.01", 50),
        ("55000", 50),
        ("59999.99", 50),
        ("60000", 50),
        ("100000", 50),
        ("100000.01", 80),
        ("105000", 80),
        ("500000", 80),
        ("500000.01", 100),
        ("509999", 100),
        ("1000000", 100),
        ("1005000", 150),
        ("2000000", 150),
        ("2000000.01", 150),
        ("5000000", 150),
    ],
)
def test_referrer_reward_bands_are_upper_inclusive_in_whole_wan(amount, reward):
    # rules §3.4: printed 1-5万 30, 6-10万 50, 11-50万 80, 51-100万 100, 101-200万 150, each band up to
    # and including its upper figure [reading]: 55,000 is above 5万, not above 10万 -> 50;
    # 100,000.01 is above 10万 -> 80; below 1万 -> 0 and above 200万 -> 150 [default]
    # (the first reading paid gaps at the lower band: 55,000 -> 30, 105,000 -> 50)
    assert referrer_reward(D(amount), P.params)[0] == reward


def test_referrer_readings_are_parameters():
    custom = BankingPlugin(
        {
            "referrer_minimum": 20000,
            "referrer_above_top": 200,
            "referrer_bands": [{"upto": 100000, "pay": 40}],
        }
    )
    assert referrer_reward(D(19999), custom.params)[0] == 0  # below the minimum
    assert referrer_reward(D(55000), custom.params)[0] == 40
    assert referrer_reward(D(3000000), custom.params)[0] == 200  # above the last band


@pytest.mark.parametrize(
    "count, pay",
    [
        ("0", 0),
        ("0.5", 15),
        ("1", 30),
        ("2", 60),
        ("2.5", 80),
        ("3", 100),
        ("5", 180),
        ("6", 230),
        ("10", 430),
        ("11", 490),
    ],
)
def test_loans_issued_pay_is_progressive(count, pay):
    # 0.5 x 30 = 15; 2 x 30 = 60; 2.5: 60 + 0.5 x 40 = 80; 3: 60 + 40 = 100; 5: 60 + 3 x 40 = 180;
    # 6: 180 + 50 = 230; 10: 180 + 5 x 50 = 430; 11: 430 + 60 = 490
    assert progressive_pay(D(count), P.params)[0] == pay


def test_piece_bands_after_the_cut_are_parameters():
    custom = BankingPlugin({"piece_bands_more": [{"above": 2, "pay": 35}]})
    # 4 loans: 2 x 30 + 2 x 35 = 130
    assert progressive_pay(D(4), custom.params)[0] == 130


def test_loans_issued_pay_counts_micro_and_small_loans_only():
    # rules §3.4 当月新发放微小贷款笔数: a 500,000 (medium) and a 2,000,000 (large) loan count nothing;
    # 499,999.99 is small and counts: 2 loans -> 2 x 30 = 60; the referrer is paid on every loan
    # (499,999.99 -> 80; 500,000 -> 80; 2,000,000 -> 150)
    lines = quarter(
        [person("m", "senior"), {"id": "r", "role": "referrer"}],
        [
            {"id": "s1", "manager": "m", "amount": "499999.99", "issued": "2026-01-05", "referrer": "r"},
            {"id": "s2", "manager": "m", "amount": 40000, "issued": "2026-01-06"},
            {"id": "m1", "manager": "m", "amount": 500000, "issued": "2026-01-07", "referrer": "r"},
            {"id": "l1", "manager": "m", "amount": 2000000, "issued": "2026-01-08", "referrer": "r"},
        ],
    ).lines
    (piece,) = [l for l in lines if l.kind == "loans_issued_pay"]
    assert piece.figure == 60 and [x["id"] for x in piece.inputs["loans"]] == ["s1", "s2"]
    assert piece.inputs["counted_below"] == 500000
    assert totals(lines, CNY)["r"] == 80 + 80 + 150
    custom = BankingPlugin({"piece_rate_below": 3000000})  # count every loan: 4 -> 60 + 2 x 40 = 140
    lines = quarter(
        [person("m", "senior")],
        [
            {"id": f"x{i}", "manager": "m", "amount": a, "issued": "2026-01-05"}
            for i, a in enumerate((1000, 500000, 2000000, 10))
        ],
        plugin=custom,
    ).lines
    assert [l.figure for l in lines if l.kind == "loans_issued_pay"] == [140]


def test_a_promotion_is_paid_from_the_month_it_is_recorded():
    # rules §3.1/§3.4: promoted junior -> intermediate, recorded on 2026-02-10 (grade_since) with the
    # previous grade: January 2,200 (junior), February and March 2,700 (intermediate) = 7,600
    promoted = {**person("m", "intermediate", since="2026-02-10"), "previous_grade": "junior"}
    lines = quarter([promoted], []).lines
    assert [(l.inputs["month"], l.inputs["grade"], l.figure) for l in lines if l.kind == "base_pay"] == [
        (Month(2026, 1), "junior", 2200),
        (Month(2026, 2), "intermediate", 2700),
        (Month(2026, 3), "intermediate", 2700),
    ]
    # graded only from 2026-03-01 with no previous grade (a new customer manager): March only
    new = person("n", "assistant", since="2026-03-01")
    assert totals(quarter([new], []).lines, CNY) == {"n": 1800}


def test_quarter_pays_piece_rate_referrers_and_base_pay():
    lines = quarter(
        [person("m", "junior"), {"id": "r", "role": "referrer"}],
        [
            {"id": "l1", "manager": "m", "amount": 80000, "issued": "2026-01-05", "referrer": "r"},
            {"id": "l2", "manager": "m", "amount": 30000, "issued": "2026-01-06", "kind": "renewal"},
            {"id": "l3", "manager": "m", "amount": 30000, "issued": "2026-01-07", "kind": "extension"},
            {"id": "l4", "manager": "m", "amount": 30000, "issued": "2026-01-08", "kind": "merge"},
            {"id": "l5", "manager": "m", "amount": 30000, "issued": "2026-04-01"},
        ],
    ).lines
    # January: 1 + 3 x 0.5 = 2.5 loans -> 2 x 30 + 0.5 x 40 = 80; l5 is in Q2;
    # base pay junior 2,200 x 3 = 6,600; r: 80,000 -> 50
    assert totals(lines, CNY) == {"m": D(6680), "r": D(50)}
    (piece,) = [l for l in lines if l.kind == "loans_issued_pay"]
    assert (piece.clause, piece.figure, piece.inputs["weighted_count"]) == ("002/LOAN §五(二)1", 80, D("2.5"))
    base = [l for l in lines if l.kind == "base_pay"]
    assert [str(l.inputs["month"]) for l in base] == ["2026-01", "2026-02", "2026-03"]
    assert {(l.clause, l.figure, l.person) for l in base} == {("002/LOAN §四", 2200, "m")}
    (reward,) = [l for l in lines if l.kind == "referrer_reward"]
    assert (reward.person, reward.role, reward.clause, reward.inputs["loan"]) == (
        "r",
        "referrer",
        "002/LOAN §五(一)",
        "l1",
    )


def test_piece_rate_reasons_print_money_as_reported():
    # rules §3.4: one renewal in January counts 0.5 -> 0.5 x 30 = 15 (printed 15.00, never the raw
    # 15.0 of 0.5 x 30); a new loan and two renewals count 1 + 0.5 + 0.5 = 2 (printed 2, not 2.0)
    # -> 2 x 30 = 60; the referrer of 80,000 earns 50; a junior's base pay is 2,200
    one = quarter(
        [person("m", "junior"), {"id": "r", "role": "referrer"}],
        [
            {
                "id": "l1",
                "manager": "m",
                "amount": 80000,
                "issued": "2026-01-05",
                "kind": "renewal",
                "referrer": "r",
            }
        ],
    ).lines
    (piece,) = [l for l in one if l.kind == "loans_issued_pay"]
    assert piece.figure == 15 and piece.reason_en == (
        "2026-01: 1 micro and small loans (below 500000.00), weighted count 0.5, progressive pay "
        "0.5 x 30.00 = 15.00"
    )
    assert piece.reason_zh == (
        "2026-01 放款（微小贷款，低于 500000.00 元）1 笔，折算 0.5 笔（续贷/并贷/展期按 0.5），"
        "累进计酬 0.5×30.00 = 15.00 元"
    )
    (reward,) = [l for l in one if l.kind == "referrer_reward"]
    assert (
        reward.reason_en == "2026-01: referred loan l1 (80000.00, band up to and including 100000.00): 50.00"
    )
    base = [l for l in one if l.kind == "base_pay"][0]
    assert base.reason_en == "2026-01: base pay of a customer manager of grade junior: 2200.00"
    loans = [
        {"id": "n", "manager": "m", "amount": 30000, "issued": "2026-02-10"},
        {"id": "r1", "manager": "m", "amount": 30000, "issued": "2026-02-11", "kind": "renewal"},
        {"id": "r2", "manager": "m", "amount": 30000, "issued": "2026-02-12", "kind": "renewal"},
    ]
    (piece,) = [l for l in quarter([person("m", "junior")], loans).lines if l.kind == "loans_issued_pay"]
    assert piece.figure == 60 and piece.reason_en.endswith(
        "weighted count 2, progressive pay 2 x 30.00 = 60.00"
    )


def test_base_pay_by_grade_and_its_override():
    people = [
        person("a", "assistant"),
        person("j", "junior"),
        person("i", "intermediate"),
        person("s", "senior"),
        {"id": "h", "role": "branch_manager"},
    ]
    # 1,800 / 2,200 / 2,700 / 3,500 a month, three months; no grade, no base pay
    assert totals(quarter(people, []).lines, CNY) == {"a": 5400, "j": 6600, "i": 8100, "s": 10500}
    custom = BankingPlugin({"base_pay": {"junior": 2500}})
    assert totals(quarter(people, [], plugin=custom).lines, CNY) == {
        "a": 5400,
        "j": 7500,
        "i": 8100,
        "s": 10500,
    }


def test_loan_weights_are_a_parameter():
    loans = [
        {"id": f"l{i}", "manager": "m", "amount": 30000, "issued": "2026-02-10", "kind": "renewal"}
        for i in range(4)
    ]
    people = [{"id": "m", "role": "account_manager"}]  # no grade: no base pay in the totals
    # 4 renewals x 0.5 = 2 loans -> 60; weighted 1 each -> 4 loans -> 2 x 30 + 2 x 40 = 140
    assert totals(quarter(people, loans).lines, CNY) == {"m": 60}
    custom = BankingPlugin({"loan_weights": {"renewal": 1}})
    assert totals(quarter(people, loans, plugin=custom).lines, CNY) == {"m": 140}
    assert custom.params["loan_weights"]["merge"] == D("0.5")  # the other kinds keep their weight


def test_nothing_is_carried_between_quarters():
    # piece rates carry nothing; only the indicators' sales are handed on (for the growth rate)
    result = quarter([person("m", "junior")], [], carried={"kept": 1})
    assert result.quarter == Quarter(2026, 1)
    assert {k: v for k, v in result.carried.items() if k != CARRIED_SALES} == {"kept": 1}
    assert set(quarter([person("m", "junior")], []).carried) == {CARRIED_SALES}
