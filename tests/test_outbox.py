"""The outbox sender: pure pacing rules, then the real sender against the emulator (429, 403,
transient errors, a crash mid-broadcast, a restart, the delivery report)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest

from bot.delivery import sender as outbox_module
from bot.delivery.pacing import Pacer, TokenBucket, backoff_seconds
from bot.delivery.sender import Sender
from bot.rules.clock import to_ts
from storage import outbox
from tests.conftest import Harness


class FakeTime:
    """Virtual monotonic time for the pacer: sleeping moves it, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        self.slept += max(0.0, seconds)
        await asyncio.sleep(0)


# ------------------------------------------------------------------------------- pure pacing


@pytest.mark.parametrize(
    ("rate", "capacity", "times", "taken"),
    [
        (1.0, 1.0, [0.0, 0.5, 0.99, 1.0, 1.5, 2.0], [True, False, False, True, False, True]),
        (10.0, 1.0, [0.0, 0.05, 0.1, 0.1, 0.2], [True, False, True, False, True]),
        (1.0, 3.0, [0.0, 0.0, 0.0, 0.0, 1.0], [True, True, True, False, True]),
        (20 / 60, 1.0, [0.0, 2.9, 3.0, 3.1, 6.0], [True, False, True, False, True]),
    ],
)
def test_token_bucket(rate: float, capacity: float, times: list[float], taken: list[bool]) -> None:
    bucket = TokenBucket(rate, capacity)
    assert [bucket.take(t) for t in times] == taken


def test_token_bucket_wait_says_when_the_next_token_comes() -> None:
    bucket = TokenBucket(4.0, 1.0)
    assert bucket.wait(0.0) == 0.0
    assert bucket.take(0.0)
    assert bucket.wait(0.0) == pytest.approx(0.25)
    assert bucket.wait(0.1) == pytest.approx(0.15)
    assert not bucket.take(0.2)
    assert bucket.take(0.25)


@pytest.mark.parametrize("limit", [30.0, 300.0, 45.0])
def test_pacer_never_puts_more_than_the_limit_in_any_one_second_window(limit: float) -> None:
    pacer = Pacer(overall_per_s=limit)
    now, sent = 0.0, list[float]()
    while len(sent) < int(limit * 5):
        if pacer.overall.take(now):
            sent.append(now)
        else:
            now += pacer.overall.wait(now)
    worst = max(
        sum(1 for t in sent if start <= t <= start + 1.0 + 1e-9) for start in sent
    )  # closed windows: the strictest count
    assert worst <= limit
    achieved = (len(sent) - 1) / (sent[-1] - sent[0])
    assert achieved >= 0.95 * limit


@pytest.mark.parametrize("stall", [0.0, 0.05, 0.3])
def test_a_sender_restarted_at_once_does_not_add_to_its_predecessors_last_second(
    stall: float,
) -> None:
    """The old sender stalls (a slow claim), catches up with its saved tokens and dies; the new
    one starts the same instant: together they stay under the limit in every window."""
    limit, sent = 300.0, list[float]()
    old, now = Pacer(overall_per_s=limit), 0.0
    while now < 2.0:
        if old.overall.take(now):
            sent.append(now)
            if len(sent) == 400:
                now += stall
        else:
            now += old.overall.wait(now)
    new = Pacer(overall_per_s=limit)
    new.overall.assume_busy(now)
    while now < 4.0:
        if new.overall.take(now):
            sent.append(now)
        else:
            now += new.overall.wait(now)
    worst = max(sum(1 for t in sent if start <= t <= start + 1.0) for start in sent)
    assert worst <= limit
    assert len(sent) >= 0.95 * limit * 4 - limit * stall


def test_pacer_group_budget_is_20_a_minute_and_people_are_not_limited() -> None:
    pacer = Pacer()
    assert pacer.group_wait(555, 0.0) == 0.0
    assert pacer.take_group(555, 0.0)
    assert pacer.take_group(555, 0.0)  # a person: no group budget
    taken = [t for t in range(0, 120) if pacer.take_group(-100, float(t))]
    assert len([t for t in taken if t < 60]) == 20
    assert taken[:3] == [0, 3, 6]
    assert pacer.group_wait(-100, 1.0) > 0
    assert pacer.group_wait(-200, 1.0) == 0.0  # each group has its own budget


@pytest.mark.parametrize(("attempts", "seconds"), [(0, 2), (1, 2), (2, 4), (3, 8), (20, 300)])
def test_backoff(attempts: int, seconds: int) -> None:
    assert backoff_seconds(attempts) == seconds


# ------------------------------------------------------------------------------- against the emulator


async def people_who_started(h: Harness, ids: list[int], lang: str = "en") -> list[Any]:
    users = [h.emu.user(uid, f"U{uid}", lang) for uid in ids]
    for user in users:
        h.emu.send_command(user, "start")
    await h.settle()
    return users


