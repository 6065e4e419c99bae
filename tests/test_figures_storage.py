"""The figures from a real SQLite file: the hand-built week of tests/test_figures_rules.py
stored as tickets (measured by the service on every change, or afterwards for tickets older
than the figures), a second building, a closed owners' decision, a notice and its delivery,
meetings this year, and the activity room closed for maintenance on the Wednesday. The
period's rows are found through indexes, never a scan of the tickets table."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import aiosqlite
import pytest

from bot.rules.clock import to_ts
from bot.rules.community import load_file
from bot.rules.figures import PeriodKind, Share, VoteOutcome, period_for, ticket_figures
from bot.rules.tickets import Kind, State
from bot.services import figures
from bot.services import tickets as service
from storage import community
from storage import tickets as tickets_store
from storage.db import Database, fetch_all
from tests.conftest import EXAMPLE, SHANGHAI
from tests.test_figures_rules import NOW, PRIORITY, WEEK, Spec, at, week_rows

WEEK_START = to_ts(at(16, "00:00"))


@dataclass
class World:
    db: Database
    b1: int
    b2: int


async def store_ticket(
    conn: aiosqlite.Connection, spec: Spec, building_id: int, *, measure: bool = True
) -> int:
    ts = lambda d: None if d is None else to_ts(d)  # noqa: E731
    ticket_id = await tickets_store.create(
        conn,
        kind=Kind(spec.kind),
        category=spec.category,
        priority=PRIORITY[spec.category],
        building_id=building_id,
        unit_id=None,
        floor=1,
        place="1F",
        description="…",
        voice_file_id=None,
        photos=[],
        anonymous=False,
        reporter_id=5000 + spec.number,
        now=to_ts(spec.created),
    )
    await tickets_store.update_fields(
        conn,
        ticket_id,
        state=spec.state.value,
        accepted_at=ts(spec.accepted),
        on_site_at=ts(spec.on_site),
        resolved_at=ts(spec.resolved),
        closed_at=ts(spec.closed),
        rating=spec.rating,
        reopen_count=spec.reopened,
        assignee_id=spec.assignee,
    )
    for pause in spec.pauses:
        await conn.execute(
            "INSERT INTO ticket_pauses (ticket_id, start_at, end_at) VALUES (?, ?, ?)",
            (ticket_id, ts(pause.start), ts(pause.end)),
        )
    if measure:
        await service.reschedule(conn, ticket_id)
    return ticket_id


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "figures.db")
    async with db.transaction() as conn:
        await community.apply_spec(conn, load_file(EXAMPLE))
        b1 = await community.building_by_code(conn, "1")
        b2 = await community.building_by_code(conn, "2")
        assert b1 is not None and b2 is not None
        for spec in WEEK:
            assert await store_ticket(conn, spec, b1.id) == spec.number
        # another building's ticket, resolved on time in the week
        await store_ticket(
            conn,
            Spec(12, "repair", "lighting", State.CLOSED,
                 at(16, "10:00"), accepted=at(16, "10:05"), resolved=at(16, "11:00"),
                 closed=at(16, "12:00"), rating=5, assignee=2001),
            b2.id,
        )  # fmt: skip
    yield World(db, b1.id, b2.id)
    await db.close()


async def test_the_stored_week_gives_the_hand_computed_figures(world: World) -> None:
    period = period_for(PeriodKind.LAST_WEEK, NOW.date(), SHANGHAI)
    async with world.db.read() as conn:
        one = await figures.compute(conn, SHANGHAI, period, NOW, world.b1)
        everyone = await figures.compute(conn, SHANGHAI, period, NOW)
    # building 1 holds exactly the hand-built week: the same figures as the pure rules
    assert one.tickets == ticket_figures(week_rows(), period, to_ts(NOW))
    assert (one.tickets.counts.opened, one.tickets.counts.resolved) == (9, 4)
    assert one.tickets.resolution_on_time == Share(2, 4)
    # the community adds building 2's ticket
    assert (everyone.tickets.counts.opened, everyone.tickets.counts.resolved) == (10, 5)
    assert everyone.tickets.satisfaction == Share(3, 4)
    assert everyone.tickets.by_assignee[0].handled == 4  # S1: T1, T2, T8 and T12


async def test_tickets_older_than_the_figures_are_measured_once(world: World) -> None:
    period = period_for(PeriodKind.LAST_WEEK, NOW.date(), SHANGHAI)
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE tickets SET response_secs = NULL, response_met = NULL, arrival_secs = NULL,"
            " resolution_secs = NULL, resolution_met = NULL, measured_at = NULL"
        )
    async with world.db.read() as conn:
        blind = await figures.compute(conn, SHANGHAI, period, NOW, world.b1)
    assert blind.tickets.resolution.count == 0  # nothing measured: nothing to count
    assert await figures.measure_pending(world.db, batch=5) == 12
    assert await figures.measure_pending(world.db) == 0
    async with world.db.read() as conn:
        again = await figures.compute(conn, SHANGHAI, period, NOW, world.b1)
    assert again.tickets == ticket_figures(week_rows(), period, to_ts(NOW))


async def test_the_period_is_read_through_indexes(world: World) -> None:
    async with world.db.read() as conn:
        for sql in (
            "SELECT id FROM tickets WHERE created_at >= 1 AND created_at < 2",
            "SELECT id FROM tickets WHERE resolved_at >= 1 AND resolved_at < 2",
            "SELECT id FROM tickets WHERE closed_at >= 1 AND closed_at < 2",
            "SELECT id FROM tickets WHERE measured_at IS NULL ORDER BY id LIMIT 5",
            "SELECT id FROM proposals WHERE state = 'closed' AND closed_at >= 1 AND closed_at < 2",
            "SELECT id FROM notices WHERE send_at >= 1 AND send_at < 2",
        ):
            plan = " ".join(r[-1] for r in await fetch_all(conn, "EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "INDEX" in plan, (sql, plan)


async def test_votes_rooms_notices_and_meetings(world: World) -> None:
    period = period_for(PeriodKind.LAST_WEEK, NOW.date(), SHANGHAI)
    result = {
        "kind": "decision", "item": 4, "matter": "ordinary", "total_owners": 10,
        "total_area": "1050", "part_owners": 7, "part_area": "750",
        "options": {"approve": [5, "550"], "oppose": [2, "200"], "abstain": [0, "0"]},
        "participation_by_head": True, "participation_by_area": True,
        "approval_by_head": True, "approval_by_area": True, "passed": True, "counted": {},
    }  # fmt: skip
    async with world.db.transaction() as conn:
        for pid, closed_at, building in ((1, at(20, "20:00"), world.b1), (2, at(9, "20:00"), None)):
            await conn.execute(
                "INSERT INTO proposals (id, title, body, options, building_id, kind, art278_item,"
                " state, duration_days, nonce, created_at, closed_at, result)"
                " VALUES (?, '粉刷大堂', '', '[]', ?, 'decision', 4, 'closed', 7, x'00', 0, ?, ?)",
                (pid, building, to_ts(closed_at), json.dumps(result)),
            )
        room = await fetch_all(conn, "SELECT id FROM rooms WHERE code = 'activity'")
        room_id = room[0][0]
        for start, end, state in (
            (at(16, "10:00"), at(16, "12:00"), "confirmed"),
            (at(17, "14:00"), at(17, "17:00"), "confirmed"),
            (at(19, "10:00"), at(19, "12:00"), "cancelled"),
        ):
            await conn.execute(
                "INSERT INTO bookings (room_id, start_at, end_at, state, created_at)"
                " VALUES (?, ?, ?, ?, 0)",
                (room_id, to_ts(start), to_ts(end), state),
            )
        await conn.execute(
            "INSERT INTO room_blackouts (room_id, start_at, end_at, reason, created_at)"
            " VALUES (?, ?, ?, 'maintenance', 0)",
            (room_id, to_ts(at(18, "08:00")), to_ts(at(18, "21:00"))),
        )
        cur = await conn.execute(
            "INSERT INTO outbox_batches (kind, created_at, not_before) VALUES ('notice', 0, 0)"
        )
        batch = cur.lastrowid
        for chat, state in ((1, "sent"), (2, "sent"), (3, "sent"), (4, "blocked"), (5, "pending")):
            await conn.execute(
                "INSERT INTO outbox (batch_id, chat_id, payload, state, next_attempt_at)"
                " VALUES (?, ?, '{}', ?, 0)",
                (batch, chat, state),
            )
        await conn.execute(
            "INSERT INTO notices (text, buildings, send_at, created_at, batch_id)"
            " VALUES ('停水通知', ?, ?, 0, ?)",
            (json.dumps([world.b2]), to_ts(at(17, "09:00")), batch),
        )
        cur = await conn.execute(
            "INSERT INTO meetings (title, place, agenda, buildings, created_at)"
            " VALUES ('联席会', '会议室', '', '*', 0)"
        )
        meeting = cur.lastrowid
        for starts, cancelled in (
            (at(2, "19:00"), None),
            (at(9, "19:00"), at(8, "10:00")),
            (at(16, "19:00"), None),
            (at(30, "19:00"), None),
        ):
            await conn.execute(
                "INSERT INTO meeting_occurrences (meeting_id, starts_at, cancelled_at)"
                " VALUES (?, ?, ?)",
                (meeting, to_ts(starts), None if cancelled is None else to_ts(cancelled)),
            )
    async with world.db.read() as conn:
        everyone = await figures.compute(conn, SHANGHAI, period, NOW)
        one = await figures.compute(conn, SHANGHAI, period, NOW, world.b1)
    (vote,) = everyone.votes  # the one closed in the week
    assert (vote.title, vote.head, vote.area_turnout) == ("粉刷大堂", Share(7, 10), Fraction(5, 7))
    assert vote.area_part == Decimal(750) and vote.outcome is VoteOutcome.PASSED
    assert [v.proposal_id for v in one.votes] == [1]
    uses = {r.names["en"]: r.use for r in everyone.rooms}
    assert uses["Activity room"] == Fraction(5, 78)
    assert not next(r for r in everyone.rooms if r.room_id == room_id).meets_target
    assert (everyone.notices.sent, everyone.notices.delivered, everyone.notices.blocked) == (
        1,
        3,
        1,
    )
    assert everyone.notices.waiting == 1 and everyone.notices.delivery == Share(3, 4)
    assert one.notices.sent == 0  # it went to building 2 only
    assert (everyone.meetings.held_this_year, everyone.meetings.target) == (2, 12)
