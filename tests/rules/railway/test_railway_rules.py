"""Railway plugin, clause by clause (docs/rules.md §15; 002/TL = 大客户运输服务管理办法), every figure
and date worked out by hand in the comments. Calendar days throughout: the seed's dates are periods of
December (旬), not working days."""

from datetime import date
from decimal import Decimal as D

import pytest

from kamkit.conformance import check_plugin
from kamkit.errors import ConfigError
from kamkit.explain import FLAG, INFO
from kamkit.facts_schema import load_facts
from plugins.railway import RailwayPlugin

P = RailwayPlugin()
PEOPLE = [
    {"id": "sun", "role": "account_manager"},
    {"id": "gao", "role": "bureau"},
    {"id": "bu", "role": "ministry"},
]
# every condition of 第五条 met, condition 3 by the tonnes exactly at 100万吨
QUALIFIED = {
    "state_key_enterprise": True,
    "obeys_dispatch": True,
    "annual_tonnes": 1000000,
    "fmos_station": True,
    "whole_train": True,
    "cargo_owner": True,
    "independent_payer": True,
    "charter_accepted": True,
}


def case(id_, kind, opened, steps=None, person="sun", customer=None, **attributes):
    return {
        "id": id_,
        "kind": kind,
        "person": person,
        "opened": opened,
        "steps": steps or {},
        "attributes": attributes,
        **({"customer": customer} if customer else {}),
    }


def volume(id_, year=2027, opened="2026-11-20", customer=None, **steps):
    attributes = {} if year is None else {"year": year}
    return case(id_, "annual_volume", opened, steps, customer=customer, **attributes)


def applied(id_, opened="2026-03-02", steps=None, **changes):
    """A qualification case; a change to None leaves the attribute unrecorded."""
    attributes = {k: v for k, v in {**QUALIFIED, **changes}.items() if v is not None}
    return case(id_, "qualification", opened, steps, **attributes)


def facts(month, cases):
    customers = sorted({c["customer"] for c in cases if c.get("customer")})
    return load_facts(
        {"month": month, "people": PEOPLE, "cases": cases, "customers": [{"id": c} for c in customers]}
    )


def sheet(month, cases, plugin=P):
    return plugin.assess_month(facts(month, cases)).lines


def deadlines(lines, rule):
    return {
        l.inputs["case"]: (l.figure, l.inputs["state"], str(l.inputs["due"]), l.inputs["late"])
        for l in lines
        if l.kind == "deadline" and l.inputs["rule"] == rule
    }


def conditions(lines, case_id):
    """{condition number: figure} of one case."""
    return {
        l.inputs["condition"]: l.figure
        for l in lines
        if l.kind == "qualification_condition" and l.inputs["case"] == case_id
    }


def of_kind(lines, kind):
    return {l.inputs["case"]: l for l in lines if l.kind == kind}


# --- the contract, roles and ladder (rules §15.3) ---------------------------------------------------


def test_the_plugin_keeps_the_contract():
    assert check_plugin(RailwayPlugin) == []


def test_roles_ladder_one_tier_and_no_pay():
    assert (P.key, P.version) == ("railway", "1")
    assert P.ladder == ("account_manager", "bureau", "ministry")  # 第六条: bureau reports to ministry
    o = load_facts({"opportunities": [{"id": "o", "amount": 5000000, "discovered": "2026-03-01"}]})
    c = P.classify(o.opportunities[0])
    assert (c.tier, c.owner_role, c.confirming_role, c.follow_up_days, c.in_bulletin, c.clause) == (
        "big_customer",
        "account_manager",
        None,
        None,
        False,
        "rules §15.3",
    )
    result = P.commission_quarter(load_facts({"quarter": "2026-Q4", "people": PEOPLE}))
    assert (list(result.lines), dict(result.carried)) == ([], {})
    # who owes each step of the year's volume: the customer submits (no role), then bureau, ministry
    assert {r.key: r.owner_role for r in P.deadlines} == {
        "volume_submitted": None,
        "volume_bureau_signed": "bureau",
        "volume_ministry_signed": "ministry",
    }


def test_escalation_climbs_from_the_manager_to_the_bureau_and_the_ministry():
    # day 7: the bureau; day 14: the ministry; day 13 is still the first week
    assert P.escalation_role("account_manager", 6) == []
    assert P.escalation_role("account_manager", 13) == [(1, "bureau")]
    assert P.escalation_role("account_manager", 14) == [(1, "bureau"), (2, "ministry")]


