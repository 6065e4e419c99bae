"""Tickets: rows, history, notes, followers, SLA pauses and reminder rows (the cards posted
for a ticket are outbox cards, ``storage.outbox``).

Repositories take the connection and never commit. State changes are conditional UPDATEs
(``WHERE state IN (...)``): of two staff accepting at once exactly one changes the row.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.rules.figures import Measures
from bot.rules.tickets import OPEN_STATES, Kind, State
from storage.db import fetch_all, fetch_one, fetch_value

#: Written exactly as in the partial indexes' WHERE (0003_tickets.sql), in the same order:
#: SQLite uses a partial index only for a term identical to the index's.
_OPEN_SQL = "('new', 'accepted', 'waiting_resident', 'on_site', 'reopened')"

_COLUMNS = (
    "id, kind, category, priority, state, unit_id, building_id, floor, place, description,"
    " voice_file_id, photos, anonymous, reporter_id, assignee_id, accepted_by, asked_by, reason,"
    " created_at, updated_at, accepted_at, on_site_at, resolved_at, closed_at, response_due_at,"
    " resolution_due_at, rating, rating_comment, rated_at, reopen_count"
)


@dataclass(frozen=True)
class Ticket:
    id: int
    kind: Kind
    category: str
    priority: str
    state: State
    unit_id: int | None
    building_id: int
    floor: int | None
    place: str
    description: str
    voice_file_id: str | None
    photos: list[str]
    anonymous: bool
    reporter_id: int | None
    assignee_id: int | None
    accepted_by: int | None
    asked_by: int | None
    reason: str
    created_at: int
    updated_at: int
    accepted_at: int | None
    on_site_at: int | None
    resolved_at: int | None
    closed_at: int | None
    response_due_at: int | None
    resolution_due_at: int | None
    rating: int | None
    rating_comment: str | None
    rated_at: int | None
    reopen_count: int

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class HistoryRow:
    at: int
    actor: int | None
    action: str
    detail: str


@dataclass(frozen=True)
class Note:
    id: int
    at: int
    author_id: int | None
    text: str
    voice_file_id: str | None
    photo_file_id: str | None


@dataclass(frozen=True)
class Reminder:
    id: int
    ticket_id: int
    stage: str
    due_at: int


def _ticket(row: Any) -> Ticket:
    values = list(row)
    values[1] = Kind(values[1])
    values[4] = State(values[4])
    values[11] = json.loads(values[11])
    values[12] = bool(values[12])
    return Ticket(*values)


# ---------------------------------------------------------------------------------------------
# Tickets
# ---------------------------------------------------------------------------------------------


async def create(
    conn: aiosqlite.Connection,
    *,
    kind: Kind,
    category: str,
    priority: str,
    building_id: int,
    unit_id: int | None,
    floor: int | None,
    place: str,
    description: str,
    voice_file_id: str | None,
    photos: list[str],
    anonymous: bool,
    reporter_id: int,
    now: int,
) -> int:
    cur = await conn.execute(
        "INSERT INTO tickets (kind, category, priority, state, unit_id, building_id, floor, place,"
        " description, voice_file_id, photos, anonymous, reporter_id, created_at, updated_at)"
        " VALUES (?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            category,
            priority,
            unit_id,
            building_id,
            floor,
            place,
            description,
            voice_file_id,
            json.dumps(photos),
            int(anonymous),
            reporter_id,
            now,
            now,
        ),
    )
    ticket_id = cur.lastrowid
    assert ticket_id is not None
    await add_history(conn, ticket_id, now, reporter_id, "created", kind.value)
    return ticket_id


async def get(conn: aiosqlite.Connection, ticket_id: int) -> Ticket | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
    return _ticket(row) if row else None


async def transition(
    conn: aiosqlite.Connection,
    ticket_id: int,
    sources: Iterable[State],
    target: State,
    now: int,
    **fields: Any,
) -> bool:
    """Move the ticket to ``target`` if it is still in one of ``sources``; set ``fields`` too.

    One conditional UPDATE: when two presses race, only the first changes the row."""
    allowed = [s.value for s in sources]
    sets = ["state = ?", "updated_at = ?"] + [f"{name} = ?" for name in fields]
    marks = ", ".join("?" * len(allowed))
    cur = await conn.execute(
        f"UPDATE tickets SET {', '.join(sets)} WHERE id = ? AND state IN ({marks})",
        (target.value, now, *fields.values(), ticket_id, *allowed),
    )
    return cur.rowcount == 1


async def record_measures(
    conn: aiosqlite.Connection, ticket_id: int, measures: Measures, now: int
) -> None:
    """The ticket's SLA measures for the figures (``bot.rules.figures.measure``)."""
    flag = lambda value: None if value is None else int(value)  # noqa: E731
    await conn.execute(
        "UPDATE tickets SET response_secs = ?, response_met = ?, arrival_secs = ?,"
        " resolution_secs = ?, resolution_met = ?, measured_at = ? WHERE id = ?",
        (
            measures.response,
            flag(measures.response_met),
            measures.arrival,
            measures.resolution,
            flag(measures.resolution_met),
            now,
            ticket_id,
        ),
    )


