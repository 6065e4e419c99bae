"""Outages and the duty roster against real SQLite files: which outage a report is about, two
staff restoring at once (exactly one does), following once, the figures per building, the
roster from the community file (applied twice: unchanged), workloads, and /forgetme."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import aiosqlite

from bot.rules.community import parse
from bot.rules.roster import Shift
from bot.rules.tickets import Kind
from storage import community, incidents, privacy
from storage import roster as roster_store
from storage import tickets as tickets_store
from storage.db import Database
from storage.incidents import Spot

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"
SAM, WU, NIGHT = 4101, 4102, 4104


async def opened(tmp_path: Path, roster: bool = False) -> tuple[Database, int, int]:
    """A database with the example community (and a roster); building 1's and 2's ids."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    if roster:
        data["community"]["workload_limit"] = 3
        data["roster"] = [
            {"category": "*", "days": ["mon", "tue"], "staff": [SAM, WU]},
            {"category": "elevator", "days": "every day", "staff": [WU]},
        ]
        data["on_call"] = [{"days": ["sun"], "staff": NIGHT}]
    db = await Database.open(tmp_path / "a.db")
    async with db.transaction() as conn:
        await community.apply_spec(conn, parse(data))
        one = await community.building_by_code(conn, "1")
        two = await community.building_by_code(conn, "2")
    assert one is not None and two is not None
    return db, one.id, two.id


async def outage(
    conn: aiosqlite.Connection, category: str, buildings: list[int] | None, now: int
) -> int:
    return await incidents.create(
        conn, category=category, buildings=buildings, expected_end=None, note="", by=1, now=now
    )


async def ticket_of(conn: aiosqlite.Connection, category: str, building: int, now: int) -> int:
    """A public-area repair reported by someone (9)."""
    return await tickets_store.create(
        conn,
        kind=Kind.REPAIR,
        category=category,
        priority="normal",
        building_id=building,
        unit_id=None,
        floor=3,
        place="3F",
        description="",
        voice_file_id=None,
        photos=[],
        anonymous=False,
        reporter_id=9,
        now=now,
    )


async def test_which_outage_a_report_is_about(tmp_path: Path) -> None:
    db, one, two = await opened(tmp_path)
    async with db.transaction() as conn:
        water = await outage(conn, "water_power", [one], 100)
        lift = await outage(conn, "elevator", None, 100)  # the whole community
        found = [
            await incidents.matching(conn, category, building)
            for category, building in (
                ("water_power", one),
                ("water_power", two),
                ("elevator", two),
            )
        ]
        assert [i.id if i else None for i in found] == [water, None, lift]
        assert await incidents.matching(conn, "lighting", one) is None
        assert await incidents.resolve(conn, water, SAM, 200)
        assert await incidents.matching(conn, "water_power", one) is None  # over
        assert [i.id for i in await incidents.open_ones(conn)] == [lift]
        assert not await incidents.set_expected_end(conn, water, 900, 300)
    await db.close()


async def test_two_staff_restoring_at_once_exactly_one_does(tmp_path: Path) -> None:
    db, one, _ = await opened(tmp_path)
    async with db.transaction() as conn:
        incident = await outage(conn, "water_power", [one], 1)
    other = await Database.open(tmp_path / "a.db")

    async def restore(database: Database, by: int) -> bool:
        async with database.transaction() as conn:
            return await incidents.resolve(conn, incident, by, 10)

    results = await asyncio.gather(restore(db, SAM), restore(other, WU))
    assert sorted(results) == [False, True]
    async with db.read() as conn:
        found = await incidents.get(conn, incident)
    assert found is not None and found.state == "resolved" and found.resolved_by in (SAM, WU)
    await other.close()
    await db.close()


async def test_following_once_and_the_figures_per_building(tmp_path: Path) -> None:
    db, one, two = await opened(tmp_path)
    async with db.transaction() as conn:
        water = await outage(conn, "water_power", [one], 50)
        for user, at, new in ((7, 60, True), (7, 61, False), (8, 62, True)):  # once each
            followed = await incidents.follow(conn, water, user, at, Spot(one, None, 3, "3F"))
            assert followed is new
        ticket = await ticket_of(conn, "water_power", one, 55)
        assert await incidents.open_tickets_of(conn, "water_power", [one]) == [ticket]
        assert await incidents.open_tickets_of(conn, "water_power", [two]) == []
        assert await incidents.link(conn, water, ticket, 70)
        assert not await incidents.link(conn, water, ticket, 71)
        assert await incidents.figures(conn, 0, 100) == (1, 2, 1)
        assert await incidents.figures(conn, 0, 100, one) == (1, 2, 1)
        assert await incidents.figures(conn, 0, 100, two) == (0, 0, 0)
        assert await incidents.figures(conn, 51, 100) == (0, 0, 0)  # declared before
        assert await incidents.set_not_fixed(conn, water, 7, ticket)
        assert not await incidents.set_not_fixed(conn, water, 7, ticket)
        # /me and /forgetme
        assert (await privacy.describe(conn, 7)).counts["outages_followed"] == 1
        await privacy.forget_user(conn, 7, now=100)
        await privacy.forget_user(conn, 1, now=100)
        assert [f.user_id for f in await incidents.followers(conn, water)] == [8]
        found = await incidents.get(conn, water)
        assert found is not None and found.declared_by is None
    await db.close()


async def test_the_roster_from_the_community_file(tmp_path: Path) -> None:
    db, one, _ = await opened(tmp_path, roster=True)
    async with db.transaction() as conn:
        roster = await roster_store.load(conn)
        assert roster.limit == 3
        assert Shift("*", 0, (SAM, WU)) in roster.shifts
        assert Shift("elevator", 6, (WU,)) in roster.shifts
        assert dict(roster.on_call) == {6: NIGHT}
        # applied again unchanged: nothing to report
        data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
        data["community"]["workload_limit"] = 3
        data["roster"] = [
            {"category": "*", "days": ["mon", "tue"], "staff": [SAM, WU]},
            {"category": "elevator", "days": "every day", "staff": [WU]},
        ]
        data["on_call"] = [{"days": ["sun"], "staff": NIGHT}]
        report = await community.apply_spec(conn, parse(data))
        assert not report.changed, report.changes
        # turns and workloads
        await roster_store.set_turn(conn, "*", SAM, 10)
        await roster_store.set_turn(conn, "*", WU, 11)
        assert await roster_store.last_turn(conn, "*") == WU
        assert await roster_store.last_turn(conn, "gas") is None
        for assignee in (SAM, SAM, WU):
            ticket = await ticket_of(conn, "lighting", one, 20)
            await tickets_store.update_fields(conn, ticket, assignee_id=assignee)
        await conn.execute("UPDATE tickets SET state = 'closed' WHERE id = ?", (ticket,))
        assert await roster_store.loads(conn, [SAM, WU, NIGHT]) == {SAM: 2}
        # /forgetme takes Wu off the roster and out of the turns
        await privacy.forget_user(conn, WU, now=30)
        after = await roster_store.load(conn)
        assert all(WU not in s.staff for s in after.shifts)
        assert await roster_store.last_turn(conn, "*") is None
        # a file without a roster empties it
        report = await community.apply_spec(
            conn, parse(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
        )
        assert "duty_roster" in report.changes
        assert not await roster_store.load(conn)
    await db.close()
