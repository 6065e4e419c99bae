"""Shared room booking rules (共享空间预约): slot grid, booking checks, quotas, utilisation.

This module is pure: no Telegram, no database, no clock reads (``now`` is always passed in) and
only the standard library. Everything is computed in the room's local zone (a ``tzinfo``, normally
``zoneinfo.ZoneInfo``); all datetimes passed in must be timezone-aware, and ``ValueError`` is
raised for naive ones (that is a programming error, not user input).

Conventions
-----------
* Intervals are half-open ``[start, end)``. Two bookings that touch end-to-start do not overlap;
  overlapping by one minute does.
* The slot grid is anchored at local midnight: a time is "on the grid" when its local wall-clock
  minute of the day is a multiple of ``slot_minutes`` (with zero seconds). Opening hours must lie
  on that grid, and ``slot_minutes`` must divide a day (1440) evenly.
* Lengths are real elapsed minutes (``end - start``), not wall-clock differences.
* Daylight saving time: the grid is laid on the local wall clock of the day. A wall time that does
  not exist (the skipped hour when clocks spring forward) yields no slot; a wall time that occurs
  twice (clocks falling back) yields two slots, one for each occurrence. Every slot lasts exactly
  ``slot_minutes`` of real time, so on Europe/Berlin's spring-forward day the 01:30 slot of a
  30-minute grid runs 01:30-03:00 on the wall clock, and a 00:00-24:00 room has 23 hours of slots
  (25 hours on the fall-back day). An opening boundary that falls into a skipped hour is moved to
  the transition instant. Asia/Shanghai has no DST, so none of this matters there.
* Opening hours are per weekday and do not run past midnight; a booking must lie within one
  opening interval of its start's local day, so it can span neither a closing time (nor a lunch
  break between split hours) nor midnight. "24:00" is accepted as a closing time.
* "At most N" includes N everywhere (quotas, maximum length, advance days); the exact bounds are
  documented on each rule in :class:`Violation`.

Typical use in the booking flow::

    rules = rules_from_mapping(room_row_json)
    grid = day_slots(day, rules, tz, busy, now)             # buttons; FREE+can_start are tappable
    lengths = allowed_lengths(slot.start, rules, tz, busy, now)
    problems = check_booking(start, end, household, rules, tz, busy, now,
                             household_bookings_this_week=mine)
    if not problems:                                        # re-check inside the DB transaction
        kind = BusyKind.PENDING if requires_approval(rules) else BusyKind.BOOKING

The package: ``model`` (violations, busy intervals, slots), ``room`` (:class:`RoomRules`),
``config`` (rules to and from mappings), ``wallclock`` (local wall clock and instants),
``booking`` (the checks, lengths and the day's grid) and ``utilisation``.
"""

from bot.rules.slots.booking import (
    allowed_lengths,
    can_cancel,
    check_booking,
    day_slots,
    requires_approval,
)
from bot.rules.slots.config import rules_from_mapping, rules_to_mapping
from bot.rules.slots.model import (
    END_OF_DAY,
    STAFF_BYPASS,
    WEEKDAY_NAMES,
    Busy,
    BusyKind,
    HouseholdKey,
    Slot,
    SlotState,
    TimeRange,
    Violation,
)
from bot.rules.slots.room import RoomRules
from bot.rules.slots.utilisation import utilisation, utilisation_of_days

__all__ = [
    "END_OF_DAY",
    "STAFF_BYPASS",
    "WEEKDAY_NAMES",
    "Busy",
    "BusyKind",
    "HouseholdKey",
    "RoomRules",
    "Slot",
    "SlotState",
    "TimeRange",
    "Violation",
    "allowed_lengths",
    "can_cancel",
    "check_booking",
    "day_slots",
    "requires_approval",
    "rules_from_mapping",
    "rules_to_mapping",
    "utilisation",
    "utilisation_of_days",
]
