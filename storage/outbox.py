"""The durable outbox: everything the bot says to someone other than the person it is
answering is a row here, committed with the change that caused it; ``bot.delivery`` sends the
rows at Telegram's pace.

- A broadcast (a notice, a vote's announcement, a result) is a batch with one row per
  recipient; ``(batch_id, chat_id)`` is unique, so a batch reaches a chat at most once.
- A push (a ticket's card for the staff chat, news for a resident, an escalation, a join
  request) is ``push()``: one row in a batch of its own, sent before broadcasts.
- A card is a message edited in place later: a row that posts it names the card
  (``"ticket:42"``) and the sender records where it landed (``outbox_cards``);
  ``edit_card()`` queues the edit of every copy, superseding edits not yet sent, or rewrites a
  copy whose post has not gone out yet.

Each message is rendered (in its reader's language) when queued, so the sender needs nothing
but the row. A message for a group chat (a negative chat id) has its personal numbers masked
and its unit codes and room numbers masked on the way in (``for_chat``:
``bot.rules.privacy.mask_personal`` on the text and the button labels), whichever feature wrote
it: private copies keep the text as written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import aiosqlite

from bot.rules.privacy import mask_personal, unit_candidates
from storage import community, people
from storage.db import fetch_all


@dataclass(frozen=True)
class Payload:
    """What one recipient gets: a text, or a photo/document/voice note by file_id with a
    caption. ``audience`` is recorded with a card ("group", "staff", "manager"): who may see
    what on it, for the edits that follow."""

    text: str = ""
    photo: str | None = None
    document: str | None = None
    voice: str | None = None
    #: a photo to upload from ``outbox_files`` (``add_file``), e.g. a chart of the figures
    photo_file: int | None = None
    #: inline keyboard rows as Bot API JSON: [[{"text": "…", "callback_data": "…"}], …]
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    pin: bool = False
    audience: str = ""

    def to_json(self) -> str:
        data: dict[str, Any] = {"text": self.text}
        for key in ("photo", "document", "voice", "audience", "photo_file"):
            if getattr(self, key):
                data[key] = getattr(self, key)
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
            voice=data.get("voice"),
            photo_file=data.get("photo_file"),
            buttons=data.get("buttons", []),
            pin=bool(data.get("pin", False)),
            audience=data.get("audience", ""),
        )


async def for_chat(conn: aiosqlite.Connection, chat_id: int, payload: Payload) -> Payload:
    """What ``chat_id`` may be shown: in a group chat (negative id) nobody's phone, ID or room
    number and no unit's code, masked in the text and the button labels (never in a button's
    data or link)."""
    if chat_id >= 0:
        return payload
    labels = [b["text"] for row in payload.buttons for b in row if "text" in b]
    words = unit_candidates("\n".join([payload.text, *labels]))
    codes = await community.unit_codes_among(conn, words)
    buttons = [
        [{**b, "text": mask_personal(b["text"], codes)} if "text" in b else b for b in row]
        for row in payload.buttons
    ]
    return replace(payload, text=mask_personal(payload.text, codes), buttons=buttons)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    batch_id: int
    chat_id: int
    payload: Payload
    state: str
    attempts: int
    action: str = "send"  # or "edit": the card's message in this chat
    card: str | None = None


#: Pushes someone is waiting for (a card, a reply to their request) go before broadcasts.
PUSH_PRIORITY = 1


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
            (
                batch_id,
                chat_id,
                (await for_chat(conn, chat_id, payload)).to_json(),
                not_before,
                state,
                error,
            ),
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
        "SELECT o.id, o.batch_id, o.chat_id, o.payload, o.state, o.attempts, o.action, o.card"
        " FROM outbox o"
        " JOIN outbox_batches b ON b.id = o.batch_id AND b.state != 'cancelled'"
        " WHERE o.state IN ('pending', 'sending')"
        "   AND ((o.state = 'pending' AND o.next_attempt_at <= ?)"
        "     OR (o.state = 'sending' AND o.claimed_at <= ?))"
        " ORDER BY o.priority DESC, o.next_attempt_at, o.id LIMIT ?",
        (now, now - stale_after, limit),
    ) as cur:
        rows = await cur.fetchall()
    claimed = [
        OutboxRow(r[0], r[1], r[2], Payload.from_json(r[3]), r[4], r[5], r[6], r[7]) for r in rows
    ]
    for row in claimed:
        await conn.execute(
            "UPDATE outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1"
            " WHERE id = ?",
            (now, row.id),
        )
    return claimed


async def mark_sent(conn: aiosqlite.Connection, row_id: int, message_id: int, now: int) -> bool:
    """Mark a row sent; False if the row is gone (its recipient was forgotten meanwhile)."""
    cur = await conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
        (now, message_id, row_id),
    )
    return cur.rowcount > 0


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
        "SELECT b.id FROM outbox_batches b INDEXED BY outbox_batches_queued"
        " WHERE b.state = 'queued' AND NOT EXISTS"
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


# ---------------------------------------------------------------------------- pushes and cards


async def push(
    conn: aiosqlite.Connection,
    chat_id: int,
    payload: Payload,
    *,
    now: int,
    kind: str,
    ref: str = "",
    card: str | None = None,
) -> int:
    """One message to one chat, durable: a batch of its own holding one row, sent before
    broadcasts. ``card`` names the card this message posts (its landing place is recorded, so
    ``edit_card`` can edit it). Returns the row id (a person who blocked the bot gets a
    'blocked' row, never sent)."""
    batch = await create_batch(conn, kind, ref, created_by=None, now=now)
    blocked = await people.blocked_among(conn, [chat_id])
    state, error = ("blocked", "blocked the bot earlier") if blocked else ("pending", None)
    cur = await conn.execute(
        "INSERT INTO outbox (batch_id, chat_id, payload, next_attempt_at, state, error, action,"
        " card, priority) VALUES (?, ?, ?, ?, ?, ?, 'send', ?, ?)",
        (
            batch,
            chat_id,
            (await for_chat(conn, chat_id, payload)).to_json(),
            now,
            state,
            error,
            card,
            PUSH_PRIORITY,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def readdress(conn: aiosqlite.Connection, old: int, new: int, now: int) -> int:
    """A group became a supergroup: what was still to be posted in it (and posts that failed
    because of the move) goes to the new chat. Edits stay: the group's messages stay in the
    old chat, where they can still be edited. Returns how many rows are due again."""
    await conn.execute(
        "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ? AND action = 'send'"
        " AND state = 'sending'",
        (new, old),
    )
    cur = await conn.execute(
        "UPDATE OR IGNORE outbox SET chat_id = ?, state = 'pending', error = NULL,"
        " next_attempt_at = ? WHERE chat_id = ? AND action = 'send' AND (state = 'pending'"
        " OR (state = 'failed' AND (error LIKE 'migrated to %'"
        " OR error LIKE '%upgraded to a supergroup%')))",
        (new, now, old),
    )
    await conn.execute(
        "UPDATE outbox_batches SET report_chat_id = ? WHERE report_chat_id = ?", (new, old)
    )
    return cur.rowcount


async def readdress_row(conn: aiosqlite.Connection, row_id: int, new: int, now: int) -> None:
    """Send this row to the supergroup its group became, now."""
    await conn.execute(
        "UPDATE OR IGNORE outbox SET chat_id = ?, state = 'pending', error = NULL,"
        " next_attempt_at = ? WHERE id = ?",
        (new, now, row_id),
    )


async def edit_card(
    conn: aiosqlite.Connection, card: str, chat_id: int, payload: Payload, *, now: int
) -> None:
    """Show ``payload`` on the card in this chat. Only the latest state matters: a post of the
    card not sent yet is rewritten instead, and edits not sent yet are superseded."""
    payload = await for_chat(conn, chat_id, payload)
    waiting = await fetch_all(
        conn,
        "SELECT id, payload FROM outbox WHERE card = ? AND chat_id = ? AND action = 'send'"
        " AND state = 'pending' ORDER BY id",
        (card, chat_id),
    )
    if waiting:
        row_id, raw = waiting[-1]
        old = Payload.from_json(raw)
        new = replace(payload, audience=payload.audience or old.audience, pin=old.pin)
        await conn.execute("UPDATE outbox SET payload = ? WHERE id = ?", (new.to_json(), row_id))
        return
    await conn.execute(
        "UPDATE outbox SET state = 'cancelled', error = 'superseded' WHERE card = ?"
        " AND chat_id = ? AND action = 'edit' AND state = 'pending'",
        (card, chat_id),
    )
    batch = await create_batch(conn, "edit", card, created_by=None, now=now)
    await conn.execute(
        "INSERT INTO outbox (batch_id, chat_id, payload, next_attempt_at, action, card, priority)"
        " VALUES (?, ?, ?, ?, 'edit', ?, ?)",
        (batch, chat_id, payload.to_json(), now, card, PUSH_PRIORITY),
    )


async def reached(conn: aiosqlite.Connection, kind: str, ref: str) -> list[int]:
    """The chats that were sent (or are being sent) a message of ``kind`` about ``ref``."""
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT o.chat_id FROM outbox o JOIN outbox_batches b ON b.id = o.batch_id"
        " WHERE b.kind = ? AND b.ref = ? AND o.state IN ('pending', 'sending', 'sent')"
        " ORDER BY o.chat_id",
        (kind, ref),
    )
    return [int(r[0]) for r in rows]
