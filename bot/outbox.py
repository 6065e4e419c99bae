"""Draining the outbox: claim due rows in a transaction, send them, mark each one.

The job ``outbox`` runs every second; one run sends what is due, in claims of ``CLAIM``
rows. Telegram's limits are kept by python-telegram-bot's rate limiter on the bot; a 429
(RetryAfter) puts the row back with its retry_after and stops this run; a 403 (the user blocked
the bot) marks the recipient blocked; other errors retry with back-off, then fail.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock, to_ts
from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)

CLAIM = 30
MAX_ATTEMPTS = 5
JOB_NAME = "outbox"


@dataclass
class DrainResult:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    paused_for: float = 0.0


def _markup(payload: outbox.Payload) -> InlineKeyboardMarkup | None:
    if not payload.buttons:
        return None
    return InlineKeyboardMarkup.de_json({"inline_keyboard": payload.buttons}, None)


async def send_payload(bot: Bot, chat_id: int, payload: outbox.Payload) -> Message:
    markup = _markup(payload)
    if payload.photo:
        message = await bot.send_photo(
            chat_id, payload.photo, caption=payload.text or None, reply_markup=markup
        )
    elif payload.document:
        message = await bot.send_document(
            chat_id, payload.document, caption=payload.text or None, reply_markup=markup
        )
    else:
        message = await bot.send_message(chat_id, payload.text, reply_markup=markup)
    if payload.pin and chat_id < 0:
        try:
            await bot.pin_chat_message(chat_id, message.message_id, disable_notification=False)
        except TelegramError as exc:  # not an admin there: the notice still arrived
            log.warning("could not pin in %s: %s", chat_id, exc)
    return message


async def drain_once(bot: Bot, db: Database, clock: Clock, *, limit: int = CLAIM) -> DrainResult:
    result = DrainResult()
    async with db.transaction() as conn:
        rows = await outbox.claim_due(conn, to_ts(clock()), limit)
    for index, row in enumerate(rows):
        now = to_ts(clock())
        try:
            message = await send_payload(bot, row.chat_id, row.payload)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            async with db.transaction() as conn:
                for later in rows[index:]:
                    await outbox.retry_later(conn, later.id, now + int(seconds) + 1, "retry_after")
            result.retried += len(rows) - index
            result.paused_for = float(seconds)
            break
        except Forbidden as exc:
            async with db.transaction() as conn:
                await outbox.mark_blocked(conn, row.id, str(exc))
            result.blocked += 1
        except BadRequest as exc:
            async with db.transaction() as conn:
                await outbox.mark_failed(conn, row.id, str(exc))
            result.failed += 1
        except (NetworkError, TelegramError) as exc:
            async with db.transaction() as conn:
                if row.attempts + 1 >= MAX_ATTEMPTS:
                    await outbox.mark_failed(conn, row.id, str(exc))
                    result.failed += 1
                else:
                    backoff = 2 ** (row.attempts + 1)
                    await outbox.retry_later(conn, row.id, now + backoff, str(exc))
                    result.retried += 1
        else:
            async with db.transaction() as conn:
                await outbox.mark_sent(conn, row.id, message.message_id, now)
            result.sent += 1
    return result


def payload_buttons(markup: InlineKeyboardMarkup | None) -> list[list[dict[str, str]]]:
    """An inline keyboard as the JSON rows the outbox stores."""
    if markup is None:
        return []
    data: Any = json.loads(markup.to_json())
    return list(data["inline_keyboard"])
