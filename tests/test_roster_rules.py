"""The duty roster's pure rules, table-tested at their boundaries with travelled time: which
day's roster and which night a moment belongs to, who is on duty for a category, round-robin
turns skipping those at the workload limit, the on-call person for urgent tickets at night, and
the community file's roster tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from bot.rules.clock import TravelClock
from bot.rules.community import CommunityFileError, parse
from bot.rules.roster import (
    Pick,
    Roster,
    Shift,
    Why,
    choose,
    duty_day,
    in_service,
    next_in_turn,
    night_of,
    on_duty,
)
from bot.rules.roster import parse as parse_roster
from tests.conftest import SHANGHAI

HOURS = (time(8, 0), time(20, 0))
A, B, C, N = 11, 22, 33, 99
#: Monday 30 November 2026, 00:00 in Shanghai.
MONDAY = datetime(2026, 11, 30, tzinfo=SHANGHAI)

ROSTER = Roster(
    shifts=(
        *(Shift("*", day, (A, B, C)) for day in range(5)),  # weekdays: everyone
        Shift("*", 5, (C,)),  # Saturday: C alone
        Shift("elevator", 0, (B,)),  # the lift on Mondays: B
    ),
    on_call={0: N, 6: A},  # Monday night: N; Sunday night: A
    limit=2,
)


def at(clock: TravelClock) -> datetime:
    return clock().astimezone(SHANGHAI)


@pytest.mark.parametrize(
    ("after", "service", "day", "night"),
    [
        (timedelta(hours=7, minutes=59), False, 0, 6),  # Monday 07:59: Sunday's night
        (timedelta(hours=8), True, 0, 0),  # Monday 08:00: the service starts
        (timedelta(hours=19, minutes=59), True, 0, 0),
        (timedelta(hours=20), False, 1, 0),  # Monday 20:00: Tuesday's duty, Monday's night
        (timedelta(hours=23, minutes=59), False, 1, 0),
        (timedelta(days=1, hours=2), False, 1, 0),  # Tuesday 02:00: still Monday's night
        (timedelta(days=6, hours=21), False, 0, 6),  # Sunday 21:00: Monday's duty
    ],
)
def test_the_day_and_the_night_a_moment_belongs_to(
    after: timedelta, service: bool, day: int, night: int
) -> None:
    clock = TravelClock(MONDAY)
    clock.advance(after)
    moment = at(clock)
    assert in_service(moment, *HOURS) is service
    assert duty_day(moment, HOURS[1]).weekday() == day
    assert night_of(moment, HOURS[0]).weekday() == night


@pytest.mark.parametrize(
    ("category", "weekday", "staff"),
    [
        ("lighting", 0, [A, B, C]),  # no shift of its own: the shift for every category
        ("elevator", 0, [B]),  # its own shift wins
        ("elevator", 1, [A, B, C]),
        ("lighting", 5, [C]),
        ("lighting", 6, []),  # nobody on Sundays
    ],
)
def test_who_is_on_duty(category: str, weekday: int, staff: list[int]) -> None:
    assert on_duty(ROSTER, category, weekday) == staff


@pytest.mark.parametrize(
    ("last", "load", "limit", "chosen"),
    [
        (None, {}, None, A),  # nobody had a turn yet: the first
        (A, {}, None, B),
        (C, {}, None, A),  # round the end
        (A, {B: 2}, 2, C),  # B is at the limit: skipped
        (B, {C: 2, A: 1}, 2, A),
        (A, {A: 2, B: 2, C: 2}, 2, None),  # everyone at the limit: nobody
        (A, {B: 5}, None, B),  # no limit
        (77, {}, None, A),  # the last one is no longer on duty: from the start
    ],
)
def test_round_robin_skips_those_at_the_limit(
    last: int | None, load: dict[int, int], limit: int | None, chosen: int | None
) -> None:
    assert next_in_turn([A, B, C], last, load, limit) == chosen


def test_next_in_turn_of_nobody_is_nobody() -> None:
    assert next_in_turn([], None, {}, None) is None


@pytest.mark.parametrize(
    ("after", "category", "urgent", "last", "load", "pick"),
    [
        (timedelta(hours=10), "lighting", False, A, {}, Pick(B, Why.DUTY)),
        (timedelta(hours=10), "lighting", False, A, {B: 2}, Pick(C, Why.DUTY)),
        (timedelta(hours=10), "elevator", True, None, {}, Pick(B, Why.DUTY)),  # in hours
        (timedelta(hours=22), "elevator", True, None, {N: 9}, Pick(N, Why.ON_CALL)),
        (timedelta(days=1, hours=3), "gas", True, None, {}, Pick(N, Why.ON_CALL)),
        (timedelta(hours=22), "lighting", False, A, {}, Pick(B, Why.DUTY)),  # Tuesday's duty
        (timedelta(hours=7), "gas", True, None, {}, Pick(A, Why.ON_CALL)),  # Sunday's night
        # Saturday night: no on-call person; Sunday has no duty either
        (timedelta(days=5, hours=22), "gas", True, None, {}, None),
        (timedelta(days=5, hours=10), "lighting", False, C, {C: 2}, None),  # C at the limit
    ],
)
def test_choose_with_travelled_time(
    after: timedelta,
    category: str,
    urgent: bool,
    last: int | None,
    load: dict[int, int],
    pick: Pick | None,
) -> None:
    clock = TravelClock(MONDAY)
    clock.advance(after)
    assert choose(ROSTER, category, urgent, at(clock), HOURS, last, load) == pick


def test_an_empty_roster_picks_nobody() -> None:
    clock = TravelClock(MONDAY + timedelta(hours=10))
    assert not Roster()
    assert choose(Roster(), "lighting", True, at(clock), HOURS, None, {}) is None


def test_the_community_file_roster() -> None:
    roster, problems = parse_roster(
        [
            {"category": "*", "days": ["mon", "tue"], "staff": [A, B]},
            {"category": "elevator", "days": "every day", "staff": [C]},
        ],
        [{"days": ["sat", "sun"], "staff": N}],
        3,
    )
    assert problems == []
    assert on_duty(roster, "lighting", 1) == [A, B]
    assert on_duty(roster, "elevator", 4) == [C]
    assert roster.on_call == {5: N, 6: N}
    assert roster.limit == 3


@pytest.mark.parametrize(
    ("shifts", "on_call", "limit", "problem"),
    [
        ([{"days": ["mon"], "staff": []}], None, None, "roster[0].staff"),
        ([{"days": ["monday"], "staff": [A]}], None, None, "roster[0].days"),
        ([{"days": ["mon"], "staff": ["Sam"]}], None, None, "roster[0].staff"),
        (None, [{"days": ["mon"], "staff": [A, B]}], None, "on_call[0].staff"),
        (None, [{"days": ["mon"]}, {"days": ["mon"], "staff": A}], None, "on_call[0].staff"),
        (None, [{"days": ["mon"], "staff": A}, {"days": ["mon"], "staff": B}], None, "already"),
        (None, None, 0, "workload_limit"),
        ({"staff": [A]}, None, None, "[[roster]] entries must be tables"),
    ],
)
def test_roster_mistakes_say_where(
    shifts: object, on_call: object, limit: object, problem: str
) -> None:
    _, problems = parse_roster(shifts, on_call, limit)
    assert any(problem in p for p in problems), problems


def test_the_community_file_carries_the_roster_and_its_mistakes() -> None:
    base = {
        "community": {"name": "X", "workload_limit": 4},
        "buildings": [{"code": "1"}],
        "categories": [{"code": "lighting", "name": "Light"}],
        "roster": [{"days": ["mon"], "staff": [A]}],
        "on_call": [{"days": "every day", "staff": N}],
    }
    spec = parse(base)
    assert spec.roster.limit == 4 and spec.settings["workload_limit"] == 4
    assert on_duty(spec.roster, "lighting", 0) == [A]
    with pytest.raises(CommunityFileError) as failed:
        parse({**base, "roster": [{"days": ["someday"], "staff": [A]}]})
    assert any("roster[0].days" in p for p in failed.value.problems)
