"""Buttons the booking steps share."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.delivery import payload_buttons
from bot.i18n import Translator
from handlers.bookings.callbacks import BookLength
from handlers.kit import Dismiss, button, keyboard


def cancel_button(tr: Translator) -> InlineKeyboardButton:
    """Cancel the booking flow (the ``book`` scope: buttons in people's chats carry it)."""
    return button(tr._("Cancel"), Dismiss("book"))


def book_now(
    tr: Translator, room_id: int, start: int, minutes: int, unit: int
) -> list[list[dict[str, str]]]:
    """The freed-up message's button: straight to confirming that slot (``BookLength``)."""
    return payload_buttons(
        keyboard([button(tr._("Book it now"), BookLength(room_id, start, minutes, unit))])
    )
