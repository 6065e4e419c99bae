"""Inspection rounds (巡检): plans come from the community file (``[[inspections]]``); the
"inspections" job makes each due round once and sends its checklist to the assignee in
private, and tells the managers once about a round not done by its deadline; the assignee (or
staff covering) ticks each item ok / not ok, with a photo where the plan asks (``tick``);
``/rounds`` lists the plans and the rounds not done yet, each checklist to open again; a
"not ok" opens a ticket in the item's category, linked to the round. The rounds' figures are
in /stats (``handlers.stats``). The use cases are ``bot.services.inspections``.

``feature(ticket_links)``: ``bot.app`` hands in the tickets' card buttons, for the cards of
the tickets a "not ok" opens (features do not import each other).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.feature import CommandSpec, Feature, JobSpec
from bot.i18n import N_
from bot.rules.auth import Role
from bot.services import inspections as service
from bot.services import tickets as ticket_service
from handlers.inspections import rounds, tick
from handlers.inspections.callbacks import RoundOpen
from handlers.inspections.keyboards import LINKS
from handlers.kit.callbacks import matches

JOB = "inspections"


async def sweep_job(context: Context) -> None:
    services = context.services
    if await service.sweep_once(services.db, services.clock, services.i18n, LINKS):
        services.deliver_now()


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        tick.conversation(),
        CommandHandler("rounds", rounds.rounds_command),
        CallbackQueryHandler(rounds.round_open, pattern=matches(RoundOpen)),
    ]


def feature(ticket_links: ticket_service.Links) -> Feature:
    tick.TICKET_LINKS[:] = [ticket_links]
    return Feature(
        name="inspections",
        handlers=_handlers,
        commands=(
            CommandSpec(
                "rounds",
                N_("Staff: inspection plans and rounds not done yet"),
                roles=(Role.STAFF, Role.MANAGER),
            ),
        ),
        jobs=(JobSpec(JOB, sweep_job, interval_seconds=60.0, first_seconds=15.0),),
    )
