"""Home visits (上门): the window staff offered or the resident chose for a repair at home, its
reminder's due row and the arrival. Repositories take the connection and never commit.

A ticket has at most one visit that is not ``replaced``: a new offer replaces the one before
(``replace_open``). State changes are conditional UPDATEs (``WHERE state = ...``): of two
presses exactly one changes the row. The reminder (``remind_at``) is claimed exactly once:
``claim_reminders`` marks ``reminded_at`` in the transaction that queues both messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one

_COLUMNS = (
    "id, ticket_id, state, window_start, window_end, offered_by, chosen_by_resident, pause_id,"
    " created_at, agreed_at, remind_at, reminded_at, arrived_at"
)


@dataclass(frozen=True)
class Visit:
    id: int
    ticket_id: int
    state: str  # offered, choosing, agreed, arrived, replaced
    window_start: int | None
    window_end: int | None
    offered_by: int | None
    chosen_by_resident: bool
    pause_id: int | None
    created_at: int
    agreed_at: int | None
    remind_at: int | None
    reminded_at: int | None
    arrived_at: int | None


def _visit(row: Any) -> Visit:
    v = list(row)
    v[6] = bool(v[6])
    return Visit(*v)


async def replace_open(conn: aiosqlite.Connection, ticket_id: int) -> None:
    await conn.execute(
        "UPDATE ticket_visits SET state = 'replaced' WHERE ticket_id = ?"
        " AND state IN ('offered', 'choosing', 'agreed')",
        (ticket_id,),
    )


async def offer(
    conn: aiosqlite.Connection,
    ticket_id: int,
    offered_by: int,
    window: tuple[int, int] | None,
    now: int,
) -> int:
    """A new visit: a window offered by staff, or (``window`` None) the resident to choose."""
    await replace_open(conn, ticket_id)
    start, end = window if window is not None else (None, None)
    cur = await conn.execute(
        "INSERT INTO ticket_visits (ticket_id, state, window_start, window_end, offered_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (ticket_id, "offered" if window else "choosing", start, end, offered_by, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get(conn: aiosqlite.Connection, visit_id: int) -> Visit | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM ticket_visits WHERE id = ?", (visit_id,))
    return _visit(row) if row else None


async def current(conn: aiosqlite.Connection, ticket_id: int) -> Visit | None:
    """The ticket's visit that is not replaced, if any."""
    row = await fetch_one(
        conn,
        f"SELECT {_COLUMNS} FROM ticket_visits WHERE ticket_id = ? AND state != 'replaced'"
        " ORDER BY id DESC LIMIT 1",
        (ticket_id,),
    )
    return _visit(row) if row else None


async def agree(
    conn: aiosqlite.Connection,
    visit_id: int,
    window: tuple[int, int],
    *,
    by_resident: bool,
    remind_at: int,
    pause_id: int | None,
    now: int,
) -> bool:
    """The window is agreed (the offered one, or one the resident chose); False if the visit
    is no longer waiting for the resident's answer."""
    cur = await conn.execute(
        "UPDATE ticket_visits SET state = 'agreed', window_start = ?, window_end = ?,"
        " chosen_by_resident = ?, remind_at = ?, pause_id = ?, agreed_at = ?"
        " WHERE id = ? AND state IN ('offered', 'choosing')",
        (window[0], window[1], int(by_resident), remind_at, pause_id, now, visit_id),
    )
    return cur.rowcount == 1


async def arrive(conn: aiosqlite.Connection, ticket_id: int, now: int) -> Visit | None:
    """Staff are on site: the agreed visit (if any) is marked arrived and returned."""
    row = await fetch_one(
        conn,
        "UPDATE ticket_visits SET state = 'arrived', arrived_at = ? WHERE ticket_id = ?"
        f" AND state = 'agreed' RETURNING {_COLUMNS}",
        (now, ticket_id),
    )
    return _visit(row) if row else None


async def pause_opened(
    conn: aiosqlite.Connection, ticket_id: int, start: int, end: int, reason: str
) -> int:
    """The ticket's clock waits from ``start`` to ``end`` (a pause with its end known)."""
    cur = await conn.execute(
        "INSERT INTO ticket_pauses (ticket_id, start_at, end_at, reason) VALUES (?, ?, ?, ?)",
        (ticket_id, start, end, reason),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def cut_pause(conn: aiosqlite.Connection, pause_id: int, now: int) -> None:
    """Staff arrived before the pause's end: it ends now."""
    await conn.execute(
        "UPDATE ticket_pauses SET end_at = MAX(?, start_at) WHERE id = ? AND end_at > ?",
        (now, pause_id, now),
    )


async def claim_reminders(conn: aiosqlite.Connection, now: int, limit: int = 50) -> list[Visit]:
    """Agreed visits whose reminder is due: marked reminded and returned; the caller queues both
    reminders in the same transaction, so each is sent once, also across a restart."""
    rows = await fetch_all(
        conn,
        "UPDATE ticket_visits SET reminded_at = ? WHERE id IN ("
        " SELECT id FROM ticket_visits WHERE state = 'agreed' AND reminded_at IS NULL"
        f" AND remind_at <= ? ORDER BY remind_at LIMIT ?) RETURNING {_COLUMNS}",
        (now, now, limit),
    )
    return sorted((_visit(r) for r in rows), key=lambda v: (v.remind_at or 0, v.id))


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Visits stay for the ticket's record, without the staff member who offered them."""
    await conn.execute(
        "UPDATE ticket_visits SET offered_by = NULL WHERE offered_by = ?", (user_id,)
    )
