"""Notices, group chat bindings and mutes. Repositories take the connection and never commit.

An audience is a list of building ids, or ``None`` for the whole community.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one

EVERYONE = "*"


@dataclass(frozen=True)
class Binding:
    chat_id: int
    kind: str  # building / community / staff
    building_id: int | None
    title: str


@dataclass(frozen=True)
class Recipient:
    user_id: int
    locale: str | None
    language_code: str | None


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    author_id: int | None
    text: str
    photo: str | None
    document: str | None
    buildings: list[int] | None
    include_groups: bool
    pin: bool
    urgent: bool
    send_at: int
    created_at: int
    batch_id: int | None
    state: str


def dump_audience(buildings: list[int] | None) -> str:
    return EVERYONE if buildings is None else json.dumps(sorted(set(buildings)))


def load_audience(raw: str) -> list[int] | None:
    return None if raw == EVERYONE else [int(b) for b in json.loads(raw)]


# ---------------------------------------------------------------------------- group bindings


async def bind_group(
    conn: aiosqlite.Connection,
    chat_id: int,
    kind: str,
    building_id: int | None,
    title: str,
    by: int,
    now: int,
) -> None:
    """Bind a group (replacing its earlier binding). The staff chat is also the community's
    ``staff_chat_id``, which tickets use."""
    old = await binding(conn, chat_id)
    await conn.execute(
        "INSERT INTO group_bindings (chat_id, kind, building_id, title, bound_by, bound_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind,"
        " building_id = excluded.building_id, title = excluded.title,"
        " bound_by = excluded.bound_by, bound_at = excluded.bound_at",
        (chat_id, kind, building_id if kind == "building" else None, title[:128], by, now),
    )
    if kind == "staff":
        await conn.execute("UPDATE community SET staff_chat_id = ?", (chat_id,))
    elif old is not None and old.kind == "staff":
        await conn.execute(
            "UPDATE community SET staff_chat_id = NULL WHERE staff_chat_id = ?", (chat_id,)
        )


async def unbind_group(conn: aiosqlite.Connection, chat_id: int) -> Binding | None:
    old = await binding(conn, chat_id)
    if old is None:
        return None
    await conn.execute("DELETE FROM group_bindings WHERE chat_id = ?", (chat_id,))
    if old.kind == "staff":
        await conn.execute(
            "UPDATE community SET staff_chat_id = NULL WHERE staff_chat_id = ?", (chat_id,)
        )
    return old


async def move_chat(
    conn: aiosqlite.Connection, old: int, new: int
) -> tuple[Binding, int | None] | None:
    """A group became a supergroup (a new chat id): its binding, the community's staff chat
    and a category's team chat follow it. Returns the binding moved and who bound it (None:
    the old chat was not bound, or was moved already)."""
    await conn.execute("UPDATE community SET staff_chat_id = ? WHERE staff_chat_id = ?", (new, old))
    await conn.execute("UPDATE categories SET team_chat_id = ? WHERE team_chat_id = ?", (new, old))
    row = await fetch_one(
        conn,
        "SELECT chat_id, kind, building_id, title, bound_by FROM group_bindings WHERE chat_id = ?",
        (old,),
    )
    if row is None:
        return None
    if await binding(conn, new) is None:
        await conn.execute("UPDATE group_bindings SET chat_id = ? WHERE chat_id = ?", (new, old))
    else:  # bound again in the new chat already: that binding stands
        await conn.execute("DELETE FROM group_bindings WHERE chat_id = ?", (old,))
    return Binding(new, row[1], row[2], row[3]), row[4]


async def binding(conn: aiosqlite.Connection, chat_id: int) -> Binding | None:
    row = await fetch_one(
        conn,
        "SELECT chat_id, kind, building_id, title FROM group_bindings WHERE chat_id = ?",
        (chat_id,),
    )
    return Binding(*row) if row else None


async def groups_for(conn: aiosqlite.Connection, buildings: list[int] | None) -> list[int]:
    """The bound group chats an audience reaches: its buildings' groups; for everyone, every
    building's group and the community's."""
    if buildings is None:
        rows = await fetch_all(
            conn,
            "SELECT chat_id FROM group_bindings WHERE kind IN ('building', 'community')"
            " ORDER BY chat_id",
        )
    else:
        marks = ",".join("?" * len(buildings)) or "NULL"
        rows = await fetch_all(
            conn,
            f"SELECT chat_id FROM group_bindings WHERE kind = 'building'"
            f" AND building_id IN ({marks}) ORDER BY chat_id",
            tuple(buildings),
        )
    return [r[0] for r in rows]


# ---------------------------------------------------------------------------- residents


async def recipients(
    conn: aiosqlite.Connection, buildings: list[int] | None, *, urgent: bool
) -> list[Recipient]:
    """Verified residents of the audience's units, once each; those who muted notices are left
    out unless the notice is urgent."""
    where = ["r.status = 'verified'", "u.active = 1"]
    params: list[Any] = []
    if buildings is not None:
        where.append(f"u.building_id IN ({','.join('?' * len(buildings)) or 'NULL'})")
        params += buildings
    if not urgent:
        where.append("r.user_id NOT IN (SELECT user_id FROM notice_mutes)")
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT r.user_id, p.locale, p.language_code FROM residences r"
        " JOIN units u ON u.id = r.unit_id JOIN people p ON p.user_id = r.user_id"
        f" WHERE {' AND '.join(where)} ORDER BY r.user_id",
        tuple(params),
    )
    return [Recipient(*r) for r in rows]


async def mute(conn: aiosqlite.Connection, user_id: int, now: int) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO notice_mutes (user_id, muted_at) VALUES (?, ?)", (user_id, now)
    )
    return cur.rowcount == 1


async def unmute(conn: aiosqlite.Connection, user_id: int) -> bool:
    cur = await conn.execute("DELETE FROM notice_mutes WHERE user_id = ?", (user_id,))
    return cur.rowcount == 1


# ---------------------------------------------------------------------------- notices


_NOTICE = (
    "SELECT id, kind, author_id, text, photo, document, buildings, include_groups, pin, urgent,"
    " send_at, created_at, batch_id, state FROM notices"
)


def _notice(row: Any) -> Notice:
    values = list(row)
    values[6] = load_audience(values[6])
    for i in (7, 8, 9):
        values[i] = bool(values[i])
    return Notice(*values)


async def create_notice(
    conn: aiosqlite.Connection,
    *,
    author_id: int,
    text: str,
    photo: str | None,
    document: str | None,
    buildings: list[int] | None,
    include_groups: bool,
    pin: bool,
    urgent: bool,
    send_at: int,
    now: int,
    kind: str = "notice",
) -> int:
    cur = await conn.execute(
        "INSERT INTO notices (kind, author_id, text, photo, document, buildings, include_groups,"
        " pin, urgent, send_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            author_id,
            text,
            photo,
            document,
            dump_audience(buildings),
            int(include_groups),
            int(pin),
            int(urgent),
            send_at,
            now,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def set_batch(conn: aiosqlite.Connection, notice_id: int, batch_id: int) -> None:
    await conn.execute("UPDATE notices SET batch_id = ? WHERE id = ?", (batch_id, notice_id))


async def notice(conn: aiosqlite.Connection, notice_id: int) -> Notice | None:
    row = await fetch_one(conn, _NOTICE + " WHERE id = ?", (notice_id,))
    return _notice(row) if row else None


async def recent(
    conn: aiosqlite.Connection, author_id: int | None, limit: int = 10
) -> list[Notice]:
    """The latest notices, of one author (``None``: everybody's)."""
    if author_id is None:
        rows = await fetch_all(conn, _NOTICE + " ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = await fetch_all(
            conn, _NOTICE + " WHERE author_id = ? ORDER BY id DESC LIMIT ?", (author_id, limit)
        )
    return [_notice(r) for r in rows]


async def sent_to(
    conn: aiosqlite.Connection, buildings: set[int], now: int, limit: int = 5
) -> list[Notice]:
    """The latest notices (and minutes) already gone out to the whole community or to one of
    ``buildings``, newest first: what a resident got, to read again."""
    rows = await fetch_all(
        conn,
        _NOTICE + " WHERE state = 'queued' AND send_at <= ? ORDER BY send_at DESC, id DESC"
        " LIMIT 200",
        (now,),
    )
    found = []
    for row in rows:
        item = _notice(row)
        if item.buildings is None or buildings.intersection(item.buildings):
            found.append(item)
            if len(found) == limit:
                break
    return found


async def mark_cancelled(conn: aiosqlite.Connection, notice_id: int) -> bool:
    cur = await conn.execute(
        "UPDATE notices SET state = 'cancelled' WHERE id = ? AND state = 'queued'", (notice_id,)
    )
    return cur.rowcount == 1


# ---------------------------------------------------------------------------- /me, /forgetme


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    sent = await fetch_one(conn, "SELECT COUNT(*) FROM notices WHERE author_id = ?", (user_id,))
    muted = await fetch_one(conn, "SELECT COUNT(*) FROM notice_mutes WHERE user_id = ?", (user_id,))
    found: dict[str, int] = {}
    if sent and sent[0]:
        found["notices_sent"] = int(sent[0])
    if muted and muted[0]:
        found["notices_muted"] = int(muted[0])
    return found


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Notices stay for the community's records, without their author; a mute goes; a bound
    group forgets who bound it."""
    await conn.execute("DELETE FROM notice_mutes WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE notices SET author_id = NULL WHERE author_id = ?", (user_id,))
    await conn.execute("UPDATE group_bindings SET bound_by = NULL WHERE bound_by = ?", (user_id,))
