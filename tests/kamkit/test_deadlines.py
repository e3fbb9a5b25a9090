"""kamkit.deadlines (docs/rules.md §10.2): working days by the line's calendar, steps before and
after, chained and fixed-date rules, as a case stood on a day. Every date by hand (2026)."""

from datetime import date

import pytest

from kamkit.deadlines import (
    DAYS,
    LATE,
    MET,
    MONTHS,
    NOT_STARTED,
    OPEN,
    OVERDUE,
    DeadlineRule,
    add_months,
    add_working_days,
    due_of,
    working_days_between,
)
from kamkit.facts import Calendar
from kamkit.work_records import Case

# Qingming: Mon 6 April 2026 a holiday; Sun 29 March worked instead (调休)
CAL = (Calendar(2026, holidays=(date(2026, 4, 6),), workdays=(date(2026, 3, 29),)),)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # Mon + 5: Tue..Fri, Mon
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Fri + 1: the weekend is skipped
        (date(2026, 3, 27), 1, date(2026, 3, 29)),  # Fri + 1: the Sunday worked
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # Fri + 1: Mon 6 April is a holiday
        (date(2026, 3, 9), -5, date(2026, 3, 2)),  # before: Mon - 5 working days
    ],
)
def test_working_days_by_the_calendar(start, n, due):
    assert add_working_days(start, n, CAL) == due


def test_working_days_between_count_after_the_first_day_up_to_the_last():
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 10), CAL) == 1
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9), CAL) == 1  # Sat, Sun not counted
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 9), CAL) == 0


def test_months_keep_the_day_or_take_the_month_s_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


REPLY = DeadlineRule("reply", "答复", "reply", "app", "opened", "replied", "reply_days", "X 1")
PARAMS = {"reply_days": 5, "valid_months": 12, "ask_days": 10, "submit_by": "12-10"}


def _case(**steps):
    return Case("c1", "app", "p1", date(2026, 3, 2), steps=steps)


@pytest.mark.parametrize(
    ("steps", "as_of", "state", "late"),
    [
        ({"replied": date(2026, 3, 9)}, date(2026, 3, 20), MET, 0),  # on the due day
        ({"replied": date(2026, 3, 10)}, date(2026, 3, 20), LATE, 1),  # a working day late
        ({}, date(2026, 3, 9), OPEN, 0),  # not done, due today: not yet late
        ({}, date(2026, 3, 12), OVERDUE, 3),  # Tue, Wed, Thu after Mon 9
        # done after the day looked from: as it stood that day, not done
        ({"replied": date(2026, 3, 20)}, date(2026, 3, 12), OVERDUE, 3),
    ],
)
def test_a_step_met_late_open_or_overdue_as_of_a_day(steps, as_of, state, late):
    due = due_of(REPLY, _case(**steps), rules=(REPLY,), params=PARAMS, calendars=CAL, as_of=as_of)
    assert (due.due, due.state, due.late) == (date(2026, 3, 9), state, late)


def test_a_chained_rule_reads_the_rule_it_starts_from_only_where_that_one_applies():
    expiry = DeadlineRule(
        "valid",
        "有效期",
        "valid until",
        "scheme",
        "issued",
        None,
        "valid_months",
        "X 2",
        unit=MONTHS,
        when={"voltage": "high"},
    )
    ask = DeadlineRule(
        "ask",
        "申请延期",
        "extension asked",
        "scheme",
        "rule:valid",
        "asked",
        "ask_days",
        "X 2",
        unit=DAYS,
        before=True,
    )
    high = Case(
        "s1",
        "scheme",
        "p1",
        date(2026, 1, 5),
        steps={"issued": date(2026, 1, 5)},
        attributes={"voltage": "high"},
    )
    low = Case(
        "s2",
        "scheme",
        "p1",
        date(2026, 1, 5),
        steps={"issued": date(2026, 1, 5)},
        attributes={"voltage": "low"},
    )
    rules = (expiry, ask)
    # high: valid to 5 January 2027; asked at the latest 10 days before, 26 December 2026
    got = due_of(ask, high, rules=rules, params=PARAMS, as_of=date(2026, 12, 1))
    assert (got.due, got.state) == (date(2026, 12, 26), OPEN)
    # low voltage: the expiry rule does not apply, so the extension has not started
    assert due_of(ask, low, rules=rules, params=PARAMS, as_of=date(2026, 12, 1)).state == NOT_STARTED


def test_a_fixed_date_rule_needs_a_whole_year():
    submit = DeadlineRule(
        "submit",
        "报运量",
        "volume submitted",
        "volume",
        "opened",
        "submitted",
        "",
        "X 3",
        unit=DAYS,
        fixed_param="submit_by",
        year_offset=-1,
    )

    def case(year):
        attributes = {} if year is None else {"year": year}
        return Case("v", "volume", "p1", date(2026, 11, 2), attributes=attributes)

    # the volume of 2027 is submitted by 10 December 2026
    assert due_of(submit, case(2027), rules=(submit,), params=PARAMS, as_of=date(2026, 12, 1)).due == date(
        2026, 12, 10
    )
    for bad in (None, "2027.5", "next", True):  # no year, or not a whole one: not started, not guessed
        assert (
            due_of(submit, case(bad), rules=(submit,), params=PARAMS, as_of=date(2026, 12, 1)).state
            == NOT_STARTED
        )
