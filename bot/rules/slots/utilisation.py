"""Utilisation: booked time over open time of a room in an ISO week or any run of days, exact."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta, tzinfo
from fractions import Fraction

from bot.rules.slots.model import TimeRange
from bot.rules.slots.room import RoomRules
from bot.rules.slots.wallclock import _open_ranges, _ranges_utc


def _merge(ranges: Iterable[TimeRange]) -> list[TimeRange]:
    """Sorted, disjoint, non-touching union of ``ranges`` (empty ones dropped)."""
    merged: list[TimeRange] = []
    for start, end in sorted((s, e) for s, e in ranges if s < e):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersect(a: list[TimeRange], b: list[TimeRange]) -> list[TimeRange]:
    """Intersection of two merged lists."""
    out: list[TimeRange] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(a: list[TimeRange], b: list[TimeRange]) -> list[TimeRange]:
    """``a`` minus ``b``, both merged lists."""
    out: list[TimeRange] = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def _microseconds(ranges: Iterable[TimeRange]) -> int:
    return sum((end - start) // timedelta(microseconds=1) for start, end in ranges)


def utilisation(
    rules: RoomRules,
    tz: tzinfo,
    week_start: date,
    bookings: Sequence[TimeRange],
    *,
    blackouts: Sequence[TimeRange] = (),
) -> Fraction:
    """Booked time / open time of the room in the ISO week starting on Monday ``week_start``
    (``utilisation_of_days`` over its seven days). Raises ``ValueError`` if ``week_start`` is
    not a Monday.
    """
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start} ({week_start:%A})")
    return utilisation_of_days(rules, tz, week_start, 7, bookings, blackouts=blackouts)


def utilisation_of_days(
    rules: RoomRules,
    tz: tzinfo,
    first_day: date,
    days: int,
    bookings: Sequence[TimeRange],
    *,
    blackouts: Sequence[TimeRange] = (),
) -> Fraction:
    """Booked time / open time of the room over ``days`` local days from ``first_day`` (a week,
    a month: the figures' period).

    Open time is the real duration of those days' opening hours in ``tz`` (DST-correct), minus
    ``blackouts`` if given (blacked-out time could not be booked). Bookings are clipped to that
    time (so to opening hours and to the days), and overlapping bookings are counted once. Pass
    the bookings that count as use (normally confirmed ones). Returns 0 when there is no open
    time.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    booked = _merge(_ranges_utc(bookings, "booking"))
    blocked = _merge(_ranges_utc(blackouts, "blackout"))
    open_time: list[TimeRange] = []
    for offset in range(days):
        open_time.extend(_open_ranges(first_day + timedelta(days=offset), rules, tz))
    available = _subtract(_merge(open_time), blocked)
    total = _microseconds(available)
    if total == 0:
        return Fraction(0)
    used = _microseconds(_intersect(booked, available))
    return Fraction(used, total)
