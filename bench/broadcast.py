"""Broadcast pace: one notice to N recipients through the real sender (bot.delivery.Sender) and
the real python-telegram-bot request stack, against the Bot API emulator started in-process.
Half-way the sender is killed (its drain task cancelled abruptly, its database connection
dropped) and a new one starts on the same database file, as after a crash.

    .venv/bin/python -m bench.broadcast                     # 3,000 recipients at 30/s (~100 s)
    .venv/bin/python -m bench.broadcast --rate 300          # the same at 300/s (~10 s)

The last line printed is JSON: recipients, rate_limit, achieved_per_s, ratio (achieved / limit),
max_in_any_1s_window, lost, duplicates (from the emulator's recorded sendMessage calls),
claimed_unmarked_at_kill (rows claimed but not marked sent when the sender died: all are sent
again), reached_unmarked_at_kill (those whose send had already reached Telegram: the only ones
that can arrive twice, never more than the sends in flight, ``--concurrency``), restart_gap_s,
elapsed_s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from telegram import Bot

from bot.delivery import Sender
from bot.delivery.http import AiohttpRequest
from bot.delivery.sender import CONCURRENCY
from bot.rules.clock import system_clock, to_ts
from storage import outbox
from storage.db import Database, fetch_all
from tests.emulator import BotAPIEmulator

FIRST_USER = 10_000_000


def max_in_window(stamps: list[float], window: float = 1.0) -> int:
    """The most sends in any half-open window [t, t + window)."""
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(recipients: int, rate: float, concurrency: int, kill_at: float) -> dict[str, Any]:
    emu = BotAPIEmulator(record_polls=False)
    stamps: list[tuple[float, int]] = []  # (when the emulator answered, chat id) of each send
    record = emu._record

    def timed_record(ctx: Any, ok: bool, result: Any, error_code: int | None = None) -> Any:
        call = record(ctx, ok, result, error_code)
        if ok and call.method.lower() == "sendmessage":
            stamps.append((time.monotonic(), int(ctx.params["chat_id"])))
        return call

    emu._record = timed_record  # type: ignore[method-assign]
    await emu.start()
    chats = [FIRST_USER + i for i in range(recipients)]
    for chat in chats:
        emu.user(chat, f"R{chat}", "zh-hans")

    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "bench.db"
    db = await Database.open(path)
    now = to_ts(system_clock())
    async with db.transaction() as conn:
        batch = await outbox.create_batch(
            conn, "notice", "bench", created_by=None, now=now, title="bench"
        )
        payload = outbox.Payload(text="明天 9:00–12:00 停水，请提前储水。")
        await outbox.enqueue(conn, batch, [(c, payload) for c in chats], not_before=now)

    request = AiohttpRequest(connection_pool_size=concurrency + 4)
    bot = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url, request=request)
    await bot.initialize()

    def sender_on(database: Database) -> Sender:
        return Sender(bot, database, system_clock, overall_per_s=rate, concurrency=concurrency)

    started = time.monotonic()
    first = asyncio.create_task(sender_on(db).drain())
    while len(stamps) < int(recipients * kill_at):  # noqa: ASYNC110 (the emulator's count)
        await asyncio.sleep(0.001)
    first.cancel()  # the crash: whatever was in flight dies with it
    killed_at = time.monotonic()
    await asyncio.gather(first, return_exceptions=True)
    await db.close()  # a dead process's connection: its open transaction is rolled back
    await emu.wait_idle(quiet=0.05)  # requests already on the wire are still answered
    db = await Database.open(path)
    async with db.read() as conn:
        unmarked = {
            int(r[0])
            for r in await fetch_all(conn, "SELECT chat_id FROM outbox WHERE state = 'sending'")
        }
    # Sends that reached Telegram but were never marked sent: only these can arrive twice.
    reached_unmarked = len(unmarked & {chat for _, chat in stamps})
    second = sender_on(db)
    restarted_at = time.monotonic()
    await second.drain()
    elapsed = time.monotonic() - started
    async with db.read() as conn:
        counts = await outbox.counts(conn, batch)
    await db.close()
    await bot.shutdown()
    await emu.stop()
    folder.cleanup()

    times = sorted(t for t, _ in stamps)
    per_chat = Counter(chat for _, chat in stamps)
    resumed = [t for t in times if t >= restarted_at]
    gap = (resumed[0] - max(t for t in times if t <= killed_at)) if resumed else 0.0
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "recipients": recipients,
        "rate_limit": rate,
        "achieved_per_s": round(achieved, 2),
        "ratio": round(achieved / rate, 4),
        "max_in_any_1s_window": max_in_window(times),
        "lost": sum(1 for c in chats if per_chat[c] == 0),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "claimed_unmarked_at_kill": len(unmarked),
        "reached_unmarked_at_kill": reached_unmarked,
        "restart_gap_s": round(gap, 3),
        "rows_sent": counts.sent,
        "rows_failed": counts.failed,
        "elapsed_s": round(elapsed, 2),
        "concurrency": concurrency,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", "-n", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=30.0, help="overall limit, messages/s")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"sends in flight at most (the bot's: {CONCURRENCY})",
    )
    parser.add_argument("--kill-at", type=float, default=0.503, help="share sent before the kill")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args.recipients, args.rate, args.concurrency, args.kill_at))
    print(json.dumps(result, ensure_ascii=False))
    ok = (
        result["ratio"] >= 0.95
        and result["max_in_any_1s_window"] <= args.rate
        and result["lost"] == 0
        and result["duplicates"] <= result["reached_unmarked_at_kill"] <= args.concurrency
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
