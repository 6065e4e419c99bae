"""``residentbot backup`` and ``residentbot restore``, and the backup ``run`` makes before it
migrates an existing database (the copies themselves: ``storage.backup``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.ops.lock import AlreadyRunning, RunLock
from bot.rules.clock import system_clock
from storage import backup as store
from storage.db import known_migrations


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "backup", help="copy the database (safe while the bot runs), checked, into a folder"
    )
    cmd.add_argument(
        "folder",
        nargs="?",
        type=Path,
        metavar="DIR",
        help="where to write it (default RESIDENTBOT_BACKUP_DIR)",
    )
    cmd.add_argument("--gzip", action="store_true", help="compress it (.db.gz)")
    cmd = sub.add_parser(
        "restore",
        help="put a backup in the database's place (the bot stopped; the current one is kept)",
    )
    cmd.add_argument("file", type=Path, help="a backup made by residentbot backup (.db or .db.gz)")


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    folder: Path = args.folder or settings.backup.folder
    try:
        made = store.take(settings.db_path, folder, system_clock(), gzipped=args.gzip)
    except (store.BackupError, OSError) as exc:
        print(f"residentbot: no backup made: {exc}", file=sys.stderr)
        return 1
    print(f"backup written and checked: {made}")
    return 0


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    db_path = settings.db_path
    newest = max(m.version for m in known_migrations())
    try:
        with RunLock(db_path):  # held while we work: a `run` starting now waits for nothing
            candidate = store.unpack_and_check(args.file, db_path, newest)
            aside = store.put_in_place(candidate, db_path, system_clock())
    except AlreadyRunning as exc:
        print(f"residentbot: not restored: {exc}", file=sys.stderr)
        return 1
    except (store.BackupError, OSError) as exc:
        print(f"residentbot: not restored: {exc}", file=sys.stderr)
        return 1
    if aside is not None:
        print(f"the database that was there is kept as {aside}")
    print(f"restored {args.file} into {db_path} (schema version {candidate.version})")
    if candidate.version < newest:
        print(f"residentbot run will migrate it to version {newest} when it starts")
    return 0


def backup_before_migrating(settings: Settings, now: datetime | None = None) -> Path | None:
    """Before ``run`` migrates an existing database: a checked copy of it as it was (None when
    there is nothing to migrate, or no database yet). Raises ``BackupError`` if it cannot."""
    try:
        done = store.applied(settings.db_path)
    except sqlite3.Error:
        return None  # unreadable: Database.open says so
    known = {m.version for m in known_migrations()}
    if not done or known <= done or max(done) > max(known):
        return None  # new, up to date, or too new (Database.open refuses it)
    return store.take(
        settings.db_path,
        settings.backup.folder,
        now or system_clock(),
        kind="pre-migration",
        gzipped=settings.backup.compress,
    )
