"""Buttons, keyboards, and the ways to answer: edit the pressed message or send a new one, stop
a button's spinner, push a message to someone."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiosqlite
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import Context
from bot.delivery import payload_buttons
from handlers.kit.callbacks import CallbackData, pack
from storage import outbox, people

log = logging.getLogger(__name__)


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


async def push(
    conn: aiosqlite.Connection,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    now: int,
    kind: str,
    ref: str = "",
    voice: str | None = None,
) -> None:
    """A message to someone other than the person being answered: an outbox row in the
    caller's transaction (so it is never lost between the change and the send). Call
    ``context.services.deliver_now()`` once the transaction has committed. ``voice``: sent
    as a voice note with the text as its caption."""
    payload = outbox.Payload(text=text, buttons=payload_buttons(markup), voice=voice)
    await outbox.push(conn, chat_id, payload, now=now, kind=kind, ref=ref)


async def notify(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send at once to the chat the update is about (a presser's private chat, a group that
    just added the bot); a blocked bot or a vanished chat is logged, not raised. Anything for
    someone else is ``push()``."""
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
