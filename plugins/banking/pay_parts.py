"""The four pay parts of 002/LOAN §五(二) after the loans issued (docs/rules.md §3.5): new balance,
balance maintained, loan quality, average per borrower.

§五(二) says a customer manager's loan pay is made of five parts and prints rates for the first only
(its table is cut after one row); parts 2–5 have no rate, band or formula in the seed. Each is a rate
table the bank sets (default: empty). A part whose table is empty is stated on every customer manager's
monthly statement as not configured (an INFO line without a figure), never paid as 0 silently; a set
part is paid from the month-end portfolio (kamkit.facts.Portfolio):

    part 2  new balance      Portfolio.new_balance, band by band (a fall in balance pays nothing)
    part 3  balance          Portfolio.balance, or balance - overdue_balance (balance_part_base), band by band
    part 4  loan quality     overdue rate = overdue_balance / balance: the first band it does not exceed
    part 5  average          balance / borrowers: the highest band it reaches

A ratio over nothing (no balance, no borrower) is not applicable: an INFO line without a figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kamkit.errors import ConfigError
from kamkit.explain import CNY, INFO, Line
from kamkit.facts import Facts, Person, Portfolio
from kamkit.money import report
from kamkit.params import Param
from kamkit.periods import Month

from .indicators import managers, pct_text

ZERO = Decimal(0)
BANDED, UP_TO, FROM = "banded", "up_to", "from"  # how a part's table is read
# each part's pay line kind, by its number in §五(二)
PAY_KINDS = {2: "new_balance_pay", 3: "balance_pay", 4: "quality_pay", 5: "average_pay"}


@dataclass(frozen=True)
class Part:
    number: int
    clause: str
    param: str  # the rate table
    kind: str  # the pay line's kind
    zh: str
    en: str
    reading: str  # BANDED | UP_TO | FROM
    edge: str  # the table's edge column
    value: str  # the table's paying column


PARTS = (
    Part(
        number=2,
        clause="002/LOAN §五(二)2",
        param="new_balance_rates",
        kind="new_balance_pay",
        zh="当月贷款余额新增数",
        en="new balance of the month",
        reading=BANDED,
        edge="above",
        value="rate",
    ),
    Part(
        number=3,
        clause="002/LOAN §五(二)3",
        param="balance_rates",
        kind="balance_pay",
        zh="当月维护贷款余额",
        en="loan balance maintained",
        reading=BANDED,
        edge="above",
        value="rate",
    ),
    Part(
        number=4,
        clause="002/LOAN §五(二)4",
        param="quality_rates",
        kind="quality_pay",
        zh="管理贷款质量",
        en="quality of the loans managed",
        reading=UP_TO,
        edge="upto",
        value="pay",
    ),
    Part(
        number=5,
        clause="002/LOAN §五(二)5",
        param="average_rates",
        kind="average_pay",
        zh="贷款户均数",
        en="average loan per borrower",
        reading=FROM,
        edge="from",
        value="pay",
    ),
)
BY_NUMBER = {part.number: part for part in PARTS}

NOT_SET = (
    " The seed's rate table is cut off after part 1 and prints nothing for this part; empty = not "
    "configured: each customer manager's monthly statement says so (an INFO line without a figure) "
    "instead of paying 0."
)

PARAMS = (
    Param(
        "new_balance_rates",
        [],
        "table",
        "002/LOAN §五(二)2",
        "Part 2, new-balance pay: rows {above, rate}. The month's new balance (the portfolio's "
        "new_balance) above `above`, up to the next row's `above`, earns `rate` (a fraction: 0.001 = "
        "0.1%), band by band like part 1; a fall in balance earns nothing." + NOT_SET,
        "default",
    ),
    Param(
        "balance_rates",
        [],
        "table",
        "002/LOAN §五(二)3",
        "Part 3, balance-maintained pay: rows {above, rate}, read like new_balance_rates, on the "
        "month-end balance measured as balance_part_base says." + NOT_SET,
        "default",
    ),
    Param(
        "balance_part_base",
        "balance",
        "text",
        "002/LOAN §五(二)3",
        "What part 3 pays on (当月维护贷款余额): `balance`, the month-end loan balance as recorded (the "
        "figure of the §二 indicator 当月贷款余额), or `performing`, the balance less the overdue balance "
        "(the other reading: only the sound part of the book is 'maintained'). The record holds no "
        "daily or average balance.",
        "reading",
        ("balance", "performing"),
    ),
    Param(
        "quality_rates",
        [],
        "table",
        "002/LOAN §五(二)4",
        "Part 4, loan-quality pay: rows {upto, pay}. Loan quality (管理贷款质量) is measured by the "
        "overdue rate, overdue_balance / balance (the §二 indicator 贷款逾期率); the month pays the `pay` "
        "of the first row, lowest `upto` first, whose `upto` (a fraction: 0.01 = 1%) the rate does not "
        "exceed; above every row nothing." + NOT_SET,
        "default",
    ),
    Param(
        "average_rates",
        [],
        "table",
        "002/LOAN §五(二)5",
        "Part 5, per-borrower pay: rows {from, pay}. The average loan per borrower (贷款户均数), "
        "balance / borrowers (the §二 indicator 户均), pays the `pay` of the highest row whose `from` it "
        "reaches (以上: at least); below every row nothing." + NOT_SET,
        "default",
    ),
)


def check_tables(params: Mapping[str, Any]) -> None:
    """Refuse a rate table a part cannot read, naming the parameter and row: a wrong column would
    otherwise pay nothing, or pay by a figure nobody set."""
    errors = []
    for part in PARTS:
        rows = params[part.param]
        for i, row in enumerate(rows):
            where = f"{part.param}.{i}"
            if set(row) != {part.edge, part.value}:
                errors.append(
                    {"field": where, "message": f"a row is {{{part.edge}, {part.value}}}, got {sorted(row)}"}
                )
                continue
            if row[part.edge] < 0 or row[part.value] < 0:
                errors.append({"field": where, "message": "must not be negative"})
            if part.reading == BANDED and row["rate"] > 1:
                errors.append(
                    {"field": f"{where}.rate", "message": "a rate is a fraction of 1 (0.001 = 0.1%)"}
                )
            if part.reading == UP_TO and row["upto"] > 1:
                errors.append({"field": f"{where}.upto", "message": "an overdue rate is a fraction of 1"})
        edges = [row.get(part.edge) for row in rows]
        if len(set(edges)) != len(edges):
            errors.append({"field": part.param, "message": f"two rows have the same {part.edge}"})
    if errors:
        raise ConfigError(errors)


def book_of(facts: Facts, manager: str, month: Month) -> Portfolio | None:
    return next((b for b in facts.portfolios if b.manager == manager and b.month == month), None)


def banded(base: Decimal, rows) -> tuple[Decimal, list[dict]]:
    """(pay, the bands used): each row pays its rate on the part of the base between its `above` and
    the next row's, as part 1 pays its loans (docs/rules.md §3.4)."""
    rows = sorted(rows, key=lambda r: r["above"])
    total, used = ZERO, []
    for i, row in enumerate(rows):
        top = rows[i + 1]["above"] if i + 1 < len(rows) else None
        here = (base if top is None else min(base, top)) - row["above"]
        if here > 0:
            used.append({"above": row["above"], "upto": top, "amount": here, "rate": row["rate"]})
            total += here * row["rate"]
    return total, used


