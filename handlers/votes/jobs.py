"""The "votes-due" job: every 30 s, the service opens, reminds and closes what is due."""

from __future__ import annotations

from bot.context import Context
from bot.services import votes as service
from handlers.votes.keyboards import links

JOB_NAME = "votes-due"


async def votes_due_job(context: Context) -> None:
    services = context.services
    await service.sweep(services.db, services.clock, services.i18n, links(context))
