"""Monthly indicators and penalty points [default] — seed 002/LOAN §二, RULES.md §3.3."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from shared.explain import INFO, POINTS, Line
from shared.facts import Facts
from shared.missed import missed_month

from .grades import portfolio
from .tiers import tier_of

ZERO = Decimal(0)


def managers(facts: Facts):
    return [p for p in facts.people if p.grade or p.role == "account_manager"]


def indicator_lines(facts: Facts) -> list[Line]:
    lines = []
    for person in managers(facts):
        book = portfolio(facts, person.id, facts.month)
        issued = sum(1 for l in facts.loans if l.manager == person.id and facts.month.contains(l.issued))
        values = [("loans_issued", Decimal(issued), "当月发放贷款笔数", "loans issued this month")]
        if book:
            values += [("new_balance", book.new_balance, "当月贷款余额新增", "new balance this month"),
                       ("balance", book.balance, "当月贷款余额", "balance held"),
                       ("interest_recovered", book.interest_recovered, "贷款利息回收", "interest recovered"),
                       ("overdue_rate", book.overdue_rate, "贷款逾期率", "overdue rate")]
            if book.borrowers:
                values.append(("average_balance", book.balance / book.borrowers, "户均贷款余额",
                               "average balance per borrower"))
        lines += [Line(person.id, person.role, value, INFO, kind, "002/LOAN §二", f"{zh}：{value}", f"{en}: {value}",
                       {"month": facts.month, "borrowers": book.borrowers if book else None})
                  for kind, value, zh, en in values]
    return lines


def overdue_points(facts: Facts, p) -> list[Line]:
    lines = []
    for person in managers(facts):
        book = portfolio(facts, person.id, facts.month)
        limit = p["overdue_limit"].get(person.grade or "junior", p["overdue_limit"]["junior"])
        if not book or book.overdue_rate <= limit:
            continue
        steps = ((book.overdue_rate - limit) / p["overdue_step"]).to_integral_value(rounding=ROUND_CEILING)
        figure = steps * p["overdue_step_points"]
        lines.append(Line(person.id, person.role, figure, POINTS, "overdue_rate", "RULES §3.3",
                          f"逾期率 {book.overdue_rate:.4%} 超出限额 {limit:.2%}，每超 0.5 个百分点（不足按一档）扣 "
                          f"{p['overdue_step_points']} 分，共 {steps} 档",
                          f"overdue rate {book.overdue_rate:.4%} above the {limit:.2%} limit: {steps} started "
                          f"step(s) of 0.5 pp x {p['overdue_step_points']}",
                          {"overdue_balance": book.overdue_balance, "balance": book.balance,
                           "rate": book.overdue_rate, "limit": limit, "steps": steps}))
    return lines


def missed_points(facts: Facts, p) -> list[Line]:
    lines = []
    for o in facts.opportunities:
        if o.amount < p["missed_report_from"] or missed_month(o, p["entry_deadline_days"]) != facts.month:
            continue
        tier, owner, *_ = tier_of(o.amount, p)
        inputs = {"opportunity": o.id, "amount": o.amount, "tier": tier, "origin": o.origin,
                  "discovered": o.discovered, "entered": o.entered}
        if o.account_manager:
            lines.append(Line(o.account_manager, "account_manager", p["missed_points_manager"], POINTS,
                              "missed_report", "RULES §3.3", f"贷款商机 {o.id}（{o.amount} 元）漏报",
                              f"missed report of loan opportunity {o.id} ({o.amount})", inputs))
        holders = [x.id for x in facts.with_role(owner, o.branch)] if o.branch else []
        for person in holders or [f"vacant:{owner}:{o.branch or '-'}"]:
            lines.append(Line(person, owner, p["missed_points_owner"], POINTS, "missed_report_owner", "RULES §3.3",
                              f"{tier} 级贷款商机 {o.id} 漏报，负责人扣分", f"missed report of {tier} loan "
                              f"opportunity {o.id}: the tier's owner", inputs))
    return lines
