"""Power-supply plugin, clause by clause (docs/rules.md §14; 002/DL = 电力大客户用电管理制度), every
date worked out by hand in the comments. 2026-03-02 is a Monday; with no calendar the working days are
Monday to Friday."""

from datetime import date
from decimal import Decimal as D

import pytest

from kamkit.conformance import check_plugin
from kamkit.errors import ConfigError
from kamkit.explain import FLAG, INFO, POINTS
from kamkit.facts_schema import load_facts
from plugins.power_supply import PowerSupplyPlugin

P = PowerSupplyPlugin()
PEOPLE = [
    {"id": "li", "role": "supply_clerk"},
    {"id": "wang", "role": "connection_officer"},
    {"id": "zhao", "role": "metering"},
    {"id": "chen", "role": "manager"},
]
# a holiday week: 9-13 March 2026
HOLIDAY_WEEK = [{"year": 2026, "holidays": [f"2026-03-{d:02d}" for d in range(9, 14)]}]


def case(id_, kind, opened, person="li", steps=None, **attributes):
    return {
        "id": id_,
        "kind": kind,
        "person": person,
        "opened": opened,
        "steps": steps or {},
        "attributes": attributes,
    }


def application(id_, opened="2026-03-02", voltage="high", supply="single", **steps):
    return case(id_, "supply_application", opened, voltage=voltage, supply=supply, steps=steps)


def scheme(id_, issued, voltage="high", person="wang", extended_months=None, **steps):
    extra = {} if extended_months is None else {"extended_months": extended_months}
    return case(id_, "supply_scheme", issued, person, {"issued": issued, **steps}, voltage=voltage, **extra)


def ticket(id_, installed, **steps):
    return case(id_, "meter_ticket", installed, "zhao", {"installed": installed, **steps})


def facts(month, cases, calendars=()):
    return load_facts({"month": month, "people": PEOPLE, "cases": cases, "calendars": list(calendars)})


def sheet(month, cases, plugin=P, calendars=()):
    return plugin.assess_month(facts(month, cases, calendars)).lines


def deadlines(lines, rule):
    """{case: (figure, state, due, late)} of the deadline lines of one rule."""
    return {
        l.inputs["case"]: (l.figure, l.inputs["state"], str(l.inputs["due"]), l.inputs["late"])
        for l in lines
        if l.kind == "deadline" and l.inputs["rule"] == rule
    }


def of_kind(lines, kind):
    return {l.inputs.get("case", l.person): l for l in lines if l.kind == kind}


# --- the contract, roles and ladder (rules §14.1, 002/DL §第二节2) ------------------------------


def test_the_plugin_keeps_the_contract():
    assert check_plugin(PowerSupplyPlugin) == []


def test_roles_ladder_and_one_tier_without_cadence():
    assert (P.key, P.version) == ("power-supply", "1")
    # 第二节2: the 供电所 业扩员 passes the application to the 客户服务中心业扩专责; marketing above them
    assert P.ladder == ("supply_clerk", "connection_officer", "marketing", "manager")
    assert P.roles["connection_officer"].zh == "客户服务中心业扩专责"
    assert "metering" in P.roles and "metering" not in P.ladder
    o = load_facts({"opportunities": [{"id": "o", "amount": 900000, "discovered": "2026-03-01"}]})
    c = P.classify(o.opportunities[0])
    assert (c.tier, c.owner_role, c.confirming_role, c.follow_up_days, c.in_bulletin, c.clause) == (
        "connection",
        "supply_clerk",
        None,
        None,
        False,
        "rules §14.1",
    )
    # each rule names who owes its step; the customer asks for an extension (no role)
    owners = {r.key: r.owner_role for r in P.sheet_rules}
    assert owners == {
        "passed_on": "supply_clerk",
        "reply_single": "connection_officer",
        "reply_dual": "connection_officer",
        "validity_high": None,
        "extension_high": None,
        "validity_low": None,
        "extension_low": None,
        "ticket_returned": "metering",
    }


