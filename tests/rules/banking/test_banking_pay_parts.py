"""Banking §五(二) parts 2-5 (docs/rules.md §3.5): not configured by default and said so; when a bank
sets a part's table, paid by it — both sides of every band edge, each figure worked by hand."""

from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcli.documents import read_document
from kamkit.errors import ConfigError
from kamkit.explain import CNY, INFO, totals
from kamkit.facts_schema import load_facts
from plugins.banking import BankingPlugin
from plugins.banking.pay_parts import banded

P = BankingPlugin()
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "banking.yaml"
PART = {2: "002/LOAN §五(二)2", 3: "002/LOAN §五(二)3", 4: "002/LOAN §五(二)4", 5: "002/LOAN §五(二)5"}
NEW_BALANCE = [{"above": 0, "rate": "0.001"}, {"above": 1000000, "rate": "0.002"}]
BALANCE = [{"above": 0, "rate": "0.0005"}, {"above": 5000000, "rate": "0.001"}]
QUALITY = [{"upto": "0.01", "pay": 150}, {"upto": "0.005", "pay": 300}]  # any order: read lowest first
AVERAGE = [{"from": 100000, "pay": 200}, {"from": 50000, "pay": 100}]


def month(books, plugin=P, people=None):
    """The March statement of manager m (junior) with these portfolios."""
    people = people or [
        {"id": "m", "role": "account_manager", "grade": "junior", "grade_since": "2020-01-01"}
    ]
    facts = load_facts(
        {
            "month": "2026-03",
            "people": people,
            "portfolios": [{"manager": "m", "month": "2026-03", **b} for b in books],
        }
    )
    return plugin.commission_month(facts).lines


def part(lines, number):
    (line,) = [l for l in lines if l.clause == PART[number]]
    return line


def pay(number, book, **tables):
    """(kind, unit, figure) of one part for one month-end book, under these tables."""
    line = part(month([book], BankingPlugin(tables)), number)
    return line.kind, line.unit, line.figure


# --- not configured: stated, never paid as 0 ---------------------------------------------------------


def test_parts_2_to_5_are_stated_as_not_configured_by_default():
    lines = month([{"balance": 1000000, "new_balance": 200000, "borrowers": 10}])
    unset = [l for l in lines if l.kind == "pay_part_not_configured"]
    assert [(l.clause, l.unit, l.figure) for l in unset] == [(PART[n], INFO, None) for n in (2, 3, 4, 5)]
    assert [l.inputs["parameter"] for l in unset] == [
        "new_balance_rates",
        "balance_rates",
        "quality_rates",
        "average_rates",
    ]
    assert (
        "not configured: the seed's rate table is cut off; set parameter new_balance_rates"
        in unset[0].reason_en
    )
    assert "请设置参数 new_balance_rates" in unset[0].reason_zh
    # no CNY line for them: the junior's pay is his base 2,200 alone
    assert totals(lines, CNY) == {"m": 2200}
    assert not [l for l in lines if l.unit == CNY and l.kind != "base_pay"]


def test_not_configured_is_said_to_every_customer_manager_with_or_without_a_book():
    people = [
        {"id": "m", "role": "account_manager"},  # an account manager without grade or book
        {"id": "r", "role": "referrer"},  # not a customer manager: nothing
        {"id": "x", "role": "branch_manager"},  # a book of the month makes him one
    ]
    facts = load_facts(
        {
            "month": "2026-03",
            "people": people,
            "portfolios": [{"manager": "x", "month": "2026-03", "balance": 1}],
        }
    )
    lines = P.commission_month(facts).lines
    unset = {(l.person, l.clause) for l in lines if l.kind == "pay_part_not_configured"}
    assert unset == {(p, PART[n]) for p in ("m", "x") for n in (2, 3, 4, 5)}


def test_one_part_set_the_others_still_not_configured():
    lines = month(
        [{"balance": 1000000, "new_balance": 200000}], BankingPlugin({"new_balance_rates": NEW_BALANCE})
    )
    assert [(l.clause, l.kind) for l in lines if l.clause in PART.values()] == [
        (PART[2], "new_balance_pay"),
        (PART[3], "pay_part_not_configured"),
        (PART[4], "pay_part_not_configured"),
        (PART[5], "pay_part_not_configured"),
    ]


def test_a_set_part_without_a_month_end_book_says_so():
    tables = {"new_balance_rates": NEW_BALANCE, "quality_rates": QUALITY}
    lines = month([], BankingPlugin(tables))
    assert [(l.clause, l.kind, l.figure) for l in lines if l.clause in (PART[2], PART[4])] == [
        (PART[2], "pay_part_no_portfolio", None),
        (PART[4], "pay_part_no_portfolio", None),
    ]


