"""Meetings, their occurrences, RSVPs and due-time rows. Repositories never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.notices import dump_audience, load_audience


@dataclass(frozen=True)
class Meeting:
    id: int
    organiser_id: int | None
    title: str
    place: str
    agenda: str
    buildings: list[int] | None
    include_groups: bool
    rule: str | None
    created_at: int
    state: str
    ended_at: int | None
    place_names: dict[str, str] | None = None  # a room's names, {locale: name}


@dataclass(frozen=True)
class Occurrence:
    id: int
    meeting_id: int
    starts_at: int
    minutes_notice_id: int | None
    cancelled_at: int | None


@dataclass(frozen=True)
class Due:
    id: int
    occurrence_id: int
    kind: str
    due_at: int


_MEETING = (
    "SELECT id, organiser_id, title, place, agenda, buildings, include_groups, rule, created_at,"
    " state, ended_at, place_names FROM meetings"
)


def _meeting(row: Any) -> Meeting:
    values = list(row)
    values[5] = load_audience(values[5])
    values[6] = bool(values[6])
    values[11] = json.loads(values[11]) if values[11] else None
    return Meeting(*values)


async def create_meeting(
    conn: aiosqlite.Connection,
    *,
    organiser_id: int,
    title: str,
    place: str,
    agenda: str,
    buildings: list[int] | None,
    include_groups: bool,
    rule: str | None,
    now: int,
    place_names: dict[str, str] | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO meetings (organiser_id, title, place, agenda, buildings, include_groups,"
        " rule, created_at, place_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            organiser_id,
            title,
            place,
            agenda,
            dump_audience(buildings),
            int(include_groups),
            rule,
            now,
            json.dumps(place_names, ensure_ascii=False) if place_names else None,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def meeting(conn: aiosqlite.Connection, meeting_id: int) -> Meeting | None:
    row = await fetch_one(conn, _MEETING + " WHERE id = ?", (meeting_id,))
    return _meeting(row) if row else None


async def add_occurrence(
    conn: aiosqlite.Connection, meeting_id: int, starts_at: int, due: dict[str, int]
) -> int | None:
    """A new occurrence with its due rows; ``None`` if it exists already (made once only)."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO meeting_occurrences (meeting_id, starts_at) VALUES (?, ?)",
        (meeting_id, starts_at),
    )
    if cur.rowcount != 1:
        return None
    occurrence_id = cur.lastrowid
    assert occurrence_id is not None
    for kind, at in due.items():
        await conn.execute(
            "INSERT INTO meeting_due (occurrence_id, kind, due_at) VALUES (?, ?, ?)",
            (occurrence_id, kind, at),
        )
    return occurrence_id


async def occurrence(conn: aiosqlite.Connection, occurrence_id: int) -> Occurrence | None:
    row = await fetch_one(
        conn,
        "SELECT id, meeting_id, starts_at, minutes_notice_id, cancelled_at"
        " FROM meeting_occurrences WHERE id = ?",
        (occurrence_id,),
    )
    return Occurrence(*row) if row else None


async def occurrences(
    conn: aiosqlite.Connection, organiser_id: int | None, limit: int = 10
) -> list[tuple[Meeting, Occurrence]]:
    """The latest occurrences of active meetings (of one organiser, or everybody's)."""
    where = "m.state = 'active'" + (" AND m.organiser_id = ?" if organiser_id is not None else "")
    params: tuple[Any, ...] = (organiser_id,) if organiser_id is not None else ()
    rows = await fetch_all(
        conn,
        "SELECT o.id FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id"
        f" WHERE {where} ORDER BY o.starts_at DESC LIMIT ?",
        (*params, limit),
    )
    found = []
    for (occurrence_id,) in rows:
        occ = await occurrence(conn, occurrence_id)
        assert occ is not None
        meet = await meeting(conn, occ.meeting_id)
        assert meet is not None
        found.append((meet, occ))
    return found


async def upcoming(
    conn: aiosqlite.Connection, now: int, limit: int = 20
) -> list[tuple[Meeting, Occurrence]]:
    """Occurrences of active meetings still ahead and not cancelled, soonest first."""
    rows = await fetch_all(
        conn,
        "SELECT o.id FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id"
        " WHERE m.state = 'active' AND o.cancelled_at IS NULL AND o.starts_at > ?"
        " ORDER BY o.starts_at LIMIT ?",
        (now, limit),
    )
    found = []
    for (occurrence_id,) in rows:
        occ = await occurrence(conn, occurrence_id)
        meet = await meeting(conn, occ.meeting_id) if occ else None
        if occ is not None and meet is not None:
            found.append((meet, occ))
    return found