def test_escalation_climbs_the_supply_ladder():
    # follow_up_days 7, one rung a week: the clerk's opportunity reaches the connection officer on
    # day 7, marketing on day 14, the manager on day 21, and stops at the top
    assert P.escalation_role("supply_clerk", 6) == []
    assert P.escalation_role("supply_clerk", 7) == [(1, "connection_officer")]
    assert P.escalation_role("supply_clerk", 28) == [
        (1, "connection_officer"),
        (2, "marketing"),
        (3, "manager"),
    ]
    assert P.escalation_role("metering", 30) == []  # beside the ladder


def test_escalation_watches_the_deadlines_owed_and_a_late_ticket_climbs_from_the_clerks_rung():
    # the extensions are watched only when owed without a request (an asked one is done)
    assert [r.key for r in P.deadlines] == [
        "passed_on",
        "reply_single",
        "reply_dual",
        "validity_high",
        "validity_low",
        "ticket_returned",
    ]
    owed = PowerSupplyPlugin({"extension_due_without_request": True})
    assert {"extension_high", "extension_low"} <= {r.key for r in owed.deadlines}
    # a deadline climbs a rung the day after it falls due and one more every 7 days; the metering
    # office is beside the ladder, so its ticket climbs as the clerk's would: day 1 the connection
    # officer, day 8 marketing, day 15 the manager
    assert P.deadline_rungs("metering", 0) == []
    assert P.deadline_rungs("metering", 1) == [(1, "connection_officer")]
    assert P.deadline_rungs("metering", 8) == [(1, "connection_officer"), (2, "marketing")]
    assert P.deadline_rungs("connection_officer", 8) == [(1, "marketing"), (2, "manager")]


# --- passed on within 5 working days (002/DL §第二节4) ------------------------------------------


def test_passed_on_within_5_working_days_on_both_sides():
    lines = sheet(
        "2026-03",
        [
            application("a1", passed_on="2026-03-09"),
            application("a2", passed_on="2026-03-10"),
            application("a3"),
        ],
    )
    # accepted Mon 03-02, the day itself not counted: 03-03, 04, 05, 06, 09 -> due Mon 03-09
    # a1 on the due day: met (1); a2 one working day later: late by 1 (0)
    # a3 never passed on: missed, late counted to 04-01, the first day after March:
    #    03-10..13 (4), 16..20 (9), 23..27 (14), 30, 31, 04-01 (17)
    assert deadlines(lines, "passed_on") == {
        "a1": (1, "met", "2026-03-09", 0),
        "a2": (0, "late", "2026-03-09", 1),
        "a3": (0, "overdue", "2026-03-09", 17),
    }
    a2 = next(l for l in lines if l.kind == "deadline" and l.inputs["case"] == "a2")
    assert (a2.person, a2.role, a2.unit, a2.clause) == ("li", "supply_clerk", INFO, "002/DL §第二节4")
    assert "逾期 1 个工作日" in a2.reason_zh and "1 working day late" in a2.reason_en
    # an override: 6 working days -> due Tue 03-10, a2 is on time
    assert deadlines(
        sheet("2026-03", [application("a2", passed_on="2026-03-10")], PowerSupplyPlugin({"pass_on_days": 6})),
        "passed_on",
    ) == {"a2": (1, "met", "2026-03-10", 0)}


# --- reply with the scheme: 20 / 30 working days (002/DL §第二节4) ------------------------------


