"""Home visits (bot.rules.visits), table-tested with travelled time: the windows offered, the
reminder time, and the SLA clock paused while the resident is not available (the deadline
moves by the service time the pause covers, and the pause ends when staff arrive)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules.sla import Pause, due_times
from bot.rules.tickets import sla_setup
from bot.rules.visits import Window, arrival_cut, reminder_at, unavailable_pause, windows

SH = ZoneInfo("Asia/Shanghai")


def sh(d: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, d, hh, mm, tzinfo=SH)


def local(ws: list[Window]) -> list[str]:
    return [w.start.astimezone(SH).strftime("%a %H:%M") for w in ws]


@pytest.mark.parametrize(
    ("now", "holidays", "days", "expected"),
    [
        # Monday 10:00: the 10:00 window starts too soon (an hour's lead), 12:00 is the first
        (
            sh(23, 10),
            frozenset(),
            1,
            ["Mon 12:00", "Mon 14:00", "Mon 16:00", "Mon 18:00"],
        ),
        # late evening: nothing left today; tomorrow from 08:00
        (
            sh(23, 19, 30),
            frozenset(),
            1,
            ["Tue 08:00", "Tue 10:00", "Tue 12:00", "Tue 14:00", "Tue 16:00", "Tue 18:00"],
        ),
        # a holiday on Tuesday is skipped: Monday's last window, then Wednesday's
        (
            sh(23, 16, 30),
            frozenset({date(2026, 11, 24)}),
            2,
            [
                "Mon 18:00",
                "Wed 08:00",
                "Wed 10:00",
                "Wed 12:00",
                "Wed 14:00",
                "Wed 16:00",
                "Wed 18:00",
            ],
        ),
    ],
)
def test_windows(now: datetime, holidays: frozenset[date], days: int, expected: list[str]) -> None:
    got = windows(now, "Asia/Shanghai", time(8), time(20), days=days, holidays=holidays)
    assert local(got) == expected
    assert all(w.end - w.start == timedelta(hours=2) and w.start.tzinfo is UTC for w in got)


def test_windows_are_capped_and_checked() -> None:
    assert len(windows(sh(23, 6), "Asia/Shanghai", time(8), time(20), days=5)) == 12
    with pytest.raises(ValueError):
        windows(sh(23, 6), "Asia/Shanghai", time(20), time(8))
    with pytest.raises(ValueError):
        windows(datetime(2026, 11, 23), "Asia/Shanghai", time(8), time(20))


W_MON_14 = Window(sh(23, 14).astimezone(UTC), sh(23, 16).astimezone(UTC))
W_TUE_14 = Window(sh(24, 14).astimezone(UTC), sh(24, 16).astimezone(UTC))
W_MON_12 = Window(sh(23, 12).astimezone(UTC), sh(23, 14).astimezone(UTC))


@pytest.mark.parametrize(
    ("now", "window", "minutes", "expected"),
    [
        (sh(23, 10), W_MON_14, 60, sh(23, 13)),
        (sh(23, 13, 30), W_MON_14, 60, sh(23, 13, 30)),  # agreed late: at once
        (sh(23, 10), W_TUE_14, 120, sh(24, 12)),
    ],
)
def test_reminder_at(now: datetime, window: Window, minutes: int, expected: datetime) -> None:
    assert reminder_at(window, now, minutes) == expected


@pytest.mark.parametrize(
    ("now", "offered", "chosen", "expected"),
    [
        (sh(23, 11), W_MON_14, W_MON_14, None),  # takes the offer: the clock runs
        (sh(23, 11), W_MON_14, W_MON_12, None),  # an earlier window: nobody waits for them
        (sh(23, 11), W_MON_14, W_TUE_14, Pause(sh(23, 11), sh(24, 14))),
    ],
)
def test_unavailable_pause(
    now: datetime, offered: Window, chosen: Window, expected: Pause | None
) -> None:
    assert unavailable_pause(now, offered, chosen) == expected


SETUP = sla_setup({}, "Asia/Shanghai", "normal")  # 2 h / 8 h in service hours 08:00-20:00


@pytest.mark.parametrize(
    ("pauses", "resolution_due"),
    [
        ([], sh(23, 18)),  # opened Monday 10:00, 8 service hours
        # not available from 11:00 until Tuesday's 14:00 window: 1 h ran, 7 h from Tue 14:00
        # (6 h to 20:00, then Wednesday 08:00-09:00)
        ([Pause(sh(23, 11), sh(24, 14))], sh(25, 9)),
        # the same, but staff arrived early on Tuesday at 09:00: the pause ends there
        ([arrival_cut(Pause(sh(23, 11), sh(24, 14)), sh(24, 9))], sh(24, 16)),
        # a pause in the night only (outside service hours) moves nothing
        ([Pause(sh(23, 20, 30), sh(24, 7))], sh(23, 18)),
    ],
)
def test_the_clock_waits_while_the_resident_is_not_available(
    pauses: list[Pause], resolution_due: datetime
) -> None:
    _, due = due_times(sh(23, 10), SETUP.target, SETUP.calendar, pauses)
    assert due == resolution_due


@pytest.mark.parametrize(
    ("arrived", "expected_end"),
    [
        (sh(24, 9), sh(24, 9)),
        (sh(24, 15), sh(24, 14)),  # after the pause ended: unchanged
        (sh(23, 10), sh(23, 11)),  # before it began: an empty pause
    ],
)
def test_arrival_cut(arrived: datetime, expected_end: datetime) -> None:
    assert arrival_cut(Pause(sh(23, 11), sh(24, 14)), arrived).end == expected_end
