"""Seed 003 §十一's sheet (docs/rules.md §4) with its measured items counted from the records
(kamkit.scorecard, kamkit.kpi): each item on both sides of its threshold, every figure worked out by
hand in a comment; not-applicable items scored at their standard; typed sheets; the sheet per account
manager (scorecard_lines) and the weighted KPI coefficient from measured sheets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kamkit.activity import Window
from kamkit.errors import InvalidFacts
from kamkit.explain import INFO
from kamkit.facts import Scorecard
from kamkit.facts_schema import load_facts
from kamkit.kpi import SHEET, kpi_coefficient, measured_for, measured_of, scorecard_lines, scorecard_score
from kamkit.periods import Quarter
from plugins.software import SoftwarePlugin
from plugins.telecom import TelecomPlugin

TELECOM = TelecomPlugin().params  # sales are deals; base task 20,000 a month
SOFTWARE = SoftwarePlugin().params  # sales are collections; a person's quarterly_target
Q1 = Window.of(Quarter(2026, 1))

PEOPLE = [
    {"id": "am1", "role": "account_manager", "monthly_task": "10000"},  # plan 10,000 x 3 = 30,000
    {"id": "am2", "role": "account_manager"},  # telecom base task: 20,000 x 3 = 60,000
    {"id": "dm1", "role": "deputy_manager"},
    {"id": "bm1", "role": "branch_manager"},
    {"id": "ca1", "role": "city_admin"},
]


def d(text) -> Decimal:
    return Decimal(str(text))


def facts(**records):
    return load_facts({"quarter": "2026-Q1", "people": PEOPLE, **records})


def measured(f, person="am1", params=TELECOM):
    return measured_for(f, Q1, params)[person]


def items(f, person="am1", params=TELECOM):
    """The sheet's points per item for ``person``, measured items counted from the records."""
    return scorecard_score(Scorecard(), params, measured(f, person, params)).items


def deal(i, amount, seller="am1", day="2026-02-01"):
    return {"id": f"d{i}", "seller": seller, "date": day, "list_price": amount, "deal_price": amount}


# --- sales target completion: 15 at the 90% standard, +/-1 per full 1% -----------------------------


@pytest.mark.parametrize(
    "sold, completion, points",
    [
        ("27000", "0.9", 15),  # 27,000 / 30,000 = 90% exactly: 15
        ("26997", "0.8999", 15),  # 89.99%: not a full 1% below -> still 15
        ("26700", "0.89", 14),  # 89%: one full 1% below -> 14
        ("26699.99", "0.8899996666666666666666666667", 14),  # 88.99997%: still one full 1% below -> 14
        ("27300", "0.91", 16),  # 91%: one full 1% above -> 16
    ],
)
def test_sales_completion_points(sold, completion, points):
    f = facts(deals=[deal(1, sold), deal(2, "99999", day="2026-04-01")])  # d2 is in Q2
    m = measured(f)
    assert m.sales_completion == d(completion)
    assert m.inputs["sales"] == d(sold) and m.inputs["target"] == d(30000)
    assert items(f)["sales_completion"] == points


def test_sales_completion_on_collections_against_the_quarterly_target():
    people = [{"id": "am1", "role": "account_manager", "quarterly_target": "100000"}]
    f = load_facts(
        {
            "people": people,
            "collections": [{"id": "c1", "rep": "am1", "date": "2026-03-31", "amount": "89000"}],
        }
    )
    # 89,000 / 100,000 = 89%: one full 1% below -> 14
    assert measured_for(f, Q1, SOFTWARE)["am1"].sales_completion == d("0.89")
    assert scorecard_score(Scorecard(), SOFTWARE, measured_for(f, Q1, SOFTWARE)["am1"]).items[
        "sales_completion"
    ] == d(14)


