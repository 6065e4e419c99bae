"""Inspection rounds (巡检): plans come from the community file (``[[inspections]]``); the
"inspections" job makes each due round once and sends its checklist to the assignee in
private, and tells the managers once about a round not done by its deadline; the assignee (or
staff covering) ticks each item ok / not ok, with a photo where the plan asks (``tick``); a
"not ok" opens a ticket in the item's category, linked to the round. The rounds' figures are
in /stats (``handlers.stats``). The use cases are ``bot.services.inspections``.

``feature(ticket_links)``: ``bot.app`` hands in the tickets' card buttons, for the cards of
the tickets a "not ok" opens (features do not import each other).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from bot.context import Context
from bot.feature import Feature, JobSpec
from bot.services import inspections as service
from bot.services import tickets as ticket_service
from handlers.inspections import tick
from handlers.inspections.keyboards import LINKS

JOB = "inspections"


async def sweep_job(context: Context) -> None:
    services = context.services
    if await service.sweep_once(services.db, services.clock, services.i18n, LINKS):
        services.deliver_now()


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [tick.conversation()]


def feature(ticket_links: ticket_service.Links) -> Feature:
    tick.TICKET_LINKS[:] = [ticket_links]
    return Feature(
        name="inspections",
        handlers=_handlers,
        jobs=(JobSpec(JOB, sweep_job, interval_seconds=60.0, first_seconds=15.0),),
    )
