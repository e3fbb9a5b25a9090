"""docs/rules.md §4 (seed 003 §十一) sheet and the §2.3.3 weighted KPI coefficient."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kamkit.explain import INFO
from kamkit.facts import KpiRating, Scorecard
from kamkit.kpi import KPI_PARAMS, SHEET, WEIGHTS, kpi_coefficient, scorecard_score

PARAMS = {p.name: p.default for p in KPI_PARAMS}


def sheet(**kw):
    return scorecard_score(Scorecard(**kw), PARAMS)


def test_a_full_sheet_at_the_sales_standard_scores_90():
    # rows at their maxima: sales 15 + complaints 10 + collection 15 + big customers 10
    # (2 upgraded x 2 + 2 new x 3 = 10) + relationship 10 + six 5-point rows 30 = 90;
    # the remaining 10 of the 100-point sheet are earned by sales above the 90% standard.
    total, items, _ = sheet(
        upgraded_customers=2,
        new_big_customers=2,
        innovation=Decimal(5),
        communication=Decimal(5),
        responsibility=Decimal(5),
        learning=Decimal(5),
    )
    assert items["big_customers"] == 10 and items["sales_completion"] == 15
    assert total == Decimal(90)


def test_sales_completion_plus_minus_one_point_per_full_percent():
    # 95% is 5 points above the 90% standard: 15 + 5 = 20
    assert sheet(sales_completion=Decimal("0.95"))[1]["sales_completion"] == 20
    # 85.5% is 4.5% below: 4 full steps -> 15 - 4 = 11
    assert sheet(sales_completion=Decimal("0.855"))[1]["sales_completion"] == 11
    # 89.5%: not a full 1% below -> still 15
    assert sheet(sales_completion=Decimal("0.895"))[1]["sales_completion"] == 15
    # 50%: 40 below -> floored at 0
    assert sheet(sales_completion=Decimal("0.5"))[1]["sales_completion"] == 0


def test_complaint_speed_is_all_or_nothing_at_24_hours():
    assert sheet(complaint_hours=Decimal(24))[1]["complaint_resolution"] == 10
    assert sheet(complaint_hours=Decimal("24.01"))[1]["complaint_resolution"] == 0


def test_collection_rate_loses_one_and_a_half_points_per_full_ten_percent():
    # 75% collected: 25% short = 2 full steps -> 15 - 3 = 12
    assert sheet(collection_rate=Decimal("0.75"))[1]["collection_rate"] == Decimal("12.0")
    # 90% collected: exactly 1 step -> 13.5 ; 90.01%: no full step -> 15
    assert sheet(collection_rate=Decimal("0.9"))[1]["collection_rate"] == Decimal("13.5")
    assert sheet(collection_rate=Decimal("0.9001"))[1]["collection_rate"] == 15


def test_big_customers_capped_relationship_and_attendance_and_service():
    # 1 upgraded (2) + 1 new (3) = 5 ; 3 new = 9 ; 4 new = 12 -> cap 10
    assert sheet(upgraded_customers=1, new_big_customers=1)[1]["big_customers"] == 5
    assert sheet(new_big_customers=4)[1]["big_customers"] == 10
    # one lost big customer: 10 - 5 = 5; three: floored at 0
    assert sheet(lost_big_customers=1)[1]["relationship"] == 5
    assert sheet(lost_big_customers=3)[1]["relationship"] == 0
    # late twice: 5 - 4 = 1; three times: 0
    assert sheet(late_arrivals=2)[1]["attendance"] == 1
    assert sheet(late_arrivals=3)[1]["attendance"] == 0
    # one complaint: 5 - 2 = 3
    assert sheet(complaints=1)[1]["service_attitude"] == 3
    # a rater's qualitative score above 5 is capped at the row's 5
    assert sheet(innovation=Decimal(7))[1]["innovation"] == 5


def test_weighted_coefficient_from_three_raters():
    ratings = [
        KpiRating("r1", "deputy_manager", Decimal(80)),
        KpiRating("r1", "city_admin", Decimal(90)),
        KpiRating("r1", "branch_manager", Decimal(70)),
        KpiRating("other", "deputy_manager", Decimal(10)),
    ]
    result = kpi_coefficient("r1", ratings, PARAMS)
    # 80 x 0.5 + 90 x 0.2 + 70 x 0.3 = 40 + 18 + 21 = 79 -> coefficient 0.79
    assert result.score == Decimal(79) and result.coefficient == Decimal("0.79")
    last = result.lines[-1]
    assert last.clause == WEIGHTS and last.unit == INFO and last.figure == Decimal("0.79")


def test_missing_rater_renormalises_and_sheet_rating_is_scored():
    card = Scorecard(
        sales_completion=Decimal("0.9"),
        innovation=Decimal(5),
        communication=Decimal(5),
        responsibility=Decimal(5),
        learning=Decimal(5),
        upgraded_customers=5,
    )
    ratings = [
        KpiRating("r1", "deputy_manager", scorecard=card),  # sheet = 90
        KpiRating("r1", "branch_manager", Decimal(70)),
    ]
    result = kpi_coefficient("r1", ratings, PARAMS)
    # rules §4: the sheet's full mark is 90, so its 90 is 90 x 100 / 90 = 100 on the raters' scale;
    # (100 x 0.5 + 70 x 0.3) / 0.8 = (50 + 21) / 0.8 = 88.75 -> coefficient 0.8875 (was 82.5: the sheet's
    # 90 taken as 90 of 100)
    assert result.score == Decimal("88.75") and result.coefficient == Decimal("0.8875")
    assert result.lines[0].clause == SHEET and result.lines[0].figure == 100
    assert result.lines[0].inputs["sheet_score"] == 90 and result.lines[0].inputs["full_mark"] == 90


def test_unrated_person_gets_the_default_coefficient_and_override_is_honoured():
    assert kpi_coefficient("nobody", [], PARAMS).coefficient == 1
    params = {**PARAMS, "kpi_coefficient_unrated": Decimal("0.8")}
    result = kpi_coefficient("nobody", [], params)
    assert result.score is None and result.coefficient == Decimal("0.8")


@given(
    st.decimals(min_value=0, max_value=2, places=3),
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(0, 10),
)
def test_sheet_is_between_0_and_its_full_mark_90(completion, late, complaints, lost, new):
    total, items, _ = sheet(
        sales_completion=completion,
        late_arrivals=late,
        complaints=complaints,
        lost_big_customers=lost,
        new_big_customers=new,
    )
    assert Decimal(0) <= total <= 90 and all(v >= 0 for v in items.values())


def test_the_sheet_is_capped_at_its_full_mark_90():
    full = dict(
        upgraded_customers=5,
        innovation=Decimal(5),
        communication=Decimal(5),
        responsibility=Decimal(5),
        learning=Decimal(5),
    )
    # 85%: 15 - 5 = 10 -> 90 - 15 + 10 = 85
    assert sheet(sales_completion=Decimal("0.85"), **full)[0] == 85
    # 98%: 15 + 8 = 23 -> 90 - 15 + 23 = 98, capped at the full mark 90 [reading]: a coefficient
    # never exceeds 1
    assert sheet(sales_completion=Decimal("0.98"), **full)[0] == 90