def test_not_applicable_items_are_scored_at_their_standard():
    # software: no quarterly target (no plan), no complaint, no deal (nothing billed)
    people = [{"id": "am1", "role": "account_manager"}]
    f = load_facts(
        {"people": people, "collections": [{"id": "c1", "rep": "am1", "date": "2026-01-05", "amount": 5}]}
    )
    m = measured_for(f, Q1, SOFTWARE)["am1"]
    assert (m.sales_completion, m.complaint_hours, m.collection_rate) == (None, None, None)
    sheet = scorecard_score(Scorecard(), SOFTWARE, m)
    # sales 15 (the standard), complaints 10, collection 15: not docked for work with no measure
    assert sheet.items["sales_completion"] == 15
    assert sheet.items["complaint_resolution"] == 10
    assert sheet.items["collection_rate"] == 15
    assert sheet.measured["sales_completion"] is None and sheet.measured["collection_rate"] is None


def test_a_plan_with_no_sales_scores_zero_not_the_standard():
    # am2 (telecom): base task 60,000 for the quarter, sold nothing -> 0%: 15 - 90 -> floored at 0
    f = facts()
    assert measured(f, "am2").sales_completion == 0
    assert items(f, "am2")["sales_completion"] == 0


# --- complaint resolution: 10 when the average is at most 24 h a complaint, else 0 ----------------


@pytest.mark.parametrize(
    "second_resolved, average, points",
    [
        # 20 h + 28 h = 48 h over 2 complaints = 24 h exactly -> 10
        ("2026-02-11T12:00:00", d(24), 10),
        # 20 h + 28 h 2 min = 48 h 2 min over 2 = 24 h 1 min = 24.01667 h -> 0
        ("2026-02-11T12:02:00", d(20) / 2 + (d(28) + d(2) / 60) / 2, 0),
    ],
)
def test_complaint_average_hours(second_resolved, average, points):
    f = facts(
        complaints=[
            {
                "id": "k1",
                "person": "am1",
                "received": "2026-02-01",
                "received_at": "2026-02-01T08:00:00",
                "resolved_at": "2026-02-02T04:00:00",  # 20 h
                "fault": "staff",
            },
            {
                "id": "k2",
                "person": "am1",
                "received": "2026-02-10",
                "received_at": "2026-02-10T08:00:00",
                "resolved_at": second_resolved,
                "fault": "staff",
            },
        ]
    )
    m = measured(f)
    assert m.complaint_hours.quantize(d("0.00001")) == average.quantize(d("0.00001"))
    assert items(f)["complaint_resolution"] == points


@pytest.mark.parametrize(
    "received_at, hours, points",
    [
        ("2026-03-31T00:00:00", d(24), 10),  # open: to the window end 2026-04-01 00:00 = 24 h -> 10
        ("2026-03-30T23:59:00", d(24) + d(1) / 60, 0),  # open: 24 h 1 min -> 0
    ],
)
def test_an_unresolved_complaint_counts_to_the_window_end(received_at, hours, points):
    f = facts(
        complaints=[{"id": "k1", "person": "am1", "received": received_at[:10], "received_at": received_at}]
    )
    m = measured(f)
    assert m.complaint_hours.quantize(d("0.00001")) == hours.quantize(d("0.00001"))
    assert items(f)["complaint_resolution"] == points


def test_given_hours_and_dates_make_the_average():
    f = facts(
        complaints=[
            {"id": "k1", "person": "am1", "received": "2026-01-05", "hours_to_resolve": "30"},
            {"id": "k2", "person": "am1", "received": "2026-01-06", "resolved": "2026-01-06"},  # 0 h
            {"id": "k3", "person": "am1", "received": "2026-04-01", "hours_to_resolve": "99"},  # Q2
        ]
    )
    # (30 + 0) / 2 = 15 h -> 10
    assert measured(f).complaint_hours == 15
    assert items(f)["complaint_resolution"] == 10


