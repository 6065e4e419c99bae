"""Telegram's limits, matched per kind of request (python-telegram-bot's rate-limiter hook).

PTB's ``AIORateLimiter`` puts every request that names a chat under the 30-a-second bulk
budget, so at peak the answers to people's own presses queue behind each other (and behind
broadcasts) and the bot stalls near 30 actions a second. Telegram's limits are different:

- **bulk sends** — the outbox's broadcasts and pushes, sent with ``rate_limit_args=BULK`` —
  share the overall budget of about 30 a second (a second fence behind the sender's own
  pacing, which already runs under it);
- **a group chat** gets at most 20 messages a minute, whatever sends them;
- **a private chat** takes about one message a second with short bursts, per chat: the answer
  to a person's own press or message waits only for that person's previous answers;
- a request naming no chat (answering a button press, getMe, getUpdates) is not limited.

A 429 (``RetryAfter``) makes only that request wait and try again (``max_retries`` times);
the sender handles its own 429s (it pauses every bulk send).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

#: ``rate_limit_args`` of a bulk send (the outbox's).
BULK = {"bulk": True}
BULK_PER_S = 30.0
GROUP_PER_MIN = 20.0
#: One a second per private chat, a burst of three.
PRIVATE_BURST, PRIVATE_PERIOD_S = 3.0, 3.0
_KEEP = 4096  # per-chat limiters kept (the least recently used idle ones go first)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


class TelegramLimits(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        bulk_per_s: float = BULK_PER_S,
        group_per_min: float = GROUP_PER_MIN,
        private_burst: float = PRIVATE_BURST,
        private_period_s: float = PRIVATE_PERIOD_S,
        max_retries: int = 3,
    ) -> None:
        self.bulk = AsyncLimiter(bulk_per_s, 1)
        self.group_per_min = group_per_min
        self.private = (private_burst, private_period_s)
        self.max_retries = max_retries
        self._chats: OrderedDict[int | str, AsyncLimiter] = OrderedDict()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if isinstance(chat_id, str) or chat_id < 0:
                limiter = AsyncLimiter(self.group_per_min, 60)
            else:
                limiter = AsyncLimiter(*self.private)
            self._chats[chat_id] = limiter
            while len(self._chats) > _KEEP:  # drop an idle one (its whole budget is back)
                oldest, old = next(iter(self._chats.items()))
                if not old.has_capacity(old.max_rate):
                    break
                del self._chats[oldest]
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat_id: Any = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        limiters: list[AsyncLimiter] = []
        if isinstance(chat_id, int | str) and not isinstance(chat_id, bool):
            limiters.append(self._chat_limiter(chat_id))
        if bulk:
            limiters.append(self.bulk)
        retries = 0 if bulk else self.max_retries  # the sender handles its own 429s
        for attempt in range(retries + 1):
            async with contextlib.AsyncExitStack() as stack:
                for limiter in limiters:
                    await stack.enter_async_context(limiter)
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    if attempt == retries:
                        raise
                    wait = exc.retry_after
                    seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                    log.info("%s: Telegram asks to wait %ss; trying again", endpoint, seconds)
            await asyncio.sleep(float(seconds) + 0.1)
        raise RuntimeError("unreachable")  # the loop returns or raises
