"""Home visits (上门), pure: the visit windows offered as buttons, when both sides are reminded,
and how long the SLA clock waits while the resident is not available.

A window is a span of local time inside service hours (by default two hours: 08:00-10:00,
10:00-12:00, …), starting at least ``lead`` after now, on the next few service days. When the
resident takes the window staff offered (or the earliest one on offer), nobody waits for them:
the clock runs. When they say they are not available then and take a later window, the clock
stops from that moment until the window they chose begins (``unavailable_pause``); the pause
ends early if staff arrive before it (``arrival_cut``). No Telegram, no database, no clock
reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rules.sla import Pause

DEFAULT_WINDOW_MINUTES = 120
DEFAULT_REMINDER_MINUTES = 60
DEFAULT_DAYS = 3
DEFAULT_LEAD = timedelta(hours=1)
MAX_WINDOWS = 12


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, UTC
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        if self.end <= self.start:
            raise ValueError("a window ends after it starts")


def windows(
    now: datetime,
    timezone: str,
    opens: time,
    closes: time,
    *,
    minutes: int = DEFAULT_WINDOW_MINUTES,
    days: int = DEFAULT_DAYS,
    lead: timedelta = DEFAULT_LEAD,
    holidays: frozenset[date] = frozenset(),
) -> list[Window]:
    """The windows to offer: whole ``minutes`` spans from ``opens`` to ``closes`` local time
    on the next ``days`` service days that have one (holidays left out), each starting
    ``lead`` after now or later; at most ``MAX_WINDOWS``."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    if minutes <= 0 or opens >= closes:
        raise ValueError("a window needs a length and service hours that start before they end")
    zone = ZoneInfo(timezone)
    earliest = now + lead
    day = now.astimezone(zone).date()
    found: list[Window] = []
    served = 0
    while served < days and len(found) < MAX_WINDOWS:
        if day not in holidays:
            before = len(found)
            start = datetime.combine(day, opens, tzinfo=zone)
            stop = datetime.combine(day, closes, tzinfo=zone)
            while start + timedelta(minutes=minutes) <= stop and len(found) < MAX_WINDOWS:
                end = start + timedelta(minutes=minutes)
                if start.astimezone(UTC) >= earliest:
                    found.append(Window(start.astimezone(UTC), end.astimezone(UTC)))
                start = end
            served += len(found) > before
        day += timedelta(days=1)
    return found


def reminder_at(window: Window, now: datetime, minutes: int = DEFAULT_REMINDER_MINUTES) -> datetime:
    """When both sides are reminded: ``minutes`` before the window, or now if that is past."""
    return max(window.start - timedelta(minutes=minutes), now)


def unavailable_pause(now: datetime, offered: Window, chosen: Window) -> Pause | None:
    """The clock waits from ``now`` until ``chosen`` begins when the resident is not available
    in the ``offered`` window and takes a later one; None when they take it (or an earlier)."""
    if chosen.start <= offered.start or chosen.start <= now:
        return None
    return Pause(now, chosen.start)


def arrival_cut(pause: Pause, arrived: datetime) -> Pause:
    """Staff arrived: a pause still running at that moment ends there."""
    if pause.end is None or pause.end > arrived:
        return Pause(pause.start, max(arrived, pause.start))
    return pause
