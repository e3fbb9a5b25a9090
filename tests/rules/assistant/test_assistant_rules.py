"""The key-account manager's assistant (docs/rules.md §16, seed 002/ZL), clause by clause: every
threshold on both sides, each figure worked out by hand in the comment above it.

March 2026 starts on a Sunday: its working days (Monday to Friday) are 2-6, 9-13, 16-20, 23-27,
30-31 = 22."""

from datetime import date
from decimal import Decimal as D

import pytest

from kamkit.conformance import check_plugin
from kamkit.errors import ConfigError
from kamkit.explain import CNY, INFO, totals
from kamkit.facts_schema import load_facts
from kamkit.money import report
from plugins.assistant import AssistantPlugin
from plugins.assistant.fixed_pay import years_served
from plugins.assistant.service import outcome

P = AssistantPlugin()
A1 = {"id": "a1", "role": "assistant", "branch": "b1", "start_date": "2024-01-01"}
KAM = {"id": "k1", "role": "key_account_manager", "branch": "b1"}
MM = {"id": "m1", "role": "marketing_manager"}


def case(id_, kind, units, day="2026-03-10", person="a1"):
    attributes = {} if units is None else {"units": units}
    return {"id": id_, "kind": kind, "person": person, "opened": day, "attributes": attributes}


def cleaned(units, id_="c-clean", **kw):
    return case(id_, "dispenser_cleaning", units, **kw)


def delivered(units, id_="c-water", **kw):
    return case(id_, "water_delivery", units, **kw)


def deal(id_, seller, price, day="2026-03-10", **kw):
    return {"id": id_, "seller": seller, "date": day, "list_price": price, "deal_price": price, **kw}


def facts(
    people=(A1, KAM, MM),
    *,
    attendance=({"person": "a1", "month": "2026-03"},),
    cases=None,
    deals=None,
    targets=({"id": "t-b1", "period": "2026-03", "amount": 100000, "region": "b1"},),
    month="2026-03",
    **kw,
):
    cases = (cleaned(100), delivered(1000)) if cases is None else cases  # both standards met
    deals = (deal("d1", "k1", 100000),) if deals is None else deals  # the region's target reached
    return load_facts(
        {
            "month": month,
            "quarter": "2026-Q1",
            "branches": [{"id": "b1"}, {"id": "b2"}],
            "people": list(people),
            "attendance": list(attendance),
            "cases": list(cases),
            "deals": list(deals),
            "targets": list(targets),
            **kw,
        }
    )


def lines_of(f, plugin=P, person="a1"):
    return {l.kind: l for l in plugin.commission_month(f).lines if l.person == person and l.unit == CNY}


def pay(f, kind, plugin=P):
    """The figure of one CNY part of a1's month (KeyError when the part is not paid in CNY)."""
    return lines_of(f, plugin)[kind].figure


def infos(f, plugin=P, person="a1"):
    return [l for l in plugin.commission_month(f).lines if l.person == person and l.unit == INFO]


def not_applicable(f, plugin=P):
    return {l.inputs["part"] for l in infos(f, plugin) if l.kind == "pay_part_not_applicable"}


# --- the contract ---------------------------------------------------------------------------------


def test_the_plugin_keeps_the_contract():
    assert check_plugin(AssistantPlugin) == []


def test_roles_and_ladder_the_assistant_reports_to_the_key_account_manager():
    # 002/ZL 一: 向大客户经理报告并接受其领导; the marketing manager rates (二, 考评人)
    assert AssistantPlugin.ladder == ("assistant", "key_account_manager", "marketing_manager")
    assert AssistantPlugin.roles["assistant"].zh == "大客户经理助理"
    assert AssistantPlugin.roles["marketing_manager"].zh == "营销经理"
    assert AssistantPlugin.pay_every == "month"


def test_escalation_climbs_the_assistant_ladder_a_rung_a_week():
    # follow_up_days 7, escalation_step_days 7 (rules §1.3): day 6 nothing, day 7 the key-account
    # manager, day 14 the marketing manager too, the top: nothing further
    assert P.escalation_role("assistant", 6) == []
    assert P.escalation_role("assistant", 7) == [(1, "key_account_manager")]
    assert P.escalation_role("assistant", 13) == [(1, "key_account_manager")]
    assert P.escalation_role("assistant", 14) == [(1, "key_account_manager"), (2, "marketing_manager")]
    assert P.next_rung_after("assistant", 14) is None