def test_a_time_received_needs_a_time_resolved_never_a_bare_day():
    # received at 10:00 and "resolved" given as the day only: that day's midnight would make the
    # complaint last -10 h and lower any average it entered, so the record is refused by field
    with pytest.raises(InvalidFacts) as refused:
        facts(
            complaints=[
                {
                    "id": "k1",
                    "person": "am1",
                    "received": "2026-03-05",
                    "received_at": "2026-03-05T10:00:00",
                    "resolved": "2026-03-05",
                }
            ]
        )
    assert "complaints.0.resolved" in str(refused.value)


# --- collection rate: 15 at 100%, -1.5 per full 10% short; collected / billed deals ----------------


@pytest.mark.parametrize(
    "collected, rate, points",
    [
        ("90000", "0.9", d("13.5")),  # 90,000 / 100,000 = 90%: one full 10% short -> 13.5
        ("90000.01", "0.9000001", 15),  # 9.99999% short: no full step -> 15
        ("89999.99", "0.8999999", d("13.5")),  # 10.00001% short: still one full step -> 13.5
        ("80000", "0.8", 12),  # two full steps -> 15 - 3 = 12
        ("100000", "1", 15),
        ("120000", "1", 15),  # over-collected: the rate is capped at 100%
        ("0", "0", 0),  # ten full steps -> 0
    ],
)
def test_collection_rate_from_deals_and_collections(collected, rate, points):
    f = facts(
        deals=[deal(1, "100000"), deal(2, "5000", day="2025-12-31")],  # d2 is 2025
        collections=[
            {"id": "c1", "rep": "am1", "date": "2026-03-01", "amount": collected},
            {"id": "c2", "rep": "am1", "date": "2026-04-01", "amount": "7777"},  # Q2
        ],
    )
    m = measured(f)
    assert m.collection_rate == d(rate)
    assert (m.inputs["billed"], m.inputs["collected"]) == (d(100000), d(collected))
    assert items(f)["collection_rate"] == points


# --- big customers: +2 upgraded, +3 new, at most 10; relationship: -5 per lost ---------------------


def changes(upgraded=0, new=0, lost=0):
    out = []
    for kind, n in (("upgraded", upgraded), ("new_big", new), ("lost", lost)):
        for i in range(n):
            # owned by am2, credited to am1 by the change
            change = {"date": "2026-02-01", "change": kind, "person": "am1"}
            out.append({"id": f"{kind}{i}", "owner": "am2", "big": kind == "lost", "changes": [change]})
    # outside the quarter: counts for nobody
    out.append({"id": "late", "owner": "am1", "changes": [{"date": "2026-04-01", "change": "new_big"}]})
    return out


@pytest.mark.parametrize(
    "upgraded, new, points",
    [
        (0, 0, 0),
        (1, 1, 5),  # 2 + 3 = 5
        (2, 2, 10),  # 4 + 6 = 10
        (3, 2, 10),  # 6 + 6 = 12 -> capped at 10
        (0, 4, 10),  # 12 -> 10
    ],
)
def test_big_customers_points(upgraded, new, points):
    f = facts(customers=changes(upgraded, new))
    m = measured(f)
    assert (m.upgraded_customers, m.new_big_customers) == (upgraded, new)
    assert items(f)["big_customers"] == points
    assert items(f, "am2")["big_customers"] == 0  # the owner is not credited


@pytest.mark.parametrize("lost, points", [(0, 10), (1, 5), (2, 0), (3, 0)])  # 10 - 5 x lost, floored
def test_relationship_minus_five_per_lost_big_customer(lost, points):
    f = facts(customers=changes(lost=lost))
    assert measured(f).lost_big_customers == lost
    assert items(f)["relationship"] == points


# --- innovation: +2 per featured service, at most 5 ------------------------------------------------


