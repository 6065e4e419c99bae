"""The booking model: why a booking is refused, what staff may bypass, busy intervals and
the cells of a day's grid; plus the shared types and constants of the package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

HouseholdKey = int | str
"""Whatever identifies a household in storage (its id or a stable key)."""

TimeRange = tuple[datetime, datetime]
"""A half-open interval ``(start, end)`` of aware datetimes."""

END_OF_DAY = time.max
"""Stands for "24:00" as a closing time in :attr:`RoomRules.opening`."""

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES = 24 * 60
_ZERO = timedelta(0)


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
