"""The flow-test harness: the real Application, polling a local Bot API emulator over HTTP.

    async def test_x(harness: Harness) -> None:
        await harness.start()                       # community loaded, bot polling the emulator
        alice = harness.emu.user(1001, "Alice", "en")
        await harness.command(alice, "start")       # inject, then wait until processed
        await harness.tap(alice, "jb1|")            # press a button of the bot's last answer
        card = harness.answer(STAFF_CHAT, "sa1|")   # the message of that answer with such a button
        await harness.press(staff, card, harness.emu.find_button(card, "sa1|"))
        await harness.run_job("outbox")             # a periodic job, now, to its end
        await harness.restart()                     # same database, a new Application

Deterministic by construction:

- Time is a ``TravelClock`` (``harness.clock.advance(...)``), never slept.
- Periodic jobs are registered but paused: they run only when a test runs them with
  ``harness.run_job(name)``, which also waits for the outbox's sends to end. A test that wants
  the real scheduler says so: ``harness.start(real_scheduler=True)``.
- Every action waits on a condition (the update processed), never on a sleep.
- A press targets an explicit message: ``press(user, message, data)``, or ``tap(user, prefix)``,
  which presses the one message of the bot's latest answer in that chat carrying such a button
  and fails if there is none or more than one; never "whatever arrived last".

Each test gets its own database file, copied from a template migrated and loaded with the
example community once per test process.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import ResidentApplication, build_application
from bot.config import Settings, load_settings
from bot.feature import Feature
from bot.rules.auth import Role
from bot.rules.clock import TravelClock, to_ts
from bot.rules.community import load_file
from bot.sandbox.emulator import BotAPIEmulator, SentMessage
from bot.updates import FloodGuard
from storage import community, people
from storage.db import Database
from tests import privacy_walk as walk

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Monday 23 November 2026, 10:00 in Shanghai.
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
#: Generous: a condition that is not met in this time is a bug, not a slow machine.
SETTLE_TIMEOUT = 30.0


class _Templates:
    """Database files made once per test process: migrated, and with the example community."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._files: dict[bool, Path] = {}

    async def copy_to(self, target: Path, *, with_example: bool) -> None:
        source = self._files.get(with_example)
        if source is None:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="residentbot-templates-"))
            source = self._folder / f"template-{int(with_example)}.db"
            db = await Database.open(source)
            if with_example:
                async with db.transaction() as conn:
                    await community.apply_spec(conn, load_file(EXAMPLE))
            await db.close()
            self._files[with_example] = source
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)

    def remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


TEMPLATES = _Templates()


@pytest.fixture(scope="session", autouse=True)
def _remove_templates() -> Iterator[None]:
    yield
    TEMPLATES.remove()


