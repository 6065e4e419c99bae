"""Volunteer activities (sign-ups, the waiting list, reminders' due rows, attendance) and
neighbours' help requests. Repositories never commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.rules.points import place_for
from storage.db import fetch_all, fetch_one, fetch_value
from storage.notices import EVERYONE, dump_audience, load_audience


@dataclass(frozen=True)
class Activity:
    id: int
    organiser_id: int | None
    title: str
    place: str
    starts_at: int
    minutes: int
    slots: int
    points: int
    buildings: list[int] | None
    created_at: int
    credited_at: int | None


@dataclass(frozen=True)
class Signup:
    user_id: int
    state: str
    attended: bool


@dataclass(frozen=True)
class HelpRequest:
    id: int
    building_id: int
    unit_id: int | None
    kind: str
    details: str
    voice: str | None
    requester_id: int | None
    posted_by: int | None
    contact: str
    helper_id: int | None
    state: str
    points: int
    created_at: int


_ACTIVITY = (
    "SELECT id, organiser_id, title, place, starts_at, minutes, slots, points, buildings,"
    " created_at, credited_at FROM activities"
)


def _activity(row: Any) -> Activity:
    values = list(row)
    values[8] = load_audience(values[8])
    return Activity(*values)


async def create_activity(
    conn: aiosqlite.Connection,
    *,
    organiser_id: int,
    title: str,
    place: str,
    starts_at: int,
    minutes: int,
    slots: int,
    points: int,
    buildings: list[int] | None,
    due: dict[str, int],
    now: int,
) -> int:
    cur = await conn.execute(
        "INSERT INTO activities (organiser_id, title, place, starts_at, minutes, slots, points,"
        " buildings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            organiser_id,
            title,
            place,
            starts_at,
            minutes,
            slots,
            points,
            dump_audience(buildings),
            now,
        ),
    )
    activity_id = cur.lastrowid
    assert activity_id is not None
    for kind, at in due.items():
        await conn.execute(
            "INSERT INTO activity_due (activity_id, kind, due_at) VALUES (?, ?, ?)",
            (activity_id, kind, at),
        )
    return activity_id


async def activity(conn: aiosqlite.Connection, activity_id: int) -> Activity | None:
    row = await fetch_one(conn, _ACTIVITY + " WHERE id = ?", (activity_id,))
    return _activity(row) if row else None


async def upcoming(conn: aiosqlite.Connection, now: int, limit: int = 10) -> list[Activity]:
    rows = await fetch_all(
        conn, _ACTIVITY + " WHERE starts_at > ? ORDER BY starts_at, id LIMIT ?", (now, limit)
    )
    return [_activity(r) for r in rows]


async def organised_by(
    conn: aiosqlite.Connection, organiser_id: int | None, limit: int = 10
) -> list[Activity]:
    """The latest activities of one organiser (``None``: everybody's)."""
    where = " WHERE organiser_id = ?" if organiser_id is not None else ""
    params: tuple[Any, ...] = (organiser_id,) if organiser_id is not None else ()
    rows = await fetch_all(
        conn, _ACTIVITY + where + " ORDER BY starts_at DESC, id DESC LIMIT ?", (*params, limit)
    )
    return [_activity(r) for r in rows]


async def sign_up(
    conn: aiosqlite.Connection, activity_id: int, user_id: int, now: int
) -> str | None:
    """'going' or 'waiting' for a new (or returning) volunteer; ``None`` if already on a list."""
    found = await signup(conn, activity_id, user_id)
    if found is not None and found.state != "withdrawn":
        return None
    slots = await fetch_value(conn, "SELECT slots FROM activities WHERE id = ?", (activity_id,))
    state = place_for(await going_count(conn, activity_id), int(slots))
    seq = await fetch_value(
        conn,
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM activity_signups WHERE activity_id = ?",
        (activity_id,),
    )
    await conn.execute(
        "INSERT INTO activity_signups (activity_id, user_id, state, signed_at, seq)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (activity_id, user_id) DO UPDATE SET"
        " state = excluded.state, signed_at = excluded.signed_at, seq = excluded.seq",
        (activity_id, user_id, state, now, seq),
    )
    return state


async def withdraw(conn: aiosqlite.Connection, activity_id: int, user_id: int) -> int | None:
    """Take someone off the lists; if they had a place, the first on the waiting list gets it
    (returned). ``None`` when nobody moves up."""
    found = await signup(conn, activity_id, user_id)
    if found is None or found.state == "withdrawn":
        return None
    await conn.execute(
        "UPDATE activity_signups SET state = 'withdrawn' WHERE activity_id = ? AND user_id = ?",
        (activity_id, user_id),
    )
    if found.state != "going":
        return None
    row = await fetch_one(
        conn,
        "SELECT user_id FROM activity_signups WHERE activity_id = ? AND state = 'waiting'"
        " ORDER BY seq LIMIT 1",
        (activity_id,),
    )
    if row is None:
        return None
    await conn.execute(
        "UPDATE activity_signups SET state = 'going' WHERE activity_id = ? AND user_id = ?",
        (activity_id, row[0]),
    )
    return int(row[0])


async def signup(conn: aiosqlite.Connection, activity_id: int, user_id: int) -> Signup | None:
    row = await fetch_one(
        conn,
        "SELECT user_id, state, attended FROM activity_signups"
        " WHERE activity_id = ? AND user_id = ?",
        (activity_id, user_id),
    )
    return Signup(row[0], row[1], bool(row[2])) if row else None


async def signups(conn: aiosqlite.Connection, activity_id: int, state: str) -> list[Signup]:
    rows = await fetch_all(
        conn,
        "SELECT user_id, state, attended FROM activity_signups WHERE activity_id = ? AND state = ?"
        " ORDER BY seq",
        (activity_id, state),
    )
    return [Signup(r[0], r[1], bool(r[2])) for r in rows]


async def going_count(conn: aiosqlite.Connection, activity_id: int) -> int:
    value = await fetch_value(
        conn,
        "SELECT COUNT(*) FROM activity_signups WHERE activity_id = ? AND state = 'going'",
        (activity_id,),
    )
    return int(value or 0)


async def set_attended(
    conn: aiosqlite.Connection, activity_id: int, user_id: int, attended: bool
) -> bool:
    cur = await conn.execute(
        "UPDATE activity_signups SET attended = ? WHERE activity_id = ? AND user_id = ?"
        " AND state = 'going'",
        (int(attended), activity_id, user_id),
    )
    return cur.rowcount == 1


async def mark_credited(conn: aiosqlite.Connection, activity_id: int, now: int) -> None:
    await conn.execute(
        "UPDATE activities SET credited_at = COALESCE(credited_at, ?) WHERE id = ?",
        (now, activity_id),
    )


async def claim_due(conn: aiosqlite.Connection, now: int, limit: int = 50) -> list[tuple[int, str]]:
    """Due reminders as (activity, kind), marked done in this transaction: what the caller
    queues with them commits together, so each is sent once, also across restarts."""
    rows = await fetch_all(
        conn,
        "SELECT id, activity_id, kind FROM activity_due WHERE done_at IS NULL AND due_at <= ?"
        " ORDER BY due_at, id LIMIT ?",
        (now, limit),
    )
    for row in rows:
        await conn.execute("UPDATE activity_due SET done_at = ? WHERE id = ?", (now, row[0]))
    return [(r[1], r[2]) for r in rows]


async def volunteer_figures(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None
) -> tuple[int, int, int]:
    """Activities held in [start, end) (of the building's audience, or all), the volunteer
    minutes of those who came, and how many different people came."""
    where = "a.starts_at >= ? AND a.starts_at < ?"
    params: list[Any] = [start, end]
    if building_id is not None:
        where += " AND (a.buildings = ? OR ',' || replace(trim(a.buildings, '[]'), ' ', '')"
        where += " || ',' LIKE '%,' || ? || ',%')"
        params += [EVERYONE, building_id]
    held = await fetch_value(conn, f"SELECT COUNT(*) FROM activities a WHERE {where}", params)
    row = await fetch_one(
        conn,
        "SELECT COALESCE(SUM(a.minutes), 0), COUNT(DISTINCT s.user_id) FROM activity_signups s"
        f" JOIN activities a ON a.id = s.activity_id WHERE s.attended = 1 AND {where}",
        params,
    )
    return int(held or 0), int(row[0]), int(row[1])


# ---------------------------------------------------------------------------- help requests

_HELP = (
    "SELECT id, building_id, unit_id, kind, details, voice, requester_id, posted_by, contact,"
    " helper_id, state, points, created_at FROM help_requests"
)


async def create_help(
    conn: aiosqlite.Connection,
    *,
    building_id: int,
    unit_id: int | None,
    kind: str,
    details: str,
    voice: str | None,
    requester_id: int | None,
    posted_by: int | None,
    contact: str,
    points: int,
    now: int,
) -> int:
    cur = await conn.execute(
        "INSERT INTO help_requests (building_id, unit_id, kind, details, voice, requester_id,"
        " posted_by, contact, state, points, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
        (building_id, unit_id, kind, details, voice, requester_id, posted_by, contact, points, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def help_request(conn: aiosqlite.Connection, request_id: int) -> HelpRequest | None:
    row = await fetch_one(conn, _HELP + " WHERE id = ?", (request_id,))
    return HelpRequest(*row) if row else None


async def take(conn: aiosqlite.Connection, request_id: int, helper_id: int, now: int) -> bool:
    """The first volunteer to take an open request gets it."""
    cur = await conn.execute(
        "UPDATE help_requests SET helper_id = ?, state = 'taken', taken_at = ?"
        " WHERE id = ? AND state = 'open' AND COALESCE(requester_id, 0) != ?",
        (helper_id, now, request_id, helper_id),
    )
    return cur.rowcount == 1


async def finish(conn: aiosqlite.Connection, request_id: int, now: int) -> bool:
    cur = await conn.execute(
        "UPDATE help_requests SET state = 'done', done_at = ? WHERE id = ? AND state = 'taken'",
        (now, request_id),
    )
    return cur.rowcount == 1


async def release(conn: aiosqlite.Connection, request_id: int) -> bool:
    """The help did not happen: the request is open again for another volunteer."""
    cur = await conn.execute(
        "UPDATE help_requests SET state = 'open', helper_id = NULL, taken_at = NULL"
        " WHERE id = ? AND state = 'taken'",
        (request_id,),
    )
    return cur.rowcount == 1


# ---------------------------------------------------------------------------- /me, /forgetme


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, sql in (
        ("activity_signups", "SELECT COUNT(*) FROM activity_signups WHERE user_id = ?"),
        ("help_asked", "SELECT COUNT(*) FROM help_requests WHERE requester_id = ?"),
        ("help_given", "SELECT COUNT(*) FROM help_requests WHERE helper_id = ?"),
    ):
        count = int(await fetch_value(conn, sql, (user_id,)) or 0)
        if count:
            found[key] = count
    return found


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Their sign-ups go; activities stay without their organiser; their help requests stay
    (counted) without them, what they said and their voice emptied; help they gave stays
    without them."""
    await conn.execute("DELETE FROM activity_signups WHERE user_id = ?", (user_id,))
    await conn.execute(
        "UPDATE activities SET organiser_id = NULL WHERE organiser_id = ?", (user_id,)
    )
    await conn.execute(
        "UPDATE help_requests SET requester_id = NULL, unit_id = NULL, details = '',"
        " voice = NULL, contact = '' WHERE requester_id = ?",
        (user_id,),
    )
    await conn.execute(
        "UPDATE help_requests SET posted_by = NULL, details = '', voice = NULL, contact = ''"
        " WHERE posted_by = ?",
        (user_id,),
    )
    await conn.execute("UPDATE help_requests SET helper_id = NULL WHERE helper_id = ?", (user_id,))
