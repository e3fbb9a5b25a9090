"""Monthly indicators (seed 002/LOAN §二) and penalty points [default] (docs/rules.md §3.3)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from kamkit.explain import INFO, POINTS, Line
from kamkit.facts import Facts, Person
from kamkit.missed import missed_month
from kamkit.money import fmt
from kamkit.params import Param

from .grades import portfolio
from .tiers import ROLE_ZH, tier_of

INDICATORS = "002/LOAN §二"
POINTS_CLAUSE = "rules §3.3"
ZERO = Decimal(0)
# every points line says whose rule it is: no seed docks points for these (docs/rules.md §3.3)
DEFAULT_RULE_ZH = (
    "（本扣分为本套件默认规则、可由本机构参数调整，非种子文件规定："
    "002/LOAN §二 仅列逾期率为考核指标，未定扣分）"
)
DEFAULT_RULE_EN = (
    " (points by the suite's default rule, set by the organisation's parameters, not the seed's: "
    "002/LOAN §二 prints the overdue rate as an indicator only and docks nothing)"
)
MISSED_RULE_ZH = "（本扣分为本套件默认规则、可由本机构参数调整，非种子文件规定）"
MISSED_RULE_EN = (
    " (points by the suite's default rule, set by the organisation's parameters, not the seed's: "
    "neither bank document docks points for a missed report)"
)


def pct_text(rate: Decimal) -> str:
    """A rate as percent text for reasons only (the figure and inputs stay exact)."""
    return f"{(rate * 100).quantize(Decimal('0.0001')).normalize():f}%"


PARAMS = (
    Param(
        "overdue_limit",
        {
            "assistant": Decimal("0.01"),
            "junior": Decimal("0.01"),
            "intermediate": Decimal("0.015"),
            "senior": Decimal("0.015"),
        },
        "map",
        POINTS_CLAUSE,
        "Overdue-rate limit per grade above which points are docked (the suite's default rule: 002/LOAN "
        "§二 prints the overdue rate as an indicator only and docks no points): the grade conditions' "
        "1% (junior) and 1.5% (intermediate, senior) [default]; an assistant, and a manager with no "
        "grade, are held to the junior limit [reading].",
        "default",
    ),
    Param(
        "overdue_step",
        Decimal("0.005"),
        "rate",
        POINTS_CLAUSE,
        "Every started step of this much above the limit (0.5 percentage point; the suite's default, no "
        "seed gives one) ...",
        "default",
        positive=True,  # the excess is divided by it
    ),
    Param(
        "overdue_step_points",
        Decimal(2),
        "points",
        POINTS_CLAUSE,
        "... costs this many points (the suite's default: the seed docks no points for the overdue rate).",
        "default",
    ),
    Param(
        "missed_report_from",
        Decimal(500000),
        "money",
        POINTS_CLAUSE,
        "A missed report of a loan opportunity from this amount is docked (the suite's default rule: "
        "neither bank document docks points for a missed report) ...",
        "default",
    ),
    Param(
        "missed_points_manager",
        Decimal(5),
        "points",
        POINTS_CLAUSE,
        "... this many points to its account manager ...",
        "default",
    ),
    Param(
        "missed_points_owner",
        Decimal(3),
        "points",
        POINTS_CLAUSE,
        "... and this many to each holder of the tier's owner role in its branch (no owner charge when "
        "the tier's owner is the account manager himself [reading]).",
        "default",
    ),
    Param(
        "entry_deadline_days",
        7,
        "days",
        POINTS_CLAUSE,
        "A loan opportunity entered more than this many days after discovery, never entered, or found "
        "by the city audit is a missed report (the month rule of rules §1.4).",
        "default",
    ),
)


def managers(facts: Facts) -> list[Person]:
    """Customer managers: everyone graded, and every account manager even without a grade."""
    return [p for p in facts.people if p.grade or p.role == "account_manager"]


def _line(
    person: Person, kind: str, value: Decimal, zh: str, *, en: str, inputs: dict, shown: str | None = None
) -> Line:
    shown = shown if shown is not None else fmt(value)  # money shown to the fen; the figure stays exact
    return Line(
        person.id, person.role, value, INFO, kind, INDICATORS, f"{zh}：{shown}", f"{en}: {shown}", inputs
    )


def indicator_lines(facts: Facts) -> list[Line]:
    """The six indicators of 002/LOAN §二 per customer manager, as INFO lines (figure = value)."""
    month, lines = facts.month, []
    for person in managers(facts):
        book = portfolio(facts, person.id, month)
        issued = sorted(l.id for l in facts.loans if l.manager == person.id and month.contains(l.issued))
        base = {"month": month}
        lines.append(
            _line(
                person,
                "loans_issued",
                Decimal(len(issued)),
                "当月发放贷款笔数",
                en="loans issued this month",
                inputs={**base, "loans": issued},
                shown=str(len(issued)),
            )
        )
        if book is None:
            continue
        lines += [
            _line(
                person,
                "new_balance",
                book.new_balance,
                "当月贷款余额新增",
                en="new balance this month",
                inputs=dict(base),
            ),
            _line(
                person,
                "balance",
                book.balance,
                "当月贷款余额",
                en="balance held at month end",
                inputs=dict(base),
            ),
            _line(
                person,
                "interest_recovered",
                book.interest_recovered,
                "贷款利息回收",
                en="interest recovered",
                inputs=dict(base),
            ),
            _line(
                person,
                "overdue_rate",
                book.overdue_rate,
                "贷款逾期率",
                en="overdue rate",
                inputs={**base, "overdue_balance": book.overdue_balance, "balance": book.balance},
                shown=f"{pct_text(book.overdue_rate)} = {fmt(book.overdue_balance)} / {fmt(book.balance)}",
            ),
        ]
        if book.borrowers:  # 户均 of no borrower is undefined: no line
            avg = book.balance / book.borrowers
            lines.append(
                _line(
                    person,
                    "average_balance",
                    avg,
                    "户均贷款余额",
                    en="average balance per borrower",
                    inputs={**base, "balance": book.balance, "borrowers": book.borrowers},
                    shown=f"{fmt(avg)} = {fmt(book.balance)} / {book.borrowers}",
                )
            )
    return lines


def overdue_points(facts: Facts, p) -> list[Line]:
    """2 points per started 0.5 pp of overdue rate above the grade's limit [default]: the suite's rule,
    not the seed's (002/LOAN §二 prints the overdue rate as an indicator only), and its line says so."""
    lines = []
    for person in managers(facts):
        book = portfolio(facts, person.id, facts.month)
        limits = p["overdue_limit"]
        limit = limits.get(person.grade or "junior", limits.get("junior"))
        if book is None or limit is None or book.overdue_rate <= limit:
            continue
        excess = book.overdue_rate - limit
        steps = (excess / p["overdue_step"]).to_integral_value(rounding=ROUND_CEILING)
        figure = steps * p["overdue_step_points"]
        lines.append(
            Line(
                person.id,
                person.role,
                figure,
                POINTS,
                "overdue_rate",
                POINTS_CLAUSE,
                f"逾期率 {pct_text(book.overdue_rate)} 超出{person.grade or 'junior'}限额 "
                f"{pct_text(limit)}，超出 {pct_text(excess)}，"
                f"每起算 {pct_text(p['overdue_step'])} 扣 {p['overdue_step_points']} 分，"
                f"共 {steps} 档" + DEFAULT_RULE_ZH,
                f"overdue rate {pct_text(book.overdue_rate)} above the {person.grade or 'junior'} limit "
                f"{pct_text(limit)} by {pct_text(excess)}: {steps} started step(s) of "
                f"{pct_text(p['overdue_step'])} x {p['overdue_step_points']} points" + DEFAULT_RULE_EN,
                {
                    "month": facts.month,
                    "overdue_balance": book.overdue_balance,
                    "balance": book.balance,
                    "rate": book.overdue_rate,
                    "grade": person.grade,
                    "limit": limit,
                    "step": p["overdue_step"],
                    "steps": steps,
                    "points_per_step": p["overdue_step_points"],
                },
            )
        )
    return lines


