"""Room booking storage against real SQLite files: the atomic check-and-insert, the overlap
trigger, truly concurrent confirmations, quotas, approval, blackouts, watches, reminders,
utilisation and privacy."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.rules import slots
from bot.rules.clock import to_ts
from bot.rules.community import load_file
from storage import bookings, community, room_use
from storage.db import Database

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # a Monday
TUESDAY = date(2026, 11, 24)
V = slots.Violation


def at(day: date, hhmm: str) -> int:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return to_ts(datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ))


@dataclass
class World:
    db: Database
    path: Path
    rooms: dict[str, tuple[int, slots.RoomRules]]
    units: dict[str, int]

    async def book(
        self,
        room: str,
        unit: str | None,
        start: int,
        end: int,
        *,
        user: int = 1,
        db: Database | None = None,
        now: datetime = NOW,
        as_staff: bool = False,
    ) -> bookings.BookResult:
        room_id, rules = self.rooms[room]
        async with (db or self.db).transaction() as conn:
            return await bookings.book(
                conn,
                room_id,
                rules,
                TZ,
                unit_id=None if unit is None else self.units[unit],
                user_id=user,
                start=start,
                end=end,
                now=now,
                as_staff=as_staff,
            )

    async def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        async with self.db.read() as conn, conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    path = tmp_path / "bookings.db"
    db = await Database.open(path)
    async with db.transaction() as conn:
        await community.apply_spec(conn, load_file(EXAMPLE))
        found = {
            r.code: (r.id, slots.rules_from_mapping(r.rules)) for r in await community.rooms(conn)
        }
        units = {u.code: u.id for u in await community.all_units(conn)}
    try:
        yield World(db, path, found, units)
    finally:
        await db.close()


async def test_book_confirms_and_adds_a_reminder_row(world: World) -> None:
    result = await world.book("activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    assert result.violations == [] and result.booking is not None
    assert result.booking.state == "confirmed"
    assert await world.rows("SELECT booking_id, due_at, sent_at FROM booking_reminders") == [
        (result.booking.id, at(TUESDAY, "09:00"), None)
    ]


async def test_touching_is_allowed_overlapping_by_a_slot_is_refused(world: World) -> None:
    first = await world.book("activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    assert first.booking is not None
    touching = await world.book("activity", "1-102", at(TUESDAY, "11:00"), at(TUESDAY, "12:00"))
    assert touching.violations == []
    before = await world.book("activity", "1-103", at(TUESDAY, "09:00"), at(TUESDAY, "10:00"))
    assert before.violations == []
    overlap = await world.book("activity", "1-104", at(TUESDAY, "10:30"), at(TUESDAY, "11:30"))
    assert overlap.booking is None and overlap.violations == [V.OVERLAP]
    # another room at the same time is fine
    other = await world.book("study", "1-104", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    assert other.violations == []
    assert await world.rows("SELECT COUNT(*) FROM bookings") == [(4,)]


async def test_trigger_refuses_overlap_even_without_the_check(world: World) -> None:
    room_id, _ = world.rooms["activity"]
    unit = world.units["1-101"]
    await world.book("activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    insert = (
        "INSERT INTO bookings (room_id, unit_id, booked_by, start_at, end_at, state, created_at)"
        " VALUES (?, ?, 1, ?, ?, ?, 0)"
    )
    with pytest.raises(sqlite3.IntegrityError, match="booking overlap"):
        async with world.db.transaction() as conn:
            # one minute of overlap is enough
            await conn.execute(
                insert,
                (room_id, unit, at(TUESDAY, "10:59"), at(TUESDAY, "12:00"), "pending"),
            )
    async with world.db.transaction() as conn:
        # touching end-to-start, and a cancelled row at the same time, are fine
        await conn.execute(
            insert, (room_id, unit, at(TUESDAY, "11:00"), at(TUESDAY, "12:00"), "confirmed")
        )
        await conn.execute(
            insert, (room_id, unit, at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), "cancelled")
        )
    # reviving the cancelled row over a live one is refused too (the update trigger)
    with pytest.raises(sqlite3.IntegrityError, match="booking overlap"):
        async with world.db.transaction() as conn:
            await conn.execute("UPDATE bookings SET state = 'confirmed' WHERE state = 'cancelled'")
    assert await world.rows("SELECT state, COUNT(*) FROM bookings GROUP BY state ORDER BY 1") == [
        ("cancelled", 1),
        ("confirmed", 2),
    ]


async def test_many_concurrent_confirmations_leave_exactly_one_booking(world: World) -> None:
    """Eight connections (as eight processes would) confirm the same slot at the same moment."""
    others = [await Database.open(world.path) for _ in range(8)]
    units = ["1-101", "1-102", "1-103", "1-104", "1-201", "1-202", "1-203", "1-204"]
    try:
        results = await asyncio.gather(
            *(
                world.book(
                    "activity",
                    unit,
                    # overlapping, not identical: 10:00-11:00, 10:30-11:30, ...
                    at(TUESDAY, "10:00") + (i % 2) * 1800,
                    at(TUESDAY, "11:00") + (i % 2) * 1800,
                    user=100 + i,
                    db=db,
                )
                for i, (unit, db) in enumerate(zip(units, others, strict=True))
            )
        )
    finally:
        for db in others:
            await db.close()
    winners = [r for r in results if r.booking is not None]
    assert len(winners) == 1
    assert all(r.violations == [V.OVERLAP] for r in results if r.booking is None)
    assert await world.rows("SELECT COUNT(*) FROM bookings WHERE state = 'confirmed'") == [(1,)]


async def test_quota_per_week_at_its_exact_bound(world: World) -> None:
    # activity: 3 bookings and 6 hours per household per week
    for hour in ("09:00", "11:00", "13:00"):
        start = at(TUESDAY, hour)
        result = await world.book("activity", "1-101", start, start + 3600)
        assert result.violations == [], hour
    fourth = await world.book("activity", "1-101", at(TUESDAY, "15:00"), at(TUESDAY, "16:00"))
    assert fourth.violations == [V.QUOTA_COUNT]
    # next ISO week is a new week; another household is not affected
    next_week = date(2026, 11, 30)
    assert (
        await world.book("activity", "1-101", at(next_week, "10:00"), at(next_week, "11:00"))
    ).violations == []
    assert (
        await world.book("activity", "1-102", at(TUESDAY, "15:00"), at(TUESDAY, "16:00"))
    ).violations == []
    # staff booking for the community skips the quota (STAFF_BYPASS)
    staff = await world.book(
        "activity", None, at(TUESDAY, "17:00"), at(TUESDAY, "18:00"), as_staff=True
    )
    assert staff.violations == [] and staff.booking is not None
    assert staff.booking.unit_id is None


async def test_hours_quota_counts_exactly(world: World) -> None:
    # 6 hours: 3 h + 3 h is exactly the quota; 30 min more is refused
    assert (
        await world.book("activity", "1-101", at(TUESDAY, "08:00"), at(TUESDAY, "11:00"))
    ).violations == []
    assert (
        await world.book("activity", "1-101", at(TUESDAY, "12:00"), at(TUESDAY, "15:00"))
    ).violations == []
    wed = date(2026, 11, 25)
    third = await world.book("activity", "1-101", at(wed, "10:00"), at(wed, "10:30"))
    assert third.violations == [V.QUOTA_HOURS]


async def test_approval_pending_then_decided_once(world: World) -> None:
    result = await world.book("kitchen", "1-101", at(TUESDAY, "14:00"), at(TUESDAY, "16:00"))
    assert result.booking is not None and result.booking.state == "pending"
    assert await world.rows("SELECT COUNT(*) FROM booking_reminders") == [(0,)]
    # the pending booking holds its slot
    assert (
        await world.book("kitchen", "1-102", at(TUESDAY, "15:00"), at(TUESDAY, "16:00"))
    ).violations == [V.OVERLAP]
    async with world.db.transaction() as conn:
        assert await bookings.decide(conn, result.booking.id, True, by=9, now=to_ts(NOW))
        assert not await bookings.decide(conn, result.booking.id, False, by=9, now=to_ts(NOW))
    assert await world.rows("SELECT state, decided_by FROM bookings") == [("confirmed", 9)]
    assert await world.rows("SELECT due_at FROM booking_reminders") == [(at(TUESDAY, "13:00"),)]


async def test_a_pending_booking_is_due_to_expire_hours_before_or_at_its_start(
    world: World,
) -> None:
    early = await world.book("kitchen", "1-101", at(TUESDAY, "14:00"), at(TUESDAY, "15:00"))
    # booked at 15:00 for 17:00: with 3 hours, later than that, so it waits until its start
    late_now = datetime(2026, 11, 24, 15, 0, tzinfo=TZ)
    late = await world.book(
        "kitchen", "1-102", at(TUESDAY, "17:00"), at(TUESDAY, "18:00"), now=late_now
    )
    assert early.booking is not None and late.booking is not None
    async with world.db.read() as conn:

        async def due(hhmm: str, hours: int = 2) -> list[int]:
            return [b.id for b in await bookings.due_to_expire(conn, at(TUESDAY, hhmm), hours)]

        assert await due("11:59") == []
        assert await due("12:00") == [early.booking.id]
        assert await due("11:00", hours=3) == [early.booking.id]
        assert await due("16:59", hours=3) == [early.booking.id]
        assert await due("17:00", hours=3) == [early.booking.id, late.booking.id]
        assert await due("16:59") == [early.booking.id]  # booked exactly 2 h before: waits
        assert await due("17:00") == [early.booking.id, late.booking.id]
    async with world.db.transaction() as conn:
        assert await bookings.expire(conn, early.booking.id, at(TUESDAY, "12:00"))
        assert not await bookings.expire(conn, early.booking.id, at(TUESDAY, "12:01"))
    assert await world.rows("SELECT state, cancel_reason FROM bookings ORDER BY id") == [
        ("cancelled", "expired"),
        ("pending", None),
    ]


async def test_blackout_cancels_overlapping_bookings_only(world: World) -> None:
    hit = await world.book("activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    kept = await world.book("activity", "1-102", at(TUESDAY, "12:00"), at(TUESDAY, "13:00"))
    assert hit.booking is not None and kept.booking is not None
    room_id, _ = world.rooms["activity"]
    async with world.db.transaction() as conn:
        _, cancelled = await bookings.add_blackout(
            conn,
            room_id,
            at(TUESDAY, "10:30"),
            at(TUESDAY, "12:00"),
            reason="paint",
            by=7,
            now=to_ts(NOW),
        )
    assert [b.id for b in cancelled] == [hit.booking.id]
    assert await world.rows("SELECT id, state, cancel_reason FROM bookings ORDER BY id") == [
        (hit.booking.id, "cancelled", "blackout"),
        (kept.booking.id, "confirmed", None),
    ]
    refused = await world.book("activity", "1-103", at(TUESDAY, "11:00"), at(TUESDAY, "11:30"))
    assert refused.violations == [V.BLACKOUT]
    # the trigger refuses a live booking inside a blackout too
    with pytest.raises(sqlite3.IntegrityError, match="booking overlap"):
        async with world.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO bookings (room_id, start_at, end_at, state, created_at)"
                " VALUES (?, ?, ?, 'confirmed', 0)",
                (room_id, at(TUESDAY, "11:00"), at(TUESDAY, "11:30")),
            )


async def test_watchers_are_taken_once(world: World) -> None:
    room_id, _ = world.rooms["activity"]
    now = to_ts(NOW)
    async with world.db.transaction() as conn:
        assert await bookings.add_watch(
            conn, room_id, 5, at(TUESDAY, "10:00"), at(TUESDAY, "10:30"), now
        )
        assert not await bookings.add_watch(
            conn, room_id, 5, at(TUESDAY, "10:00"), at(TUESDAY, "10:30"), now
        )
        await bookings.add_watch(conn, room_id, 6, at(TUESDAY, "12:00"), at(TUESDAY, "12:30"), now)
        taken = await bookings.take_watchers(
            conn, room_id, at(TUESDAY, "09:30"), at(TUESDAY, "11:00"), now
        )
        again = await bookings.take_watchers(
            conn, room_id, at(TUESDAY, "09:30"), at(TUESDAY, "11:00"), now
        )
    assert taken == [(5, at(TUESDAY, "10:00"), at(TUESDAY, "10:30"))]
    assert again == []


async def test_due_reminders_skip_cancelled_and_sent(world: World) -> None:
    first = await world.book("activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"))
    second = await world.book("activity", "1-102", at(TUESDAY, "12:00"), at(TUESDAY, "13:00"))
    assert first.booking is not None and second.booking is not None
    late = at(TUESDAY, "09:30")
    async with world.db.transaction() as conn:
        assert await bookings.due_reminders(conn, at(TUESDAY, "08:59")) == []
        await bookings.cancel(conn, second.booking.id, by=1, now=late, reason="resident")
        due = await bookings.due_reminders(conn, at(TUESDAY, "11:30"))
        assert due == []  # the first has started; the second is cancelled
        due = await bookings.due_reminders(conn, late)
        assert [b.id for b in due] == [first.booking.id]
        assert await bookings.mark_reminded(conn, first.booking.id, late)
        assert not await bookings.mark_reminded(conn, first.booking.id, late)
        assert await bookings.due_reminders(conn, late) == []


async def test_utilisation_from_storage(world: World) -> None:
    # activity is open 08:00-21:00 every day: 91 hours a week
    monday = date(2026, 11, 23)
    await world.book("activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "13:00"))
    cancelled = await world.book("activity", "1-102", at(TUESDAY, "14:00"), at(TUESDAY, "15:00"))
    assert cancelled.booking is not None
    room_id, rules = world.rooms["activity"]
    async with world.db.transaction() as conn:
        await bookings.cancel(conn, cancelled.booking.id, by=1, now=to_ts(NOW), reason="resident")
        assert await room_use.utilisation(conn, room_id, rules, TZ, monday) == Fraction(3, 91)
        # a whole day blacked out is not open time
        wed = date(2026, 11, 25)
        await bookings.add_blackout(
            conn, room_id, at(wed, "08:00"), at(wed, "21:00"), reason="", by=1, now=to_ts(NOW)
        )
        assert await room_use.utilisation(conn, room_id, rules, TZ, monday) == Fraction(3, 78)
        assert await room_use.utilisation(
            conn, room_id, rules, TZ, monday - timedelta(days=7)
        ) == Fraction(0)
        weekly = await room_use.rooms_utilisation(conn, TZ, monday)
    assert [(room.code, value) for room, value in weekly] == [
        ("activity", Fraction(3, 78)),
        ("kitchen", Fraction(0)),
        ("study", Fraction(0)),
    ]


async def test_describe_and_forget(world: World) -> None:
    result = await world.book(
        "activity", "1-101", at(TUESDAY, "10:00"), at(TUESDAY, "11:00"), user=42
    )
    assert result.booking is not None
    room_id, _ = world.rooms["activity"]
    async with world.db.transaction() as conn:
        await bookings.add_watch(conn, room_id, 42, at(TUESDAY, "12:00"), at(TUESDAY, "12:30"), 0)
        assert await bookings.describe(conn, 42) == {"bookings": 1}
        await bookings.forget(conn, 42)
        assert await bookings.describe(conn, 42) == {}
    assert await world.rows("SELECT unit_id, booked_by, state FROM bookings") == [
        (world.units["1-101"], None, "confirmed")
    ]
    assert await world.rows("SELECT COUNT(*) FROM booking_watches") == [(0,)]
