"""The "bookings-remind" job: every minute, the service queues the reminders that are due."""

from __future__ import annotations

from bot.context import Context
from bot.rules.clock import to_ts
from bot.services import bookings as service

REMIND_JOB = "bookings-remind"


async def remind_job(context: Context) -> None:
    """Queue a reminder for every confirmed booking whose reminder is due (one transaction)."""
    services = context.services
    now = to_ts(services.clock())
    async with services.db.transaction() as conn:
        await service.queue_reminders(conn, now, services.i18n)