def up_to(rate: Decimal, rows) -> dict | None:
    """The first row, lowest `upto` first, whose `upto` the rate does not exceed (None: above all)."""
    return next((r for r in sorted(rows, key=lambda r: r["upto"]) if rate <= r["upto"]), None)


def reached(value: Decimal, rows) -> dict | None:
    """The highest row whose `from` the value reaches (None: below all)."""
    return next((r for r in sorted(rows, key=lambda r: r["from"], reverse=True) if value >= r["from"]), None)


def money(x: Decimal) -> str:
    return f"{report(x):,}"


@dataclass(frozen=True)
class Paid:
    """What one part pays one manager in a month, and why (figure None: not applicable)."""

    figure: Decimal | None
    zh: str
    en: str
    inputs: Mapping[str, Any]


def balance_base(book: Portfolio, p) -> tuple[Decimal, str, str]:
    if p["balance_part_base"] == "performing":
        base = book.balance - book.overdue_balance
        return (
            base,
            f"（余额 {money(book.balance)} − 逾期 {money(book.overdue_balance)}）",
            (f" (balance {money(book.balance)} - overdue {money(book.overdue_balance)})"),
        )
    return book.balance, "", ""


def pay_banded(part: Part, base: Decimal, rows, text: tuple[str, str]) -> Paid:
    pay, used = banded(base, rows)
    steps_zh = " + ".join(f"{money(b['amount'])}×{pct_text(b['rate'])}" for b in used) or "无"
    steps_en = " + ".join(f"{money(b['amount'])} x {pct_text(b['rate'])}" for b in used) or "none"
    return Paid(
        pay,
        f"{part.zh} {money(base)}{text[0]}，分段计酬 {steps_zh} = {money(pay)} 元",
        f"{part.en} {money(base)}{text[1]}, band by band {steps_en} = {money(pay)}",
        {"base": base, "bands": used},
    )


