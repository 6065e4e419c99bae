"""The buttons of room booking: every press carries the room, the day or the start, and the
household (unit id) booking, 0 for a community booking by staff; so a restart loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.kit.callbacks import CallbackData, callback


@callback("bm")
@dataclass(frozen=True)
class BookRooms(CallbackData):
    pass


@callback("br")
@dataclass(frozen=True)
class BookRoom(CallbackData):
    room_id: int
    unit: int


@callback("bd")
@dataclass(frozen=True)
class BookDay(CallbackData):
    room_id: int
    day: int  # yyyymmdd, the community's local date
    unit: int


@callback("bs")
@dataclass(frozen=True)
class BookSlot(CallbackData):
    room_id: int
    start: int
    unit: int


@callback("bi")
@dataclass(frozen=True)
class BookSlotInfo(CallbackData):
    """A slot shown as unavailable: answered with why (and, if taken, an offer to watch it)."""

    room_id: int
    start: int
    unit: int


@callback("bl")
@dataclass(frozen=True)
class BookLength(CallbackData):
    room_id: int
    start: int
    minutes: int
    unit: int


@callback("bc")
@dataclass(frozen=True)
class BookConfirm(CallbackData):
    room_id: int
    start: int
    minutes: int
    unit: int


@callback("bw")
@dataclass(frozen=True)
class BookWatch(CallbackData):
    room_id: int
    start: int


@callback("by")
@dataclass(frozen=True)
class MyBookings(CallbackData):
    pass


@callback("bx")
@dataclass(frozen=True)
class BookCancel(CallbackData):
    booking_id: int
    confirm: bool


@callback("ba")
@dataclass(frozen=True)
class BookDecide(CallbackData):
    booking_id: int
    approve: bool


def day_int(day: date) -> int:
    """A day as carried by ``BookDay`` (yyyymmdd)."""
    return day.year * 10000 + day.month * 100 + day.day


def int_day(value: int) -> date | None:
    """``BookDay.day`` back to a date; None for a forged value."""
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except (ValueError, OverflowError):
        return None


#: Farther than this from now, a time on a booking button is forged: no room is booked a year
#: ahead, and Python's dates and SQLite's integers end not far beyond what a button may carry.
HORIZON = 366 * 24 * 3600
MAX_MINUTES = 24 * 60


def plausible(start: int, now: int, minutes: int = 0) -> bool:
    """A start time and length a button of ours could carry (within a year of now, at most a
    day long); anything else is stale or forged, whatever the room's own rules say."""
    return abs(start - now) <= HORIZON and 0 <= minutes <= MAX_MINUTES


# ---- staff: closing a room by buttons, and the list of closures ------------------------------


@callback("bk")
@dataclass(frozen=True)
class CloseRoom(CallbackData):
    room_id: int


@callback("bj")
@dataclass(frozen=True)
class CloseDay(CallbackData):
    room_id: int
    day: int  # yyyymmdd, the community's local date


@callback("bf")
@dataclass(frozen=True)
class CloseFrom(CallbackData):
    room_id: int
    day: int
    start: int  # hhmm


@callback("bt")
@dataclass(frozen=True)
class CloseTo(CallbackData):
    room_id: int
    day: int
    start: int
    end: int  # hhmm, 2400 for midnight


@callback("bn")
@dataclass(frozen=True)
class CloseNoReason(CallbackData):
    pass


@callback("bu")
@dataclass(frozen=True)
class OpenAgain(CallbackData):
    """Remove a blackout (``sure`` False: ask to confirm first)."""

    blackout_id: int
    sure: bool
