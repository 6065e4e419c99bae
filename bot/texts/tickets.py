"""Tickets in words: the labels of kinds, states, priorities and SLA stages, and the /me lines."""

from __future__ import annotations

from bot.i18n import N_
from bot.rules.sla import (
    Priority,
    Stage,
)
from bot.rules.tickets import (
    Kind,
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


PRIORITY_LABELS = {
    Priority.URGENT: N_("urgent"),
    Priority.NORMAL: N_("normal"),
    Priority.LOW: N_("low"),
}


STAGE_LABELS = {
    Stage.RESPONSE_WARN: N_("response due soon"),
    Stage.RESPONSE_BREACH: N_("response overdue"),
    Stage.RESPONSE_ESCALATE: N_("response overdue twice the target"),
    Stage.RESOLUTION_WARN: N_("resolution due soon"),
    Stage.RESOLUTION_BREACH: N_("resolution overdue"),
    Stage.RESOLUTION_ESCALATE: N_("resolution overdue twice the target"),
}


#: /me labels.
TICKETS_LABEL = N_("Tickets reported")


FOLLOWED_LABEL = N_("Tickets followed")
