"""Customer-manager grades and the monthly promotion / shortfall findings — seed 002/LOAN §三
(docs/rules.md §3.1).

A finding is a FLAG line (figure 1): "qualifies for promotion to X" when a person meets every
condition of the grade above their own, "no longer meets grade Y" when they fail a condition of
their own grade. Deciding the grade stays with the city-branch CM board (002/CIB §第五条).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kamkit.explain import FLAG, Line
from kamkit.facts import Facts, Person, Portfolio
from kamkit.params import Param
from kamkit.periods import Month, months_between

GRADES = ("assistant", "junior", "intermediate", "senior")  # lowest first
GRADE_ZH = {"assistant": "助理", "junior": "初级", "intermediate": "中级", "senior": "高级"}
CLAUSE = {
    "assistant": "002/LOAN §三1",
    "junior": "002/LOAN §三2",
    "intermediate": "002/LOAN §三3",
    "senior": "002/LOAN §三4",
}
BOARD_CLAUSE = "002/CIB §第五条"
ZERO = Decimal(0)

PARAMS = (
    Param(
        "assistant_months",
        6,
        "int",
        "002/LOAN §三1",
        "Months of credit work (counted in whole months to the assessed month's last day) below "
        "which a customer manager is an assistant; from this many on (6个月以上, read inclusively "
        "so that nobody falls between the two grades) the junior conditions can be met.",
        minimum=0,
    ),
    Param(
        "junior_min_handled",
        30,
        "int",
        "002/LOAN §三2",
        "Junior: at least this many loans handled (经办, cumulative).",
        minimum=0,
    ),
    Param(
        "junior_max_overdue",
        Decimal("0.01"),
        "rate",
        "002/LOAN §三2",
        "Junior: overdue rate at the assessed month end at most this.",
    ),
    Param(
        "intermediate_years",
        1,
        "int",
        "002/LOAN §三3",
        "Intermediate: at least this many years as a junior (from grade_since).",
        minimum=0,
    ),
    Param(
        "intermediate_min_managed",
        50,
        "int",
        "002/LOAN §三3",
        "Intermediate: at least this many loans currently managed (管户).",
        minimum=0,
    ),
    Param(
        "intermediate_max_overdue",
        Decimal("0.015"),
        "rate",
        "002/LOAN §三3",
        "Intermediate: average overdue rate of the recent months at most this.",
    ),
    Param(
        "senior_years",
        1,
        "int",
        "002/LOAN §三4",
        "Senior: at least this many years as an intermediate (from grade_since).",
        minimum=0,
    ),
    Param(
        "senior_min_managed",
        70,
        "int",
        "002/LOAN §三4",
        "Senior: at least this many loans currently managed.",
        minimum=0,
    ),
    Param(
        "senior_max_overdue",
        Decimal("0.015"),
        "rate",
        "002/LOAN §三4",
        "Senior: average overdue rate of the recent months at most this.",
    ),
    Param(
        "overdue_average_months",
        3,
        "int",
        "002/LOAN §三3",
        "近三个月: the average overdue rate is the mean of the monthly rates of the assessed month "
        "and the months before it, this many in all; months with no portfolio on file are left "
        "out of the mean [reading].",
        minimum=1,
    ),
)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year + years, day=28)


def portfolio(facts: Facts, manager: str, month: Month) -> Portfolio | None:
    return next((p for p in facts.portfolios if p.manager == manager and p.month == month), None)


def average_overdue(facts: Facts, manager: str, month: Month, months: int) -> tuple[Decimal | None, list]:
    """(mean of the monthly overdue rates on file, [(month, rate)]) over `months` months ending
    with `month` [reading: months without a portfolio are left out]."""
    rates, m = [], month
    for _ in range(max(1, months)):
        if (book := portfolio(facts, manager, m)) is not None:
            rates.append((m, book.overdue_rate))
        m = m.previous()
    if not rates:
        return None, rates
    return sum((r for _, r in rates), ZERO) / len(rates), rates


def conditions(person: Person, grade: str, facts: Facts, month: Month, p, promotion: bool) -> dict:
    """Each condition of `grade` -> (value, required, met). Time in the grade below is asked only
    for a promotion: someone who already holds the grade has served it."""
    end = month.last_day
    book = portfolio(facts, person.id, month)
    out: dict = {}
    if grade == "assistant":  # the entry grade has no condition to fail
        return out
    if grade == "junior":
        served = months_between(person.start_date, end) if person.start_date else 0
        out["months_in_credit_work"] = (served, p["assistant_months"], served >= p["assistant_months"])
        handled = book.loans_handled if book else 0
        out["loans_handled"] = (handled, p["junior_min_handled"], handled >= p["junior_min_handled"])
        rate = book.overdue_rate if book else None
        out["overdue_rate"] = (
            rate,
            p["junior_max_overdue"],
            rate is not None and rate <= p["junior_max_overdue"],
        )
        return out
    below = GRADES[GRADES.index(grade) - 1]
    if promotion:
        since, years = person.grade_since, p[f"{grade}_years"]
        out[f"{below}_since"] = (
            since,
            years,
            person.grade == below and since is not None and add_years(since, years) <= end,
        )
    need = p[f"{grade}_min_managed"]
    managed = book.loans_managed if book else 0
    out["loans_managed"] = (managed, need, managed >= need)
    avg, _ = average_overdue(facts, person.id, month, p["overdue_average_months"])
    limit = p[f"{grade}_max_overdue"]
    out["average_overdue_rate"] = (avg, limit, avg is not None and avg <= limit)
    return out


def _inputs(person: Person, facts: Facts, p, checks: dict, **extra) -> dict:
    _, rates = average_overdue(facts, person.id, facts.month, p["overdue_average_months"])
    return {
        "grade": person.grade,
        "grade_since": person.grade_since,
        "start_date": person.start_date,
        "month_end": facts.month.last_day,
        **extra,
        "checks": {k: {"value": v, "required": r, "met": met} for k, (v, r, met) in checks.items()},
        "monthly_overdue_rates": {str(m): r for m, r in rates},
        "decided_by": "city_admin",
        "decided_by_clause": BOARD_CLAUSE,
    }


def findings(facts: Facts, p) -> list[Line]:
    """Promotion and shortfall findings for every graded person with a portfolio at month end
    [reading: without a month-end book there is nothing to assess, so no finding]."""
    lines = []
    for person in facts.people:
        if person.grade not in GRADES or portfolio(facts, person.id, facts.month) is None:
            continue
        idx = GRADES.index(person.grade)
        if idx + 1 < len(GRADES):
            up = GRADES[idx + 1]
            checks = conditions(person, up, facts, facts.month, p, promotion=True)
            if all(met for *_, met in checks.values()):
                lines.append(
                    Line(
                        person.id,
                        person.role,
                        Decimal(1),
                        FLAG,
                        "grade_promotion",
                        CLAUSE[up],
                        f"{person.id} 符合{GRADE_ZH[up]}客户经理条件，可晋级（报市分行客户经理领导小组）",
                        f"{person.id} qualifies for promotion to {up} (for the city-branch CM board)",
                        _inputs(person, facts, p, checks, to=up),
                    )
                )
        checks = conditions(person, person.grade, facts, facts.month, p, promotion=False)
        failed = [k for k, (*_, met) in checks.items() if not met]
        if failed:
            lines.append(
                Line(
                    person.id,
                    person.role,
                    Decimal(1),
                    FLAG,
                    "grade_shortfall",
                    CLAUSE[person.grade],
                    f"{person.id} 已不满足{GRADE_ZH[person.grade]}客户经理条件：{'、'.join(failed)}",
                    f"{person.id} no longer meets grade {person.grade}: {', '.join(failed)}",
                    _inputs(person, facts, p, checks, failed=failed),
                )
            )
    return lines
