"""Scheduler jobs that belong to no single feature (the outbox, the daily backup). Each sweeps
rows that are due in the database, so a restart loses nothing; job names are fixed (see
``bot.feature.JobSpec``)."""

from __future__ import annotations

import asyncio
import logging

from bot.context import Context
from bot.delivery import JOB_NAME, Sender
from bot.feature import Feature, JobSpec
from bot.services import backups

log = logging.getLogger(__name__)
BACKUP_JOB = "backup"


def sender_for(context: Context) -> Sender:
    sender = context.services.sender
    if sender is None:
        raise RuntimeError("the application has no outbox sender: build it with bot.app")
    return sender


#: How long one run of the job waits for its drain. A long broadcast goes on in the
#: background (the next runs find it busy and leave it alone), so the scheduler never sees a
#: run outlast its 1 s interval, and one sender per application paces everything.
JOB_WAIT = 0.9


async def outbox_job(context: Context) -> None:
    """Every second: send what is due."""
    sender = sender_for(context)
    task = sender.background
    if task is None or task.done():
        task = sender.background = asyncio.create_task(sender.drain())
    done, _ = await asyncio.wait({task}, timeout=JOB_WAIT)
    if task in done:
        task.result()  # an error reaches PTB's error handler (and the log)


async def backup_job(context: Context) -> None:
    """Every minute: the daily backup, if its row is due (claimed first, so once a day even
    across restarts), then the retention; a failure is told to the administrators."""
    services = context.services
    setup = services.settings.backup
    if setup.hour is None:
        return
    zone = services.settings.timezone
    now = services.clock()
    async with services.db.transaction() as conn:
        due = await backups.claim_due(conn, now, setup.hour, zone)
    if due is None:
        return
    outcome = await asyncio.to_thread(backups.make_backup, services.db.path, setup, now, zone)
    async with services.db.transaction() as conn:
        told = await backups.finish(
            conn, due, outcome, services.clock(), services.i18n, setup.folder
        )
    if outcome.error is not None:
        log.error("the daily backup failed (%s administrators told): %s", told, outcome.error)
        services.deliver_now()
    else:
        log.info("daily backup: %s (%d old ones removed)", outcome.file, len(outcome.removed))


FEATURE = Feature(
    name="jobs",
    handlers=lambda: [],
    jobs=(
        JobSpec(JOB_NAME, outbox_job, interval_seconds=1.0, first_seconds=1.0),
        JobSpec(BACKUP_JOB, backup_job, interval_seconds=60.0, first_seconds=30.0),
    ),
)
