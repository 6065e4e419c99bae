"""Tickets, pure rules and storage: the state machine, floors for duplicates, the SLA plan of a
ticket, and the reminder rows (claimed once, stale claims resent, sent rows never touched)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.rules.sla import Pause, Stage
from bot.rules.tickets import (
    OPEN_STATES,
    Move,
    State,
    can_move,
    daily_limit,
    floor_of_place,
    plan,
    same_place,
    sla_setup,
    staff_moves,
    target_state,
)
from storage import ticket_privacy
from storage import tickets as store
from storage.db import Database

SH = ZoneInfo("Asia/Shanghai")
SETTINGS = {
    "service_hours": ["08:00", "20:00"],
    "holidays": ["2026-10-01"],
    "sla": {"normal": {"response_minutes": 120, "resolution_minutes": 480, "clock": "service"}},
}


@pytest.mark.parametrize(
    ("state", "move", "expected"),
    [
        (State.NEW, Move.ACCEPT, State.ACCEPTED),
        (State.REOPENED, Move.ACCEPT, State.ACCEPTED),
        (State.NEW, Move.ASSIGN, State.ACCEPTED),
        (State.ON_SITE, Move.ASSIGN, State.ON_SITE),
        (State.NEW, Move.NEED_INFO, State.WAITING_RESIDENT),
        (State.ON_SITE, Move.NEED_INFO, State.WAITING_RESIDENT),
        (State.WAITING_RESIDENT, Move.ANSWER, State.ACCEPTED),
        (State.ACCEPTED, Move.ON_SITE, State.ON_SITE),
        (State.WAITING_RESIDENT, Move.RESOLVE, State.RESOLVED),
        (State.ACCEPTED, Move.TRANSFER, State.ACCEPTED),
        (State.NEW, Move.REJECT, State.REJECTED),
        (State.ACCEPTED, Move.DUPLICATE, State.DUPLICATE),
        (State.ON_SITE, Move.NOT_OURS, State.NOT_OURS),
        (State.NEW, Move.WITHDRAW, State.WITHDRAWN),
        (State.RESOLVED, Move.REOPEN, State.REOPENED),
        (State.RESOLVED, Move.RATE, State.CLOSED),
        (State.RESOLVED, Move.AUTO_CLOSE, State.CLOSED),
    ],
)
def test_allowed_moves(state: State, move: Move, expected: State) -> None:
    assert can_move(state, move)
    assert target_state(state, move) is expected


@pytest.mark.parametrize(
    ("state", "move"),
    [
        (State.ACCEPTED, Move.ACCEPT),
        (State.WAITING_RESIDENT, Move.NEED_INFO),
        (State.NEW, Move.ON_SITE),
        (State.RESOLVED, Move.RESOLVE),
        (State.CLOSED, Move.REOPEN),
        (State.NEW, Move.RATE),
        (State.WITHDRAWN, Move.ASSIGN),
        (State.REJECTED, Move.TRANSFER),
        (State.NOT_OURS, Move.ANSWER),
    ],
)
def test_refused_moves(state: State, move: Move) -> None:
    assert not can_move(state, move)
    with pytest.raises(ValueError):
        target_state(state, move)


def test_staff_buttons_follow_the_state() -> None:
    assert staff_moves(State.NEW) == [
        Move.ACCEPT,
        Move.ASSIGN,
        Move.NEED_INFO,
        Move.RESOLVE,
        Move.TRANSFER,
        Move.REJECT,
    ]
    assert Move.ON_SITE in staff_moves(State.ACCEPTED)
    assert Move.NEED_INFO not in staff_moves(State.WAITING_RESIDENT)
    for state in set(State) - OPEN_STATES:
        assert staff_moves(state) == []


@pytest.mark.parametrize(
    ("place", "floor"),
    [
        ("3F corridor", 3),
        ("3楼走廊", 3),
        ("12层电梯厅", 12),
        ("floor 5 stairs", 5),
        ("第7层", 7),
        ("B1F garage", 1),
        ("-1F garage", -1),
        ("lift A", None),
        ("garden", None),
    ],
)
def test_floor_of_place(place: str, floor: int | None) -> None:
    assert floor_of_place(place) == floor


def test_same_place() -> None:
    assert same_place(3, 3) and not same_place(3, 5)
    assert same_place(None, 3) and same_place(None, None)


def test_daily_limit_default_and_setting() -> None:
    assert daily_limit({}) == 10
    assert daily_limit({"tickets_per_day": 3}) == 3
    assert daily_limit({"tickets_per_day": 0}) == 10


def test_category_override_keeps_the_priority_clock() -> None:
    setup = sla_setup(SETTINGS, "Asia/Shanghai", "normal", 60, None)
    assert setup.target.response == timedelta(minutes=60)
    assert setup.target.resolution == timedelta(minutes=480)
    assert setup.target.clock.value == "service"
    urgent = sla_setup(SETTINGS, "Asia/Shanghai", "urgent")
    assert urgent.target.response == timedelta(minutes=15)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize(
    ("opened", "responded", "pauses", "response_due", "resolution_due"),
    [
        # 19:50 on a normal ticket: 10 minutes tonight, the rest next morning
        (at(23, 19, 50), False, [], at(24, 9, 50), at(24, 15, 50)),
        (at(23, 10), False, [], at(23, 12), at(23, 18)),
        # responded: no response deadline any more
        (at(23, 10), True, [], None, at(23, 18)),
        # an hour waiting for the resident moves the deadlines by an hour
        (at(23, 10), False, [(at(23, 10, 30), at(23, 11, 30))], at(23, 13), at(23, 19)),
        # still waiting: the deadlines are undefined
        (at(23, 10), True, [(at(23, 10, 30), None)], None, None),
    ],
)
def test_plan_deadlines(
    opened: datetime,
    responded: bool,
    pauses: list[tuple[datetime, datetime | None]],
    response_due: datetime | None,
    resolution_due: datetime | None,
) -> None:
    setup = sla_setup(SETTINGS, "Asia/Shanghai", "normal")
    result = plan(setup, opened, State.ACCEPTED, responded, [Pause(a, b) for a, b in pauses])
    assert result.response_due == response_due
    assert result.resolution_due == resolution_due
    stages = set(result.reminders)
    if responded:
        assert not any(s.startswith("response") for s in stages)
    if resolution_due is not None:
        assert result.reminders[Stage.RESOLUTION_BREACH.value] == resolution_due


def test_plan_urgent_at_three_in_the_morning_runs_24_7() -> None:
    setup = sla_setup(SETTINGS, "Asia/Shanghai", "urgent")
    result = plan(setup, at(24, 3), State.NEW, False, [])
    assert result.response_due == at(24, 3, 15)
    assert result.resolution_due == at(24, 7)
    assert result.reminders == {
        "response_warn": at(24, 3, 11) + timedelta(seconds=15),
        "response_breach": at(24, 3, 15),
        "response_escalate": at(24, 3, 30),
        "resolution_warn": at(24, 6),
        "resolution_breach": at(24, 7),
        "resolution_escalate": at(24, 11),
    }


def test_plan_of_a_finished_ticket_is_empty() -> None:
    setup = sla_setup(SETTINGS, "Asia/Shanghai", "normal")
    for state in (State.RESOLVED, State.CLOSED, State.WITHDRAWN, State.NOT_OURS):
        assert plan(setup, at(23, 10), state, True, []).reminders == {}


# ------------------------------------------------------------------------------------------
# Storage: reminder rows
# ------------------------------------------------------------------------------------------


async def new_ticket(db: Database) -> int:
    async with db.transaction() as conn:
        await conn.execute("INSERT OR IGNORE INTO buildings (id, code, name) VALUES (1, '1', 'B')")
        return await store.create(
            conn,
            kind=store.Kind.REPAIR,
            category="lighting",
            priority="normal",
            building_id=1,
            unit_id=None,
            floor=3,
            place="3F",
            description="dark",
            voice_file_id=None,
            photos=["p1"],
            anonymous=False,
            reporter_id=42,
            now=1000,
        )


async def test_reminders_are_claimed_once_and_stale_claims_come_back(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    ticket = await new_ticket(db)
    async with db.transaction() as conn:
        await store.sync_reminders(conn, ticket, ["a", "b", "c"], {"a": 100, "b": 200, "c": 1000})
        first = await store.claim_due(conn, 250)
        again = await store.claim_due(conn, 260)  # claimed: not handed out twice
    assert [r.stage for r in first] == ["a", "b"] and again == []
    async with db.transaction() as conn:
        await store.mark_sent(conn, first[0].id, 251)
        # "b" was claimed but never marked (a crash): due again once the claim is stale
        assert await store.claim_due(conn, 250 + 119) == []
        stale = await store.claim_due(conn, 250 + 121)
    assert [r.stage for r in stale] == ["b"]
    await db.close()


async def test_sync_never_touches_sent_rows(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    ticket = await new_ticket(db)
    async with db.transaction() as conn:
        await store.sync_reminders(conn, ticket, ["a", "b"], {"a": 100, "b": 200})
        claimed = await store.claim_due(conn, 150)
        await store.mark_sent(conn, claimed[0].id, 150)
        # the pause moved everything by 50; "a" was sent already and stays as it was
        await store.sync_reminders(conn, ticket, ["a", "b"], {"a": 150, "b": 250})
        assert await store.reminders(conn, ticket) == {"a": (100, 150), "b": (250, None)}
        await store.sync_reminders(conn, ticket, ["a", "b"], {})
        assert await store.reminders(conn, ticket) == {"a": (100, 150)}
    await db.close()


async def test_describe_and_forget(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    ticket = await new_ticket(db)
    async with db.transaction() as conn:
        await store.follow(conn, ticket, 43, 1001)
        await store.add_note(conn, ticket, 1002, 42, "more")
        assert await ticket_privacy.describe(conn, 42) == {"tickets_reported": 1}
        assert await ticket_privacy.describe(conn, 43) == {"tickets_followed": 1}
        await ticket_privacy.forget(conn, 42)
        await ticket_privacy.forget(conn, 43)
        found = await store.get(conn, ticket)
        assert found is not None and found.reporter_id is None
        assert found.description == "dark"  # the community's record stays
        assert (
            await ticket_privacy.describe(conn, 42) == {}
            and await ticket_privacy.describe(conn, 43) == {}
        )
        assert [n.author_id for n in await store.notes(conn, ticket)] == [None]
        assert [h.actor for h in await store.history(conn, ticket)] == [None]
    await db.close()


def test_times_are_utc() -> None:
    assert at(23, 10).astimezone(UTC).hour == 2
