"""Backups and restore: a consistent copy while writers go on, restore's refusals, the backup
``run`` makes before migrating."""

from __future__ import annotations

import asyncio
import gzip
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import load_settings
from bot.ops.backup import backup_before_migrating
from bot.ops.lock import RunLock
from storage import backup as store
from storage import people
from storage.db import Database, connect, known_migrations, migrate
from tests.test_cli import _run_against_nothing, env_fixture  # noqa: F401 (`env`)

NEWEST = max(m.version for m in known_migrations())


def _audit_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [r[0] for r in conn.execute("SELECT id FROM audit_log ORDER BY id")]


async def test_a_backup_while_writers_write_restores_every_committed_row(env: Path) -> None:
    db = await Database.open(env / "r.db")
    committed = 0
    stop = asyncio.Event()
    reached: dict[int, asyncio.Event] = {200: asyncio.Event()}

    async def writer() -> None:
        nonlocal committed
        while not stop.is_set():
            async with db.transaction() as conn:
                for _ in range(5):  # several rows a transaction: a torn copy would show
                    await people.audit(conn, None, "test", str(committed), 0)
            committed += 5
            for target, event in reached.items():
                if committed >= target:
                    event.set()

    writers = asyncio.create_task(writer())
    await reached[200].wait()
    before = committed
    made = await asyncio.to_thread(
        store.take, env / "r.db", env / "out", datetime.now(UTC), gzipped=True
    )
    after = committed
    reached[after + 50] = asyncio.Event()
    await reached[after + 50].wait()  # the writers went on during and after the copy
    stop.set()
    await writers
    await db.close()
    assert made.name.endswith(f"-v{NEWEST}.db.gz") and store.parse_name(made) is not None
    assert not [p for p in (env / "out").iterdir() if p.name.startswith(".")]

    os.remove(env / "r.db")
    assert main(["restore", str(made)]) == 0
    ids = _audit_ids(env / "r.db")
    # every row committed before the copy began, whole transactions only, nothing invented
    assert before <= len(ids) <= after and len(ids) % 5 == 0
    assert ids == list(range(1, len(ids) + 1))


