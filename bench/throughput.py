"""Peak load: the bare python-telegram-bot echo ceiling, then residentbot's ballots, against the
project's Bot API emulator, at several community sizes seeded through the project's own code.
Each bot runs in its own process (``bench.bot_process``), the emulator and the load in this
one, as against Telegram: a bot's CPU time and its core are its own.

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
import os
import signal
import statistics
import sys
import tempfile
import time
import tomllib
from datetime import UTC
from pathlib import Path
from typing import Any

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
    chat id; and the bot's first getUpdates (when it starts to work) with its CPU time then."""

    def __init__(self, emu: BotAPIEmulator) -> None:
        self.answered: dict[str, float] = {}
        self.sent_to: dict[int, list[float]] = {}
        self.sent = 0
        self.bot: BotProcess | None = None
        self.first_poll: tuple[float, float] | None = None  # (monotonic, the bot's CPU s)
        record = emu._record
        get_updates = emu._get_updates

        def timed(ctx: Any, ok: bool, result: Any, error_code: int | None = None) -> Any:
            call = record(ctx, ok, result, error_code)
            now = time.monotonic()
            name = call.method.lower()
            if name == "answercallbackquery":
                self.answered[str(ctx.params.get("callback_query_id"))] = now
            elif name == "sendmessage" and isinstance(ctx.params.get("chat_id"), int):
                self.sent_to.setdefault(int(ctx.params["chat_id"]), []).append(now)
                self.sent += 1
            return call

        async def polled(params: Any) -> Any:
            if self.first_poll is None and self.bot is not None:
                self.first_poll = (time.monotonic(), self.bot.cpu_s())
            return await get_updates(params)

        emu._record = timed  # type: ignore[method-assign]
        emu._get_updates = polled  # type: ignore[method-assign]

    async def started(self, bot: BotProcess) -> tuple[float, float]:
        """Start the bot; returns the moment and its CPU time when it first asked for updates
        (everything queued before that is its work alone)."""
        self.bot, self.first_poll = bot, None
        await bot.start()
        await until(lambda: self.first_poll is not None, 120)
        assert self.first_poll is not None
        return self.first_poll


class BotProcess:
    """``bench.bot_process`` in a child process: its CPU time is read from /proc (every thread
    of it, SQLite's included), its start-up time and peak memory from its last line."""

    def __init__(self, kind: str, emu: BotAPIEmulator, db: Path | None = None) -> None:
        self.args = [
            sys.executable,
            "-m",
            "bench.bot_process",
            kind,
            "--base-url",
            emu.base_url,
            "--file-url",
            emu.base_file_url,
            "--token",
            emu.token,
            *(["--db", str(db)] if db else []),
        ]
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )

    def cpu_s(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> dict[str, float]:
        assert self.process is not None and self.process.stdout is not None
        self.process.send_signal(signal.SIGTERM)
        out = await self.process.stdout.read()
        if await self.process.wait() != 0:
            raise RuntimeError(f"the bot exited with {self.process.returncode}")
        return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not keep up within the time allowed")
        await asyncio.sleep(0.005)


async def measure_echo(n: int) -> dict[str, float]:
    emu = BotAPIEmulator(record_polls=False)
    clocked = Clocked(emu)
    await emu.start()
    users = [emu.user(FIRST_USER + i, f"E{i}") for i in range(n)]
    for user in users:  # all queued before the bot looks: its work alone is timed
        emu.send_text(user, "hello")
    bot = BotProcess("echo", emu)
    started, cpu = await clocked.started(bot)
    await until(lambda: clocked.sent >= n, 600)
    elapsed, used = time.monotonic() - started, bot.cpu_s() - cpu
    await bot.stop()
    await emu.stop()
    return {"echo_updates_per_s": n / elapsed, "echo_cpu_ms": 1000 * used / n}


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
    queries = [press(i) for i in range(burst)]
    bot = BotProcess("resident", emu, path)
    t0, cpu = await clocked.started(bot)
    await until(lambda: len(clocked.answered) >= burst, 900)
    burst_s, burst_cpu = time.monotonic() - t0, bot.cpu_s() - cpu
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
    await until(lambda: len(clocked.answered) >= burst + storm, 900)
    assert all(q in clocked.answered for q in arrivals)
    await until(lambda: all(c in clocked.sent_to for c, _ in other_sent), 900)
    latencies = [1000 * (clocked.answered[q] - t) for q, t in arrivals.items()]
    others_ms = [1000 * (clocked.sent_to[c][0] - t) for c, t in other_sent]
    own = await bot.stop()
    await emu.stop()
    folder.cleanup()
    return {
        "households": households,
        "ballots_per_s": burst / burst_s,
        "ballot_cpu_ms": 1000 * burst_cpu / burst,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "other_user_p99_ms": percentile(others_ms, 0.99),
        "startup_s": own["startup_s"],
        "rss_mb": own["rss_mb"],
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
        "rss_mb": largest["rss_mb"],
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
