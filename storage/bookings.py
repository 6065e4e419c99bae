"""Room bookings (共享空间预约): bookings, blackouts, reminder rows and watches (how much the
rooms are used: ``storage.room_use``).

The rules themselves live in ``bot.rules.slots`` (pure); this module reads what they need from the
database and writes what they allow. The caller owns the transaction (``db.transaction()``, a
``BEGIN IMMEDIATE``): :func:`book` re-reads the room's busy intervals and the household's week
inside it, runs ``slots.check_booking`` and inserts, so two concurrent confirmations of one slot
leave exactly one booking. A trigger (migration 0004) refuses an overlapping live booking even
if a caller forgot the check.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import aiosqlite

from bot.rules import slots
from bot.rules.clock import from_ts, to_ts
from storage.community import Room, rooms
from storage.db import fetch_all, fetch_one

LIVE = ("pending", "confirmed")
DAY = 24 * 3600


@dataclass(frozen=True)
class Booking:
    id: int
    room_id: int
    unit_id: int | None
    booked_by: int | None
    start_at: int
    end_at: int
    state: str
    created_at: int
    decided_by: int | None
    decided_at: int | None
    cancel_reason: str | None

    @property
    def start(self) -> datetime:
        return from_ts(self.start_at)

    @property
    def end(self) -> datetime:
        return from_ts(self.end_at)

    @property
    def live(self) -> bool:
        return self.state in LIVE


@dataclass(frozen=True)
class Blackout:
    id: int
    room_id: int
    start_at: int
    end_at: int
    reason: str
    created_by: int | None
    created_at: int


@dataclass(frozen=True)
class BookResult:
    """Either a booking (``violations == []``) or the rules it broke (``booking is None``)."""

    booking: Booking | None
    violations: list[slots.Violation]


_COLUMNS = (
    "id, room_id, unit_id, booked_by, start_at, end_at, state, created_at, decided_by,"
    " decided_at, cancel_reason"
)


def _booking(row: Any) -> Booking:
    return Booking(*row)


# ---- rooms ------------------------------------------------------------------------------------


async def room(conn: aiosqlite.Connection, room_id: int) -> Room | None:
    """An active room by id (None for an unknown or retired room)."""
    return next((r for r in await rooms(conn) if r.id == room_id), None)


async def room_by_code(conn: aiosqlite.Connection, code: str) -> Room | None:
    return next((r for r in await rooms(conn) if r.code == code), None)


# ---- reading what is busy ---------------------------------------------------------------------


async def busy_between(
    conn: aiosqlite.Connection, room_id: int, start: int, end: int
) -> list[slots.Busy]:
    """Live bookings and active blackouts of the room that overlap ``[start, end)``."""
    found: list[slots.Busy] = []
    for row in await fetch_all(
        conn,
        "SELECT start_at, end_at, state, unit_id FROM bookings WHERE room_id = ?"
        " AND state IN ('pending', 'confirmed') AND start_at < ? AND end_at > ?"
        " ORDER BY start_at",
        (room_id, end, start),
    ):
        kind = slots.BusyKind.PENDING if row[2] == "pending" else slots.BusyKind.BOOKING
        found.append(slots.Busy(from_ts(row[0]), from_ts(row[1]), kind, row[3]))
    for row in await fetch_all(
        conn,
        "SELECT start_at, end_at FROM room_blackouts WHERE room_id = ? AND active = 1"
        " AND start_at < ? AND end_at > ? ORDER BY start_at",
        (room_id, end, start),
    ):
        found.append(slots.Busy(from_ts(row[0]), from_ts(row[1]), slots.BusyKind.BLACKOUT))
    return found


def day_range(day: date, tz: tzinfo) -> tuple[int, int]:
    """``day``'s local midnight to the next, as unix seconds."""
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz)
    return to_ts(start), to_ts(end)


async def busy_on_day(
    conn: aiosqlite.Connection, room_id: int, day: date, tz: tzinfo
) -> list[slots.Busy]:
    """What ``slots.day_slots`` needs for ``day``: the day plus a day either side (buffers)."""
    start, end = day_range(day, tz)
    return await busy_between(conn, room_id, start - DAY, end + DAY)


