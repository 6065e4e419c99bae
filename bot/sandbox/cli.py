"""``residentbot sandbox [--reset] [--db PATH] [--port N]``: parses, starts the sandbox, prints
its one address, and runs until Ctrl+C / SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.ops.lock import AlreadyRunning, RunLock
from bot.rules.community import CommunityFileError

if TYPE_CHECKING:  # the bot itself is imported only when the sandbox starts
    from bot.sandbox.runner import Sandbox

DEFAULT_FILE = Path("residentbot-sandbox.db")
DEFAULT_PORT = 8090


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "sandbox",
        help="try the bot without Telegram: the real bot on this computer, every role's chat "
        "in a browser page",
    )
    cmd.add_argument(
        "--file",
        type=Path,
        default=DEFAULT_FILE,
        help=f"the sandbox's own database (default {DEFAULT_FILE}; kept between runs)",
    )
    cmd.add_argument("--reset", action="store_true", help="start again from a fresh database")
    cmd.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="start from a copy of this database (e.g. a real one; it is only read)",
    )
    cmd.add_argument(
        "--community",
        type=Path,
        metavar="FILE",
        help="the community loaded into a fresh database (default: the example community)",
    )
    cmd.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the local port (default {DEFAULT_PORT})"
    )


def sandbox_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.runner import EXAMPLE, Options, Sandbox

    options = Options(
        db_path=args.file,
        source=args.db,
        community_file=args.community or EXAMPLE,
        reset=args.reset,
        port=args.port,
    )
    try:
        with RunLock(options.db_path):
            return asyncio.run(_serve(Sandbox(settings, options)))
    except AlreadyRunning as exc:
        print(f"residentbot: not started: {exc}", file=sys.stderr)
        return 1


async def _serve(sandbox: Sandbox) -> int:
    from bot.sandbox.personas import NoCommunity
    from bot.sandbox.runner import SandboxError
    from storage.db import DatabaseTooNewError

    try:
        address = await sandbox.start()
    except (SandboxError, NoCommunity, DatabaseTooNewError, OSError) as exc:
        await sandbox.stop()
        print(f"residentbot: the sandbox cannot start: {exc}", file=sys.stderr)
        return 1
    except CommunityFileError as exc:
        await sandbox.stop()
        print("residentbot: the community file has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    print(f"\nThe sandbox is running: open {address}\n(stop it with Ctrl+C)\n", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        await sandbox.stop()
    return 0
