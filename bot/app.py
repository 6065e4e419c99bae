"""build_application(): wires settings, storage, features, jobs, rate limiter and persistence.

Features are assembled here, in this order, all in handler group 0 (the first handler that
matches an update handles it): flows with conversations first, then plain commands, and the
catch-all answers of ``handlers.errors`` last.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from functools import partial
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.warnings import PTBUserWarning

from bot import jobs
from bot.config import Settings
from bot.context import BotData, Context, Services
from bot.delivery import Sender
from bot.delivery.http import AiohttpRequest
from bot.delivery.limits import TelegramLimits
from bot.feature import Feature
from bot.i18n import I18n
from bot.persistence import SQLitePersistence
from bot.rules.clock import Clock, system_clock
from bot.updates import FloodGuard, InOrderPerPerson
from handlers import (
    admin,
    bookings,
    errors,
    inspections,
    join,
    meetings,
    notices,
    roster,
    start,
    stats,
    tickets,
    volunteering,
    votes,
)
from handlers.tickets.keyboards import LINKS as TICKET_LINKS
from storage.db import Database

log = logging.getLogger(__name__)

FEATURES: list[Feature] = [
    join.FEATURE,
    inspections.feature(TICKET_LINKS),  # before tickets: its photo step comes before a report's
    volunteering.FEATURE,  # before tickets: a voice note in its help wizard is not a report
    tickets.FEATURE,
    bookings.FEATURE,
    votes.FEATURE,
    notices.FEATURE,
    meetings.FEATURE,
    stats.FEATURE,
    roster.FEATURE,
    start.FEATURE,
    admin.FEATURE,
    jobs.FEATURE,
    errors.FEATURE,  # last: the catch-all answers
]

COMMAND_LANGUAGES = {"zh_Hans": "zh", "en": "en"}  # Telegram knows two-letter codes only


class ResidentApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, writing persistence after every update, so a crash loses at most the
    update in hand (PTB alone writes every ``update_interval`` seconds), and knowing which
    updates are done (they run concurrently: ``bot.updates``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen = 0  # the highest update id begun
        self._in_flight: set[int] = set()
        self._progress: asyncio.Event | None = None
        self.http_clients: tuple[AiohttpRequest, ...] = ()

    async def close_http_clients(self) -> None:
        """Close the Bot API clients of an application whose ``initialize`` failed (PTB's
        shutdown skips a bot that never initialised, leaving their sessions open)."""
        for client in self.http_clients:
            await client.shutdown()

    async def process_update(self, update: object) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        if update_id is not None:
            self._begun(update_id)
        try:
            await super().process_update(update)
            if self.persistence is not None:
                await self.update_persistence()
        finally:
            if update_id is not None:
                self._in_flight.discard(update_id)
                self._signal()

    def note_skipped(self, update: object) -> None:
        """An update the flood guard dropped counts as done."""
        if isinstance(update, Update):
            self._begun(update.update_id)
            self._in_flight.discard(update.update_id)
            self._signal()

    def _begun(self, update_id: int) -> None:
        self._in_flight.add(update_id)
        self._seen = max(self._seen, update_id)

    def _signal(self) -> None:
        if self._progress is not None:
            self._progress.set()
            self._progress = None

    async def until_processed(self, update_id: int) -> None:
        """Until every update up to ``update_id`` has been processed (tests, tools)."""
        while self._seen < update_id or any(
            i <= update_id for i in getattr(self, "_in_flight", ())
        ):
            if self._progress is None:
                self._progress = asyncio.Event()
            await self._progress.wait()


async def build_application(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock = system_clock,
    features: list[Feature] | None = None,
    rate_limit: bool = True,
    schedule_jobs: bool = True,
    flood_guard: FloodGuard | None = None,
) -> ResidentApplication:
    """Open the database (migrating it) and build the application; the caller runs it.

    With ``schedule_jobs=False`` the periodic jobs are registered (under their names) but
    paused: they run only when someone runs them (``job.run(app)``), never on the clock.
    ``flood_guard``: by default one for people (``bot.updates.FloodGuard``); with
    ``rate_limit=False`` (tests, which script far more updates than a person) none unless given."""
    if settings.token is None:
        raise ValueError("a bot token is needed to build the application")
    database = db or await Database.open(settings.db_path)
    i18n = I18n(settings.timezone, settings.locale, clock=clock)
    features = FEATURES if features is None else features
    services = Services(settings=settings, db=database, clock=clock, i18n=i18n)
    for feature in features:
        services.menu.extend(feature.menu)
        services.commands.extend(feature.commands)

    # Different people at once, each person's and chat's updates in order; a flood guard.
    guard = flood_guard if flood_guard is not None or not rate_limit else FloodGuard()
    processor = InOrderPerPerson(guard=guard)
    # getUpdates waits while the bot has more in hand than it can start (bot.updates)
    clients = (
        AiohttpRequest(connection_pool_size=256),
        AiohttpRequest(connection_pool_size=1, gate=processor.room),
    )
    builder: Any = (
        ApplicationBuilder()
        .application_class(ResidentApplication)
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .request(clients[0])
        .get_updates_request(clients[1])
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .persistence(SQLitePersistence(database))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    builder = builder.concurrent_updates(processor)
    if rate_limit:  # Telegram's limits per kind of request (bot.delivery.limits)
        builder = builder.rate_limiter(TelegramLimits(max_retries=3))
    app: ResidentApplication = builder.build()
    app.http_clients = clients
    processor.on_skip = app.note_skipped
    processor.on_flood = partial(errors.ask_to_slow_down, app)
    # Without rate limits (tests against the emulator) the outbox is not paced either.
    services.sender = Sender(app.bot, database, clock, i18n=i18n, paced=rate_limit)
    app.bot_data.services = services
    with warnings.catch_warnings():
        # Our conversations mix commands and buttons on purpose (per_message=False).
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        for feature in features:
            for handler in feature.handlers():
                app.add_handler(handler)
    app.add_error_handler(errors.on_error)
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    paused = {} if schedule_jobs else {"next_run_time": None}  # APScheduler: added paused
    for feature in features:
        for job in feature.jobs:
            app.job_queue.run_repeating(
                job.callback,
                interval=job.interval_seconds,
                first=job.first_seconds,
                name=job.name,
                job_kwargs=paused,
            )
    return app


async def _post_stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After the updater and the scheduler stopped: let the outbox finish the sends in flight."""
    services: Services = app.bot_data.services
    if services.sender is not None:
        await services.sender.stop()


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = app.bot_data.services
    services.bot_username = app.bot.username
    # /menu first: Telegram's menu button, then one tap, brings the main menu back at any moment
    listed = sorted((c for c in services.commands if c.public), key=lambda c: c.command != "menu")
    for locale, code in COMMAND_LANGUAGES.items():
        tr = services.i18n.translator(locale)
        commands = [BotCommand(c.command, tr._(c.description)[:256]) for c in listed]
        await app.bot.set_my_commands(commands, language_code=code)
    default = services.i18n.translator(services.settings.locale)
    await app.bot.set_my_commands(
        [BotCommand(c.command, default._(c.description)[:256]) for c in listed]
    )
