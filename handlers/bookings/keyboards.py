"""Buttons the booking steps share."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.i18n import Translator
from handlers.kit import Dismiss, button


def cancel_button(tr: Translator) -> InlineKeyboardButton:
    """Cancel the booking flow (the ``book`` scope: buttons in people's chats carry it)."""
    return button(tr._("Cancel"), Dismiss("book"))
