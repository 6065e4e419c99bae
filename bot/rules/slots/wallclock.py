"""Time helpers: the local wall clock and UTC instants, DST-correct (opening ranges, the slot
grid, ISO weeks)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.rules.slots.model import _DAY_MINUTES, TimeRange
from bot.rules.slots.room import RoomRules


def _utc(dt: datetime, name: str) -> datetime:
    """``dt`` in UTC; ``ValueError`` if it is not an aware datetime."""
    if not isinstance(dt, datetime) or dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {dt!r}")
    return dt.astimezone(UTC)


def _ranges_utc(ranges: Iterable[TimeRange], name: str) -> list[TimeRange]:
    return [(_utc(s, f"{name} start"), _utc(e, f"{name} end")) for s, e in ranges]


def _local(dt: datetime, tz: tzinfo) -> datetime:
    """``dt`` on the local wall clock. Goes through UTC, so that a nonexistent wall time attached
    directly to ``tz`` (e.g. 02:30 on a spring-forward day) is normalised to a real one."""
    return dt.astimezone(UTC).astimezone(tz)


def _wall_instants(day: date, minute: int, tz: tzinfo) -> list[datetime]:
    """The instants (UTC) at which the wall clock shows ``day`` + ``minute``: none in a DST gap,
    two in a DST fold, one otherwise."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    return sorted(found)


def _boundary(day: date, minute: int, tz: tzinfo, *, latest: bool) -> datetime:
    """The instant of an opening boundary. In a fold, the earliest occurrence for an opening and
    the latest for a closing; in a gap, the transition (the first wall minute that exists)."""
    for extra in range(2 * _DAY_MINUTES):
        found = _wall_instants(day, minute + extra, tz)
        if found:
            return found[-1] if latest else found[0]
    raise ValueError(f"no local time exists near {day} +{minute} min in {tz}")  # pragma: no cover


def _open_ranges(day: date, rules: RoomRules, tz: tzinfo) -> list[TimeRange]:
    ranges: list[TimeRange] = []
    for start, end in rules.open_minutes(day.weekday()):
        lo = _boundary(day, start, tz, latest=False)
        hi = _boundary(day, end, tz, latest=True)
        if lo < hi:
            ranges.append((lo, hi))
    return ranges


def _grid(day: date, rules: RoomRules, tz: tzinfo) -> list[TimeRange]:
    """The slots of ``day`` (UTC instants), in time order."""
    length = timedelta(minutes=rules.slot_minutes)
    slots: list[TimeRange] = []
    for (first, last), (lo, hi) in zip(
        rules.open_minutes(day.weekday()), _open_ranges(day, rules, tz), strict=True
    ):
        for minute in range(first, last, rules.slot_minutes):
            for start in _wall_instants(day, minute, tz):
                if lo <= start and start + length <= hi:
                    slots.append((start, start + length))
    return sorted(set(slots))


def _on_grid(dt: datetime, rules: RoomRules, tz: tzinfo) -> bool:
    local = _local(dt, tz)
    minute = local.hour * 60 + local.minute
    return local.second == 0 and local.microsecond == 0 and minute % rules.slot_minutes == 0


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _iso_week(dt: datetime, tz: tzinfo) -> tuple[int, int]:
    year, week, _ = _local(dt, tz).date().isocalendar()
    return (year, week)
