"""Customer-manager grades and the monthly promotion / shortfall findings — seed 002/LOAN §三."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.explain import FLAG, Line
from shared.facts import Facts, Person, Portfolio
from shared.periods import Month

from .params import GRADES

ZERO = Decimal(0)
CLAUSE = {"assistant": "002/LOAN §三1", "junior": "002/LOAN §三2", "intermediate": "002/LOAN §三3",
          "senior": "002/LOAN §三4"}
ZH = {"assistant": "助理", "junior": "初级", "intermediate": "中级", "senior": "高级"}


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def portfolio(facts: Facts, manager: str, month: Month) -> Portfolio | None:
    return next((p for p in facts.portfolios if p.manager == manager and p.month == month), None)


def three_month_average(facts: Facts, manager: str, month: Month) -> Decimal | None:
    """Mean of the monthly overdue rates of this month and the two before, those on file [reading]."""
    books = [b for m in (month, month.previous(), month.previous().previous())
             if (b := portfolio(facts, manager, m)) is not None]
    return sum((b.overdue_rate for b in books), ZERO) / len(books) if books else None


def conditions(person: Person, grade: str, facts: Facts, month: Month, p, promotion: bool) -> dict:
    """Each condition of a grade -> (value, required, met). Tenure in the grade below is asked only
    for a promotion: someone already holding the grade has served it."""
    end = month.last_day
    book = portfolio(facts, person.id, month)
    served = months_between(person.start_date, end) if person.start_date else 0
    out = {}
    if grade == "assistant":
        return out
    if grade == "junior":
        out["months_in_credit_work"] = (served, p["assistant_months"], served >= p["assistant_months"])
        handled = book.loans_handled if book else 0
        out["loans_handled"] = (handled, p["junior_min_handled"], handled >= p["junior_min_handled"])
        rate = book.overdue_rate if book else None
        out["overdue_rate"] = (rate, p["junior_max_overdue"], rate is not None and rate <= p["junior_max_overdue"])
        return out
    below = GRADES[GRADES.index(grade) - 1]
    if promotion:
        since = person.grade_since
        out[f"{below}_since"] = (since, p["grade_years"], person.grade == below and since is not None
                                 and add_years(since, p["grade_years"]) <= end)
    need = p["intermediate_min_managed"] if grade == "intermediate" else p["senior_min_managed"]
    managed = book.loans_managed if book else 0
    out["loans_managed"] = (managed, need, managed >= need)
    avg = three_month_average(facts, person.id, month)
    out["three_month_overdue"] = (avg, p["three_month_max_overdue"],
                                  avg is not None and avg <= p["three_month_max_overdue"])
    return out


def findings(facts: Facts, p) -> list[Line]:
    lines = []
    for person in facts.people:
        if person.grade not in GRADES:
            continue
        idx = GRADES.index(person.grade)
        if idx + 1 < len(GRADES):
            up = GRADES[idx + 1]
            checks = conditions(person, up, facts, facts.month, p, promotion=True)
            if all(met for *_, met in checks.values()):
                lines.append(Line(person.id, person.role, Decimal(1), FLAG, "grade_promotion", CLAUSE[up],
                                  f"符合{ZH[up]}客户经理条件，可晋级", f"qualifies for promotion to {up}",
                                  {"grade": person.grade, "to": up, "checks": checks}))
        checks = conditions(person, person.grade, facts, facts.month, p, promotion=False)
        failed = {k: v for k, v in checks.items() if not v[2]}
        if failed:
            lines.append(Line(person.id, person.role, Decimal(1), FLAG, "grade_shortfall", CLAUSE[person.grade],
                              f"已不满足{ZH[person.grade]}客户经理条件：{', '.join(failed)}",
                              f"no longer meets grade {person.grade}: {', '.join(failed)}",
                              {"grade": person.grade, "checks": checks}))
    return lines
