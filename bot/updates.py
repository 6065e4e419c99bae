"""Updates of different people processed at the same time, each person's and each chat's in
the order they came, and a flood guard per person.

python-telegram-bot processes one update at a time by default, so at peak everyone waits for
everyone (a thousand ballots queue behind each other while each waits on SQLite and HTTP).
``concurrent_updates=N`` alone would break conversations: two steps of one person's flow could
run at once or swap. ``InOrderPerPerson`` keys every update by its user and its chat: an
update waits only for the earlier updates that share a key, then runs, at most ``running``
at a time. Writes stay one transaction per action (the database serialises them).

Order is kept because PTB starts one task per update in arrival order and this processor's
base semaphore is never full (``max_concurrent_updates`` is huge; ``running`` is the real
limit, taken after the wait), so each update registers behind its predecessors before it
yields.

``FloodGuard``: past ``burst`` updates at once, or ``rate`` a second sustained, a person's
extra updates are dropped until they slow down; the first dropped one gets one short polite
message in their language, and the next word only comes after a real pause (half the burst
refilled), so a sustained flood hears it once. A photo album (up to ten updates sharing a
media_group_id) is one act, never a flood. Nobody else notices: a flooder's updates wait
only for each other.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

RUNNING = 32  # updates running at once (the rest wait their turn, in order per person)
FLOOD_BURST = 20.0
FLOOD_RATE = 1.0  # updates a second, sustained
_PEOPLE_KEPT = 20_000


class Verdict(enum.Enum):
    ADMIT = "admit"
    WARN = "warn"  # dropped, and the person is told once to slow down
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False
    album: str | None = None


class FloodGuard:
    """A token bucket per person: ``burst`` updates at once, ``rate`` a second after that."""

    def __init__(self, *, burst: float = FLOOD_BURST, rate: float = FLOOD_RATE) -> None:
        self.burst = burst
        self.rate = rate
        self._people: OrderedDict[int, _Bucket] = OrderedDict()

    def admit(self, user_id: int, now: float, album: str | None = None) -> Verdict:
        bucket = self._people.get(user_id)
        if bucket is None:
            bucket = self._people[user_id] = _Bucket(self.burst, now)
            self._forget_idle(now)
        else:
            self._people.move_to_end(user_id)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if album is not None and album == bucket.album:
            return Verdict.ADMIT  # the rest of one photo album
        if bucket.tokens >= 1.0:
            if bucket.tokens >= self.burst / 2:  # they really slowed down: a new flood, a new word
                bucket.warned = False
            bucket.tokens -= 1.0
            bucket.album = album
            return Verdict.ADMIT
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        while len(self._people) > _PEOPLE_KEPT:
            user_id, oldest = next(iter(self._people.items()))
            if oldest.tokens + (now - oldest.stamp) * self.rate < self.burst:
                break  # the oldest is still cooling down: keep it
            del self._people[user_id]


def keys_of(update: object) -> tuple[Hashable, ...]:
    """What an update must keep its order with: its person and its chat."""
    if not isinstance(update, Update):
        return ()
    keys: list[Hashable] = []
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    return tuple(keys)


OnFlood = Callable[[Update], Awaitable[None]]
OnSkip = Callable[[object], None]


class InOrderPerPerson(BaseUpdateProcessor):
    def __init__(
        self,
        *,
        running: int = RUNNING,
        guard: FloodGuard | None = None,
        on_flood: OnFlood | None = None,
        on_skip: OnSkip | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_concurrent_updates=1_000_000)
        self._running = asyncio.Semaphore(running)
        self._room_at = running
        self._pending = 0  # updates handed to this processor and not finished
        self._room: asyncio.Future[None] | None = None
        self._tails: dict[Hashable, asyncio.Future[None]] = {}
        self.guard = guard
        self.on_flood = on_flood
        self.on_skip = on_skip
        self.monotonic = monotonic

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def room(self) -> None:
        """Wait until fewer updates are pending than can run at once: the next getUpdates then
        fetches while there is work to start, and at peak it brings a full batch instead of
        the one or two that arrived since the last (a poll costs as much as an answer)."""
        while self._pending >= self._room_at:
            if self._room is None or self._room.done():
                self._room = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._room)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._pending += 1
        try:
            await self._process(update, coroutine)
        finally:
            self._pending -= 1
            if self._pending < self._room_at and self._room is not None and not self._room.done():
                self._room.set_result(None)

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        verdict = self._verdict(update)
        if verdict is not Verdict.ADMIT:
            _close(coroutine)
            if verdict is Verdict.WARN and self.on_flood is not None:
                assert isinstance(update, Update)
                try:
                    await self.on_flood(update)
                except Exception:  # telling them is a courtesy: never a failure
                    log.exception("could not ask a flooding person to slow down")
            if self.on_skip is not None:
                self.on_skip(update)
            return
        keys = keys_of(update)
        before = {id(f): f for k in keys if (f := self._tails.get(k)) is not None}
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for key in keys:
            self._tails[key] = done
        try:
            if before:
                await asyncio.wait(before.values())  # never cancels them
            async with self._running:
                await coroutine
        finally:
            _close(coroutine)
            done.set_result(None)
            for key in keys:
                if self._tails.get(key) is done:
                    del self._tails[key]

    def _verdict(self, update: object) -> Verdict:
        if self.guard is None or not isinstance(update, Update):
            return Verdict.ADMIT
        user = update.effective_user
        if user is None or user.is_bot:
            return Verdict.ADMIT
        message = update.effective_message
        album = message.media_group_id if message is not None else None
        return self.guard.admit(user.id, self.monotonic(), album)


def _close(coroutine: Awaitable[Any]) -> None:
    """A coroutine that will never run is closed (no "was never awaited" warning)."""
    if inspect.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == "CORO_CREATED":
        coroutine.close()
