"""The flow-test harness keeps its promises: jobs run only when a test runs them (or when it
asks for the real scheduler), and a press goes to the message the test means."""

from __future__ import annotations

import re

import pytest

from bot.rules.clock import to_ts
from storage import outbox
from tests.conftest import Harness


async def queue_a_message(h: Harness, chat_id: int, text: str) -> None:
    assert h.db is not None
    now = to_ts(h.clock())
    async with h.db.transaction() as conn:
        batch = await outbox.create_batch(conn, "notice", "t", created_by=None, now=now)
        await outbox.enqueue(conn, batch, [(chat_id, outbox.Payload(text=text))], not_before=now)


async def test_periodic_jobs_are_registered_but_run_only_when_the_test_runs_them(
    harness: Harness,
) -> None:
    await harness.start()
    assert harness.app is not None and harness.app.job_queue is not None
    jobs = harness.app.job_queue.jobs()
    assert {job.name for job in jobs} >= {"outbox", "tickets-sla", "votes-due"}
    assert all(job.next_t is None for job in jobs)  # paused: the clock never fires them
    ann = harness.emu.user(7001, "Ann", "en")
    await harness.command(ann, "start")
    await queue_a_message(harness, 7001, "queued for Ann")
    assert "queued for Ann" not in harness.emu.last_message(7001).body
    await harness.run_job("outbox")
    assert harness.emu.last_message(7001).body == "queued for Ann"
    assert await harness.rows("SELECT state FROM outbox") == [("sent",)]


async def test_a_test_may_ask_for_the_real_scheduler(harness: Harness) -> None:
    await harness.start(real_scheduler=True)
    assert harness.app is not None and harness.app.job_queue is not None
    assert all(job.next_t is not None for job in harness.app.job_queue.jobs())
    ann = harness.emu.user(7002, "Ann", "en")
    await harness.command(ann, "start")
    await queue_a_message(harness, 7002, "sent by the scheduler")
    sent = await harness.emu.wait_message(7002, contains="sent by the scheduler", timeout=30)
    assert sent.body == "sent by the scheduler"


async def test_tap_presses_a_button_of_the_latest_answer_and_refuses_to_guess(
    harness: Harness,
) -> None:
    await harness.start()
    ann = harness.emu.user(7003, "Ann", "en")
    await harness.command(ann, "start")
    menu = harness.answer(7003)
    data = next(d for _, d in harness.emu.buttons(menu) if d)
    prefix = data.split("|")[0] + "|"
    with pytest.raises(
        AssertionError, match=re.escape("expected one message with a button 'zz9|'")
    ):
        await harness.tap(ann, "zz9|")
    await harness.command(ann, "help")  # the latest answer is now the help text, no buttons
    with pytest.raises(AssertionError, match="found 0"):
        await harness.tap(ann, prefix)
    await harness.press(ann, menu, data)  # an explicit message is always fine
    assert harness.emu.unanswered_callbacks() == []
