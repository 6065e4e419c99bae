"""Shared room booking rules (共享空间预约): slot grid, booking checks, quotas, utilisation.

This module is pure: no Telegram, no database, no clock reads (``now`` is always passed in) and
only the standard library. Everything is computed in the room's local zone (a ``tzinfo``, normally
``zoneinfo.ZoneInfo``); all datetimes passed in must be timezone-aware, and ``ValueError`` is
raised for naive ones (that is a programming error, not user input).

Conventions
-----------
* Intervals are half-open ``[start, end)``. Two bookings that touch end-to-start do not overlap;
  overlapping by one minute does.
* The slot grid is anchored at local midnight: a time is "on the grid" when its local wall-clock
  minute of the day is a multiple of ``slot_minutes`` (with zero seconds). Opening hours must lie
  on that grid, and ``slot_minutes`` must divide a day (1440) evenly.
* Lengths are real elapsed minutes (``end - start``), not wall-clock differences.
* Daylight saving time: the grid is laid on the local wall clock of the day. A wall time that does
  not exist (the skipped hour when clocks spring forward) yields no slot; a wall time that occurs
  twice (clocks falling back) yields two slots, one for each occurrence. Every slot lasts exactly
  ``slot_minutes`` of real time, so on Europe/Berlin's spring-forward day the 01:30 slot of a
  30-minute grid runs 01:30-03:00 on the wall clock, and a 00:00-24:00 room has 23 hours of slots
  (25 hours on the fall-back day). An opening boundary that falls into a skipped hour is moved to
  the transition instant. Asia/Shanghai has no DST, so none of this matters there.
* Opening hours are per weekday and do not run past midnight; a booking must lie within one
  opening interval of its start's local day, so it can span neither a closing time (nor a lunch
  break between split hours) nor midnight. "24:00" is accepted as a closing time.
* "At most N" includes N everywhere (quotas, maximum length, advance days); the exact bounds are
  documented on each rule in :class:`Violation`.

Typical use in the booking flow::

    rules = rules_from_mapping(room_row_json)
    grid = day_slots(day, rules, tz, busy, now)             # buttons; FREE+can_start are tappable
    lengths = allowed_lengths(slot.start, rules, tz, busy, now)
    problems = check_booking(start, end, household, rules, tz, busy, now,
                             household_bookings_this_week=mine)
    if not problems:                                        # re-check inside the DB transaction
        kind = BusyKind.PENDING if requires_approval(rules) else BusyKind.BOOKING
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

__all__ = [
    "END_OF_DAY",
    "STAFF_BYPASS",
    "WEEKDAY_NAMES",
    "Busy",
    "BusyKind",
    "HouseholdKey",
    "RoomRules",
    "Slot",
    "SlotState",
    "TimeRange",
    "Violation",
    "allowed_lengths",
    "can_cancel",
    "check_booking",
    "day_slots",
    "requires_approval",
    "rules_from_mapping",
    "rules_to_mapping",
    "utilisation",
]

HouseholdKey = int | str
"""Whatever identifies a household in storage (its id or a stable key)."""

TimeRange = tuple[datetime, datetime]
"""A half-open interval ``(start, end)`` of aware datetimes."""

END_OF_DAY = time.max
"""Stands for "24:00" as a closing time in :attr:`RoomRules.opening`."""

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAY_NAMES = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_DAY_MINUTES = 24 * 60
_ZERO = timedelta(0)


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


class Violation(StrEnum):
    """Why a booking is refused. Values are stable codes, usable as translation keys.

    ``check_booking`` returns them in the order declared here.
    """

    NOT_ALIGNED = "not_aligned"
    """Start or end is not on the slot grid, or the length is not a whole number of slots."""
    TOO_SHORT = "too_short"
    """Length < ``min_minutes`` (also any end <= start). Exactly ``min_minutes`` is fine."""
    TOO_LONG = "too_long"
    """Length > ``max_minutes``. Exactly ``max_minutes`` is fine."""
    OUTSIDE_HOURS = "outside_hours"
    """Not entirely within one opening interval of the start's local day (closed day, before
    opening, spanning a closing time, a break between split hours, or midnight)."""
    IN_PAST = "in_past"
    """start < now. (start == now is not in the past; it is usually TOO_SOON.)"""
    TOO_SOON = "too_soon"
    """now <= start < now + notice_minutes. start == now + notice_minutes is fine."""
    TOO_FAR = "too_far"
    """The start's local date is more than ``advance_days`` after today's local date: today +
    advance_days is fine, one day more is refused (the time of day does not matter)."""
    OVERLAP = "overlap"
    """Overlaps a booking or a pending (awaiting approval) booking."""
    BUFFER = "buffer"
    """Does not overlap, but is less than ``buffer_minutes`` from a booking or pending booking:
    it must start >= buffer after an existing one ends and end <= buffer before the next
    starts (exactly the buffer apart is fine). Blackouts need no cleaning buffer."""
    BLACKOUT = "blackout"
    """Overlaps a blackout (maintenance or staff block)."""
    QUOTA_COUNT = "quota_count"
    """The household would exceed ``quota_per_week`` bookings in the start's ISO week."""
    QUOTA_HOURS = "quota_hours"
    """The household would exceed ``quota_minutes_per_week`` booked in the start's ISO week."""
    NEEDS_APPROVAL = "needs_approval"
    """The approval rule. Never returned by ``check_booking`` (a booking that needs approval is
    not refused, it is created as pending); listed so that :data:`STAFF_BYPASS` can say that
    staff bookings skip approval. Use :func:`requires_approval`."""


