"""Outages (incidents): the declared outage, the residents who follow it instead of reporting
it, and the tickets that are part of it. Repositories take the connection and never commit;
state changes are conditional UPDATEs (of two staff resolving at once exactly one does).

An outage's buildings are a list of building ids, or ``None`` for the whole community (stored as
notices store their audience).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one, fetch_value
from storage.notices import dump_audience, load_audience
from storage.tickets import _OPEN_SQL

OPEN, RESOLVED = "open", "resolved"

_COLUMNS = (
    "id, category, buildings, state, expected_end, note, declared_by, declared_at, updated_at,"
    " resolved_by, resolved_at, notice_id"
)


@dataclass(frozen=True)
class Incident:
    id: int
    category: str
    buildings: list[int] | None  # None: the whole community
    state: str
    expected_end: int | None
    note: str
    declared_by: int | None
    declared_at: int
    updated_at: int
    resolved_by: int | None
    resolved_at: int | None
    notice_id: int | None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    def covers(self, category: str, building_id: int) -> bool:
        """Whether a report of ``category`` in ``building_id`` is about this outage."""
        return (
            self.is_open
            and self.category == category
            and (self.buildings is None or building_id in self.buildings)
        )


@dataclass(frozen=True)
class Spot:
    """Where a follower would have reported the problem (their "not fixed" ticket's place)."""

    building_id: int
    unit_id: int | None = None
    floor: int | None = None
    place: str = ""


@dataclass(frozen=True)
class Follower:
    user_id: int
    since: int
    spot: Spot
    not_fixed_ticket: int | None


def _incident(row: Any) -> Incident:
    values = list(row)
    values[2] = load_audience(values[2])
    return Incident(*values)


async def create(
    conn: aiosqlite.Connection,
    *,
    category: str,
    buildings: list[int] | None,
    expected_end: int | None,
    note: str,
    by: int,
    now: int,
) -> int:
    cur = await conn.execute(
        "INSERT INTO incidents (category, buildings, expected_end, note, declared_by,"
        " declared_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (category, dump_audience(buildings), expected_end, note, by, now, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get(conn: aiosqlite.Connection, incident_id: int) -> Incident | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,))
    return _incident(row) if row else None


async def open_ones(conn: aiosqlite.Connection) -> list[Incident]:
    rows = await fetch_all(
        conn, f"SELECT {_COLUMNS} FROM incidents WHERE state = 'open' ORDER BY id"
    )
    return [_incident(r) for r in rows]


async def matching(conn: aiosqlite.Connection, category: str, building_id: int) -> Incident | None:
    """The open outage a report of ``category`` in ``building_id`` is about (the latest)."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM incidents WHERE state = 'open' AND category = ? ORDER BY id DESC",
        (category,),
    )
    return next((i for i in map(_incident, rows) if i.covers(category, building_id)), None)


async def set_notice(conn: aiosqlite.Connection, incident_id: int, notice_id: int) -> None:
    await conn.execute("UPDATE incidents SET notice_id = ? WHERE id = ?", (notice_id, incident_id))


async def set_expected_end(
    conn: aiosqlite.Connection, incident_id: int, expected_end: int, now: int
) -> bool:
    cur = await conn.execute(
        "UPDATE incidents SET expected_end = ?, updated_at = ? WHERE id = ? AND state = 'open'",
        (expected_end, now, incident_id),
    )
    return cur.rowcount == 1


async def resolve(conn: aiosqlite.Connection, incident_id: int, by: int, now: int) -> bool:
    cur = await conn.execute(
        "UPDATE incidents SET state = 'resolved', resolved_by = ?, resolved_at = ?,"
        " updated_at = ? WHERE id = ? AND state = 'open'",
        (by, now, now, incident_id),
    )
    return cur.rowcount == 1


# ---- followers and tickets ------------------------------------------------------------------


async def follow(
    conn: aiosqlite.Connection, incident_id: int, user_id: int, now: int, spot: Spot
) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO incident_followers (incident_id, user_id, since, building_id,"
        " unit_id, floor, place) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (incident_id, user_id, now, spot.building_id, spot.unit_id, spot.floor, spot.place),
    )
    return cur.rowcount == 1


def _follower(row: Any) -> Follower:
    return Follower(row[0], row[1], Spot(*row[2:6]), row[6])


async def followers(conn: aiosqlite.Connection, incident_id: int) -> list[Follower]:
    rows = await fetch_all(
        conn,
        "SELECT user_id, since, building_id, unit_id, floor, place, not_fixed_ticket"
        " FROM incident_followers WHERE incident_id = ? ORDER BY since, user_id",
        (incident_id,),
    )
    return [_follower(r) for r in rows]


async def follower(conn: aiosqlite.Connection, incident_id: int, user_id: int) -> Follower | None:
    row = await fetch_one(
        conn,
        "SELECT user_id, since, building_id, unit_id, floor, place, not_fixed_ticket"
        " FROM incident_followers WHERE incident_id = ? AND user_id = ?",
        (incident_id, user_id),
    )
    return _follower(row) if row else None


async def set_not_fixed(
    conn: aiosqlite.Connection, incident_id: int, user_id: int, ticket_id: int
) -> bool:
    """The follower's "not fixed" became ``ticket_id`` (once)."""
    cur = await conn.execute(
        "UPDATE incident_followers SET not_fixed_ticket = ? WHERE incident_id = ?"
        " AND user_id = ? AND not_fixed_ticket IS NULL",
        (ticket_id, incident_id, user_id),
    )
    return cur.rowcount == 1


async def link(conn: aiosqlite.Connection, incident_id: int, ticket_id: int, now: int) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO incident_tickets (ticket_id, incident_id, linked_at)"
        " VALUES (?, ?, ?)",
        (ticket_id, incident_id, now),
    )
    return cur.rowcount == 1


async def ticket_ids(conn: aiosqlite.Connection, incident_id: int) -> list[int]:
    rows = await fetch_all(
        conn,
        "SELECT ticket_id FROM incident_tickets WHERE incident_id = ? ORDER BY ticket_id",
        (incident_id,),
    )
    return [r[0] for r in rows]


async def open_tickets_of(
    conn: aiosqlite.Connection, category: str, buildings: list[int] | None
) -> list[int]:
    """Open tickets of ``category`` in these buildings (None: anywhere): the outage's own."""
    where = f"category = ? AND state IN {_OPEN_SQL}"
    args: list[Any] = [category]
    if buildings is not None:
        where += f" AND building_id IN ({', '.join('?' * len(buildings))})"
        args += buildings
    rows = await fetch_all(conn, f"SELECT id FROM tickets WHERE {where} ORDER BY id", args)
    return [r[0] for r in rows]


# ---- the figures ----------------------------------------------------------------------------


async def figures(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None = None
) -> tuple[int, int, int]:
    """Outages declared in [start, end) (of one building: those covering it), and their
    reports: residents who followed one instead of reporting, and tickets that were part of
    one. Returns (outages, followers, tickets)."""
    rows = await fetch_all(
        conn,
        "SELECT id, buildings FROM incidents WHERE declared_at >= ? AND declared_at < ?",
        (start, end),
    )
    ids = [i for i, raw in rows if building_id is None or _covers(load_audience(raw), building_id)]
    if not ids:
        return 0, 0, 0
    marks = ", ".join("?" * len(ids))
    follows = await fetch_value(
        conn, f"SELECT COUNT(*) FROM incident_followers WHERE incident_id IN ({marks})", ids
    )
    tickets = await fetch_value(
        conn, f"SELECT COUNT(*) FROM incident_tickets WHERE incident_id IN ({marks})", ids
    )
    return len(ids), int(follows or 0), int(tickets or 0)


def _covers(buildings: list[int] | None, building_id: int) -> bool:
    return buildings is None or building_id in buildings


# ---- /me and /forgetme ----------------------------------------------------------------------


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    count = await fetch_value(
        conn, "SELECT COUNT(*) FROM incident_followers WHERE user_id = ?", (user_id,)
    )
    return {"outages_followed": int(count or 0)} if count else {}


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Their follows go (with where they were); the outages they declared or resolved stay,
    without them."""
    await conn.execute("DELETE FROM incident_followers WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE incidents SET declared_by = NULL WHERE declared_by = ?", (user_id,))
    await conn.execute("UPDATE incidents SET resolved_by = NULL WHERE resolved_by = ?", (user_id,))
