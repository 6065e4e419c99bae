"""Local Telegram Bot API emulator (aiohttp on 127.0.0.1) that the real PTB Application talks to.

    emu = BotAPIEmulator(); await emu.start()
    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url)
           .base_file_url(emu.base_file_url).build())    # add handlers, initialize(), start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    alice = emu.user(1001, "Alice"); mark = emu.mark(); emu.send_command(alice, "/start")
    menu = await emu.wait_message(1001, after=mark, contains="Welcome")  # a live SentMessage
    emu.press_button(alice, menu, emu.find_button(menu, "menu:"))
    await emu.wait_for("answerCallbackQuery", after=mark); assert not emu.unanswered_callbacks()
    await app.updater.stop(); await app.stop(); await app.shutdown(); await emu.stop()
emu.calls holds every call but getUpdates (see emu.poll_calls). Answers and errors mimic Telegram
(descriptions, parse_mode, limits); fail_next() and block_user() inject failures.
"""

from bot.sandbox.emulator.formatting import format_text
from bot.sandbox.emulator.protocol import BotAPIError, Call, SentMessage
from bot.sandbox.emulator.server import BotAPIEmulator

__all__ = ["BotAPIEmulator", "BotAPIError", "Call", "SentMessage", "format_text"]
