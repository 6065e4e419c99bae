"""Where the outbox's cards landed (``outbox_cards``): one chat's copy of a card, posted or still
queued, so that later edits reach every copy (``storage.outbox.edit_card`` queues them)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all, fetch_value
from storage.outbox import Payload


@dataclass(frozen=True)
class CardCopy:
    """One chat's copy of a card: posted (``message_id``), or still waiting to be posted."""

    chat_id: int
    audience: str
    message_id: int | None


async def card_copies(conn: aiosqlite.Connection, card: str) -> list[CardCopy]:
    """Every chat that has, or is about to get, this card."""
    posted = {
        int(r[0]): CardCopy(int(r[0]), str(r[2]), int(r[1]))
        for r in await fetch_all(
            conn,
            "SELECT chat_id, message_id, audience FROM outbox_cards WHERE card = ?",
            (card,),
        )
    }
    for chat_id, raw in await fetch_all(
        conn,
        "SELECT chat_id, payload FROM outbox WHERE card = ? AND action = 'send'"
        " AND state IN ('pending', 'sending') ORDER BY id",
        (card,),
    ):
        if int(chat_id) not in posted:
            posted[int(chat_id)] = CardCopy(int(chat_id), Payload.from_json(raw).audience, None)
    return sorted(posted.values(), key=lambda c: c.chat_id)


async def record_card(
    conn: aiosqlite.Connection, card: str, chat_id: int, message_id: int, audience: str
) -> None:
    """Where a card landed (a newer post in the same chat replaces the older one)."""
    await conn.execute(
        "INSERT INTO outbox_cards (card, chat_id, message_id, audience) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (card, chat_id) DO UPDATE SET message_id = excluded.message_id,"
        " audience = excluded.audience",
        (card, chat_id, message_id, audience),
    )


async def card_message(conn: aiosqlite.Connection, card: str, chat_id: int) -> int | None:
    """The message to edit for this card in this chat, if it was posted."""
    value = await fetch_value(
        conn, "SELECT message_id FROM outbox_cards WHERE card = ? AND chat_id = ?", (card, chat_id)
    )
    return None if value is None else int(value)


async def card_post_waiting(conn: aiosqlite.Connection, card: str, chat_id: int) -> bool:
    """Whether the card's post to this chat is still queued (an edit then waits for it)."""
    value = await fetch_value(
        conn,
        "SELECT 1 FROM outbox WHERE card = ? AND chat_id = ? AND action = 'send'"
        " AND state IN ('pending', 'sending') LIMIT 1",
        (card, chat_id),
    )
    return value is not None
