"""Scheduler jobs that belong to no single feature. Each sweeps rows that are due in the
database, so a restart loses nothing; job names are fixed (see ``bot.feature.JobSpec``)."""

from __future__ import annotations

from bot.context import Context
from bot.feature import Feature, JobSpec
from bot.outbox import JOB_NAME, drain_once


async def outbox_job(context: Context) -> None:
    services = context.services
    await drain_once(context.bot, services.db, services.clock)


FEATURE = Feature(
    name="jobs",
    handlers=lambda: [],
    jobs=(JobSpec(JOB_NAME, outbox_job, interval_seconds=1.0, first_seconds=1.0),),
)
