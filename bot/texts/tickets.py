"""Tickets in words: the labels of kinds, states, priorities and SLA stages, the news a resident
gets when their ticket moves, and the /me lines."""

from __future__ import annotations

from bot.i18n import N_
from bot.rules.sla import (
    Priority,
    Stage,
)
from bot.rules.tickets import (
    Kind,
    Move,
    State,
)

KIND_LABELS = {
    Kind.REPAIR: N_("Repair"),
    Kind.COMPLAINT: N_("Complaint"),
    Kind.SUGGESTION: N_("Suggestion"),
}


STATE_LABELS = {
    State.NEW: N_("new, waiting for staff"),
    State.ACCEPTED: N_("accepted, being handled"),
    State.WAITING_RESIDENT: N_("waiting for the resident's answer"),
    State.ON_SITE: N_("staff on site"),
    State.REOPENED: N_("reopened"),
    State.RESOLVED: N_("resolved"),
    State.NOT_OURS: N_("not the property's responsibility"),
    State.REJECTED: N_("rejected"),
    State.DUPLICATE: N_("duplicate of another ticket"),
    State.WITHDRAWN: N_("withdrawn"),
    State.CLOSED: N_("closed"),
}


#: The rating buttons: stars with words, 1 to 5.
STAR_LABELS = {
    1: N_("1 ⭐ very unhappy"),
    2: N_("2 ⭐ unhappy"),
    3: N_("3 ⭐ all right"),
    4: N_("4 ⭐ happy"),
    5: N_("5 ⭐ very happy"),
}


PRIORITY_LABELS = {
    Priority.URGENT: N_("urgent"),
    Priority.NORMAL: N_("normal"),
    Priority.LOW: N_("not urgent"),
}


STAGE_LABELS = {
    Stage.RESPONSE_WARN: N_("response due soon"),
    Stage.RESPONSE_BREACH: N_("response overdue"),
    Stage.RESPONSE_ESCALATE: N_("response overdue twice the target"),
    Stage.RESOLUTION_WARN: N_("resolution due soon"),
    Stage.RESOLUTION_BREACH: N_("resolution overdue"),
    Stage.RESOLUTION_ESCALATE: N_("resolution overdue twice the target"),
}


#: What the reporter and the followers are told when a ticket moves.
RESIDENT_NEWS = {
    Move.ACCEPT: N_("Your ticket #{number} has been accepted by the property staff."),
    Move.ASSIGN: N_("Your ticket #{number} has been given to {name}, who will handle it."),
    Move.ON_SITE: N_("Staff are on site for your ticket #{number}."),
    Move.RESOLVE: N_(
        "Your ticket #{number} is marked as resolved. Is it fixed? Please rate the work, or "
        'tap "Not fixed".'
    ),
    Move.TRANSFER: N_("Your ticket #{number} was passed to the right team ({category})."),
    Move.REJECT: N_("Your ticket #{number} was not accepted. Reason: {reason}"),
    Move.DUPLICATE: N_(
        "Your ticket #{number} is the same problem as another ticket that is being handled. "
        "Reason: {reason}"
    ),
    Move.NOT_OURS: N_(
        "Your ticket #{number} is not the property's responsibility. Reason: {reason}"
    ),
    Move.REOPEN: N_("Ticket #{number} is reopened and the manager has been told."),
    Move.WITHDRAW: N_("Ticket #{number} was withdrawn by the resident who reported it."),
}

#: A duplicate names the ticket it duplicates (its reader now follows that one).
DUPLICATE_OF = N_(
    "Your ticket #{number} is the same problem as ticket #{original} ({title}), which is "
    "being handled. You now follow ticket #{original} and will get its updates. "
    "Reason: {reason}"
)


#: /me labels.
TICKETS_LABEL = N_("Tickets reported")


FOLLOWED_LABEL = N_("Tickets followed")
