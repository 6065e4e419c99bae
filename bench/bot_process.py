"""One bot in its own process for the benchmarks, polling a Bot API at the given address until
SIGTERM; the last line it prints is JSON (its start-up time and peak memory).

    python -m bench.bot_process echo --base-url URL --file-url URL --token T
    python -m bench.bot_process resident --base-url URL --file-url URL --token T --db PATH

``echo`` is the bare python-telegram-bot echo bot (PTB's defaults: the baseline);
``resident`` is residentbot as ``residentbot run`` builds it, jobs paused (the bench times
presses, not sweeps). Running apart from the emulator and the load, the bot's CPU time and
its cores are its own, as against Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import build_application  # imported before the clock starts: start-up is the work
from bot.config import load_settings
from storage.db import Database


async def echo_app(args: argparse.Namespace) -> Application[Any, Any, Any, Any, Any, Any]:
    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(args.token)
        .base_url(args.base_url)
        .base_file_url(args.file_url)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    return app


async def resident_app(args: argparse.Namespace) -> Application[Any, Any, Any, Any, Any, Any]:
    path = Path(args.db)
    settings = load_settings(
        {
            "RESIDENTBOT_TOKEN": args.token,
            "RESIDENTBOT_API_BASE_URL": args.base_url,
            "RESIDENTBOT_API_FILE_URL": args.file_url,
            "RESIDENTBOT_DB": str(path),
        },
        env_file=path.parent / "no.env",
    )
    db = await Database.open(path)
    app = await build_application(settings, db=db, schedule_jobs=False)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    return app


async def serve(args: argparse.Namespace) -> dict[str, float]:
    started = time.monotonic()
    app = await (echo_app(args) if args.kind == "echo" else resident_app(args))
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    startup = time.monotonic() - started
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    await app.updater.stop()
    await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if args.kind == "resident":
        await app.bot_data.services.db.close()
    return {
        "startup_s": startup,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", choices=["echo", "resident"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--file-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    print(json.dumps(asyncio.run(serve(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