async def enqueue(
    h: Harness, chats: list[int], *, report_to: int | None = None, at: int | None = None
) -> int:
    assert h.db is not None
    now = to_ts(h.clock())
    async with h.db.transaction() as conn:
        batch = await outbox.create_batch(
            conn,
            "notice",
            "t",
            created_by=report_to,
            now=now,
            not_before=at,
            report_chat_id=report_to,
            title="Water cut",
        )
        await outbox.enqueue(
            conn,
            batch,
            [(c, outbox.Payload(text=f"hello {c}")) for c in chats],
            not_before=now if at is None else at,
        )
    return batch


def sender(h: Harness, fake: FakeTime, **kwargs: Any) -> Sender:
    assert h.app is not None and h.db is not None
    return Sender(
        h.app.bot,
        h.db,
        h.clock,
        i18n=h.app.bot_data.services.i18n,
        monotonic=fake.monotonic,
        sleep=fake.sleep,
        **kwargs,
    )


def texts_to(h: Harness, chat_id: int, mark: int) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in h.emu.calls_of("sendMessage", after=mark)
        if c.ok and c.chat_id == chat_id
    ]


async def states(h: Harness, batch: int) -> dict[int, str]:
    rows = await h.rows("SELECT chat_id, state FROM outbox WHERE batch_id = ?", (batch,))
    return {r[0]: r[1] for r in rows}


async def test_429_pauses_the_sender_and_nothing_is_lost(harness: Harness) -> None:
    await harness.start()
    ids = [5001, 5002, 5003, 5004]
    await people_who_started(harness, ids)
    batch = await enqueue(harness, ids)
    fake = FakeTime()
    s = sender(harness, fake, concurrency=1)
    mark = harness.emu.mark()
    harness.emu.fail_next("sendMessage", error_code=429, retry_after=7)
    result = await s.drain()
    assert result.sent == 0 and result.paused_for == 7
    assert set((await states(harness, batch)).values()) == {"pending"}
    # still paused: the clock has not moved on, nothing is sent
    assert (await s.drain()).sent == 0
    harness.clock.advance(timedelta(seconds=6))
    assert (await s.drain()).sent == 0
    harness.clock.advance(timedelta(seconds=1))
    result = await s.drain()
    assert result.sent == 4
    assert set((await states(harness, batch)).values()) == {"sent"}
    for chat in ids:
        assert texts_to(harness, chat, mark) == [f"hello {chat}"]
    assert fake.slept < 1.0  # the 429 was waited for on the injected clock, not slept through
    attempts = await harness.rows("SELECT MAX(attempts) FROM outbox WHERE batch_id = ?", (batch,))
    assert attempts == [(1,)]  # a 429 does not count as a failed try


async def test_403_marks_the_recipient_blocked_without_retrying(harness: Harness) -> None:
    await harness.start()
    ids = [5011, 5012]
    await people_who_started(harness, ids)
    harness.emu.block_user(5012)
    batch = await enqueue(harness, ids)
    s = sender(harness, FakeTime())
    result = await s.drain()
    assert (result.sent, result.blocked) == (1, 1)
    assert await states(harness, batch) == {5011: "sent", 5012: "blocked"}
    mark = harness.emu.mark()
    harness.clock.advance(timedelta(hours=1))
    await s.drain()
    assert texts_to(harness, 5012, mark) == []
    assert harness.emu.calls_of("sendMessage", after=mark) == []


async def test_transient_errors_retry_with_back_off_then_succeed(harness: Harness) -> None:
    await harness.start()
    await people_who_started(harness, [5021])
    batch = await enqueue(harness, [5021])
    s = sender(harness, FakeTime())
    harness.emu.fail_next("sendMessage", error_code=502, retry_after=None, count=2)
    assert (await s.drain()).retried == 1
    assert await states(harness, batch) == {5021: "pending"}
    assert (await s.drain()).sent == 0  # backing off: not due yet
    harness.clock.advance(timedelta(seconds=2))
    assert (await s.drain()).retried == 1
    harness.clock.advance(timedelta(seconds=2))
    assert (await s.drain()).sent == 0  # the second back-off is longer (4 s)
    harness.clock.advance(timedelta(seconds=2))
    assert (await s.drain()).sent == 1
    assert await harness.rows(
        "SELECT state, attempts FROM outbox WHERE batch_id = ?", (batch,)
    ) == [("sent", 3)]


async def test_a_row_that_keeps_failing_ends_failed(harness: Harness) -> None:
    await harness.start()
    await people_who_started(harness, [5031])
    batch = await enqueue(harness, [5031])
    s = sender(harness, FakeTime())
    harness.emu.fail_next("sendMessage", error_code=500, retry_after=None, count=50)
    for _ in range(8):
        await s.drain()
        harness.clock.advance(timedelta(minutes=10))
    assert await states(harness, batch) == {5031: "failed"}
    assert len(harness.emu.calls_of("sendMessage")) - 1 == 5  # the /start greeting + 5 tries


