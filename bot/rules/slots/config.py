"""Loading and saving room rules: :class:`RoomRules` from and to a TOML/JSON-like mapping
(day keys such as ``mon-fri``, hours such as ``08:00-21:00``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from fractions import Fraction
from typing import Any

from bot.rules.slots.model import _DAY_MINUTES, WEEKDAY_NAMES
from bot.rules.slots.room import RoomRules, _format_minute, _time_of_minute

_FULL_WEEKDAY_NAMES = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
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
