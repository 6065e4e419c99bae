"""Words and labels of room booking (pure: no Telegram, no database).

The rules are in ``bot.rules.slots``; this module says them in the user's language: why a booking is
refused, a slot's button label, a length, a booking line.
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, Translator
from bot.rules.slots import RoomRules, Slot, SlotState, Violation

BOOKINGS_LABEL = N_("Room bookings")

#: Shown before a slot's time on the grid; a free slot that can start a booking has none.
MARKS = {
    SlotState.TAKEN: "✖",
    SlotState.BLACKOUT: "⛔",
    SlotState.CLOSED: "·",
    SlotState.BUFFER: "·",
    SlotState.FREE: "·",  # free, but too close to the closing time (or a booking) to start
}


def slot_label(tr: Translator, slot: Slot) -> str:
    time_text = tr.clock(slot.start)
    if slot.state is SlotState.FREE and slot.can_start:
        return time_text
    return f"{MARKS[slot.state]} {time_text}"


def length_text(tr: Translator, minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return tr._("{hours} h {minutes} min", hours=hours, minutes=rest)
    if hours:
        return tr.n_("{n} hour", "{n} hours", hours)
    return tr._("{minutes} min", minutes=rest)


def span_text(tr: Translator, start: datetime, end: datetime) -> str:
    """e.g. '11月24日周二 10:00–11:30'."""
    return tr._(
        "{day} {start}–{end}",
        day=tr.weekday_day(start.astimezone(tr.tz).date()),
        start=tr.clock(start),
        end=tr.clock(end),
    )


def state_text(tr: Translator, state: str) -> str:
    labels = {
        "pending": tr._("waiting for approval"),
        "confirmed": tr._("confirmed"),
        "cancelled": tr._("cancelled"),
        "rejected": tr._("not approved"),
    }
    return labels.get(state, state)


def violation_text(tr: Translator, violation: Violation, rules: RoomRules) -> str:
    """One plain sentence per broken rule."""
    match violation:
        case Violation.NOT_ALIGNED | Violation.TOO_SHORT:
            return tr._("This length cannot be booked. Please choose one of the lengths shown.")
        case Violation.TOO_LONG:
            return tr._(
                "That is longer than this room allows ({length} at most).",
                length=length_text(tr, rules.max_minutes),
            )
        case Violation.OUTSIDE_HOURS:
            return tr._("The room is not open for all of that time.")
        case Violation.IN_PAST:
            return tr._("That time has already passed.")
        case Violation.TOO_SOON:
            return tr._(
                "Bookings must be made at least {length} ahead.",
                length=length_text(tr, rules.notice_minutes),
            )
        case Violation.TOO_FAR:
            return tr._("Bookings can be made at most {n} days ahead.", n=rules.advance_days)
        case Violation.OVERLAP:
            return tr._("Someone else has just booked this time.")
        case Violation.BUFFER:
            return tr._(
                "The room needs {length} for cleaning between bookings.",
                length=length_text(tr, rules.buffer_minutes),
            )
        case Violation.BLACKOUT:
            return tr._("The room is closed at that time (maintenance or a community event).")
        case Violation.QUOTA_COUNT:
            return tr.n_(
                "Your household has reached this week's limit of {n} booking for this room.",
                "Your household has reached this week's limit of {n} bookings for this room.",
                rules.quota_per_week or 0,
            )
        case Violation.QUOTA_HOURS:
            return tr._(
                "Your household has used up this week's {length} for this room.",
                length=length_text(tr, rules.quota_minutes_per_week or 0),
            )
        case Violation.NEEDS_APPROVAL:
            return tr._("This room needs approval.")
    return tr._("This booking is not possible.")


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"