async def test_a_crash_mid_broadcast_then_restart_reaches_everyone(harness: Harness) -> None:
    await harness.start()
    ids = list(range(6001, 6041))
    await people_who_started(harness, ids)
    batch = await enqueue(harness, ids)
    mark = harness.emu.mark()
    harness.emu.set_delay(0.002)
    first = sender(harness, FakeTime(), concurrency=4)
    task = asyncio.create_task(first.drain())
    while len(harness.emu.calls_of("sendMessage", after=mark)) < 15:  # noqa: ASYNC110
        await asyncio.sleep(0.001)
    task.cancel()  # the process dies: nothing more is marked
    with pytest.raises(asyncio.CancelledError):
        await task
    await harness.crash()  # (the dead sender's connection may be mid-transaction: closed)
    await harness.start(load_example=False)
    left = await harness.rows(
        "SELECT COUNT(*) FROM outbox WHERE batch_id = ? AND state = 'sending'", (batch,)
    )
    assert left[0][0] > 0  # the crash left a claimed chunk behind
    second = sender(harness, FakeTime(), concurrency=4)
    await second.drain()
    got = {c: len(texts_to(harness, c, mark)) for c in ids}
    assert all(n >= 1 for n in got.values()), got  # nobody lost
    duplicates = sum(n - 1 for n in got.values())
    assert duplicates <= 4  # at most the sends in flight when it died
    assert set((await states(harness, batch)).values()) == {"sent"}


async def test_a_clean_restart_in_the_middle_sends_nobody_anything_twice(harness: Harness) -> None:
    await harness.start()
    ids = list(range(6101, 6131))
    await people_who_started(harness, ids)
    batch = await enqueue(harness, ids)
    mark = harness.emu.mark()
    first = sender(harness, FakeTime(), claim=10)
    harness.emu.fail_next("sendMessage", error_code=429, retry_after=5, chat_id=6111)
    await first.drain()  # stops at the 429, half-way
    sent_before = sum(1 for s in (await states(harness, batch)).values() if s == "sent")
    assert 0 < sent_before < len(ids)
    await harness.restart()
    harness.clock.advance(timedelta(seconds=6))
    await harness.run_job("outbox")  # the production job, in the new process
    got = {c: len(texts_to(harness, c, mark)) for c in ids}
    assert set(got.values()) == {1}, got


async def test_the_sender_gets_a_delivery_report_in_their_language(harness: Harness) -> None:
    await harness.start()
    await people_who_started(harness, [5041, 5042, 5043], lang="en")
    await people_who_started(harness, [5049], lang="zh-hans")
    harness.emu.block_user(5043)
    batch = await enqueue(harness, [5041, 5042, 5043], report_to=5049)
    await sender(harness, FakeTime()).drain()
    report = harness.emu.last_message(5049).text or ""
    assert "Water cut" in report
    assert "2 人已收到" in report and "1 人" in report, report
    assert await harness.rows("SELECT state FROM outbox_batches WHERE id = ?", (batch,)) == [
        ("done",)
    ]
    mark = harness.emu.mark()
    await sender(harness, FakeTime()).drain()
    assert harness.emu.calls_of("sendMessage", after=mark) == []  # reported once


async def test_groups_get_at_most_one_message_every_three_seconds(harness: Harness) -> None:
    await harness.start()
    group = harness.emu.group(-100777, "Building 1")
    assert group["id"] == -100777
    first = await enqueue(harness, [-100777])
    second = await enqueue(harness, [-100777])
    fake = FakeTime()
    s = sender(harness, fake)
    result = await s.drain()
    assert (result.sent, result.deferred) == (1, 1)
    assert (await states(harness, first), await states(harness, second)) == (
        {-100777: "sent"},
        {-100777: "pending"},
    )
    fake.now += 3.0
    harness.clock.advance(timedelta(seconds=3))
    assert (await s.drain()).sent == 1


async def test_a_cancelled_batch_is_not_sent(harness: Harness) -> None:
    await harness.start()
    await people_who_started(harness, [5051])
    later = to_ts(harness.clock()) + 3600
    batch = await enqueue(harness, [5051], at=later)
    assert harness.db is not None
    async with harness.db.transaction() as conn:
        assert await outbox.cancel_batch(conn, batch) == 1
    harness.clock.advance(timedelta(hours=2))
    mark = harness.emu.mark()
    await sender(harness, FakeTime()).drain()
    assert harness.emu.calls_of("sendMessage", after=mark) == []
    assert await states(harness, batch) == {5051: "cancelled"}