@pytest.mark.parametrize("services, points", [(0, 0), (1, 2), (2, 4), (3, 5)])  # 3 x 2 = 6 -> 5
def test_innovation_two_points_per_featured_service(services, points):
    f = facts(
        featured_services=[
            *({"id": f"s{i}", "person": "am1", "date": "2026-03-01"} for i in range(services)),
            {"id": "q2", "person": "am1", "date": "2026-04-01"},  # Q2
        ]
    )
    assert measured(f).featured_services == services
    # a value typed on the card is not used when the sheet is measured from the records
    sheet = scorecard_score(Scorecard(innovation=d(5)), TELECOM, measured(f))
    assert sheet.items["innovation"] == points


# --- attendance: -2 per late arrival, three or more -> 0; an absence counts as late ----------------


@pytest.mark.parametrize(
    "rows, points",
    [
        ([("2026-01", 1, 0), ("2026-02", 1, 0)], 1),  # 2 late: 5 - 4 = 1
        ([("2026-01", 1, 0), ("2026-02", 1, 0), ("2026-03", 1, 0)], 0),  # the third late arrival -> 0
        ([("2026-01", 0, 0), ("2026-04", 5, 5)], 5),  # April is not in Q1: 0 late -> 5
    ],
)
def test_attendance_points(rows, points):
    f = facts(
        attendance=[
            {"person": "am1", "month": m, "late_arrivals": late, "absences": a} for m, late, a in rows
        ]
    )
    assert items(f)["attendance"] == points


@pytest.mark.parametrize(
    "absence_counts_as_late, late, points",
    [
        (True, 3, 0),  # 2 late + 1 absence = 3 -> 0
        (False, 2, 1),  # 2 late only: 5 - 4 = 1
    ],
)
def test_an_absence_counts_as_late_when_the_line_says_so(absence_counts_as_late, late, points):
    f = facts(
        attendance=[
            {"person": "am1", "month": "2026-01", "late_arrivals": 2},
            {"person": "am1", "month": "2026-02", "absences": 1},
        ]
    )
    params = {**TELECOM, "absence_counts_as_late": absence_counts_as_late}
    m = measured(f, params=params)
    assert m.late_arrivals == late and m.inputs["absences"] == 1
    assert items(f, params=params)["attendance"] == points


# --- service attitude: -2 per complaint ------------------------------------------------------------


@pytest.mark.parametrize("n, points", [(0, 5), (1, 3), (2, 1), (3, 0)])  # 5 - 2n, floored at 0
def test_service_attitude_minus_two_per_complaint(n, points):
    f = facts(
        complaints=[
            *(
                {
                    "id": f"k{i}",
                    "person": "am1",
                    "received": "2026-02-01",
                    "hours_to_resolve": 1,
                    "fault": "staff",
                }
                for i in range(n)
            ),
            {"id": "q2", "person": "am1", "received": "2026-04-01", "fault": "staff"},  # Q2
        ]
    )
    assert measured(f).complaints == n
    assert items(f)["service_attitude"] == points


# --- the whole sheet: KPI coefficient and the quarter's sheet per account manager -----------------


# am1's quarter, each measured item worked out:
#   sales 28,500 / 30,000 = 95%: 5 full points above 90% -> 15 + 5 = 20
#   complaints: k1 20 h on average -> 10; one complaint -> service attitude 5 - 2 = 3
#   collected 25,650 / billed 28,500 = 90% -> 13.5
#   c1 upgraded (owned) + c2 new (am2's customer, credited to am1) = 2 + 3 = 5; none lost -> 10
#   one featured service -> innovation 2; one late arrival -> attendance 5 - 2 = 3
RECORDS = {
    "deals": [deal(1, "28500", day="2026-01-20")],
    "collections": [{"id": "c1", "rep": "am1", "date": "2026-02-20", "amount": "25650"}],
    "complaints": [
        {
            "id": "k1",
            "person": "am1",
            "received": "2026-02-01",
            "received_at": "2026-02-01T08:00:00",
            "resolved_at": "2026-02-02T04:00:00",
            "fault": "staff",
        }
    ],
    "customers": [
        {"id": "c1", "owner": "am1", "changes": [{"date": "2026-01-05", "change": "upgraded"}]},
        {
            "id": "c2",
            "owner": "am2",
            "changes": [{"date": "2026-02-05", "change": "new_big", "person": "am1"}],
        },
    ],
    "featured_services": [{"id": "s1", "person": "am1", "date": "2026-03-01"}],
    "attendance": [{"person": "am1", "month": "2026-01", "late_arrivals": 1}],
}

