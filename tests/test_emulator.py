"""The Bot API emulator, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
import warnings
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.warnings import PTBDeprecationWarning

from tests.emulator import BotAPIEmulator

USER_ID = 1001


def _png(width: int = 2, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\xff\0\0" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    emulator = BotAPIEmulator()
    await emulator.start()
    emulator.user(USER_ID, "Alice")
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as client:
        yield client


async def test_get_me(emu: BotAPIEmulator, bot: Bot) -> None:
    assert [c.method for c in emu.calls] == ["getMe"]  # Bot.initialize() already asked
    me = await bot.get_me()
    assert me.id == emu.bot_id
    assert me.username == "residentbot_test_bot"
    assert me.is_bot
    assert [c.method for c in emu.calls] == ["getMe", "getMe"]


async def test_send_message_with_inline_keyboard_round_trips(emu: BotAPIEmulator, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("报修", callback_data="repair:new")],
            [InlineKeyboardButton("Site", url="https://example.org")],
        ]
    )
    sent = await bot.send_message(
        USER_ID, "<b>你好</b> &amp; hi", parse_mode="HTML", reply_markup=markup
    )

    assert sent.text == "你好 & hi"  # HTML parsed like Telegram: plain text plus entities
    assert sent.entities[0].type == "bold"
    assert sent.entities[0].length == 2
    assert sent.reply_markup == markup
    assert sent.from_user is not None and sent.from_user.id == emu.bot_id
    assert sent.chat.id == USER_ID

    call = emu.calls[-1]
    assert call.method == "sendMessage" and call.ok
    assert call.params["chat_id"] == USER_ID
    assert call.params["text"] == "<b>你好</b> &amp; hi"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "repair:new"

    msg = emu.last_message(USER_ID)
    assert msg.message_id == sent.message_id
    assert emu.buttons(msg) == [("报修", "repair:new"), ("Site", "https://example.org")]
    assert emu.find_button(msg, "repair:") == "repair:new"
    with pytest.raises(AssertionError, match=r"(?i)no button"):
        emu.find_button(msg, "nope:")

    second = await bot.send_message(USER_ID, "again")
    assert second.message_id == sent.message_id + 1


async def test_text_validation_like_telegram(emu: BotAPIEmulator, bot: Bot) -> None:
    mark = emu.mark()
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER_ID, "x" * 4097)
    await bot.send_message(USER_ID, "长" * 4096)  # characters, not bytes
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(USER_ID, "  \n ")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER_ID, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(USER_ID, "Done.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "who?")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(USER_ID, _png(), caption="c" * 1025)
    assert [c.ok for c in emu.calls[mark:]] == [False, True, False, False, False, False, False]
    assert len(emu.messages(USER_ID)) == 1


async def test_callback_data_is_limited_to_64_bytes(emu: BotAPIEmulator, bot: Bot) -> None:
    too_long = "报" * 21 + "ab"  # 65 bytes in UTF-8
    just_right = "报" * 21 + "a"  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER_ID,
            "menu",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("x", callback_data=too_long)
            ),
        )
    sent = await bot.send_message(
        USER_ID,
        "menu",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("x", callback_data=just_right)
        ),
    )
    assert emu.find_button(emu.last_message(USER_ID), "报") == just_right
    assert sent.reply_markup is not None
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        bare = InlineKeyboardMarkup.from_button(InlineKeyboardButton("bare"))
        await bot.send_message(USER_ID, "menu", reply_markup=bare)


async def test_injected_429_raises_retry_after(emu: BotAPIEmulator, bot: Bot) -> None:
    emu.fail_next("sendMessage", retry_after=7)
    with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(USER_ID, "first")
        assert _seconds(info.value.retry_after) == 7
    failed = emu.calls[-1]
    assert not failed.ok and failed.error_code == 429
    assert failed.result == "Too Many Requests: retry after 7"
    assert emu.messages(USER_ID) == []
    await bot.send_message(USER_ID, "second")  # only the next call fails
    assert emu.last_message(USER_ID).text == "second"

    emu.fail_next(None, error_code=500, count=2)
    for _ in range(2):
        with pytest.raises(Exception, match=r"(?i)Internal Server Error"):
            await bot.get_me()
    assert (await bot.get_me()).id == emu.bot_id


async def test_blocked_user_raises_forbidden(emu: BotAPIEmulator, bot: Bot) -> None:
    emu.block_user(USER_ID)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER_ID, "hello?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER_ID, "typing")
    assert emu.calls[-1].error_code == 403
    emu.unblock_user(USER_ID)
    await bot.send_message(USER_ID, "hello!")
    assert emu.last_message(USER_ID).text == "hello!"


async def test_edit_message_text_keeps_history(emu: BotAPIEmulator, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup.from_button(InlineKeyboardButton("ok", callback_data="ok"))
    sent = await bot.send_message(USER_ID, "v1", reply_markup=keyboard)
    edited = await bot.edit_message_text("v2", USER_ID, sent.message_id, reply_markup=keyboard)
    assert not isinstance(edited, bool) and edited.text == "v2"
    assert edited.edit_date is not None

    msg = emu.last_message(USER_ID)
    assert (msg.text, [v.text for v in msg.history]) == ("v2", ["v1"])
    assert msg.original.text == "v1"

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", USER_ID, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("v3", USER_ID, 999)

    # like Telegram: editing the text without reply_markup drops the inline keyboard
    await bot.edit_message_text("v3", USER_ID, sent.message_id)
    assert msg.reply_markup is None and emu.buttons(msg) == []
    assert await bot.delete_message(USER_ID, sent.message_id)
    assert msg.deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)


async def test_long_poll_returns_injected_update_and_offset_confirms(
    emu: BotAPIEmulator, bot: Bot
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_polling()
    assert not poll.done()

    injected = emu.send_text(USER_ID, "hello bot")
    updates = await asyncio.wait_for(poll, 5)
    assert loop.time() - started < 5  # answered when the update arrived, not at the timeout
    assert [u.update_id for u in updates] == [injected["update_id"]]
    assert updates[0].message is not None and updates[0].message.text == "hello bot"
    assert emu.confirmed_update_id == 0

    # not confirmed yet: delivered again
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [injected["update_id"]]
    rest = await bot.get_updates(offset=injected["update_id"] + 1, timeout=0)
    assert rest == ()
    assert emu.confirmed_update_id == emu.last_update_id == injected["update_id"]
    await emu.wait_confirmed(timeout=0.1)
    assert [c.method for c in emu.poll_calls] == ["getUpdates"] * 3
    assert [c.method for c in emu.calls] == ["getMe"]  # polls are kept apart


async def test_second_poller_terminates_the_first(emu: BotAPIEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_polling()
    # a second instance of the bot polling at the same time, as Telegram reports it
    async with Bot(emu.token, base_url=emu.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await first


async def test_photo_upload_goes_through_multipart(emu: BotAPIEmulator, bot: Bot) -> None:
    png = _png(4, 3)
    sent = await bot.send_photo(USER_ID, photo=png, caption="二维码", filename="qr.png")
    assert sent.caption == "二维码"
    assert sent.photo and sent.photo[-1].width == 4 and sent.photo[-1].height == 3

    call = emu.calls[-1]
    assert call.method == "sendPhoto"
    assert call.params["photo"] == {"filename": "qr.png", "size": len(png)}
    assert call.params["chat_id"] == USER_ID

    msg = emu.last_message(USER_ID)
    assert (msg.kind, msg.caption) == ("photo", "二维码")

    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path is not None and file.file_path.startswith(emu.base_file_url)
    assert bytes(await file.download_as_bytearray()) == png

    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, photo=b"definitely not an image")

    album = await bot.send_media_group(
        USER_ID, [InputMediaPhoto(png, caption="a"), InputMediaPhoto(sent.photo[-1].file_id)]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    media = emu.calls[-1].params["media"]
    assert media[0]["media"]["size"] == len(png)  # the attach:// upload, decoded
    assert media[1]["media"] == sent.photo[-1].file_id  # a file_id is reused as is


async def test_user_photo_can_be_downloaded(emu: BotAPIEmulator, bot: Bot) -> None:
    update = emu.send_photo(USER_ID, caption="leak", content=_png())
    file_id = update["message"]["photo"][-1]["file_id"]
    file = await bot.get_file(file_id)
    assert bytes(await file.download_as_bytearray()) == _png()
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_callback_answers_are_tracked(emu: BotAPIEmulator, bot: Bot) -> None:
    sent = await bot.send_message(
        USER_ID,
        "pick",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("A", callback_data="pick:a")
        ),
    )
    press = emu.press_button(USER_ID, (USER_ID, sent.message_id), "pick:a")
    query_id = press["callback_query"]["id"]
    assert emu.unanswered_callbacks() == [query_id]
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="done")
    assert emu.unanswered_callbacks() == []
    assert emu.callback_answer(press) is not None
    assert (await emu.wait_callback_answer(press, timeout=0.1))["text"] == "done"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("123")


async def test_reply_keyboard_and_misc_methods(emu: BotAPIEmulator, bot: Bot) -> None:
    await bot.send_message(USER_ID, "menu", reply_markup=ReplyKeyboardMarkup([["报修", "缴费"]]))
    assert emu.buttons(emu.last_message(USER_ID)) == [("报修", None), ("缴费", None)]
    assert emu.reply_keyboard(USER_ID) is not None
    await bot.send_message(USER_ID, "bye", reply_markup=ReplyKeyboardRemove())
    assert emu.reply_keyboard(USER_ID) is None

    assert await bot.set_my_commands([("start", "开始"), ("help", "帮助")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start", "bad")])
    chat = await bot.get_chat(USER_ID)
    assert chat.first_name == "Alice"
    member = await bot.get_chat_member(USER_ID, USER_ID)
    assert member.status == "member"
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert emu.calls[-1].error_code == 404

    group = emu.group(-100123, "楼栋群")
    emu.send_command(USER_ID, "/report@residentbot_test_bot", "漏水", chat=group)
    sent = await bot.send_location(group["id"], 31.2, 121.5)
    assert sent.location is not None and sent.chat.title == "楼栋群"
    assert await bot.pin_chat_message(group["id"], sent.message_id)
    assert emu.last_message(group["id"]).pinned
    assert await bot.leave_chat(group["id"])
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(group["id"], "still here?")


async def test_application_round_trip(emu: BotAPIEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup.from_button(InlineKeyboardButton("go", callback_data="go"))
        await update.effective_message.reply_text(
            f"hi {context.args}", reply_markup=keyboard, do_quote=True
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text("went")

    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        mark = emu.mark()
        emu.send_command(USER_ID, "/start", "abc")
        msg = await emu.wait_message(USER_ID, after=mark, contains="hi")
        assert msg.text == "hi ['abc']"
        assert msg.raw["reply_to_message"]["text"] == "/start abc"

        mark = emu.mark()
        press = emu.press_button(USER_ID, msg, emu.find_button(msg, "go"))
        edited = await emu.wait_edit(USER_ID, after=mark, contains="went")
        assert edited is msg and msg.text == "went"
        assert (await emu.wait_callback_answer(press))["text"] == "ok"
        await emu.wait_confirmed()
        assert emu.unanswered_callbacks() == []
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert emu.confirmed_update_id == emu.last_update_id == 2
    assert [c.method for c in emu.calls[:2]] == ["getMe", "deleteWebhook"]