STAFF_BYPASS: frozenset[Violation] = frozenset(
    {
        Violation.TOO_SOON,
        Violation.TOO_FAR,
        Violation.TOO_LONG,
        Violation.QUOTA_COUNT,
        Violation.QUOTA_HOURS,
        Violation.NEEDS_APPROVAL,
    }
)
"""Rules staff may bypass when they book a room for the community (``as_staff=True``).

Bypassed, because they exist to share the room fairly among households, and a community booking
(a joint meeting, an activity for elderly residents) is not a household's:

* TOO_SOON, TOO_FAR: staff arrange things at short notice and plan events months ahead.
* TOO_LONG: an event may need an afternoon; the maximum length is a fairness rule.
* QUOTA_COUNT, QUOTA_HOURS: a community booking does not use up any household's quota.
* NEEDS_APPROVAL: staff are the approvers.

Never bypassed, because breaking them harms a resident or makes no sense:

* OVERLAP, BUFFER: a resident's confirmed booking (and the cleaning after it) is never silently
  double-booked. To take a room from residents, staff create a blackout, which tells the affected
  bookings (that is a separate, explicit path).
* BLACKOUT: the room is out of use (maintenance).
* OUTSIDE_HOURS: opening hours are when the room is unlocked and may be used without disturbing
  neighbours; an exceptional opening is a change of the room's rules, not a booking.
* IN_PAST: a booking in the past is meaningless.
* NOT_ALIGNED, TOO_SHORT: they keep the slot grid whole; nothing is gained by breaking them.
"""


class BusyKind(StrEnum):
    BOOKING = "booking"
    """A confirmed booking."""
    PENDING = "pending"
    """A booking awaiting staff approval: it holds its slot like a confirmed one."""
    BLACKOUT = "blackout"
    """Staff have blocked the room (maintenance, community use via a block)."""


@dataclass(frozen=True)
class Busy:
    """An existing booking, pending booking or blackout of the room."""

    start: datetime
    end: datetime
    kind: BusyKind
    household: HouseholdKey | None = None
    """The household that booked it; None for blackouts and community bookings."""

    @property
    def interval(self) -> TimeRange:
        return (self.start, self.end)


class SlotState(StrEnum):
    FREE = "free"
    """Nobody holds it and it may be part of a booking now."""
    TAKEN = "taken"
    """A booking or pending booking covers (part of) it; see ``Slot.occupant``."""
    BLACKOUT = "blackout"
    """A blackout covers (part of) it."""
    CLOSED = "closed"
    """Open hours, but not bookable now: started already, before the minimum notice, or beyond
    the maximum advance."""
    BUFFER = "buffer"
    """Free, but within the cleaning buffer of a booking, so no booking may cover it."""