async def rsvp_of(conn: aiosqlite.Connection, occurrence_id: int, user_id: int) -> bool | None:
    """One person's answer: True attending, False not, None no answer yet."""
    row = await fetch_one(
        conn,
        "SELECT attend FROM meeting_rsvps WHERE occurrence_id = ? AND user_id = ?",
        (occurrence_id, user_id),
    )
    return bool(row[0]) if row else None


async def claim_due(conn: aiosqlite.Connection, now: int, limit: int = 50) -> list[Due]:
    """Due rows, marked done in this transaction: whatever the caller enqueues with them is
    committed together, so each notice is made exactly once, even across restarts."""
    rows = await fetch_all(
        conn,
        "SELECT id, occurrence_id, kind, due_at FROM meeting_due"
        " WHERE done_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        (now, limit),
    )
    for row in rows:
        await conn.execute("UPDATE meeting_due SET done_at = ? WHERE id = ?", (now, row[0]))
    return [Due(*r) for r in rows]


async def cancel_occurrence(
    conn: aiosqlite.Connection, occurrence_id: int, now: int, *, keep_next: bool
) -> bool:
    """Cancel an upcoming occurrence and skip its unsent due rows (its "next" row too unless
    ``keep_next``: a recurring meeting goes on after one cancelled occurrence). ``False`` if
    it was cancelled already or has begun (nothing changed)."""
    cur = await conn.execute(
        "UPDATE meeting_occurrences SET cancelled_at = ?"
        " WHERE id = ? AND cancelled_at IS NULL AND starts_at > ?",
        (now, occurrence_id, now),
    )
    if cur.rowcount != 1:
        return False
    kinds = " AND kind != 'next'" if keep_next else ""
    await conn.execute(
        "UPDATE meeting_due SET done_at = ?, skipped = 1"
        f" WHERE occurrence_id = ? AND done_at IS NULL{kinds}",
        (now, occurrence_id),
    )
    return True


async def move_occurrence(
    conn: aiosqlite.Connection, occurrence_id: int, starts_at: int, due: dict[str, int], now: int
) -> bool:
    """Move an upcoming occurrence to ``starts_at``; its due rows follow (``due``: the new due
    times, ``bot.rules.meetings.due_times``): a reminder still ahead is due again at its new
    time (even if it went out for the old one), one no longer ahead is skipped, an announcement
    not made yet keeps its new time. ``False`` if it cannot be moved (cancelled, begun, or
    another occurrence of the meeting is at that time)."""
    cur = await conn.execute(
        "UPDATE OR IGNORE meeting_occurrences SET starts_at = ?"
        " WHERE id = ? AND cancelled_at IS NULL AND starts_at > ?",
        (starts_at, occurrence_id, now),
    )
    if cur.rowcount != 1:
        return False
    for kind in ("remind_day", "remind_hour"):
        if kind in due:
            await conn.execute(
                "INSERT INTO meeting_due (occurrence_id, kind, due_at) VALUES (?, ?, ?)"
                " ON CONFLICT (occurrence_id, kind) DO UPDATE SET due_at = excluded.due_at,"
                " done_at = NULL, skipped = 0",
                (occurrence_id, kind, due[kind]),
            )
        else:
            await conn.execute(
                "UPDATE meeting_due SET done_at = ?, skipped = 1"
                " WHERE occurrence_id = ? AND kind = ? AND done_at IS NULL",
                (now, occurrence_id, kind),
            )
    for kind in ("announce", "next"):
        if kind in due:
            await conn.execute(
                "UPDATE meeting_due SET due_at = ? WHERE occurrence_id = ? AND kind = ?"
                " AND done_at IS NULL",
                (due[kind], occurrence_id, kind),
            )
    return True


async def set_place(
    conn: aiosqlite.Connection,
    meeting_id: int,
    place: str,
    place_names: dict[str, str] | None = None,
) -> None:
    await conn.execute(
        "UPDATE meetings SET place = ?, place_names = ? WHERE id = ?",
        (place, json.dumps(place_names, ensure_ascii=False) if place_names else None, meeting_id),
    )


