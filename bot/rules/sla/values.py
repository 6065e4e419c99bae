"""Shared checks and arithmetic of the SLA clocks: aware instants to UTC, non-negative
durations, exact scaling to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def _utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime ({value}): give it a time zone")
    return value.astimezone(UTC)


def _check_duration(duration: timedelta) -> None:
    if not isinstance(duration, timedelta):
        raise ValueError(f"duration must be a timedelta, got {duration!r}")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")


def _scale(duration: timedelta, share: Fraction) -> timedelta:
    """``duration * share``, exact to the microsecond."""
    return _MICROSECOND * round((duration // _MICROSECOND) * share)
