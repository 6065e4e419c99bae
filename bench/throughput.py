"""Peak load: the bare python-telegram-bot echo ceiling, then residentbot's ballots, against the
project's Bot API emulator (in this process, so both pay the same HTTP stack), at several
community sizes seeded through the project's own code.

    .venv/bin/python -m bench.throughput                    # 1,000 / 6,549 / 16,000 households
    .venv/bin/python -m bench.throughput --sizes 1000 --storm-seconds 20

For each size: a burst (``--burst`` ballot presses from different households queued at once:
ballots/s, CPU ms per ballot) and a steady storm (6,549 ballots arriving evenly over
``--storm-seconds`` while unrelated residents send /start twice a second: p50/p99 from the
update being available to its answerCallbackQuery, and the others' p99 to their menu). The
last line printed is JSON; every figure is also given as a ratio to the echo bot measured in
the same run (machines are noisy: compare ratios, not seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import statistics
import sys
import tempfile
import time
import tomllib
from datetime import UTC
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import ResidentApplication, build_application
from bot.config import load_settings
from bot.rules.auth import Relation
from bot.rules.clock import system_clock, to_ts
from bot.rules.community import parse
from bot.rules.tally import Choice
from bot.rules.votes import DEFAULT_OPTIONS
from handlers.kit.callbacks import pack
from handlers.votes.callbacks import Cast
from storage import community, people
from storage import votes as store
from storage.db import Database, fetch_all
from tests.emulator import BotAPIEmulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "community.toml"
FIRST_USER = 20_000_000
OTHERS = 900_000_000  # unrelated residents sending /start during the storm


def community_of(households: int) -> dict[str, Any]:
    """The example community with ``households`` units: buildings of 100 (20 floors x 5)."""
    data = tomllib.loads(EXAMPLE.read_text("utf-8"))
    buildings, left, number = [], households, 1
    while left > 0:
        size = min(100, left)
        units = [
            {
                "floor": 1 + i // 5,
                "room": f"{1 + i // 5}{1 + i % 5:02d}",
                "area": f"{80 + (i % 7) * 9}.50",
                "owner": f"O-{number}-{i}",
            }
            for i in range(size)
        ]
        buildings.append({"code": str(number), "name": f"{number}号楼", "units": units})
        left -= size
        number += 1
    data["buildings"] = buildings
    data["owners"] = [o for o in data.get("owners", []) if o.get("developer")]
    return data


async def seed(path: Path, households: int) -> tuple[int, list[tuple[int, int]]]:
    """The community, one verified owner per unit, and an open household poll for everyone.
    Returns the proposal and (user id, unit id) of every voter."""
    db = await Database.open(path)
    now = to_ts(system_clock())
    async with db.transaction() as conn:
        await community.apply_spec(conn, parse(community_of(households)))
        units = [int(r[0]) for r in await fetch_all(conn, "SELECT id FROM units ORDER BY id")]
        voters = [(FIRST_USER + i, unit) for i, unit in enumerate(units)]
        for user_id, unit in voters:
            await people.upsert_person(conn, user_id, f"R{user_id}", None, "zh-hans", now)
            await people.add_residence(
                conn, user_id, unit, Relation.OWNER, status="verified", via="invite", now=now
            )
        pid = await store.create(
            conn,
            title="Repaint the lobby",
            body="Quote: 30,000 yuan.",
            options=DEFAULT_OPTIONS,
            building_id=None,
            kind="poll",
            art278_item=None,
            basis="household",
            quorum=None,
            duration_days=7,
            author_id=voters[0][0],
            now=now,
        )
        await store.approve(conn, pid, by=voters[0][0], now=now, tz=UTC)
        await store.mark_open(conn, pid)
    await db.close()
    return pid, voters


class Clocked:
    """Timestamps of the emulator's answers: answerCallbackQuery by query id, sendMessage by
    chat id."""

    def __init__(self, emu: BotAPIEmulator) -> None:
        self.answered: dict[str, float] = {}
        self.sent_to: dict[int, list[float]] = {}
        record = emu._record

        def timed(ctx: Any, ok: bool, result: Any, error_code: int | None = None) -> Any:
            call = record(ctx, ok, result, error_code)
            now = time.monotonic()
            name = call.method.lower()
            if name == "answercallbackquery":
                self.answered[str(ctx.params.get("callback_query_id"))] = now
            elif name == "sendmessage" and isinstance(ctx.params.get("chat_id"), int):
                self.sent_to.setdefault(int(ctx.params["chat_id"]), []).append(now)
            return call

        emu._record = timed  # type: ignore[method-assign]


async def until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not keep up within the time allowed")
        await asyncio.sleep(0.01)


async def measure_echo(n: int) -> dict[str, float]:
    emu = BotAPIEmulator(record_polls=False)
    await emu.start()
    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    users = [emu.user(FIRST_USER + i, f"E{i}") for i in range(n)]
    for user in users:  # all queued before the bot looks: its work alone is timed
        emu.send_text(user, "hello")
    mark = emu.mark()
    cpu, started = time.process_time(), time.monotonic()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await until(lambda: len(emu.calls) - mark >= n, 600)
    elapsed, used = time.monotonic() - started, time.process_time() - cpu
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    await emu.stop()
    return {"echo_updates_per_s": n / elapsed, "echo_cpu_ms": 1000 * used / n}


async def start_bot(emu: BotAPIEmulator, path: Path) -> ResidentApplication:
    settings = load_settings(
        {
            "RESIDENTBOT_TOKEN": emu.token,
            "RESIDENTBOT_API_BASE_URL": emu.base_url,
            "RESIDENTBOT_API_FILE_URL": emu.base_file_url,
            "RESIDENTBOT_DB": str(path),
        },
        env_file=path.parent / "no.env",
    )
    db = await Database.open(path)
    app = await build_application(settings, db=db, schedule_jobs=False)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def stop_bot(app: ResidentApplication) -> None:
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    await app.bot_data.services.db.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure_size(
    households: int, burst: int, storm: int, storm_seconds: float
) -> dict[str, float]:
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "bench.db"
    pid, voters = await seed(path, households)
    emu = BotAPIEmulator(record_polls=False)
    clocked = Clocked(emu)
    await emu.start()
    started = time.monotonic()
    app = await start_bot(emu, path)
    startup = time.monotonic() - started
    ballots: dict[int, Any] = {}
    for user_id, unit in voters:
        emu.user(user_id, f"R{user_id}", "zh-hans")
        buttons = [
            [{"text": c.value, "callback_data": pack(Cast(pid, unit, c.value))}] for c in Choice
        ]
        ballots[user_id] = (unit, emu.plant_message(user_id, "🗳", buttons))

    def press(index: int) -> str:
        user_id, unit = voters[index % len(voters)]
        choice = list(Choice)[index % 3].value
        update = emu.press_button(user_id, ballots[user_id][1], pack(Cast(pid, unit, choice)))
        return str(update["callback_query"]["id"])

    # the burst: ballots from different households, all queued before the bot looks
    answered_before = len(clocked.answered)
    assert app.updater is not None
    await app.updater.stop()
    queries = [press(i) for i in range(burst)]
    cpu, t0 = time.process_time(), time.monotonic()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await until(lambda: len(clocked.answered) - answered_before >= burst, 900)
    burst_s, burst_cpu = time.monotonic() - t0, time.process_time() - cpu
    assert all(q in clocked.answered for q in queries)

    # the steady storm, with unrelated residents' /start twice a second
    others = [emu.user(OTHERS + i, f"O{i}", "zh-hans") for i in range(int(storm_seconds * 2))]
    arrivals: dict[str, float] = {}
    other_sent: list[tuple[int, float]] = []
    t0 = time.monotonic()
    next_other = 0
    for i in range(storm):
        due = t0 + storm_seconds * i / storm
        await asyncio.sleep(max(0.0, due - time.monotonic()))  # a steady arrival, not a burst
        now = time.monotonic()
        arrivals[press(burst + i)] = now
        if next_other < len(others) and now - t0 >= next_other * 0.5:
            emu.send_command(others[next_other], "start")
            other_sent.append((OTHERS + next_other, time.monotonic()))
            next_other += 1
    await until(lambda: len(clocked.answered) - answered_before >= burst + storm, 900)
    assert all(q in clocked.answered for q in arrivals)
    await until(lambda: all(c in clocked.sent_to for c, _ in other_sent), 900)
    latencies = [1000 * (clocked.answered[q] - t) for q, t in arrivals.items()]
    others_ms = [1000 * (clocked.sent_to[c][0] - t) for c, t in other_sent]
    await stop_bot(app)
    await emu.stop()
    folder.cleanup()
    return {
        "households": households,
        "ballots_per_s": burst / burst_s,
        "ballot_cpu_ms": 1000 * burst_cpu / burst,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "other_user_p99_ms": percentile(others_ms, 0.99),
        "startup_s": startup,
    }


async def run(sizes: list[int], burst: int, storm: int, storm_seconds: float) -> dict[str, Any]:
    echo = await measure_echo(3000)
    results = []
    for households in sizes:
        figures = await measure_size(households, burst, storm, storm_seconds)
        figures["ratio"] = figures["ballots_per_s"] / echo["echo_updates_per_s"]
        figures["cpu_ratio"] = figures["ballot_cpu_ms"] / echo["echo_cpu_ms"]
        results.append({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    largest = results[-1]
    return {
        "echo_updates_per_s": round(echo["echo_updates_per_s"], 1),
        "echo_cpu_ms": round(echo["echo_cpu_ms"], 3),
        "ballots_per_s": largest["ballots_per_s"],
        "ratio": min(r["ratio"] for r in results),
        "ballot_cpu_ms": largest["ballot_cpu_ms"],
        "p50_ms": largest["p50_ms"],
        "p99_ms": max(r["p99_ms"] for r in results),
        "other_user_p99_ms": max(r["other_user_p99_ms"] for r in results),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "startup_s": largest["startup_s"],
        "sizes": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 6549, 16000])
    parser.add_argument("--burst", type=int, default=1000, help="ballots queued at once")
    parser.add_argument("--storm", type=int, default=6549, help="ballots in the steady storm")
    parser.add_argument("--storm-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args.sizes, args.burst, args.storm, args.storm_seconds))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