@pytest.fixture(autouse=True)
def _stop_forgotten_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that fails before ``await db.close()`` leaves aiosqlite's worker thread running,
    and the process would then never exit: stop the thread of every database it left open."""
    opened: list[Database] = []
    real_open = Database.open.__func__  # type: ignore[attr-defined]

    async def recording_open(cls: type[Database], *args: Any, **kwargs: Any) -> Database:
        db: Database = await real_open(cls, *args, **kwargs)
        opened.append(db)
        return db

    monkeypatch.setattr(Database, "open", classmethod(recording_open))
    yield
    for db in opened:
        connection = db._conn
        if connection._running:
            connection.stop()  # aiosqlite's own way out, usable without the test's loop


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.emu = BotAPIEmulator()
        self.clock = TravelClock(START)
        self.db_path = tmp_path / "residentbot.db"
        self.app: ResidentApplication | None = None
        self.db: Database | None = None
        self.settings: Settings | None = None
        self._start_args: dict[str, Any] = {}
        #: For each chat, the messages the bot sent or edited there in its latest answer.
        self._answers: dict[int, list[int]] = {}
        self._seen = 0  # emu.calls up to here are accounted for in _answers

    async def start(
        self,
        *,
        load_example: bool = True,
        locale: str = "zh_Hans",
        features: list[Feature] | None = None,
        real_scheduler: bool = False,
        flood_guard: FloodGuard | None = None,
    ) -> None:
        if not self.emu.base_url:
            await self.emu.start()
        self._start_args = {
            "locale": locale,
            "features": features,
            "real_scheduler": real_scheduler,
        }
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
        if not self.db_path.exists():
            await TEMPLATES.copy_to(self.db_path, with_example=load_example)
        self.db = await Database.open(self.db_path)
        if load_example:
            async with self.db.transaction() as conn:
                if await community.get_community(conn) is None:
                    await community.apply_spec(conn, load_file(EXAMPLE))
        self.app = await build_application(
            self.settings,
            db=self.db,
            clock=self.clock,
            rate_limit=False,
            features=features,
            schedule_jobs=real_scheduler,
            flood_guard=flood_guard,
        )
        await self.app.initialize()
        if self.app.post_init is not None:  # as run_polling() does, between the two
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        self._note_answers()

    async def stop(self) -> None:
        if self.app is not None:
            assert self.app.updater is not None
            if self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
                if self.app.post_stop is not None:  # as run_polling() does after stop()
                    await self.app.post_stop(self.app)
            await self.app.shutdown()
            self.app = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart(self) -> None:
        """A clean restart: PTB writes its persistence and the new Application reads it."""
        await self.stop()
        await self.start(load_example=False, **self._start_args)

    async def crash(self) -> None:
        """Stop without PTB's shutdown bookkeeping (no final persistence write) and with the
        outbox's sends in flight killed: a crash."""
        assert self.app is not None and self.app.updater is not None
        self.app.persistence = None  # nothing more is written from memory
        sender = self.app.bot_data.services and self.app.bot_data.services.sender
        if sender is not None and sender.background is not None:
            sender.background.cancel()
            await asyncio.wait({sender.background})
        await self.stop()

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Wait until the bot has processed every update injected so far."""
        app = self.app
        assert app is not None, "start the harness first"
        try:
            async with asyncio.timeout(timeout):
                await app.until_processed(self.emu.last_update_id)
                await self._deliveries_sent()
        except TimeoutError:
            raise AssertionError(
                f"the bot did not process update {self.emu.last_update_id} in {timeout}s\n"
                f"{self.emu.dump_calls()}"
            ) from None
        self._note_answers()

    async def _deliveries_sent(self) -> None:
        """Until the outbox drain an update kicked off (pushes to others) has ended."""
        services = self.app.bot_data.services if self.app is not None else None
        if services is not None and services.sender is not None:
            await services.sender.until_idle()

    # ---- what the bot answered --------------------------------------------------------------
    def _note_answers(self) -> None:
        """Record, per chat, the messages the calls since the last note sent or edited."""
        calls = self.emu.calls
        touched: dict[int, list[int]] = {}
        for call in calls[self._seen :]:
            for msg in call.sent:
                ids = touched.setdefault(msg.chat_id, [])
                if msg.message_id not in ids:
                    ids.append(msg.message_id)
        self._seen = len(calls)
        self._answers.update(touched)

    def answers(self, chat_id: int) -> list[SentMessage]:
        """The messages the bot sent or edited in this chat in its latest answer there."""
        return [self.emu.message(chat_id, mid) for mid in self._answers.get(chat_id, [])]

    def answer(self, chat_id: int, prefix: str | None = None) -> SentMessage:
        """The one message of the bot's latest answer in this chat that carries a button whose
        data starts with ``prefix`` (without a prefix: the answer must be a single message)."""
        found = self.answers(chat_id)
        if prefix is not None:
            found = [
                m for m in found if any(d and d.startswith(prefix) for _, d in self.emu.buttons(m))
            ]
        if len(found) != 1:
            what = f" with a button {prefix!r}" if prefix is not None else ""
            shown = "\n".join(self.emu.dump_message(m) for m in self.answers(chat_id))
            raise AssertionError(
                f"expected one message{what} in the bot's latest answer in chat {chat_id}, "
                f"found {len(found)}; the answer was:\n{shown or '(nothing)'}"
            )
        return found[0]

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
        """Press the button starting with ``prefix`` on the message of the bot's latest answer
        in the chat (the user's private chat by default) that carries one; return the message
        the bot shows there last afterwards."""
        chat = user["id"] if chat_id is None else chat_id
        message = self.answer(chat, prefix)
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
        """Run a periodic job now, as the scheduler would, and wait until what it started has
        ended (the outbox's drain goes on in the background past the job's own run)."""
        assert self.app is not None and self.app.job_queue is not None
        jobs = self.app.job_queue.get_jobs_by_name(name)
        assert len(jobs) == 1, f"expected exactly one job named {name!r}, found {len(jobs)}"
        await jobs[0].run(self.app)
        await self._deliveries_sent()
        self._note_answers()


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(tmp_path)
    try:
        yield h
    finally:
        await h.stop()
        await h.emu.stop()


@pytest.fixture(autouse=True)
def privacy_walk(request: pytest.FixtureRequest) -> Iterator[walk.Walk]:
    """At the end of every test that uses the harness, walk every message the bot posted to a
    group chat (``tests/privacy_walk.py``) and fail on a phone or ID number, a unit, a
    complaint's author or a ballot choice. A test that posts one on purpose calls
    ``privacy_walk.expect(text)``: the walk must then find it (and only it)."""
    expected = walk.Walk()
    if "harness" not in request.fixturenames:
        yield expected
        return
    h: Harness = request.getfixturevalue("harness")  # set up first, so torn down after this
    yield expected
    found = walk.problems(h.emu, h.db_path)
    unexplained = [p for p in found if not any(text in p for text in expected.expected)]
    missed = [text for text in expected.expected if not any(text in p for p in found)]
    if unexplained or missed:
        lines = ["the privacy walk of the bot's group messages failed:"]
        lines += [f"  {p}" for p in unexplained]
        lines += [f"  expected but not found: {text!r}" for text in missed]
        pytest.fail("\n".join(lines), pytrace=False)
