"""The Bot API client (bot/delivery/http.py) against the emulator: parameters, uploads and
downloads arrive as with PTB's own client, and failures become PTB's errors."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut

from bot.delivery.http import AiohttpRequest
from tests.emulator import BotAPIEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    emulator = BotAPIEmulator(record_polls=False)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def bot_on(emu: BotAPIEmulator, **timeouts: float) -> Bot:
    request = AiohttpRequest(connection_pool_size=4, read_timeout=timeouts.get("read", 5.0))
    bot = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url, request=request)
    await bot.initialize()
    return bot


async def test_a_message_with_a_keyboard_arrives_as_sent(emu: BotAPIEmulator) -> None:
    user = emu.user(7, "张阿姨")
    bot = await bot_on(emu)
    try:
        sent = await bot.send_message(
            user["id"],
            "明天 9:00 停水 & <b>请储水</b>",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok|1")]]),
        )
    finally:
        await bot.shutdown()
    assert bot.username == emu.bot_username
    assert sent.text == "明天 9:00 停水 & 请储水"
    [message] = emu.messages(user["id"])
    assert message.text == "明天 9:00 停水 & 请储水"
    assert message.reply_markup == {"inline_keyboard": [[{"text": "好", "callback_data": "ok|1"}]]}


async def test_a_document_is_uploaded_whole_and_downloads_back(emu: BotAPIEmulator) -> None:
    user = emu.user(8, "Li")
    content = "工单,状态\n1,已完成\n".encode("utf-8-sig") * 500
    bot = await bot_on(emu)
    try:
        sent = await bot.send_document(
            user["id"], InputFile(content, filename="报表.csv"), caption="十一月"
        )
        assert sent.document is not None
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    finally:
        await bot.shutdown()
    assert sent.document.file_name == "报表.csv"
    assert sent.caption == "十一月"
    assert emu.file_content(sent.document.file_id) == content
    assert bytes(downloaded) == content


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    bot = Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    with pytest.raises(NetworkError, match="Cannot connect to host"):
        await bot.initialize()
    await request.shutdown()


async def test_a_server_that_never_answers_is_timed_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    bot = Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        with pytest.raises(TimedOut):
            await bot.initialize()
    finally:
        await request.shutdown()
        server.close()


async def test_a_client_used_before_initialising_says_so() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "GET")
