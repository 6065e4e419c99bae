"""Files the outbox uploads (a chart of the monthly report): stored once, uploaded on the first
send (``Payload.photo_file``), then sent again by the file id Telegram gave it."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all


async def add_file(conn: aiosqlite.Connection, name: str, content: bytes, *, now: int) -> int:
    """A file for payloads to send (``Payload.photo_file``): uploaded on its first send, then
    sent again by the file id Telegram gave it (``remember_file_id``)."""
    cur = await conn.execute(
        "INSERT INTO outbox_files (name, content, created_at) VALUES (?, ?, ?)",
        (name, content, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


@dataclass(frozen=True)
class OutboxFile:
    id: int
    name: str
    content: bytes
    file_id: str | None


async def get_file(conn: aiosqlite.Connection, file_row: int) -> OutboxFile | None:
    rows = await fetch_all(
        conn, "SELECT id, name, content, file_id FROM outbox_files WHERE id = ?", (file_row,)
    )
    return OutboxFile(*rows[0]) if rows else None


async def remember_file_id(conn: aiosqlite.Connection, file_row: int, file_id: str) -> None:
    await conn.execute(
        "UPDATE outbox_files SET file_id = ? WHERE id = ? AND file_id IS NULL", (file_id, file_row)
    )
