"""Tests for bot.rules.slots: the shared room booking rules (pure, table-driven, exact values)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.rules.slots import (
    END_OF_DAY,
    STAFF_BYPASS,
    Busy,
    BusyKind,
    RoomRules,
    Slot,
    SlotState,
    TimeRange,
    Violation,
    allowed_lengths,
    can_cancel,
    check_booking,
    day_slots,
    requires_approval,
    rules_from_mapping,
    rules_to_mapping,
    utilisation,
)

V = Violation
S = SlotState
SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

BASE: dict[str, Any] = {
    "open": {"mon-fri": "08:00-21:00", "sat-sun": "09:00-22:00"},
    "slot_minutes": 30,
    "min_minutes": 30,
    "max_minutes": 120,
    "advance_days": 14,
    "notice_minutes": 60,
    "cancel_cutoff_minutes": 120,
    "quota_per_week": 2,
    "quota_hours_per_week": 4,
    "buffer_minutes": 0,
    "capacity": 20,
    "needs_approval": False,
}
SPLIT = {"mon-fri": "08:00-12:00,14:00-21:00"}


def rules(**overrides: Any) -> RoomRules:
    return rules_from_mapping({**BASE, **overrides})


RULES = rules()


def sh(day: int, hhmm: str, month: int = 6) -> datetime:
    """A local Asia/Shanghai time in 2025 (2 June 2025 is a Monday)."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


NO_BUSY: tuple[Busy, ...] = ()

# Monday 2 June 2025, 07:00 in Shanghai, which is still Sunday 1 June in UTC.
NOW = sh(2, "07:00")


def booked(
    day: int, start: str, end: str, kind: BusyKind = BusyKind.BOOKING, household: str = "h2"
) -> Busy:
    return Busy(
        sh(day, start), sh(day, end), kind, None if kind is BusyKind.BLACKOUT else household
    )


def blackout(day: int, start: str, end: str) -> Busy:
    return booked(day, start, end, BusyKind.BLACKOUT)


def check(
    start: datetime,
    end: datetime,
    busy: Sequence[Busy] = (),
    *,
    r: RoomRules = RULES,
    now: datetime = NOW,
    mine: Sequence[TimeRange] = (),
    staff: bool = False,
) -> list[Violation]:
    return check_booking(
        start,
        end,
        None if staff else "h1",
        r,
        SH,
        busy,
        now,
        household_bookings_this_week=mine,
        as_staff=staff,
    )


def utc(dt: datetime) -> datetime:
    """Python subtracts datetimes sharing a tzinfo on the wall clock; go through UTC."""
    return dt.astimezone(UTC)


def hhmm(dt: datetime) -> str:
    return dt.strftime("%H:%M")


# --------------------------------------------------------------------------------------------
# check_booking: grid, lengths, opening hours, time limits, overlap, buffer, blackout
# --------------------------------------------------------------------------------------------

DAILY_24H = {"daily": "00:00-24:00"}