async def update_fields(conn: aiosqlite.Connection, ticket_id: int, **fields: Any) -> None:
    sets = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*fields.values(), ticket_id))


async def count_reported_since(conn: aiosqlite.Connection, reporter_id: int, since: int) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM tickets WHERE reporter_id = ? AND created_at >= ?",
        (reporter_id, since),
    )
    return int(row[0])


async def open_like(
    conn: aiosqlite.Connection,
    building_id: int,
    category: str,
    unit_id: int | None,
) -> list[Ticket]:
    """Open tickets of the same building and category (and unit, for a home): duplicate
    candidates; the caller compares the floor for public areas."""
    if unit_id is not None:
        return [
            _ticket(r)
            for r in await fetch_all(
                conn,
                f"SELECT {_COLUMNS} FROM tickets WHERE building_id = ? AND category = ?"
                f" AND unit_id = ? AND state IN {_OPEN_SQL} ORDER BY id",
                (building_id, category, unit_id),
            )
        ]
    return [
        _ticket(r)
        for r in await fetch_all(
            conn,
            f"SELECT {_COLUMNS} FROM tickets WHERE building_id = ? AND category = ?"
            f" AND unit_id IS NULL AND state IN {_OPEN_SQL} ORDER BY id",
            (building_id, category),
        )
    ]


async def of_resident(conn: aiosqlite.Connection, user_id: int, limit: int = 10) -> list[Ticket]:
    """Tickets the resident reported or follows: open ones first, then the most recent."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM tickets WHERE reporter_id = ?"
        " OR id IN (SELECT ticket_id FROM ticket_followers WHERE user_id = ?)"
        f" ORDER BY state IN {_OPEN_SQL} DESC, id DESC LIMIT ?",
        (user_id, user_id, limit),
    )
    return [_ticket(r) for r in rows]


async def queue(conn: aiosqlite.Connection, user_id: int, limit: int = 30) -> list[Ticket]:
    """Open tickets assigned to ``user_id`` or to nobody, soonest deadline first."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM tickets WHERE state IN {_OPEN_SQL}"
        " AND (assignee_id = ? OR assignee_id IS NULL)"
        " ORDER BY COALESCE(response_due_at, resolution_due_at, 9223372036854775807), id"
        " LIMIT ?",
        (user_id, limit),
    )
    return [_ticket(r) for r in rows]


async def open_in_buildings(
    conn: aiosqlite.Connection, building_ids: Collection[int], limit: int = 20
) -> tuple[list[Ticket], int]:
    """Open tickets of these buildings, soonest deadline first (tickets whose clock is stopped
    last), at most ``limit`` of them; and how many are open in all. Uses the partial index on
    open tickets (``tickets_open``), so the cost follows the open tickets of these buildings."""
    ids = sorted(set(building_ids))
    if not ids:
        return [], 0
    marks = ", ".join("?" * len(ids))
    where = f"state IN {_OPEN_SQL} AND building_id IN ({marks})"
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM tickets WHERE {where}"
        " ORDER BY COALESCE(response_due_at, resolution_due_at, 9223372036854775807), id"
        " LIMIT ?",
        (*ids, limit),
    )
    total = await fetch_value(conn, f"SELECT COUNT(*) FROM tickets WHERE {where}", ids)
    return [_ticket(r) for r in rows], int(total or 0)


# ---------------------------------------------------------------------------------------------
# History, notes, followers, cards
# ---------------------------------------------------------------------------------------------


async def add_history(
    conn: aiosqlite.Connection,
    ticket_id: int,
    at: int,
    actor: int | None,
    action: str,
    detail: str = "",
) -> None:
    await conn.execute(
        "INSERT INTO ticket_history (ticket_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
        (ticket_id, at, actor, action, detail),
    )


async def history(conn: aiosqlite.Connection, ticket_id: int) -> list[HistoryRow]:
    rows = await fetch_all(
        conn,
        "SELECT at, actor, action, detail FROM ticket_history WHERE ticket_id = ? ORDER BY id",
        (ticket_id,),
    )
    return [HistoryRow(*r) for r in rows]


async def add_note(
    conn: aiosqlite.Connection,
    ticket_id: int,
    at: int,
    author_id: int,
    text: str = "",
    voice_file_id: str | None = None,
    photo_file_id: str | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO ticket_notes (ticket_id, at, author_id, text, voice_file_id, photo_file_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ticket_id, at, author_id, text, voice_file_id, photo_file_id),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def notes(conn: aiosqlite.Connection, ticket_id: int) -> list[Note]:
    rows = await fetch_all(
        conn,
        "SELECT id, at, author_id, text, voice_file_id, photo_file_id FROM ticket_notes"
        " WHERE ticket_id = ? ORDER BY id",
        (ticket_id,),
    )
    return [Note(*r) for r in rows]


async def follow(conn: aiosqlite.Connection, ticket_id: int, user_id: int, now: int) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO ticket_followers (ticket_id, user_id, since) VALUES (?, ?, ?)",
        (ticket_id, user_id, now),
    )
    return cur.rowcount == 1


