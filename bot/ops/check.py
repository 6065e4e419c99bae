"""``residentbot check``: what an operator runs when something looks wrong. One line per
finding (the configuration, the community file, the database, backups, the Bot API); the exit
code is 1 if any is a problem."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.ops.lock import AlreadyRunning, RunLock
from bot.rules.community import CommunityFileError, load_file
from storage import backup as copies
from storage.db import known_migrations

OK, NOTE, PROBLEM = "ok", "note", "PROBLEM"
API_TIMEOUT = 10.0


@dataclass(frozen=True)
class Finding:
    level: str
    topic: str
    text: str

    def line(self) -> str:
        return f"{self.level:<8} {self.topic}: {self.text}"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "check",
        help="check the configuration, the community file, the database, backups and that "
        "the Bot API answers; one line per finding, exit code 1 on a problem",
    )
    cmd.add_argument(
        "--community",
        type=Path,
        metavar="FILE",
        help="the community file to check (default: community.toml here, if there is one)",
    )
    cmd.add_argument("--offline", action="store_true", help="do not call the Bot API")


def check_command(args: argparse.Namespace) -> int:
    findings = run_checks(args.env_file, args.community, offline=args.offline)
    for finding in findings:
        print(finding.line())
    problems = sum(f.level == PROBLEM for f in findings)
    print(f"{problems} problem(s)" if problems else "no problems found")
    return 1 if problems else 0


def run_checks(
    env_file: Path | None, community_file: Path | None, *, offline: bool = False
) -> list[Finding]:
    try:
        settings = load_settings(env_file=env_file)
    except ConfigError as exc:
        return [Finding(PROBLEM, "configuration", p) for p in exc.problems]
    found = [Finding(OK, "configuration", str(settings))]
    found += _community_file(community_file)
    found += _database(settings)
    found += _backups(settings)
    if not offline:
        found += asyncio.run(_bot_api(settings))
    return found


def _community_file(path: Path | None) -> list[Finding]:
    if path is None:
        path = Path("community.toml")
        if not path.is_file():
            return [Finding(NOTE, "community file", "not checked (give --community FILE)")]
    try:
        spec = load_file(path)
    except CommunityFileError as exc:
        return [Finding(PROBLEM, "community file", f"{path}: {p}") for p in exc.problems]
    units = len(spec.units)
    return [
        Finding(OK, "community file", f"{path}: {len(spec.buildings)} buildings, {units} units")
    ]


def _database(settings: Settings) -> list[Finding]:
    path = settings.db_path
    if not path.is_file():
        return [
            Finding(
                PROBLEM,
                "database",
                f"{path} does not exist: load the community with residentbot init FILE",
            )
        ]
    found: list[Finding] = []
    try:
        RunLock(path).acquire().release()
        found.append(Finding(NOTE, "bot", "not running on this database"))
    except AlreadyRunning as exc:
        found.append(Finding(NOTE, "bot", str(exc).split(";")[0]))
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn:
            problems = copies.integrity(conn)
            applied = {int(r[0]) for r in _versions(conn)}
            has_community = _has_community(conn)
    except sqlite3.Error as exc:
        return [*found, Finding(PROBLEM, "database", f"{path} cannot be read: {exc}")]
    if problems:
        found += [Finding(PROBLEM, "database", f"integrity check: {p}") for p in problems[:10]]
    else:
        found.append(Finding(OK, "database", f"{path}: integrity check ok"))
    known = {m.version for m in known_migrations()}
    newest = max(known)
    current = max(applied, default=0)
    if current > newest:
        found.append(
            Finding(
                PROBLEM,
                "schema",
                f"version {current}, newer than this residentbot knows ({newest}): upgrade it",
            )
        )
    elif known - applied:
        pending = ", ".join(f"{v:04d}" for v in sorted(known - applied))
        found.append(
            Finding(
                NOTE,
                "schema",
                f"version {current}; migrations {pending} run when residentbot run next starts "
                "(after a backup)",
            )
        )
    else:
        found.append(Finding(OK, "schema", f"version {current}, up to date"))
    if not has_community:
        found.append(Finding(PROBLEM, "community", "none loaded yet: run residentbot init FILE"))
    return found


def _versions(conn: sqlite3.Connection) -> list[tuple[int]]:
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone():
        return []
    return list(conn.execute("SELECT version FROM schema_version"))


def _has_community(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute("SELECT 1 FROM community LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:
        return False


def _backups(settings: Settings) -> list[Finding]:
    setup = settings.backup
    found: list[Finding] = []
    folder = setup.folder
    if setup.hour is None:
        found.append(Finding(NOTE, "backups", "no daily backup (RESIDENTBOT_BACKUP_HOUR=off)"))
    existing = copies.backups_in(folder)
    if not existing:
        found.append(Finding(NOTE, "backups", f"none in {folder} yet"))
        return found
    latest = existing[-1]
    age_days = (time.time() - latest.taken_at.timestamp()) / 86400
    level = PROBLEM if setup.hour is not None and age_days > 2 else OK
    found.append(
        Finding(
            level,
            "backups",
            f"{len(existing)} in {folder}; the latest {latest.path.name} ({age_days:.1f} days old)",
        )
    )
    failed = _last_daily_error(settings.db_path)
    if failed:
        found.append(
            Finding(PROBLEM, "backups", f"the daily backup of {failed[0]} failed: {failed[1]}")
        )
    return found


def _last_daily_error(db_path: Path) -> tuple[str, str] | None:
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            row = conn.execute(
                "SELECT day, error FROM backup_due WHERE finished_at IS NOT NULL"
                " ORDER BY finished_at DESC, id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return None
    return (row[0], row[1]) if row and row[1] else None


async def _bot_api(settings: Settings) -> list[Finding]:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    if settings.token is None:
        return [Finding(PROBLEM, "bot api", "RESIDENTBOT_TOKEN is not set: not checked")]
    bot = Bot(settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url)
    try:
        async with asyncio.timeout(API_TIMEOUT):
            async with bot:
                me = await bot.get_me()
    except InvalidToken:
        return [Finding(PROBLEM, "bot api", "Telegram refused the token (RESIDENTBOT_TOKEN)")]
    except (TelegramError, TimeoutError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        return [Finding(PROBLEM, "bot api", f"no answer from {settings.api_base_url} ({reason})")]
    return [Finding(OK, "bot api", f"{settings.api_base_url} answers: the bot is @{me.username}")]