def test_every_opportunity_is_one_untiered_tier_without_cadence_or_bulletin():
    f = facts(
        opportunities=[
            {"id": "o1", "amount": 5000, "discovered": "2026-03-02", "branch": "b1"},
            {"id": "o2", "amount": 9000000, "discovered": "2026-03-02", "branch": "b1"},
        ]
    )
    for o in f.opportunities:
        c = P.classify(o)
        assert (c.tier, c.owner_role, c.confirming_role, c.follow_up_days, c.in_bulletin) == (
            "untiered",
            "key_account_manager",
            None,
            None,
            False,
        )
        assert c.clause == "rules §16.1"


def test_only_assistants_who_have_joined_are_paid():
    late = {**A1, "id": "a2", "start_date": "2026-04-01"}  # joins after March: nothing in March
    joined = {**A1, "id": "a3", "start_date": "2026-03-31"}  # joins on March's last day: paid
    result = P.commission_month(facts(people=(A1, KAM, MM, late, joined)))
    assert {l.person for l in result.lines} == {"a1", "a3"}  # the KAM and the rater earn nothing here


def test_every_part_is_its_own_line_in_order():
    kinds = [l.kind for l in P.commission_month(facts()).lines]
    assert kinds == [
        "base_pay",
        "lunch_allowance",
        "full_attendance",
        "pay_part_not_configured",  # seniority: due, its amount x not configured
        "pension_subsidy",
        "sales_bonus",
        "service_bonus",
        "cleaning_extra",
        "delivery_extra",
    ]


def test_a_month_that_meets_everything():
    # 900 + 22 days x 5 = 110 + 30 + pension 100 + sales 460 x 100% = 460 + service 1,840 = 3,440
    # (seniority due but not configured: nothing paid, an INFO line says so)
    assert totals(P.commission_month(facts()).lines, CNY) == {"a1": D(3440)}


# --- fixed pay: 002/ZL 二 -----------------------------------------------------------------------------


def test_base_pay_900_and_its_override():
    assert pay(facts(), "base_pay") == 900
    assert pay(facts(), "base_pay", AssistantPlugin({"base_pay": 950})) == 950


def test_lunch_5_a_day_worked_from_the_attendance_record():
    # no absence: 22 working days x 5 = 110
    assert pay(facts(), "lunch_allowance") == 110
    # 2 days absent: 22 - 2 = 20 x 5 = 100
    two = facts(attendance=[{"person": "a1", "month": "2026-03", "absences": 2}])
    assert pay(two, "lunch_allowance") == 100
    # the record's own working days win over the calendar: 21 - 2 = 19 x 5 = 95
    given = facts(attendance=[{"person": "a1", "month": "2026-03", "absences": 2, "working_days": 21}])
    assert pay(given, "lunch_allowance") == 95
    # two records of the month add up (as the kit's scorecard does): 22 - (1 + 1) = 20 x 5 = 100
    split = facts(
        attendance=[
            {"person": "a1", "month": "2026-03", "absences": 1},
            {"person": "a1", "month": "2026-03", "absences": 1},
        ]
    )
    assert pay(split, "lunch_allowance") == 100
    # more absences than working days: none worked, 0 (never negative)
    over = facts(attendance=[{"person": "a1", "month": "2026-03", "absences": 5, "working_days": 3}])
    assert pay(over, "lunch_allowance") == 0


def test_lunch_days_follow_the_line_calendar_and_a_start_within_the_month():
    # holiday Tue 10 March: 21 working days x 5 = 105; a Saturday worked (7 March, 调休) too: 22 x 5 = 110
    holiday = facts(calendars=[{"year": 2026, "holidays": ["2026-03-10"]}])
    assert pay(holiday, "lunch_allowance") == 105
    swapped = facts(calendars=[{"year": 2026, "holidays": ["2026-03-10"], "workdays": ["2026-03-07"]}])
    assert pay(swapped, "lunch_allowance") == 110
    # joined Monday 16 March: 16-20, 23-27, 30-31 = 12 working days x 5 = 60
    joined = facts(people=({**A1, "start_date": "2026-03-16"}, KAM))
    assert pay(joined, "lunch_allowance") == 60


