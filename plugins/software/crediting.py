"""What counts as creditable collections — docs/rules.md §2.2 (seed 002).

Each collection becomes per-person parts: credit toward the task and a side bonus paid outside
the task scheme, each explained by a Line. Pure; used by both software presets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from kamkit.explain import FLAG, INFO, Line, LineTable
from kamkit.facts import NOT_DEDUCTED, Collection, Facts
from kamkit.frozen import quick_init
from kamkit.money import fmt
from kamkit.periods import Month, Quarter

ZERO = Decimal(0)
ONE = Decimal(1)
AM = "account_manager"
OUTSIDE_FUNNEL = "002/KAD §二5"  # 未进入销售漏斗的项目计业绩，但不计提奖金


@quick_init  # one or more a collection, summed per person as made (period_parts), not kept
@dataclass(frozen=True, slots=True)
class Part:
    person: str
    collection: str
    task_credit: Decimal  # counts toward the task (X)
    side_bonus: Decimal  # paid outside the task scheme
    largest_single: Decimal  # the whole task credit of its single deal (单产: the contract)
    implementation: Decimal = ZERO  # of task_credit: implementation, paid by its side rate only
    outside: Decimal = ZERO  # of task_credit: a project outside the funnel, no bonus (002/KAD §二5)


def exact(value: Decimal) -> Decimal:
    """A share of an amount as exact as it is, without the zeros the share's digits leave
    (350,000 x 0.3 = 105000.0 -> 105000; 12,345.5 x 0.5 = 6172.75 stays): a credit table's reasons
    print its figures as they are (the services fill them in from the stored text), and 105000.0
    reads as a float."""
    whole = value.to_integral_value()
    return whole if value == whole else value.normalize()


def net_of(c: Collection) -> Decimal:
    """002/KAD §二1: collections net of partner share, sales expenses, entertainment and travel
    (none stated: the amount itself, not a copy made by subtracting zeros)."""
    if (
        c.partner_share is NOT_DEDUCTED
        and c.expenses is NOT_DEDUCTED
        and c.entertainment is NOT_DEDUCTED
        and c.travel is NOT_DEDUCTED
    ):
        return c.amount
    return c.amount - c.partner_share - c.expenses - c.entertainment - c.travel


def shares(c: Collection, p, contract=None) -> list[tuple[str, Decimal, str]]:
    """(person, share, clause): joint sale 70/30 — except a tobacco contract (the collector whole)
    and implementation/service revenue (whoever delivered it, whole) —, contributions, or the
    collector alone."""
    if c.joint_with:
        if c.revenue_kind in p["joint_delivered_kinds"]:
            return [(c.delivered_by or c.rep, ONE, "002/KAB §二5")]
        if contract is not None and contract.tobacco:
            return [(c.rep, ONE, "002/KAB §二5")]
        own = p["joint_collector_share"]
        return [(c.rep, own, "002/KAB §二5"), (c.joint_with, 1 - own, "002/KAB §二5")]
    if c.contributions:
        return [(s.person, s.share, "002/KAP §二4") for s in c.contributions]
    return [(c.rep, ONE, "002/KAD §二1")]


def topup(c: Collection, contract, p) -> Decimal:
    """002/KAP §二2: implementation billed below the standard quote is topped up to it; the
    topped-up part is credited like product revenue as the implementation is collected (this
    collection's share of the contract's billed implementation)."""
    if (
        not p.get("implementation_topup")
        or c.revenue_kind != "implementation"
        or contract is None
        or contract.implementation_quote is None
        or contract.implementation <= 0
    ):
        return ZERO
    shortfall = contract.implementation_quote - contract.implementation
    return shortfall * c.amount / contract.implementation if shortfall > 0 else ZERO


# the clause each kind of revenue is credited under (002/KAD §二1 for product revenue)
CREDIT_CLAUSE = {
    "secondary_dev": "002/KAP §二5",
    "add_module": "002/KAB §二7",
    "data_conversion": "002/KAB §二7",
    "implementation": "002/KAP §二2",
    "maintenance": "002/KAP §二2",
    "training": "002/KAP §二2",
    "service": "002/KAB §三3",
    "supplies": "002/KAB §三3",
}


# a collection's credit to one person (docs/rules.md §2.2), as a row of that person's table: the
# inputs in this order, the figure first
CREDIT_INPUTS = (
    "collection",
    "date",
    "kind",
    "amount",
    "partner_share",
    "expenses",
    "entertainment",
    "travel",
    "net",
    "gross_margin",
    "task_share",
    "side_rate",
    "side_base",
    "share",
    "split_clause",
)
CREDIT_ZH = "回款 {collection}（{kind}）净额 {net}，计入任务 {figure}（份额 {share}）"
CREDIT_EN = "collection {collection} ({kind}): net {net}, task credit {figure} (share {share})"


def credit_table(person: str, clause: str) -> LineTable:
    return LineTable(person, AM, INFO, "task_credit", clause, CREDIT_ZH, CREDIT_EN, CREDIT_INPUTS)


def terms_of(p) -> Callable[[str], tuple[Decimal, Decimal, bool, str]]:
    """A kind of revenue's crediting terms under parameters ``p``: (task share, side rate, side
    bonus on the gross amount?, clause), looked up once per kind, not once per collection."""
    cache: dict[str, tuple[Decimal, Decimal, bool, str]] = {}

    def terms(kind: str):
        found = cache.get(kind)
        if found is None:
            share = p["task_share"].get(kind, ZERO)
            if share == ONE and share.as_tuple().exponent == 0:  # exactly 1 (not 1.0): credit() skips x 1
                share = ONE
            found = cache[kind] = (
                share,
                p["side_rate"].get(kind, ZERO),
                bool(p["side_on_gross"].get(kind, ZERO)),
                CREDIT_CLAUSE.get(kind, "002/KAD §二1"),
            )
        return found

    return terms


def credit(
    c: Collection, p, contract=None, single: Decimal | None = None, terms=None
) -> tuple[list[Part], list[Line], list[tuple[str, str, tuple]]]:
    """(parts, lines, rows): a person's part of the collection each, and what explains them:
    Lines where the collection is not credited, is outside the funnel or was topped up, else rows
    (person, clause, row) of the person's credit table (CREDIT_INPUTS). ``terms``: terms_of(p),
    when crediting many.

    A project outside the sales funnel / CRM credits nothing (002/KAP §二3, 002/KAB §二4), unless
    ``outside_funnel_counts_for_task`` (002/KAD §二5 计业绩，但不计提奖金): then it is credited to
    the task as any collection is, its part marked ``outside`` (the bonus leaves it out), and
    earns no side bonus."""
    outside = not c.in_crm
    if outside and not p.get("outside_funnel_counts_for_task"):
        return (
            [],
            [
                Line(
                    c.rep,
                    AM,
                    ZERO,
                    INFO,
                    "not_in_crm",
                    "002/KAP §二3",
                    f"回款 {c.id} 的项目未进入CRM/销售漏斗：不计任务、不计奖金",
                    f"collection {c.id}: project not in the CRM funnel, no task credit and no bonus",
                    {"collection": c.id, "amount": c.amount},
                )
            ],
            [],
        )
    net = net_of(c)
    kind = c.revenue_kind
    task_share, side_rate, on_gross, clause = (terms or terms_of(p))(kind)
    basis = c.gross_margin if kind == "secondary_dev" else net
    # x 1 is skipped, not computed (terms_of gives ONE itself for a share of exactly 1): the same
    # Decimal, not a new one a collection (a context-rounded result stays as it is)
    own_task = basis if task_share is ONE else exact(basis * task_share)
    extra = topup(c, contract, p) if kind == "implementation" else ZERO  # only implementation is topped up
    task = own_task + extra if extra else own_task
    # outside the funnel: no bonus of any kind, the implementation's 6% included (its credit is
    # left out of the bonus as outside credit, not as implementation)
    implementation = own_task if kind == "implementation" and not outside else ZERO
    side_base = c.amount if on_gross else net
    side = side_base * side_rate if side_rate and not outside else ZERO  # most revenue pays no side bonus
    parts, lines, rows = [], [], []
    cid = c.id
    split = (
        ((c.rep, ONE, "002/KAD §二1"),) if not (c.joint_with or c.contributions) else shares(c, p, contract)
    )
    for person, share, split_clause in split:
        whole = share is ONE
        credited = task if whole else exact(task * share)
        parts.append(
            Part(
                person,
                cid,
                credited,
                side if whole or not side else side * share,
                task if single is None else single,
                implementation if whole or not implementation else implementation * share,
                credited if outside else ZERO,
            )
        )
        if outside:
            lines.append(outside_line(c, person, credited, net, kind, task_share, share, split_clause, extra))
            continue
        if not extra:  # a million of these in a large quarter: a row each, no Line
            rows.append(
                (
                    person,
                    clause,
                    (
                        credited,
                        cid,
                        c.date,
                        kind,
                        c.amount,
                        c.partner_share,
                        c.expenses,
                        c.entertainment,
                        c.travel,
                        net,
                        c.gross_margin,
                        task_share,
                        side_rate,
                        side_base,
                        share,
                        split_clause,
                    ),
                )
            )
            continue
        inputs = {
            "collection": cid,
            "date": c.date,
            "kind": kind,
            "amount": c.amount,
            "partner_share": c.partner_share,
            "expenses": c.expenses,
            "entertainment": c.entertainment,
            "travel": c.travel,
            "net": net,
            "gross_margin": c.gross_margin,
            "task_share": task_share,
            "side_rate": side_rate,
            "side_base": side_base,
            "implementation_quote": contract.implementation_quote,
            "implementation_billed": contract.implementation,
            "topped_up": extra,
            "share": share,
            "split_clause": split_clause,
        }
        lines.append(
            Line(
                person,
                AM,
                credited,
                INFO,
                "task_credit",
                clause,
                f"回款 {cid}（{kind}）净额 {fmt(net)}，实施低于标准报价补足 {fmt(extra)}，"
                f"计入任务 {fmt(credited)}（份额 {share}）",
                f"collection {cid} ({kind}): net {fmt(net)}, implementation topped up to the quote by "
                f"{fmt(extra)}, task credit {fmt(credited)} (share {share})",
                inputs,
            )
        )
    return parts, lines, rows


def outside_line(c: Collection, person, credited, net, kind, task_share, share, split_clause, extra) -> Line:
    """A collection of a project outside the funnel, credited to the task and to no bonus
    (002/KAD §二5, under ``outside_funnel_counts_for_task``)."""
    return Line(
        person,
        AM,
        credited,
        INFO,
        "task_credit",
        OUTSIDE_FUNNEL,
        f"回款 {c.id}（{kind}）的项目未进入销售漏斗/CRM：净额 {fmt(net)}，计业绩（计入任务）{fmt(credited)}"
        f"（份额 {share}），不计提奖金",
        f"collection {c.id} ({kind}): project outside the sales funnel / CRM: net {fmt(net)}, counts for "
        f"the task {fmt(credited)} (share {share}), earns no bonus",
        {
            "collection": c.id,
            "date": c.date,
            "kind": kind,
            "amount": c.amount,
            "net": net,
            "gross_margin": c.gross_margin,
            "task_share": task_share,
            "topped_up": extra,
            "share": share,
            "split_clause": split_clause,
            "outside_funnel": True,
            "bonus": False,
        },
    )


class Credited(NamedTuple):
    """A period's credit: the lines explaining it (Lines and LineTables) and its parts summed per
    person in their order ({person: {task, side, implementation, side_collections,
    big_deal_credit, outside}}): ``side_collections`` the collections that paid a side bonus,
    ``outside`` the task credit from projects outside the funnel (002/KAD §二5: no bonus),
    ``big_deal_credit`` the task credit from single deals above ``big_deal_over`` (a preset
    without that parameter: zero)."""

    lines: list[Line | LineTable]
    per_person: dict[str, dict[str, Any]]


def period_parts(facts: Facts, period: Month | Quarter, p) -> Credited:
    """The period's credited parts, and what explains them: each person's credits as a table per
    clause, closed by any Line of theirs between (a collection not credited, one topped up); a
    person's credit lines keep their collections' order within each clause. Parts are summed as
    they are made and not kept: a large quarter makes a million."""
    contracts = {k.id: k for k in facts.contracts}
    contains = period.contains
    collections = sorted((c for c in facts.collections if contains(c.date)), key=attrgetter("date", "id"))
    terms = terms_of(p)
    big_over = p.get("big_deal_over")
    # 单产 (a single deal) is a contract: the sum of its collections' credit in the period
    singles: dict[str, Decimal] = {}
    for c in collections:
        if c.contract and c.in_crm:
            singles[c.contract] = singles.get(c.contract, ZERO) + sum(
                (pt.task_credit for pt in credit(c, p, contracts.get(c.contract), terms=terms)[0]), ZERO
            )
    blocks: list[Line | LineTable] = []
    per_person: dict[str, dict[str, Any]] = {}
    open_tables: dict[str, dict[str, LineTable]] = {}  # person -> clause -> the table rows go to
    for c in collections:
        contract = c.contract
        cp, cl, rows = credit(
            c,
            p,
            contracts.get(contract) if contract else None,
            singles.get(contract) if contract else None,
            terms,
        )
        for part in cp:
            row = per_person.get(part.person)
            if row is None:
                row = per_person[part.person] = {
                    "task": ZERO,
                    "side": ZERO,
                    "implementation": ZERO,
                    "side_collections": [],
                    "big_deal_credit": ZERO,
                    "outside": ZERO,
                }
            row["task"] += part.task_credit
            if part.outside:
                row["outside"] += part.outside
            if part.side_bonus:
                row["side"] += part.side_bonus
                row["side_collections"].append(part.collection)
            if part.implementation:
                row["implementation"] += part.implementation
            if big_over is not None and part.largest_single > big_over:
                row["big_deal_credit"] += part.task_credit
        for line in cl:
            blocks.append(line)
            open_tables.pop(line.person, None)
        for person, clause, row in rows:
            tables = open_tables.get(person)
            if tables is None:
                tables = open_tables[person] = {}
            table = tables.get(clause)
            if table is None:
                table = tables[clause] = credit_table(person, clause)
                blocks.append(table)
            table.rows.append(row)
    return Credited(blocks + implementation_flags(facts, period, p), per_person)


def implementation_flags(facts: Facts, period, p) -> list[Line]:
    """002/KAB §二3: implementation revenue below 30% of the contract total is flagged."""
    lines = []
    collectors_of: dict[str, set[str]] = {}  # one pass over the collections, not one per contract
    for c in facts.collections:
        if c.contract is not None and period.contains(c.date):
            collectors_of.setdefault(c.contract, set()).add(c.rep)
    for contract in facts.contracts:
        collectors = sorted(collectors_of.get(contract.id, ()))
        floor = contract.total * p["implementation_min_share"]
        if collectors and contract.implementation < floor:
            lines += [
                Line(
                    rep,
                    AM,
                    Decimal(1),
                    FLAG,
                    "implementation_share_low",
                    "002/KAB §二3",
                    f"合同 {contract.id} 实施收入 {fmt(contract.implementation)} "
                    f"低于合同总价 {fmt(contract.total)} 的 30%",
                    f"contract {contract.id}: implementation {fmt(contract.implementation)} is below 30% "
                    f"of its total {fmt(contract.total)}",
                    {
                        "contract": contract.id,
                        "total": contract.total,
                        "implementation": contract.implementation,
                        "minimum": floor,
                    },
                )
                for rep in collectors
            ]
    return lines
