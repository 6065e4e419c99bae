"""Pacing under Telegram's limits, pure (the caller gives the time): a token bucket for the whole
bot under a sliding one-second cap, one bucket per group chat, and the back-off after errors."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

OVERALL_PER_S = 30.0


GROUP_PER_MIN = 20.0


#: Run this share under the overall limit, so that network jitter never puts more than the
#: limit into any one-second window as Telegram sees it.
HEADROOM = 0.025


_EPSILON = 1e-9  # float sums (3 x 1/3) must not lose a token


_WINDOW_MARGIN = 1e-3  # the cap's window is a hair over a second: closed windows count too


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up. Pure: the caller gives the time.

    With ``capacity`` 1 the sends are spaced at least ``1/rate`` apart, so any window of ``w``
    seconds holds at most ``floor(rate * w) + 1`` of them.
    """

    rate: float
    capacity: float = 1.0
    tokens: float = -1.0  # -1: full at the first look
    stamp: float | None = None

    def _refill(self, now: float) -> None:
        if self.stamp is None:
            self.tokens = self.capacity if self.tokens < 0 else self.tokens
        else:
            elapsed = max(0.0, now - self.stamp)
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.stamp = now if self.stamp is None else max(self.stamp, now)

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: one is there now). Takes nothing."""
        self._refill(now)
        if self.tokens >= 1.0 - _EPSILON:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> bool:
        """Take a token if there is one."""
        self._refill(now)
        if self.tokens >= 1.0 - _EPSILON:
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False


@dataclass
class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds: the hard cap. Pure."""

    limit: int
    window: float = 1.0
    stamps: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.window:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.window - now

    def record(self, now: float) -> None:
        self.stamps.append(now)


@dataclass
class Overall:
    """The bot-wide pace: a token bucket (smooth, with a little saved up so a late wake-up is
    caught up) under a sliding one-second cap, both a little under the limit."""

    limit: float
    headroom: float = HEADROOM
    bucket: TokenBucket = field(init=False)
    cap: SlidingWindow = field(init=False)

    def __post_init__(self) -> None:
        rate = self.limit * (1.0 - self.headroom)
        self.bucket = TokenBucket(rate, max(2.0, math.floor(rate * 0.05)))
        self.cap = SlidingWindow(max(1, math.floor(rate)), 1.0 + _WINDOW_MARGIN)

    def assume_busy(self, now: float) -> None:
        """Start as if a predecessor had sent as much as it could until ``now``: a sender
        starting after a crash must not add its sends to what the dead one sent in its last
        second. The worst tail the predecessor's bucket allows is a full burst at ``now`` after
        sends at the full rate, so that is the history assumed (it costs the new sender a
        pause of about ``capacity / rate`` seconds, 50 ms)."""
        self.bucket.tokens, self.bucket.stamp = 0.0, now
        rate, limit = self.bucket.rate, self.cap.limit
        burst = min(limit, int(self.bucket.capacity))
        paced = [now - k / rate for k in range(limit - burst, 0, -1)]
        self.cap.stamps = deque([*paced, *([now] * burst)])

    def wait(self, now: float) -> float:
        return max(self.bucket.wait(now), self.cap.wait(now))

    def take(self, now: float) -> bool:
        if self.wait(now) > 0:
            return False
        self.bucket.take(now)
        self.cap.record(now)
        return True


@dataclass
class Pacer:
    """The overall limit and one bucket per group chat (negative chat ids)."""

    overall_per_s: float = OVERALL_PER_S
    group_per_min: float = GROUP_PER_MIN
    headroom: float = HEADROOM
    overall: Overall = field(init=False)
    groups: dict[int, TokenBucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.overall = Overall(self.overall_per_s, self.headroom)

    def group_wait(self, chat_id: int, now: float) -> float:
        """How long a send to this chat must wait for its group's budget (0 for a person)."""
        if chat_id >= 0:
            return 0.0
        return self._group(chat_id).wait(now)

    def take_group(self, chat_id: int, now: float) -> bool:
        return chat_id >= 0 or self._group(chat_id).take(now)

    def _group(self, chat_id: int) -> TokenBucket:
        bucket = self.groups.get(chat_id)
        if bucket is None:
            bucket = self.groups[chat_id] = TokenBucket(self.group_per_min / 60.0, 1.0)
        return bucket


def backoff_seconds(attempts: int) -> int:
    """Back-off before the next try after ``attempts`` failed tries: 2, 4, 8, … up to 5 min."""
    return int(min(300, 2 ** max(1, attempts)))