def test_lunch_without_an_attendance_record_is_not_applicable_not_zero():
    f = facts(attendance=())
    assert "lunch_allowance" not in lines_of(f)
    assert {"lunch_allowance", "full_attendance"} <= not_applicable(f)


def test_lunch_on_every_working_day_is_the_other_reading():
    # lunch_days=working: 22 working days x 5 = 110, absences or not, with or without a record
    working = AssistantPlugin({"lunch_days": "working"})
    absent = facts(attendance=[{"person": "a1", "month": "2026-03", "absences": 3}])
    assert pay(absent, "lunch_allowance", working) == 110
    assert pay(facts(attendance=()), "lunch_allowance", working) == 110
    with pytest.raises(ConfigError):
        AssistantPlugin({"lunch_days": "calendar"})


def test_full_attendance_30_only_without_absence_or_late_arrival():
    def month(absences=0, late=0, plugin=P):
        row = {"person": "a1", "month": "2026-03", "absences": absences, "late_arrivals": late}
        return pay(facts(attendance=[row]), "full_attendance", plugin)

    assert month() == 30
    assert month(late=1) == 0  # one late arrival breaks 满勤 [reading]
    assert month(absences=1) == 0
    # the other reading allows late arrivals: with 1 allowed, 1 late is full, 2 are not
    one = AssistantPlugin({"full_attendance_max_late": 1})
    assert month(late=1, plugin=one) == 30
    assert month(late=2, plugin=one) == 0
    assert month(absences=1, plugin=one) == 0  # an absence is never full attendance


def test_service_of_one_year_counted_on_the_first_day_of_the_month():
    # start 2025-03-01: on 2026-03-01 one whole year served -> March 2026 pays pension 100
    on_time = facts(people=({**A1, "start_date": "2025-03-01"}, KAM))
    assert pay(on_time, "pension_subsidy") == 100
    # start 2025-03-02: on 2026-03-01 the year is a day short -> March pays 0, April pays 100
    short = facts(people=({**A1, "start_date": "2025-03-02"}, KAM))
    assert pay(short, "pension_subsidy") == 0
    april = facts(people=({**A1, "start_date": "2025-03-02"}, KAM), month="2026-04")
    assert pay(april, "pension_subsidy") == 100
    # the other reading (last_day): the month the anniversary falls in pays -> March 2026 pays 100
    assert pay(short, "pension_subsidy", AssistantPlugin({"service_counted_on": "last_day"})) == 100
    # with last_day, a start on 2025-04-01 still has no year on 2026-03-31
    april_start = facts(people=({**A1, "start_date": "2025-04-01"}, KAM))
    assert pay(april_start, "pension_subsidy", AssistantPlugin({"service_counted_on": "last_day"})) == 0


def test_a_leap_day_start_completes_its_year_on_28_february():
    assert years_served(date(2024, 2, 29), date(2025, 2, 27)) == 0
    assert years_served(date(2024, 2, 29), date(2025, 2, 28)) == 1
    assert years_served(date(2024, 3, 1), date(2026, 2, 28)) == 1
    assert years_served(date(2024, 3, 1), date(2026, 3, 1)) == 2


def test_years_of_service_required_is_a_parameter():
    # start 2025-03-01: one year on 2026-03-01; two years required -> 0
    f = facts(people=({**A1, "start_date": "2025-03-01"}, KAM))
    assert pay(f, "pension_subsidy", AssistantPlugin({"service_years_required": 2})) == 0
    assert pay(f, "pension_subsidy", AssistantPlugin({"pension_subsidy": 120})) == 120


def test_seniority_pay_is_never_a_silent_zero_when_not_configured():
    f = facts()  # start 2024-01-01: two years served, due
    assert "seniority_pay" not in lines_of(f)
    [line] = [l for l in infos(f) if l.kind == "pay_part_not_configured"]
    assert line.figure is None and line.inputs["part"] == "seniority_pay"
    assert "x" in line.reason_en and line.clause == "002/ZL 二"


