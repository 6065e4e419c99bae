"""How much the rooms are used (空间利用率): booked hours over open hours, a room or all of them,
over a week or any run of days (the manager's /utilisation and the figures)."""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from fractions import Fraction

import aiosqlite

from bot.rules import slots
from bot.rules.clock import from_ts
from storage.bookings import blackouts_between, day_range
from storage.community import Room, rooms
from storage.db import fetch_all


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


async def utilisation(
    conn: aiosqlite.Connection,
    room_id: int,
    rules: slots.RoomRules,
    tz: tzinfo,
    first_day: date,
    days: int = 7,
) -> Fraction:
    """Booked hours / open hours of the room over ``days`` local days from ``first_day`` (by
    default the ISO week starting on that Monday): confirmed bookings count as use;
    blacked-out time is not open time (``slots.utilisation_of_days``)."""
    start, _ = day_range(first_day, tz)
    _, end = day_range(first_day + timedelta(days=days - 1), tz)
    rows = await fetch_all(
        conn,
        "SELECT start_at, end_at FROM bookings WHERE room_id = ? AND state = 'confirmed'"
        " AND start_at < ? AND end_at > ?",
        (room_id, end, start),
    )
    blocked = await blackouts_between(conn, room_id, start, end)
    return slots.utilisation_of_days(
        rules,
        tz,
        first_day,
        days,
        [(from_ts(r[0]), from_ts(r[1])) for r in rows],
        blackouts=[(from_ts(b.start_at), from_ts(b.end_at)) for b in blocked],
    )


async def rooms_utilisation(
    conn: aiosqlite.Connection, tz: tzinfo, first_day: date, days: int = 7
) -> list[tuple[Room, Fraction]]:
    """Every active, bookable room's utilisation in the ISO week starting on Monday
    ``first_day`` (the manager's /utilisation), or over ``days`` days from it (the figures'
    period)."""
    found: list[tuple[Room, Fraction]] = []
    for item in await rooms(conn):
        try:
            rules = slots.rules_from_mapping(item.rules)
        except ValueError:
            continue
        found.append((item, await utilisation(conn, item.id, rules, tz, first_day, days)))
    return found
