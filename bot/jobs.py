"""Scheduler jobs that belong to no single feature. Each sweeps rows that are due in the
database, so a restart loses nothing; job names are fixed (see ``bot.feature.JobSpec``)."""

from __future__ import annotations

import asyncio

from bot.context import Context
from bot.delivery import JOB_NAME, Sender
from bot.feature import Feature, JobSpec


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


FEATURE = Feature(
    name="jobs",
    handlers=lambda: [],
    jobs=(JobSpec(JOB_NAME, outbox_job, interval_seconds=1.0, first_seconds=1.0),),
)