async def followers(conn: aiosqlite.Connection, ticket_id: int) -> list[int]:
    rows = await fetch_all(
        conn,
        "SELECT user_id FROM ticket_followers WHERE ticket_id = ? ORDER BY since, user_id",
        (ticket_id,),
    )
    return [r[0] for r in rows]


async def is_follower(conn: aiosqlite.Connection, ticket_id: int, user_id: int) -> bool:
    row = await fetch_one(
        conn,
        "SELECT 1 FROM ticket_followers WHERE ticket_id = ? AND user_id = ?",
        (ticket_id, user_id),
    )
    return row is not None


# ---------------------------------------------------------------------------------------------
# SLA pauses and reminder rows
# ---------------------------------------------------------------------------------------------


async def open_pause(conn: aiosqlite.Connection, ticket_id: int, now: int, reason: str) -> None:
    await conn.execute(
        "INSERT INTO ticket_pauses (ticket_id, start_at, reason) VALUES (?, ?, ?)",
        (ticket_id, now, reason),
    )


async def close_pauses(conn: aiosqlite.Connection, ticket_id: int, now: int) -> int:
    cur = await conn.execute(
        "UPDATE ticket_pauses SET end_at = MAX(?, start_at) WHERE ticket_id = ? AND end_at IS NULL",
        (now, ticket_id),
    )
    return cur.rowcount


async def pauses(conn: aiosqlite.Connection, ticket_id: int) -> list[tuple[int, int | None]]:
    rows = await fetch_all(
        conn,
        "SELECT start_at, end_at FROM ticket_pauses WHERE ticket_id = ? ORDER BY start_at",
        (ticket_id,),
    )
    return [(r[0], r[1]) for r in rows]


async def sync_reminders(
    conn: aiosqlite.Connection, ticket_id: int, stages: Iterable[str], wanted: dict[str, int]
) -> None:
    """Make the unsent rows among ``stages`` exactly ``wanted`` ({stage: due_at}).

    Rows already sent are never touched, so a stage is sent at most once per ticket."""
    for stage in stages:
        if stage in wanted:
            await conn.execute(
                "INSERT INTO sla_reminders (ticket_id, stage, due_at) VALUES (?, ?, ?)"
                " ON CONFLICT (ticket_id, stage) DO UPDATE SET due_at = excluded.due_at,"
                " claimed_at = NULL WHERE sla_reminders.sent_at IS NULL",
                (ticket_id, stage, wanted[stage]),
            )
        else:
            await conn.execute(
                "DELETE FROM sla_reminders WHERE ticket_id = ? AND stage = ? AND sent_at IS NULL",
                (ticket_id, stage),
            )


async def reminders(
    conn: aiosqlite.Connection, ticket_id: int
) -> dict[str, tuple[int, int | None]]:
    """{stage: (due_at, sent_at)} of a ticket."""
    rows = await fetch_all(
        conn,
        "SELECT stage, due_at, sent_at FROM sla_reminders WHERE ticket_id = ?",
        (ticket_id,),
    )
    return {r[0]: (r[1], r[2]) for r in rows}


async def claim_due(
    conn: aiosqlite.Connection, now: int, limit: int = 50, *, stale_after: int = 120
) -> list[Reminder]:
    """Claim up to ``limit`` due, unsent rows (soonest first) and return them.

    A claimed row not marked sent within ``stale_after`` seconds (the process died between
    sending and marking) is due again: duplicates are bounded by the rows in flight at a crash.
    Uses the partial index on unsent rows, so the cost follows the number of unsent rows due,
    not the size of the table."""
    rows = await fetch_all(
        conn,
        "UPDATE sla_reminders SET claimed_at = ? WHERE id IN ("
        " SELECT id FROM sla_reminders WHERE sent_at IS NULL AND due_at <= ?"
        " AND (claimed_at IS NULL OR claimed_at <= ?) ORDER BY due_at LIMIT ?)"
        " RETURNING id, ticket_id, stage, due_at",
        (now, now, now - stale_after, limit),
    )
    found = [Reminder(*r) for r in rows]
    found.sort(key=lambda r: (r.due_at, r.id))
    return found


async def mark_sent(conn: aiosqlite.Connection, reminder_id: int, now: int) -> None:
    await conn.execute(
        "UPDATE sla_reminders SET sent_at = ? WHERE id = ? AND sent_at IS NULL", (now, reminder_id)
    )


# ---------------------------------------------------------------------------------------------
# /me and /forgetme
# ---------------------------------------------------------------------------------------------