def test_high_voltage_single_source_reply_in_20_working_days_with_a_holiday_week():
    cases = [application("s1", replied="2026-04-06"), application("s2", replied="2026-04-07")]
    # accepted Mon 03-02; 9-13 March is a holiday week: 03-03..06 (4), 16..20 (9), 23..27 (14),
    # 30, 31, 04-01, 02, 03 (19), Mon 04-06 (20) -> due 04-06: s1 met, s2 one working day late
    april = sheet("2026-04", cases, calendars=HOLIDAY_WEEK)
    assert deadlines(april, "reply_single") == {
        "s1": (1, "met", "2026-04-06", 0),
        "s2": (0, "late", "2026-04-06", 1),
    }
    # without the holiday week: 4 weeks of 5 -> due Mon 03-30, in March; as March stood at its end
    # neither had replied: missed, late to 04-01 = 03-31, 04-01 = 2 working days
    march = sheet("2026-03", cases)
    assert deadlines(march, "reply_single") == {
        "s1": (0, "overdue", "2026-03-30", 2),
        "s2": (0, "overdue", "2026-03-30", 2),
    }
    assert deadlines(sheet("2026-04", cases), "reply_single") == {}  # stated once, in March
    # passing on, with the holiday week: 03-03..06 (4), Mon 03-16 (5); never passed on: late to 04-01
    # = 03-17..20 (4), 23..27 (9), 30, 31, 04-01 (12)
    assert deadlines(sheet("2026-03", cases, calendars=HOLIDAY_WEEK), "passed_on") == {
        "s1": (0, "overdue", "2026-03-16", 12),
        "s2": (0, "overdue", "2026-03-16", 12),
    }


def test_dual_source_reply_in_30_working_days_read_from_3O():
    cases = [
        application("d1", supply="dual", replied="2026-04-13"),
        application("d2", supply="dual", replied="2026-04-14"),
    ]
    # 30 working days after Mon 03-02 = 6 weeks -> Mon 04-13: d1 met, d2 late by 1
    assert deadlines(sheet("2026-04", cases), "reply_dual") == {
        "d1": (1, "met", "2026-04-13", 0),
        "d2": (0, "late", "2026-04-13", 1),
    }
    assert deadlines(sheet("2026-04", cases), "reply_single") == {}
    # reply_days_dual is a reading; 20 instead -> due 03-30 in March, neither replied by then
    plugin = PowerSupplyPlugin({"reply_days_dual": 20})
    assert deadlines(sheet("2026-03", cases, plugin), "reply_dual") == {
        "d1": (0, "overdue", "2026-03-30", 2),
        "d2": (0, "overdue", "2026-03-30", 2),
    }
    assert next(p for p in P.parameters if p.name == "reply_days_dual").basis == "reading"


def test_low_voltage_applications_have_no_reply_deadline():
    cases = [
        application("l1", voltage="low", passed_on="2026-03-03"),
        application("l2", voltage="low", supply="dual"),
    ]
    lines = sheet("2026-03", cases)
    # no reply deadline for either; passed-on binds every application (due 03-09)
    assert {l.inputs["rule"] for l in lines if l.kind == "deadline"} == {"passed_on"}
    stated = of_kind(lines, "no_deadline")
    assert set(stated) == {"l1", "l2"} and all(l.figure is None and l.unit == INFO for l in stated.values())
    # stated once, in the month the application was accepted
    assert of_kind(sheet("2026-04", cases), "no_deadline") == {}
    # the other reading: 双电源 on its own -> l2 answered within 30 working days, due Mon 04-13;
    # never replied: late to 05-01 = 04-14..17 (4), 20..24 (9), 27..30 (13), Fri 05-01 (14)
    plugin = PowerSupplyPlugin({"dual_reply_low_voltage": True})
    assert deadlines(sheet("2026-04", cases, plugin), "reply_dual_low") == {
        "l2": (0, "overdue", "2026-04-13", 14)
    }
    assert set(of_kind(sheet("2026-03", cases, plugin), "no_deadline")) == {"l1"}


