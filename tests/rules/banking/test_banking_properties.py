"""Banking plugin properties (hypothesis): tiers monotone in amount, pay never negative and
monotone, outputs deterministic whatever the order of the facts."""

import dataclasses
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kamkit.explain import CNY, POINTS
from kamkit.facts import Facts, Loan, Opportunity, Person, Portfolio
from kamkit.periods import Month, Quarter
from plugins.banking import BankingPlugin
from plugins.banking.piece_rate import progressive_pay, referrer_reward

P = BankingPlugin()
TIERS = ["micro", "small", "medium", "large"]
GRADES = [None, "assistant", "junior", "intermediate", "senior"]
money = st.decimals(min_value=0, max_value=10**8, places=2)
MONTHS = [Month(2026, m) for m in (1, 2, 3)]


@given(money, money)
def test_tier_is_monotone(a, b):
    lo, hi = sorted((a, b))

    def tier(amount):
        return P.classify(Opportunity("o", amount, Month(2026, 1).first_day)).tier

    assert TIERS.index(tier(lo)) <= TIERS.index(tier(hi))


@given(st.decimals(min_value=0, max_value=40, places=1), st.decimals(min_value=0, max_value=40, places=1))
def test_piece_pay_is_monotone_in_the_count_and_never_negative(a, b):
    lo, hi = sorted((a, b))
    assert D(0) <= progressive_pay(lo, P.params)[0] <= progressive_pay(hi, P.params)[0]


@given(money, money)
def test_referrer_reward_is_monotone_in_the_amount_and_never_negative(a, b):
    lo, hi = sorted((a, b))
    assert D(0) <= referrer_reward(lo, P.params)[0] <= referrer_reward(hi, P.params)[0]


@st.composite
def organisations(draw):
    n = draw(st.integers(1, 4))
    people = tuple(
        Person(
            f"p{i}",
            draw(st.sampled_from(["account_manager", "deputy_manager"])),
            branch="b1",
            grade=draw(st.sampled_from(GRADES)),
            start_date=Month(2024, 1).first_day,
            grade_since=Month(2025, draw(st.integers(1, 12))).first_day,
        )
        for i in range(n)
    )
    ids = [p.id for p in people] + ["outsider"]
    loans = tuple(
        Loan(
            f"l{i}",
            draw(st.sampled_from(ids[:-1])),
            draw(money),
            draw(st.sampled_from(MONTHS)).first_day,
            draw(st.sampled_from(["new", "renewal", "merge", "extension"])),
            draw(st.sampled_from([None, *ids])),
        )
        for i in range(draw(st.integers(0, 12)))
    )
    books = []
    for p in people:
        for m in MONTHS:
            if draw(st.booleans()):
                balance = draw(st.decimals(min_value=0, max_value=10**7, places=0))
                books.append(
                    Portfolio(
                        p.id,
                        m,
                        balance,
                        balance * draw(st.sampled_from([D(0), D("0.012"), D("0.03")])),
                        draw(st.integers(0, 90)),
                        loans_managed=draw(st.integers(0, 90)),
                        loans_handled=draw(st.integers(0, 200)),
                    )
                )
    opps = tuple(
        Opportunity(
            f"o{i}",
            draw(money),
            Month(2026, 3).first_day,
            branch="b1",
            account_manager=draw(st.sampled_from(ids[:-1])),
            origin=draw(st.sampled_from(["reported", "audit"])),
        )
        for i in range(draw(st.integers(0, 4)))
    )
    return Facts(
        month=Month(2026, 3),
        quarter=Quarter(2026, 1),
        people=people,
        loans=loans,
        portfolios=tuple(books),
        opportunities=opps,
    )


def reversed_facts(f: Facts) -> Facts:
    return dataclasses.replace(
        f,
        people=f.people[::-1],
        loans=f.loans[::-1],
        portfolios=f.portfolios[::-1],
        opportunities=f.opportunities[::-1],
    )


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_no_negative_pay_or_points_and_deterministic_output(facts):
    month, pay = P.assess_month(facts), P.commission_quarter(facts)
    assert all(l.figure >= 0 for l in pay.lines if l.unit == CNY)
    assert all(l.figure > 0 for l in month.lines if l.unit == POINTS)
    # same facts twice -> the same lines; the facts in another order -> the same lines too
    assert P.assess_month(facts) == month and P.commission_quarter(facts) == pay
    assert P.assess_month(reversed_facts(facts)).lines == month.lines
    assert P.commission_quarter(reversed_facts(facts)).lines == pay.lines
    assert all(l.clause in P.clauses for l in month.lines + pay.lines)
