"""Recurrence, pure: when a plan that repeats daily, weekly or monthly at a local time is next
due. Instants in and out are aware datetimes (UTC out); the wall clock is the community's zone
(``zoneinfo``), so a round at 09:00 stays at 09:00 local across a daylight-saving change. A
monthly day past the month's end (31 in February) falls on the month's last day.

No Telegram, no database, no clock reads: the caller passes the moment.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Every(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Recurrence:
    """Every day / week (on ``weekday``, 0 = Monday) / month (on ``day``, 1-31) at ``at``."""

    every: Every
    at: time
    weekday: int = 0
    day: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0-6, not {self.weekday}")
        if not 1 <= self.day <= 31:
            raise ValueError(f"day must be 1-31, not {self.day}")

    def _on(self, day: date) -> bool:
        if self.every is Every.DAILY:
            return True
        if self.every is Every.WEEKLY:
            return day.weekday() == self.weekday
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(self.day, last)

    def next_after(self, moment: datetime, timezone: str) -> datetime:
        """The first occurrence strictly after ``moment``, in UTC."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        zone = ZoneInfo(timezone)
        day = moment.astimezone(zone).date()
        for _ in range(400):  # a month's last day is at most 31 days away; a year is plenty
            if self._on(day):
                # fold=0 and zoneinfo's normalisation: a wall time skipped by DST moves forward
                local = datetime.combine(day, self.at, tzinfo=zone)
                at = local.astimezone(UTC)
                if at > moment:
                    return at
            day += timedelta(days=1)
        raise AssertionError("unreachable: every recurrence falls within a year")


def parse_recurrence(raw: dict[str, object]) -> tuple[Recurrence | None, list[str]]:
    """``every`` ("daily" / "weekly" / "monthly"), ``at`` ("HH:MM", default "09:00"), for
    weekly ``weekday`` ("mon" … "sun"), for monthly ``day`` (1-31); problems as plain words."""
    problems: list[str] = []
    every_raw = str(raw.get("every", ""))
    try:
        every = Every(every_raw)
    except ValueError:
        return None, [f"every must be daily, weekly or monthly, not {every_raw!r}"]
    at_raw = str(raw.get("at", "09:00"))
    try:
        at = time.fromisoformat(at_raw)
    except ValueError:
        problems.append(f"at must be HH:MM, not {at_raw!r}")
        at = time(9)
    weekday_raw = str(raw.get("weekday", "mon")).lower()
    if weekday_raw not in WEEKDAYS:
        problems.append(f"weekday must be one of {', '.join(WEEKDAYS)}")
        weekday_raw = "mon"
    day = raw.get("day", 1)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
        problems.append("day must be a whole number from 1 to 31")
        day = 1
    if problems:
        return None, problems
    return Recurrence(every, at, WEEKDAYS.index(weekday_raw), day), []
