"""The durable outbox: broadcasts are rows, one per recipient, committed with the action that
made them; ``bot.delivery`` drains them at Telegram's pace.

Each recipient's message is rendered (in their language) when enqueued, so the sender needs
nothing but the row. ``(batch_id, chat_id)`` is unique: a batch reaches a chat at most once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from storage import people


@dataclass(frozen=True)
class Payload:
    """What one recipient gets: a text, or a photo/document by file_id with a caption."""

    text: str = ""
    photo: str | None = None
    document: str | None = None
    #: inline keyboard rows as Bot API JSON: [[{"text": "…", "callback_data": "…"}], …]
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    pin: bool = False

    def to_json(self) -> str:
        data: dict[str, Any] = {"text": self.text}
        if self.photo:
            data["photo"] = self.photo
        if self.document:
            data["document"] = self.document
        if self.buttons:
            data["buttons"] = self.buttons
        if self.pin:
            data["pin"] = True
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Payload:
        data = json.loads(raw)
        return cls(
            text=data.get("text", ""),
            photo=data.get("photo"),
            document=data.get("document"),
            buttons=data.get("buttons", []),
            pin=bool(data.get("pin", False)),
        )


@dataclass(frozen=True)
class OutboxRow:
    id: int
    batch_id: int
    chat_id: int
    payload: Payload
    state: str
    attempts: int


@dataclass(frozen=True)
class BatchCounts:
    pending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.blocked + self.failed + self.cancelled


async def create_batch(
    conn: aiosqlite.Connection,
    kind: str,
    ref: str,
    *,
    created_by: int | None,
    now: int,
    not_before: int | None = None,
    report_chat_id: int | None = None,
    title: str = "",
) -> int:
    """A new batch; ``report_chat_id`` gets a delivery report (delivered / blocked / failed)
    when nothing is left to send, naming the batch by ``title``."""
    cur = await conn.execute(
        "INSERT INTO outbox_batches (kind, ref, created_by, created_at, not_before,"
        " report_chat_id, title) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            ref,
            created_by,
            now,
            now if not_before is None else not_before,
            report_chat_id,
            title[:200],
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def enqueue(
    conn: aiosqlite.Connection,
    batch_id: int,
    messages: Sequence[tuple[int, Payload]],
    *,
    not_before: int,
) -> int:
    """Add one row per (chat_id, payload); a chat already in the batch is skipped. Returns the
    number of rows added. People known to have blocked the bot get a row that is 'blocked'
    at once (it counts in the delivery report) and is never sent."""
    blocked = await people.blocked_among(conn, (chat_id for chat_id, _ in messages))
    added = 0
    for chat_id, payload in messages:
        state, error = (
            ("blocked", "blocked the bot earlier") if chat_id in blocked else ("pending", None)
        )
        cur = await conn.execute(
            "INSERT OR IGNORE INTO outbox (batch_id, chat_id, payload, next_attempt_at, state,"
            " error) VALUES (?, ?, ?, ?, ?, ?)",
            (batch_id, chat_id, payload.to_json(), not_before, state, error),
        )
        added += cur.rowcount
    return added


async def cancel_batch(conn: aiosqlite.Connection, batch_id: int) -> int:
    """Cancel what has not been sent yet; returns the rows cancelled."""
    cur = await conn.execute(
        "UPDATE outbox SET state = 'cancelled' WHERE batch_id = ? AND state = 'pending'",
        (batch_id,),
    )
    await conn.execute(
        "UPDATE outbox_batches SET state = 'cancelled' WHERE id = ? AND state = 'queued'",
        (batch_id,),
    )
    return cur.rowcount


async def counts(conn: aiosqlite.Connection, batch_id: int) -> BatchCounts:
    async with conn.execute(
        "SELECT state, COUNT(*) FROM outbox WHERE batch_id = ? GROUP BY state", (batch_id,)
    ) as cur:
        found = {row[0]: row[1] for row in await cur.fetchall()}
    return BatchCounts(
        pending=found.get("pending", 0) + found.get("sending", 0),
        sent=found.get("sent", 0),
        blocked=found.get("blocked", 0),
        failed=found.get("failed", 0),
        cancelled=found.get("cancelled", 0),
    )


async def claim_due(
    conn: aiosqlite.Connection, now: int, limit: int, *, stale_after: int = 60
) -> list[OutboxRow]:
    """Mark up to ``limit`` due rows as 'sending' and return them. A row left 'sending' for
    ``stale_after`` seconds (the process died between sending and marking) is due again: it may
    have been delivered, so duplicates are bounded by the rows in flight at the crash.
    Rows of a cancelled batch are never claimed."""
    async with conn.execute(
        "SELECT o.id, o.batch_id, o.chat_id, o.payload, o.state, o.attempts FROM outbox o"
        " JOIN outbox_batches b ON b.id = o.batch_id AND b.state != 'cancelled'"
        " WHERE ((o.state = 'pending' AND o.next_attempt_at <= ?)"
        "     OR (o.state = 'sending' AND o.claimed_at <= ?))"
        " ORDER BY o.next_attempt_at, o.id LIMIT ?",
        (now, now - stale_after, limit),
    ) as cur:
        rows = await cur.fetchall()
    claimed = [OutboxRow(r[0], r[1], r[2], Payload.from_json(r[3]), r[4], r[5]) for r in rows]
    for row in claimed:
        await conn.execute(
            "UPDATE outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1"
            " WHERE id = ?",
            (now, row.id),
        )
    return claimed


async def mark_sent(conn: aiosqlite.Connection, row_id: int, message_id: int, now: int) -> None:
    await conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
        (now, message_id, row_id),
    )


async def mark_blocked(conn: aiosqlite.Connection, row_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET state = 'blocked', error = ? WHERE id = ?", (error[:500], row_id)
    )


async def mark_failed(conn: aiosqlite.Connection, row_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET state = 'failed', error = ? WHERE id = ?", (error[:500], row_id)
    )


async def retry_later(conn: aiosqlite.Connection, row_id: int, at: int, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?, error = ? WHERE id = ?",
        (at, error[:500], row_id),
    )


async def finished_batches(conn: aiosqlite.Connection) -> list[int]:
    """Queued batches with nothing left to send."""
    async with conn.execute(
        "SELECT b.id FROM outbox_batches b WHERE b.state = 'queued' AND NOT EXISTS"
        " (SELECT 1 FROM outbox o WHERE o.batch_id = b.id AND o.state IN ('pending', 'sending'))"
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def mark_batch_done(conn: aiosqlite.Connection, batch_id: int, now: int) -> None:
    await conn.execute(
        "UPDATE outbox_batches SET state = 'done', reported_at = ? WHERE id = ?",
        (now, batch_id),
    )


async def release_in_flight(conn: aiosqlite.Connection) -> int:
    """At a sender's start: rows still 'sending' belong to a sender that died (one sender per
    database). They go back to 'pending' and are sent again; those whose send had reached
    Telegram before the crash are the only possible duplicates (at most the in-flight sends)."""
    cur = await conn.execute(
        "UPDATE outbox SET state = 'pending', claimed_at = NULL WHERE state = 'sending'"
    )
    return cur.rowcount


async def defer(conn: aiosqlite.Connection, row_id: int, at: int) -> None:
    """Put a claimed row back unsent (pacing, a pause): the claim's attempt is not counted."""
    await conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?, claimed_at = NULL,"
        " attempts = MAX(attempts - 1, 0) WHERE id = ? AND state = 'sending'",
        (at, row_id),
    )


@dataclass(frozen=True)
class Batch:
    id: int
    kind: str
    ref: str
    created_by: int | None
    not_before: int
    state: str
    report_chat_id: int | None
    title: str


async def get_batch(conn: aiosqlite.Connection, batch_id: int) -> Batch | None:
    async with conn.execute(
        "SELECT id, kind, ref, created_by, not_before, state, report_chat_id, title"
        " FROM outbox_batches WHERE id = ?",
        (batch_id,),
    ) as cur:
        row = await cur.fetchone()
    return Batch(*row) if row else None


async def claim_finished(conn: aiosqlite.Connection, now: int) -> list[Batch]:
    """Queued batches with nothing left to send, marked done in this transaction (so each one's
    report is sent at most once)."""
    found: list[Batch] = []
    for batch_id in await finished_batches(conn):
        await mark_batch_done(conn, batch_id, now)
        batch = await get_batch(conn, batch_id)
        if batch is not None:
            found.append(batch)
    return found
