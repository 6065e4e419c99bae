"""Meetings (/meeting, /meetings): one-off or recurring, announced with RSVP buttons, attendees
reminded the day and the hour before, minutes posted afterwards as a notice.

The "meetings" job sweeps the due-time rows of every meeting through bot.services.meetings,
which turns each into an outbox batch in the same transaction.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Action, Role, can
from bot.services import meetings as service
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.meetings.callbacks import MeetCancel, MeetKeep, MeetRsvp
from handlers.meetings.cancel import cancel_meeting, keep_meeting
from handlers.meetings.create import conversation
from handlers.meetings.keyboards import rsvp_buttons
from handlers.meetings.listing import list_meetings
from handlers.meetings.move import move_conversation
from handlers.meetings.rsvp import rsvp

JOB_NAME = "meetings"


async def meetings_job(context: Context) -> None:
    """Every 30 s: announcements, reminders and next occurrences that are due."""
    services = context.services
    now = services.clock()
    async with services.db.transaction() as conn:
        await service.sweep(conn, now, services.i18n, rsvp_buttons)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        conversation(),
        move_conversation(),
        CommandHandler("meetings", list_meetings),
        CallbackQueryHandler(list_meetings, pattern=menu_pattern("meetings")),
        CallbackQueryHandler(rsvp, pattern=matches(MeetRsvp)),
        CallbackQueryHandler(cancel_meeting, pattern=matches(MeetCancel)),
        CallbackQueryHandler(keep_meeting, pattern=matches(MeetKeep)),
    ]


def _calls_meetings(p: Any) -> bool:
    return can(p, Action.CALL_MEETING)


MENU = (
    MenuEntry("meeting", N_("Call a meeting"), 42, visible=_calls_meetings),
    MenuEntry("meetings", N_("Meetings"), 43),
)
COMMANDS = (
    CommandSpec("meeting", N_("Call a meeting"), roles=(Role.COMMITTEE, Role.MANAGER)),
    CommandSpec("meetings", N_("Meetings coming up, and your answer")),
)
JOBS = (JobSpec(JOB_NAME, meetings_job, interval_seconds=30.0, first_seconds=5.0),)

FEATURE = Feature(name="meetings", handlers=handlers, menu=MENU, commands=COMMANDS, jobs=JOBS)
