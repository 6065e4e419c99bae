"""Who may press the staff side's buttons, and the answers when they may not: the ticket is
gone, the presser lacks the right, or the ticket has moved on since the button was shown."""

from __future__ import annotations

from typing import Any

import aiosqlite
from telegram import CallbackQuery

from bot.rules.auth import Action, can
from bot.rules.tickets import Move
from bot.texts.tickets import STATE_LABELS
from handlers.kit import Turn, answer, stale
from handlers.kit.callbacks import matches, parse_as
from handlers.tickets.callbacks import StaffAct
from storage import tickets as store
from storage.tickets import Ticket


async def refuse(query: CallbackQuery | None, text: str) -> None:
    """A press that does nothing, with the reason in an alert."""
    await answer(query, text, alert=True)


async def no_right(turn: Turn, query: CallbackQuery | None) -> None:
    await refuse(
        query, turn.tr._("Sorry, this is not open to you. Send /menu to see what you can do.")
    )


async def load_for_staff(
    turn: Turn, conn: aiosqlite.Connection, query: CallbackQuery | None, ticket_id: int
) -> Ticket | None:
    """The ticket, if it exists and the presser handles tickets in its building (else the press
    is answered and None returned)."""
    ticket = await store.get(conn, ticket_id)
    if ticket is None:
        await stale(query, turn)
        return None
    if not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
        await no_right(turn, query)
        return None
    return ticket


async def moved_on(turn: Turn, query: CallbackQuery | None, ticket: Ticket) -> None:
    """The ticket's state no longer allows what the button does."""
    text = turn.tr._(
        "Ticket #{number} is now {state}; this button no longer applies.",
        number=ticket.id,
        state=turn.tr._(STATE_LABELS[ticket.state]),
    )
    await refuse(query, text)


def staff_audience(turn: Turn) -> str:
    return "manager" if can(turn.principal, Action.MANAGE) else "staff"


def is_staff(p: Any) -> bool:
    return bool(can(p, Action.HANDLE_TICKETS))


def act(*moves: Move) -> Any:
    """A pattern for card buttons doing one of ``moves``."""
    check = matches(StaffAct)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, StaffAct).move in moves

    return pattern
