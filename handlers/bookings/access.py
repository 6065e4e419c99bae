"""Who may book for whom (a confirmed resident for their household, staff for the community),
and the polite refusals: "join your unit first", or no right."""

from __future__ import annotations

from telegram import Update

from bot.rules.auth import Action, can
from handlers.kit import MenuPick, Refusal, Turn, answer, button, keyboard, refusal_text, reply


def household(turn: Turn, unit_id: int) -> tuple[int, int] | None:
    """(unit_id, building_id) when the presser is a confirmed resident of ``unit_id``."""
    for residence in turn.principal.verified:
        if unit_id != 0 and residence.unit_id == unit_id:
            return residence.unit_id, residence.building_id
    return None


def allowed(turn: Turn, unit: int) -> bool:
    """Book for ``unit`` (a household of the presser's), or for the community (0) as staff."""
    if unit == 0:
        return can(turn.principal, Action.MANAGE_ROOMS)
    return can(turn.principal, Action.BOOK_ROOM) and household(turn, unit) is not None


async def no_right(turn: Turn, update: Update) -> None:
    await answer(update.callback_query, refusal_text(turn.tr, Refusal.NO_RIGHT), alert=True)


async def refuse(turn: Turn, update: Update, unit: int) -> None:
    """A booking press without the right: "join your unit first", or a plain refusal."""
    if unit == 0 or turn.principal.verified:
        await no_right(turn, update)
    else:
        await answer(update.callback_query, join_first_text(turn), alert=True)


async def join_first(update: Update, turn: Turn) -> None:
    """Booking is for confirmed residents: offer joining (or say the request is waiting)."""
    markup = None
    if not turn.principal.pending:
        markup = keyboard([button(turn.tr._("Join my unit"), MenuPick("join"))])
    await reply(update, join_first_text(turn), markup)


def join_first_text(turn: Turn) -> str:
    if turn.principal.pending:
        return turn.tr._(
            "Booking rooms is for confirmed residents. Your request to join your unit is still "
            "waiting for confirmation; I will tell you as soon as it is confirmed."
        )
    return turn.tr._(
        "Booking rooms is for confirmed residents. Please join your unit first: tap the button "
        "below."
    )
