"""Who is acting, in which language, with which rights: the turn every handler starts with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import aiosqlite
from telegram import (
    CallbackQuery,
    Chat,
    Update,
    User,
)

from bot.context import Context, Services
from bot.i18n import Translator
from bot.rules.auth import Principal
from bot.services import readers
from handlers.kit.callbacks import CallbackData, parse_as
from storage import people

D = TypeVar("D", bound=CallbackData)


@dataclass
class Turn:
    services: Services
    tr: Translator
    user: User
    chat: Chat
    now: datetime
    principal: Principal

    @property
    def ts(self) -> int:
        return int(self.now.timestamp())


async def translator_for(
    services: Services, conn: aiosqlite.Connection, user_id: int
) -> Translator:
    """The translator for someone else (a push to a leader, a reply to a resident)."""
    return await readers.translator_for(services.i18n, conn, user_id)


async def begin(update: Update, context: Context) -> Turn:
    """Load who is acting, in which language, with which rights (three lookups, no snapshot
    needed: this process writes nothing between them, and a role granted from the command
    line in that instant counts from the next press)."""
    services = context.services
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        raise RuntimeError("an update without a user or chat reached a user handler")
    async with services.db.peek() as conn:
        locale = await people.stored_locale(conn, user.id)
        principal = await people.load_principal(conn, user.id)
    tr = services.i18n.for_user(locale, user.language_code)
    return Turn(services, tr, user, chat, services.clock(), principal)


async def pressed(
    update: Update, context: Context, expected: type[D]
) -> tuple[CallbackQuery, D, Turn]:
    """A button press: the query, its parsed data (handlers are registered with
    ``matches(expected)``, so it parses) and the presser's turn, re-loaded from the database."""
    query = update.callback_query
    assert query is not None
    data = parse_as(query.data, expected)
    return query, data, await begin(update, context)


async def touch_person(turn: Turn, conn: aiosqlite.Connection) -> None:
    await people.upsert_person(
        conn,
        turn.user.id,
        turn.user.first_name or "",
        turn.user.username,
        turn.user.language_code,
        turn.ts,
    )
