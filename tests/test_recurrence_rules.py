"""Recurrence (bot.rules.recurrence), table-tested with travelled time: the next occurrence
strictly after a moment, daily / weekly / monthly, in the community's zone, across a month's
end, a leap year and a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.rules.recurrence import Every, Recurrence, parse_recurrence

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


CASES = [
    # (rule, now, expected), Shanghai wall clock
    (Recurrence(Every.DAILY, time(9)), sh(2026, 11, 23, 8, 59), sh(2026, 11, 23, 9)),
    (Recurrence(Every.DAILY, time(9)), sh(2026, 11, 23, 9), sh(2026, 11, 24, 9)),  # strictly
    (Recurrence(Every.DAILY, time(9)), sh(2026, 12, 31, 10), sh(2027, 1, 1, 9)),
    (Recurrence(Every.DAILY, time(0, 30)), sh(2026, 11, 23, 23, 0), sh(2026, 11, 24, 0, 30)),
    # weekly on Wednesday (2) from a Monday, on the day itself before and after the time
    (Recurrence(Every.WEEKLY, time(14), weekday=2), sh(2026, 11, 23, 10), sh(2026, 11, 25, 14)),
    (Recurrence(Every.WEEKLY, time(14), weekday=2), sh(2026, 11, 25, 13), sh(2026, 11, 25, 14)),
    (Recurrence(Every.WEEKLY, time(14), weekday=2), sh(2026, 11, 25, 14), sh(2026, 12, 2, 14)),
    (Recurrence(Every.WEEKLY, time(8), weekday=6), sh(2026, 12, 28, 9), sh(2027, 1, 3, 8)),
    # monthly: the 1st; the 31st falls on a short month's last day; 29 Feb in a leap year
    (Recurrence(Every.MONTHLY, time(9), day=1), sh(2026, 11, 23), sh(2026, 12, 1, 9)),
    (Recurrence(Every.MONTHLY, time(9), day=1), sh(2026, 12, 1, 9), sh(2027, 1, 1, 9)),
    (Recurrence(Every.MONTHLY, time(9), day=31), sh(2026, 11, 23), sh(2026, 11, 30, 9)),
    (Recurrence(Every.MONTHLY, time(9), day=31), sh(2026, 11, 30, 10), sh(2026, 12, 31, 9)),
    (Recurrence(Every.MONTHLY, time(9), day=31), sh(2027, 2, 1), sh(2027, 2, 28, 9)),
    (Recurrence(Every.MONTHLY, time(9), day=30), sh(2028, 2, 1), sh(2028, 2, 29, 9)),
]


@pytest.mark.parametrize(("rule", "now", "expected"), CASES)
def test_next_after(rule: Recurrence, now: datetime, expected: datetime) -> None:
    got = rule.next_after(now, "Asia/Shanghai")
    assert got == expected and got.tzinfo is UTC


def test_travelled_time_walks_the_occurrences_one_by_one() -> None:
    rule = Recurrence(Every.WEEKLY, time(9), weekday=0)
    moment = sh(2026, 11, 23, 10)
    seen = []
    for _ in range(5):
        moment = rule.next_after(moment, "Asia/Shanghai")
        seen.append(moment.astimezone(SH).date().isoformat())
    assert seen == ["2026-11-30", "2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"]


def test_local_time_holds_across_daylight_saving() -> None:
    rule = Recurrence(Every.DAILY, time(9))
    before = rule.next_after(datetime(2026, 3, 27, 12, tzinfo=BERLIN), "Europe/Berlin")
    after = rule.next_after(before, "Europe/Berlin")
    assert before.astimezone(BERLIN).hour == after.astimezone(BERLIN).hour == 9
    assert (after - before).total_seconds() == 23 * 3600  # the night the clocks go forward
    skipped = Recurrence(Every.DAILY, time(2, 30))  # 02:30 does not exist on 29 March
    got = skipped.next_after(datetime(2026, 3, 29, 0, tzinfo=BERLIN), "Europe/Berlin")
    assert got == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 summer time


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        Recurrence(Every.DAILY, time(9)).next_after(datetime(2026, 1, 1), "Asia/Shanghai")


@pytest.mark.parametrize(
    ("raw", "rule", "problem"),
    [
        ({"every": "daily"}, Recurrence(Every.DAILY, time(9)), None),
        (
            {"every": "weekly", "at": "14:30", "weekday": "Wed"},
            Recurrence(Every.WEEKLY, time(14, 30), weekday=2),
            None,
        ),
        ({"every": "monthly", "day": 15}, Recurrence(Every.MONTHLY, time(9), day=15), None),
        ({"every": "hourly"}, None, "every must be daily, weekly or monthly"),
        ({"every": "daily", "at": "9am"}, None, "at must be HH:MM"),
        ({"every": "weekly", "weekday": "funday"}, None, "weekday must be one of"),
        ({"every": "monthly", "day": 32}, None, "day must be a whole number"),
        ({"every": "monthly", "day": True}, None, "day must be a whole number"),
    ],
)
def test_parse(raw: dict[str, object], rule: Recurrence | None, problem: str | None) -> None:
    got, problems = parse_recurrence(raw)
    assert got == rule
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems
