"""The fixed parts of the assistant's month (002/ZL 二 and its 备注; docs/rules.md §16.2): base pay,
lunch by the day, full attendance, and — after a year of service — seniority pay and the pension
subsidy. Days come from the month's attendance record, service from the person's start_date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from kamkit.activity import working
from kamkit.deadlines import add_months
from kamkit.explain import Line
from kamkit.facts import Facts, Person
from kamkit.periods import Month

from .clauses import NOTE, PAY, RECORDS
from .lines import not_applicable, not_configured, paid
from .params import FIRST_DAY, WORKED
from .wording import yuan

ZERO = Decimal(0)


@dataclass(frozen=True)
class Days:
    """A person's month as attendance counts it."""

    working: int  # the month's working days for the person
    working_from: str  # "record" (the attendance record's working_days) | "calendar"
    absences: int | None  # days absent without leave; None: no attendance record
    late_arrivals: int | None

    @property
    def recorded(self) -> bool:
        return self.absences is not None

    @property
    def worked(self) -> int | None:
        """Working days less absences (never below 0); None without a record."""
        return None if self.absences is None else max(self.working - self.absences, 0)


def calendar_working_days(facts: Facts, person: Person, month: Month) -> int:
    """Working days of the month by the line's calendars (Monday to Friday, holidays and 调休), from
    the person's start_date when they joined during the month [default]."""
    day = month.first_day
    if person.start_date is not None and person.start_date > day:
        day = person.start_date
    count = 0
    while day <= month.last_day:
        count += working(day, facts.calendars)
        day += timedelta(days=1)
    return count


def days_of(facts: Facts, person: Person, month: Month) -> Days:
    """The month's attendance: records of one person and month are added up, as the kit's
    scorecard does (kamkit/scorecard.py); the first working_days a record gives counts, else the
    calendar's."""
    rows = [a for a in facts.attendance if a.person == person.id and a.month == month]
    given = next((a.working_days for a in rows if a.working_days is not None), None)
    working_days = given if given is not None else calendar_working_days(facts, person, month)
    return Days(
        working=working_days,
        working_from="record" if given is not None else "calendar",
        absences=sum(a.absences for a in rows) if rows else None,
        late_arrivals=sum(a.late_arrivals for a in rows) if rows else None,
    )


def years_served(start: date, day: date) -> int:
    """Whole years of service completed on ``day`` (a start on 29 February completes its year on
    28 February)."""
    years = 0
    while add_months(start, 12 * (years + 1)) <= day:
        years += 1
    return years


def base_line(person: Person, month: Month, p) -> Line:
    pay = p["base_pay"]
    return paid(
        person,
        month,
        "base_pay",
        PAY,
        pay,
        (f"基本薪 {yuan(pay)} 元", f"base pay {yuan(pay)}"),
        {"base_pay": pay},
    )


def lunch_line(person: Person, month: Month, days: Days, p) -> Line:
    rate = p["lunch_per_day"]
    if p["lunch_days"] == WORKED:
        if not days.recorded:
            return not_applicable(
                person,
                month,
                "lunch_allowance",
                RECORDS,
                (
                    "午餐补助：本月无考勤记录，出勤天数未知",
                    "lunch allowance: no attendance record, days worked unknown",
                ),
                {"lunch_days": WORKED},
            )
        count = days.worked
        said = (
            f"午餐补助：出勤 {count} 天（应出勤 {days.working} 天 − 缺勤 {days.absences} 天）"
            f"× {yuan(rate)} 元 = {yuan(count * rate)} 元",
            f"lunch allowance: {count} days worked ({days.working} working days - {days.absences} absent) "
            f"x {yuan(rate)} = {yuan(count * rate)}",
        )
    else:
        count = days.working
        said = (
            f"午餐补助：应出勤 {count} 天 × {yuan(rate)} 元 = {yuan(count * rate)} 元",
            f"lunch allowance: {count} working days x {yuan(rate)} = {yuan(count * rate)}",
        )
    return paid(
        person,
        month,
        "lunch_allowance",
        PAY,
        count * rate,
        said,
        {
            "lunch_days": p["lunch_days"],
            "days": count,
            "working_days": days.working,
            "working_days_from": days.working_from,
            "absences": days.absences,
            "per_day": rate,
        },
    )


