"""Warnings before a breach (kamkit.warnings, docs/rules.md §8), each worked by hand on both sides
of its threshold."""

from datetime import date, datetime

from kamkit import warnings as W
from kamkit.facts import Calendar


def test_a_follow_up_is_warned_within_the_days_before_it_falls_due_and_not_on_the_day():
    # o1's first overdue day is 2026-03-16; warn_days_before 2: warned on the 14th (2 days
    # left) and the 15th (1 day left); not on the 13th (3 left) nor the 16th (due: escalation's)
    o1 = W.Open("o1", "am1", date(2026, 3, 16))
    days_left = {
        d: [w.inputs["days_left"] for w in W.follow_ups([o1], date(2026, 3, d), 2)] for d in range(13, 17)
    }
    assert days_left == {13: [], 14: [2], 15: [1], 16: []}
    (warned,) = W.follow_ups([o1], date(2026, 3, 14), 2)
    assert (warned.person, warned.due, warned.dedup, warned.clause) == (
        "am1",
        date(2026, 3, 16),
        "follow_up:o1:2026-03-16",
        "rules §1.3",
    )
    # the same due day warned on the 15th is the same warning (told once)
    assert W.follow_ups([o1], date(2026, 3, 15), 2)[0].dedup == warned.dedup
    # no owner, no cadence, or warnings off: nothing
    assert W.follow_ups([W.Open("o2", None, date(2026, 3, 16))], date(2026, 3, 15), 2) == []
    assert W.follow_ups([W.Open("o3", "am1", None)], date(2026, 3, 15), 2) == []
    assert W.follow_ups([o1], date(2026, 3, 15), 0) == []


def test_a_visit_plan_is_warned_before_the_months_last_working_day_by_the_calendar():
    # April 2026 ends on Thursday the 30th; with 1 May a holiday it is still the 30th. am1 has
    # March's and April's plans, not May's: warned from the 28th (2 days left) to the 30th (0)
    planned = {"am1": ["2026-03", "2026-04"], "am2": ["2026-04", "2026-05"], "am3": ["2026-06"]}
    assert [w.person for w in W.visit_plans(planned, date(2026, 4, 27), 2)] == []  # 3 days left
    (am1,) = W.visit_plans(planned, date(2026, 4, 28), 2)
    assert (am1.person, am1.key, am1.due, am1.inputs["days_left"]) == ("am1", "2026-05", date(2026, 4, 30), 2)
    assert [w.person for w in W.visit_plans(planned, date(2026, 4, 30), 2)] == ["am1"]  # the day itself
    # am2 has May's already; am3 plans only from June: neither is warned
    # a holiday on the last weekday moves the due day: 30 April a holiday -> Wednesday the 29th,
    # so the 30th is past it (no warning) and the 27th is 2 days before (warned)
    holiday = [Calendar(2026, holidays=(date(2026, 4, 30),))]
    assert W.visit_plans(planned, date(2026, 4, 30), 2, holiday) == []
    (early,) = W.visit_plans(planned, date(2026, 4, 27), 2, holiday)
    assert early.due == date(2026, 4, 29)
    # a Saturday worked (调休) as the month's last working day: 31 Jan 2026 is a Saturday
    worked = [Calendar(2026, workdays=(date(2026, 1, 31),))]
    (saturday,) = W.visit_plans({"am1": ["2026-01"]}, date(2026, 1, 30), 2, worked)
    assert saturday.due == date(2026, 1, 31) and saturday.inputs["days_left"] == 1


def test_a_decision_waiting_longer_than_the_wait_is_warned_once():
    # c1 asked 2026-03-02 10:00, approval_wait_days 3: passed at 2026-03-05 10:00
    c1 = W.Waiting("target_change", "c1", "am1", datetime(2026, 3, 2, 10, 0))
    assert W.decisions([c1], datetime(2026, 3, 5, 9, 59), 3) == []
    (late,) = W.decisions([c1], datetime(2026, 3, 5, 10, 0), 3)
    assert (late.key, late.due, late.clause, late.dedup) == (
        "c1",
        date(2026, 3, 5),
        "001 第6条",
        "target_change:c1:2026-03-02T10:00:00",
    )
    plan = W.Waiting("development_plan", "d1", "am2", datetime(2026, 3, 1))
    assert [w.clause for w in W.decisions([plan], datetime(2026, 3, 9), 3)] == ["001 §1.1 权力1"]
    assert W.decisions([c1, plan], datetime(2026, 4, 1), 0) == []  # waits are not warned of
