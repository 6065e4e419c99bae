"""The period figures are counted over: this week, last week, this month, last month or a
chosen month, as local days of the community's zone and the UTC seconds they span."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum


class PeriodKind(StrEnum):
    """Callback-safe values."""

    THIS_WEEK = "tw"
    LAST_WEEK = "lw"
    THIS_MONTH = "tm"
    LAST_MONTH = "lm"
    MONTH = "m"  # a chosen month
    DAYS = "d"  # any run of days (the exports' --from … --to …)


def midnight(day: date, tz: tzinfo) -> int:
    """Local midnight at the start of ``day`` as Unix seconds."""
    return int(datetime.combine(day, time(), tzinfo=tz).timestamp())


@dataclass(frozen=True)
class Period:
    """Local days ``first`` up to (not including) ``end``; ``day_starts`` holds the Unix second
    of each day's local midnight and of ``end``'s, so a moment falls in day ``day_of(ts)``."""

    kind: PeriodKind
    first: date
    end: date
    day_starts: tuple[int, ...]

    @property
    def start_ts(self) -> int:
        return self.day_starts[0]

    @property
    def end_ts(self) -> int:
        return self.day_starts[-1]

    @property
    def days(self) -> int:
        return len(self.day_starts) - 1

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, ts: int | None) -> bool:
        return ts is not None and self.day_starts[0] <= ts < self.day_starts[-1]

    def day_of(self, ts: int) -> int:
        """The index of the period's day ``ts`` falls in (call only for ``contains(ts)``)."""
        return bisect_right(self.day_starts, ts) - 1


def span(kind: PeriodKind, first: date, end: date, tz: tzinfo) -> Period:
    if end <= first:
        raise ValueError(f"a period must hold at least one day: {first} to {end}")
    days = (end - first).days
    starts = tuple(midnight(first + timedelta(days=i), tz) for i in range(days + 1))
    return Period(kind, first, end, starts)


def days_period(first: date, last: date, tz: tzinfo) -> Period:
    """The days ``first`` to ``last``, both included."""
    return span(PeriodKind.DAYS, first, last + timedelta(days=1), tz)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_period(year: int, month: int, tz: tzinfo) -> Period:
    first = date(year, month, 1)
    return span(PeriodKind.MONTH, first, next_month(first), tz)


def period_for(kind: PeriodKind, today: date, tz: tzinfo) -> Period:
    """The period of ``kind`` around the local date ``today`` (weeks start on Monday);
    ``MONTH`` without a month is this month (use ``month_period`` for a chosen one)."""
    monday = today - timedelta(days=today.weekday())
    match kind:
        case PeriodKind.THIS_WEEK:
            return span(kind, monday, monday + timedelta(days=7), tz)
        case PeriodKind.LAST_WEEK:
            return span(kind, monday - timedelta(days=7), monday, tz)
        case PeriodKind.LAST_MONTH:
            this = month_start(today)
            return span(kind, month_start(this - timedelta(days=1)), this, tz)
        case _:
            this = month_start(today)
            return span(kind, this, next_month(this), tz)


def recent_months(today: date, count: int) -> list[date]:
    """The first days of this month and the ``count - 1`` before it, latest first (the months
    offered as "a chosen month")."""
    found = [month_start(today)]
    while len(found) < count:
        found.append(month_start(found[-1] - timedelta(days=1)))
    return found


def year_start(today: date, tz: tzinfo) -> int:
    """Local midnight of 1 January of ``today``'s year."""
    return midnight(date(today.year, 1, 1), tz)
