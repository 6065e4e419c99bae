"""Guards and polite refusals: private flows in a group, stale or forged buttons, text where a
button was expected, text that is too long; and the menu and cancel buttons' data."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from bot.context import Context
from bot.i18n import N_, Translator
from handlers.kit.callbacks import CallbackData, callback, matches, parse_as
from handlers.kit.turn import Turn, begin
from handlers.kit.ui import answer, deep_link

log = logging.getLogger(__name__)


MAX_TEXT = 1000  # longest free text we accept from a user in one message


R = TypeVar("R")


@callback("m")
@dataclass(frozen=True)
class MenuPick(CallbackData):
    key: str


@callback("x")
@dataclass(frozen=True)
class Dismiss(CallbackData):
    """Closes a menu or flow ('cancel'); handled by each flow or by the global fallback."""

    scope: str


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


class Refusal(enum.Enum):
    """Why the bot says no, in one table: ``refusal_text(tr, Refusal.NO_RIGHT)`` in the reader's
    language. Every feature refuses with these words, never a copy of them."""

    STALE = N_("This button is no longer valid.")
    NO_RIGHT = N_("Sorry, this is not open to you. Send /menu to see what you can do.")


def refusal_text(tr: Translator, refusal: Refusal) -> str:
    return tr._(refusal.value)


async def refuse(update: Update, turn: Turn, refusal: Refusal) -> None:
    """The one way to say no: an alert on a button press, a reply to a message."""
    if update.callback_query is not None:
        await answer(update.callback_query, refusal_text(turn.tr, refusal), alert=True)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(refusal_text(turn.tr, refusal))


async def stale(query: CallbackQuery | None, turn: Turn) -> None:
    """The polite answer to a forged, outdated or malformed button press."""
    await answer(query, refusal_text(turn.tr, Refusal.STALE), alert=True)


async def use_buttons(update: Update, context: Context) -> None:
    """Text (or anything else) where a flow expects a button: a hint, nothing changes."""
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            turn.tr._("Please tap one of the buttons above, or Cancel to stop.")
        )


async def short_text(update: Update, turn: Turn, limit: int) -> str | None:
    """A wizard's text step: the message's text, stripped, or ``None`` after telling the sender
    (in their language) that it is empty (a photo, a sticker) or longer than ``limit``."""
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    problem = text_too_long(turn, text, limit) if text else None
    if not text:
        problem = turn.tr._("Please answer with a short text.")
    if problem:
        await message.reply_text(problem)
        return None
    return text


def text_too_long(turn: Turn, text: str, limit: int = MAX_TEXT) -> str | None:
    if len(text) > limit:
        return turn.tr._(
            "That is a little long ({length} characters). Please keep it under {limit}.",
            length=len(text),
            limit=limit,
        )
    return None