def test_seniority_pay_by_years_once_configured():
    table = [{"from_years": 1, "pay": 50}, {"from_years": 3, "pay": 120}]
    plugin = AssistantPlugin({"seniority_pay": table})

    def served_since(start):
        return pay(facts(people=({**A1, "start_date": start}, KAM)), "seniority_pay", plugin)

    assert served_since("2025-03-02") == 0  # 0 whole years on 2026-03-01: not yet due
    assert served_since("2025-03-01") == 50  # 1 year: the 1-year row
    assert served_since("2023-03-02") == 50  # 2 years (a day short of 3): still the 1-year row
    assert served_since("2023-03-01") == 120  # 3 years: the 3-year row
    # a table that starts at 2 years pays nothing at 1 year, and says there is no row
    later = AssistantPlugin({"seniority_pay": [{"from_years": 2, "pay": 80}]})
    f = facts(people=({**A1, "start_date": "2025-03-01"}, KAM))
    line = lines_of(f, later)["seniority_pay"]
    assert line.figure == 0 and "no row" in line.reason_en


def test_service_parts_without_a_start_date_are_not_applicable():
    f = facts(people=({k: v for k, v in A1.items() if k != "start_date"}, KAM))
    assert {"seniority_pay", "pension_subsidy"} <= not_applicable(f)
    assert "pension_subsidy" not in lines_of(f)


# --- the sales item: 002/ZL 二1 -----------------------------------------------------------------------


def sales(actual, plugin=P, target=100000):
    f = facts(
        deals=[deal("d1", "k1", actual)],
        targets=[{"id": "t-b1", "period": "2026-03", "amount": target, "region": "b1"}],
    )
    return pay(f, "sales_bonus", plugin)


def test_sales_bonus_460_x_m_from_80_to_100_percent():
    # share = 2,300 x 20% = 460; target 100,000
    assert sales(79999) == 0  # M = 79.999% < 80%: no bonus for the item
    assert sales(80000) == 368  # M = 80%: 460 x 0.8 = 368
    assert sales(90000) == 414  # 460 x 0.9 = 414
    assert sales(100000) == 460  # 460 x 1 = 460
    assert sales(100001) == 460  # M = 100.001% > 100%: capped at 460
    assert sales("100000.01") == 460  # a cent above the target: capped, not 460.000046
    assert sales(250000) == 460


def test_sales_bonus_is_exact_until_reported():
    # 460 x 80,001 / 100,000 = 368.0046, reported 368.00
    assert sales(80001) == D("368.0046")
    assert report(sales(80001)) == D("368.00")


def test_sales_bonus_in_full_is_the_other_reading():
    full = AssistantPlugin({"sales_at_actual_rate": False})
    assert sales(79999, full) == 0
    assert sales(80000, full) == 460  # M = 80%: the whole 460


def test_sales_cap_and_floor_are_parameters():
    # a cap of 120%: 460 x 1.1 = 506 at 110%; 460 x 1.2 = 552 at 130%
    cap = AssistantPlugin({"sales_cap": "1.2"})
    assert sales(110000, cap) == 506
    assert sales(130000, cap) == 552
    floor = AssistantPlugin({"sales_floor": "0.7"})
    assert sales(69999, floor) == 0
    assert sales(70000, floor) == 322  # 460 x 0.7


def test_the_region_is_the_people_of_the_assistant_branch():
    b2 = {"id": "k2", "role": "key_account_manager", "branch": "b2"}
    f = facts(
        people=(A1, KAM, b2),
        deals=[
            deal("d1", "k1", 50000),  # the KAM of b1: counted
            deal("d2", "a1", 40000),  # the assistant, also of b1: counted
            deal("d3", "k2", 70000),  # b2: not b1's region
            deal("d4", "k1", 90000, day="2026-02-27"),  # February: not this month
            deal("d5", "shop-9", 90000, agent=True),  # an agent's: no branch to place it in
        ],
    )
    # (50,000 + 40,000) / 100,000 = 90%: 460 x 0.9 = 414
    line = lines_of(f)["sales_bonus"]
    assert line.figure == 414
    assert line.inputs["deals"] == ["d1", "d2"] and line.inputs["measured_for"] == "region"