# --- part 2: new balance, band by band --------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_balance", "figure"),
    [
        # below the second band's edge: 999,999.99 x 0.1% = 999.99999
        ("999999.99", D("999.99999")),
        # on the edge: 1,000,000 x 0.1% = 1,000
        ("1000000", D(1000)),
        # a cent above: 1,000 + 0.01 x 0.2% = 1,000.00002
        ("1000000.01", D("1000.00002")),
        # 1,000 + 500,000 x 0.2% = 2,000
        ("1500000", D(2000)),
        # no increase, or a fall: nothing (a part never docks pay)
        ("0", D(0)),
        ("-200000", D(0)),
    ],
)
def test_new_balance_pay_either_side_of_each_band(new_balance, figure):
    book = {"balance": 5000000, "new_balance": new_balance}
    assert pay(2, book, new_balance_rates=NEW_BALANCE) == ("new_balance_pay", CNY, figure)


def test_new_balance_below_the_first_edge_earns_nothing():
    # a bank paying only above 100,000: 100,000 earns 0, 100,001 earns 1 x 1% = 0.01
    table = [{"above": 100000, "rate": "0.01"}]
    assert pay(2, {"balance": 1, "new_balance": 100000}, new_balance_rates=table)[2] == 0
    assert pay(2, {"balance": 1, "new_balance": 100001}, new_balance_rates=table)[2] == D("0.01")


# --- part 3: balance maintained ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "figure"),
    [
        # 4,999,999.99 x 0.05% = 2,499.999995
        ("4999999.99", D("2499.999995")),
        # 5,000,000 x 0.05% = 2,500
        ("5000000", D(2500)),
        # 2,500 + 0.01 x 0.1% = 2,500.00001
        ("5000000.01", D("2500.00001")),
        # 2,500 + 1,000,000 x 0.1% = 3,500
        ("6000000", D(3500)),
        ("0", D(0)),
    ],
)
def test_balance_pay_either_side_of_each_band(balance, figure):
    assert pay(3, {"balance": balance}, balance_rates=BALANCE) == ("balance_pay", CNY, figure)


def test_balance_part_base_is_a_reading():
    book = {"balance": 5000000, "overdue_balance": 100000}
    # [reading] balance: 5,000,000 x 0.05% = 2,500; performing: (5,000,000 - 100,000) x 0.05% = 2,450
    assert pay(3, book, balance_rates=BALANCE)[2] == 2500
    assert pay(3, book, balance_rates=BALANCE, balance_part_base="performing")[2] == 2450
    with pytest.raises(ConfigError, match="balance_part_base"):
        BankingPlugin({"balance_part_base": "average"})


# --- part 4: loan quality by the overdue rate ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overdue", "figure"),
    [
        # of 1,000,000: 0 -> 0% <= 0.5%: 300
        ("0", D(300)),
        # 5,000 -> 0.5% exactly, not above 0.5%: 300
        ("5000", D(300)),
        # 5,000.01 -> 0.500001% > 0.5%, <= 1%: 150
        ("5000.01", D(150)),
        # 10,000 -> 1% exactly: 150
        ("10000", D(150)),
        # 10,000.01 -> above every band: 0, stated
        ("10000.01", D(0)),
    ],
)
def test_quality_pay_either_side_of_each_band(overdue, figure):
    book = {"balance": 1000000, "overdue_balance": overdue}
    assert pay(4, book, quality_rates=QUALITY) == ("quality_pay", CNY, figure)


def test_quality_without_a_balance_is_not_applicable_never_0_percent():
    line = part(month([{"balance": 0}], BankingPlugin({"quality_rates": QUALITY})), 4)
    assert (line.kind, line.unit, line.figure) == ("pay_part_not_applicable", INFO, None)


# --- part 5: average loan per borrower ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "borrowers", "figure"),
    [
        # 999,999.99 / 20 = 49,999.9995 < 50,000: below every band, 0
        ("999999.99", 20, D(0)),
        # 1,000,000 / 20 = 50,000: 100
        ("1000000", 20, D(100)),
        # 1,999,999.99 / 20 = 99,999.9995: 100
        ("1999999.99", 20, D(100)),
        # 2,000,000 / 20 = 100,000: 200
        ("2000000", 20, D(200)),
        # 2,000,000 / 21 = 95,238.09...: 100
        ("2000000", 21, D(100)),
    ],
)
def test_average_pay_either_side_of_each_band(balance, borrowers, figure):
    book = {"balance": balance, "borrowers": borrowers}
    assert pay(5, book, average_rates=AVERAGE) == ("average_pay", CNY, figure)


