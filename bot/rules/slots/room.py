"""The booking rules of one room (:class:`RoomRules`): validated and normalised on
construction, opening hours as local minutes of the day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from fractions import Fraction
from types import MappingProxyType

from bot.rules.slots.model import _DAY_MINUTES, END_OF_DAY, WEEKDAY_NAMES


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