def test_the_person_own_sales_is_the_other_reading():
    own = AssistantPlugin({"sales_measured_for": "person"})
    people = ({**A1, "monthly_task": 50000}, KAM)
    f = facts(people=people, deals=[deal("d1", "k1", 100000), deal("d2", "a1", 45000)], targets=())
    # a1's own 45,000 / their monthly task 50,000 = 90%: 460 x 0.9 = 414 (the KAM's deal is not theirs)
    assert pay(f, "sales_bonus", own) == 414
    # a target record for the person wins over the person's field (docs/rules.md §7): 45,000 / 45,000
    t = {"id": "t-a1", "period": "2026-03", "amount": 45000, "person": "a1"}
    assert pay(facts(people=people, deals=[deal("d2", "a1", 45000)], targets=[t]), "sales_bonus", own) == 460


def test_no_target_means_the_sales_item_is_not_applicable_never_0_percent():
    for targets in ((), [{"id": "t0", "period": "2026-03", "amount": 0, "region": "b1"}]):
        f = facts(targets=targets)
        assert "sales_bonus" not in lines_of(f)
        assert "sales_bonus" in not_applicable(f)
        sheet = {l.kind: l for l in P.assess_month(f).lines}
        assert sheet["sales_completion"].figure is None
    # another region's target is not this region's
    other = facts(targets=[{"id": "t-b2", "period": "2026-03", "amount": 100000, "region": "b2"}])
    assert "sales_bonus" in not_applicable(other)
    # an assistant without a branch has no region
    nowhere = facts(people=({k: v for k, v in A1.items() if k != "branch"}, KAM))
    assert "sales_bonus" in not_applicable(nowhere)


def test_the_region_target_adds_up_its_products_and_stays_in_force():
    parts = [
        {"id": "t-water", "period": "2026-03", "amount": 60000, "region": "b1", "product": "water"},
        {"id": "t-machines", "period": "2026-03", "amount": 40000, "region": "b1", "product": "machines"},
    ]
    # 100,000 / (60,000 + 40,000) = 100%: 460
    assert pay(facts(targets=parts), "sales_bonus") == 460
    # a January target stays in force in March: 100,000 / 125,000 = 80%: 460 x 0.8 = 368
    january = [{"id": "t-jan", "period": "2026-01", "amount": 125000, "region": "b1"}]
    assert pay(facts(targets=january), "sales_bonus") == 368


def test_the_sheet_shows_the_target_and_m():
    f = facts(deals=[deal("d1", "k1", 90000)])
    sheet = {l.kind: l for l in P.assess_month(f).lines}
    assert sheet["target"].figure == 100000
    assert sheet["sales_completion"].figure == D("0.9")
    assert sheet["sales_completion"].unit == INFO


# --- the service item: 002/ZL 二2 ---------------------------------------------------------------------


def service(dispensers, barrels, plugin=P):
    f = facts(cases=[cleaned(dispensers), delivered(barrels)])
    got = lines_of(f, plugin)
    return got["service_bonus"].figure, got["cleaning_extra"].figure, got["delivery_extra"].figure


def test_both_standards_met_pay_1840_and_units_above_earn_4_and_2():
    assert service(100, 1000) == (1840, 0, 0)  # exactly the standards: 100%, nothing extra
    assert service(101, 1001) == (1840, 4, 2)  # one dispenser x 4, one barrel x 2
    assert service(130, 1250) == (1840, 120, 500)  # 30 x 4 = 120; 250 x 2 = 500


def test_a_dispenser_shortfall_offset_by_barrels_at_10_each():
    # 95 cleaned: 5 short = 50 barrels; 1,050 delivered: 50 surplus, exactly enough
    assert service(95, 1050) == (1840, 0, 0)  # the 50 barrels used earn no extra
    # 1,049: 49 surplus < 50: not fully offset -> no bonus; the offset is not made, the 49 stay extra
    assert service(95, 1049) == (0, 0, 98)  # 49 x 2 = 98
    # 1,080: 80 surplus, 50 used -> 30 x 2 = 60
    assert service(95, 1080) == (1840, 0, 60)