def missed_points(facts: Facts, p) -> list[Line]:
    """Missed reports of loan opportunities from 500,000 [default]: 5 points to the account manager,
    3 to the tier's owner(s) in the branch; counted in the month rule of kamkit.missed."""
    lines = []
    for o in sorted(facts.opportunities, key=lambda o: o.id):
        if o.amount < p["missed_report_from"]:
            continue
        month = missed_month(o, p["entry_deadline_days"])
        if month != facts.month:
            continue
        tier, owner, *_ = tier_of(o.amount, p)
        why_zh = (
            "市分行核查发现"
            if o.origin == "audit"
            else "从未录入"
            if o.entered is None
            else f"{o.entered} 才录入"
        )
        why_en = (
            "found by the city audit"
            if o.origin == "audit"
            else "never entered"
            if o.entered is None
            else f"entered only on {o.entered}"
        )
        inputs = {
            "opportunity": o.id,
            "amount": o.amount,
            "tier": tier,
            "origin": o.origin,
            "discovered": o.discovered,
            "entered": o.entered,
            "deadline_days": p["entry_deadline_days"],
            "missed_report_from": p["missed_report_from"],
            "branch": o.branch,
        }
        if o.account_manager:
            pts = p["missed_points_manager"]
            lines.append(
                Line(
                    o.account_manager,
                    "account_manager",
                    pts,
                    POINTS,
                    "missed_report",
                    POINTS_CLAUSE,
                    f"贷款商机 {o.id}（{fmt(o.amount)} 元）漏报（{why_zh}），"
                    f"客户经理扣 {pts} 分" + MISSED_RULE_ZH,
                    f"missed report of loan opportunity {o.id} ({fmt(o.amount)}, {why_en}): "
                    f"account manager {pts} points" + MISSED_RULE_EN,
                    {**inputs, "points": pts},
                )
            )
        if owner == "account_manager":  # the owner is the manager already charged above
            continue
        pts = p["missed_points_owner"]
        holders = [x.id for x in facts.with_role(owner, o.branch)] if o.branch else []
        for person in holders or [f"vacant:{owner}:{o.branch or '-'}"]:
            lines.append(
                Line(
                    person,
                    owner,
                    pts,
                    POINTS,
                    "missed_report_owner",
                    POINTS_CLAUSE,
                    f"{tier} 级贷款商机 {o.id}（{fmt(o.amount)} 元）漏报（{why_zh}），"
                    f"{ROLE_ZH[owner]}扣 {pts} 分" + MISSED_RULE_ZH,
                    f"missed report of {tier} loan opportunity {o.id} ({fmt(o.amount)}, {why_en}): "
                    f"the tier's owner ({owner}) {pts} points" + MISSED_RULE_EN,
                    {**inputs, "points": pts, "owner_role": owner},
                )
            )
    return lines
