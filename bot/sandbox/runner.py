"""``residentbot sandbox``: the real bot (the Application ``residentbot run`` builds, its jobs
on the scheduler) polling the emulator, on a sandbox database with the cast ready, and the page
served by the emulator's own HTTP server. Nothing leaves the machine; no token is needed."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.app import ResidentApplication, build_application
from bot.config import Settings
from bot.i18n import LOCALES, I18n, Translator
from bot.rules.clock import TravelClock
from bot.rules.community import load_file
from bot.sandbox import personas
from bot.sandbox.emulator import BotAPIEmulator
from bot.sandbox.personas import PERSONAS, Cast
from bot.sandbox.web import add_routes
from storage import backup, community, people
from storage.db import Database

#: The example community of the source tree (``residentbot init examples/community.toml``).
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "community.toml"
#: Telegram's language code for each of our locales (what a phone set to it would send).
LANGUAGE_CODES = {"zh_Hans": "zh-hans", "en": "en", "zh_Hant": "zh-hant"}


@dataclass(frozen=True)
class Options:
    db_path: Path  # the sandbox's own database file
    source: Path | None = None  # --db: start from a copy of this database instead
    community_file: Path = EXAMPLE
    reset: bool = False
    port: int = 0
    #: Telegram's pace (about a message a second per private chat); tests go faster without.
    paced: bool = True


class SandboxError(Exception):
    """Why the sandbox cannot start, in one line for the person starting it."""


class Sandbox:
    def __init__(self, settings: Settings, options: Options, clock: TravelClock | None = None):
        self.options = options
        self.clock = clock or TravelClock(datetime.now(UTC))
        # record_polls: a long session would keep every poll otherwise
        self.emu = BotAPIEmulator(
            bot_username="residentbot_sandbox_bot",
            bot_first_name="Resident Bot",
            record_polls=False,
        )
        #: One move of the clock at a time (two pages pressing at once wait for each other).
        self.travelling = asyncio.Lock()
        self.settings = settings
        self.i18n = I18n(settings.timezone, settings.locale, clock=self.clock)
        self.db: Database | None = None
        self.app: ResidentApplication | None = None
        self.cast: Cast | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.emu.port}/"

    async def start(self) -> str:
        """Prepare the database, start the emulator with the page and the bot; the address."""
        self._prepare_file()
        await self.emu.start(port=self.options.port, routes=lambda app: add_routes(app, self))
        settings = replace(
            self.settings,
            token=self.emu.token,
            api_base_url=self.emu.base_url,
            api_file_url=self.emu.base_file_url,
            db_path=self.options.db_path,
            backup=replace(self.settings.backup, hour=None),
        )
        self.db = await Database.open(self.options.db_path)
        await self._load_community()
        self.cast = await personas.prepare(self.db, self.emu, self.clock)
        self.app = await build_application(
            settings, db=self.db, clock=self.clock, rate_limit=self.options.paced
        )
        await self.app.initialize()
        if self.app.post_init is not None:  # as run_polling() does
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0,
            timeout=10,
            allowed_updates=["message", "callback_query", "my_chat_member"],
        )
        return self.address

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is not None:
            assert app.updater is not None
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
            await app.shutdown()
        if self.db is not None:
            await self.db.close()
            self.db = None
        await self.emu.stop()

    async def translator(self, user_id: int) -> Translator:
        """The person's language, as the bot picks it (stored with /language or by the page,
        else their Telegram language): the page speaks it too."""
        assert self.db is not None
        async with self.db.peek() as conn:
            stored = await people.stored_locale(conn, user_id)
        persona = next(p for p in PERSONAS if p.user_id == user_id)
        return self.i18n.for_user(stored, persona.language_code)

    async def set_language(self, user_id: int, locale: str) -> None:
        """The person's language, as if they had picked it with /language (stored) and set
        their phone to it (Telegram's language code)."""
        persona = next(p for p in PERSONAS if p.user_id == user_id)
        if locale not in LOCALES:
            raise ValueError(f"unknown locale {locale!r}")
        assert self.db is not None
        async with self.db.transaction() as conn:
            await people.set_locale(conn, user_id, locale)
        self.emu.user(user_id, persona.name, LANGUAGE_CODES[locale])

    def _prepare_file(self) -> None:
        path = self.options.db_path
        if self.options.reset or self.options.source is not None:
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        if self.options.source is None:
            return
        source = self.options.source.resolve()
        if source == path.resolve():
            raise SandboxError("--db names the sandbox's own file: give another database")
        if not source.is_file():
            raise SandboxError(f"there is no database at {source}")
        with tempfile.TemporaryDirectory(dir=path.parent) as folder:
            try:
                copy = backup.take(source, Path(folder), datetime.now(UTC), gzipped=False)
            except backup.BackupError as exc:
                raise SandboxError(f"cannot copy {source}: {exc}") from exc
            copy.replace(path)

    async def _load_community(self) -> None:
        assert self.db is not None
        async with self.db.read() as conn:
            loaded = await community.get_community(conn) is not None
        if loaded:
            return
        if not self.options.community_file.is_file():
            raise SandboxError(
                f"no community file at {self.options.community_file}: give one with --community"
            )
        async with self.db.transaction() as conn:
            await community.apply_spec(conn, load_file(self.options.community_file))
