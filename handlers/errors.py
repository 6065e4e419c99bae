"""Last in line: the global error handler, and polite answers to everything nobody else took —
unknown commands, unexpected messages, stale or forged buttons, private commands in a group."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import Context
from bot.feature import Feature
from handlers.kit import answer, begin, redirect_to_private
from storage import people

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    try:
        turn = await begin(update, context)
        text = turn.tr._(
            "Sorry, something went wrong on my side. Nothing was changed; please try again in "
            "a moment."
        )
        if update.callback_query is not None:
            await answer(update.callback_query, text, alert=True)
        elif update.effective_chat is not None and update.effective_chat.type == Chat.PRIVATE:
            await update.effective_chat.send_message(text)
    except Exception:  # the apology itself failed: already logged above
        log.exception("could not apologise to the user")


async def ask_to_slow_down(app: Any, update: Update) -> None:
    """What a person flooding the bot hears, once per flood (``bot.updates.FloodGuard``): an
    alert on their press, or a message in their private chat."""
    services = app.bot_data.services
    user = update.effective_user
    if user is None:
        return
    async with services.db.read() as conn:
        locale = await people.stored_locale(conn, user.id)
    tr = services.i18n.for_user(locale, user.language_code)
    text = tr._(
        "You are sending messages faster than I can read them. Please wait a few seconds, "
        "then go on."
    )
    if update.callback_query is not None:
        await answer(update.callback_query, text, alert=True)
        return
    try:
        await app.bot.send_message(user.id, text)
    except TelegramError as exc:  # never started the bot in private: nothing more to do
        log.info("could not ask %s to slow down: %s", user.id, exc)


async def stale_button(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(
        update.callback_query,
        turn.tr._("This button is no longer valid. Send /start to see the menu again."),
        alert=True,
    )


async def unknown_command(update: Update, context: Context) -> None:
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None or not message.text:
        return
    command = message.text.split()[0][1:].split("@")[0].lower()
    if chat.type != Chat.PRIVATE:
        addressed = "@" in message.text.split()[0]
        if command in {c.command for c in context.services.commands if c.private}:
            await redirect_to_private(update, context)
        elif addressed:
            turn = await begin(update, context)
            await message.reply_text(turn.tr._("I do not know that command."))
        return
    turn = await begin(update, context)
    await message.reply_text(
        turn.tr._(
            "I do not know the command /{command}. Send /help to see what I can do.",
            command=command,
        )
    )


async def unexpected_message(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        turn.tr._(
            "I did not understand that. Please use the menu buttons: send /start to see them, "
            "or /help for the list of commands."
        )
    )


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(stale_button),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, unexpected_message),
    ]


FEATURE = Feature(name="errors", handlers=_handlers)
