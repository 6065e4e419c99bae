"""The outbox's part of /forgetme (``storage.privacy`` has the whole picture): the rows
addressed to the person, their card copies, and the rows to others that name them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import aiosqlite

from bot.rules.privacy import scrubber
from storage.db import fetch_all, fetch_value
from storage.outbox import Payload, edit_card


async def forget(
    conn: aiosqlite.Connection,
    user_id: int,
    names: Sequence[str],
    numbers: Sequence[str] = (),
    *,
    now: int,
) -> None:
    """/forgetme for the outbox (see ``storage.privacy`` for the whole picture):

    - every row addressed to the person goes, whatever its state: what was sent to them (the
      texts and their chat id) is no longer kept, and what was still waiting is never sent;
      the delivery counts of past broadcasts no longer include them;
    - their copies of cards go from ``outbox_cards``; batches forget who made them and where
      their delivery report went;
    - rows to other people that name them (a ticket's card "Reported by: …", a join request)
      or carry their phone and ID ``numbers`` (their answer pushed to staff) have each name
      (and "#<id>", how a nameless person is shown) replaced by "-" and each number masked,
      and a card whose posted copy showed it is edited in place to match (unless a newer
      version of that copy is already waiting to be sent)."""
    await conn.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
    await conn.execute("DELETE FROM outbox_cards WHERE chat_id = ?", (user_id,))
    await conn.execute(
        "UPDATE outbox_batches SET created_by = NULL WHERE created_by = ?", (user_id,)
    )
    await conn.execute(
        "UPDATE outbox_batches SET report_chat_id = NULL WHERE report_chat_id = ?", (user_id,)
    )
    words = [w for w in (*names, f"#{user_id}", *numbers) if w]
    scrub = scrubber([*names, f"#{user_id}"], numbers)
    likes = " OR ".join("instr(payload, ?) > 0" for _ in words)
    rows = await fetch_all(
        conn,
        f"SELECT id, chat_id, payload, state, card FROM outbox WHERE {likes} ORDER BY id",
        words,
    )
    for row_id, chat_id, raw, state, card in rows:
        old = Payload.from_json(raw)
        new = replace(
            old,
            text=scrub(old.text),
            buttons=[
                [{**b, "text": scrub(b["text"])} if "text" in b else b for b in line]
                for line in old.buttons
            ],
        )
        if new == old:
            continue
        await conn.execute("UPDATE outbox SET payload = ? WHERE id = ?", (new.to_json(), row_id))
        if card is not None and state == "sent" and await _shown_last(conn, card, chat_id, row_id):
            await edit_card(conn, card, chat_id, new, now=now)


async def _shown_last(conn: aiosqlite.Connection, card: str, chat_id: int, row_id: int) -> bool:
    """Whether this sent row is what the card's copy in this chat shows now (nothing newer
    was sent, and nothing is waiting)."""
    latest = await fetch_value(
        conn,
        "SELECT MAX(id) FROM outbox WHERE card = ? AND chat_id = ? AND state = 'sent'",
        (card, chat_id),
    )
    return latest == row_id and not await fetch_value(
        conn,
        "SELECT 1 FROM outbox WHERE card = ? AND chat_id = ? AND state IN ('pending', 'sending')"
        " LIMIT 1",
        (card, chat_id),
    )
