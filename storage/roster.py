"""The duty roster (from the community file), whose turn it was last per category, and the open
tickets each person holds (their workload). Repositories take the connection and never commit.
"""

from __future__ import annotations

from collections.abc import Collection

import aiosqlite

from bot.rules.roster import Roster, Shift
from storage.db import fetch_all, fetch_value
from storage.tickets import _OPEN_SQL

#: In the community's settings: the workload limit of the roster (open tickets a person holds).
LIMIT = "workload_limit"


async def load(conn: aiosqlite.Connection) -> Roster:
    rows = await fetch_all(
        conn,
        "SELECT category, weekday, user_id FROM duty_roster ORDER BY category, weekday, position",
    )
    staff: dict[tuple[str, int], list[int]] = {}
    for category, weekday, user_id in rows:
        staff.setdefault((category, weekday), []).append(user_id)
    shifts = tuple(Shift(c, d, tuple(users)) for (c, d), users in staff.items())
    on_call = {d: u for d, u in await fetch_all(conn, "SELECT weekday, user_id FROM duty_on_call")}
    limit = await fetch_value(
        conn, "SELECT json_extract(settings, '$.' || ?) FROM community WHERE id = 1", (LIMIT,)
    )
    return Roster(shifts, on_call, int(limit) if limit is not None else None)


async def replace(conn: aiosqlite.Connection, roster: Roster) -> bool:
    """Make the stored shifts and on-call nights the file's (its workload limit is one of the
    community's settings); True if they changed."""
    before = await load(conn)
    await conn.execute("DELETE FROM duty_roster")
    await conn.execute("DELETE FROM duty_on_call")
    for shift in roster.shifts:
        for position, user_id in enumerate(dict.fromkeys(shift.staff)):
            await conn.execute(
                "INSERT OR IGNORE INTO duty_roster (category, weekday, position, user_id)"
                " VALUES (?, ?, ?, ?)",
                (shift.category, shift.weekday, position, user_id),
            )
    for weekday, user_id in roster.on_call.items():
        await conn.execute(
            "INSERT INTO duty_on_call (weekday, user_id) VALUES (?, ?)", (weekday, user_id)
        )
    after = await load(conn)
    return (before.shifts, dict(before.on_call)) != (after.shifts, dict(after.on_call))


async def last_turn(conn: aiosqlite.Connection, category: str) -> int | None:
    value = await fetch_value(
        conn, "SELECT last_user_id FROM duty_turns WHERE category = ?", (category,)
    )
    return int(value) if value is not None else None


async def set_turn(conn: aiosqlite.Connection, category: str, user_id: int, now: int) -> None:
    await conn.execute(
        "INSERT INTO duty_turns (category, last_user_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT (category) DO UPDATE SET last_user_id = excluded.last_user_id,"
        " at = excluded.at",
        (category, user_id, now),
    )


async def loads(conn: aiosqlite.Connection, user_ids: Collection[int]) -> dict[int, int]:
    """Open tickets assigned to each of ``user_ids`` (the partial index on open assignees)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = await fetch_all(
        conn,
        f"SELECT assignee_id, COUNT(*) FROM tickets WHERE state IN {_OPEN_SQL}"
        f" AND assignee_id IN ({marks}) GROUP BY assignee_id",
        ids,
    )
    return {int(u): int(n) for u, n in rows}


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """/forgetme: off the roster and the on-call list, and no one's last turn."""
    await conn.execute("DELETE FROM duty_roster WHERE user_id = ?", (user_id,))
    await conn.execute("DELETE FROM duty_on_call WHERE user_id = ?", (user_id,))
    await conn.execute(
        "UPDATE duty_turns SET last_user_id = NULL WHERE last_user_id = ?", (user_id,)
    )
