"""Checks shared by every ballot (keys, aware cast times) and exact floor areas: summed
without rounding, rounded up only for display."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from decimal import MAX_PREC, Context, Decimal, Inexact, InvalidOperation, Rounded, localcontext
from fractions import Fraction


def _check_key(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


def _check_cast_at(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"cast_at must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"cast_at must be timezone-aware, got {value!r}")
    return value


def _sum_areas(values: Iterable[Decimal]) -> Decimal:
    """Sum decimals exactly, whatever the ambient decimal context (it traps any rounding)."""
    exact = Context(prec=MAX_PREC, traps=[InvalidOperation, Inexact, Rounded])
    total = Decimal(0)
    with localcontext(exact):
        for value in values:
            total += value
    return total


def area_ceil(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """Round an exact area up to ``places`` decimals, for display ("6,666.67 m² more").

    Rounding *up* keeps the advice safe: reaching the displayed figure always meets the bound.
    """
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(f"area must be a Fraction, Decimal or int, got {type(value).__name__}")
    if places < 0:
        raise ValueError("places must be >= 0")
    scaled = math.ceil(Fraction(value) * 10**places)
    return Decimal(scaled).scaleb(-places, Context(prec=MAX_PREC))