# --- the year's volume: 12-10, 12-20, 12-31 of the year before (002/TL 第八、十、十一条) ----------------


def test_the_volume_form_is_submitted_by_10_december_of_the_year_before():
    cases = [
        volume("v1", submitted="2026-12-10"),
        volume("v2", submitted="2026-12-11"),
        volume("v3"),
    ]
    # the volume of 2027 is fixed in December 2026: 12月上旬前 = by 12-10. v1 that day (met); v2 a
    # day late; v3 never: missed, late counted to 2027-01-01, the first day after December: 22 days
    lines = sheet("2026-12", cases)
    assert deadlines(lines, "volume_submitted") == {
        "v1": (1, "met", "2026-12-10", 0),
        "v2": (0, "late", "2026-12-10", 1),
        "v3": (0, "overdue", "2026-12-10", 22),
    }
    v2 = next(l for l in lines if l.kind == "deadline" and l.inputs["case"] == "v2")
    assert (v2.person, v2.role, v2.unit, v2.clause) == ("sun", "account_manager", INFO, "002/TL §第八条")
    assert "逾期 1 天" in v2.reason_zh and "1 day late" in v2.reason_en
    # the other reading, before the first ten days begin: 11-30; v1 (12-10) is then 10 days late.
    # Due in November, so the November sheet states it (as November stood: not yet submitted)
    plugin = RailwayPlugin({"submit_by": "11-30"})
    assert deadlines(sheet("2026-12", cases, plugin), "volume_submitted") == {}
    assert deadlines(sheet("2026-11", cases, plugin), "volume_submitted")["v1"] == (
        0,
        "overdue",
        "2026-11-30",
        1,
    )
    assert next(p for p in P.parameters if p.name == "submit_by").basis == "reading"


def test_the_bureau_signs_by_20_december_and_the_ministry_by_31_december():
    cases = [
        volume("v1", submitted="2026-12-01", bureau_signed="2026-12-20", ministry_signed="2026-12-31"),
        volume("v2", submitted="2026-12-01", bureau_signed="2026-12-21", ministry_signed="2027-01-02"),
    ]
    lines = sheet("2026-12", cases)
    # 12月中旬前 = by 12-20: v1 met, v2 one day late
    assert deadlines(lines, "volume_bureau_signed") == {
        "v1": (1, "met", "2026-12-20", 0),
        "v2": (0, "late", "2026-12-20", 1),
    }
    # 12月底前 = by 12-31, the month's last day: v1 met. v2 signed 2027-01-02: as December stood at
    # its end, not signed -> missed, 1 day late (to 01-01). (The kit's deadline_lines states it open,
    # figure 1.)
    assert deadlines(lines, "volume_ministry_signed") == {
        "v1": (1, "met", "2026-12-31", 0),
        "v2": (0, "overdue", "2026-12-31", 1),
    }
    # the same figures when December is recomputed after the January signature is recorded
    assert deadlines(sheet("2026-12", cases), "volume_ministry_signed")["v2"][1] == "overdue"
    assert deadlines(sheet("2027-01", cases), "volume_ministry_signed") == {}
    # bureau_sign_by is a reading: 12-10 instead -> v1 (12-20) ten days late
    assert deadlines(
        sheet("2026-12", cases, RailwayPlugin({"bureau_sign_by": "12-10"})), "volume_bureau_signed"
    )["v1"] == (0, "late", "2026-12-10", 10)


def test_a_negative_threshold_is_refused():
    with pytest.raises(ConfigError):
        RailwayPlugin({"min_annual_tonnes": -1})


@pytest.mark.parametrize("value", ["12/10", "2-29", "02-29", "13-01", "12-32", "1210"])
def test_a_day_that_is_not_mm_dd_of_every_year_is_refused(value):
    with pytest.raises(ConfigError) as raised:
        RailwayPlugin({"submit_by": value})
    assert raised.value.errors[0]["field"] == "submit_by"


def test_a_volume_without_its_year_is_not_dated_from_its_opening():
    # v4 is the volume of 2028, opened 2027-12-01 without its year: the kit would date it from the
    # year opened, 2027 - 1 -> December 2026; the plugin dates nothing and says why
    cases = [volume("v4", year=None, opened="2027-12-01"), volume("v5", year="2027", submitted="2026-12-09")]
    dec_2026 = sheet("2026-12", cases)
    # v5's year written as text counts: due 2026-12-10, met
    assert {l.inputs["case"] for l in dec_2026 if l.kind == "deadline"} == {"v5"}
    assert of_kind(dec_2026, "volume_year_missing") == {}
    missing = of_kind(sheet("2027-12", cases), "volume_year_missing")
    assert set(missing) == {"v4"} and missing["v4"].figure is None
    # a year that is not a whole year is not one either
    assert set(of_kind(sheet("2026-11", [volume("v6", year="2027.5")]), "volume_year_missing")) == {"v6"}