def test_an_attribute_the_rules_cannot_read_is_stated_not_guessed():
    cases = [
        application("u1", voltage="High"),
        case("u2", "supply_scheme", "2026-03-05", "wang", {"issued": "2026-03-05"}),
    ]
    lines = sheet("2026-03", cases)
    # "High" is no voltage the rules know: no reply deadline is applied, and the sheet says why
    assert {l.inputs["rule"] for l in lines if l.kind == "deadline"} == {"passed_on"}
    unreadable = of_kind(lines, "case_unreadable")
    assert unreadable["u1"].inputs["unreadable"] == ["voltage"]
    assert unreadable["u2"].inputs["unreadable"] == ["voltage"] and unreadable["u2"].figure is None


# --- scheme validity and extension (002/DL §第二节4) ---------------------------------------------


def test_a_high_voltage_scheme_is_valid_one_year_a_low_voltage_one_three_months():
    cases = [
        scheme("h1", "2026-03-02", works_started="2027-03-02"),
        scheme("h2", "2026-03-02", works_started="2027-03-03"),
        scheme("h3", "2026-03-02"),
    ]
    lines = of_kind(sheet("2027-03", cases), "scheme_validity")
    # 2026-03-02 + 12 months = 2027-03-02: h1 started that day (1); h2 a day after (0); h3 never (0)
    assert {k: (l.figure, str(l.inputs["valid_until"])) for k, l in lines.items()} == {
        "h1": (1, "2027-03-02"),
        "h2": (0, "2027-03-02"),
        "h3": (0, "2027-03-02"),
    }
    assert of_kind(sheet("2027-02", cases), "scheme_validity") == {}
    low = [
        scheme("w1", "2026-01-31", voltage="low", works_started="2026-04-30"),
        scheme("w2", "2026-01-31", voltage="low", works_started="2026-05-01"),
    ]
    # 2026-01-31 + 3 months: April has no 31st -> 04-30; w1 started then (1), w2 on 05-01, after
    # April's end: as April stood, not started (0)
    lines = of_kind(sheet("2026-04", low), "scheme_validity")
    assert {k: (l.figure, str(l.inputs["valid_until"])) for k, l in lines.items()} == {
        "w1": (1, "2026-04-30"),
        "w2": (0, "2026-04-30"),
    }
    # validity_months_high overridden to 6: 2026-09-02
    six = of_kind(sheet("2026-09", cases, PowerSupplyPlugin({"validity_months_high": 6})), "scheme_validity")
    assert {str(l.inputs["valid_until"]) for l in six.values()} == {"2026-09-02"}


def test_an_extension_is_asked_no_later_than_10_days_before_expiry():
    cases = [
        scheme("e1", "2026-03-02", extension_asked="2027-02-20"),
        scheme("e2", "2026-03-02", extension_asked="2027-02-21"),
        scheme("e3", "2026-03-02"),
        scheme("e4", "2026-03-02", works_started="2027-02-20"),
    ]
    # expiry 2027-03-02; 10 calendar days before -> 2027-02-20: e1 on the day (met), e2 a day late.
    # e3 and e4 asked nothing: a customer asks only when it needs longer -> no deadline stated
    assert deadlines(sheet("2027-02", cases), "extension_high") == {
        "e1": (1, "met", "2027-02-20", 0),
        "e2": (0, "late", "2027-02-20", 1),
    }
    # the other reading: owed unless the works started by 02-20; e3 not started -> missed, late to
    # 03-01 (February 2027 has 28 days): 9 days; e4 started 02-20 -> not owed
    plugin = PowerSupplyPlugin({"extension_due_without_request": True})
    assert deadlines(sheet("2027-02", cases, plugin), "extension_high") == {
        "e1": (1, "met", "2027-02-20", 0),
        "e2": (0, "late", "2027-02-20", 1),
        "e3": (0, "overdue", "2027-02-20", 9),
    }
    # counted in working days: 10 before Tue 2027-03-02 = 03-01, 02-26, 25, 24, 23, 22, 19, 18, 17,
    # 16 -> Tue 02-16; e1 asked on Sat 02-20: late by the working days 02-17, 18, 19 = 3
    working = PowerSupplyPlugin({"extension_day_unit": "working_days"})
    assert deadlines(sheet("2027-02", cases[:1], working), "extension_high") == {
        "e1": (0, "late", "2027-02-16", 3)
    }
    low = [
        scheme("f1", "2026-01-31", voltage="low", extension_asked="2026-04-20"),
        scheme("f2", "2026-01-31", voltage="low", extension_asked="2026-04-21"),
    ]
    # low voltage: expiry 04-30, last day to ask 04-20
    assert deadlines(sheet("2026-04", low), "extension_low") == {
        "f1": (1, "met", "2026-04-20", 0),
        "f2": (0, "late", "2026-04-20", 1),
    }