def test_a_barrel_shortfall_offset_by_dispensers_in_whole_dispensers():
    # 950 delivered: 50 short = 5 dispensers; 110 cleaned: 10 surplus, 5 used -> 5 x 4 = 20
    assert service(110, 950) == (1840, 20, 0)
    assert service(105, 950) == (1840, 0, 0)  # exactly 5 surplus
    assert service(104, 950) == (0, 16, 0)  # 4 < 5: not offset, no bonus; the 4 stay extra: 16
    # 995 delivered: 5 short = half a dispenser, used whole: 1 dispenser of 101's surplus of 1
    assert service(101, 995) == (1840, 0, 0)
    assert service(100, 995) == (0, 0, 0)  # no surplus at all


def test_both_short_is_no_bonus_and_no_extra():
    assert service(99, 999) == (0, 0, 0)
    assert service(0, 0) == (0, 0, 0)


def test_the_offset_rate_of_the_extra_pay_rates_is_the_other_reading():
    two = AssistantPlugin({"barrels_per_dispenser": 2})
    # 95 cleaned: 5 short = 10 barrels at 2 each
    assert service(95, 1010, two) == (1840, 0, 0)
    assert service(95, 1009, two) == (0, 0, 18)  # 9 surplus < 10; 9 x 2 = 18
    # 999 delivered: 1 short = half a dispenser, used whole
    assert service(101, 999, two) == (1840, 0, 0)


def test_whether_offset_units_also_earn_extra_is_a_parameter():
    earn = AssistantPlugin({"offset_units_earn_extra": True})
    assert service(95, 1080, earn) == (1840, 0, 160)  # all 80 above 1,000 x 2
    assert service(110, 950, earn) == (1840, 40, 0)  # all 10 above 100 x 4


def test_a_failed_offset_spending_the_surplus_is_the_other_reading():
    spent = AssistantPlugin({"failed_offset_keeps_extras": False})
    assert service(95, 1049, spent) == (0, 0, 0)  # the 49 went into the offset that fell short
    assert service(104, 950, spent) == (0, 0, 0)
    assert service(95, 1050, spent) == (1840, 0, 0)  # a complete offset is unchanged


def test_losing_only_the_short_half_is_the_other_reading():
    half = AssistantPlugin({"service_forfeit": "sub_item"})
    # 1,840 / 2 = 920 a standard
    assert service(100, 1000, half) == (1840, 0, 0)
    assert service(95, 1049, half) == (920, 0, 98)  # delivery met, cleaning short and not offset
    assert service(95, 1050, half) == (1840, 0, 0)  # offset complete: both halves
    assert service(99, 999, half) == (0, 0, 0)


def test_standards_and_extra_rates_are_parameters():
    plugin = AssistantPlugin(
        {"cleaning_standard": 80, "delivery_standard": 800, "cleaning_extra_pay": 5, "delivery_extra_pay": 3}
    )
    assert service(81, 801, plugin) == (1840, 5, 3)
    assert service(79, 799, plugin) == (0, 0, 0)


def test_the_cases_counted_are_the_assistant_own_of_the_month():
    other = {**A1, "id": "a2"}
    f = facts(
        people=(A1, other, KAM),
        cases=[
            cleaned(60, "c1"),
            cleaned(40, "c2", day="2026-03-31"),
            cleaned(30, "c3", day="2026-04-01"),  # April
            cleaned(30, "c4", person="a2"),  # someone else's
            delivered(1000, "w1"),
            case("x1", "meter_ticket", 500),  # another kind
        ],
    )
    # a1: 60 + 40 = 100 dispensers, 1,000 barrels: both met
    line = lines_of(f)["service_bonus"]
    assert line.figure == 1840 and line.inputs["cases"] == ["c1", "c2", "w1"]
    renamed = AssistantPlugin({"cleaning_case_kind": "clean", "delivery_case_kind": "water"})
    assert lines_of(f, renamed)["service_bonus"].figure == 0  # no cases of those kinds: both short


@pytest.mark.parametrize("units", [None, "12", True, "1.5", D("1.5"), -1])
def test_a_case_without_whole_units_makes_the_service_parts_not_applicable(units):
    f = facts(cases=[cleaned(units, "bad"), delivered(1000)])
    got = lines_of(f)
    assert not {"service_bonus", "cleaning_extra", "delivery_extra"} & set(got)
    assert {"service_bonus", "cleaning_extra", "delivery_extra"} <= not_applicable(f)
    sheet = {l.kind: l for l in P.assess_month(f).lines}
    assert sheet["dispensers_cleaned"].figure is None


