"""Inspection plans, rounds and home visits on a real SQLite file: the community file's plans
applied again and again (idempotent; a changed recurrence is due again; a removed plan
retired), a plan's due row moved on exactly once by two sweeps at once, a missed round and a
visit's reminder claimed exactly once."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

from bot.rules.community import CommunitySpec, parse
from storage import community, inspections, visits
from storage.db import Database
from tests.conftest import EXAMPLE
from tests.test_flow_inspections import PLAN


def spec(extra: str = PLAN) -> CommunitySpec:
    return parse(tomllib.loads(EXAMPLE.read_text(encoding="utf-8") + extra))


async def test_plans_follow_the_file(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    async with db.transaction() as conn:
        first = await community.apply_spec(conn, spec())
        again = await community.apply_spec(conn, spec())
        [plan] = await inspections.unscheduled(conn)
        await inspections.schedule(conn, plan.id, 1000)
        assert [i.code for i in await inspections.items(conn, plan.id)] == [
            "extinguishers",
            "drains",
        ]
    assert first.changes["inspection_plans"] == ["added fire-1"]
    assert "inspection_plans" not in again.changes
    async with db.transaction() as conn:  # a new time: due again from the next sweep
        await community.apply_spec(conn, spec(PLAN.replace('"09:00"', '"10:00"')))
        assert [p.code for p in await inspections.unscheduled(conn)] == ["fire-1"]
        gone = await community.apply_spec(conn, spec(""))
        assert gone.changes["inspection_plans"] == ["retired fire-1"]
        assert await inspections.unscheduled(conn) == []
    await db.close()


async def test_due_rows_are_claimed_once(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = await Database.open(path)
    async with db.transaction() as conn:
        await community.apply_spec(conn, spec())
        [plan] = await inspections.unscheduled(conn)
        await inspections.schedule(conn, plan.id, 1000)
    other = await Database.open(path)

    async def advance(d: Database) -> bool:
        async with d.transaction() as conn:
            return await inspections.advance(conn, plan.id, 1000, 2000)

    assert sorted(await asyncio.gather(advance(db), advance(other))) == [False, True]
    async with db.transaction() as conn:
        fresh = await inspections.plan(conn, plan.id)
        assert fresh is not None and fresh.next_due_at == 2000
        round_id = await inspections.open_round(conn, fresh, 1000, 1500)
        assert round_id is not None
        assert await inspections.open_round(conn, fresh, 1000, 1500) is None
        assert await inspections.claim_missed(conn, 1499) == []
        assert [r.id for r in await inspections.claim_missed(conn, 1500)] == [round_id]
        assert await inspections.claim_missed(conn, 9999) == []
        # a home visit's reminder, once
        await conn.execute(
            "INSERT INTO tickets (kind, category, priority, state, building_id, created_at,"
            " updated_at) VALUES ('repair', 'leak', 'normal', 'accepted', 1, 0, 0)"
        )
        vid = await visits.offer(conn, 1, 7, (5000, 6000), 100)
        assert await visits.agree(
            conn, vid, (5000, 6000), by_resident=False, remind_at=4000, pause_id=None, now=200
        )
        assert not await visits.agree(
            conn, vid, (5000, 6000), by_resident=False, remind_at=4000, pause_id=None, now=201
        )
        assert await visits.claim_reminders(conn, 3999) == []
        assert [v.id for v in await visits.claim_reminders(conn, 4000)] == [vid]
        assert await visits.claim_reminders(conn, 9999) == []
    await other.close()
    await db.close()
