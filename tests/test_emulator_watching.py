"""What the emulator adds for the sandbox's page: a chat as its members see it (``chat_log``:
their messages and the bot's, in order, edits applied, deleted ones gone), the chats it knows,
and a change counter to wait on (``wait_change``)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.sandbox.emulator import BotAPIEmulator


async def call(emu: BotAPIEmulator, method: str, **params: Any) -> Any:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.base_url}{emu.token}/{method}", json=params) as response:
            body = await response.json()
    assert body["ok"], body
    return body["result"]


async def test_a_chat_as_its_members_see_it_and_changes_to_wait_on() -> None:
    async with BotAPIEmulator() as emu:
        ann = emu.user(1001, "Ann", "en")
        emu.group(-100200, "Neighbours")
        assert {c["id"] for c in emu.known_chats()} == {1001, -100200}
        seen = emu.changes
        assert await emu.wait_change(seen, timeout=0.01) == seen  # nothing happened: timed out
        emu.send_text(ann, "hello")
        assert await emu.wait_change(seen, timeout=5) == seen + 1
        first = await call(emu, "sendMessage", chat_id=1001, text="one")
        gone = await call(emu, "sendMessage", chat_id=1001, text="two")
        await call(emu, "editMessageText", chat_id=1001, message_id=first["message_id"], text="1")
        await call(emu, "deleteMessage", chat_id=1001, message_id=gone["message_id"])
        log = emu.chat_log(1001)
        assert [(m["from"]["id"], m.get("text"), "edit_date" in m) for m in log] == [
            (1001, "hello", False),
            (emu.bot_id, "1", True),
        ]
        assert emu.changes == seen + 5  # the message, then four calls
        assert emu.chat_log(-100200) == []
        log[0]["text"] = "changed"  # copies: the emulator's own state is untouched
        assert emu.chat_log(1001)[0]["text"] == "hello"
