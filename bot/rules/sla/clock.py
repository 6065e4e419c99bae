"""Clock arithmetic, pauses and deadlines: adding clock time to an instant, measuring the
clock time between two instants (24/7 or in service hours, less paused time), and the
deadlines of a ticket moved by its pauses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.rules.sla.service_calendar import ServiceCalendar
from bot.rules.sla.targets import ClockKind, Target
from bot.rules.sla.values import _ZERO, _check_duration, _utc


def add_business_time(
    start: datetime, duration: timedelta, target: Target, cal: ServiceCalendar
) -> datetime:
    """The instant at which ``duration`` of ``target.clock`` time has run since ``start``.

    24/7 adds real time. The service clock counts only time inside service windows; when the
    duration is used up exactly at a window's end, the result is that end (20:00), not the
    next window's start. A zero duration gives ``start`` itself, also outside service hours.
    Returns an aware UTC datetime.
    """
    moment = _utc(start, "start")
    _check_duration(duration)
    if target.clock is ClockKind.TWENTY_FOUR_SEVEN or duration == _ZERO:
        return moment + duration
    remaining = duration
    for opens, closes in cal._windows_from(moment):
        begin = max(opens, moment)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: _windows_from never ends")


def business_time_between(
    a: datetime,
    b: datetime,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
) -> timedelta:
    """The ``target.clock`` time that runs from ``a`` to ``b``, less paused clock time.

    The inverse of ``add_business_time``: ``business_time_between(a, add_business_time(a, d))
    == d``. For ``b < a`` the result is negative (``-business_time_between(b, a)``). A pause
    still open (``end is None``) counts as running until ``b``.
    """
    start = _utc(a, "a")
    stop = _utc(b, "b")
    if stop < start:
        return -business_time_between(stop, start, target, cal, pauses)
    total = _raw_between(start, stop, target, cal)
    for paused_from, paused_to in _merge_pauses(start, pauses, now=stop):
        assert paused_to is not None  # open pauses were closed at `now`
        end = min(paused_to, stop)
        if end > paused_from:
            total -= _raw_between(paused_from, end, target, cal)
    return total


def _raw_between(
    start: datetime, stop: datetime, target: Target, cal: ServiceCalendar
) -> timedelta:
    if target.clock is ClockKind.TWENTY_FOUR_SEVEN:
        return stop - start
    total = _ZERO
    for opens, closes in cal._windows_from(start):
        if opens >= stop:
            break
        begin = max(opens, start)
        end = min(closes, stop)
        if end > begin:
            total += end - begin
    return total


@dataclass(frozen=True)
class Pause:
    """The clock stopped from ``start`` until ``end`` (None: still waiting for the resident)."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        _utc(self.start, "pause start")
        if self.end is not None:
            _utc(self.end, "pause end")
            if self.end < self.start:
                raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")


def due_time(
    opened_at: datetime,
    duration: timedelta,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> datetime | None:
    """The deadline ``duration`` of clock time after ``opened_at``, moved by paused clock time.

    Pauses may overlap each other (their union counts once), lie partly before ``opened_at``
    (that part is ignored) or outside service hours (only the clock time they cover counts). A
    pause that starts at or after the deadline does not move it.

    An open pause (``end is None``) that starts before the deadline is reached makes the
    deadline undefined: the result is ``None`` when ``now`` is None; when ``now`` is given, the
    open pause is taken as lasting until ``now`` (so the result is the deadline if the resident
    answered right now). If the deadline falls before the open pause starts, it is returned
    as usual.
    """
    opened = _utc(opened_at, "opened_at")
    _check_duration(duration)
    now_utc = None if now is None else _utc(now, "now")
    remaining = duration
    running_from = opened
    for paused_from, paused_to in _merge_pauses(opened, pauses, now=now_utc):
        available = _raw_between(running_from, paused_from, target, cal)
        if remaining <= available:
            return add_business_time(running_from, remaining, target, cal)
        remaining -= available
        if paused_to is None:
            return None
        running_from = paused_to
    return add_business_time(running_from, remaining, target, cal)


def due_times(
    opened_at: datetime,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> tuple[datetime | None, datetime | None]:
    """``(response_due, resolution_due)``, each as ``due_time`` computes it."""
    pause_list = list(pauses)
    return (
        due_time(opened_at, target.response, target, cal, pause_list, now),
        due_time(opened_at, target.resolution, target, cal, pause_list, now),
    )


def _merge_pauses(
    opened: datetime, pauses: Iterable[Pause], now: datetime | None
) -> list[tuple[datetime, datetime | None]]:
    """Pauses as sorted, disjoint UTC intervals starting no earlier than ``opened``.

    With ``now`` given an open pause ends at ``now`` (or at its start, if that is later);
    without it, it runs forever and swallows every later pause.
    """
    intervals: list[tuple[datetime, datetime | None]] = []
    for pause in pauses:
        begin = max(_utc(pause.start, "pause start"), opened)
        end: datetime | None
        if pause.end is not None:
            end = _utc(pause.end, "pause end")
        elif now is not None:
            end = max(now, begin)
        else:
            end = None
        if end is not None and end <= begin:
            continue
        intervals.append((begin, end))
    intervals.sort(key=lambda iv: iv[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for begin, end in intervals:
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                merged[-1] = (last_begin, None if end is None else max(last_end, end))
                continue
        merged.append((begin, end))
    return merged