async def household_bookings(
    conn: aiosqlite.Connection, room_id: int, unit_id: int, around: int
) -> list[slots.TimeRange]:
    """The household's live bookings of the room starting within 8 days of ``around`` (a
    superset of its ISO week; ``slots.check_booking`` keeps the week's)."""
    rows = await fetch_all(
        conn,
        "SELECT start_at, end_at FROM bookings WHERE room_id = ? AND unit_id = ?"
        " AND state IN ('pending', 'confirmed') AND start_at >= ? AND start_at < ?",
        (room_id, unit_id, around - 8 * DAY, around + 8 * DAY),
    )
    return [(from_ts(r[0]), from_ts(r[1])) for r in rows]


# ---- booking ----------------------------------------------------------------------------------


async def book(
    conn: aiosqlite.Connection,
    room_id: int,
    rules: slots.RoomRules,
    tz: tzinfo,
    *,
    unit_id: int | None,
    user_id: int | None,
    start: int,
    end: int,
    now: datetime,
    as_staff: bool = False,
    remind_minutes: int = 60,
) -> BookResult:
    """Check every rule against what the database holds now, and insert if all pass.

    Call inside ``db.transaction()``: the re-read and the insert are then one atomic step. A
    community booking (``unit_id=None``) must be made ``as_staff``. The booking is ``pending``
    when the room needs approval (and the booker is not staff), else ``confirmed`` with its
    reminder row.
    """
    busy = await busy_between(conn, room_id, start - DAY, end + DAY)
    mine = [] if unit_id is None else await household_bookings(conn, room_id, unit_id, start)
    problems = slots.check_booking(
        from_ts(start),
        from_ts(end),
        unit_id,
        rules,
        tz,
        busy,
        now,
        mine,
        as_staff=as_staff,
    )
    if problems:
        return BookResult(None, problems)
    state = "pending" if slots.requires_approval(rules, as_staff=as_staff) else "confirmed"
    created = to_ts(now)
    try:
        cur = await conn.execute(
            "INSERT INTO bookings (room_id, unit_id, booked_by, start_at, end_at, state,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (room_id, unit_id, user_id, start, end, state, created),
        )
    except sqlite3.IntegrityError as exc:  # the trigger: someone else holds the time
        if "booking overlap" not in str(exc):
            raise
        return BookResult(None, [slots.Violation.OVERLAP])
    assert cur.lastrowid is not None
    if state == "confirmed":
        await _add_reminder(conn, cur.lastrowid, start, created, remind_minutes)
    booking = await get(conn, cur.lastrowid)
    assert booking is not None
    return BookResult(booking, [])


async def _add_reminder(
    conn: aiosqlite.Connection, booking_id: int, start: int, now: int, minutes: int
) -> None:
    """A reminder row, unless its time has already come (the confirmation is reminder enough)."""
    due = start - minutes * 60
    if minutes > 0 and due > now:
        await conn.execute(
            "INSERT OR IGNORE INTO booking_reminders (booking_id, due_at) VALUES (?, ?)",
            (booking_id, due),
        )


async def get(conn: aiosqlite.Connection, booking_id: int) -> Booking | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM bookings WHERE id = ?", (booking_id,))
    return _booking(row) if row else None


async def upcoming_for_units(
    conn: aiosqlite.Connection, unit_ids: Sequence[int], now: int
) -> list[Booking]:
    """Live bookings of these households that have not ended yet, soonest first."""
    if not unit_ids:
        return []
    marks = ", ".join("?" * len(unit_ids))
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM bookings WHERE unit_id IN ({marks})"
        " AND state IN ('pending', 'confirmed') AND end_at > ? ORDER BY start_at, id",
        (*unit_ids, now),
    )
    return [_booking(r) for r in rows]


