"""Draining the outbox at Telegram's pace: claim due rows in small chunks, send, mark each one.

Pacing is ours (python-telegram-bot's ``AIORateLimiter`` on the production bot is a second
fence): a token bucket for the whole bot (``overall_per_s``, 30/s by default, run a little under
the limit so that no one-second window ever holds more) and one per group chat (20 a minute).
A row whose group is not due yet is put back for later without blocking the others.

Errors: a 429 (``RetryAfter``) pauses the whole sender for ``retry_after`` seconds, on the
injected clock, and the row goes back unsent (nothing lost); a 403 marks the recipient
``blocked`` (no retry); a 400 is ``failed``, but "group chat was upgraded to a supergroup"
(``ChatMigrated``) rebinds the group (``bot.services.chats``) and sends the row there;
network errors and 5xx retry with exponential back-off up to ``MAX_ATTEMPTS``.

Crash safety (how duplicates are bounded): rows are claimed in chunks of ``CLAIM`` ('sending'),
each row is marked 'sent' in its own transaction right after its send returns. When a sender
starts it puts every row still 'sending' back to 'pending' (one sender per database): rows that
were claimed but not yet sent are sent once, and only a send that reached Telegram while the
process died before marking it can be repeated — at most ``concurrency`` recipients per crash.

When a batch has nothing left to send its creator gets a delivery report in their language.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.delivery.limits import BULK
from bot.delivery.pacing import GROUP_PER_MIN, OVERALL_PER_S, Pacer, backoff_seconds
from bot.i18n import I18n, Translator
from bot.rules.clock import Clock, to_ts
from bot.services import chats
from bot.services.readers import translator_for
from bot.texts.delivery import report_text
from storage import outbox, outbox_cards, outbox_files, people
from storage.db import Database

log = logging.getLogger(__name__)

CLAIM = 20
MAX_ATTEMPTS = 5
JOB_NAME = "outbox"
CONCURRENCY = 4  # sends in flight at most: after a crash, at most this many arrive twice
CARD_WAIT = 2  # seconds an edit waits for its card's post to go out first


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22.2+ warns that it will become a timedelta
        warnings.simplefilter("ignore")
        wait = exc.retry_after
    return float(wait if isinstance(wait, int | float) else wait.total_seconds())


def _markup(payload: outbox.Payload) -> InlineKeyboardMarkup | None:
    if not payload.buttons:
        return None
    return InlineKeyboardMarkup.de_json({"inline_keyboard": payload.buttons}, None)


def bulk(bot: Bot) -> dict[str, Any]:
    """The keyword that puts a request under the bulk budget (when the bot has limits)."""
    return {"rate_limit_args": BULK} if getattr(bot, "rate_limiter", None) else {}


async def send_payload(
    bot: Bot, chat_id: int, payload: outbox.Payload, upload: str | InputFile | None = None
) -> Message:
    """Send one payload; ``upload`` is the photo of a ``photo_file`` payload (its bytes, or
    the file id of an earlier upload)."""
    markup = _markup(payload)
    extra = bulk(bot)
    caption = payload.text or None
    if upload is not None:
        return await bot.send_photo(chat_id, upload, caption=caption, reply_markup=markup, **extra)
    if payload.voice:
        return await bot.send_voice(
            chat_id, payload.voice, caption=caption, reply_markup=markup, **extra
        )
    if payload.photo:
        return await bot.send_photo(
            chat_id, payload.photo, caption=caption, reply_markup=markup, **extra
        )
    if payload.document:
        return await bot.send_document(
            chat_id, payload.document, caption=caption, reply_markup=markup, **extra
        )
    return await bot.send_message(chat_id, payload.text, reply_markup=markup, **extra)


@dataclass
class DrainResult:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    deferred: int = 0
    reports: int = 0
    paused_for: float = 0.0


Sleep = Callable[[float], Awaitable[None]]


class _CardNotPosted(Exception):
    """An edit's card has not been posted in that chat yet."""


