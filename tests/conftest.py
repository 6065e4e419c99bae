"""The flow-test harness: the real Application, polling a local Bot API emulator over HTTP.

    async def test_x(harness: Harness) -> None:
        await harness.start()                       # community loaded, bot polling the emulator
        alice = harness.emu.user(1001, "Alice", "en")
        await harness.command(alice, "start")       # inject, then wait until processed
        msg = harness.emu.last_message(alice["id"])
        await harness.press(alice, msg, harness.emu.find_button(msg, "jb1|"))
        await harness.restart()                     # same database, a new Application

Time is a ``TravelClock`` (``harness.clock.advance(...)``); jobs are run on demand with
``harness.run_job(name)`` instead of waiting for the scheduler.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import ResidentApplication, build_application
from bot.auth import Role
from bot.clock import TravelClock, to_ts
from bot.community import load_file
from bot.config import Settings, load_settings
from bot.feature import Feature
from storage import community, people
from storage.db import Database
from tests.emulator import BotAPIEmulator, SentMessage

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Monday 23 November 2026, 10:00 in Shanghai.
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.emu = BotAPIEmulator()
        self.clock = TravelClock(START)
        self.db_path = tmp_path / "residentbot.db"
        self.app: ResidentApplication | None = None
        self.db: Database | None = None
        self.settings: Settings | None = None

    async def start(
        self,
        *,
        load_example: bool = True,
        locale: str = "zh_Hans",
        features: list[Feature] | None = None,
    ) -> None:
        if not self.emu.base_url:
            await self.emu.start()
        self.settings = load_settings(
            {
                "RESIDENTBOT_TOKEN": self.emu.token,
                "RESIDENTBOT_API_BASE_URL": self.emu.base_url,
                "RESIDENTBOT_API_FILE_URL": self.emu.base_file_url,
                "RESIDENTBOT_DB": str(self.db_path),
                "RESIDENTBOT_LOCALE": locale,
            },
            env_file=self.tmp_path / "no.env",
        )
        self.db = await Database.open(self.db_path)
        if load_example:
            async with self.db.transaction() as conn:
                if await community.get_community(conn) is None:
                    await community.apply_spec(conn, load_file(EXAMPLE))
        self.app = await build_application(
            self.settings, db=self.db, clock=self.clock, rate_limit=False, features=features
        )
        await self.app.initialize()
        if self.app.post_init is not None:  # as run_polling() does, between the two
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)

    async def stop(self) -> None:
        if self.app is not None:
            assert self.app.updater is not None
            if self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
            self.app = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart(self) -> None:
        """A clean restart: PTB writes its persistence and the new Application reads it."""
        await self.stop()
        await self.start(load_example=False)

    async def crash(self) -> None:
        """Stop without PTB's shutdown bookkeeping (no final persistence write): a crash."""
        assert self.app is not None and self.app.updater is not None
        self.app.persistence = None  # nothing more is written from memory
        await self.stop()

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until the bot has processed every update injected so far."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            app = self.app
            if app is not None and app.last_processed_update_id >= self.emu.last_update_id:
                return
            if loop.time() > deadline:
                raise AssertionError(
                    f"the bot did not process update {self.emu.last_update_id} in {timeout}s"
                )
            await asyncio.sleep(0.005)

    # ---- acting as a user -------------------------------------------------------------------
    async def command(
        self, user: dict[str, Any], command: str, args: str = "", chat: Any = None
    ) -> None:
        self.emu.send_command(user, command, args, chat=chat)
        await self.settle()

    async def text(self, user: dict[str, Any], text: str, chat: Any = None) -> None:
        self.emu.send_text(user, text, chat=chat)
        await self.settle()

    async def press(
        self, user: dict[str, Any], message: SentMessage, data: str, chat: Any = None
    ) -> None:
        self.emu.press_button(user, message, data, chat=chat)
        await self.settle()

    async def tap(
        self, user: dict[str, Any], prefix: str, chat_id: int | None = None
    ) -> SentMessage:
        """Press the first button starting with ``prefix`` on the last message in the chat."""
        chat = user["id"] if chat_id is None else chat_id
        message = self.emu.last_message(chat)
        await self.press(user, message, self.emu.find_button(message, prefix))
        return self.emu.last_message(chat)

    # ---- the database, directly (for set-up and for asserting what it holds) -----------------
    async def grant(self, user_id: int, role: Role, building_code: str | None = None) -> None:
        assert self.db is not None
        async with self.db.transaction() as conn:
            building_id = None
            if building_code is not None:
                found = await community.building_by_code(conn, building_code)
                assert found is not None
                building_id = found.id
            await people.grant_role(conn, user_id, role, building_id, None, to_ts(self.clock()))

    async def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        assert self.db is not None
        async with self.db.read() as conn, conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def run_job(self, name: str) -> None:
        """Run a scheduled job now (as the scheduler would), and wait for its sends."""
        assert self.app is not None and self.app.job_queue is not None
        jobs = self.app.job_queue.get_jobs_by_name(name)
        assert len(jobs) == 1, f"expected exactly one job named {name!r}, found {len(jobs)}"
        await jobs[0].run(self.app)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(tmp_path)
    try:
        yield h
    finally:
        await h.stop()
        await h.emu.stop()