def part_pay(part: Part, book: Portfolio, p) -> Paid:
    rows = p[part.param]
    if part.number == 2:
        return pay_banded(part, book.new_balance, rows, ("", ""))
    if part.number == 3:
        base, zh, en = balance_base(book, p)
        return pay_banded(part, base, rows, (zh, en))
    if part.number == 4:
        if not book.balance:  # an overdue rate over no balance is not applicable, never 0%
            return Paid(
                None, f"{part.zh}：余额为 0，逾期率不适用", f"{part.en}: no balance, no overdue rate", {}
            )
        rate = book.overdue_balance / book.balance
        row = up_to(rate, rows)
        pay = row["pay"] if row else ZERO
        band_zh = f"不超过 {pct_text(row['upto'])} 档" if row else "超出所有档"
        band_en = f"band up to {pct_text(row['upto'])}" if row else "above every band"
        shown = f"{pct_text(rate)} = {money(book.overdue_balance)} / {money(book.balance)}"
        return Paid(
            pay,
            f"{part.zh}：逾期率 {shown}，{band_zh}，{money(pay)} 元",
            f"{part.en}: overdue rate {shown}, {band_en}: {money(pay)}",
            {"overdue_rate": rate, "band": row},
        )
    if not book.borrowers:  # an average over no borrower is not applicable
        return Paid(None, f"{part.zh}：无借款户，户均不适用", f"{part.en}: no borrower, no average", {})
    average = book.balance / book.borrowers
    row = reached(average, rows)
    pay = row["pay"] if row else ZERO
    band_zh = f"达到 {money(row['from'])} 档" if row else "低于所有档"
    band_en = f"band from {money(row['from'])}" if row else "below every band"
    shown = f"{money(average)} = {money(book.balance)} / {book.borrowers}"
    return Paid(
        pay,
        f"{part.zh}：户均 {shown}，{band_zh}，{money(pay)} 元",
        f"{part.en}: average {shown}, {band_en}: {money(pay)}",
        {"average": average, "band": row},
    )


def paid_people(facts: Facts, month: Month) -> list[Person]:
    """Customer managers (banking's §二 indicators: everyone graded, every account manager) and anyone
    else with a portfolio of the month."""
    ids = {x.id for x in managers(facts)} | {b.manager for b in facts.portfolios if b.month == month}
    return [x for x in (facts.person(i) for i in sorted(ids)) if x is not None]


def part_line(person: Person, part: Part, month: Month, book: Portfolio | None, p) -> Line:
    base = {"month": month, "part": part.number, "parameter": part.param}
    if not p[part.param]:
        return Line(
            person.id,
            person.role,
            None,
            INFO,
            "pay_part_not_configured",
            part.clause,
            f"{month} 第{part.number}部分“{part.zh}”绩效薪酬未设置：种子文件的费率表在此处截断；"
            f"请设置参数 {part.param}",
            f"{month}: part {part.number} ({part.en}) not configured: the seed's rate table is cut off; "
            f"set parameter {part.param}",
            base,
        )
    if book is None:
        return Line(
            person.id,
            person.role,
            None,
            INFO,
            "pay_part_no_portfolio",
            part.clause,
            f"{month} 第{part.number}部分“{part.zh}”：无月末贷款组合记录，无法计算",
            f"{month}: part {part.number} ({part.en}): no month-end portfolio on file, nothing to pay on",
            base,
        )
    paid = part_pay(part, book, p)
    book_inputs = {
        "balance": book.balance,
        "new_balance": book.new_balance,
        "overdue_balance": book.overdue_balance,
        "borrowers": book.borrowers,
    }
    inputs = {**base, **book_inputs, **paid.inputs, "table": list(p[part.param])}
    if paid.figure is None:
        return Line(
            person.id,
            person.role,
            None,
            INFO,
            "pay_part_not_applicable",
            part.clause,
            f"{month} {paid.zh}",
            f"{month}: {paid.en}",
            inputs,
        )
    return Line(
        person.id,
        person.role,
        paid.figure,
        CNY,
        PAY_KINDS[part.number],  # a literal table: reports/names.py holds a name for each
        part.clause,
        f"{month} {paid.zh}",
        f"{month}: {paid.en}",
        inputs,
    )


def month_lines(facts: Facts, month: Month, p) -> list[Line]:
    """Parts 2–5 of each customer manager's month: paid, or said to be not configured / not
    applicable."""
    lines = []
    for person in paid_people(facts, month):
        book = book_of(facts, person.id, month)
        lines += [part_line(person, part, month, book, p) for part in PARTS]
    return lines