CHECK_CASES: list[tuple[str, datetime, datetime, list[Busy], dict[str, Any], list[Violation]]] = [
    ("ok", sh(3, "10:00"), sh(3, "11:00"), [], {}, []),
    ("first slot of the day", sh(3, "08:00"), sh(3, "08:30"), [], {}, []),
    ("last slot of the day", sh(3, "20:30"), sh(3, "21:00"), [], {}, []),
    ("weekend last slot", sh(7, "21:30"), sh(7, "22:00"), [], {}, []),
    ("before opening", sh(3, "07:30"), sh(3, "08:30"), [], {}, [V.OUTSIDE_HOURS]),
    ("spans closing time", sh(3, "20:30"), sh(3, "21:30"), [], {}, [V.OUTSIDE_HOURS]),
    ("after closing", sh(3, "21:00"), sh(3, "21:30"), [], {}, [V.OUTSIDE_HOURS]),
    ("weekend before 09:00", sh(7, "08:00"), sh(7, "09:00"), [], {}, [V.OUTSIDE_HOURS]),
    (
        "closed weekday",
        sh(7, "10:00"),
        sh(7, "11:00"),
        [],
        {"open": {"mon-fri": "08:00-21:00"}},
        [V.OUTSIDE_HOURS],
    ),
    ("split: morning", sh(3, "11:00"), sh(3, "12:00"), [], {"open": SPLIT}, []),
    ("split: afternoon", sh(3, "14:00"), sh(3, "15:00"), [], {"open": SPLIT}, []),
    (
        "split: spans the break",
        sh(3, "11:30"),
        sh(3, "12:30"),
        [],
        {"open": SPLIT},
        [V.OUTSIDE_HOURS],
    ),
    ("split: in the break", sh(3, "12:00"), sh(3, "12:30"), [], {"open": SPLIT}, [V.OUTSIDE_HOURS]),
    ("24h: up to midnight", sh(3, "23:00"), sh(4, "00:00"), [], {"open": DAILY_24H}, []),
    ("24h: from midnight", sh(4, "00:00"), sh(4, "01:00"), [], {"open": DAILY_24H}, []),
    (
        "24h: spans midnight",
        sh(3, "23:30"),
        sh(4, "00:30"),
        [],
        {"open": DAILY_24H},
        [V.OUTSIDE_HOURS],
    ),
    ("start off the grid", sh(3, "10:10"), sh(3, "11:10"), [], {}, [V.NOT_ALIGNED]),
    ("end off the grid", sh(3, "10:00"), sh(3, "10:45"), [], {}, [V.NOT_ALIGNED]),
    (
        "seconds off the grid",
        sh(3, "10:00") + timedelta(seconds=1),
        sh(3, "11:00"),
        [],
        {},
        [V.NOT_ALIGNED],
    ),
    ("exactly max", sh(3, "10:00"), sh(3, "12:00"), [], {}, []),
    ("max + one slot", sh(3, "10:00"), sh(3, "12:30"), [], {}, [V.TOO_LONG]),
    ("exactly min", sh(3, "10:00"), sh(3, "11:00"), [], {"min_minutes": 60}, []),
    ("min - one slot", sh(3, "10:00"), sh(3, "10:30"), [], {"min_minutes": 60}, [V.TOO_SHORT]),
    ("empty", sh(3, "10:00"), sh(3, "10:00"), [], {}, [V.TOO_SHORT]),
    ("reversed", sh(3, "11:00"), sh(3, "10:00"), [], {}, [V.TOO_SHORT]),
    # half-open intervals: touching is fine, one minute of overlap is not
    (
        "touches the one before",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "10:00", "11:00")],
        {},
        [],
    ),
    (
        "touches the one after",
        sh(3, "09:00"),
        sh(3, "10:00"),
        [booked(3, "10:00", "11:00")],
        {},
        [],
    ),
    (
        "overlaps the one before by a minute",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "10:00", "11:01")],
        {},
        [V.OVERLAP],
    ),
    (
        "overlaps the one after by a minute",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "11:59", "13:00")],
        {},
        [V.OVERLAP],
    ),
    (
        "same interval",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "11:00", "12:00")],
        {},
        [V.OVERLAP],
    ),
    ("contains it", sh(3, "10:00"), sh(3, "12:00"), [booked(3, "10:30", "11:00")], {}, [V.OVERLAP]),
    (
        "pending holds the slot",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "11:30", "12:30", BusyKind.PENDING)],
        {},
        [V.OVERLAP],
    ),
    (
        "own booking overlaps too",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "11:30", "12:30", household="h1")],
        {},
        [V.OVERLAP],
    ),
    # cleaning buffer of 30 minutes
    (
        "buffer: exactly B after",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "10:00", "10:30")],
        {"buffer_minutes": 30},
        [],
    ),
    (
        "buffer: B-1 after",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "10:00", "10:31")],
        {"buffer_minutes": 30},
        [V.BUFFER],
    ),
    (
        "buffer: exactly B before",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "12:30", "13:00")],
        {"buffer_minutes": 30},
        [],
    ),
    (
        "buffer: B-1 before",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "12:29", "13:00", BusyKind.PENDING)],
        {"buffer_minutes": 30},
        [V.BUFFER],
    ),
    (
        "buffer: touching is a buffer violation",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "10:00", "11:00")],
        {"buffer_minutes": 30},
        [V.BUFFER],
    ),
    (
        "buffer: overlap is reported as overlap only",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [booked(3, "11:30", "12:30")],
        {"buffer_minutes": 30},
        [V.OVERLAP],
    ),
    (
        "buffer: none needed around a blackout",
        sh(3, "11:00"),
        sh(3, "12:00"),
        [blackout(3, "10:00", "11:00"), blackout(3, "12:00", "13:00")],
        {"buffer_minutes": 30},
        [],
    ),
    ("blackout", sh(3, "10:00"), sh(3, "11:00"), [blackout(3, "10:30", "15:00")], {}, [V.BLACKOUT]),
    (
        "blackout over days",
        sh(3, "10:00"),
        sh(3, "11:00"),
        [Busy(sh(1, "00:00"), sh(9, "00:00"), BusyKind.BLACKOUT)],
        {},
        [V.BLACKOUT],
    ),
    ("touches a blackout", sh(3, "10:00"), sh(3, "11:00"), [blackout(3, "11:00", "15:00")], {}, []),
    (
        "several rules, in declaration order",
        sh(3, "10:10"),
        sh(3, "13:10"),
        [blackout(3, "12:00", "13:00"), booked(3, "10:00", "10:30")],
        {},
        [V.NOT_ALIGNED, V.TOO_LONG, V.OVERLAP, V.BLACKOUT],
    ),
]


@pytest.mark.parametrize(
    ("start", "end", "busy", "overrides", "expected"),
    [case[1:] for case in CHECK_CASES],
    ids=[case[0] for case in CHECK_CASES],
)
def test_check_booking(
    start: datetime,
    end: datetime,
    busy: list[Busy],
    overrides: dict[str, Any],
    expected: list[Violation],
) -> None:
    assert check(start, end, busy, r=rules(**overrides)) == expected


# now = Tuesday 3 June 12:00 local; notice 60 minutes
TIME_CASES: list[tuple[str, datetime, datetime, list[Violation]]] = [
    ("started an hour ago", sh(3, "11:00"), sh(3, "12:00"), [V.IN_PAST]),
    ("started a minute ago", sh(3, "11:59"), sh(3, "12:59"), [V.NOT_ALIGNED, V.IN_PAST]),
    ("starts now", sh(3, "12:00"), sh(3, "13:00"), [V.TOO_SOON]),
    ("notice - 1 minute", sh(3, "12:59"), sh(3, "13:59"), [V.NOT_ALIGNED, V.TOO_SOON]),
    ("notice exactly", sh(3, "13:00"), sh(3, "14:00"), []),
    ("yesterday", sh(2, "14:00"), sh(2, "15:00"), [V.IN_PAST]),
]


@pytest.mark.parametrize(
    ("start", "end", "expected"), [c[1:] for c in TIME_CASES], ids=[c[0] for c in TIME_CASES]
)
def test_past_and_minimum_notice(start: datetime, end: datetime, expected: list[Violation]) -> None:
    assert check(start, end, now=sh(3, "12:00")) == expected


def test_minimum_notice_exact_bound_to_the_minute() -> None:
    start, end = sh(3, "13:00"), sh(3, "14:00")
    assert check(start, end, now=sh(3, "12:00")) == []
    assert check(start, end, now=sh(3, "12:01")) == [V.TOO_SOON]


# NOW is Monday 2 June 07:00 local (Sunday 1 June in UTC); advance 14 days -> up to Monday 16 June
ADVANCE_CASES: list[tuple[str, datetime, datetime, list[Violation]]] = [
    ("day + 13", sh(15, "21:30"), sh(15, "22:00"), []),
    ("day + 14, last slot", sh(16, "20:30"), sh(16, "21:00"), []),
    ("day + 14, first slot", sh(16, "08:00"), sh(16, "08:30"), []),
    ("day + 15, first slot", sh(17, "08:00"), sh(17, "08:30"), [V.TOO_FAR]),
    ("a month ahead", sh(2, "10:00", month=7), sh(2, "11:00", month=7), [V.TOO_FAR]),
]


