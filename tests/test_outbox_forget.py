"""storage.outbox_forget on a real SQLite file: rows to the forgotten person go in every state,
rows to others lose their name and numbers, and a posted card is edited only where it still
shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite

from storage import outbox, outbox_cards, outbox_forget
from storage.db import Database, fetch_all

ME, OTHER, GROUP = 42, 43, -1001


async def test_forgetting_in_the_outbox(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "o.db")
    async with db.transaction() as conn:
        # to the person: pending, sent, and a card copy of theirs
        await outbox.push(conn, ME, outbox.Payload("still to come"), now=1, kind="t")
        await posted(conn, ME, "your card", "ticket:1", "staff")
        batch = await outbox.create_batch(
            conn, "notice", "1", created_by=ME, now=1, report_chat_id=ME
        )
        await outbox.enqueue(
            conn, batch, [(ME, outbox.Payload("n")), (OTHER, outbox.Payload("n"))], not_before=1
        )
        # to others: a group card naming them (posted, then shown last), a private card to
        # another person whose newer edit is still waiting, and an unrelated "Lift" card
        await posted(conn, GROUP, "Reported by: Li Wang\nLift broken", "ticket:1", "group")
        await posted(conn, OTHER, "Li said: call 13812345678", "ticket:2", "manager")
        await outbox.edit_card(conn, "ticket:2", OTHER, outbox.Payload("Li now says hello"), now=3)
        await outbox.push(conn, OTHER, outbox.Payload("Lift fixed"), now=1, kind="t")

        await outbox_forget.forget(conn, ME, ["Li", "Li Wang"], ["13812345678"], now=10)

        rows = await fetch(conn, "SELECT chat_id, payload, state, action FROM outbox ORDER BY id")
        assert [r for r in rows if r[0] == ME] == []
        texts = [(r[0], outbox.Payload.from_json(r[1]).text, r[2], r[3]) for r in rows]
        assert (GROUP, "Reported by: -\nLift broken", "sent", "send") in texts
        assert (GROUP, "Reported by: -\nLift broken", "pending", "edit") in texts  # re-edited
        assert (OTHER, "- said: call 138****5678", "sent", "send") in texts
        assert (OTHER, "- now says hello", "pending", "edit") in texts
        assert [t for t in texts if t[0] == OTHER and t[3] == "edit"] == [
            (OTHER, "- now says hello", "pending", "edit")  # no second edit: one is waiting
        ]
        assert (OTHER, "Lift fixed", "pending", "send") in texts  # "Li" is no part of "Lift"
        assert (OTHER, "n", "pending", "send") in texts
        assert await fetch(conn, "SELECT chat_id FROM outbox_cards ORDER BY chat_id") == [
            (GROUP,),
            (OTHER,),
        ]
        assert await fetch(
            conn, "SELECT created_by, report_chat_id FROM outbox_batches WHERE id = ?", (batch,)
        ) == [(None, None)]
    await db.close()


async def posted(
    conn: aiosqlite.Connection, chat_id: int, text: str, card: str, audience: str
) -> None:
    """A card's copy, sent and recorded where it landed (as the sender does)."""
    payload = outbox.Payload(text, audience=audience)
    row = await outbox.push(conn, chat_id, payload, now=1, kind="t", card=card)
    await outbox.mark_sent(conn, row, 100 + row, 2)
    await outbox_cards.record_card(conn, card, chat_id, 100 + row, audience)


async def fetch(
    conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await fetch_all(conn, sql, params)]


async def test_a_row_gone_while_in_flight_is_not_marked_nor_recorded(tmp_path: Path) -> None:
    """The sender marks a row it sent; if the person was forgotten meanwhile, nothing is
    written back (no card copy of theirs reappears)."""
    db = await Database.open(tmp_path / "o.db")
    async with db.transaction() as conn:
        row = await outbox.push(conn, ME, outbox.Payload("x"), now=1, kind="t", card="join:1")
        await outbox_forget.forget(conn, ME, [], now=2)
        assert await outbox.mark_sent(conn, row, 5, 3) is False
    await db.close()
