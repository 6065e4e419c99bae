"""A group chat upgraded to a supergroup by Telegram (it gets a new chat id): everything the
bot keeps of the group follows it — its binding, the staff chat, a team chat, what was still
to be posted there and what failed because of the move — and whoever bound it is told. Called
by the service messages Telegram sends (``migrate_to_chat_id`` / ``migrate_from_chat_id``)
and by the sender when a send is answered "upgraded to a supergroup"; running it twice
changes nothing more."""

from __future__ import annotations

import logging

import aiosqlite

from bot.i18n import I18n
from bot.services.readers import translator_for
from storage import notices, outbox

log = logging.getLogger(__name__)


async def moved(conn: aiosqlite.Connection, i18n: I18n, old: int, new: int, *, now: int) -> bool:
    """Rebind the group ``old`` as ``new`` in the caller's transaction; whether anything
    moved."""
    if old == new or old >= 0 or new >= 0:
        return False
    found = await notices.move_chat(conn, old, new)
    retried = await outbox.readdress(conn, old, new, now)
    if found is None:
        return retried > 0
    binding, binder = found
    log.info("group %s became supergroup %s: binding moved", old, new)
    if binder is not None:
        tr = await translator_for(i18n, conn, binder)
        text = tr._(
            "Telegram upgraded the group chat “{title}” to a supergroup, which gave it a new "
            "chat number. I have moved its binding to the new chat: notices keep arriving "
            "there, and there is nothing you need to do.",
            title=binding.title,
        )
        await outbox.push(conn, binder, outbox.Payload(text=text), now=now, kind="group-moved")
    return True
