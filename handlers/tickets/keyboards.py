"""The tickets feature's keyboards: the report wizard's footer, the staff card's buttons for the
ticket's state and its reject sub-menu, the rating under a resolved ticket, "Open the ticket",
and ``LINKS``: the same buttons as outbox rows, for the service's queued messages."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.rules.tickets import State, staff_moves
from bot.services import tickets as service
from bot.texts.tickets import STAR_LABELS
from handlers.kit import Dismiss, button, keyboard
from handlers.tickets.callbacks import (
    Nav,
    Rate,
    ReportNav,
    StaffAct,
    StaffBack,
    StaffOpen,
    StaffOutcome,
    VisitOffer,
)
from handlers.tickets.texts import MOVE_LABELS, OUTCOMES
from storage.tickets import Ticket


def cancel_button(tr: Translator) -> InlineKeyboardButton:
    """The report wizard's Cancel."""
    return button(tr._("Cancel"), Dismiss("report"))


def nav(tr: Translator, back: bool = True) -> list[InlineKeyboardButton]:
    """The report wizard's footer: Back (unless the first step) and Cancel."""
    footer = [button(tr._("Back"), ReportNav(Nav.BACK))] if back else []
    return [*footer, cancel_button(tr)]


def card_markup(tr: Translator, t: Ticket) -> InlineKeyboardMarkup | None:
    moves = staff_moves(t.state)
    if not moves:
        return None
    buttons = [button(tr._(MOVE_LABELS[m]), StaffAct(t.id, m)) for m in moves]
    if offerable(t):
        buttons.append(button(tr._("Visit time"), VisitOffer(t.id)))
    return keyboard(buttons, per_row=2)


def offerable(t: Ticket) -> bool:
    """A home visit can be arranged: an accepted repair at home (``handlers.tickets.visits``)."""
    return t.unit_id is not None and t.state is State.ACCEPTED


def outcome_menu(tr: Translator, t: Ticket) -> InlineKeyboardMarkup:
    buttons = [button(tr._(MOVE_LABELS[m]), StaffOutcome(t.id, m)) for m in OUTCOMES]
    return keyboard(buttons, footer=[button(tr._("Back"), StaffBack(t.id))])


def star_buttons(tr: Translator, ticket_id: int) -> list[InlineKeyboardButton]:
    """1 ⭐ very unhappy … 5 ⭐ very happy: the stars with words."""
    return [button(tr._(STAR_LABELS[n]), Rate(ticket_id, n)) for n in range(1, 6)]


def rating_markup(tr: Translator, ticket_id: int, reporter: bool) -> InlineKeyboardMarkup:
    stars = star_buttons(tr, ticket_id) if reporter else []
    return keyboard(stars, per_row=1, footer=[button(tr._("Not fixed"), Rate(ticket_id, 0))])


def open_markup(tr: Translator, ticket_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(tr._("Open the ticket"), StaffOpen(ticket_id))])


LINKS = service.Links(
    card=lambda tr, t: payload_buttons(card_markup(tr, t)),
    rating=lambda tr, ticket_id, reporter: payload_buttons(rating_markup(tr, ticket_id, reporter)),
    open=lambda tr, ticket_id: payload_buttons(open_markup(tr, ticket_id)),
)
