"""The "bookings-remind" job: every minute, the service queues the reminders that are due and
expires the pending bookings nobody approved in time."""

from __future__ import annotations

from bot.context import Context
from bot.rules.clock import to_ts
from bot.services import bookings as service

REMIND_JOB = "bookings-remind"


async def remind_job(context: Context) -> None:
    """Queue a reminder for every confirmed booking whose reminder is due, and expire the
    pending bookings whose wait is over (one transaction); the outbox sends what they wrote."""
    services = context.services
    now = to_ts(services.clock())
    async with services.db.transaction() as conn:
        await service.queue_reminders(conn, now, services.i18n)
        expired = await service.expire_pending(conn, now, services.i18n)
    if expired:
        services.deliver_now()
