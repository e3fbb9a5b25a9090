"""Piece-rate pay computed per month and paid in the quarterly run — seed 002/LOAN §四, §五
(docs/rules.md §3.4): base pay by grade, loans-issued pay by the month's weighted count, referrer
rewards per loan."""

from __future__ import annotations

from decimal import Decimal

from kamkit.explain import CNY, Line
from kamkit.facts import Facts, Loan
from kamkit.money import fmt
from kamkit.params import Param
from kamkit.periods import Month

from .grades import GRADE_ZH, GRADES

BASE = "002/LOAN §四"
REFERRER = "002/LOAN §五(一)"
PIECE = "002/LOAN §五(二)1"
ZERO = Decimal(0)
KIND_ZH = {"new": "新放", "renewal": "续贷", "merge": "并贷", "extension": "展期"}

PARAMS = (
    Param(
        "base_pay",
        {
            "assistant": Decimal(1800),
            "junior": Decimal(2200),
            "intermediate": Decimal(2700),
            "senior": Decimal(3500),
        },
        "map",
        BASE,
        "Monthly base pay by grade (基础薪酬).",
    ),
    Param(
        "referrer_bands",
        [
            {"upto": Decimal(50000), "pay": Decimal(30)},
            {"upto": Decimal(100000), "pay": Decimal(50)},
            {"upto": Decimal(500000), "pay": Decimal(80)},
            {"upto": Decimal(1000000), "pay": Decimal(100)},
            {"upto": Decimal(2000000), "pay": Decimal(150)},
        ],
        "table",
        REFERRER,
        "Referrer reward per loan issued, by loan amount. The seed prints its bands in whole 万 (1-5万: 30; "
        "6-10万: 50; 11-50万: 80; 51-100万: 100; 101-200万: 150); each band runs up to and including its "
        "upper figure, so 55,000 is in the 6-10万 band and earns 50.",
        "reading",
    ),
    Param(
        "referrer_minimum",
        Decimal(10000),
        "money",
        REFERRER,
        "Below this amount (the first band's 1万) a referral earns nothing.",
        "default",
    ),
    Param(
        "referrer_above_top",
        Decimal(150),
        "money",
        REFERRER,
        "Reward for a loan above the last printed band (> 2,000,000).",
        "default",
    ),
    Param(
        "piece_rate_below",
        Decimal(500000),
        "money",
        PIECE,
        "Loans-issued pay counts micro and small loans only (当月新发放微小贷款笔数): loans below this "
        "amount (the medium tier's threshold).",
        "reading",
    ),
    Param(
        "piece_bands_seed",
        [{"above": Decimal(0), "pay": Decimal(30)}],
        "table",
        PIECE,
        "Loans-issued pay per loan, progressive: the printed row 1-2 loans: 30 per loan (each row pays "
        "the loans of the month's weighted count above `above`, up to the next row).",
    ),
    Param(
        "piece_bands_more",
        [
            {"above": Decimal(2), "pay": Decimal(40)},
            {"above": Decimal(5), "pay": Decimal(50)},
            {"above": Decimal(10), "pay": Decimal(60)},
        ],
        "table",
        PIECE,
        "The rows after the seed's table is cut: 3-5 loans 40, 6-10 loans 50, beyond 10 loans 60 per loan.",
        "default",
    ),
    Param(
        "loan_weights",
        {"new": Decimal(1), "renewal": Decimal("0.5"), "merge": Decimal("0.5"), "extension": Decimal("0.5")},
        "map",
        PIECE,
        "What each kind of loan counts for in the month's loan count: renewals (续贷), merged loans (并贷) "
        "and extensions (展期) 0.5 of a new loan.",
    ),
)


def referrer_reward(amount: Decimal, p) -> tuple[Decimal, dict | None]:
    """(reward, the band used or None): the first band whose upper figure the amount does not
    exceed (upper-inclusive [reading]); below ``referrer_minimum`` nothing, above the last band
    ``referrer_above_top``."""
    if amount < p["referrer_minimum"]:
        return ZERO, None
    bands = sorted(p["referrer_bands"], key=lambda b: b["upto"])
    for band in bands:
        if amount <= band["upto"]:
            return band["pay"], band
    return p["referrer_above_top"], bands[-1]


def count_text(count: Decimal) -> str:
    """A (weighted) loan count in a reason, as exact as it is: 2.5, 3 (never 3.0, which reads as a
    float; money is fmt's: 15.00)."""
    return format(count.normalize(), "f") if count else "0"


def band_text(amount: Decimal, band: dict | None, p) -> tuple[str, str]:
    """How the reward's band was found, for the reasons (money as reported: 50000.00)."""
    if band is None:
        return f"低于 {fmt(p['referrer_minimum'])}", f"below {fmt(p['referrer_minimum'])}"
    if amount > band["upto"]:
        return f"高于最高档 {fmt(band['upto'])}", f"above the top band's {fmt(band['upto'])}"
    return f"不超过 {fmt(band['upto'])} 档", f"band up to and including {fmt(band['upto'])}"