# The deputy manager's sheet: rated items 4, 3, 3, and measured items typed as before the records
# were kept (used only when the line's kpi_measured_from is "typed").
TYPED_SHEET = {
    "sales_completion": "0.95",
    "collection_rate": "0.8",
    "upgraded_customers": 2,
    "new_big_customers": 2,
    "lost_big_customers": 1,
    "innovation": 3,
    "late_arrivals": 1,
    "complaints": 0,
    "communication": 4,
    "responsibility": 3,
    "learning": 3,
}
RATINGS = [
    {"person": "am1", "rater_role": "deputy_manager", "rater": "dm1", "scorecard": TYPED_SHEET},
    {"person": "am1", "rater_role": "branch_manager", "rater": "bm1", "score": 80},
    {"person": "am1", "rater_role": "city_admin", "rater": "ca1", "score": 70},
    {"person": "am2", "rater_role": "deputy_manager", "score": 10},  # another person's
]


def test_kpi_coefficient_from_a_measured_sheet():
    f = facts(**RECORDS, kpi=RATINGS)
    result = kpi_coefficient("am1", f.kpi_of("am1"), TELECOM, measured=measured(f))
    # sheet: sales 20 + complaints 10 + collection 13.5 + big customers 5 + relationship 10
    #        + innovation 2 + communication 4 + attendance 3 + service 3 + responsibility 3
    #        + learning 3 = 76.5 of 90 -> 76.5 x 100 / 90 = 85
    sheet_line = next(ln for ln in result.lines if ln.kind == "kpi_sheet")
    assert sheet_line.inputs["sheet_score"] == d("76.5") and sheet_line.figure == 85
    assert sheet_line.inputs["measured_from"] == "records"
    assert sheet_line.inputs["items"] == {
        "sales_completion": 20,
        "complaint_resolution": 10,
        "collection_rate": d("13.5"),
        "big_customers": 5,
        "relationship": 10,
        "innovation": 2,
        "communication": 4,
        "attendance": 3,
        "service_attitude": 3,
        "responsibility": 3,
        "learning": 3,
    }
    assert sheet_line.inputs["measured"]["featured_services"] == 1
    # weighted: 85 x 0.5 (deputy manager) + 70 x 0.2 (city admin) + 80 x 0.3 (branch manager)
    #         = 42.5 + 14 + 24 = 80.5 -> coefficient 80.5 / 100 = 0.805
    assert result.score == d("80.5")
    assert result.coefficient == d("0.805")


def test_kpi_measured_from_typed_keeps_the_typed_values():
    f = facts(**RECORDS, kpi=RATINGS)
    typed = {**TELECOM, "kpi_measured_from": "typed"}
    result = kpi_coefficient("am1", f.kpi_of("am1"), typed, measured=measured(f))
    # typed sheet: sales 95% -> 20; complaint hours blank -> 10; collection 80% -> 15 - 3 = 12;
    #   2 upgraded + 2 new = 10; 1 lost -> 5; innovation 3; communication 4; 1 late -> 3;
    #   0 complaints -> 5; responsibility 3; learning 3 = 78 -> 78 x 100 / 90 = 86.6667
    sheet_line = next(ln for ln in result.lines if ln.kind == "kpi_sheet")
    assert sheet_line.inputs["sheet_score"] == 78
    assert sheet_line.inputs["measured_from"] == "typed"
    assert sheet_line.inputs["items"]["collection_rate"] == 12
    assert sheet_line.inputs["items"]["relationship"] == 5
    # weighted: 86.6667 x 0.5 + 70 x 0.2 + 80 x 0.3 = 43.3333 + 14 + 24 = 81.3333 -> 0.813333
    assert result.score.quantize(d("0.0001")) == d("81.3333")
    assert result.coefficient.quantize(d("0.000001")) == d("0.813333")
    # and a typed line counts nothing from the records
    assert measured_for(f, Q1, typed) == {}
    assert list(scorecard_lines(f, Q1, typed)) == []
    assert measured_of(f, "am1", typed) is None


