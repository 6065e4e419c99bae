"""Pure rules for meetings: the recurrence rule ("the first Tuesday of each month at 19:00"),
its next occurrence, and when each notice of an occurrence is due. No Telegram, no database.

A rule is stored as text: ``weekly;<weekday>;0;HH:MM`` or ``monthly;<weekday>;<ordinal>;HH:MM``
with weekday 0 = Monday and ordinal 1..4, or -1 for the last such weekday of the month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ANNOUNCE_AHEAD = timedelta(days=7)  # a recurring meeting's next occurrence is announced then


REMIND_DAY = timedelta(days=1)


REMIND_HOUR = timedelta(hours=1)


TIMES = (time(9), time(10), time(14), time(15), time(19), time(19, 30))


@dataclass(frozen=True)
class Rule:
    freq: str  # weekly / monthly
    weekday: int  # 0 = Monday
    ordinal: int  # monthly: 1..4 or -1 (last); weekly: 0
    at: time

    def __post_init__(self) -> None:
        if self.freq not in ("weekly", "monthly"):
            raise ValueError(f"unknown frequency {self.freq!r}")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.freq == "monthly" and self.ordinal not in (1, 2, 3, 4, -1):
            raise ValueError("ordinal must be 1-4 or -1 (last)")

    def dump(self) -> str:
        return f"{self.freq};{self.weekday};{self.ordinal};{self.at:%H:%M}"

    @classmethod
    def parse(cls, raw: str) -> Rule:
        freq, weekday, ordinal, at = raw.split(";")
        hour, minute = at.split(":")
        return cls(freq, int(weekday), int(ordinal), time(int(hour), int(minute)))


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    """The ``ordinal``-th ``weekday`` of a month (-1: the last one)."""
    days = [
        d
        for d in (date(year, month, n) for n in range(1, calendar.monthrange(year, month)[1] + 1))
        if d.weekday() == weekday
    ]
    return days[-1] if ordinal == -1 else days[ordinal - 1]


def next_occurrence(rule: Rule, after: datetime, tz: ZoneInfo) -> datetime:
    """The first occurrence strictly after ``after``, in the community's zone."""
    local = after.astimezone(tz)
    if rule.freq == "weekly":
        day = local.date() + timedelta(days=(rule.weekday - local.weekday()) % 7)
        moment = datetime.combine(day, rule.at, tz)
        return moment if moment > after else moment + timedelta(days=7)
    year, month = local.year, local.month
    for _ in range(14):
        moment = datetime.combine(nth_weekday(year, month, rule.weekday, rule.ordinal), rule.at, tz)
        if moment > after:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("no occurrence within a year")  # pragma: no cover


def due_times(
    starts_at: datetime, now: datetime, *, recurring: bool, first: bool = True
) -> dict[str, datetime]:
    """When each notice of one occurrence is due: the announcement (now for a new meeting, a
    week ahead for a recurring meeting's later occurrences), the reminders the day and the hour
    before (only those still ahead), and, if recurring, the making of the next occurrence."""
    found = {"announce": now if first else max(now, starts_at - ANNOUNCE_AHEAD)}
    for kind, ahead in (("remind_day", REMIND_DAY), ("remind_hour", REMIND_HOUR)):
        if starts_at - ahead > now:
            found[kind] = starts_at - ahead
    if recurring:
        found["next"] = starts_at
    return found