def test_backup_command_names_the_file_and_restore_keeps_the_current_aside(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grant", "7", "staff"]) == 0
    assert main(["backup", str(env / "b")]) == 0
    made = Path(capsys.readouterr().out.split(": ")[-1].strip())
    assert made.parent == env / "b" and made.name.endswith(f"-v{NEWEST}.db")
    assert main(["grant", "8", "staff"]) == 0  # after the backup
    assert main(["restore", str(made)]) == 0
    out = capsys.readouterr().out
    assert "kept as" in out
    with sqlite3.connect(env / "r.db") as conn:
        assert conn.execute("SELECT user_id FROM roles").fetchall() == [(7,)]
    (aside,) = env.glob("r.db.before-restore-*")
    with sqlite3.connect(aside) as conn:
        assert conn.execute("SELECT user_id FROM roles ORDER BY 1").fetchall() == [(7,), (8,)]


def test_restore_refuses_while_the_bot_runs(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["grant", "7", "staff"]) == 0
    assert main(["backup", "--gzip"]) == 0
    made = Path(capsys.readouterr().out.split(": ")[-1].strip())
    assert made.parent == env / "backups" and made.suffix == ".gz"
    with RunLock(env / "r.db"):  # what `residentbot run` holds for its life
        assert main(["restore", str(made)]) == 1
        assert "residentbot is running on this database" in capsys.readouterr().err
        monkeypatch.setenv("RESIDENTBOT_TOKEN", "123:abcdefgh")
        assert main(["run"]) == 1  # nor a second bot
        assert "not started: residentbot is running" in capsys.readouterr().err
    assert not list(env.glob("r.db.before-restore-*"))
    assert main(["restore", str(made)]) == 0  # stopped: now it may


def test_restore_refuses_a_damaged_file_and_changes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grant", "7", "staff"]) == 0
    assert main(["backup", str(env / "b")]) == 0
    made = Path(capsys.readouterr().out.split(": ")[-1].strip())
    raw = bytearray(made.read_bytes())
    page = 4096
    raw[page + 20 : page * 3] = os.urandom(page * 2 - 20)  # scribble over pages 2-3
    broken = env / "broken.db"
    broken.write_bytes(bytes(raw))
    truncated = env / "truncated.db.gz"
    truncated.write_bytes(gzip.compress(made.read_bytes())[:300])
    text = env / "notes.db"
    text.write_text("not a database at all\n" * 100)
    before = (env / "r.db").read_bytes()
    for bad in (broken, truncated, text, env / "missing.db"):
        assert main(["restore", str(bad)]) == 1, bad
        err = capsys.readouterr().err
        assert "not restored" in err, err
        assert "nothing was changed" in err or "no file" in err, err
    assert (env / "r.db").read_bytes() == before
    assert not list(env.glob("r.db.before-restore-*"))
    assert not [p for p in env.iterdir() if p.name.startswith(".restore-")]


def test_restore_refuses_a_newer_schema(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grant", "7", "staff"]) == 0
    future = env / "future.db"
    with sqlite3.connect(env / "r.db") as src, sqlite3.connect(future) as dst:
        src.backup(dst)
        dst.execute("INSERT INTO schema_version (version, name) VALUES (?, 'x')", (NEWEST + 1,))
        dst.commit()
    assert main(["restore", str(future)]) == 1
    err = capsys.readouterr().err
    assert f"schema version {NEWEST + 1}" in err and f"up to {NEWEST}" in err
    with sqlite3.connect(env / "r.db") as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (NEWEST,)


async def test_an_older_backup_is_restored_then_migrated_on_the_next_start(env: Path) -> None:
    old = env / "old.db"
    conn = await connect(old)
    await migrate(conn, known_migrations()[:5])
    await conn.close()
    assert main(["restore", str(old)]) == 0
    assert store.applied(env / "r.db") == {1, 2, 3, 4, 5}
    db = await Database.open(env / "r.db")
    await db.close()
    assert store.applied(env / "r.db") == {m.version for m in known_migrations()}


async def test_run_backs_up_before_migrating_once(env: Path) -> None:
    settings = load_settings()
    assert backup_before_migrating(settings) is None  # no database yet: nothing to keep
    conn = await connect(env / "r.db")
    await migrate(conn, known_migrations()[:4])
    await conn.execute("INSERT INTO audit_log (at, action, subject) VALUES (1, 'x', 'old')")
    await conn.close()

    made = backup_before_migrating(settings)
    assert made is not None and made.parent == env / "backups"
    assert made.name.endswith("-v4-pre-migration.db.gz")
    await (await Database.open(env / "r.db")).close()  # what run does next: migrate
    assert backup_before_migrating(settings) is None  # up to date: no second copy
    assert [b.path for b in store.backups_in(env / "backups")] == [made]
    unpacked = env / "unpacked.db"
    unpacked.write_bytes(gzip.decompress(made.read_bytes()))
    with sqlite3.connect(unpacked) as c:
        assert c.execute("SELECT MAX(version) FROM schema_version").fetchone() == (4,)
        assert c.execute("SELECT subject FROM audit_log").fetchall() == [("old",)]


async def test_the_real_run_backs_up_before_its_migrations_once(tmp_path: Path) -> None:
    """``residentbot run`` as a process on a database two migrations behind: the backup comes
    before anything else (here the Bot API cannot even be reached), the second start finds
    nothing to migrate."""
    conn = await connect(tmp_path / "r.db")
    await migrate(conn, known_migrations()[:-2])
    await conn.close()
    first = _run_against_nothing(tmp_path)
    assert first.returncode == 1 and "cannot reach the Bot API" in first.stderr
    (made,) = store.backups_in(tmp_path / "backups")
    assert made.kind == "pre-migration" and made.version == known_migrations()[-3].version
    assert store.applied(tmp_path / "r.db") == {m.version for m in known_migrations()}
    assert _run_against_nothing(tmp_path).returncode == 1
    assert [b.path for b in store.backups_in(tmp_path / "backups")] == [made.path]
