"""The daily backup's due-time rows (``backup_due``): one per day, claimed once. Repositories
never commit."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_one


@dataclass(frozen=True)
class Due:
    id: int
    day: str
    due_at: int


async def pending(conn: aiosqlite.Connection) -> Due | None:
    row = await fetch_one(
        conn,
        "SELECT id, day, due_at FROM backup_due WHERE claimed_at IS NULL ORDER BY due_at LIMIT 1",
    )
    return None if row is None else Due(*row)


async def unfinished(conn: aiosqlite.Connection, claimed_before: int) -> Due | None:
    """A row claimed before then whose backup never ended (the process died during it)."""
    row = await fetch_one(
        conn,
        "SELECT id, day, due_at FROM backup_due WHERE claimed_at IS NOT NULL"
        " AND finished_at IS NULL AND claimed_at <= ? ORDER BY due_at LIMIT 1",
        (claimed_before,),
    )
    return None if row is None else Due(*row)


async def reclaim(conn: aiosqlite.Connection, due: Due, now: int) -> None:
    await conn.execute("UPDATE backup_due SET claimed_at = ? WHERE id = ?", (now, due.id))


async def schedule(conn: aiosqlite.Connection, day: str, due_at: int) -> None:
    """The row for ``day`` (nothing if that day has one already: once a day)."""
    await conn.execute(
        "INSERT INTO backup_due (day, due_at) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
        (day, due_at),
    )


async def move(conn: aiosqlite.Connection, due_id: int, day: str, due_at: int) -> None:
    await conn.execute(
        "UPDATE backup_due SET day = ?, due_at = ? WHERE id = ? AND claimed_at IS NULL",
        (day, due_at, due_id),
    )


async def has_day(conn: aiosqlite.Connection, day: str) -> bool:
    return await fetch_one(conn, "SELECT 1 FROM backup_due WHERE day = ?", (day,)) is not None


async def claim(conn: aiosqlite.Connection, due: Due, now: int) -> bool:
    """Mark the row claimed in this transaction; False if someone else already did."""
    cur = await conn.execute(
        "UPDATE backup_due SET claimed_at = ? WHERE id = ? AND claimed_at IS NULL", (now, due.id)
    )
    return cur.rowcount == 1


async def finish(
    conn: aiosqlite.Connection, due_id: int, now: int, file: str | None, error: str | None
) -> None:
    await conn.execute(
        "UPDATE backup_due SET finished_at = ?, file = ?, error = ? WHERE id = ?",
        (now, file, error, due_id),
    )
