"""The checks of a booking: every rule it breaks, the lengths that may start at a slot, the
day's grid of slot states, cancelling and approval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.rules.slots.model import (
    _DAY_MINUTES,
    _ZERO,
    STAFF_BYPASS,
    Busy,
    BusyKind,
    HouseholdKey,
    Slot,
    SlotState,
    TimeRange,
    Violation,
)
from bot.rules.slots.room import RoomRules
from bot.rules.slots.wallclock import (
    _grid,
    _iso_week,
    _local,
    _on_grid,
    _open_ranges,
    _overlaps,
    _ranges_utc,
    _utc,
)

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