def test_an_extension_may_not_exceed_one_validity_period():
    cases = [
        scheme("x1", "2026-03-02", extended_months=12, extension_asked="2027-02-10"),
        scheme("x2", "2026-03-02", extended_months=13, extension_asked="2027-02-10"),
        scheme("x3", "2026-03-02", voltage="low", extended_months=3, extension_asked="2026-05-20"),
        scheme("x4", "2026-03-02", voltage="low", extended_months=4, extension_asked="2026-05-20"),
    ]
    feb = of_kind(sheet("2027-02", cases), "extension_too_long")
    # high voltage: one period = 12 months; 12 is allowed, 13 is not
    assert set(feb) == {"x2"} and (feb["x2"].figure, feb["x2"].unit) == (1, FLAG)
    # low voltage: 3 months; 4 is not (stated in May, when it was asked)
    assert set(of_kind(sheet("2026-05", cases), "extension_too_long")) == {"x4"}
    assert (
        of_kind(
            sheet("2027-02", cases, PowerSupplyPlugin({"extension_max_periods": 2})), "extension_too_long"
        )
        == {}
    )


# --- the meter-installation ticket (002/DL §第二节11) ---------------------------------------------


def test_the_meter_ticket_is_returned_within_5_days():
    cases = [
        ticket("t1", "2026-03-26", returned="2026-03-31"),
        ticket("t2", "2026-03-26", returned="2026-04-01"),
        ticket("t3", "2026-03-26"),
    ]
    # installed Thu 03-26 + 5 calendar days = Tue 03-31, March's last day. t1 met; t2 returned on
    # 04-01 and t3 never: as March stood at its end, missed, 1 day late (to 04-01)
    lines = sheet("2026-03", cases)
    assert deadlines(lines, "ticket_returned") == {
        "t1": (1, "met", "2026-03-31", 0),
        "t2": (0, "overdue", "2026-03-31", 1),
        "t3": (0, "overdue", "2026-03-31", 1),
    }
    t3 = next(l for l in lines if l.kind == "deadline" and l.inputs["case"] == "t3")
    assert (t3.person, t3.role, t3.clause) == ("zhao", "metering", "002/DL §第二节11")
    assert "未完成" in t3.reason_zh and "逾期 1 天" in t3.reason_zh and "not done" in t3.reason_en
    # the other reading, working days: 03-27, 30, 31, 04-01, 04-02 -> Thu 04-02; t2 on time; t3
    # never: working days after 04-02 through Fri 05-01: 04-03 (1), 06..10 (6), 13..17 (11),
    # 20..24 (16), 27..30 (20), 05-01 (21)
    working = PowerSupplyPlugin({"ticket_day_unit": "working_days"})
    assert deadlines(sheet("2026-04", cases, working), "ticket_returned") == {
        "t1": (1, "met", "2026-04-02", 0),
        "t2": (1, "met", "2026-04-02", 0),
        "t3": (0, "overdue", "2026-04-02", 21),
    }


