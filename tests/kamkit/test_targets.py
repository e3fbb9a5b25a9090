"""The target in force (kamkit.targets; docs/rules.md §7; seed 001 第3、5、6条)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kamkit.errors import InvalidFacts
from kamkit.facts_schema import load_facts
from kamkit.periods import Month, Quarter
from kamkit.targets import CHANGE, LINE, NONE, PARTS, PERSON, TARGET, in_force, monthly_task, quarterly_target

Q1, Q2, Q3 = Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)
PEOPLE = [
    {"id": "am1", "role": "account_manager", "quarterly_target": "200000", "monthly_task": "20000"},
    {"id": "am2", "role": "account_manager"},
]


def facts(**records):
    return load_facts({"people": PEOPLE, **records})


def change(cid, period, amount, status="approved", **kw):
    decided = {"decided_by": "boss", "decided_at": "2026-02-10T09:00:00"} if status != "pending" else {}
    return {
        "id": cid,
        "person": "am1",
        "period": period,
        "amount": amount,
        "reason": "a big customer moved to another branch",
        "requested_by": "lin",
        "status": status,
        **decided,
        **kw,
    }


def test_the_person_field_is_the_initial_target_then_the_lines_default():
    f = facts()
    am1, am2 = f.person("am1"), f.person("am2")
    # no target record: am1's own quarterly_target (200,000) stands
    t = quarterly_target(f, am1, Q1, default=Decimal(150000))
    assert (t.amount, t.source) == (Decimal(200000), PERSON)
    # am2 has none: the line's default (150,000); without a default, nothing
    assert quarterly_target(f, am2, Q1, default=Decimal(150000)).source == LINE
    assert (quarterly_target(f, am2, Q1).amount, quarterly_target(f, am2, Q1).source) == (None, NONE)


def test_a_target_stays_in_force_for_later_periods_of_its_length_until_another():
    f = facts(
        targets=[
            {"id": "t1", "person": "am1", "period": "2026-Q1", "amount": "300000", "set_by": "boss"},
            {"id": "t3", "person": "am1", "period": "2026-Q3", "amount": "350000", "set_by": "boss"},
        ]
    )
    am1 = f.person("am1")
    # Q1: t1 (300,000) over the person field's 200,000; Q2: still t1; Q3: t3
    assert quarterly_target(f, am1, Q1).amount == Decimal(300000)
    q2 = quarterly_target(f, am1, Q2)
    assert (q2.amount, q2.source, q2.entry.id) == (Decimal(300000), TARGET, "t1")
    assert quarterly_target(f, am1, Q3).entry.id == "t3"
    # 2025-Q4, before t1: the person field again
    assert quarterly_target(f, am1, Quarter(2025, 4)).source == PERSON
    # a quarterly target is not a month's task: the month still reads monthly_task (20,000)
    assert monthly_task(f, am1, Month(2026, 2)).amount == Decimal(20000)


def test_only_an_approved_change_replaces_the_target():
    target = {"id": "t1", "person": "am1", "period": "2026-Q1", "amount": "300000", "set_by": "boss"}
    # pending and rejected changes: the target set stands (第6条: 否则按正常目标考核)
    for status in ("pending", "rejected"):
        f = facts(targets=[target], target_changes=[change("c1", "2026-Q1", "250000", status)])
        assert quarterly_target(f, f.person("am1"), Q1).amount == Decimal(300000)
    # approved from Q1: 250,000 in Q1 and after, naming who asked, why and who approved
    f = facts(targets=[target], target_changes=[change("c1", "2026-Q1", "250000")])
    t = quarterly_target(f, f.person("am1"), Q2)
    assert (t.amount, t.source) == (Decimal(250000), CHANGE)
    shown = t.inputs()
    assert shown["requested_by"] == "lin" and shown["approved_by"] == "boss" and shown["from"] == "2026-Q1"
    # approved from Q2: Q1 keeps 300,000
    f = facts(targets=[target], target_changes=[change("c1", "2026-Q2", "250000")])
    assert quarterly_target(f, f.person("am1"), Q1).amount == Decimal(300000)
    assert quarterly_target(f, f.person("am1"), Q2).amount == Decimal(250000)


def test_targets_by_region_and_product_add_up_without_a_whole_one():
    parts = [
        {"id": "tn", "person": "am1", "period": "2026", "amount": "600000", "region": "north"},
        {"id": "ts", "person": "am1", "period": "2026", "amount": "400000", "region": "south"},
    ]
    f = facts(targets=parts)
    # the year: north 600,000 + south 400,000 = 1,000,000
    t = in_force(f, "am1", 2026)
    assert (t.amount, t.source, [p.id for p in t.parts]) == (Decimal(1000000), PARTS, ["tn", "ts"])
    # a whole target for the year is the figure; the parts are shown beside it
    whole = {"id": "tw", "person": "am1", "period": "2026", "amount": "900000"}
    t = in_force(facts(targets=[*parts, whole]), "am1", 2026)
    assert (t.amount, t.entry.id, len(t.parts)) == (Decimal(900000), "tw", 2)


def test_the_departments_target_is_its_own():
    f = facts(targets=[{"id": "td", "period": "2026-Q1", "amount": "5000000"}])
    assert in_force(f, None, Q1).amount == Decimal(5000000)
    assert in_force(f, "am2", Q1).source == NONE


def test_a_decided_change_names_its_decider_and_a_pending_one_none():
    with pytest.raises(InvalidFacts, match="decided_by"):
        facts(target_changes=[{**change("c1", "2026-Q1", "1"), "decided_by": None}])
    with pytest.raises(InvalidFacts, match="no decision yet"):
        facts(target_changes=[{**change("c1", "2026-Q1", "1", "pending"), "decided_by": "boss"}])
    with pytest.raises(InvalidFacts, match="unknown id 'ghost'"):
        facts(targets=[{"id": "t", "person": "ghost", "period": "2026-Q1", "amount": "1"}])
    with pytest.raises(InvalidFacts, match="period"):
        facts(targets=[{"id": "t", "person": "am1", "period": "2026-Q5", "amount": "1"}])
