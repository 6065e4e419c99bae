"""The buttons of /stats: each press carries the scope (0: the whole community), the period
and, for a chosen month, the month as yyyymm; so a restart loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.rules.figures import PeriodKind
from handlers.kit.callbacks import CallbackData, callback


@callback("sa")
@dataclass(frozen=True)
class StatsMenu(CallbackData):
    building: int


@callback("sp")
@dataclass(frozen=True)
class StatsShow(CallbackData):
    period: PeriodKind
    month: int  # yyyymm for PeriodKind.MONTH, else 0
    building: int


@callback("sm")
@dataclass(frozen=True)
class StatsMonths(CallbackData):
    building: int


@callback("sb")
@dataclass(frozen=True)
class StatsScopes(CallbackData):
    pass


@callback("so")
@dataclass(frozen=True)
class StatsPublic(CallbackData):
    on: bool
    building: int


@callback("sx")
@dataclass(frozen=True)
class StatsExport(CallbackData):
    what: str  # tickets, bookings, votes, notices
    fmt: str  # xlsx, csv
    period: PeriodKind
    month: int
    building: int


def month_int(day: date) -> int:
    return day.year * 100 + day.month


def int_month(value: int) -> tuple[int, int] | None:
    """yyyymm back to (year, month); None for a forged value."""
    year, month = divmod(value, 100)
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        return None
    return year, month
