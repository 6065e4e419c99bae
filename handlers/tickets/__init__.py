"""Tickets (报修 / 投诉 / 建议): residents report a problem (/report, or a photo or voice note
alone), follow a neighbour's ticket instead of a duplicate, see theirs with /mytickets (history,
add information, withdraw), answer staff's questions and rate the work or say "not fixed".
Staff handle the card posted to the staff chat (and team chat, and private copies), /queue and
/ticket N; the "tickets-sla" job reminds, asks for the rating and closes unrated tickets.

The modules: ``callbacks``, ``texts`` and ``keyboards``; the report wizard (``report``, its
steps in ``where``, ``duplicates`` and ``describe``, prompts in ``prompts``, the typed draft in
``draft``); ``mine`` (/mytickets, withdraw), ``notes`` and ``rating`` (the "tickets-note"
conversation); the staff side: ``card`` (card presses), ``outcome`` and ``question`` (the
"tickets-ask" conversation), ``queue`` (/queue, /ticket), ``access`` (who may press), ``sla``
(the job); ``leaders`` (open tickets in a leader's buildings); ``visits`` (home-visit
windows on a repair at home, the "visits-remind" job). The use cases shared with the job
(deadlines, cards and their edits, news, the sweep) are in ``bot.services.tickets``.
``outages``: declared outages (/outage, /outages) that matching reports follow instead.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Role
from bot.rules.tickets import Move
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.tickets import card, mine, notes, outages, outcome, queue, report, visits
from handlers.tickets import leaders as tickets_leaders
from handlers.tickets.access import act, is_staff
from handlers.tickets.callbacks import (
    MyTicket,
    StaffAssign,
    StaffBack,
    StaffOpen,
    StaffTransfer,
    VisitOffer,
    VisitOther,
    VisitPick,
    VisitWindow,
    VisitYes,
    Withdraw,
)
from handlers.tickets.sla import SLA_JOB, sla_job

#: The report conversation once built (a test inserts a conversation right after it).
_report_conversation: ConversationHandler[Any] | None = None


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    global _report_conversation
    _report_conversation = report.conversation()
    others = [m for m in Move if m is not Move.NEED_INFO]
    return [
        _report_conversation,
        notes.conversation(),
        CommandHandler("mytickets", mine.my_tickets),
        CallbackQueryHandler(mine.my_tickets, pattern=menu_pattern("mytickets")),
        CallbackQueryHandler(mine.open_my_ticket, pattern=matches(MyTicket)),
        CallbackQueryHandler(mine.withdraw, pattern=matches(Withdraw)),
        # the staff side
        outcome.conversation(),
        CallbackQueryHandler(card.staff_press, pattern=act(*others)),
        CallbackQueryHandler(card.staff_assign, pattern=matches(StaffAssign)),
        CallbackQueryHandler(card.staff_transfer, pattern=matches(StaffTransfer)),
        CallbackQueryHandler(card.staff_back, pattern=matches(StaffBack)),
        CallbackQueryHandler(queue.open_from_queue, pattern=matches(StaffOpen)),
        CommandHandler("queue", queue.queue_command),
        CallbackQueryHandler(queue.queue_command, pattern=menu_pattern("queue")),
        CommandHandler("ticket", queue.ticket_command),
        *tickets_leaders.handlers(),
        # home visits
        CallbackQueryHandler(visits.visit_offer, pattern=matches(VisitOffer)),
        CallbackQueryHandler(visits.visit_window, pattern=matches(VisitWindow)),
        CallbackQueryHandler(visits.visit_yes, pattern=matches(VisitYes)),
        CallbackQueryHandler(visits.visit_other, pattern=matches(VisitOther)),
        CallbackQueryHandler(visits.visit_pick, pattern=matches(VisitPick)),
        *outages.handlers(),
    ]


FEATURE = Feature(
    name="tickets",
    handlers=_handlers,
    menu=(
        MenuEntry("report", N_("Report a problem"), 10),
        MenuEntry("mytickets", N_("My tickets"), 11),
        MenuEntry("queue", N_("Ticket queue (staff)"), 12, visible=is_staff),
        MenuEntry(
            tickets_leaders.MENU_KEY,
            N_("Open tickets in my buildings"),
            13,
            visible=tickets_leaders.menu_visible,
        ),
        *outages.MENU,
    ),
    commands=(
        CommandSpec("report", N_("Report a repair, complaint or suggestion")),
        CommandSpec("mytickets", N_("My tickets and their state")),
        CommandSpec("queue", N_("Staff: my ticket queue"), roles=(Role.STAFF, Role.MANAGER)),
        CommandSpec(
            "ticket",
            N_("Staff: open a ticket by its number"),
            listed=False,
            roles=(Role.STAFF, Role.MANAGER),
        ),
        CommandSpec(
            tickets_leaders.COMMAND,
            N_("Building leaders: open tickets in my buildings"),
            roles=tickets_leaders.ROLES,
        ),
        *outages.COMMANDS,
    ),
    jobs=(
        JobSpec(SLA_JOB, sla_job, interval_seconds=30.0, first_seconds=10.0),
        JobSpec(visits.VISIT_JOB, visits.visit_job, interval_seconds=60.0, first_seconds=20.0),
    ),
)
