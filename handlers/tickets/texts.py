"""The tickets feature's labels: staff moves on a card, the standard reasons of an outcome, and
the resident's view of a ticket's history."""

from __future__ import annotations

from bot.i18n import N_
from bot.rules.tickets import Move

MOVE_LABELS = {
    Move.ACCEPT: N_("Accept"),
    Move.ASSIGN: N_("Assign"),
    Move.NEED_INFO: N_("Ask the resident"),
    Move.ON_SITE: N_("On site"),
    Move.RESOLVE: N_("Resolved"),
    Move.TRANSFER: N_("Transfer"),
    Move.REJECT: N_("Reject / duplicate"),
    Move.DUPLICATE: N_("Duplicate"),
    Move.NOT_OURS: N_("Not our responsibility"),
}
OUTCOMES = (Move.REJECT, Move.DUPLICATE, Move.NOT_OURS)

REASONS = {
    Move.REJECT: N_("not something the property office handles this way"),
    Move.DUPLICATE: N_("already reported by a neighbour"),
    Move.NOT_OURS: N_("this belongs to another body (e.g. the utility company)"),
}

HISTORY_LABELS = {
    "created": N_("reported"),
    "followed": N_("a neighbour follows it"),
    Move.ACCEPT.value: N_("accepted"),
    "assigned": N_("assigned to staff"),
    "need_info": N_("staff asked a question"),
    "answered": N_("you answered"),
    "info_added": N_("information added"),
    Move.ON_SITE.value: N_("staff on site"),
    Move.RESOLVE.value: N_("resolved"),
    "transferred": N_("passed to another team"),
    Move.REJECT.value: N_("rejected"),
    Move.DUPLICATE.value: N_("marked as a duplicate"),
    Move.NOT_OURS.value: N_("not the property's responsibility"),
    Move.WITHDRAW.value: N_("withdrawn"),
    "reopened": N_("reopened: not fixed"),
    "escalated": N_("escalated to the manager"),
    "rated": N_("rated"),
    "auto_closed": N_("closed without a rating"),
}
