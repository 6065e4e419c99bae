"""The rows of the exports (tickets, bookings, votes, notices) of a period: raw values, joined
with the names they show; ``bot.services.exports`` decides what a reader may see and says it
in words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.rules.votes import OptionDef, options_from_json
from storage.db import fetch_all
from storage.notices import load_audience


def _scope(column: str, building_id: int | None) -> tuple[str, tuple[Any, ...]]:
    if building_id is None:
        return "", ()
    return f" AND {column} = ?", (building_id,)


@dataclass(frozen=True)
class TicketLine:
    id: int
    kind: str
    category: str
    state: str
    building: str
    floor: int | None
    unit: str | None
    place: str
    anonymous: bool
    reporter: str | None
    assignee: str | None
    created_at: int
    accepted_at: int | None
    on_site_at: int | None
    resolved_at: int | None
    closed_at: int | None
    response_secs: int | None
    response_met: int | None
    resolution_secs: int | None
    resolution_met: int | None
    rating: int | None
    reopen_count: int
    description: str


async def tickets(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None = None
) -> list[TicketLine]:
    """Tickets reported in [start, end) (the index on report times)."""
    scope, args = _scope("t.building_id", building_id)
    rows = await fetch_all(
        conn,
        "SELECT t.id, t.kind, t.category, t.state, b.name, t.floor, u.code, t.place, t.anonymous,"
        " CASE WHEN t.reporter_id IS NULL THEN NULL"
        "  ELSE COALESCE(NULLIF(p.first_name, ''), '#' || t.reporter_id) END,"
        " CASE WHEN t.assignee_id IS NULL THEN NULL"
        "  ELSE COALESCE(NULLIF(a.first_name, ''), '#' || t.assignee_id) END,"
        " t.created_at, t.accepted_at, t.on_site_at, t.resolved_at, t.closed_at,"
        " t.response_secs, t.response_met, t.resolution_secs, t.resolution_met, t.rating,"
        " t.reopen_count, t.description"
        " FROM tickets t JOIN buildings b ON b.id = t.building_id"
        " LEFT JOIN units u ON u.id = t.unit_id"
        " LEFT JOIN people p ON p.user_id = t.reporter_id"
        " LEFT JOIN people a ON a.user_id = t.assignee_id"
        f" WHERE t.created_at >= ? AND t.created_at < ?{scope} ORDER BY t.id",
        (start, end, *args),
    )
    return [TicketLine(*[*r[:8], bool(r[8]), *r[9:]]) for r in rows]


@dataclass(frozen=True)
class BookingLine:
    id: int
    room: dict[str, str]
    unit: str | None
    building_id: int | None
    start_at: int
    end_at: int
    state: str
    created_at: int


async def bookings(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None = None
) -> list[BookingLine]:
    """Bookings starting in [start, end); of one building: its households' bookings."""
    scope, args = _scope("u.building_id", building_id)
    rows = await fetch_all(
        conn,
        "SELECT k.id, r.names, u.code, u.building_id, k.start_at, k.end_at, k.state, k.created_at"
        " FROM bookings k JOIN rooms r ON r.id = k.room_id LEFT JOIN units u ON u.id = k.unit_id"
        f" WHERE k.start_at >= ? AND k.start_at < ?{scope} ORDER BY k.start_at, k.id",
        (start, end, *args),
    )
    return [BookingLine(r[0], json.loads(r[1]), *r[2:]) for r in rows]


@dataclass(frozen=True)
class VoteLine:
    id: int
    title: str
    kind: str
    building: str | None  # None: the whole community
    state: str
    opens_at: int | None
    closes_at: int | None
    result: dict[str, Any]
    options: tuple[OptionDef, ...]


async def votes(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None = None
) -> list[VoteLine]:
    """Proposals whose voting closes in [start, end)."""
    scope, args = _scope("p.building_id", building_id)
    rows = await fetch_all(
        conn,
        "SELECT p.id, p.title, p.kind, b.name, p.state, p.opens_at, p.closes_at, p.result,"
        " p.options FROM proposals p LEFT JOIN buildings b ON b.id = p.building_id"
        f" WHERE p.closes_at >= ? AND p.closes_at < ?{scope} ORDER BY p.closes_at, p.id",
        (start, end, *args),
    )
    return [
        VoteLine(*[*r[:7], json.loads(r[7]) if r[7] else {}, options_from_json(r[8])]) for r in rows
    ]


@dataclass(frozen=True)
class NoticeLine:
    id: int
    kind: str
    send_at: int
    buildings: list[int] | None
    urgent: bool
    text: str
    delivered: int
    blocked: int
    failed: int
    waiting: int


async def notices(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None = None
) -> list[NoticeLine]:
    """Notices (and minutes) sent or to be sent in [start, end), not cancelled; of one
    building: those its residents got."""
    rows = await fetch_all(
        conn,
        "SELECT n.id, n.kind, n.send_at, n.buildings, n.urgent, n.text,"
        " COUNT(CASE WHEN o.state = 'sent' THEN 1 END),"
        " COUNT(CASE WHEN o.state = 'blocked' THEN 1 END),"
        " COUNT(CASE WHEN o.state = 'failed' THEN 1 END),"
        " COUNT(CASE WHEN o.state IN ('pending', 'sending') THEN 1 END)"
        " FROM notices n LEFT JOIN outbox o ON o.batch_id = n.batch_id"
        " WHERE n.send_at >= ? AND n.send_at < ? AND n.state = 'queued'"
        " GROUP BY n.id ORDER BY n.send_at, n.id",
        (start, end),
    )
    found: list[NoticeLine] = []
    for r in rows:
        audience = load_audience(r[3])
        if building_id is None or audience is None or building_id in audience:
            found.append(NoticeLine(r[0], r[1], r[2], audience, bool(r[4]), *r[5:]))
    return found
