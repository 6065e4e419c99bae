"""Telegram's limits per kind of request: bulk sends share the overall budget, a private chat
has its own small budget (so one person's answers never wait for another's or for a
broadcast), a group has 20 a minute, and a 429 is retried for interactive requests only."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.delivery.limits import BULK, TelegramLimits


class Calls:
    def __init__(self, fail_first: int = 0) -> None:
        self.count = 0
        self.fail_first = fail_first

    async def __call__(self) -> dict[str, Any]:
        self.count += 1
        if self.count <= self.fail_first:
            raise RetryAfter(0)
        return {"ok": True}


async def request(
    limits: TelegramLimits, chat_id: Any, *, bulk: bool = False, calls: Calls | None = None
) -> Any:
    data = {} if chat_id is None else {"chat_id": chat_id}
    return await limits.process_request(
        calls or Calls(), (), {}, "sendMessage", data, BULK if bulk else None
    )


async def test_an_answer_in_a_private_chat_does_not_use_the_bulk_budget() -> None:
    limits = TelegramLimits(bulk_per_s=30)
    for _ in range(3):
        await request(limits, 1001)  # one person's answers
    assert limits.bulk.has_capacity(30)  # the bulk budget is untouched
    assert not limits._chat_limiter(1001).has_capacity(1)  # that person's burst is used up
    assert limits._chat_limiter(1002).has_capacity(3)  # nobody else's is


async def test_bulk_sends_share_the_overall_budget_and_their_chat_budget() -> None:
    limits = TelegramLimits(bulk_per_s=30)
    for chat in range(2001, 2011):
        await request(limits, chat, bulk=True)
    assert not limits.bulk.has_capacity(21)  # ten of thirty used this second
    assert limits.bulk.has_capacity(20)


async def test_a_group_gets_twenty_a_minute() -> None:
    limits = TelegramLimits()
    for _ in range(20):
        await request(limits, -100123)
    assert not limits._chat_limiter(-100123).has_capacity(1)
    assert limits._chat_limiter(-100124).has_capacity(20)


async def test_a_request_without_a_chat_is_not_limited() -> None:
    limits = TelegramLimits()
    for _ in range(50):  # answering presses
        assert await request(limits, None) == {"ok": True}
    assert limits._chats == {}


async def test_a_429_is_retried_for_an_answer_but_handed_to_the_sender_for_bulk() -> None:
    limits = TelegramLimits(max_retries=3)
    calls = Calls(fail_first=2)
    assert await request(limits, 1001, calls=calls) == {"ok": True}
    assert calls.count == 3
    with pytest.raises(RetryAfter):
        await request(limits, 1002, bulk=True, calls=Calls(fail_first=1))


async def test_idle_chat_budgets_are_forgotten_past_the_cap() -> None:
    limits = TelegramLimits()
    for chat in range(10_000, 14_200):
        limits._chat_limiter(chat)
    assert len(limits._chats) <= 4096
