from datetime import date
from decimal import Decimal

import pytest

from kamkit.money import D, fmt, pct, report
from kamkit.periods import Month, Quarter, months_between


def test_money_refuses_float_and_rounds_half_up_only_when_reported():
    with pytest.raises(TypeError):
        D(0.1)
    with pytest.raises(TypeError):
        D(True)
    with pytest.raises(ValueError):
        D("NaN")
    # 0.005 rounds half-up to 0.01 (banker's rounding would give 0.00)
    assert report(D("0.005")) == Decimal("0.01")
    assert report(D("2.675")) == Decimal("2.68")
    assert fmt(D("9600")) == "9600.00"
    # 8% of 12,345.67 = 987.6536 kept exact until reported as 987.65
    exact = D("12345.67") * pct(8)
    assert exact == Decimal("987.6536")
    assert report(exact) == Decimal("987.65")


def test_month_and_quarter_arithmetic():
    assert Month.parse("2026-12").next() == Month(2027, 1)
    assert Month.parse("2026-01").previous() == Month(2025, 12)
    assert Month(2024, 2).last_day == date(2024, 2, 29)
    assert Month(2026, 5).quarter == Quarter(2026, 2)
    assert Quarter.parse("2026-q4").next() == Quarter(2027, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert [str(m) for m in Quarter(2026, 3).months] == ["2026-07", "2026-08", "2026-09"]
    assert Quarter(2026, 1).contains(date(2026, 3, 31)) and not Quarter(2026, 1).contains(date(2026, 4, 1))
    for bad in ("2026-13", "2026-00", "26-01", "March"):
        with pytest.raises(ValueError):
            Month.parse(bad)
    with pytest.raises(ValueError):
        Quarter.parse("2026-Q5")


def test_months_between_counts_whole_months():
    # 15 Jan -> 14 Jul is 5 whole months; -> 15 Jul is 6
    assert months_between(date(2026, 1, 15), date(2026, 7, 14)) == 5
    assert months_between(date(2026, 1, 15), date(2026, 7, 15)) == 6
    assert months_between(date(2025, 11, 30), date(2026, 2, 28)) == 2
