"""How figures read in a line's reasons: money with thousands separators and two decimals (as
reported), a ratio as a percentage. Display only: the figures themselves stay exact."""

from __future__ import annotations

from decimal import Decimal

from kamkit.money import report


def yuan(amount: Decimal | int) -> str:
    """1840 -> '1,840.00' (rounded half-up to the cent, as a statement reports it)."""
    return f"{report(Decimal(amount)):,}"


def percent(ratio: Decimal) -> str:
    """Decimal('0.8') -> '80.00%'."""
    return f"{report(ratio * 100)}%"