def test_measured_of_counts_only_for_a_rated_sheet():
    sheet = {"person": "am1", "rater_role": "deputy_manager", "scorecard": {"communication": 3}}
    f = facts(**RECORDS, kpi=[sheet])
    first = measured_of(f, "am1", TELECOM)
    assert first == measured(f) and first.inputs["period"] == "2026-Q1"
    # a 0-100 score needs no count; a role the line does not measure is not counted
    scored = facts(**RECORDS, kpi=[{"person": "am1", "rater_role": "deputy_manager", "score": 80}])
    assert measured_of(scored, "am1", TELECOM) is None
    assert measured_of(f, "dm1", TELECOM) is None


def test_scorecard_lines_one_sheet_per_account_manager():
    ratings = [
        {
            "person": "am1",
            "rater_role": "deputy_manager",
            "rater": "dm1",
            "scorecard": {"communication": 4, "responsibility": 3, "learning": 5},
        },
        {
            "person": "am1",
            "rater_role": "branch_manager",
            "scorecard": {"communication": 5, "responsibility": 2, "learning": 4},
        },
        {"person": "am1", "rater_role": "city_admin", "rater": "ca1", "score": 90},  # not a sheet
    ]
    lines = list(scorecard_lines(facts(**RECORDS, kpi=ratings), Q1, TELECOM))
    assert [ln.person for ln in lines] == ["am1", "am2"]  # account managers only, roster order
    am1, am2 = lines
    assert (am1.kind, am1.unit, am1.clause, am1.role) == ("scorecard", INFO, SHEET, "account_manager")
    # rated items averaged over the two sheets: communication (4 + 5) / 2 = 4.5,
    # responsibility (3 + 2) / 2 = 2.5, learning (5 + 4) / 2 = 4.5
    assert am1.inputs["rated"] == {
        "communication": d("4.5"),
        "responsibility": d("2.5"),
        "learning": d("4.5"),
    }
    # raters named: dm1, and the branch manager's sheet by its role (no rater given)
    assert am1.inputs["raters"] == ["branch_manager", "dm1"]
    assert "rated by branch_manager, dm1" in am1.reason_en
    # 20 + 10 + 13.5 + 5 + 10 + 2 + 4.5 + 3 + 3 + 2.5 + 4.5 = 78 of 90
    assert am1.figure == 78 and am1.inputs["full_mark"] == 90
    assert am1.inputs["period"] == "2026-Q1"
    counted = am1.inputs["counted_from"]
    assert (counted["sales"], counted["target"]) == (d(28500), d(30000))
    assert (counted["billed"], counted["collected"]) == (d(28500), d(25650))
    assert counted["complaint_hours"] == [d(20)]
    # am2: no rating, nothing sold against 60,000 -> sales 0; no complaint 10; nothing billed 15;
    #   big customers 0 (c2 is credited to am1); relationship 10; innovation 0; rated items 0;
    #   attendance 5; service 5 -> 0 + 10 + 15 + 0 + 10 + 0 + 0 + 5 + 5 + 0 + 0 = 45
    assert am2.figure == 45
    assert am2.inputs["raters"] == [] and "qualitative items not rated" in am2.reason_en
    assert am2.inputs["measured"]["sales_completion"] == 0
    assert am2.inputs["measured"]["complaint_hours"] is None