def test_average_without_borrowers_is_not_applicable():
    line = part(month([{"balance": 1000000}], BankingPlugin({"average_rates": AVERAGE})), 5)
    assert (line.kind, line.unit, line.figure) == ("pay_part_not_applicable", INFO, None)


# --- the tables, checked; the quarter ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tables", "field"),
    [
        ({"new_balance_rates": [{"from": 0, "rate": "0.001"}]}, "new_balance_rates.0"),
        ({"balance_rates": [{"above": 0, "rate": "0.001", "pay": 5}]}, "balance_rates.0"),
        ({"balance_rates": [{"above": 0, "rate": "1.5"}]}, "balance_rates.0.rate"),
        ({"quality_rates": [{"upto": "0.01", "pay": -150}]}, "quality_rates.0"),
        ({"quality_rates": [{"upto": 2, "pay": 150}]}, "quality_rates.0.upto"),
        ({"average_rates": [{"from": 5, "pay": 1}, {"from": 5, "pay": 2}]}, "average_rates"),
    ],
)
def test_a_rate_table_a_part_cannot_read_is_refused(tables, field):
    with pytest.raises(ConfigError) as refused:
        BankingPlugin(tables)
    assert field in {e["field"] for e in refused.value.errors}


def test_all_parts_set_paid_each_month_of_the_quarter():
    tables = {
        "new_balance_rates": NEW_BALANCE,
        "balance_rates": BALANCE,
        "quality_rates": QUALITY,
        "average_rates": AVERAGE,
    }
    books = [
        # January: new 1,200,000 -> 1,000 + 200,000 x 0.2% = 1,400; balance 6,000,000 -> 3,500;
        # overdue 30,000 / 6,000,000 = 0.5% -> 300; 6,000,000 / 50 = 120,000 -> 200: 5,400
        {
            "month": "2026-01",
            "balance": 6000000,
            "new_balance": 1200000,
            "overdue_balance": 30000,
            "borrowers": 50,
        },
        # February: balance fell (-100,000) -> 0; 5,900,000 -> 2,500 + 900 = 3,400; 59,000 / 5,900,000
        # = 1% -> 150; 5,900,000 / 100 = 59,000 -> 100: 3,650
        {
            "month": "2026-02",
            "balance": 5900000,
            "new_balance": -100000,
            "overdue_balance": 59000,
            "borrowers": 100,
        },
        # March: no book -> the four parts say so, nothing paid
    ]
    facts = load_facts(
        {
            "quarter": "2026-Q1",
            "people": [
                {"id": "m", "role": "account_manager", "grade": "junior", "grade_since": "2020-01-01"}
            ],
            "portfolios": [{"manager": "m", **b} for b in books],
        }
    )
    lines = BankingPlugin(tables).commission_quarter(facts).lines
    # base pay 2,200 x 3 = 6,600; parts 5,400 + 3,650 = 9,050: 15,650
    assert totals(lines, CNY) == {"m": D(15650)}
    by_month = {}
    for l in lines:
        if l.clause in PART.values():
            by_month.setdefault(str(l.inputs["month"]), []).append((l.kind, l.figure))
    assert by_month["2026-01"] == [
        ("new_balance_pay", 1400),
        ("balance_pay", 3500),
        ("quality_pay", 300),
        ("average_pay", 200),
    ]
    assert by_month["2026-03"] == [("pay_part_no_portfolio", None)] * 4


def test_the_example_statement_says_parts_2_to_5_are_not_configured():
    lines = P.commission_month(load_facts(read_document(EXAMPLE))).lines
    # March: ann, bo, cai, du, gao are customer managers (graded or account managers); teller, head are not
    unset = {l.person for l in lines if l.kind == "pay_part_not_configured"}
    assert unset == {"ann", "bo", "cai", "du", "gao"}
    assert len([l for l in lines if l.kind == "pay_part_not_configured"]) == 5 * 4


@given(
    st.decimals(min_value=-(10**7), max_value=10**8, places=2),
    st.decimals(min_value=-(10**7), max_value=10**8, places=2),
)
def test_banded_pay_is_never_negative_and_grows_with_the_base(a, b):
    lo, hi = sorted((a, b))
    rows = [{"above": D(r["above"]), "rate": D(r["rate"])} for r in NEW_BALANCE]
    assert D(0) <= banded(lo, rows)[0] <= banded(hi, rows)[0]
