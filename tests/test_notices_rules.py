"""Pure rules of notices and meetings: send times, who may address whom, recurrence."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules.auth import Principal, Role
from bot.rules.meetings import Rule, due_times, next_occurrence, nth_weekday
from bot.rules.notices import When, choices_at, may_address, may_mark_urgent, send_time

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # a Monday


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (When.NOW, NOW),
        (When.HOUR, datetime(2026, 11, 23, 11, 0, tzinfo=TZ)),
        (When.THREE_HOURS, datetime(2026, 11, 23, 13, 0, tzinfo=TZ)),
        (When.TONIGHT, datetime(2026, 11, 23, 19, 0, tzinfo=TZ)),
        (When.TOMORROW_9, datetime(2026, 11, 24, 9, 0, tzinfo=TZ)),
        (When.TOMORROW_18, datetime(2026, 11, 24, 18, 0, tzinfo=TZ)),
    ],
)
def test_send_time(choice: When, expected: datetime) -> None:
    assert send_time(choice, NOW, TZ) == expected


def test_tonight_is_offered_before_18_only() -> None:
    assert When.TONIGHT in choices_at(NOW, TZ)
    assert When.TONIGHT not in choices_at(NOW.replace(hour=18), TZ)


LEADER = Principal(1, frozenset({(Role.LEADER, 3)}))
STAFF = Principal(2, frozenset({(Role.STAFF, None)}))
RESIDENT = Principal(3)


@pytest.mark.parametrize(
    ("who", "buildings", "allowed"),
    [
        (LEADER, [3], True),
        (LEADER, [3, 4], False),
        (LEADER, [4], False),
        (LEADER, None, False),
        (LEADER, [], False),
        (STAFF, [4], True),
        (STAFF, None, True),
        (RESIDENT, [3], False),
        (RESIDENT, None, False),
    ],
)
def test_may_address(who: Principal, buildings: list[int] | None, allowed: bool) -> None:
    assert may_address(who, buildings) is allowed


def test_only_staff_and_up_mark_urgent() -> None:
    assert may_mark_urgent(STAFF) and not may_mark_urgent(LEADER)


FIRST_TUESDAY = Rule("monthly", 1, 1, time(19))
LAST_FRIDAY = Rule("monthly", 4, -1, time(9, 30))
EVERY_SUNDAY = Rule("weekly", 6, 0, time(10))


@pytest.mark.parametrize(
    ("rule", "after", "expected"),
    [
        (FIRST_TUESDAY, NOW, datetime(2026, 12, 1, 19, 0, tzinfo=TZ)),
        # exactly at an occurrence: the next one (strictly after)
        (
            FIRST_TUESDAY,
            datetime(2026, 12, 1, 19, 0, tzinfo=TZ),
            datetime(2027, 1, 5, 19, 0, tzinfo=TZ),
        ),
        (
            FIRST_TUESDAY,
            datetime(2026, 12, 1, 18, 59, tzinfo=TZ),
            datetime(2026, 12, 1, 19, 0, tzinfo=TZ),
        ),
        (LAST_FRIDAY, NOW, datetime(2026, 11, 27, 9, 30, tzinfo=TZ)),
        (
            LAST_FRIDAY,
            datetime(2026, 11, 27, 9, 30, tzinfo=TZ),
            datetime(2026, 12, 25, 9, 30, tzinfo=TZ),
        ),
        (EVERY_SUNDAY, NOW, datetime(2026, 11, 29, 10, 0, tzinfo=TZ)),
        (
            EVERY_SUNDAY,
            datetime(2026, 11, 29, 10, 0, tzinfo=TZ),
            datetime(2026, 12, 6, 10, 0, tzinfo=TZ),
        ),
    ],
)
def test_next_occurrence(rule: Rule, after: datetime, expected: datetime) -> None:
    assert next_occurrence(rule, after, TZ) == expected


def test_rules_round_trip_and_refuse_nonsense() -> None:
    for rule in (FIRST_TUESDAY, LAST_FRIDAY, EVERY_SUNDAY):
        assert Rule.parse(rule.dump()) == rule
    with pytest.raises(ValueError):
        Rule("monthly", 1, 5, time(19))
    with pytest.raises(ValueError):
        Rule("daily", 1, 1, time(19))
    assert nth_weekday(2027, 2, 0, -1).day == 22  # last Monday of February 2027


def test_due_times() -> None:
    starts = NOW + timedelta(days=10)
    first = due_times(starts, NOW, recurring=True, first=True)
    assert first == {
        "announce": NOW,
        "remind_day": starts - timedelta(days=1),
        "remind_hour": starts - timedelta(hours=1),
        "next": starts,
    }
    later = due_times(starts, NOW, recurring=True, first=False)
    assert later["announce"] == starts - timedelta(days=7)
    soon = due_times(NOW + timedelta(minutes=30), NOW, recurring=False)
    assert soon == {"announce": NOW}  # both reminders would be in the past