def test_the_volume_is_fixed_once_a_year_and_in_force_when_all_three_signed():
    cases = [
        volume(
            "v1",
            customer="coal",
            submitted="2026-12-08",
            bureau_signed="2026-12-18",
            ministry_signed="2026-12-28",
        ),
        volume("v2", customer="coal", opened="2026-12-05"),  # the same customer and year again
        volume("v3", customer="coal", year=2028, opened="2027-11-20"),  # next year's: fine
        volume("v4", customer="ore", ministry_signed="2026-12-30"),  # the ministry alone
    ]
    lines = sheet("2026-12", cases)
    twice = of_kind(lines, "volume_twice")
    assert set(twice) == {"v2"} and (twice["v2"].figure, twice["v2"].unit) == (1, FLAG)
    in_force = of_kind(lines, "volume_in_force")
    # v1 in force from the last of the three signatures, 12-28; v4 lacks the customer's and bureau's
    assert (in_force["v1"].figure, str(in_force["v1"].inputs["in_force_from"])) == (1, "2026-12-28")
    assert (in_force["v4"].figure, in_force["v4"].inputs["missing"]) == (0, ["submitted", "bureau_signed"])
    assert of_kind(sheet("2027-11", cases), "volume_twice") == {}


def test_each_manager_has_the_volume_deadlines_met_of_those_that_fell_due():
    cases = [volume("v1", submitted="2026-12-10"), volume("v2", submitted="2026-12-11")]
    # December: v1 submitted on time, v2 a day late; neither signed by the bureau (12-20) nor the
    # ministry (12-31): 1 of 6
    dec = {l.person: l for l in sheet("2026-12", cases) if l.kind == "deadlines_met"}
    assert set(dec) == {"sun"} and dec["sun"].figure == D(1) / D(6) and dec["sun"].clause == "rules §15.3"
    # November: nothing fell due -> not applicable (no figure, never 0%)
    nov = {l.person: l.figure for l in sheet("2026-11", cases) if l.kind == "deadlines_met"}
    assert nov == {"sun": None}


def test_open_deadlines_are_what_escalation_watches():
    f = facts("2026-12", [volume("v1", submitted="2026-12-09"), volume("v2", year=None)])
    found = {(d.case.id, d.rule.key, d.state) for d in P.open_deadlines(f, date(2026, 12, 15))}
    # v1: submitted; the bureau (12-20) and the ministry (12-31) still open. v2 has no year: nothing
    assert found == {("v1", "volume_bureau_signed", "open"), ("v1", "volume_ministry_signed", "open")}


# --- qualification: the six conditions of 第五条 ---------------------------------------------------


def test_condition_3_is_1000000_tonnes_or_100000000_yuan_inclusive():
    cases = [
        applied("q1"),  # 1,000,000 t exactly: met
        applied("q2", annual_tonnes=999999, annual_freight_yuan=D("99999999.99")),  # both below: not met
        applied("q3", annual_tonnes=999999, annual_freight_yuan=100000000),  # the freight: met
        applied("q4", annual_tonnes=999999),  # freight not recorded: not known
        applied("q5", annual_tonnes=None, annual_freight_yuan=100000000),  # tonnes unknown, freight met
    ]
    lines = sheet("2026-03", cases)
    assert {c: conditions(lines, c)[3] for c in ("q1", "q2", "q3", "q4", "q5")} == {
        "q1": 1,
        "q2": 0,
        "q3": 1,
        "q4": None,
        "q5": 1,
    }
    q2 = next(l for l in lines if l.inputs.get("condition") == 3 and l.inputs["case"] == "q2")
    assert "999,999 吨" in q2.reason_zh and "99,999,999.99 yuan" in q2.reason_en
    # the figures are parameters: 999,999 t is enough at a threshold of 999,999
    lowered = RailwayPlugin({"min_annual_tonnes": 999999})
    assert conditions(sheet("2026-03", cases[1:2], lowered), "q2")[3] == 1
    assert (
        conditions(sheet("2026-03", cases[1:2], RailwayPlugin({"min_annual_freight": "99999999.99"})), "q2")[
            3
        ]
        == 1
    )


def test_every_condition_must_hold_and_each_is_stated():
    cases = [
        applied("all"),
        applied("no_fmos", whole_train=False),  # 4: FMOS station but no whole trains
        applied("unknown", charter_accepted=None),  # 6 not recorded
        applied("text", cargo_owner="yes"),  # 5: not a yes/no value: not recorded
        applied("mixed", state_key_enterprise=False, charter_accepted=None),  # a failure outweighs
    ]
    lines = sheet("2026-03", cases)
    assert conditions(lines, "all") == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}
    assert conditions(lines, "no_fmos")[4] == 0 and conditions(lines, "unknown")[6] is None
    assert conditions(lines, "text")[5] is None
    qualified = {
        k: (l.figure, l.inputs["failed"], l.inputs["not_recorded"])
        for k, l in of_kind(lines, "qualified").items()
    }
    assert qualified == {
        "all": (1, [], []),
        "no_fmos": (0, [4], []),
        "unknown": (None, [], [6]),
        "text": (None, [], [5]),
        "mixed": (0, [1], [6]),
    }
    assert all(
        l.clause == "002/TL §第五条" for l in lines if l.kind in ("qualified", "qualification_condition")
    )


def test_only_cases_with_a_step_in_the_month_are_stated():
    cases = [
        applied("q1", opened="2026-02-10", steps={"bureau_verified": "2026-03-04"}),
        applied("q2", opened="2026-02-10"),
    ]
    assert set(of_kind(sheet("2026-03", cases), "qualified")) == {"q1"}
    assert set(of_kind(sheet("2026-02", cases), "qualified")) == {"q1", "q2"}
    assert of_kind(sheet("2026-04", cases), "qualified") == {}


# --- qualification: the approval path of 第六条 ----------------------------------------------------


def test_the_bureau_verifies_before_the_ministry_approves_and_issues_the_certificate():
    in_order = {
        "bureau_verified": "2026-03-05",
        "ministry_approved": "2026-03-20",
        "certificate_issued": "2026-03-25",
    }
    cases = [
        applied("ok", steps=in_order),
        applied("early", steps={"bureau_verified": "2026-03-12", "ministry_approved": "2026-03-10"}),
        applied("skipped", steps={"ministry_approved": "2026-03-10"}),
        applied("no_approval", steps={"bureau_verified": "2026-03-05", "certificate_issued": "2026-03-25"}),
        applied("same_day", steps={"bureau_verified": "2026-03-12", "ministry_approved": "2026-03-12"}),
    ]
    lines = sheet("2026-03", cases)
    followed = of_kind(lines, "approval_path")
    breached = of_kind(lines, "approval_path_breach")
    assert set(followed) == {"ok", "same_day"} and all(
        l.unit == INFO and l.figure == 1 for l in followed.values()
    )
    assert {k: l.inputs["breaches"] for k, l in breached.items()} == {
        "early": ["ministry_approved (2026-03-10) before bureau_verified (2026-03-12)"],
        "skipped": ["ministry_approved without bureau_verified"],
        "no_approval": ["certificate_issued without ministry_approved"],
    }
    assert all((l.unit, l.figure, l.clause) == (FLAG, 1, "002/TL §第六条") for l in breached.values())
    # the other reading: a same-day approval is not shown to be in order
    strict = of_kind(
        sheet("2026-03", cases[4:], RailwayPlugin({"same_day_in_order": False})), "approval_path_breach"
    )
    assert set(strict) == {"same_day"}


def test_an_approval_of_a_customer_failing_a_condition_is_a_finding():
    cases = [
        # 999,999 t and 5,000,000 yuan: condition 3 fails, yet the bureau verified it
        applied(
            "below",
            annual_tonnes=999999,
            annual_freight_yuan=5000000,
            steps={"bureau_verified": "2026-03-05"},
        ),
        applied("pending", annual_tonnes=999999, annual_freight_yuan=5000000),  # nothing approved yet
        # 999,999 t and no freight recorded: condition 3 is not known, so no finding either
        applied("open", annual_tonnes=999999, steps={"bureau_verified": "2026-03-05"}),
        applied("unknown", charter_accepted=None, steps={"bureau_verified": "2026-03-05"}),  # not known
    ]
    found = of_kind(sheet("2026-03", cases), "approved_unqualified")
    assert set(found) == {"below"}
    assert (found["below"].figure, found["below"].unit, found["below"].inputs["failed"]) == (1, FLAG, [3])
