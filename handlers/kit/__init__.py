"""What every handler needs: the turn (services, translator, principal), buttons, guards."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

import aiosqlite
from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import Context, Services
from bot.i18n import Translator
from bot.rules.auth import Principal
from handlers.kit.callbacks import CallbackData, callback, matches, pack, parse_as
from storage import people

log = logging.getLogger(__name__)

MAX_TEXT = 1000  # longest free text we accept from a user in one message
R = TypeVar("R")
D = TypeVar("D", bound=CallbackData)


@callback("m")
@dataclass(frozen=True)
class MenuPick(CallbackData):
    key: str


@callback("x")
@dataclass(frozen=True)
class Dismiss(CallbackData):
    """Closes a menu or flow ('cancel'); handled by each flow or by the global fallback."""

    scope: str


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
    person = await people.get_person(conn, user_id)
    if person is None:
        return services.i18n.translator(None)
    return services.i18n.for_user(person.locale, person.language_code)


async def begin(update: Update, context: Context) -> Turn:
    """Load who is acting, in which language, with which rights (one read)."""
    services = context.services
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        raise RuntimeError("an update without a user or chat reached a user handler")
    async with services.db.read() as conn:
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


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(data))


def keyboard(
    buttons: Sequence[InlineKeyboardButton],
    per_row: int = 1,
    footer: Sequence[InlineKeyboardButton] = (),
) -> InlineKeyboardMarkup:
    rows = [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    if footer:
        rows.append(list(footer))
    return InlineKeyboardMarkup(rows)


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the chat the update came from: edit the pressed message, or send a new one."""
    query = update.callback_query
    if query is not None and query.message is not None and isinstance(query.message, Message):
        try:
            edited = await query.edit_message_text(text, reply_markup=markup)
            return edited if isinstance(edited, Message) else None
        except BadRequest as exc:
            if "not modified" in str(exc):
                return None
            log.info("could not edit, sending instead: %s", exc)
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)


async def answer(query: CallbackQuery | None, text: str | None = None, alert: bool = False) -> None:
    """Stop the button's spinner; ``text`` shows as a toast (or an alert), cut to 200 chars."""
    if query is None:
        return
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except BadRequest as exc:  # too old: nothing the user can still see
        log.info("callback answer failed: %s", exc)


async def notify(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Push a message to someone; a blocked bot or a vanished chat is logged, not raised."""
    try:
        return await context.bot.send_message(chat_id, text, reply_markup=markup)
    except Forbidden as exc:
        log.info("chat %s blocked the bot: %s", chat_id, exc)
        if chat_id > 0:
            services = context.services
            async with services.db.transaction() as conn:
                await people.set_blocked(conn, chat_id, int(services.clock().timestamp()))
    except BadRequest as exc:
        log.warning("could not notify chat %s: %s", chat_id, exc)
    except TelegramError as exc:
        log.warning("could not notify chat %s (will not retry): %s", chat_id, exc)
    return None


def deep_link(context: Context, payload: str = "menu") -> str:
    return f"https://t.me/{context.bot.username}?start={payload}"


Handler = Callable[[Update, Context], Coroutine[Any, Any, R]]


def private_only(func: Handler[R]) -> Handler[R | None]:
    """Private flows used in a group get a polite link to the private chat, nothing else."""

    @wraps(func)
    async def wrapper(update: Update, context: Context) -> R | None:
        chat = update.effective_chat
        if chat is not None and chat.type != Chat.PRIVATE:
            await redirect_to_private(update, context)
            return None
        return await func(update, context)

    return wrapper


async def redirect_to_private(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    text = turn.tr._(
        "Let's talk about this in a private chat, so your details stay private. "
        "Tap the button below."
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(turn.tr._("Open a private chat"), url=deep_link(context))]]
    )
    if update.callback_query is not None:
        await answer(update.callback_query, text, alert=True)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, reply_markup=markup)


def dismiss_pattern(scope: str) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern for the Cancel button of one flow."""
    check = matches(Dismiss)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, Dismiss).scope == scope

    return pattern


async def stale(query: CallbackQuery | None, turn: Turn) -> None:
    """The polite answer to a forged, outdated or malformed button press."""
    await answer(query, turn.tr._("This button is no longer valid."), alert=True)


async def use_buttons(update: Update, context: Context) -> None:
    """Text (or anything else) where a flow expects a button: a hint, nothing changes."""
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            turn.tr._("Please tap one of the buttons above, or Cancel to stop.")
        )


def text_too_long(turn: Turn, text: str, limit: int = MAX_TEXT) -> str | None:
    if len(text) > limit:
        return turn.tr._(
            "That is a little long ({length} characters). Please keep it under {limit}.",
            length=len(text),
            limit=limit,
        )
    return None