@dataclass(frozen=True)
class Slot:
    """One cell of a day's grid. Times are in the room's zone.

    State precedence when several apply: BLACKOUT, TAKEN, CLOSED, BUFFER, FREE (so a taken slot
    in the past still shows as taken).
    """

    start: datetime
    end: datetime
    state: SlotState
    occupant: Busy | None = None
    """The busy interval behind a TAKEN or BLACKOUT state (never show its household to others)."""
    can_start: bool = False
    """True iff the slot is FREE and at least one length may be booked from its start (e.g. the
    last free slot before closing cannot start a booking when the minimum is two slots)."""


def _minute_of_day(t: time, what: str) -> int:
    if t == END_OF_DAY:
        return _DAY_MINUTES
    if t.second or t.microsecond or t.tzinfo is not None:
        raise ValueError(f"{what}: {t} must be a naive time of whole minutes")
    return t.hour * 60 + t.minute


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _time_of_minute(minute: int) -> time:
    return END_OF_DAY if minute == _DAY_MINUTES else time(minute // 60, minute % 60)


@dataclass(frozen=True)
class RoomRules:
    """The booking rules of one room. All durations are in minutes.

    ``opening`` maps a weekday (0 = Monday .. 6 = Sunday) to its opening intervals of local time
    ``(start, end)``; an absent weekday is closed. Use :data:`END_OF_DAY` for a 24:00 close. It is
    normalised on construction: sorted, touching intervals merged, closed days dropped, and made
    read-only. Construction validates everything and raises ``ValueError``.

    ``capacity`` (people) is informational: it is shown to residents, not checked here.
    """

    opening: Mapping[int, Sequence[tuple[time, time]]] = field(hash=False)
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 120
    advance_days: int = 14
    notice_minutes: int = 60
    cancel_cutoff_minutes: int = 120
    quota_per_week: int | None = None
    """At most this many bookings per household per ISO week (None: no limit)."""
    quota_minutes_per_week: int | None = None
    """At most this many booked minutes per household per ISO week (None: no limit)."""
    buffer_minutes: int = 0
    capacity: int | None = None
    needs_approval: bool = False

    def __post_init__(self) -> None:
        for name in (
            "slot_minutes",
            "min_minutes",
            "max_minutes",
            "advance_days",
            "notice_minutes",
            "cancel_cutoff_minutes",
            "buffer_minutes",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")
        for name in ("quota_per_week", "quota_minutes_per_week", "capacity"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number or None, got {value!r}")
            if value < 1:
                raise ValueError(f"{name} must be at least 1 (or None for no limit), got {value}")
        if not isinstance(self.needs_approval, bool):
            raise ValueError(f"needs_approval must be true or false, got {self.needs_approval!r}")

        slot = self.slot_minutes
        if slot < 1 or _DAY_MINUTES % slot:
            raise ValueError(
                f"slot_minutes must divide a day (1440 minutes) evenly, e.g. 15, 30 or 60; "
                f"got {slot}"
            )
        if self.min_minutes < slot or self.min_minutes % slot:
            raise ValueError(
                f"min_minutes ({self.min_minutes}) must be a positive multiple of "
                f"slot_minutes ({slot})"
            )
        if self.max_minutes % slot:
            raise ValueError(
                f"max_minutes ({self.max_minutes}) must be a multiple of slot_minutes ({slot})"
            )
        if self.max_minutes < self.min_minutes:
            raise ValueError(
                f"max_minutes ({self.max_minutes}) must not be less than "
                f"min_minutes ({self.min_minutes})"
            )
        object.__setattr__(self, "opening", MappingProxyType(self._normalise_opening()))

    def _normalise_opening(self) -> dict[int, tuple[tuple[time, time], ...]]:
        if not isinstance(self.opening, Mapping):
            raise ValueError("opening must map weekdays 0..6 to lists of (start, end) times")
        slot = self.slot_minutes
        result: dict[int, tuple[tuple[time, time], ...]] = {}
        for weekday in self.opening:
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(
                    f"opening: weekday must be 0 (Monday) .. 6 (Sunday), got {weekday!r}"
                )
        for weekday in sorted(self.opening):
            name = WEEKDAY_NAMES[weekday]
            spans: list[tuple[int, int]] = []
            for pair in self.opening[weekday]:
                if not (
                    isinstance(pair, tuple)
                    and len(pair) == 2
                    and all(isinstance(t, time) for t in pair)
                ):
                    raise ValueError(f"opening {name}: expected (start, end) times, got {pair!r}")
                start_t, end_t = pair
                if start_t == END_OF_DAY:
                    raise ValueError(f"opening {name}: 24:00 can only be a closing time")
                start = _minute_of_day(start_t, f"opening {name}")
                end = _minute_of_day(end_t, f"opening {name}")
                label = f"{_format_minute(start)}-{_format_minute(end)}"
                if end <= start:
                    raise ValueError(
                        f"opening {name} {label}: the end must be after the start (opening past "
                        f"midnight is not supported: split it at 24:00)"
                    )
                for minute in (start, end):
                    if minute % slot:
                        raise ValueError(
                            f"opening {name} {label}: {_format_minute(minute)} is not on the "
                            f"{slot}-minute slot grid"
                        )
                spans.append((start, end))
            spans.sort()
            merged: list[tuple[int, int]] = []
            for start, end in spans:
                if merged and start < merged[-1][1]:
                    prev = merged[-1]
                    raise ValueError(
                        f"opening {name}: {_format_minute(prev[0])}-{_format_minute(prev[1])} and "
                        f"{_format_minute(start)}-{_format_minute(end)} overlap"
                    )
                if merged and start == merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
                else:
                    merged.append((start, end))
            if merged:
                result[weekday] = tuple(
                    (_time_of_minute(start), _time_of_minute(end)) for start, end in merged
                )
        return result

    @property
    def quota_hours_per_week(self) -> Fraction | None:
        """The hours quota as an exact number of hours (None: no limit)."""
        if self.quota_minutes_per_week is None:
            return None
        return Fraction(self.quota_minutes_per_week, 60)

    def open_minutes(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """Opening intervals of ``weekday`` as (start, end) local minutes of the day (<= 1440)."""
        return tuple(
            (_minute_of_day(start, "opening"), _minute_of_day(end, "opening"))
            for start, end in self.opening.get(weekday, ())
        )


# --------------------------------------------------------------------------------------------
# Loading and saving
# --------------------------------------------------------------------------------------------

_INT_KEYS = (
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "advance_days",
    "notice_minutes",
    "cancel_cutoff_minutes",
    "buffer_minutes",
)
_OPTIONAL_INT_KEYS = ("quota_per_week", "quota_minutes_per_week", "capacity")
_KNOWN_KEYS = frozenset(
    {"open", "quota_hours_per_week", "needs_approval", *_INT_KEYS, *_OPTIONAL_INT_KEYS}
)
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _parse_day(token: str, key: str) -> int:
    token = token.strip().lower()
    for names in (WEEKDAY_NAMES, _FULL_WEEKDAY_NAMES):
        if token in names:
            return names.index(token)
    raise ValueError(
        f"open: unknown day {token!r} in {key!r}; use mon, tue, wed, thu, fri, sat, sun, "
        f"ranges like 'mon-fri', or 'daily'"
    )


def _parse_days(key: object) -> list[int]:
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"open: day key must be text like 'mon-fri' or 'daily', got {key!r}")
    days: list[int] = []
    for part in key.split(","):
        part = part.strip().lower()
        if part in ("daily", "everyday", "every day"):
            days.extend(range(7))
        elif "-" in part:
            first_s, _, last_s = part.partition("-")
            first, last = _parse_day(first_s, key), _parse_day(last_s, key)
            if last < first:
                raise ValueError(
                    f"open: day range {part!r} runs backwards; write it as two ranges, "
                    f"e.g. 'fri-sun,mon'"
                )
            days.extend(range(first, last + 1))
        else:
            days.append(_parse_day(part, key))
    return days


def _parse_clock(hour_s: str, minute_s: str, text: str, key: str) -> int:
    hour, minute = int(hour_s), int(minute_s)
    if (hour, minute) == (24, 0):
        return _DAY_MINUTES
    if hour > 23 or minute > 59:
        raise ValueError(f"open[{key!r}]: bad time {hour_s}:{minute_s} in {text!r}")
    return hour * 60 + minute


def _parse_hours(value: object, key: str) -> list[tuple[time, time]]:
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        parts = [p for v in value for p in v.split(",")]
    else:
        raise ValueError(
            f"open[{key!r}]: hours must be text like '08:00-21:00' (or a list of them), "
            f"got {value!r}"
        )
    parts = [p.strip() for p in parts if p.strip()]
    if parts == ["closed"]:
        return []
    result: list[tuple[time, time]] = []
    for part in parts:
        match = _HOURS_RE.match(part)
        if not match:
            raise ValueError(f"open[{key!r}]: bad hours {part!r}, expected 'HH:MM-HH:MM'")
        start = _parse_clock(match[1], match[2], part, key)
        end = _parse_clock(match[3], match[4], part, key)
        if start == _DAY_MINUTES:
            raise ValueError(f"open[{key!r}]: {part!r} starts at 24:00; 24:00 can only end hours")
        if end <= start:
            raise ValueError(
                f"open[{key!r}]: in {part!r} the end is not after the start (opening past "
                f"midnight is not supported: split it at 24:00)"
            )
        result.append((_time_of_minute(start), _time_of_minute(end)))
    return result


def _parse_open(spec: object) -> dict[int, list[tuple[time, time]]]:
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(
            "'open' must be a table of days to hours, e.g. {'mon-fri': '08:00-21:00'} "
            "or {'daily': '08:00-12:00,14:00-21:00'}"
        )
    result: dict[int, list[tuple[time, time]]] = {}
    for key, value in spec.items():
        days = _parse_days(key)
        hours = _parse_hours(value, str(key))
        for day in days:
            if day in result:
                raise ValueError(f"open: {WEEKDAY_NAMES[day]} is given more than once")
            result[day] = hours
    return result


def _parse_quota_hours(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"quota_hours_per_week must be a number of hours, got {value!r}")
    try:
        hours = Fraction(value) if isinstance(value, int) else Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"quota_hours_per_week must be a number of hours, got {value!r}") from None
    minutes = hours * 60
    if minutes.denominator != 1:
        raise ValueError(
            f"quota_hours_per_week must be a whole number of minutes (e.g. 1.5), got {value!r}"
        )
    return int(minutes)


def rules_from_mapping(d: Mapping[str, Any]) -> RoomRules:
    """Build :class:`RoomRules` from a TOML/JSON-like mapping; raise ``ValueError`` if invalid.

    Only ``open`` is required. ``open`` maps day keys to hours: a day key is ``daily``, a day
    (``mon`` .. ``sun``, or the full English name), a range (``mon-fri``) or a comma list of those
    (``mon,wed,fri-sun``); each day may be given once. Hours are ``"08:00-21:00"``, several
    intervals ``"08:00-12:00,14:00-21:00"`` (or a list of such strings), or ``"closed"``.
    ``24:00`` may end hours. Days not given are closed.

    The hours quota may be given as ``quota_hours_per_week`` (a number such as 4 or 1.5, or a
    decimal string) or as ``quota_minutes_per_week``, not both. Absent or null quotas and
    capacity mean no limit. Unknown keys are refused, to catch typos.
    """
    if not isinstance(d, Mapping):
        raise ValueError(f"room rules must be a table, got {type(d).__name__}")
    unknown = sorted(str(k) for k in d if k not in _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"unknown room rule key(s): {', '.join(unknown)}")
    if "open" not in d:
        raise ValueError("room rules need 'open' (opening hours), e.g. {'daily': '08:00-21:00'}")
    if "quota_hours_per_week" in d and "quota_minutes_per_week" in d:
        raise ValueError("give quota_hours_per_week or quota_minutes_per_week, not both")

    kwargs: dict[str, Any] = {}
    for key in _INT_KEYS + _OPTIONAL_INT_KEYS:
        if key not in d:
            continue
        value = d[key]
        if value is None and key in _OPTIONAL_INT_KEYS:
            kwargs[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{key} must be a whole number, got {value!r}")
        kwargs[key] = value
    if "quota_hours_per_week" in d:
        kwargs["quota_minutes_per_week"] = _parse_quota_hours(d["quota_hours_per_week"])
    if "needs_approval" in d:
        kwargs["needs_approval"] = d["needs_approval"]
    return RoomRules(opening=_parse_open(d["open"]), **kwargs)


def _day_key(first: int, last: int) -> str:
    if first == last:
        return WEEKDAY_NAMES[first]
    return f"{WEEKDAY_NAMES[first]}-{WEEKDAY_NAMES[last]}"


def rules_to_mapping(rules: RoomRules) -> dict[str, Any]:
    """The JSON/TOML-safe mapping of ``rules``; ``rules_from_mapping`` of it equals ``rules``.

    Opening hours are grouped into day ranges (``daily`` when all days match); None values are
    omitted; the hours quota is written as ``quota_hours_per_week`` when it is whole hours, else
    as ``quota_minutes_per_week``.
    """
    hours: list[str | None] = []
    for weekday in range(7):
        spans = rules.open_minutes(weekday)
        text = ",".join(f"{_format_minute(a)}-{_format_minute(b)}" for a, b in spans)
        hours.append(text or None)
    opening: dict[str, str] = {}
    monday = hours[0]
    if monday is not None and all(h == monday for h in hours):
        opening["daily"] = monday
    else:
        weekday = 0
        while weekday < 7:
            last = weekday
            while last + 1 < 7 and hours[last + 1] == hours[weekday]:
                last += 1
            day_hours = hours[weekday]
            if day_hours is not None:
                opening[_day_key(weekday, last)] = day_hours
            weekday = last + 1

    out: dict[str, Any] = {"open": opening}
    for key in _INT_KEYS:
        out[key] = getattr(rules, key)
    if rules.quota_per_week is not None:
        out["quota_per_week"] = rules.quota_per_week
    quota_minutes = rules.quota_minutes_per_week
    if quota_minutes is not None:
        if quota_minutes % 60 == 0:
            out["quota_hours_per_week"] = quota_minutes // 60
        else:
            out["quota_minutes_per_week"] = quota_minutes
    if rules.capacity is not None:
        out["capacity"] = rules.capacity
    out["needs_approval"] = rules.needs_approval
    return out


# --------------------------------------------------------------------------------------------
# Time helpers (local wall clock <-> instants, DST-correct)
# --------------------------------------------------------------------------------------------


def _utc(dt: datetime, name: str) -> datetime:
    """``dt`` in UTC; ``ValueError`` if it is not an aware datetime."""
    if not isinstance(dt, datetime) or dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {dt!r}")
    return dt.astimezone(UTC)


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


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
#
# Everything below works on UTC datetimes: Python subtracts and compares two datetimes that
# share a tzinfo on the wall clock (ignoring DST offsets and fold), so local times are only
# used to read dates and grid positions.


@dataclass(frozen=True)
class _Held:
    """A busy interval in UTC."""

    start: datetime
    end: datetime
    busy: Busy

    @property
    def blocks_with_buffer(self) -> bool:
        return self.busy.kind is not BusyKind.BLACKOUT


def _held(busy: Sequence[Busy]) -> list[_Held]:
    return [_Held(_utc(b.start, "busy start"), _utc(b.end, "busy end"), b) for b in busy]


def _ranges_utc(ranges: Iterable[TimeRange], name: str) -> list[TimeRange]:
    return [(_utc(s, f"{name} start"), _utc(e, f"{name} end")) for s, e in ranges]


def _violations(
    start: datetime,
    end: datetime,
    rules: RoomRules,
    tz: tzinfo,
    held: Sequence[_Held],
    now: datetime,
    household_bookings: Sequence[TimeRange] | None,
    as_staff: bool,
) -> list[Violation]:
    """All arguments already in UTC."""
    found: set[Violation] = set()
    length = end - start
    slot = timedelta(minutes=rules.slot_minutes)

    if not (_on_grid(start, rules, tz) and _on_grid(end, rules, tz)) or length % slot != _ZERO:
        found.add(Violation.NOT_ALIGNED)
    if length < timedelta(minutes=rules.min_minutes):
        found.add(Violation.TOO_SHORT)
    if length > timedelta(minutes=rules.max_minutes):
        found.add(Violation.TOO_LONG)

    day = _local(start, tz).date()
    if not any(lo <= start and end <= hi for lo, hi in _open_ranges(day, rules, tz)):
        found.add(Violation.OUTSIDE_HOURS)

    if start < now:
        found.add(Violation.IN_PAST)
    elif start < now + timedelta(minutes=rules.notice_minutes):
        found.add(Violation.TOO_SOON)
    if day > _local(now, tz).date() + timedelta(days=rules.advance_days):
        found.add(Violation.TOO_FAR)

    buffer = timedelta(minutes=rules.buffer_minutes)
    for other in held:
        if not other.blocks_with_buffer:
            if _overlaps(start, end, other.start, other.end):
                found.add(Violation.BLACKOUT)
        elif _overlaps(start, end, other.start, other.end):
            found.add(Violation.OVERLAP)
        elif buffer and _overlaps(start, end, other.start - buffer, other.end + buffer):
            found.add(Violation.BUFFER)

    if household_bookings is not None:
        week = _iso_week(start, tz)
        same_week = [(s, e) for s, e in household_bookings if _iso_week(s, tz) == week]
        if rules.quota_per_week is not None and len(same_week) + 1 > rules.quota_per_week:
            found.add(Violation.QUOTA_COUNT)
        if rules.quota_minutes_per_week is not None:
            used = sum((e - s for s, e in same_week), _ZERO) + length
            if used > timedelta(minutes=rules.quota_minutes_per_week):
                found.add(Violation.QUOTA_HOURS)

    if as_staff:
        found -= STAFF_BYPASS
    return [v for v in Violation if v in found]


def check_booking(
    start: datetime,
    end: datetime,
    household: HouseholdKey | None,
    rules: RoomRules,
    tz: tzinfo,
    busy: Sequence[Busy],
    now: datetime,
    household_bookings_this_week: Sequence[TimeRange],
    *,
    as_staff: bool = False,
) -> list[Violation]:
    """Every rule the booking ``[start, end)`` breaks, in :class:`Violation` order; [] = OK.

    ``busy`` holds the room's bookings, pending bookings and blackouts near the booking (at
    least the start's local day, plus the buffer on either side). Datetimes may be in any zone.

    Quotas: ``household_bookings_this_week`` are the household's non-cancelled bookings
    (confirmed and pending) in the quota's scope, normally this room; the caller chooses the
    scope, this function just counts. Entries whose start is not in the same ISO week (Mon-Sun,
    in the room's zone) as ``start`` are ignored, so a superset may be passed. Leave out the
    booking being changed when rescheduling. The N-th booking (or exactly the quota's minutes)
    is allowed, one more is refused.

    ``household`` is None only for a community booking, which must be made ``as_staff``
    (``ValueError`` otherwise). ``as_staff=True`` drops the violations in :data:`STAFF_BYPASS`.
    """
    if household is None and not as_staff:
        raise ValueError("a booking without a household is a community booking: use as_staff")
    return _violations(
        _utc(start, "start"),
        _utc(end, "end"),
        rules,
        tz,
        _held(busy),
        _utc(now, "now"),
        _ranges_utc(household_bookings_this_week, "household booking"),
        as_staff,
    )


def _lengths(
    start: datetime,
    rules: RoomRules,
    tz: tzinfo,
    held: Sequence[_Held],
    now: datetime,
    household_bookings: Sequence[TimeRange] | None,
    as_staff: bool,
) -> list[int]:
    limit = rules.max_minutes
    if as_staff and Violation.TOO_LONG in STAFF_BYPASS:
        limit = _DAY_MINUTES + 2 * 60  # longer than any day's opening, DST included
    return [
        minutes
        for minutes in range(rules.min_minutes, limit + 1, rules.slot_minutes)
        if not _violations(
            start,
            start + timedelta(minutes=minutes),
            rules,
            tz,
            held,
            now,
            household_bookings,
            as_staff,
        )
    ]


def allowed_lengths(
    start: datetime,
    rules: RoomRules,
    tz: tzinfo,
    busy: Sequence[Busy],
    now: datetime,
    *,
    as_staff: bool = False,
    household_bookings_this_week: Sequence[TimeRange] | None = None,
) -> list[int]:
    """The lengths in minutes (ascending multiples of the slot) that may be booked from ``start``.

    A length is listed iff ``check_booking`` would accept it. Quotas are only applied when
    ``household_bookings_this_week`` is given (then e.g. a nearly used hours quota shortens the
    list). Empty when nothing can start there (taken, closed, in the past, too soon...). Staff
    are not limited by ``max_minutes`` (TOO_LONG is bypassed): their lengths run to the close.
    """
    household = None
    if household_bookings_this_week is not None:
        household = _ranges_utc(household_bookings_this_week, "household booking")
    return _lengths(
        _utc(start, "start"), rules, tz, _held(busy), _utc(now, "now"), household, as_staff
    )


def day_slots(
    day: date,
    rules: RoomRules,
    tz: tzinfo,
    busy: Sequence[Busy],
    now: datetime,
    *,
    as_staff: bool = False,
) -> list[Slot]:
    """The grid of ``day`` (a local date): one :class:`Slot` per slot inside opening hours, in
    time order, with times in ``tz``; [] on a closed day. Times outside opening hours are not
    listed at all. See :class:`SlotState` for the states and their precedence; with
    ``as_staff=True`` the notice and advance limits do not close slots. ``busy`` must cover the
    day (plus the buffer on either side)."""
    now = _utc(now, "now")
    held = _held(busy)
    bypass = STAFF_BYPASS if as_staff else frozenset()
    notice = timedelta(minutes=rules.notice_minutes)
    too_far = day > _local(now, tz).date() + timedelta(days=rules.advance_days)
    buffer = timedelta(minutes=rules.buffer_minutes)
    result: list[Slot] = []
    for start, end in _grid(day, rules, tz):
        hits = [h for h in held if _overlaps(start, end, h.start, h.end)]
        blackout = next((h.busy for h in hits if not h.blocks_with_buffer), None)
        taken = next((h.busy for h in hits if h.blocks_with_buffer), None)
        closed = (
            start < now
            or (Violation.TOO_SOON not in bypass and start < now + notice)
            or (Violation.TOO_FAR not in bypass and too_far)
        )
        buffered = bool(buffer) and any(
            h.blocks_with_buffer and _overlaps(start, end, h.start - buffer, h.end + buffer)
            for h in held
        )
        occupant: Busy | None = None
        if blackout is not None:
            state, occupant = SlotState.BLACKOUT, blackout
        elif taken is not None:
            state, occupant = SlotState.TAKEN, taken
        elif closed:
            state = SlotState.CLOSED
        elif buffered:
            state = SlotState.BUFFER
        else:
            state = SlotState.FREE
        can_start = state is SlotState.FREE and bool(
            _lengths(start, rules, tz, held, now, None, as_staff)
        )
        result.append(
            Slot(
                start=start.astimezone(tz),
                end=end.astimezone(tz),
                state=state,
                occupant=occupant,
                can_start=can_start,
            )
        )
    return result


def can_cancel(booking_start: datetime, now: datetime, rules: RoomRules) -> bool:
    """Whether a resident may still cancel: iff ``now <= booking_start - cancel_cutoff_minutes``.

    The bound is inclusive: exactly ``cancel_cutoff_minutes`` before the start is still allowed,
    one microsecond later is not. With a cut-off of 0, cancelling is allowed up to the start
    itself. (Blackouts and staff cancellations are not subject to this.)
    """
    start = _utc(booking_start, "booking_start")
    return _utc(now, "now") <= start - timedelta(minutes=rules.cancel_cutoff_minutes)


def requires_approval(rules: RoomRules, *, as_staff: bool = False) -> bool:
    """Whether a new booking must wait for staff approval (be stored as ``BusyKind.PENDING``)."""
    if as_staff and Violation.NEEDS_APPROVAL in STAFF_BYPASS:
        return False
    return rules.needs_approval


# --------------------------------------------------------------------------------------------
# Utilisation
# --------------------------------------------------------------------------------------------


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
    """Booked time / open time of the room in the ISO week starting on Monday ``week_start``.

    Open time is the real duration of the week's opening hours in ``tz`` (DST-correct), minus
    ``blackouts`` if given (blacked-out time could not be booked). Bookings are clipped to that
    time (so to opening hours and to the week), and overlapping bookings are counted once. Pass
    the bookings that count as use (normally confirmed ones). Returns 0 for a week with no open
    time. Raises ``ValueError`` if ``week_start`` is not a Monday.
    """
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start} ({week_start:%A})")
    booked = _merge(_ranges_utc(bookings, "booking"))
    blocked = _merge(_ranges_utc(blackouts, "blackout"))
    open_time: list[TimeRange] = []
    for offset in range(7):
        open_time.extend(_open_ranges(week_start + timedelta(days=offset), rules, tz))
    available = _subtract(_merge(open_time), blocked)
    total = _microseconds(available)
    if total == 0:
        return Fraction(0)
    used = _microseconds(_intersect(booked, available))
    return Fraction(used, total)
