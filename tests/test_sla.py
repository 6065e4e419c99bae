"""Tests for bot.rules.sla: service-hour clocks, holidays, pauses, reminder stages, config."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.rules.sla import (
    DEFAULT_TARGETS,
    Audience,
    ClockKind,
    Deadline,
    Pause,
    Priority,
    ServiceCalendar,
    SlaPolicy,
    SlaStatus,
    Stage,
    Target,
    add_business_time,
    business_time_between,
    due_time,
    due_times,
    reminder_schedule,
    status_at,
    targets_from_mapping,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

URGENT = DEFAULT_TARGETS[Priority.URGENT]
NORMAL = DEFAULT_TARGETS[Priority.NORMAL]
LOW = DEFAULT_TARGETS[Priority.LOW]

CAL = ServiceCalendar(tz=SHANGHAI)
# National Day 2024: 1-7 October off; Sunday 29 September and Saturday 12 October worked (调休).
NATIONAL_DAY = [f"2024-10-0{day}" for day in range(1, 8)]
CAL_HOLIDAYS = ServiceCalendar.from_config("Asia/Shanghai", holidays=NATIONAL_DAY)
CAL_NEW_YEAR = ServiceCalendar.from_config("Asia/Shanghai", holidays=["2025-01-01"])
CAL_WEEKDAYS = ServiceCalendar.from_config(
    "Asia/Shanghai",
    holidays=NATIONAL_DAY,
    workdays=range(5),
    makeup_workdays=["2024-09-29", "2024-10-12"],
)
CAL_WEEKDAYS_NO_MAKEUP = ServiceCalendar.from_config(
    "Asia/Shanghai", holidays=NATIONAL_DAY, workdays=range(5)
)
CAL_BERLIN = ServiceCalendar(tz=BERLIN)


def sh(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An instant in Asia/Shanghai local time (2024-06-03 is a Monday)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def be(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def assert_utc(value: datetime | None) -> datetime:
    assert value is not None
    assert value.tzinfo is UTC
    return value


# --------------------------------------------------------------------------------------------
# Targets and enums
# --------------------------------------------------------------------------------------------


def test_default_targets() -> None:
    assert DEFAULT_TARGETS == {
        Priority.URGENT: Target(
            timedelta(minutes=15), timedelta(hours=4), ClockKind.TWENTY_FOUR_SEVEN
        ),
        Priority.NORMAL: Target(timedelta(hours=2), timedelta(hours=8), ClockKind.SERVICE),
        Priority.LOW: Target(timedelta(hours=24), timedelta(hours=72), ClockKind.SERVICE),
    }
    assert [p.value for p in Priority] == ["urgent", "normal", "low"]
    assert ClockKind("24/7") is ClockKind.TWENTY_FOUR_SEVEN
    assert ClockKind("service") is ClockKind.SERVICE


@pytest.mark.parametrize(
    ("stage", "deadline", "audience"),
    [
        (Stage.RESPONSE_WARN, Deadline.RESPONSE, Audience.ASSIGNEE),
        (Stage.RESPONSE_BREACH, Deadline.RESPONSE, Audience.MANAGER),
        (Stage.RESPONSE_ESCALATE, Deadline.RESPONSE, Audience.GRID_WORKER),
        (Stage.RESOLUTION_WARN, Deadline.RESOLUTION, Audience.ASSIGNEE),
        (Stage.RESOLUTION_BREACH, Deadline.RESOLUTION, Audience.MANAGER),
        (Stage.RESOLUTION_ESCALATE, Deadline.RESOLUTION, Audience.GRID_WORKER),
    ],
)
def test_stage_metadata(stage: Stage, deadline: Deadline, audience: Audience) -> None:
    assert stage.deadline is deadline
    assert stage.audience is audience


@pytest.mark.parametrize(
    ("response", "resolution", "message"),
    [
        (timedelta(0), timedelta(hours=1), "response target must be positive"),
        (timedelta(hours=1), timedelta(minutes=-1), "resolution target must be positive"),
        (timedelta(hours=2), timedelta(hours=1), "shorter than the response"),
    ],
)
def test_target_validation(response: timedelta, resolution: timedelta, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Target(response, resolution, ClockKind.SERVICE)


def test_target_from_minutes() -> None:
    assert Target.from_minutes(15, 240, "24/7") == URGENT
    assert Target.from_minutes(120, 480, ClockKind.SERVICE) == NORMAL


# --------------------------------------------------------------------------------------------
# add_business_time
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "target", "expected"),
    [
        pytest.param(
            sh(2024, 6, 3, 3),
            URGENT.response,
            URGENT,
            sh(2024, 6, 3, 3, 15),
            id="urgent-3am-response",
        ),
        pytest.param(
            sh(2024, 6, 3, 3),
            URGENT.resolution,
            URGENT,
            sh(2024, 6, 3, 7),
            id="urgent-3am-resolution",
        ),
        pytest.param(
            sh(2024, 6, 3, 22),
            URGENT.resolution,
            URGENT,
            sh(2024, 6, 4, 2),
            id="urgent-over-midnight",
        ),
        pytest.param(
            sh(2024, 6, 3, 19, 50),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 4, 9, 50),
            id="normal-19:50",
        ),
        pytest.param(
            sh(2024, 6, 3, 7), NORMAL.response, NORMAL, sh(2024, 6, 3, 10), id="normal-7am-from-8"
        ),
        pytest.param(
            sh(2024, 6, 3, 3), NORMAL.response, NORMAL, sh(2024, 6, 3, 10), id="normal-3am-from-8"
        ),
        pytest.param(
            sh(2024, 6, 3, 23, 30),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 4, 10),
            id="normal-late-night",
        ),
        pytest.param(
            sh(2024, 6, 3, 20),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 4, 10),
            id="normal-exactly-20:00",
        ),
        pytest.param(
            sh(2024, 6, 3, 8),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 3, 10),
            id="normal-exactly-08:00",
        ),
        pytest.param(
            sh(2024, 6, 3, 18),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 3, 20),
            id="normal-ends-at-20:00",
        ),
        pytest.param(
            sh(2024, 6, 3, 19, 59, 59),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 4, 9, 59, 59),
            id="normal-19:59:59",
        ),
        pytest.param(
            sh(2024, 6, 3, 15),
            NORMAL.resolution,
            NORMAL,
            sh(2024, 6, 4, 11),
            id="normal-resolution",
        ),
        pytest.param(
            sh(2024, 6, 3, 10), LOW.response, LOW, sh(2024, 6, 5, 10), id="low-response-two-nights"
        ),
        pytest.param(
            sh(2024, 6, 3, 10), LOW.resolution, LOW, sh(2024, 6, 9, 10), id="low-72h-six-nights"
        ),
        pytest.param(
            sh(2024, 6, 3, 8),
            LOW.resolution,
            LOW,
            sh(2024, 6, 8, 20),
            id="low-72h-six-service-days",
        ),
        pytest.param(
            datetime(2024, 6, 3, 11, 50, tzinfo=UTC),
            NORMAL.response,
            NORMAL,
            sh(2024, 6, 4, 9, 50),
            id="utc-input",
        ),
        pytest.param(
            sh(2024, 6, 3, 3), timedelta(0), NORMAL, sh(2024, 6, 3, 3), id="zero-at-night"
        ),
        pytest.param(
            sh(2024, 6, 3, 12), timedelta(0), NORMAL, sh(2024, 6, 3, 12), id="zero-in-hours"
        ),
    ],
)
def test_add_business_time(
    start: datetime, duration: timedelta, target: Target, expected: datetime
) -> None:
    assert assert_utc(add_business_time(start, duration, target, CAL)) == expected


@pytest.mark.parametrize(
    ("cal", "start", "target", "duration", "expected"),
    [
        pytest.param(
            CAL_HOLIDAYS,
            sh(2024, 9, 30, 19, 30),
            NORMAL,
            NORMAL.response,
            sh(2024, 10, 8, 9, 30),
            id="eve-of-national-day",
        ),
        pytest.param(
            CAL_HOLIDAYS,
            sh(2024, 10, 3, 10),
            NORMAL,
            NORMAL.response,
            sh(2024, 10, 8, 10),
            id="opened-on-holiday",
        ),
        pytest.param(
            CAL_HOLIDAYS,
            sh(2024, 9, 29, 10),
            LOW,
            LOW.resolution,
            sh(2024, 10, 12, 10),
            id="low-over-holiday-week",
        ),
        pytest.param(
            CAL_HOLIDAYS,
            sh(2024, 9, 30, 19, 30),
            URGENT,
            URGENT.response,
            sh(2024, 9, 30, 19, 45),
            id="urgent-ignores-holidays",
        ),
        pytest.param(
            CAL_HOLIDAYS,
            sh(2024, 10, 1, 10),
            URGENT,
            URGENT.resolution,
            sh(2024, 10, 1, 14),
            id="urgent-on-holiday",
        ),
        pytest.param(
            CAL_NEW_YEAR,
            sh(2024, 12, 31, 19),
            NORMAL,
            NORMAL.response,
            sh(2025, 1, 2, 9),
            id="eve-of-new-year",
        ),
        pytest.param(
            CAL_WEEKDAYS,
            sh(2024, 10, 11, 19),
            NORMAL,
            NORMAL.response,
            sh(2024, 10, 12, 9),
            id="makeup-saturday",
        ),
        pytest.param(
            CAL_WEEKDAYS_NO_MAKEUP,
            sh(2024, 10, 11, 19),
            NORMAL,
            NORMAL.response,
            sh(2024, 10, 14, 9),
            id="no-makeup-monday",
        ),
        pytest.param(
            CAL_WEEKDAYS,
            sh(2024, 9, 27, 19),
            NORMAL,
            NORMAL.response,
            sh(2024, 9, 29, 9),
            id="makeup-sunday",
        ),
        pytest.param(
            CAL_WEEKDAYS,
            sh(2024, 9, 28, 10),
            NORMAL,
            NORMAL.response,
            sh(2024, 9, 29, 10),
            id="weekend-then-makeup",
        ),
        pytest.param(
            CAL_WEEKDAYS,
            sh(2024, 9, 30, 19),
            NORMAL,
            NORMAL.response,
            sh(2024, 10, 8, 9),
            id="weekdays-holiday-week",
        ),
    ],
)
def test_add_business_time_holidays(
    cal: ServiceCalendar, start: datetime, target: Target, duration: timedelta, expected: datetime
) -> None:
    assert assert_utc(add_business_time(start, duration, target, cal)) == expected


@pytest.mark.parametrize(
    ("start", "target", "duration", "expected_utc"),
    [
        # Saturday 19:00 CET, 1 h that evening, 1 h from 08:00 CEST on Sunday (after the change).
        pytest.param(
            be(2024, 3, 30, 19),
            NORMAL,
            NORMAL.response,
            datetime(2024, 3, 31, 7, 0, tzinfo=UTC),
            id="spring-forward",
        ),
        # Saturday 19:00 CEST, 1 h that evening, 1 h from 08:00 CET on Sunday.
        pytest.param(
            be(2024, 10, 26, 19),
            NORMAL,
            NORMAL.response,
            datetime(2024, 10, 27, 8, 0, tzinfo=UTC),
            id="fall-back",
        ),
        # 24/7 adds real time: 01:30 CET + 4 h is 06:30 CEST, not 05:30.
        pytest.param(
            be(2024, 3, 31, 1, 30),
            URGENT,
            URGENT.resolution,
            datetime(2024, 3, 31, 4, 30, tzinfo=UTC),
            id="urgent-real-hours",
        ),
        # Low, 24 h of service time from Saturday 14:00 CET: 6 h + 12 h + 6 h (Monday 14:00 CEST).
        pytest.param(
            be(2024, 3, 30, 14),
            LOW,
            LOW.response,
            datetime(2024, 4, 1, 12, 0, tzinfo=UTC),
            id="low-across-change",
        ),
    ],
)
def test_add_business_time_berlin_dst(
    start: datetime, target: Target, duration: timedelta, expected_utc: datetime
) -> None:
    assert assert_utc(add_business_time(start, duration, target, CAL_BERLIN)) == expected_utc


def test_berlin_dst_day_lengths() -> None:
    spring_day = (be(2024, 3, 31), be(2024, 4, 1))
    assert business_time_between(*spring_day, URGENT, CAL_BERLIN) == timedelta(hours=23)
    assert business_time_between(*spring_day, NORMAL, CAL_BERLIN) == timedelta(hours=12)
    autumn_day = (be(2024, 10, 27), be(2024, 10, 28))
    assert business_time_between(*autumn_day, URGENT, CAL_BERLIN) == timedelta(hours=25)
    assert business_time_between(*autumn_day, NORMAL, CAL_BERLIN) == timedelta(hours=12)


# --------------------------------------------------------------------------------------------
# business_time_between
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cal", "a", "b", "target", "expected"),
    [
        pytest.param(
            CAL,
            sh(2024, 6, 3, 19, 50),
            sh(2024, 6, 4, 9, 50),
            NORMAL,
            timedelta(hours=2),
            id="over-night",
        ),
        pytest.param(
            CAL, sh(2024, 6, 3, 3), sh(2024, 6, 3, 10), NORMAL, timedelta(hours=2), id="from-night"
        ),
        pytest.param(
            CAL, sh(2024, 6, 3, 20), sh(2024, 6, 4, 8), NORMAL, timedelta(0), id="whole-night"
        ),
        pytest.param(
            CAL, sh(2024, 6, 3, 8), sh(2024, 6, 10, 8), LOW, timedelta(hours=84), id="a-week"
        ),
        pytest.param(
            CAL,
            sh(2024, 6, 4, 9, 50),
            sh(2024, 6, 3, 19, 50),
            NORMAL,
            -timedelta(hours=2),
            id="reversed",
        ),
        pytest.param(
            CAL, sh(2024, 6, 3, 3), sh(2024, 6, 4, 3), URGENT, timedelta(hours=24), id="24/7"
        ),
        pytest.param(
            CAL_HOLIDAYS,
            sh(2024, 9, 30, 19, 30),
            sh(2024, 10, 8, 9, 30),
            NORMAL,
            timedelta(hours=2),
            id="holidays",
        ),
        pytest.param(
            CAL_WEEKDAYS,
            sh(2024, 10, 11, 8),
            sh(2024, 10, 14, 8),
            NORMAL,
            timedelta(hours=24),
            id="makeup-saturday",
        ),
    ],
)
def test_business_time_between(
    cal: ServiceCalendar, a: datetime, b: datetime, target: Target, expected: timedelta
) -> None:
    assert business_time_between(a, b, target, cal) == expected


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        pytest.param([], timedelta(hours=2, minutes=30), id="none"),
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10))], timedelta(hours=2), id="closed"
        ),
        pytest.param([Pause(sh(2024, 6, 3, 10), None)], timedelta(hours=1), id="open-until-b"),
        pytest.param(
            [Pause(sh(2024, 6, 3, 7), sh(2024, 6, 3, 9, 30))], timedelta(hours=2), id="before-a"
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 11), sh(2024, 6, 3, 13))], timedelta(hours=2), id="past-b"
        ),
    ],
)
def test_business_time_between_with_pauses(pauses: list[Pause], expected: timedelta) -> None:
    a, b = sh(2024, 6, 3, 9), sh(2024, 6, 3, 11, 30)
    assert business_time_between(a, b, NORMAL, CAL, pauses) == expected


RANDOM_CALENDARS = [
    CAL,
    CAL_WEEKDAYS,
    CAL_BERLIN,
    ServiceCalendar.from_config(
        "Europe/Berlin",
        service_start="09:30",
        service_end="17:15",
        holidays=["2024-03-29", "2024-04-01", "2024-12-25", "2024-12-26"],
        workdays=[0, 1, 2, 3, 4, 5],
    ),
]
RANDOM_TARGETS = [NORMAL, LOW, URGENT]


def random_instant(rng: random.Random) -> datetime:
    seconds = rng.randrange(366 * 24 * 3600)
    micros = rng.randrange(1_000_000) if rng.random() < 0.5 else 0
    return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros)


def random_duration(rng: random.Random, max_hours: int) -> timedelta:
    return timedelta(seconds=rng.randrange(max_hours * 3600), microseconds=rng.randrange(1000))


def test_between_inverts_add_property() -> None:
    rng = random.Random(20240603)
    for _ in range(400):
        cal = rng.choice(RANDOM_CALENDARS)
        target = rng.choice(RANDOM_TARGETS)
        start = random_instant(rng).astimezone(rng.choice([UTC, SHANGHAI, BERLIN]))
        duration = random_duration(rng, 100)
        due = assert_utc(add_business_time(start, duration, target, cal))
        assert due >= start
        assert business_time_between(start, due, target, cal) == duration, (start, duration)


def test_add_inverts_between_property() -> None:
    rng = random.Random(1001)
    for _ in range(400):
        cal = rng.choice(RANDOM_CALENDARS)
        target = rng.choice(RANDOM_TARGETS)
        a = random_instant(rng)
        b = a + random_duration(rng, 240)
        elapsed = business_time_between(a, b, target, cal)
        assert business_time_between(b, a, target, cal) == -elapsed
        back = add_business_time(a, elapsed, target, cal)
        assert back <= b
        assert business_time_between(back, b, target, cal) == timedelta(0)
        window = cal.service_window(b.astimezone(cal.tz).date())
        runs_at_b = window is not None and window[0] < b <= window[1]
        if target.clock is ClockKind.TWENTY_FOUR_SEVEN or (runs_at_b and b > a):
            assert back == b, (a, b)


# --------------------------------------------------------------------------------------------
# Pauses and due_time
# --------------------------------------------------------------------------------------------

OPENED = sh(2024, 6, 3, 9)  # normal ticket: response due 11:00, resolution due 17:00


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        pytest.param([], sh(2024, 6, 3, 11), id="no-pause"),
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10))],
            sh(2024, 6, 3, 11, 30),
            id="inside-hours",
        ),
        pytest.param(
            [
                Pause(sh(2024, 6, 3, 9, 15), sh(2024, 6, 3, 9, 45)),
                Pause(sh(2024, 6, 3, 10), sh(2024, 6, 3, 10, 30)),
            ],
            sh(2024, 6, 3, 12),
            id="two-separate",
        ),
        pytest.param(
            [
                Pause(sh(2024, 6, 3, 9, 45), sh(2024, 6, 3, 10, 15)),
                Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10)),
            ],
            sh(2024, 6, 3, 11, 45),
            id="overlapping-unsorted",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10))] * 2,
            sh(2024, 6, 3, 11, 30),
            id="duplicate",
        ),
        pytest.param(
            [
                Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10, 30)),
                Pause(sh(2024, 6, 3, 9, 40), sh(2024, 6, 3, 9, 50)),
            ],
            sh(2024, 6, 3, 12),
            id="nested",
        ),
        pytest.param(
            [
                Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10)),
                Pause(sh(2024, 6, 3, 10), sh(2024, 6, 3, 10, 30)),
            ],
            sh(2024, 6, 3, 12),
            id="touching",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 8), sh(2024, 6, 3, 9, 30))],
            sh(2024, 6, 3, 11, 30),
            id="started-before-opening",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 7), sh(2024, 6, 3, 8, 30))],
            sh(2024, 6, 3, 11),
            id="ended-before-opening",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 11), sh(2024, 6, 3, 12))],
            sh(2024, 6, 3, 11),
            id="starts-at-deadline",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 11, 30), sh(2024, 6, 3, 12))],
            sh(2024, 6, 3, 11),
            id="after-deadline",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 10, 30), sh(2024, 6, 3, 13))],
            sh(2024, 6, 3, 13, 30),
            id="across-deadline",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 10), sh(2024, 6, 3, 10))], sh(2024, 6, 3, 11), id="zero-length"
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 10, 30), sh(2024, 6, 4, 9))],
            sh(2024, 6, 4, 9, 30),
            id="over-night",
        ),
    ],
)
def test_due_time_pauses_response(pauses: list[Pause], expected: datetime) -> None:
    assert assert_utc(due_time(OPENED, NORMAL.response, NORMAL, CAL, pauses)) == expected


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        pytest.param([], sh(2024, 6, 4, 10), id="no-pause"),
        # 19:00-09:00 is 14 real hours but only 2 h of service time (19-20, 08-09).
        pytest.param(
            [Pause(sh(2024, 6, 3, 19), sh(2024, 6, 4, 9))], sh(2024, 6, 4, 12), id="overnight"
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 21), sh(2024, 6, 4, 7))], sh(2024, 6, 4, 10), id="outside-hours"
        ),
        pytest.param(
            [
                Pause(sh(2024, 6, 3, 19), sh(2024, 6, 4, 9)),
                Pause(sh(2024, 6, 3, 19, 30), sh(2024, 6, 4, 8, 30)),
            ],
            sh(2024, 6, 4, 12),
            id="overlapping-overnight",
        ),
    ],
)
def test_due_time_pauses_overnight(pauses: list[Pause], expected: datetime) -> None:
    opened = sh(2024, 6, 3, 14)  # 8 h resolution: 6 h today, 2 h tomorrow
    assert assert_utc(due_time(opened, NORMAL.resolution, NORMAL, CAL, pauses)) == expected


def test_due_time_pause_on_24_7_clock_counts_real_time() -> None:
    pauses = [Pause(sh(2024, 6, 3, 3, 5), sh(2024, 6, 3, 5, 5))]
    due = due_time(sh(2024, 6, 3, 3), URGENT.response, URGENT, CAL, pauses)
    assert assert_utc(due) == sh(2024, 6, 3, 5, 15)


@pytest.mark.parametrize(
    ("pauses", "now", "expected"),
    [
        # Open pause before the deadline: undefined without `now` ...
        pytest.param([Pause(sh(2024, 6, 3, 9, 30))], None, None, id="open-no-now"),
        # ... and as if the resident answered at `now` with it: 1.5 h left from 10:30.
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30))],
            sh(2024, 6, 3, 10, 30),
            sh(2024, 6, 3, 12),
            id="open-with-now",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30))],
            sh(2024, 6, 3, 9),
            sh(2024, 6, 3, 11),
            id="now-before-pause",
        ),
        # Open pause after the deadline: the deadline is already fixed.
        pytest.param(
            [Pause(sh(2024, 6, 3, 11, 30))], None, sh(2024, 6, 3, 11), id="open-after-deadline"
        ),
        pytest.param([Pause(sh(2024, 6, 3, 11))], None, sh(2024, 6, 3, 11), id="open-at-deadline"),
        # An open pause swallows later pauses without `now`; with `now` they count again.
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30)), Pause(sh(2024, 6, 3, 10, 45), sh(2024, 6, 3, 11))],
            None,
            None,
            id="open-then-closed-no-now",
        ),
        pytest.param(
            [Pause(sh(2024, 6, 3, 9, 30)), Pause(sh(2024, 6, 3, 10, 45), sh(2024, 6, 3, 11))],
            sh(2024, 6, 3, 10, 30),
            sh(2024, 6, 3, 12, 15),
            id="open-then-closed-with-now",
        ),
        # Open from 10:30 until now (next day 09:00): 30 min of clock left from 09:00.
        pytest.param(
            [Pause(sh(2024, 6, 3, 10, 30))],
            sh(2024, 6, 4, 9),
            sh(2024, 6, 4, 9, 30),
            id="open-overnight",
        ),
    ],
)
def test_due_time_open_pause(
    pauses: list[Pause], now: datetime | None, expected: datetime | None
) -> None:
    due = due_time(OPENED, NORMAL.response, NORMAL, CAL, pauses, now=now)
    if expected is None:
        assert due is None
    else:
        assert assert_utc(due) == expected


def test_due_times() -> None:
    pauses = [Pause(sh(2024, 6, 3, 9, 30), sh(2024, 6, 3, 10))]
    assert due_times(OPENED, NORMAL, CAL, pauses) == (
        sh(2024, 6, 3, 11, 30),
        sh(2024, 6, 3, 17, 30),
    )
    assert due_times(OPENED, NORMAL, CAL, [Pause(sh(2024, 6, 3, 12))]) == (
        sh(2024, 6, 3, 11),
        None,
    )


def test_due_time_pauses_property() -> None:
    rng = random.Random(7)
    for _ in range(300):
        cal = rng.choice(RANDOM_CALENDARS)
        target = rng.choice(RANDOM_TARGETS)
        opened = random_instant(rng)
        duration = random_duration(rng, 40)
        pauses = []
        for _ in range(rng.randrange(5)):
            begin = opened + timedelta(minutes=rng.randrange(-300, 3600))
            pauses.append(Pause(begin, begin + timedelta(minutes=rng.randrange(0, 1200))))
        due = assert_utc(due_time(opened, duration, target, cal, pauses))
        assert due >= add_business_time(opened, duration, target, cal)
        assert business_time_between(opened, due, target, cal, pauses) == duration, (
            opened,
            duration,
            pauses,
        )


# --------------------------------------------------------------------------------------------
# Reminder schedule
# --------------------------------------------------------------------------------------------


def test_reminder_schedule_urgent() -> None:
    schedule = reminder_schedule(sh(2024, 6, 3, 3), URGENT, CAL)
    assert schedule == [
        (Stage.RESPONSE_WARN, sh(2024, 6, 3, 3, 11, 15)),
        (Stage.RESPONSE_BREACH, sh(2024, 6, 3, 3, 15)),
        (Stage.RESPONSE_ESCALATE, sh(2024, 6, 3, 3, 30)),
        (Stage.RESOLUTION_WARN, sh(2024, 6, 3, 6)),
        (Stage.RESOLUTION_BREACH, sh(2024, 6, 3, 7)),
        (Stage.RESOLUTION_ESCALATE, sh(2024, 6, 3, 11)),
    ]
    assert all(when.tzinfo is UTC for _, when in schedule)


@pytest.mark.parametrize(
    ("kwargs", "pauses", "expected"),
    [
        pytest.param(
            {},
            [],
            [
                (Stage.RESPONSE_WARN, sh(2024, 6, 3, 19, 30)),
                (Stage.RESPONSE_BREACH, sh(2024, 6, 3, 20)),
                (Stage.RESPONSE_ESCALATE, sh(2024, 6, 4, 10)),  # 4 h of clock: over the night
                (Stage.RESOLUTION_WARN, sh(2024, 6, 4, 12)),
                (Stage.RESOLUTION_BREACH, sh(2024, 6, 4, 14)),
                (Stage.RESOLUTION_ESCALATE, sh(2024, 6, 5, 10)),  # 16 h: over two nights
            ],
            id="normal-default",
        ),
        pytest.param(
            {"warn_lead": timedelta(minutes=10)},
            [],
            [
                (Stage.RESPONSE_WARN, sh(2024, 6, 3, 19, 50)),
                (Stage.RESPONSE_BREACH, sh(2024, 6, 3, 20)),
                (Stage.RESPONSE_ESCALATE, sh(2024, 6, 4, 10)),
                (Stage.RESOLUTION_WARN, sh(2024, 6, 4, 13, 50)),
                (Stage.RESOLUTION_BREACH, sh(2024, 6, 4, 14)),
                (Stage.RESOLUTION_ESCALATE, sh(2024, 6, 5, 10)),
            ],
            id="fixed-lead",
        ),
        pytest.param(
            {"warn_lead": Fraction(1, 2), "escalate_factor": 3},
            [],
            [
                (Stage.RESPONSE_WARN, sh(2024, 6, 3, 19)),
                (Stage.RESPONSE_BREACH, sh(2024, 6, 3, 20)),
                (Stage.RESOLUTION_WARN, sh(2024, 6, 4, 10)),
                (Stage.RESPONSE_ESCALATE, sh(2024, 6, 4, 12)),
                (Stage.RESOLUTION_BREACH, sh(2024, 6, 4, 14)),
                (Stage.RESOLUTION_ESCALATE, sh(2024, 6, 5, 18)),  # 24 h: 2 + 12 + 10
            ],
            id="half-and-triple",
        ),
        pytest.param(
            {},
            [Pause(sh(2024, 6, 3, 18, 30), sh(2024, 6, 3, 19))],
            [
                (Stage.RESPONSE_WARN, sh(2024, 6, 3, 20)),
                (Stage.RESPONSE_BREACH, sh(2024, 6, 4, 8, 30)),
                (Stage.RESPONSE_ESCALATE, sh(2024, 6, 4, 10, 30)),
                (Stage.RESOLUTION_WARN, sh(2024, 6, 4, 12, 30)),
                (Stage.RESOLUTION_BREACH, sh(2024, 6, 4, 14, 30)),
                (Stage.RESOLUTION_ESCALATE, sh(2024, 6, 5, 10, 30)),
            ],
            id="paused",
        ),
    ],
)
def test_reminder_schedule_normal(
    kwargs: dict[str, Any], pauses: list[Pause], expected: list[tuple[Stage, datetime]]
) -> None:
    assert reminder_schedule(sh(2024, 6, 3, 18), NORMAL, CAL, pauses, **kwargs) == expected


def test_reminder_schedule_lead_longer_than_target_warns_at_start() -> None:
    schedule = dict(
        reminder_schedule(sh(2024, 6, 3, 10), NORMAL, CAL, warn_lead=timedelta(hours=3))
    )
    assert schedule[Stage.RESPONSE_WARN] == sh(2024, 6, 3, 10)
    assert schedule[Stage.RESOLUTION_WARN] == sh(2024, 6, 3, 15)


def test_reminder_schedule_open_pause() -> None:
    pauses = [Pause(sh(2024, 6, 3, 10, 45))]
    assert reminder_schedule(OPENED, NORMAL, CAL, pauses) == [
        (Stage.RESPONSE_WARN, sh(2024, 6, 3, 10, 30)),
    ]
    assert reminder_schedule(OPENED, NORMAL, CAL, pauses, now=sh(2024, 6, 3, 11, 45)) == [
        (Stage.RESPONSE_WARN, sh(2024, 6, 3, 10, 30)),
        (Stage.RESPONSE_BREACH, sh(2024, 6, 3, 12)),
        (Stage.RESPONSE_ESCALATE, sh(2024, 6, 3, 14)),
        (Stage.RESOLUTION_WARN, sh(2024, 6, 3, 16)),
        (Stage.RESOLUTION_BREACH, sh(2024, 6, 3, 18)),
        (Stage.RESOLUTION_ESCALATE, sh(2024, 6, 4, 14)),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"warn_lead": Fraction(5, 4)}, "between 0 and 1"),
        ({"warn_lead": Fraction(-1, 4)}, "between 0 and 1"),
        ({"warn_lead": timedelta(minutes=-1)}, "must not be negative"),
        ({"warn_lead": 0.25}, "Fraction of the target or a timedelta"),
        ({"escalate_factor": 0}, "at least 1"),
        ({"escalate_factor": 2.5}, "must be an integer"),
    ],
)
def test_reminder_schedule_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        reminder_schedule(OPENED, NORMAL, CAL, **kwargs)


# --------------------------------------------------------------------------------------------
# status_at
# --------------------------------------------------------------------------------------------

RESPONSE_DUE, RESOLUTION_DUE = sh(2024, 6, 3, 11), sh(2024, 6, 3, 17)
WARNS = {"response_warn_at": sh(2024, 6, 3, 10, 30), "resolution_warn_at": sh(2024, 6, 3, 15)}


@pytest.mark.parametrize(
    ("now", "responded", "resolved", "warns", "expected"),
    [
        pytest.param(sh(2024, 6, 3, 10), None, None, WARNS, SlaStatus.ON_TIME, id="early"),
        pytest.param(sh(2024, 6, 3, 10, 30), None, None, WARNS, SlaStatus.AT_RISK, id="at-warn"),
        pytest.param(sh(2024, 6, 3, 11), None, None, WARNS, SlaStatus.AT_RISK, id="at-deadline"),
        pytest.param(
            sh(2024, 6, 3, 11, 0, 1), None, None, WARNS, SlaStatus.BREACHED, id="past-deadline"
        ),
        pytest.param(sh(2024, 6, 3, 10, 50), None, None, {}, SlaStatus.ON_TIME, id="no-warn-times"),
        pytest.param(
            sh(2024, 6, 3, 12),
            sh(2024, 6, 3, 10, 59),
            None,
            WARNS,
            SlaStatus.ON_TIME,
            id="responded",
        ),
        pytest.param(
            sh(2024, 6, 3, 15),
            sh(2024, 6, 3, 10, 59),
            None,
            WARNS,
            SlaStatus.AT_RISK,
            id="resolution-risk",
        ),
        pytest.param(
            sh(2024, 6, 3, 12),
            sh(2024, 6, 3, 11, 30),
            None,
            WARNS,
            SlaStatus.BREACHED,
            id="late-response",
        ),
        pytest.param(
            sh(2024, 6, 4, 9),
            sh(2024, 6, 3, 10),
            sh(2024, 6, 3, 16),
            WARNS,
            SlaStatus.ON_TIME,
            id="done",
        ),
        pytest.param(
            sh(2024, 6, 4, 9),
            sh(2024, 6, 3, 10),
            sh(2024, 6, 3, 17, 30),
            WARNS,
            SlaStatus.BREACHED,
            id="late-resolution",
        ),
        pytest.param(
            sh(2024, 6, 4, 9),
            None,
            sh(2024, 6, 3, 10, 45),
            WARNS,
            SlaStatus.ON_TIME,
            id="resolved-counts-as-response",
        ),
        pytest.param(
            sh(2024, 6, 4, 9),
            None,
            sh(2024, 6, 3, 11, 30),
            WARNS,
            SlaStatus.BREACHED,
            id="resolved-late-for-response",
        ),
    ],
)
def test_status_at(
    now: datetime,
    responded: datetime | None,
    resolved: datetime | None,
    warns: dict[str, datetime],
    expected: SlaStatus,
) -> None:
    status = status_at(now, RESPONSE_DUE, RESOLUTION_DUE, responded, resolved, **warns)
    assert status is expected


def test_status_at_undefined_deadlines_are_not_breached() -> None:
    assert status_at(sh(2024, 6, 5), None, None) is SlaStatus.ON_TIME
    assert status_at(sh(2024, 6, 5), RESPONSE_DUE, None) is SlaStatus.BREACHED


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------


def test_calendar_from_config_matches_direct_construction() -> None:
    built = ServiceCalendar.from_config(
        "Asia/Shanghai",
        service_start="07:30",
        service_end="21:00",
        holidays=["2024-10-01", date(2024, 10, 2)],
        workdays=[0, 1, 2, 3, 4],
        makeup_workdays=["2024-09-29"],
    )
    assert built == ServiceCalendar(
        tz=SHANGHAI,
        start=time(7, 30),
        end=time(21, 0),
        holidays=frozenset({date(2024, 10, 1), date(2024, 10, 2)}),
        workdays=frozenset({0, 1, 2, 3, 4}),
        makeup_workdays=frozenset({date(2024, 9, 29)}),
    )
    assert ServiceCalendar.from_config("Asia/Shanghai") == CAL
    assert CAL.workdays == frozenset(range(7))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"service_start": "20:00", "service_end": "08:00"}, "must be before service end"),
        ({"service_start": "8am"}, "expected a time like 08:00"),
        ({"holidays": ["2024-13-01"]}, "expected a date like 2024-10-01"),
        ({"workdays": [7]}, "weekday numbers 0"),
        ({"workdays": []}, "at least one weekday"),
        ({"holidays": ["2024-10-01"], "makeup_workdays": ["2024-10-01"]}, "both a holiday"),
    ],
)
def test_calendar_errors(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"tz": "Asia/Shanghai", **kwargs}
    with pytest.raises(ValueError, match=message):
        ServiceCalendar.from_config(**arguments)


@pytest.mark.parametrize(
    ("cal", "instant", "expected"),
    [
        (CAL, sh(2024, 6, 3, 8), True),
        (CAL, sh(2024, 6, 3, 19, 59, 59), True),
        (CAL, sh(2024, 6, 3, 20), False),
        (CAL, sh(2024, 6, 3, 7, 59), False),
        (CAL, sh(2024, 6, 8, 12), True),  # Saturday: service desks work weekends
        (CAL_HOLIDAYS, sh(2024, 10, 3, 12), False),
        (CAL_WEEKDAYS, sh(2024, 10, 12, 12), True),  # make-up Saturday
        (CAL_WEEKDAYS, sh(2024, 10, 19, 12), False),  # ordinary Saturday
    ],
)
def test_is_service_time(cal: ServiceCalendar, instant: datetime, expected: bool) -> None:
    assert cal.is_service_time(instant) is expected


# --------------------------------------------------------------------------------------------
# Naive and bad input
# --------------------------------------------------------------------------------------------

NAIVE = datetime(2024, 6, 3, 9)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: add_business_time(NAIVE, NORMAL.response, NORMAL, CAL), id="add"),
        pytest.param(lambda: business_time_between(NAIVE, OPENED, NORMAL, CAL), id="between-a"),
        pytest.param(lambda: business_time_between(OPENED, NAIVE, NORMAL, CAL), id="between-b"),
        pytest.param(lambda: due_time(NAIVE, NORMAL.response, NORMAL, CAL), id="due-opened"),
        pytest.param(
            lambda: due_time(OPENED, NORMAL.response, NORMAL, CAL, (), now=NAIVE), id="due-now"
        ),
        pytest.param(lambda: Pause(NAIVE, None), id="pause-start"),
        pytest.param(lambda: Pause(OPENED, NAIVE), id="pause-end"),
        pytest.param(lambda: reminder_schedule(NAIVE, NORMAL, CAL), id="schedule"),
        pytest.param(lambda: status_at(NAIVE, RESPONSE_DUE, RESOLUTION_DUE), id="status-now"),
        pytest.param(lambda: status_at(OPENED, NAIVE, RESOLUTION_DUE), id="status-due"),
        pytest.param(lambda: CAL.is_service_time(NAIVE), id="is-service-time"),
    ],
)
def test_naive_datetimes_are_rejected(call: Any) -> None:
    with pytest.raises(ValueError, match="naive"):
        call()


def test_bad_pause_and_duration() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Pause(sh(2024, 6, 3, 10), sh(2024, 6, 3, 9))
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_time(OPENED, timedelta(minutes=-1), NORMAL, CAL)
    with pytest.raises(ValueError, match="must not be negative"):
        due_time(OPENED, timedelta(minutes=-1), NORMAL, CAL)


# --------------------------------------------------------------------------------------------
# Policy and loader
# --------------------------------------------------------------------------------------------

FULL_CONFIG: dict[str, dict[str, Any]] = {
    "urgent": {"response_minutes": 10, "resolution_minutes": 180, "clock": "24/7"},
    "normal": {"response_minutes": 60, "resolution_minutes": 480, "clock": "service"},
    "low": {"response_minutes": 1440, "resolution_minutes": 4320, "clock": "24/7"},
}


def test_targets_from_mapping_full() -> None:
    assert targets_from_mapping(FULL_CONFIG) == {
        Priority.URGENT: Target(
            timedelta(minutes=10), timedelta(hours=3), ClockKind.TWENTY_FOUR_SEVEN
        ),
        Priority.NORMAL: Target(timedelta(hours=1), timedelta(hours=8), ClockKind.SERVICE),
        Priority.LOW: Target(timedelta(days=1), timedelta(days=3), ClockKind.TWENTY_FOUR_SEVEN),
    }


def test_targets_from_mapping_partial_keeps_defaults() -> None:
    targets = targets_from_mapping({"Normal": {"resolution_minutes": 360}})
    assert targets[Priority.NORMAL] == Target(
        timedelta(hours=2), timedelta(hours=6), ClockKind.SERVICE
    )
    assert targets[Priority.URGENT] == URGENT
    assert targets[Priority.LOW] == LOW
    assert targets_from_mapping({}) == DEFAULT_TARGETS


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"critical": {"response_minutes": 5}}, "unknown priority 'critical'"),
        ({"urgent": {"response_minutes": -5}}, "urgent: response_minutes must be positive"),
        ({"urgent": {"response_minutes": 0}}, "urgent: response_minutes must be positive"),
        ({"low": {"resolution_minutes": -1}}, "low: resolution_minutes must be positive"),
        ({"normal": {"clock": "business"}}, "normal: clock: unknown clock 'business'"),
        ({"low": {"response_minutes": "ten"}}, "response_minutes must be a number"),
        ({"low": {"response_minutes": True}}, "response_minutes must be a number"),
        ({"low": {"response_minutes": float("nan")}}, "must be a finite number"),
        ({"low": {"response_minutes": 1e20}}, "too large"),
        ({"low": {"response": 10}}, "low: unknown field"),
        ({"low": {"response_minutes": 600, "resolution_minutes": 60}}, "must not be shorter"),
        ({"low": 5}, "low: target must be a mapping"),
        ({"urgent": {}, "URGENT": {}}, "given twice"),
        ([("urgent", {})], "must be a mapping of priority"),
    ],
)
def test_targets_from_mapping_errors(config: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        targets_from_mapping(config)


def test_policy_target_for() -> None:
    lift = Target(timedelta(minutes=5), timedelta(hours=2), ClockKind.TWENTY_FOUR_SEVEN)
    policy = SlaPolicy(by_category={"电梯": lift})
    assert policy.target_for(Priority.NORMAL) == NORMAL
    assert policy.target_for(Priority.LOW, None) == LOW
    assert policy.target_for(Priority.NORMAL, lift) == lift
    assert policy.target_for_category(Priority.NORMAL, "电梯") == lift
    assert policy.target_for_category(Priority.NORMAL, "停车") == NORMAL
    assert policy.target_for_category(Priority.URGENT, None) == URGENT


def test_policy_from_mapping() -> None:
    categories: Mapping[str, Mapping[str, Any]] = {
        "电梯": {"response_minutes": 5, "resolution_minutes": 120, "clock": "24/7"}
    }
    policy = SlaPolicy.from_mapping(FULL_CONFIG, categories)
    assert policy.target_for(Priority.NORMAL).response == timedelta(hours=1)
    assert policy.target_for_category(Priority.LOW, "电梯") == Target(
        timedelta(minutes=5), timedelta(hours=2), ClockKind.TWENTY_FOUR_SEVEN
    )
    with pytest.raises(ValueError, match=r"category '电梯': missing field\(s\) clock"):
        SlaPolicy.from_mapping({}, {"电梯": {"response_minutes": 5, "resolution_minutes": 120}})


def test_policy_needs_every_priority() -> None:
    with pytest.raises(ValueError, match="no target for priority: normal, low"):
        SlaPolicy(targets={Priority.URGENT: URGENT})
