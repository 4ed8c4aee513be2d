"""Exact money: Decimal baht, Excel-style half-up rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
BAHT = Decimal("1")


def round_half_up(value: Decimal, step: Decimal = BAHT) -> Decimal:
    """Round like Excel's ROUND: 275,254,882.5 -> 275,254,883 (Python's round() gives ...882)."""
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def to_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def whole_or_cents(value: Decimal) -> str:
    """Plain text for CSV: whole baht without decimals, otherwise two decimals."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.quantize(CENT)}"
