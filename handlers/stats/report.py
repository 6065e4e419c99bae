"""The "figures-report" job: every ten minutes it plans this month's report and queues any
report that is due (``bot.services.reports``), then lets the outbox send it."""

from __future__ import annotations

from bot.context import Context
from bot.services import reports

REPORT_JOB = "figures-report"
INTERVAL_SECONDS = 600.0


async def report_job(context: Context) -> None:
    services = context.services
    if await reports.send_due(services.db, services.clock, services.i18n):
        services.deliver_now()
