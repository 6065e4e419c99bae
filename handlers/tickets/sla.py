"""The "tickets-sla" job: the service sweeps the due reminder rows (reminders, the rating
question, closing unrated tickets), then the queued messages are sent."""

from __future__ import annotations

from bot.context import Context
from bot.services import tickets as service
from handlers.tickets.keyboards import LINKS

SLA_JOB = "tickets-sla"


async def sla_job(context: Context) -> None:
    services = context.services
    done = await service.sweep_once(services.db, services.clock, services.i18n, LINKS)
    if done:
        services.deliver_now()
