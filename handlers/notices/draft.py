"""The /notice wizard's steps and its typed draft, and what its steps share: the Cancel
button, who may send notices at all, answering a press or a message alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, Update

from bot.rules import notices as rules
from handlers.kit import Dismiss, Turn, button, reply
from handlers.kit.wizard import Drafts

COMPOSE, ATTACH, AUDIENCE, GROUPS, OPTIONS, WHEN, CONFIRM = (
    "notice:compose",
    "notice:attach",
    "notice:audience",
    "notice:groups",
    "notice:options",
    "notice:when",
    "notice:confirm",
)


@dataclass
class NoticeDraft:
    text: str = ""
    photo: str | None = None
    document: str | None = None
    buildings: list[int] | None = None  # None: everyone in the community
    pick: list[int] = field(default_factory=list)  # the building picker's ticks
    groups: bool = False
    pin: bool = False
    urgent: bool = False
    send_at: int | None = None
    later: bool = False

    @property
    def has_attachment(self) -> bool:
        return bool(self.photo or self.document)

    def audience(self) -> list[int] | None:
        return None if self.buildings is None else [int(b) for b in self.buildings]


DRAFT = Drafts("notice_draft", NoticeDraft)


def cancel_button(turn: Turn) -> InlineKeyboardButton:
    return button(turn.tr._("Cancel"), Dismiss("notice"))


def may_send_some(turn: Turn) -> bool:
    return rules.may_address_everyone(turn.principal) or bool(rules.own_buildings(turn.principal))


async def say(update: Update, text: str, markup: Any) -> None:
    """Edit the pressed message, or answer the message the user sent."""
    if update.callback_query is not None:
        await reply(update, text, markup)
    else:
        message = update.effective_message
        assert message is not None
        await message.reply_text(text, reply_markup=markup)