async def live_between(conn: aiosqlite.Connection, start: int, end: int) -> list[Booking]:
    """Every room's live bookings overlapping ``[start, end)``, by room then time."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM bookings WHERE state IN ('pending', 'confirmed')"
        " AND start_at < ? AND end_at > ? ORDER BY room_id, start_at",
        (end, start),
    )
    return [_booking(r) for r in rows]


async def cancel(
    conn: aiosqlite.Connection, booking_id: int, *, by: int | None, now: int, reason: str
) -> bool:
    """Cancel a live booking; False when it is no longer live (already cancelled...)."""
    cur = await conn.execute(
        "UPDATE bookings SET state = 'cancelled', decided_by = ?, decided_at = ?,"
        " cancel_reason = ? WHERE id = ? AND state IN ('pending', 'confirmed')",
        (by, now, reason, booking_id),
    )
    return cur.rowcount == 1


async def decide(
    conn: aiosqlite.Connection,
    booking_id: int,
    approve: bool,
    *,
    by: int,
    now: int,
    remind_minutes: int = 60,
) -> bool:
    """Approve or reject a pending booking; False when it is no longer pending."""
    cur = await conn.execute(
        "UPDATE bookings SET state = ?, decided_by = ?, decided_at = ?"
        " WHERE id = ? AND state = 'pending'",
        ("confirmed" if approve else "rejected", by, now, booking_id),
    )
    if cur.rowcount != 1:
        return False
    if approve:
        booking = await get(conn, booking_id)
        assert booking is not None
        await _add_reminder(conn, booking_id, booking.start_at, now, remind_minutes)
    return True


async def due_to_expire(
    conn: aiosqlite.Connection, now: int, hours: int, limit: int = 100
) -> list[Booking]:
    """Pending bookings whose wait is over: ``hours`` before their start, or at their start
    when they were made later than that."""
    before = hours * 3600
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM bookings WHERE state = 'pending' AND CASE"
        " WHEN start_at - ? > created_at THEN start_at - ? ELSE start_at END <= ?"
        " ORDER BY start_at, id LIMIT ?",
        (before, before, now, limit),
    )
    return [_booking(r) for r in rows]


async def expire(conn: aiosqlite.Connection, booking_id: int, now: int) -> bool:
    """Cancel a booking nobody approved in time (reason ``expired``); False when it is no
    longer pending (decided in the meantime): the claim, taken once."""
    cur = await conn.execute(
        "UPDATE bookings SET state = 'cancelled', decided_at = ?, cancel_reason = 'expired'"
        " WHERE id = ? AND state = 'pending'",
        (now, booking_id),
    )
    return cur.rowcount == 1


# ---- blackouts --------------------------------------------------------------------------------


async def add_blackout(
    conn: aiosqlite.Connection,
    room_id: int,
    start: int,
    end: int,
    *,
    reason: str,
    by: int | None,
    now: int,
) -> tuple[int, list[Booking]]:
    """Block ``[start, end)`` and cancel the live bookings it overlaps (returned, so that their
    households can be told)."""
    hit = [
        _booking(r)
        for r in await fetch_all(
            conn,
            f"SELECT {_COLUMNS} FROM bookings WHERE room_id = ?"
            " AND state IN ('pending', 'confirmed') AND start_at < ? AND end_at > ?"
            " ORDER BY start_at",
            (room_id, end, start),
        )
    ]
    for booking in hit:
        await cancel(conn, booking.id, by=by, now=now, reason="blackout")
    cur = await conn.execute(
        "INSERT INTO room_blackouts (room_id, start_at, end_at, reason, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (room_id, start, end, reason, by, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid, hit


async def blackouts_between(
    conn: aiosqlite.Connection, room_id: int, start: int, end: int
) -> list[Blackout]:
    rows = await fetch_all(
        conn,
        "SELECT id, room_id, start_at, end_at, reason, created_by, created_at"
        " FROM room_blackouts WHERE room_id = ? AND active = 1 AND start_at < ? AND end_at > ?"
        " ORDER BY start_at",
        (room_id, end, start),
    )
    return [Blackout(*r) for r in rows]


async def upcoming_blackouts(conn: aiosqlite.Connection, now: int) -> list[Blackout]:
    """Active blackouts that have not ended, soonest first."""
    rows = await fetch_all(
        conn,
        "SELECT id, room_id, start_at, end_at, reason, created_by, created_at"
        " FROM room_blackouts WHERE active = 1 AND end_at > ? ORDER BY start_at, id",
        (now,),
    )
    return [Blackout(*r) for r in rows]


async def blackout(conn: aiosqlite.Connection, blackout_id: int) -> Blackout | None:
    row = await fetch_one(
        conn,
        "SELECT id, room_id, start_at, end_at, reason, created_by, created_at"
        " FROM room_blackouts WHERE id = ? AND active = 1",
        (blackout_id,),
    )
    return Blackout(*row) if row else None


async def remove_blackout(conn: aiosqlite.Connection, blackout_id: int, now: int) -> bool:
    """Open the room again: ``False`` if the blackout is gone already or has ended. The bookings
    it cancelled stay cancelled."""
    cur = await conn.execute(
        "UPDATE room_blackouts SET active = 0 WHERE id = ? AND active = 1 AND end_at > ?",
        (blackout_id, now),
    )
    return cur.rowcount == 1


# ---- "tell me if it frees up" -------------------------------------------------------------------


async def add_watch(
    conn: aiosqlite.Connection, room_id: int, user_id: int, start: int, end: int, now: int
) -> bool:
    """Watch ``[start, end)``; False if this person already watches that start."""
    cur = await conn.execute(
        "INSERT INTO booking_watches (room_id, user_id, start_at, end_at, created_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (room_id, user_id, start_at) DO UPDATE SET notified_at = NULL,"
        " end_at = excluded.end_at WHERE notified_at IS NOT NULL",
        (room_id, user_id, start, end, now),
    )
    return cur.rowcount == 1


async def take_watchers(
    conn: aiosqlite.Connection, room_id: int, start: int, end: int, now: int
) -> list[tuple[int, int, int]]:
    """Un-notified watches of future times overlapping ``[start, end)`` (a freed booking):
    marked notified and returned as (user_id, start_at, end_at)."""
    rows = await fetch_all(
        conn,
        "SELECT id, user_id, start_at, end_at FROM booking_watches WHERE room_id = ?"
        " AND notified_at IS NULL AND start_at < ? AND end_at > ? AND start_at > ?"
        " ORDER BY start_at, id",
        (room_id, end, start, now),
    )
    for row in rows:
        await conn.execute("UPDATE booking_watches SET notified_at = ? WHERE id = ?", (now, row[0]))
    return [(r[1], r[2], r[3]) for r in rows]


# ---- reminders --------------------------------------------------------------------------------


async def due_reminders(conn: aiosqlite.Connection, now: int, limit: int = 100) -> list[Booking]:
    """Confirmed bookings whose reminder is due, not yet sent, and that have not started."""
    rows = await fetch_all(
        conn,
        f"SELECT {', '.join('b.' + c.strip() for c in _COLUMNS.split(','))}"
        " FROM booking_reminders r JOIN bookings b ON b.id = r.booking_id"
        " WHERE r.sent_at IS NULL AND r.due_at <= ? AND b.state = 'confirmed'"
        " AND b.start_at > ? ORDER BY r.due_at, b.id LIMIT ?",
        (now, now, limit),
    )
    return [_booking(r) for r in rows]


async def mark_reminded(conn: aiosqlite.Connection, booking_id: int, now: int) -> bool:
    cur = await conn.execute(
        "UPDATE booking_reminders SET sent_at = ? WHERE booking_id = ? AND sent_at IS NULL",
        (now, booking_id),
    )
    return cur.rowcount == 1


# ---- privacy ----------------------------------------------------------------------------------


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    row = await fetch_one(conn, "SELECT COUNT(*) FROM bookings WHERE booked_by = ?", (user_id,))
    count = int(row[0]) if row else 0
    return {"bookings": count} if count else {}


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Keep the community's record of bookings (room, household, time), drop the person."""
    await conn.execute("UPDATE bookings SET booked_by = NULL WHERE booked_by = ?", (user_id,))
    await conn.execute("UPDATE bookings SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    await conn.execute(
        "UPDATE room_blackouts SET created_by = NULL WHERE created_by = ?", (user_id,)
    )
    await conn.execute("DELETE FROM booking_watches WHERE user_id = ?", (user_id,))
