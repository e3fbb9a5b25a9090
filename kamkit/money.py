"""Decimal money and points.

Figures stay exact through every intermediate step; they are rounded half-up to
0.01 only when reported (docs/rules.md preamble). Floats are refused outright so a
binary fraction can never creep into a yuan.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
WAN = Decimal("10000")  # 1 万


def D(value) -> Decimal:
    """Exact Decimal from int, str or Decimal. Floats are rejected (use a string)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        raise TypeError(f"float {value!r} refused: pass money and rates as str or Decimal")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    raise TypeError(f"cannot make a Decimal from {type(value).__name__}")


def report(value: Decimal) -> Decimal:
    """Round half-up to 0.01: the only rounding the suite does, at reporting time."""
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(value) -> Decimal:
    """'8' -> 0.08: percentages in parameters are written as percent for readability."""
    return D(value) / Decimal(100)


def fmt(value: Decimal) -> str:
    """Reported string form, e.g. Decimal('9600') -> '9600.00'."""
    return f"{report(value):f}"