def full_attendance_line(person: Person, month: Month, days: Days, p) -> Line:
    if not days.recorded:
        return not_applicable(
            person,
            month,
            "full_attendance",
            RECORDS,
            ("满勤奖：本月无考勤记录", "full attendance: no attendance record for the month"),
            {},
        )
    allowed = p["full_attendance_max_late"]
    full = days.absences == 0 and days.late_arrivals <= allowed
    pay = p["full_attendance_pay"] if full else ZERO
    counts_zh = f"缺勤 {days.absences} 天、迟到 {days.late_arrivals} 次（允许迟到 {allowed} 次）"
    counts_en = f"{days.absences} days absent, {days.late_arrivals} late arrivals ({allowed} allowed)"
    said = (
        (f"满勤奖 {yuan(pay)} 元：{counts_zh}", f"full attendance {yuan(pay)}: {counts_en}")
        if full
        else (f"未满勤，无满勤奖：{counts_zh}", f"not full attendance, no bonus: {counts_en}")
    )
    return paid(
        person,
        month,
        "full_attendance",
        PAY,
        pay,
        said,
        {
            "absences": days.absences,
            "late_arrivals": days.late_arrivals,
            "late_allowed": allowed,
            "full_attendance_pay": p["full_attendance_pay"],
        },
    )


@dataclass(frozen=True)
class Service:
    """A person's service on the day a month is judged by (service_counted_on)."""

    start: date
    on: date
    years: int
    required: int

    @property
    def enough(self) -> bool:
        return self.years >= self.required

    def inputs(self) -> dict:
        return {
            "start_date": self.start,
            "counted_on": self.on,
            "years_served": self.years,
            "years_required": self.required,
        }

    def said(self) -> tuple[str, str]:
        return (
            f"入职 {self.start}，至 {self.on} 服务满 {self.years} 年（需满 {self.required} 年）",
            f"started {self.start}, {self.years} whole year(s) served on {self.on} "
            f"({self.required} required)",
        )


def service_of(person: Person, month: Month, p) -> Service | None:
    if person.start_date is None:
        return None
    on = month.first_day if p["service_counted_on"] == FIRST_DAY else month.last_day
    return Service(person.start_date, on, years_served(person.start_date, on), p["service_years_required"])


def _no_start(person: Person, month: Month, part: str, name: tuple[str, str]) -> Line:
    return not_applicable(
        person,
        month,
        part,
        RECORDS,
        (
            f"{name[0]}：人员档案无入职日期，服务年限未知",
            f"{name[1]}: no start_date on file, service unknown",
        ),
        {},
    )


def seniority_line(person: Person, month: Month, service: Service | None, p) -> Line:
    name = ("工龄奖", "seniority pay")
    if service is None:
        return _no_start(person, month, "seniority_pay", name)
    zh, en = service.said()
    if not service.enough:
        return paid(
            person,
            month,
            "seniority_pay",
            NOTE,
            ZERO,
            (f"工龄奖：{zh}，未满期不发", f"seniority pay: {en}: not yet due"),
            service.inputs(),
        )
    rows = sorted(p["seniority_pay"], key=lambda r: r["from_years"])
    if not rows:
        return not_configured(
            person,
            month,
            "seniority_pay",
            PAY,
            (
                f"工龄奖：{zh}，应发；方案金额印为 x，本条线未配置 seniority_pay，未发放",
                f"seniority pay: {en}: due, but the scheme prints its amount as x and this line has not "
                f"set seniority_pay; nothing paid",
            ),
            service.inputs(),
        )
    row = next((r for r in reversed(rows) if r["from_years"] <= service.years), None)
    pay = row["pay"] if row else ZERO
    return paid(
        person,
        month,
        "seniority_pay",
        PAY,
        pay,
        (
            f"工龄奖 {yuan(pay)} 元：{zh}" + ("" if row else "，工龄奖表无此年限"),
            f"seniority pay {yuan(pay)}: {en}" + ("" if row else "; no row of seniority_pay for it"),
        ),
        {**service.inputs(), "row": row},
    )


def pension_line(person: Person, month: Month, service: Service | None, p) -> Line:
    name = ("养老补贴", "pension subsidy")
    if service is None:
        return _no_start(person, month, "pension_subsidy", name)
    zh, en = service.said()
    pay = p["pension_subsidy"] if service.enough else ZERO
    said = (
        (f"养老补贴 {yuan(pay)} 元：{zh}", f"pension subsidy {yuan(pay)}: {en}")
        if service.enough
        else (f"养老补贴：{zh}，未满期不发", f"pension subsidy: {en}: not yet due")
    )
    return paid(person, month, "pension_subsidy", NOTE, pay, said, service.inputs())


def fixed_lines(facts: Facts, person: Person, month: Month, p) -> list[Line]:
    """Base, lunch, full attendance, seniority, pension — in that order, each its own line."""
    days = days_of(facts, person, month)
    service = service_of(person, month, p)
    return [
        base_line(person, month, p),
        lunch_line(person, month, days, p),
        full_attendance_line(person, month, days, p),
        seniority_line(person, month, service, p),
        pension_line(person, month, service, p),
    ]