@pytest.mark.parametrize(
    "override",
    [
        {"ticket_day_unit": "months"},  # only days or working_days
        {"extension_day_unit": "weeks"},
        {"validity_months_high": 0},  # a scheme valid for no month
        {"extension_max_periods": 0},
        {"reply_days_single": 0},  # days are at least 1
    ],
)
def test_a_unit_other_than_days_or_working_days_is_refused(override):
    with pytest.raises(ConfigError) as raised:
        PowerSupplyPlugin(override)
    assert raised.value.errors[0]["field"] == next(iter(override))


# --- the sheet: points, summary, as of the month's end (rules §14.5) -----------------------------


def test_a_missed_deadline_is_stated_not_docked_unless_points_are_set():
    cases = [application("a1", passed_on="2026-03-09"), application("a2", passed_on="2026-03-10")]
    default = deadlines(sheet("2026-03", cases), "passed_on")
    assert default["a2"][0] == 0 and all(l.unit != POINTS for l in sheet("2026-03", cases))
    docked = sheet("2026-03", cases, PowerSupplyPlugin({"missed_deadline_points": 2}))
    # a2 late: -2 points; a1 met: still the INFO 1
    by_case = {
        l.inputs["case"]: l for l in docked if l.kind == "deadline" and l.inputs["rule"] == "passed_on"
    }
    assert (by_case["a2"].figure, by_case["a2"].unit, by_case["a2"].inputs["points"]) == (-2, POINTS, 2)
    assert (by_case["a1"].figure, by_case["a1"].unit) == (1, INFO)


def test_each_handler_has_deadlines_met_of_those_that_fell_due():
    cases = [
        application("a1", passed_on="2026-03-09", replied="2026-03-20"),
        application("a2", passed_on="2026-03-10", replied="2026-03-30"),
        ticket("t1", "2026-04-01"),  # zhao's only case falls due in April
        scheme("s1", "2026-03-02"),  # wang's scheme: nothing falls due in March
    ]
    summary = of_kind(sheet("2026-03", cases), "deadlines_met")
    # li: passed_on a1 met, a2 late; reply_single (due 03-30) a1 met, a2 met -> 3 of 4 = 0.75
    assert summary["li"].figure == D(3) / D(4) and summary["li"].inputs["fell_due"] == 4
    # zhao and wang: none fell due -> not applicable (no figure, never 0%); chen handles no case
    assert summary["zhao"].figure is None and summary["wang"].figure is None
    assert "chen" not in summary and summary["li"].clause == "rules §14.5"
    # with no case at all, each person owing steps (clerk, connection officer, metering) is shown
    # as not applicable; the manager is not
    empty = of_kind(sheet("2026-03", []), "deadlines_met")
    assert {k: l.figure for k, l in empty.items()} == {"li": None, "wang": None, "zhao": None}


def test_a_closed_month_says_the_same_after_later_steps_are_recorded():
    before = sheet("2026-03", [ticket("t1", "2026-03-26")])
    after = sheet("2026-03", [ticket("t1", "2026-03-26", returned="2026-04-03")])
    assert [l.to_dict() for l in before] == [l.to_dict() for l in after]


def test_open_deadlines_are_what_escalation_watches():
    f = facts(
        "2026-03",
        [
            application("a1", passed_on="2026-03-04"),
            scheme("s1", "2026-03-02"),
            ticket("t1", "2026-03-26"),
        ],
    )
    found = {(d.case.id, d.rule.key, d.state) for d in P.open_deadlines(f, date(2026, 4, 2))}
    # a1: passed on; its reply (due 03-30) overdue. s1: no extension asked -> nothing owed yet.
    # t1: due 03-31, overdue
    assert found == {("a1", "reply_single", "overdue"), ("t1", "ticket_returned", "overdue")}


def test_no_pay():
    f = load_facts({"quarter": "2026-Q1", "people": PEOPLE})
    result = P.commission_quarter(f)
    assert (list(result.lines), dict(result.carried)) == ([], {})
