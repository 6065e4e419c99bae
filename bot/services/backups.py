"""The daily backup: its due-time row (one a day, claimed once, across restarts), the backup
itself with the retention, and the administrators told when it fails (outbox rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import aiosqlite

from bot.config import BackupSettings
from bot.i18n import I18n
from bot.rules.auth import Role
from bot.rules.backups import next_daily, to_keep
from bot.rules.clock import from_ts, to_ts
from bot.services.readers import translator_for
from bot.texts.backups import failure_text
from storage import backup as copies
from storage import backups as store
from storage import outbox, people
from storage.outbox import Payload

KIND = "daily"
#: A backup claimed this long ago that never ended died with its process: made again.
UNFINISHED_AFTER = timedelta(hours=1)


def _day(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat()


async def claim_due(
    conn: aiosqlite.Connection, now: datetime, hour: int, zone: tzinfo
) -> store.Due | None:
    """The day's row if it is due, claimed in this transaction (so the backup is made once,
    whoever else sweeps, whatever restarts); keeps the next day's row waiting. One the process
    died making is claimed again an hour later."""
    died = await store.unfinished(conn, to_ts(now - UNFINISHED_AFTER))
    if died is not None:
        await store.reclaim(conn, died, to_ts(now))
        return died
    due = await store.pending(conn)
    if due is not None and due.due_at <= to_ts(now):
        if not await store.claim(conn, due, to_ts(now)):
            return None
        await _schedule_next(conn, now, hour, zone)
        return due
    if due is None:
        await _schedule_next(conn, now, hour, zone)
    elif from_ts(due.due_at).astimezone(zone).hour != hour:  # the hour setting changed
        at = await _next_free(conn, now, hour, zone)
        await store.move(conn, due.id, _day(at, zone), to_ts(at))
    return None


async def _next_free(
    conn: aiosqlite.Connection, now: datetime, hour: int, zone: tzinfo
) -> datetime:
    """The next ``hour``:00 on a day that has no backup row yet."""
    at = next_daily(now, hour, zone)
    while await store.has_day(conn, _day(at, zone)):
        at = next_daily(at, hour, zone)
    return at


async def _schedule_next(
    conn: aiosqlite.Connection, now: datetime, hour: int, zone: tzinfo
) -> None:
    at = await _next_free(conn, now, hour, zone)
    await store.schedule(conn, _day(at, zone), to_ts(at))


@dataclass(frozen=True)
class Outcome:
    file: Path | None
    removed: list[Path]
    error: str | None


def make_backup(db_path: Path, setup: BackupSettings, now: datetime, zone: tzinfo) -> Outcome:
    """Blocking (run it in a thread): the backup, then the retention over the daily ones."""
    try:
        made = copies.take(db_path, setup.folder, now, kind=KIND, gzipped=setup.compress)
    except (copies.BackupError, OSError) as exc:
        return Outcome(None, [], str(exc) or type(exc).__name__)
    return Outcome(made, prune(setup, zone), None)


def prune(setup: BackupSettings, zone: tzinfo) -> list[Path]:
    """Delete the daily backups the retention does not keep; returns what went."""
    found = copies.backups_in(setup.folder, KIND)
    keep = to_keep(
        (b.taken_at for b in found), zone, daily=setup.keep_daily, monthly=setup.keep_monthly
    )
    removed = [b.path for b in found if b.taken_at not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


async def finish(
    conn: aiosqlite.Connection,
    due: store.Due,
    outcome: Outcome,
    now: datetime,
    i18n: I18n,
    folder: Path,
) -> int:
    """Record what came of the day's backup; a failure becomes a message to every
    administrator (outbox rows, in this transaction). Returns how many were told."""
    file = str(outcome.file) if outcome.file else None
    await store.finish(conn, due.id, to_ts(now), file, outcome.error)
    if outcome.error is None:
        return 0
    admins = await people.role_holders(conn, Role.ADMIN)
    for admin in admins:
        tr = await translator_for(i18n, conn, admin)
        text = failure_text(tr, day=due.day, folder=str(folder), error=outcome.error)
        await outbox.push(
            conn, admin, Payload(text=text), now=to_ts(now), kind="backup", ref=due.day
        )
    return len(admins)