async def end_series(conn: aiosqlite.Connection, meeting_id: int, now: int) -> list[int] | None:
    """End a recurring meeting: no occurrence is made any more, the upcoming ones are cancelled
    (their ids returned). ``None`` if it is not a running series (nothing changed)."""
    cur = await conn.execute(
        "UPDATE meetings SET ended_at = ?"
        " WHERE id = ? AND ended_at IS NULL AND rule IS NOT NULL AND state = 'active'",
        (now, meeting_id),
    )
    if cur.rowcount != 1:
        return None
    rows = await fetch_all(
        conn,
        "SELECT id FROM meeting_occurrences WHERE meeting_id = ? AND cancelled_at IS NULL"
        " AND starts_at > ? ORDER BY starts_at",
        (meeting_id, now),
    )
    cancelled = [r[0] for r in rows if await cancel_occurrence(conn, r[0], now, keep_next=False)]
    await conn.execute(
        "UPDATE meeting_due SET done_at = ?, skipped = 1 WHERE done_at IS NULL AND kind = 'next'"
        " AND occurrence_id IN (SELECT id FROM meeting_occurrences WHERE meeting_id = ?)",
        (now, meeting_id),
    )
    return cancelled


async def announced_to(conn: aiosqlite.Connection, occurrence_id: int) -> list[int]:
    """The chats (people and groups) the announcement of an occurrence went to, or is being
    sent to right now."""
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT o.chat_id FROM outbox o JOIN outbox_batches b ON b.id = o.batch_id"
        " WHERE b.kind = 'meeting' AND b.ref = ? AND o.state IN ('sent', 'sending')"
        " ORDER BY o.chat_id",
        (f"{occurrence_id}:announce",),
    )
    return [r[0] for r in rows]


async def announcement_batches(conn: aiosqlite.Connection, occurrence_id: int) -> list[int]:
    rows = await fetch_all(
        conn,
        "SELECT id FROM outbox_batches WHERE kind = 'meeting' AND ref = ?",
        (f"{occurrence_id}:announce",),
    )
    return [r[0] for r in rows]


async def declined(conn: aiosqlite.Connection, occurrence_id: int) -> set[int]:
    rows = await fetch_all(
        conn,
        "SELECT user_id FROM meeting_rsvps WHERE occurrence_id = ? AND attend = 0",
        (occurrence_id,),
    )
    return {r[0] for r in rows}


async def set_rsvp(
    conn: aiosqlite.Connection, occurrence_id: int, user_id: int, attend: bool, now: int
) -> None:
    await conn.execute(
        "INSERT INTO meeting_rsvps (occurrence_id, user_id, attend, answered_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (occurrence_id, user_id) DO UPDATE SET"
        " attend = excluded.attend, answered_at = excluded.answered_at",
        (occurrence_id, user_id, int(attend), now),
    )


async def rsvp_counts(conn: aiosqlite.Connection, occurrence_id: int) -> tuple[int, int]:
    row = await fetch_one(
        conn,
        "SELECT COALESCE(SUM(attend), 0), COALESCE(SUM(1 - attend), 0) FROM meeting_rsvps"
        " WHERE occurrence_id = ?",
        (occurrence_id,),
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def attendees(conn: aiosqlite.Connection, occurrence_id: int) -> list[int]:
    rows = await fetch_all(
        conn,
        "SELECT user_id FROM meeting_rsvps WHERE occurrence_id = ? AND attend = 1 ORDER BY user_id",
        (occurrence_id,),
    )
    return [r[0] for r in rows]


async def set_minutes(conn: aiosqlite.Connection, occurrence_id: int, notice_id: int) -> None:
    await conn.execute(
        "UPDATE meeting_occurrences SET minutes_notice_id = ? WHERE id = ?",
        (notice_id, occurrence_id),
    )


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    made = await fetch_one(conn, "SELECT COUNT(*) FROM meetings WHERE organiser_id = ?", (user_id,))
    said = await fetch_one(conn, "SELECT COUNT(*) FROM meeting_rsvps WHERE user_id = ?", (user_id,))
    found: dict[str, int] = {}
    if made and made[0]:
        found["meetings_organised"] = int(made[0])
    if said and said[0]:
        found["meeting_answers"] = int(said[0])
    return found


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Meetings stay, without their organiser; a person's answers go."""
    await conn.execute("DELETE FROM meeting_rsvps WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE meetings SET organiser_id = NULL WHERE organiser_id = ?", (user_id,))