def test_zero_units_is_a_valid_count():
    f = facts(cases=[cleaned(0, "c0"), cleaned(100), delivered(1000)])
    assert pay(f, "service_bonus") == 1840


def test_the_sheet_shows_the_counts_against_their_standards():
    sheet = {l.kind: l for l in P.assess_month(facts(cases=[cleaned(95), delivered(1080)])).lines}
    assert (sheet["dispensers_cleaned"].figure, sheet["dispensers_cleaned"].inputs["standard"]) == (95, 100)
    assert (sheet["barrels_delivered"].figure, sheet["barrels_delivered"].inputs["standard"]) == (1080, 1000)


def test_the_offset_outcome_names_what_was_used():
    o = outcome(95, 1080, P.params)
    assert (o.offset, o.needed, o.used_barrels, o.delivery_extra_units) == (
        "barrels_for_dispensers",
        50,
        50,
        30,
    )
    o = outcome(104, 950, P.params)
    assert (o.offset, o.needed, o.used_dispensers, o.cleaning_extra_units) == ("failed", 5, 0, 4)


# --- the bonus split and the overrides refused -----------------------------------------------------------


def test_the_2300_bonus_is_split_by_the_weights():
    # 2,300 x 20% = 460 and 2,300 x 80% = 1,840; 2,400 x 25% = 600 and x 75% = 1,800
    assert sales(100000) + service(100, 1000)[0] == 2300
    plugin = AssistantPlugin({"performance_bonus": 2400, "sales_weight": "0.25", "service_weight": "0.75"})
    assert sales(100000, plugin) == 600
    assert service(100, 1000, plugin)[0] == 1800


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"sales_weight": "0.3"}, "service_weight"),  # 30% + 80% = 110%
        ({"cleaning_standard": 0}, "cleaning_standard"),
        ({"delivery_standard": -5}, "delivery_standard"),
        ({"barrels_per_dispenser": 0}, "barrels_per_dispenser"),
        ({"full_attendance_max_late": -1}, "full_attendance_max_late"),
        ({"sales_cap": "0.5"}, "sales_cap"),
        ({"seniority_pay": [{"years": 1, "pay": 50}]}, "seniority_pay.0"),
        ({"seniority_pay": [{"from_years": "1.5", "pay": 50}]}, "seniority_pay.0"),
    ],
)
def test_overrides_that_would_pay_a_wrong_sum_are_refused(overrides, field):
    with pytest.raises(ConfigError) as caught:
        AssistantPlugin(overrides)
    assert field in {e["field"] for e in caught.value.errors}


# --- the quarter: the months' pay, nothing carried ---------------------------------------------------------


def test_the_quarter_is_its_three_months_and_carries_nothing_new():
    f = facts(
        attendance=[{"person": "a1", "month": m} for m in ("2026-01", "2026-02", "2026-03")],
        cases=[
            *(cleaned(100, f"c-{m}", day=f"2026-{m}-05") for m in ("01", "02", "03")),
            *(delivered(1000, f"w-{m}", day=f"2026-{m}-05") for m in ("01", "02", "03")),
        ],
        deals=[deal("d1", "k1", 100000, day="2026-01-10")],
        targets=[{"id": "t-b1", "period": "2026-01", "amount": 100000, "region": "b1"}],
    )
    q = P.commission_quarter(f, {"kept": "as it came"})
    assert q.carried == {"kept": "as it came"}
    # working days: January 2026 22 (1 Jan is a Thursday: 1-2, 5-9, 12-16, 19-23, 26-30), February 20,
    # March 22. Each month 900 + 30 + 100 + 1,840; lunch 5 x (22 + 20 + 22) = 320; sales only in
    # January (100%: 460; February and March 0%: below 80%, 0) -> 3 x 2,870 + 320 + 460 = 9,390
    assert totals(q.lines, CNY) == {"a1": D(9390)}
    months = [str(l.inputs["month"]) for l in q.lines if l.kind == "base_pay"]
    assert months == ["2026-01", "2026-02", "2026-03"]