async def test_an_unexpected_error_puts_the_row_back_instead_of_losing_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.start()
    await people_who_started(harness, [5061])
    batch = await enqueue(harness, [5061])
    real = outbox_module.send_payload
    calls = []

    async def flaky(bot: Any, chat_id: int, payload: outbox.Payload) -> Any:
        calls.append(chat_id)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return await real(bot, chat_id, payload)

    monkeypatch.setattr(outbox_module, "send_payload", flaky)
    s = sender(harness, FakeTime())
    assert (await s.drain()).retried == 1
    assert await states(harness, batch) == {5061: "pending"}
    harness.clock.advance(timedelta(seconds=2))
    assert (await s.drain()).sent == 1
    assert await states(harness, batch) == {5061: "sent"}


async def test_one_chat_gets_its_messages_one_at_a_time_in_the_order_queued(
    harness: Harness,
) -> None:
    """Sends to different people overlap; two sends to one chat never do, so a resident never
    sees a later message above an earlier one."""
    await harness.start()
    ids = [5071, 5072, 5073]
    await people_who_started(harness, ids)
    first = await enqueue(harness, ids)
    assert harness.db is not None
    async with harness.db.transaction() as conn:  # two more messages for each of them
        for n in (2, 3):
            now = to_ts(harness.clock())
            batch = await outbox.create_batch(conn, "notice", "t", created_by=None, now=now)
            await outbox.enqueue(
                conn,
                batch,
                [(c, outbox.Payload(text=f"hello {c} #{n}")) for c in ids],
                not_before=now,
            )
    harness.emu.set_delay(0.02)
    mark = harness.emu.mark()
    result = await sender(harness, FakeTime(), concurrency=4).drain()
    assert result.sent == 9
    for chat in ids:
        assert texts_to(harness, chat, mark) == [
            f"hello {chat}",
            f"hello {chat} #2",
            f"hello {chat} #3",
        ]
    assert harness.emu.max_in_flight_per_chat == 1
    assert harness.emu.max_in_flight >= 2  # different chats still overlap
    assert set((await states(harness, first)).values()) == {"sent"}


async def test_a_clean_stop_mid_broadcast_lets_the_sends_in_flight_finish(
    harness: Harness,
) -> None:
    """The job's drain is still going when the bot stops: nothing is left 'sending', and after
    the restart everyone gets the notice exactly once."""
    await harness.start()
    ids = list(range(6201, 6241))
    await people_who_started(harness, ids)
    batch = await enqueue(harness, ids)
    mark = harness.emu.mark()
    harness.emu.set_delay(0.01)
    assert harness.app is not None
    services = harness.app.bot_data.services
    assert services is not None and services.sender is not None
    running = services.sender.background = asyncio.create_task(services.sender.drain())
    # as the "outbox" job leaves it: the drain goes on in the background
    await harness.emu.wait_for(
        "sendMessage", lambda c: c.ok and c.chat_id == ids[4], after=mark, timeout=30
    )
    assert not running.done()  # 35 more to go at 29 a second
    await harness.restart()  # a clean stop (SIGTERM) in the middle
    after_stop = await states(harness, batch)
    assert "sending" not in after_stop.values()
    assert "sent" in after_stop.values() and "pending" in after_stop.values()
    await harness.run_job("outbox")
    got = {c: len(texts_to(harness, c, mark)) for c in ids}
    assert set(got.values()) == {1}, got
    assert set((await states(harness, batch)).values()) == {"sent"}


async def test_a_broadcast_never_spends_more_than_the_bulk_budget_in_any_second(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real pacing (30 a second, run a little under) on a broadcast of 45: no one-second
    window holds more than 30 sends as the sender hands them to Telegram. (Where Telegram
    counts them, at the receiver, ``bench.broadcast`` measures it: network jitter there is not
    something a test on a busy machine can bound.)"""
    await harness.start()
    ids = list(range(6301, 6346))
    await people_who_started(harness, ids)
    await enqueue(harness, ids)
    assert harness.app is not None and harness.db is not None
    stamps: list[float] = []
    real = outbox_module.send_payload

    async def timed(bot: Any, chat_id: int, payload: outbox.Payload) -> Any:
        stamps.append(time.monotonic())
        return await real(bot, chat_id, payload)

    monkeypatch.setattr(outbox_module, "send_payload", timed)
    sender = Sender(harness.app.bot, harness.db, harness.clock, overall_per_s=30.0)
    sender._recovered = True  # a running sender, not one starting after a crash
    result = await sender.drain()
    assert result.sent == 45
    worst = max(sum(1 for t in stamps if start <= t < start + 1.0) for start in stamps)
    assert worst <= 30
    assert stamps[-1] - stamps[0] >= 1.0  # 45 sends cannot fit in one second at 30 a second
