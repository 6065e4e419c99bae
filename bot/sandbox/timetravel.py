"""The sandbox's clock moved forward (an hour, a day, to the next deadline), then the due work
done at once: every periodic job runs, as the scheduler would, and what they queued is sent.

The bot reads time only through its injected clock (``bot.rules.clock``), so moving this
``TravelClock`` is all it takes for SLA reminders, booking reminders, votes closing and meeting
reminders to fall due."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import ResidentApplication
from bot.context import Services
from bot.rules.clock import TravelClock, from_ts, to_ts
from storage import deadlines

STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
WAYS = (*STEPS, "deadline")


async def travel(app: ResidentApplication, clock: TravelClock, how: str) -> datetime | None:
    """Move the clock (``how``: one of ``WAYS``) and run the due work; the new time, or None
    when "deadline" finds nothing scheduled (the clock stays)."""
    if how in STEPS:
        target = clock() + STEPS[how]
    elif how == "deadline":
        services: Services = app.bot_data.services
        async with services.db.read() as conn:
            due = await deadlines.next_due(conn, to_ts(clock()))
        if due is None:
            return None
        target = from_ts(due)
    else:
        raise ValueError(f"unknown way to move the time: {how!r}")
    clock.set(target)
    await run_due_work(app)
    return target


async def run_due_work(app: ResidentApplication) -> None:
    """Every periodic job once, now, in the order they were registered; then until the outbox
    has sent what they queued."""
    assert app.job_queue is not None
    for job in app.job_queue.jobs():
        await job.run(app)
    services: Services = app.bot_data.services
    if services.sender is not None:
        await services.sender.until_idle()
