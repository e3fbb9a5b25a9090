"""After the replayed year (docs/rules.md §9): each line's year closed, a correction posted
forward, an inquiry rejected and one accepted, and every closed period replayed."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from demo.generator import ALL_LINES, SOFTWARE, TELECOM
from demo.run import FACT_KINDS, caught_up

LINES = ALL_LINES
YEAR = "2026"


def year_end(rpc, year: str = YEAR) -> list[str]:
    """The steps after the year, said as they are done; answers the summary's lines."""
    out = ["", "== After the year (docs/rules.md §9) =="]
    for line in LINES:
        result = rpc.assessment.close_year(line, year)
        pay = rpc.compensation.close_year(line, year)
        vetoed = sum(
            1 for l in rpc.assessment.get_year(line, year, kind="annual_veto", page=1, page_size=500)["lines"]
        )
        out.append(
            f"Year {year} of {line}: result v{result['version']} ({result['line_count']} lines, "
            f"{vetoed} people vetoed), pay v{pay['version']} ({pay['line_count']} lines)"
        )
    out += _adjustment(rpc, year)
    out += _inquiries(rpc, year)
    out += _what_if(rpc, year)
    out += replay_all(rpc)
    return out


def _what_if(rpc, year: str) -> list[str]:
    """The software line's third quarter under its progressive preset (docs/rules.md §2.4)."""
    answer = rpc.compensation.compare_period(SOFTWARE, f"{year}-Q3", plugin="software-progressive")
    total = answer["totals"].get("CNY", {"base": "0", "other": "0"})
    fang = next(p for p in answer["people"] if p["person"] == "fang")["figures"]["CNY"]
    return [
        f"What if {SOFTWARE} {year}-Q3 had been paid by software-progressive: the line "
        f"{Decimal(total['base']):,.2f} -> {Decimal(total['other']):,.2f}; fang "
        f"{Decimal(fang['base']):,.2f} -> {Decimal(fang['other']):,.2f}"
    ]


def _adjustment(rpc, year: str) -> list[str]:
    """A missed report found after November closed: its points go to January, in the new year."""
    rpc.intake.record_opportunity(
        TELECOM,
        {
            "id": "late-audit-1",
            "amount": 45000,
            "discovered": f"{year}-11-20",
            "origin": "audit",
            "branch": "gulou",
            "account_manager": "lin",
        },
        idempotency_key="demo:year-end:late-audit-1",
    )
    caught_up(rpc, "assessment", TELECOM, FACT_KINDS)
    adjusted = rpc.assessment.adjust_period(
        TELECOM, f"{year}-11", "a missed report the city audit found late"
    )
    return [
        f"Adjustment of {TELECOM} {adjusted['period']} v{adjusted['version']} "
        f"posted in {adjusted['target']}: "
        + ", ".join(f"{p} {u['points']} points" for p, u in adjusted["totals"].items())
    ]


def _inquiries(rpc, year: str) -> list[str]:
    """lin questions December's pay (rejected: it is right); another says a November deal is
    missing (accepted once it is entered: paid in January)."""
    december = f"{year}-12"
    rejected = rpc.compensation.raise_inquiry(
        TELECOM,
        december,
        {"person": "lin", "line": 0, "reason_code": "wrong_figure", "text": "my December base seems low"},
        idempotency_key="demo:year-end:inquiry-1",
    )
    rpc.compensation.answer_inquiry(TELECOM, rejected["id"], "reject", "base salary 1,800 as 003 §五 sets it")
    seller = "lin"
    missing = rpc.compensation.raise_inquiry(
        TELECOM,
        f"{year}-11",
        {
            "person": seller,
            "record": "deal late-d1",
            "reason_code": "missing_record",
            "text": "a November deal",
        },
        idempotency_key="demo:year-end:inquiry-2",
    )
    rpc.intake.record_deal(
        TELECOM,
        {
            "id": "late-d1",
            "seller": seller,
            "date": f"{year}-11-25",
            "list_price": 60000,
            "deal_price": 57000,
        },
        idempotency_key="demo:year-end:late-d1",
    )
    caught_up(rpc, "compensation", TELECOM, FACT_KINDS)
    accepted = rpc.compensation.answer_inquiry(TELECOM, missing["id"], "accept", "the deal is on file now")
    paid = accepted["adjusted"]
    money = ", ".join(f"{p} {Decimal(u['CNY']):,.2f}" for p, u in paid["totals"].items())
    return [
        f"Inquiry #{rejected['id']} on {december} pay: rejected",
        f"Inquiry #{missing['id']} on {year}-11 pay: accepted, paid in {paid['target']}: {money} CNY",
    ]


def replay_all(rpc) -> list[str]:
    """Every closed version of every line, recomputed from its recorded facts and rules."""
    outcomes: Counter = Counter()
    differing = []
    for line in LINES:
        for service in (rpc.assessment, rpc.compensation):
            for period in service.list_periods(line):
                answer = service.replay_period(line, period["period"])
                outcomes[answer["outcome"]] += 1
                if answer["outcome"] != "identical":
                    differing.append(f"  {line} {period['period']}: {answer['outcome']}")
    total = sum(outcomes.values())
    return [f"Replayed {total} closed periods: {outcomes['identical']} identical", *differing]
