"""Copies of the database: consistent online backups, their checks, and putting one back.

A live WAL database is never copied as a file (the last commits may still be in the ``-wal``
file, and a copy taken mid-write is torn): SQLite's online backup API copies one consistent
snapshot while writers go on. Every copy is checked with ``PRAGMA integrity_check`` before it
gets its final name, so a file named ``residentbot-….db`` is a whole database.

Names: ``residentbot-20261202T030000Z-v15[-daily|-pre-migration].db[.gz]``, the time (UTC) and
the schema version of what is inside. These are blocking functions (files, sqlite3): the bot
calls them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.db import BUSY_TIMEOUT_MS

PREFIX = "residentbot-"
_NAME = re.compile(
    r"^residentbot-(\d{8}T\d{6}Z)-v(\d+)(?:-([a-z-]+))?\.db(\.gz)?$",
)
STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(RuntimeError):
    """A backup could not be made, or a file is not one that can be restored."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    version: int
    kind: str  # "" (by hand), "daily", "pre-migration"


def parse_name(path: Path) -> BackupFile | None:
    """What a backup's name says, or None for any other file."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    taken = datetime.strptime(match[1], STAMP).replace(tzinfo=UTC)
    return BackupFile(path, taken, int(match[2]), match[3] or "")


def backups_in(folder: Path, kind: str | None = None) -> list[BackupFile]:
    """The backups in ``folder`` (of one kind, if given), oldest first."""
    if not folder.is_dir():
        return []
    found = [b for b in map(parse_name, folder.iterdir()) if b is not None]
    if kind is not None:
        found = [b for b in found if b.kind == kind]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name))


def schema_version(conn: sqlite3.Connection) -> int:
    """The newest migration applied to this database (0: none, or no residentbot schema)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has_table:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def applied(path: Path) -> set[int]:
    """The migrations applied to the database at ``path`` (empty for a missing/new one)."""
    if not path.exists() or path.stat().st_size == 0:
        return set()
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if not has_table:
            return set()
        return {int(r[0]) for r in conn.execute("SELECT version FROM schema_version")}


def integrity(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``'s complaints (empty: the database is whole)."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def take(db_path: Path, folder: Path, now: datetime, *, kind: str = "", gzipped: bool) -> Path:
    """Copy the database at ``db_path`` into ``folder`` with the backup API, check the copy and
    give it its final name (written beside it first, so a failure leaves no half file)."""
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}")
    folder.mkdir(parents=True, exist_ok=True)
    fd, raw = tempfile.mkstemp(prefix=".partial-", suffix=".db", dir=folder)
    os.close(fd)
    partial = Path(raw)
    try:
        with closing(sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)) as source:
            with closing(sqlite3.connect(partial)) as target:
                source.backup(target)  # all pages in one step: one consistent snapshot
                problems = integrity(target)
                if problems:
                    raise BackupError(
                        "the copy fails the integrity check: " + "; ".join(problems[:3])
                    )
                version = schema_version(target)
                target.execute("PRAGMA journal_mode = DELETE")
        name = f"{PREFIX}{now.astimezone(UTC).strftime(STAMP)}-v{version}"
        name += f"-{kind}" if kind else ""
        name += ".db.gz" if gzipped else ".db"
        final = folder / name
        if gzipped:
            packed = partial.with_suffix(".gz")
            with partial.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            partial.unlink()
            partial = packed
        _fsync(partial)
        os.replace(partial, final)
        return final
    except sqlite3.Error as exc:
        raise BackupError(str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as fp:
        os.fsync(fp.fileno())


@dataclass(frozen=True)
class Candidate:
    """A backup unpacked beside the database, checked, ready to be put in its place."""

    path: Path
    version: int


def unpack_and_check(file: Path, beside: Path, newest_known: int) -> Candidate:
    """Unpack ``file`` (gzip or plain) into a temporary file in ``beside``'s folder and check
    it: a whole SQLite database, a residentbot one, not newer than this code."""
    if not file.is_file():
        raise BackupError(f"there is no file {file}")
    fd, raw = tempfile.mkstemp(prefix=".restore-", suffix=".db", dir=beside.parent)
    os.close(fd)
    temp = Path(raw)
    try:
        with file.open("rb") as head:
            packed = head.read(2) == b"\x1f\x8b"
        if packed:
            with gzip.open(file, "rb") as src, temp.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        else:  # through SQLite, so commits still in a -wal file beside it come along
            with closing(sqlite3.connect(file)) as src, closing(sqlite3.connect(temp)) as dst:
                src.backup(dst)
        with closing(sqlite3.connect(temp)) as conn:
            problems = integrity(conn)
            if problems:
                raise BackupError(
                    f"{file} is damaged (integrity check: {'; '.join(problems[:3])}); "
                    "nothing was changed"
                )
            version = schema_version(conn)
        if version == 0:
            raise BackupError(f"{file} is not a residentbot database; nothing was changed")
        if version > newest_known:
            raise BackupError(
                f"{file} is at schema version {version}, but this residentbot only knows "
                f"versions up to {newest_known}: install the residentbot that made it (or a "
                "newer one) first; nothing was changed"
            )
        return Candidate(temp, version)
    except (sqlite3.DatabaseError, OSError, EOFError) as exc:
        temp.unlink(missing_ok=True)
        raise BackupError(
            f"{file} is not a readable database ({exc}); nothing was changed"
        ) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def put_in_place(candidate: Candidate, db_path: Path, now: datetime) -> Path | None:
    """Keep the current database aside (a consistent copy, ``….before-restore-STAMP``), then
    replace it with the candidate. Returns where the old one was kept (None: there was none).
    The caller makes sure nothing has the database open."""
    aside: Path | None = None
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.name}.before-restore-{now.strftime(STAMP)}")
        try:
            with closing(sqlite3.connect(db_path)) as source:
                with closing(sqlite3.connect(aside)) as target:
                    source.backup(target)
                    target.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error:  # too damaged to read: keep its files as they are
            aside.unlink(missing_ok=True)
            for suffix in ("", "-wal", "-shm"):
                old = Path(f"{db_path}{suffix}")
                if old.exists():
                    os.replace(old, Path(f"{aside}{suffix}"))
    for suffix in ("-wal", "-shm"):  # a stale WAL must never be replayed onto the restored file
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    _fsync(candidate.path)
    os.replace(candidate.path, db_path)
    return aside