def piece_bands(p) -> list[dict]:
    return sorted([*p["piece_bands_seed"], *p["piece_bands_more"]], key=lambda b: b["above"])


def progressive_pay(count: Decimal, p) -> tuple[Decimal, list[dict]]:
    """Each band pays its own loans, like income tax; fractions fill the bands in order:
    2.5 loans = 2 x 30 + 0.5 x 40 = 80."""
    bands = piece_bands(p)
    total, rows = ZERO, []
    for i, band in enumerate(bands):
        top = bands[i + 1]["above"] if i + 1 < len(bands) else None
        here = (count if top is None else min(count, top)) - band["above"]
        if here > 0:
            rows.append(
                {
                    "above": band["above"],
                    "upto": top,
                    "loans": here,
                    "pay_per_loan": band["pay"],
                    "pay": here * band["pay"],
                }
            )
            total += here * band["pay"]
    return total, rows


def weight(loan: Loan, p) -> Decimal:
    weights = p["loan_weights"]
    return weights.get(loan.kind, weights.get("new", Decimal(1)))


def month_lines(facts: Facts, month: Month, p) -> list[Line]:
    """One month's pay lines: loans-issued pay per manager, a reward per referred loan, base pay
    per graded person."""
    lines = []
    loans = sorted((l for l in facts.loans if month.contains(l.issued)), key=lambda l: l.id)
    counted = [l for l in loans if l.amount < p["piece_rate_below"]]  # micro and small only
    for manager in sorted({l.manager for l in counted}):
        own = [l for l in counted if l.manager == manager]
        count = sum((weight(l, p) for l in own), ZERO)
        pay, bands = progressive_pay(count, p)
        renewal = p["loan_weights"].get("renewal", Decimal(1))
        person = facts.person(manager)
        lines.append(
            Line(
                manager,
                person.role if person else "account_manager",
                pay,
                CNY,
                "loans_issued_pay",
                PIECE,
                f"{month} 放款（微小贷款，低于 {fmt(p['piece_rate_below'])} 元）{len(own)} 笔，"
                f"折算 {count_text(count)} 笔（续贷/并贷/展期按 {count_text(renewal)}），"
                f"累进计酬 "
                + " + ".join(f"{count_text(b['loans'])}×{fmt(b['pay_per_loan'])}" for b in bands)
                + f" = {fmt(pay)} 元",
                f"{month}: {len(own)} micro and small loans (below {fmt(p['piece_rate_below'])}), weighted "
                f"count {count_text(count)}, progressive pay "
                + " + ".join(f"{count_text(b['loans'])} x {fmt(b['pay_per_loan'])}" for b in bands)
                + f" = {fmt(pay)}",
                {
                    "month": month,
                    "loans": [
                        {"id": l.id, "kind": l.kind, "amount": l.amount, "weight": weight(l, p)} for l in own
                    ],
                    "counted_below": p["piece_rate_below"],
                    "weighted_count": count,
                    "bands": bands,
                },
            )
        )
    for loan in loans:
        if not loan.referrer:
            continue
        reward, band = referrer_reward(loan.amount, p)
        person = facts.person(loan.referrer)
        zh, en = band_text(loan.amount, band, p)
        lines.append(
            Line(
                loan.referrer,
                person.role if person else "referrer",
                reward,
                CNY,
                "referrer_reward",
                REFERRER,
                f"{month} 推荐贷款 {loan.id}（{fmt(loan.amount)} 元，{zh}）奖励 {fmt(reward)} 元",
                f"{month}: referred loan {loan.id} ({fmt(loan.amount)}, {en}): {fmt(reward)}",
                {
                    "month": month,
                    "loan": loan.id,
                    "manager": loan.manager,
                    "amount": loan.amount,
                    "band": band,
                },
            )
        )
    for person in sorted(facts.people, key=lambda x: x.id):
        grade = grade_in(person, month)
        if grade in GRADES:  # base_pay holds every grade: map overrides are merged
            pay = p["base_pay"][grade]
            lines.append(
                Line(
                    person.id,
                    person.role,
                    pay,
                    CNY,
                    "base_pay",
                    BASE,
                    f"{month} {GRADE_ZH[grade]}客户经理基础薪酬 {fmt(pay)} 元",
                    f"{month}: base pay of a customer manager of grade {grade}: {fmt(pay)}",
                    {
                        "month": month,
                        "grade": grade,
                        "grade_since": person.grade_since,
                        "previous_grade": person.previous_grade,
                        "base_pay": pay,
                    },
                )
            )
    return lines


def grade_in(person, month: Month) -> str | None:
    """The grade a month is paid at. A promotion (or demotion) is recorded on the person: the new
    ``grade``, ``grade_since`` = the date it was decided, and ``previous_grade``. From the month of
    ``grade_since`` on, the new grade's base is paid; months before it are paid at
    ``previous_grade`` (nothing if there was none: not yet graded). Qualifying alone, as the
    monthly findings report it, changes no pay until the promotion is recorded."""
    since = person.grade_since
    if since is None or since <= month.last_day:
        return person.grade
    return person.previous_grade
