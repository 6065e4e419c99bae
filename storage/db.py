"""The database: one SQLite file in WAL mode, numbered migrations, caller-owned transactions.

Usage::

    db = await Database.open(path)          # connects, applies migrations
    async with db.transaction() as conn:    # BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)
        await tickets.create(conn, ...)
    async with db.read() as conn:           # a consistent read (BEGIN DEFERRED)
        ...
    await db.close()

Repositories take the connection and never commit; one user action is one transaction.
Within one process every transaction goes through one connection guarded by a lock, so two
coroutines never interleave statements; across processes SQLite's own locking (with a busy
timeout) serialises writers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

BUSY_TIMEOUT_MS = 10_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer residentbot than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def known_migrations() -> list[Migration]:
    """Every migration shipped in ``storage/migrations``, in version order."""
    found: list[Migration] = []
    folder = resources.files("storage") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


async def connect(path: str | Path) -> aiosqlite.Connection:
    """Open a connection with the settings every connection must have."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")
    return conn


async def applied_versions(conn: aiosqlite.Connection) -> set[int]:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
    )
    async with conn.execute("SELECT version FROM schema_version") as cur:
        return {int(row[0]) for row in await cur.fetchall()}


async def migrate(
    conn: aiosqlite.Connection, migrations: list[Migration] | None = None
) -> list[int]:
    """Apply every known migration not yet applied, each in its own transaction.

    Returns the versions applied. Refuses a database that records a version this code does not
    know (it was written by a newer residentbot): running old code on it could corrupt it.
    """
    migrations = known_migrations() if migrations is None else migrations
    done = await applied_versions(conn)
    newest_known = max((m.version for m in migrations), default=0)
    unknown = sorted(v for v in done if v > newest_known)
    if unknown:
        raise DatabaseTooNewError(
            f"the database is at schema version {max(done)}, but this residentbot only knows "
            f"versions up to {newest_known}; upgrade residentbot before using this database"
        )
    applied: list[int] = []
    for migration in migrations:
        if migration.version in done:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(migration.sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                (migration.version, migration.name),
            )
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        applied.append(migration.version)
    return applied


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` knows about triggers)."""
    import sqlite3

    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buffer[:80]!r}")
    return statements


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The row of a query of one row (by key, an aggregate, ``LIMIT 1``), or None: one trip to
    SQLite's thread instead of three (execute, fetch, close)."""
    rows = await conn.execute_fetchall(sql, params)
    return next(iter(rows), None)


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[Any]:
    """Every row of a query, in one trip to SQLite's thread (not three: execute, fetch, close);
    ``params`` by position (``?``) or by name (``:name``)."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_value(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row (or None): counts, ids, flags."""
    row = await fetch_one(conn, sql, params)
    return None if row is None else row[0]


class Database:
    """One process's handle on the database."""

    def __init__(self, path: str | Path, conn: aiosqlite.Connection) -> None:
        self.path = Path(path)
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, run_migrations: bool = True) -> Database:
        conn = await connect(path)
        try:
            if run_migrations:
                await migrate(conn)
        except BaseException:
            await conn.close()
            raise
        return cls(path, conn)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: BEGIN IMMEDIATE, so check-then-write is atomic across processes.

        Safe against task cancellation: a statement already handed to SQLite's thread finishes
        there whatever happens to the awaiting task, so on any error (cancellation included) we
        wait for it and roll back before the lock is released."""
        async with self._lock:
            try:
                await asyncio.shield(self._conn.execute("BEGIN IMMEDIATE"))
                yield self._conn
            except BaseException:
                await self._rollback()
                raise
            try:
                await asyncio.shield(self._conn.execute("COMMIT"))
            except BaseException:
                await self._rollback()
                raise

    async def _rollback(self) -> None:
        """Roll back whatever is open (nothing, if BEGIN never ran or COMMIT already did)."""
        rollback = asyncio.ensure_future(self._rollback_if_open())
        try:
            await asyncio.shield(rollback)
        except asyncio.CancelledError:
            await rollback  # cancelled twice: still leave the connection clean
            raise

    async def _rollback_if_open(self) -> None:
        # aiosqlite runs statements in order on one thread: a BEGIN or COMMIT still in flight
        # completes before this ROLLBACK, so in_transaction is read after it.
        await self._conn.execute("SELECT 1")
        if self._conn.in_transaction:
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def peek(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads with no transaction around them: each statement sees what is committed when it
        runs. Two trips to SQLite's thread fewer than ``read``: for a few lookups that need no
        common snapshot (who is pressing a button: their roles, homes and language)."""
        async with self._lock:
            yield self._conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read-only snapshot (BEGIN DEFERRED); anything written inside is rolled back."""
        async with self._lock:
            try:
                await asyncio.shield(self._conn.execute("BEGIN"))
                yield self._conn
            except BaseException:
                await self._rollback()
                raise
            # every statement was awaited: nothing is in flight, one ROLLBACK ends it
            await asyncio.shield(self._conn.execute("ROLLBACK"))