@pytest.mark.parametrize(
    ("start", "end", "expected"), [c[1:] for c in ADVANCE_CASES], ids=[c[0] for c in ADVANCE_CASES]
)
def test_max_advance_counts_local_days(
    start: datetime, end: datetime, expected: list[Violation]
) -> None:
    assert check(start, end) == expected


def test_check_accepts_datetimes_in_any_zone() -> None:
    start = sh(3, "10:00").astimezone(UTC)
    assert check(start, start + timedelta(hours=1), now=NOW.astimezone(UTC)) == []
    assert check(start, start + timedelta(minutes=15)) == [V.NOT_ALIGNED, V.TOO_SHORT]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(datetime(2025, 6, 3, 10), sh(3, "11:00"))
    with pytest.raises(ValueError, match="timezone-aware"):
        can_cancel(sh(3, "10:00"), datetime(2025, 6, 3, 9), RULES)


# --------------------------------------------------------------------------------------------
# Quotas (2 bookings and 4 hours per ISO week; week of Monday 2 June .. Sunday 8 June)
# --------------------------------------------------------------------------------------------

NEW = (sh(5, "10:00"), sh(5, "11:00"))  # Thursday, one hour

QUOTA_CASES: list[
    tuple[str, tuple[datetime, datetime], list[TimeRange], dict[str, Any], list[V]]
] = [
    ("none yet", NEW, [], {}, []),
    ("second booking is allowed", NEW, [(sh(3, "10:00"), sh(3, "11:00"))], {}, []),
    (
        "third booking is refused",
        NEW,
        [(sh(3, "10:00"), sh(3, "11:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {},
        [V.QUOTA_COUNT],
    ),
    (
        "last week's bookings do not count",
        NEW,
        [(sh(1, "10:00"), sh(1, "11:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {},
        [],
    ),
    (
        "next week's bookings do not count",
        NEW,
        [(sh(9, "10:00"), sh(9, "11:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {},
        [],
    ),
    (
        "Sunday is in the same week",
        (sh(8, "20:00"), sh(8, "21:00")),
        [(sh(3, "10:00"), sh(3, "11:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {},
        [V.QUOTA_COUNT],
    ),
    (
        "next Monday starts a new week",
        (sh(9, "10:00"), sh(9, "11:00")),
        [(sh(3, "10:00"), sh(3, "11:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {},
        [],
    ),
    (
        "the week is the room's local week, not UTC's",
        NEW,
        [(sh(2, "07:30"), sh(2, "08:30"))],  # Sunday 1 June 23:30 UTC
        {"quota_per_week": 1},
        [V.QUOTA_COUNT],
    ),
    (
        "hours: exactly the quota",
        NEW,
        [(sh(3, "10:00"), sh(3, "12:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {"quota_per_week": None},
        [],
    ),
    (
        "hours: quota + 30 minutes",
        NEW,
        [(sh(3, "10:00"), sh(3, "12:00")), (sh(4, "10:00"), sh(4, "11:30"))],
        {"quota_per_week": None},
        [V.QUOTA_HOURS],
    ),
    (
        "hours: the new booking tips it over",
        (sh(5, "10:00"), sh(5, "11:30")),
        [(sh(3, "10:00"), sh(3, "12:00")), (sh(4, "10:00"), sh(4, "11:00"))],
        {"quota_per_week": None},
        [V.QUOTA_HOURS],
    ),
    (
        "hours: fractional quota bound",
        (sh(5, "10:00"), sh(5, "10:30")),
        [(sh(3, "10:00"), sh(3, "11:00"))],
        {"quota_per_week": None, "quota_hours_per_week": 1.5},
        [],
    ),
    (
        "hours: fractional quota exceeded",
        (sh(5, "10:00"), sh(5, "11:00")),
        [(sh(3, "10:00"), sh(3, "11:00"))],
        {"quota_per_week": None, "quota_hours_per_week": 1.5},
        [V.QUOTA_HOURS],
    ),
    (
        "both quotas",
        NEW,
        [(sh(3, "10:00"), sh(3, "12:00")), (sh(4, "10:00"), sh(4, "11:30"))],
        {},
        [V.QUOTA_COUNT, V.QUOTA_HOURS],
    ),
    (
        "no quotas",
        NEW,
        [(sh(3, "10:00"), sh(3, "12:00"))] * 5,
        {"quota_per_week": None, "quota_hours_per_week": None},
        [],
    ),
]


@pytest.mark.parametrize(
    ("new", "mine", "overrides", "expected"),
    [c[1:] for c in QUOTA_CASES],
    ids=[c[0] for c in QUOTA_CASES],
)
def test_quotas(
    new: tuple[datetime, datetime],
    mine: list[TimeRange],
    overrides: dict[str, Any],
    expected: list[Violation],
) -> None:
    assert check(*new, r=rules(**overrides), mine=mine) == expected


# --------------------------------------------------------------------------------------------
# Staff bypass
# --------------------------------------------------------------------------------------------


def test_staff_bypass_set_is_exactly_the_fairness_rules() -> None:
    assert (
        frozenset(
            {V.TOO_SOON, V.TOO_FAR, V.TOO_LONG, V.QUOTA_COUNT, V.QUOTA_HOURS, V.NEEDS_APPROVAL}
        )
        == STAFF_BYPASS
    )
    never = {V.OVERLAP, V.BUFFER, V.BLACKOUT, V.OUTSIDE_HOURS, V.IN_PAST, V.NOT_ALIGNED}
    assert never.isdisjoint(STAFF_BYPASS)


TWO_THIS_WEEK = [(sh(3, "10:00"), sh(3, "12:00")), (sh(4, "10:00"), sh(4, "12:00"))]

STAFF_CASES: list[tuple[str, datetime, datetime, list[Busy], list[TimeRange], list[V], list[V]]] = [
    (
        "too soon",
        sh(2, "07:30"),
        sh(2, "08:30"),
        [],
        [],
        [V.OUTSIDE_HOURS, V.TOO_SOON],
        [V.OUTSIDE_HOURS],
    ),
    ("too far", sh(1, "10:00", 7), sh(1, "11:00", 7), [], [], [V.TOO_FAR], []),
    ("too long", sh(5, "09:00"), sh(5, "13:00"), [], [], [V.TOO_LONG], []),
    (
        "quotas",
        sh(5, "10:00"),
        sh(5, "11:00"),
        [],
        TWO_THIS_WEEK,
        [V.QUOTA_COUNT, V.QUOTA_HOURS],
        [],
    ),
    (
        "overlap stays",
        sh(5, "10:00"),
        sh(5, "11:00"),
        [booked(5, "10:30", "11:30")],
        [],
        [V.OVERLAP],
        [V.OVERLAP],
    ),
    (
        "blackout stays",
        sh(5, "10:00"),
        sh(5, "11:00"),
        [blackout(5, "10:30", "11:30")],
        [],
        [V.BLACKOUT],
        [V.BLACKOUT],
    ),
    (
        "outside hours stays",
        sh(5, "21:00"),
        sh(5, "22:00"),
        [],
        [],
        [V.OUTSIDE_HOURS],
        [V.OUTSIDE_HOURS],
    ),
    ("in the past stays", sh(1, "10:00"), sh(1, "11:00"), [], [], [V.IN_PAST], [V.IN_PAST]),
    (
        "off the grid stays",
        sh(5, "10:15"),
        sh(5, "11:15"),
        [],
        [],
        [V.NOT_ALIGNED],
        [V.NOT_ALIGNED],
    ),
    (
        "mixed: only the fairness rules go",
        sh(5, "09:00"),
        sh(5, "13:00"),
        [booked(5, "12:30", "13:30")],
        TWO_THIS_WEEK,
        [V.TOO_LONG, V.OVERLAP, V.QUOTA_COUNT, V.QUOTA_HOURS],
        [V.OVERLAP],
    ),
]


@pytest.mark.parametrize(
    ("start", "end", "busy", "mine", "resident", "staff"),
    [c[1:] for c in STAFF_CASES],
    ids=[c[0] for c in STAFF_CASES],
)
def test_staff_bypass(
    start: datetime,
    end: datetime,
    busy: list[Busy],
    mine: list[TimeRange],
    resident: list[Violation],
    staff: list[Violation],
) -> None:
    assert check(start, end, busy, mine=mine) == resident
    assert check(start, end, busy, mine=mine, staff=True) == staff


def test_staff_bypass_minimum_notice_but_not_the_past() -> None:
    now = sh(3, "09:10")
    assert check(sh(3, "09:30"), sh(3, "10:30"), now=now) == [V.TOO_SOON]
    assert check(sh(3, "09:30"), sh(3, "10:30"), now=now, staff=True) == []
    assert check(sh(3, "09:00"), sh(3, "10:00"), now=now, staff=True) == [V.IN_PAST]


def test_staff_buffer_is_not_bypassed() -> None:
    r = rules(buffer_minutes=30)
    busy = [booked(5, "09:00", "10:00")]
    assert check(sh(5, "10:00"), sh(5, "11:00"), busy, r=r, staff=True) == [V.BUFFER]
    assert check(sh(5, "10:30"), sh(5, "11:30"), busy, r=r, staff=True) == []


def test_booking_without_household_must_be_staff() -> None:
    args = (sh(5, "10:00"), sh(5, "11:00"), None, RULES, SH, NO_BUSY, NOW)
    with pytest.raises(ValueError, match="as_staff"):
        check_booking(*args, household_bookings_this_week=[])
    assert check_booking(*args, household_bookings_this_week=[], as_staff=True) == []


@pytest.mark.parametrize(
    ("needs_approval", "as_staff", "expected"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_requires_approval(needs_approval: bool, as_staff: bool, expected: bool) -> None:
    assert requires_approval(rules(needs_approval=needs_approval), as_staff=as_staff) is expected


def test_needs_approval_is_never_a_refusal() -> None:
    assert check(sh(5, "10:00"), sh(5, "11:00"), r=rules(needs_approval=True)) == []


# --------------------------------------------------------------------------------------------
# day_slots
# --------------------------------------------------------------------------------------------


def starts(slots: list[Slot]) -> list[str]:
    return [hhmm(s.start) for s in slots]


def half_hours(first: str, last: str) -> list[str]:
    """Every half hour from first to last inclusive, as HH:MM."""
    a = datetime.combine(date(2025, 1, 1), time.fromisoformat(first))
    b = datetime.combine(date(2025, 1, 1), time.fromisoformat(last))
    out = []
    while a <= b:
        out.append(a.strftime("%H:%M"))
        a += timedelta(minutes=30)
    return out


GRID_CASES: list[tuple[str, date, dict[str, Any], list[str]]] = [
    ("weekday 08:00-21:00", date(2025, 6, 3), {}, half_hours("08:00", "20:30")),
    ("weekend 09:00-22:00", date(2025, 6, 7), {}, half_hours("09:00", "21:30")),
    (
        "split hours",
        date(2025, 6, 3),
        {"open": SPLIT},
        half_hours("08:00", "11:30") + half_hours("14:00", "20:30"),
    ),
    ("closed day", date(2025, 6, 7), {"open": SPLIT}, []),
    (
        "hour slots",
        date(2025, 6, 3),
        {"slot_minutes": 60, "min_minutes": 60},
        [f"{h:02d}:00" for h in range(8, 21)],
    ),
]


@pytest.mark.parametrize(
    ("day", "overrides", "expected"), [c[1:] for c in GRID_CASES], ids=[c[0] for c in GRID_CASES]
)
def test_day_slots_follow_opening_hours(
    day: date, overrides: dict[str, Any], expected: list[str]
) -> None:
    r = rules(**overrides)
    slots = day_slots(day, r, SH, [], NOW)
    assert starts(slots) == expected
    assert all(s.end - s.start == timedelta(minutes=r.slot_minutes) for s in slots)
    assert all(s.state is S.FREE and s.can_start for s in slots)
    assert all(s.start.tzinfo is SH for s in slots)


def test_first_and_last_slot_of_the_day() -> None:
    slots = day_slots(date(2025, 6, 3), RULES, SH, [], NOW)
    assert len(slots) == 26
    assert (slots[0].start, slots[0].end) == (sh(3, "08:00"), sh(3, "08:30"))
    assert (slots[-1].start, slots[-1].end) == (sh(3, "20:30"), sh(3, "21:00"))


# Tuesday 3 June, now 09:10, notice 60 (so up to 10:10 closed), buffer 30.
STATE_BUSY = [
    booked(3, "08:00", "08:30", household="h3"),  # in the past: still shown as taken
    booked(3, "11:00", "12:00"),
    booked(3, "14:00", "14:30", BusyKind.PENDING),
    blackout(3, "16:00", "17:00"),
]
EXPECTED_STATES = {
    "08:00": S.TAKEN,
    "08:30": S.CLOSED,  # past beats buffer
    "09:00": S.CLOSED,  # started at 09:00, now is 09:10
    "09:30": S.CLOSED,  # within the notice
    "10:00": S.CLOSED,  # 10:00 < 10:10
    "10:30": S.BUFFER,  # ends 11:00, next booking starts 11:00
    "11:00": S.TAKEN,
    "11:30": S.TAKEN,
    "12:00": S.BUFFER,
    "12:30": S.FREE,  # exactly 30 after 12:00
    "13:00": S.FREE,  # ends exactly 30 before 14:00
    "13:30": S.BUFFER,
    "14:00": S.TAKEN,  # pending
    "14:30": S.BUFFER,
    "15:00": S.FREE,
    "15:30": S.FREE,  # blackouts need no buffer
    "16:00": S.BLACKOUT,
    "16:30": S.BLACKOUT,
    **{t: S.FREE for t in half_hours("17:00", "20:30")},
}


def test_day_slot_states() -> None:
    slots = day_slots(date(2025, 6, 3), rules(buffer_minutes=30), SH, STATE_BUSY, sh(3, "09:10"))
    assert {hhmm(s.start): s.state for s in slots} == EXPECTED_STATES
    by_start = {hhmm(s.start): s for s in slots}
    assert by_start["11:30"].occupant == STATE_BUSY[1]
    assert by_start["14:00"].occupant == STATE_BUSY[2]
    assert by_start["16:00"].occupant == STATE_BUSY[3]
    assert by_start["12:30"].occupant is None
    assert [hhmm(s.start) for s in slots if s.can_start] == [
        t for t, state in EXPECTED_STATES.items() if state is S.FREE
    ]


def test_can_start_respects_minimum_length() -> None:
    r = rules(buffer_minutes=30, min_minutes=60)
    slots = day_slots(date(2025, 6, 3), r, SH, STATE_BUSY, sh(3, "09:10"))
    can = [hhmm(s.start) for s in slots if s.can_start]
    # 13:00-14:00 would end 0 minutes before the pending booking; 15:30-16:30 hits the
    # blackout; 20:30 is the last slot before closing.
    assert can == ["12:30", "15:00", *half_hours("17:00", "20:00")]


@pytest.mark.parametrize(
    ("now", "first_free"),
    [
        (sh(2, "07:00"), "08:00"),  # exactly the notice
        (sh(2, "07:01"), "08:30"),  # one minute less than the notice
        (sh(2, "12:00"), "13:00"),
        (sh(1, "22:00"), "08:00"),
    ],
)
def test_day_slots_notice_bound(now: datetime, first_free: str) -> None:
    slots = day_slots(date(2025, 6, 2), RULES, SH, [], now)
    free = [hhmm(s.start) for s in slots if s.state is S.FREE]
    closed = [hhmm(s.start) for s in slots if s.state is S.CLOSED]
    assert free[0] == first_free
    assert closed == [t for t in half_hours("08:00", "20:30") if t < first_free]


@pytest.mark.parametrize(
    ("day", "resident_state", "staff_state"),
    [
        (date(2025, 6, 16), S.FREE, S.FREE),  # today + 14
        (date(2025, 6, 17), S.CLOSED, S.FREE),  # today + 15
    ],
)
def test_day_slots_max_advance_bound(day: date, resident_state: S, staff_state: S) -> None:
    resident = day_slots(day, RULES, SH, [], NOW)
    staff = day_slots(day, RULES, SH, [], NOW, as_staff=True)
    assert len(resident) == len(staff) == 26
    assert {s.state for s in resident} == {resident_state}
    assert {s.state for s in staff} == {staff_state}
    assert all(s.can_start is (s.state is S.FREE) for s in resident)


def test_day_slots_for_staff_ignore_notice_but_not_the_past() -> None:
    now = sh(3, "09:10")
    slots = {hhmm(s.start): s.state for s in day_slots(date(2025, 6, 3), RULES, SH, [], now)}
    staff = {
        hhmm(s.start): s.state
        for s in day_slots(date(2025, 6, 3), RULES, SH, [], now, as_staff=True)
    }
    assert (slots["09:00"], slots["09:30"], slots["10:00"], slots["10:30"]) == (
        S.CLOSED,
        S.CLOSED,
        S.CLOSED,
        S.FREE,
    )
    assert (staff["09:00"], staff["09:30"], staff["10:00"]) == (S.CLOSED, S.FREE, S.FREE)


# --------------------------------------------------------------------------------------------
# allowed_lengths (Tuesday 3 June, now = NOW)
# --------------------------------------------------------------------------------------------

LENGTH_CASES: list[tuple[str, datetime, list[Busy], dict[str, Any], list[int]]] = [
    ("free morning", sh(3, "10:00"), [], {}, [30, 60, 90, 120]),
    ("first slot", sh(3, "08:00"), [], {}, [30, 60, 90, 120]),
    ("an hour before closing", sh(3, "20:00"), [], {}, [30, 60]),
    ("last slot", sh(3, "20:30"), [], {}, [30]),
    ("at closing", sh(3, "21:00"), [], {}, []),
    ("before the lunch break", sh(3, "11:00"), [], {"open": SPLIT}, [30, 60]),
    ("up to the next booking", sh(3, "09:00"), [booked(3, "10:00", "11:00")], {}, [30, 60]),
    (
        "up to the next booking's buffer",
        sh(3, "09:00"),
        [booked(3, "10:00", "11:00")],
        {"buffer_minutes": 30},
        [30],
    ),
    ("up to a blackout", sh(3, "09:00"), [blackout(3, "10:30", "11:00")], {}, [30, 60, 90]),
    ("inside a booking", sh(3, "10:30"), [booked(3, "10:00", "11:00")], {}, []),
    (
        "min 60",
        sh(3, "10:00"),
        [],
        {"min_minutes": 60, "max_minutes": 180},
        [60, 90, 120, 150, 180],
    ),
    ("off the grid", sh(3, "10:10"), [], {}, []),
    ("in the past", sh(2, "06:00"), [], {}, []),
    ("too soon", sh(2, "07:30"), [], {"open": DAILY_24H}, []),
    ("too far", sh(17, "10:00"), [], {}, []),
]


@pytest.mark.parametrize(
    ("start", "busy", "overrides", "expected"),
    [c[1:] for c in LENGTH_CASES],
    ids=[c[0] for c in LENGTH_CASES],
)
def test_allowed_lengths(
    start: datetime, busy: list[Busy], overrides: dict[str, Any], expected: list[int]
) -> None:
    r = rules(**overrides)
    assert allowed_lengths(start, r, SH, busy, NOW) == expected
    for minutes in expected:  # consistent with check_booking
        assert check(start, start + timedelta(minutes=minutes), busy, r=r) == []


def test_allowed_lengths_for_staff_run_to_closing() -> None:
    assert allowed_lengths(sh(3, "17:00"), RULES, SH, [], NOW) == [30, 60, 90, 120]
    assert allowed_lengths(sh(3, "17:00"), RULES, SH, [], NOW, as_staff=True) == list(
        range(30, 241, 30)
    )


@pytest.mark.parametrize(
    ("mine", "expected"),
    [
        ([], [30, 60, 90, 120]),
        ([(sh(3, "10:00"), sh(3, "12:00"))], [30, 60, 90, 120]),
        ([(sh(3, "10:00"), sh(3, "12:00")), (sh(3, "13:00"), sh(3, "14:00"))], []),  # count
        ([(sh(3, "10:00"), sh(3, "13:00"))], [30, 60]),  # 3 of 4 hours used
    ],
)
def test_allowed_lengths_with_quotas(mine: list[TimeRange], expected: list[int]) -> None:
    start = sh(5, "10:00")
    assert allowed_lengths(start, RULES, SH, [], NOW, household_bookings_this_week=mine) == expected


# --------------------------------------------------------------------------------------------
# Cancellation cut-off (120 minutes)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "cutoff", "expected"),
    [
        (sh(5, "07:59"), 120, True),
        (sh(5, "08:00"), 120, True),  # exactly the cut-off
        (sh(5, "08:00") + timedelta(microseconds=1), 120, False),
        (sh(5, "08:01"), 120, False),
        (sh(5, "10:00"), 120, False),
        (sh(5, "11:00"), 120, False),
        (sh(5, "10:00"), 0, True),  # no cut-off: up to the start itself
        (sh(5, "10:01"), 0, False),
    ],
)
def test_can_cancel(now: datetime, cutoff: int, expected: bool) -> None:
    r = rules(cancel_cutoff_minutes=cutoff)
    assert can_cancel(sh(5, "10:00"), now, r) is expected


# --------------------------------------------------------------------------------------------
# Utilisation (daily 08:00-21:00 = 13 h a day, 91 h in the week of Monday 2 June)
# --------------------------------------------------------------------------------------------

DAILY = rules(open={"daily": "08:00-21:00"})
WEEK = date(2025, 6, 2)

UTILISATION_CASES: list[tuple[str, list[TimeRange], list[TimeRange], Fraction]] = [
    ("empty week", [], [], Fraction(0)),
    ("one span covering the week", [(sh(1, "00:00"), sh(10, "00:00"))], [], Fraction(1)),
    (
        "every opening hour, day by day",
        [(sh(d, "08:00"), sh(d, "21:00")) for d in range(2, 9)],
        [],
        Fraction(1),
    ),
    (
        "partial",
        [(sh(3, "10:00"), sh(3, "12:00")), (sh(4, "14:00"), sh(4, "15:30"))],
        [],
        Fraction(7, 182),
    ),
    (
        "overlapping bookings count once",
        [(sh(3, "10:00"), sh(3, "12:00")), (sh(3, "11:00"), sh(3, "13:00"))],
        [],
        Fraction(3, 91),
    ),
    (
        "duplicates count once",
        [(sh(3, "10:00"), sh(3, "12:00"))] * 3,
        [],
        Fraction(2, 91),
    ),
    ("clipped to opening hours", [(sh(3, "07:00"), sh(3, "09:00"))], [], Fraction(1, 91)),
    (
        "clipped to the week",
        [(sh(8, "20:00"), sh(9, "10:00")), (sh(1, "10:00"), sh(1, "12:00"))],
        [],
        Fraction(1, 91),
    ),
    (
        "blackouts reduce the open time",
        [(sh(4, "10:00"), sh(4, "12:00")), (sh(3, "10:00"), sh(3, "12:00"))],
        [(sh(3, "00:00"), sh(4, "00:00"))],
        Fraction(2, 78),
    ),
    ("all blacked out", [], [(sh(1, "00:00"), sh(10, "00:00"))], Fraction(0)),
]


@pytest.mark.parametrize(
    ("bookings", "blackouts", "expected"),
    [c[1:] for c in UTILISATION_CASES],
    ids=[c[0] for c in UTILISATION_CASES],
)
def test_utilisation(
    bookings: list[TimeRange], blackouts: list[TimeRange], expected: Fraction
) -> None:
    result = utilisation(DAILY, SH, WEEK, bookings, blackouts=blackouts)
    assert isinstance(result, Fraction)
    assert result == expected


def test_utilisation_with_split_hours_and_closed_weekend() -> None:
    r = rules(open=SPLIT)  # 11 h on weekdays, closed at weekends: 55 h
    bookings = [(sh(3, "11:00"), sh(3, "15:00")), (sh(7, "10:00"), sh(7, "12:00"))]
    assert utilisation(r, SH, WEEK, bookings) == Fraction(2, 55)


def test_utilisation_week_must_start_on_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        utilisation(DAILY, SH, date(2025, 6, 3), [])


# --------------------------------------------------------------------------------------------
# Daylight saving time (Europe/Berlin: 30 March 2025 springs forward 02:00 -> 03:00,
# 26 October 2025 falls back 03:00 -> 02:00)
# --------------------------------------------------------------------------------------------

BERLIN_24H = rules(
    open=DAILY_24H, slot_minutes=60, min_minutes=60, notice_minutes=0, advance_days=30
)
BERLIN_NOW = datetime(2025, 3, 20, 12, 0, tzinfo=BERLIN)


def berlin(day: int, hour: int, month: int = 3, fold: int = 0) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=BERLIN, fold=fold)


def test_dst_spring_forward_the_missing_hour_has_no_slot() -> None:
    slots = day_slots(date(2025, 3, 30), BERLIN_24H, BERLIN, [], BERLIN_NOW)
    assert len(slots) == 23
    assert [s.start.hour for s in slots] == [0, 1, *range(3, 24)]
    # every slot lasts one real hour: the 01:00 slot ends at 03:00 on the wall clock
    assert all(utc(s.end) - utc(s.start) == timedelta(hours=1) for s in slots)
    assert (hhmm(slots[1].start), hhmm(slots[1].end)) == ("01:00", "03:00")
    assert slots[1].end == berlin(30, 3)


def test_dst_spring_forward_half_hour_slots() -> None:
    r = rules(open={"sun": "01:00-04:00"}, notice_minutes=0, advance_days=30)
    slots = day_slots(date(2025, 3, 30), r, BERLIN, [], BERLIN_NOW)
    assert [(hhmm(s.start), hhmm(s.end)) for s in slots] == [
        ("01:00", "01:30"),
        ("01:30", "03:00"),
        ("03:00", "03:30"),
        ("03:30", "04:00"),
    ]


def test_dst_spring_forward_lengths_are_real_time() -> None:
    start = berlin(30, 1)
    assert allowed_lengths(start, BERLIN_24H, BERLIN, [], BERLIN_NOW) == [60, 120]
    args = (BERLIN_24H, BERLIN, NO_BUSY, BERLIN_NOW)
    # 01:00-04:00 on the wall clock is two real hours
    assert check_booking(start, berlin(30, 4), "h1", *args, household_bookings_this_week=[]) == []
    assert check_booking(start, berlin(30, 5), "h1", *args, household_bookings_this_week=[]) == [
        V.TOO_LONG
    ]


def test_dst_fall_back_the_repeated_hour_has_two_slots() -> None:
    slots = day_slots(date(2025, 10, 26), BERLIN_24H, BERLIN, [], BERLIN_NOW)
    assert len(slots) == 25
    assert [s.start.hour for s in slots] == [0, 1, 2, 2, *range(3, 24)]
    assert slots[2].start == berlin(26, 2, month=10, fold=0)
    assert slots[3].start == berlin(26, 2, month=10, fold=1)
    assert utc(slots[3].start) - utc(slots[2].start) == timedelta(hours=1)
    assert all(utc(s.end) - utc(s.start) == timedelta(hours=1) for s in slots)
    assert [s.state for s in slots] == [S.CLOSED] * 25  # beyond 30 days from 20 March


def test_dst_utilisation_week_has_167_open_hours() -> None:
    week = date(2025, 3, 24)
    sunday = (berlin(30, 0), berlin(31, 0))
    assert utilisation(BERLIN_24H, BERLIN, week, [sunday]) == Fraction(23, 167)
    assert utilisation(BERLIN_24H, BERLIN, week, [(berlin(24, 0), berlin(31, 0))]) == 1


# --------------------------------------------------------------------------------------------
# Loader: defaults, errors, round trip
# --------------------------------------------------------------------------------------------


def test_loader_defaults() -> None:
    r = rules_from_mapping({"open": {"daily": "08:00-21:00"}})
    assert (
        r.slot_minutes,
        r.min_minutes,
        r.max_minutes,
        r.advance_days,
        r.notice_minutes,
        r.cancel_cutoff_minutes,
        r.quota_per_week,
        r.quota_minutes_per_week,
        r.buffer_minutes,
        r.capacity,
        r.needs_approval,
    ) == (30, 30, 120, 14, 60, 120, None, None, 0, None, False)
    assert dict(r.opening) == {d: ((time(8), time(21)),) for d in range(7)}


def test_loader_reads_everything() -> None:
    r = RULES
    assert r.opening[0] == ((time(8), time(21)),)
    assert r.opening[6] == ((time(9), time(22)),)
    assert (r.quota_per_week, r.quota_minutes_per_week, r.quota_hours_per_week) == (
        2,
        240,
        Fraction(4),
    )
    assert (r.capacity, r.needs_approval, r.cancel_cutoff_minutes) == (20, False, 120)


def test_opening_normalisation() -> None:
    r = rules(open={"mon": ["14:00-21:00", "08:00-12:00,12:00-13:00"], "tue": "08:00-24:00"})
    assert r.opening[0] == ((time(8), time(13)), (time(14), time(21)))
    assert r.opening[1] == ((time(8), END_OF_DAY),)
    assert set(r.opening) == {0, 1}
    # merged touching intervals: a booking may run across 12:00
    assert check(sh(2, "11:30"), sh(2, "12:30"), r=r, now=sh(1, "12:00")) == []


def test_rules_are_immutable_and_hashable() -> None:
    with pytest.raises(FrozenInstanceError):
        RULES.slot_minutes = 15  # type: ignore[misc]
    with pytest.raises(TypeError):
        RULES.opening[0] = ()  # type: ignore[index]
    assert hash(rules()) == hash(RULES)
    assert rules() == RULES
    assert rules(capacity=21) != RULES


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="not on the 30-minute slot grid"):
        RoomRules(opening={0: [(time(8, 10), time(9))]})
    with pytest.raises(ValueError, match="weekday must be 0"):
        RoomRules(opening={7: [(time(8), time(9))]})
    assert RoomRules(opening={0: [(time(8), time(9))], 1: []}).opening == {0: ((time(8), time(9)),)}


def base(**overrides: Any) -> dict[str, Any]:
    return {**BASE, **overrides}


LOADER_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("no open", {k: v for k, v in BASE.items() if k != "open"}, r"need 'open'"),
    ("not a table", [("open", "08:00-21:00")], r"room rules must be a table"),  # type: ignore[list-item]
    ("open not a table", base(open="08:00-21:00"), r"'open' must be a table"),
    ("empty open", base(open={}), r"'open' must be a table"),
    ("bad time", base(open={"daily": "08:00-25:00"}), r"bad time 25:00"),
    ("bad minutes", base(open={"daily": "08:60-21:00"}), r"bad time 08:60"),
    ("bad hours", base(open={"daily": "8am-9pm"}), r"bad hours '8am-9pm'"),
    ("hours not text", base(open={"daily": 8}), r"hours must be text"),
    ("end before start", base(open={"daily": "21:00-08:00"}), r"end is not after the start"),
    ("empty hours", base(open={"daily": "08:00-08:00"}), r"end is not after the start"),
    ("starts at 24:00", base(open={"daily": "24:00-24:00"}), r"24:00 can only end"),
    ("unknown day", base(open={"funday": "08:00-21:00"}), r"unknown day 'funday'"),
    ("backwards range", base(open={"fri-mon": "08:00-21:00"}), r"runs backwards"),
    (
        "day twice",
        base(open={"daily": "08:00-21:00", "sun": "closed"}),
        r"sun is given more than once",
    ),
    (
        "overlapping hours",
        base(open={"mon": "08:00-12:00,11:00-14:00"}),
        r"08:00-12:00 and 11:00-14:00 overlap",
    ),
    (
        "opening off the grid",
        base(open={"mon": "08:15-21:00"}),
        r"08:15 is not on the 30-minute slot grid",
    ),
    ("max < min", base(min_minutes=60, max_minutes=30), r"max_minutes \(30\) must not be less"),
    (
        "max not a multiple of the slot",
        base(max_minutes=100),
        r"max_minutes \(100\) must be a multiple of slot_minutes \(30\)",
    ),
    ("min not a multiple of the slot", base(min_minutes=45), r"min_minutes \(45\) must be a"),
    ("min zero", base(min_minutes=0), r"min_minutes \(0\) must be a positive multiple"),
    ("slot not dividing a day", base(slot_minutes=7), r"slot_minutes must divide a day"),
    ("slot zero", base(slot_minutes=0), r"slot_minutes must divide a day"),
    ("slot as text", base(slot_minutes="30"), r"slot_minutes must be a whole number"),
    ("slot as float", base(slot_minutes=30.0), r"slot_minutes must be a whole number"),
    ("negative notice", base(notice_minutes=-1), r"notice_minutes must not be negative"),
    ("negative buffer", base(buffer_minutes=-5), r"buffer_minutes must not be negative"),
    ("zero quota", base(quota_per_week=0), r"quota_per_week must be at least 1"),
    ("bool capacity", base(capacity=True), r"capacity must be a whole number"),
    ("quota hours text", base(quota_hours_per_week="four"), r"must be a number of hours"),
    ("quota hours of 20 s", base(quota_hours_per_week=1 / 180), r"whole number of minutes"),
    ("zero quota hours", base(quota_hours_per_week=0), r"quota_minutes_per_week must be at least"),
    ("both quota keys", base(quota_minutes_per_week=240), r"not both"),
    ("approval not a bool", base(needs_approval="yes"), r"needs_approval must be true or false"),
    ("typo", base(slot_minute=30), r"unknown room rule key\(s\): slot_minute"),
]


@pytest.mark.parametrize(
    ("mapping", "message"), [c[1:] for c in LOADER_ERRORS], ids=[c[0] for c in LOADER_ERRORS]
)
def test_loader_errors(mapping: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules_from_mapping(mapping)


DAILY_OPEN = {"daily": "08:00-21:00"}
CANONICAL_MINIMAL: dict[str, Any] = {
    "open": DAILY_OPEN,
    "slot_minutes": 30,
    "min_minutes": 30,
    "max_minutes": 120,
    "advance_days": 14,
    "notice_minutes": 60,
    "cancel_cutoff_minutes": 120,
    "buffer_minutes": 0,
    "needs_approval": False,
}


def minimal(**overrides: Any) -> dict[str, Any]:
    return {**CANONICAL_MINIMAL, **overrides}


ROUND_TRIPS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("full example", BASE, BASE),
    ("minimal", {"open": DAILY_OPEN}, CANONICAL_MINIMAL),
    (
        "grouped days",
        {"open": {"mon,tue,wed": "08:00-21:00", "thu-fri": ["08:00-12:00", "14:00-21:00"]}},
        minimal(open={"mon-wed": "08:00-21:00", "thu-fri": "08:00-12:00,14:00-21:00"}),
    ),
    (
        "gaps, closed days and 24:00",
        {"open": {"monday": "09:00-24:00", "Wed": "09:00-24:00", "sun": "closed"}},
        minimal(open={"mon": "09:00-24:00", "wed": "09:00-24:00"}),
    ),
    (
        "merged hours",
        {"open": {"daily": "08:00-12:00, 12:00-14:00"}},
        minimal(open={"daily": "08:00-14:00"}),
    ),
    (
        "fractional quota hours",
        {"open": DAILY_OPEN, "quota_hours_per_week": 1.5},
        minimal(quota_minutes_per_week=90),
    ),
    (
        "quota hours as text",
        {"open": DAILY_OPEN, "quota_hours_per_week": "2.5"},
        minimal(quota_minutes_per_week=150),
    ),
    (
        "quota minutes in whole hours",
        {"open": DAILY_OPEN, "quota_minutes_per_week": 180},
        minimal(quota_hours_per_week=3),
    ),
    (
        "nulls are omitted",
        base(quota_per_week=None, quota_hours_per_week=None, capacity=None),
        {
            k: v
            for k, v in BASE.items()
            if k not in ("quota_per_week", "quota_hours_per_week", "capacity")
        },
    ),
]


@pytest.mark.parametrize(
    ("given", "expected"), [c[1:] for c in ROUND_TRIPS], ids=[c[0] for c in ROUND_TRIPS]
)
def test_round_trip(given: dict[str, Any], expected: dict[str, Any]) -> None:
    r = rules_from_mapping(given)
    mapping = rules_to_mapping(r)
    assert mapping == expected
    assert rules_from_mapping(json.loads(json.dumps(mapping))) == r
    assert rules_to_mapping(rules_from_mapping(mapping)) == mapping