class Sender:
    """One per application. ``drain()`` sends what is due until nothing is (or a 429 pauses
    it); the "outbox" job calls it every second, and ``kick()`` right after a change queued a
    push; a second drain while one runs returns at once (the running one looks again).

    ``paced=False`` sends without waiting for tokens: for tests against an emulator that
    enforces no limits (the pacing itself is tested on its own)."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        *,
        i18n: I18n | None = None,
        overall_per_s: float = OVERALL_PER_S,
        group_per_min: float = GROUP_PER_MIN,
        concurrency: int = CONCURRENCY,
        claim: int = CLAIM,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        paced: bool = True,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.i18n = i18n
        self.pacer = Pacer(overall_per_s, group_per_min)
        self.concurrency = max(1, concurrency)
        self.claim = max(1, claim)
        self.monotonic = monotonic
        self.sleep = sleep
        self.paced = paced
        self.paused_until = 0  # unix seconds on ``clock``: a 429 pauses everything until then
        self._recovered = False
        self._stopping = False
        self._again = False  # kicked while a drain ran: it looks once more before it ends
        self._lock = asyncio.Lock()
        self.background: asyncio.Task[DrainResult] | None = None  # the job's running drain

    async def recover(self) -> int:
        """Put rows a dead sender left 'sending' back in line (once, at the first drain)."""
        self._recovered = True
        self.pacer.overall.assume_busy(self.monotonic())
        async with self.db.transaction() as conn:
            released = await outbox.release_in_flight(conn)
        if released:
            log.warning("outbox: %s rows were in flight at the last stop; sending them", released)
        return released

    async def drain(self) -> DrainResult:
        result = DrainResult()
        if self._lock.locked() or self._stopping:
            return result
        async with self._lock:
            if not self._recovered:
                await self.recover()
            while True:
                self._again = False
                await self._drain(result)
                if not self._stopping:
                    await self._report(result)
                if not self._again or self._stopping or result.paused_for:
                    break
        return result

    def kick(self) -> None:
        """Send what is due now, in the background: called right after a transaction that
        queued a push, so it goes out in milliseconds instead of at the job's next run."""
        if self._stopping:
            return
        task = self.background
        if task is not None and not task.done():
            self._again = True
            return
        self.background = asyncio.create_task(self.drain())
        self.background.add_done_callback(_log_failure)

    async def until_idle(self) -> None:
        """Until the drain the job left running in the background (if any) has finished."""
        task = self.background
        if task is not None and not task.done():
            await asyncio.wait({task})

    async def stop(self, timeout: float = 10.0) -> None:
        """A clean stop: claim nothing more, put back what was claimed but not sent, and let
        the sends in flight finish and be marked, so a restart sends nobody anything twice.
        Past ``timeout`` the drain is cancelled (what was in flight is then sent again)."""
        self._stopping = True
        task = self.background
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            log.warning("outbox: the sends in flight did not finish in %ss at the stop", timeout)
            task.cancel()
            await asyncio.wait({task})

    async def _drain(self, result: DrainResult) -> None:
        slots = asyncio.Semaphore(self.concurrency)
        tasks: set[asyncio.Task[None]] = set()
        #: The latest send to each chat: one chat's messages go one after the other, in the
        #: order they were queued (two sends to one chat in flight could arrive swapped).
        latest: dict[int, asyncio.Task[None]] = {}
        try:
            while not self._stopping:
                now = to_ts(self.clock())
                if now < self.paused_until:
                    result.paused_for = float(self.paused_until - now)
                    break
                async with self.db.transaction() as conn:
                    rows = await outbox.claim_due(conn, now, self.claim)
                if not rows:
                    break
                for index, row in enumerate(rows):
                    if self._stopping:
                        await self._put_back(rows[index:], to_ts(self.clock()))
                        break
                    before = latest.get(row.chat_id)
                    if before is not None and not before.done():
                        await asyncio.wait({before})
                    await slots.acquire()  # a free slot first, then the token: no bunching
                    if to_ts(self.clock()) < self.paused_until:  # a 429 came back meanwhile
                        slots.release()
                        await self._put_back(rows[index:], self.paused_until)
                        break
                    group_wait = (
                        self.pacer.group_wait(row.chat_id, self.monotonic()) if self.paced else 0
                    )
                    if group_wait > 0:
                        slots.release()
                        at = to_ts(self.clock()) + math.ceil(group_wait)
                        await self._put_back([row], at)
                        result.deferred += 1
                        continue
                    await self._overall_token()
                    self.pacer.take_group(row.chat_id, self.monotonic())
                    task = asyncio.create_task(self._send_one(row, result, slots))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    latest[row.chat_id] = task
        except BaseException:  # cancelled (a crash, a stop): in-flight sends die with us
            for task in tasks:
                task.cancel()
            raise
        if tasks:
            await asyncio.gather(*list(tasks))

    async def _overall_token(self) -> None:
        if not self.paced:
            return
        while True:
            now = self.monotonic()
            if self.pacer.overall.take(now):
                return
            await self.sleep(self.pacer.overall.wait(now))

    async def _put_back(self, rows: list[outbox.OutboxRow], at: int) -> None:
        async with self.db.transaction() as conn:
            for row in rows:
                await outbox.defer(conn, row.id, at)

    async def _send_one(
        self, row: outbox.OutboxRow, result: DrainResult, slots: asyncio.Semaphore
    ) -> None:
        try:
            await self._deliver(row, result)
        except Exception:  # a bug or the database: the row is tried again later, not lost
            log.exception("outbox: sending row %s failed unexpectedly", row.id)
            at = to_ts(self.clock()) + backoff_seconds(row.attempts + 1)
            try:
                async with self.db.transaction() as conn:
                    await outbox.retry_later(conn, row.id, at, "unexpected error")
                result.retried += 1
            except Exception:  # still 'sending': a later claim takes it after stale_after
                log.exception("outbox: could not put row %s back", row.id)
        finally:
            slots.release()

    async def _perform(self, row: outbox.OutboxRow) -> int:
        """Send the row's message (or edit its card); the message id it landed as."""
        if row.action != "edit":
            if row.payload.photo_file is not None:
                return await self._send_file(row)
            return (await send_payload(self.bot, row.chat_id, row.payload)).message_id
        assert row.card is not None, "an edit names its card"
        async with self.db.read() as conn:
            message_id = await outbox_cards.card_message(conn, row.card, row.chat_id)
            if message_id is None and await outbox_cards.card_post_waiting(
                conn, row.card, row.chat_id
            ):
                raise _CardNotPosted
        if message_id is None:
            raise BadRequest("the card was never posted in this chat")
        try:
            await self.bot.edit_message_text(
                row.payload.text,
                chat_id=row.chat_id,
                message_id=message_id,
                reply_markup=_markup(row.payload),
                **bulk(self.bot),
            )
        except BadRequest as exc:
            if "not modified" not in str(exc):
                raise
        return message_id

    async def _send_file(self, row: outbox.OutboxRow) -> int:
        """A photo from ``outbox_files``: uploaded the first time, then by Telegram's file id."""
        file_row = row.payload.photo_file
        assert file_row is not None
        async with self.db.read() as conn:
            stored = await outbox_files.get_file(conn, file_row)
        if stored is None:
            raise BadRequest("the file to send is gone")
        media = stored.file_id or InputFile(stored.content, filename=stored.name)
        sent = await send_payload(self.bot, row.chat_id, row.payload, upload=media)
        if stored.file_id is None and sent.photo:
            async with self.db.transaction() as conn:
                await outbox_files.remember_file_id(conn, file_row, sent.photo[-1].file_id)
        return sent.message_id

    async def _deliver(self, row: outbox.OutboxRow, result: DrainResult) -> None:
        try:
            message_id = await self._perform(row)
        except _CardNotPosted:
            await self._put_back([row], to_ts(self.clock()) + CARD_WAIT)
            result.deferred += 1
            return
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            now = to_ts(self.clock())
            self.paused_until = max(self.paused_until, now + math.ceil(seconds))
            log.warning("outbox: Telegram asks to wait %ss", seconds)
            await self._put_back([row], self.paused_until)
            result.retried += 1
            result.paused_for = max(result.paused_for, seconds)
            return
        except Forbidden as exc:
            async with self.db.transaction() as conn:
                await outbox.mark_blocked(conn, row.id, str(exc))
                if row.chat_id > 0:  # a person: later broadcasts skip them until they return
                    await people.set_blocked(conn, row.chat_id, to_ts(self.clock()))
            result.blocked += 1
            return
        except ChatMigrated as exc:  # a group became a supergroup: the old id takes no posts
            new, now = int(exc.new_chat_id), to_ts(self.clock())
            async with self.db.transaction() as conn:
                if row.action != "send" or self.i18n is None:
                    await outbox.mark_failed(conn, row.id, f"migrated to {new}")
                else:  # rebind the group, and send this row (and its chat's others) there
                    await chats.moved(conn, self.i18n, row.chat_id, new, now=now)
                    await outbox.readdress_row(conn, row.id, new, now)
            if row.action != "send" or self.i18n is None:
                result.failed += 1
            else:
                result.retried += 1
                self._again = True
            return
        except BadRequest as exc:
            async with self.db.transaction() as conn:
                await outbox.mark_failed(conn, row.id, str(exc))
            result.failed += 1
            return
        except (NetworkError, TelegramError) as exc:  # timeouts, 5xx: try again later
            now, tries = to_ts(self.clock()), row.attempts + 1  # this claim was a try
            async with self.db.transaction() as conn:
                if tries >= MAX_ATTEMPTS:
                    await outbox.mark_failed(conn, row.id, str(exc))
                    result.failed += 1
                else:
                    await outbox.retry_later(conn, row.id, now + backoff_seconds(tries), str(exc))
                    result.retried += 1
            return
        async with self.db.transaction() as conn:
            marked = await outbox.mark_sent(conn, row.id, message_id, to_ts(self.clock()))
            if marked and row.card is not None and row.action == "send":
                await outbox_cards.record_card(
                    conn, row.card, row.chat_id, message_id, row.payload.audience
                )
        result.sent += 1
        if row.payload.pin and row.chat_id < 0:
            await self._overall_token()
            try:
                await self.bot.pin_chat_message(row.chat_id, message_id, **bulk(self.bot))
            except TelegramError as exc:  # not an admin there: the notice still arrived
                log.warning("outbox: could not pin in %s: %s", row.chat_id, exc)

    async def _report(self, result: DrainResult) -> None:
        async with self.db.transaction() as conn:
            batches = await outbox.claim_finished(conn, to_ts(self.clock()))
            reports: list[tuple[int, str]] = []
            for batch in batches:
                if batch.report_chat_id is None:
                    continue
                counts = await outbox.counts(conn, batch.id)
                tr = await self._translator(conn, batch.report_chat_id)
                text = report_text(
                    tr,
                    batch.title or batch.kind,
                    sent=counts.sent,
                    blocked=counts.blocked,
                    failed=counts.failed,
                    cancelled=counts.cancelled,
                )
                reports.append((batch.report_chat_id, text))
        for chat_id, text in reports:
            try:
                await self._overall_token()
                await self.bot.send_message(chat_id, text, **bulk(self.bot))
                result.reports += 1
            except TelegramError as exc:
                log.warning("outbox: could not send a delivery report to %s: %s", chat_id, exc)

    async def _translator(self, conn: Any, user_id: int) -> Translator:
        if self.i18n is None:
            raise RuntimeError("a sender with reports needs the translations")
        return await translator_for(self.i18n, conn, user_id)


def payload_buttons(markup: InlineKeyboardMarkup | None) -> list[list[dict[str, str]]]:
    """An inline keyboard as the JSON rows the outbox stores."""
    if markup is None:
        return []
    data: Any = json.loads(markup.to_json())
    return list(data["inline_keyboard"])


def _log_failure(task: asyncio.Task[DrainResult]) -> None:
    """A kicked drain has nobody awaiting it: its failure goes to the log, not to the void."""
    if not task.cancelled() and task.exception() is not None:
        log.error("outbox: a drain failed", exc_info=task.exception())
