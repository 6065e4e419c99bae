"""A resident's /notices (and the Notices button): the latest notices that went out to the
whole community or to their building, to read again."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.clock import from_ts
from handlers.kit import Turn, reply
from storage import notices as store

SHOWN = 5  # notices on one message
EACH = 600  # characters of one notice shown (the whole message stays under Telegram's 4096)


async def read_notices(update: Update, context: Context, turn: Turn) -> None:
    tr = turn.tr
    buildings = {r.building_id for r in turn.principal.verified}
    async with context.services.db.read() as conn:
        found = await store.sent_to(conn, buildings, turn.ts, SHOWN)
    if not found:
        await reply(update, tr._("No notices yet. New ones come to you here as they are sent."))
        return
    parts = [tr._("The latest notices:")]
    for item in found:
        text = item.text.strip()
        if len(text) > EACH:
            text = text[:EACH] + "…"
        mark = "🔴 " if item.urgent else "📢 "
        parts.append(f"{mark}{tr.when(from_ts(item.send_at))}\n{text}")
    await reply(update, "\n\n".join(parts))
