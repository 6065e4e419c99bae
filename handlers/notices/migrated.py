"""A group upgraded to a supergroup: Telegram's two service messages (``migrate_to_chat_id``
in the old chat, ``migrate_from_chat_id`` in the new one) rebind it (``bot.services.chats``;
the second finds nothing left to move)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.clock import to_ts
from bot.services import chats


async def migrated(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = context.services
    async with services.db.transaction() as conn:
        changed = await chats.moved(conn, services.i18n, old, new, now=to_ts(services.clock()))
    if changed:
        services.deliver_now()
