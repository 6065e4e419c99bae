"""``residentbot check``: one line per finding, exit code 1 on a problem."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from storage.db import known_migrations
from tests.emulator import BotAPIEmulator
from tests.test_cli import EXAMPLE, _cli, _free_port, env_fixture  # noqa: F401 (`env`)

NEWEST = max(m.version for m in known_migrations())


def _lines(capsys: pytest.CaptureFixture[str], level: str) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith(level)]


async def test_a_healthy_installation_checks_out(tmp_path: Path) -> None:
    emu = BotAPIEmulator()
    await emu.start()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RESIDENTBOT_")}
    environ.update(
        RESIDENTBOT_TOKEN=emu.token,
        RESIDENTBOT_API_BASE_URL=emu.base_url,
        RESIDENTBOT_DB=str(tmp_path / "r.db"),
    )

    try:
        assert (await _cli(environ, tmp_path, "init", str(EXAMPLE)))[0] == 0
        assert (await _cli(environ, tmp_path, "backup"))[0] == 0
        code, out = await _cli(environ, tmp_path, "check", "--community", str(EXAMPLE))
    finally:
        await emu.stop()
    assert code == 0, out
    assert "PROBLEM" not in out and out.rstrip().endswith("no problems found")
    for topic in ("configuration", "community file", "database", "schema", "backups", "bot api"):
        assert f"ok       {topic}: " in out, (topic, out)
    assert f"version {NEWEST}, up to date" in out
    assert "120 units" in out and "the bot is @" in out


def test_a_damaged_database_is_a_problem(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(EXAMPLE)]) == 0
    with sqlite3.connect(env / "r.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray((env / "r.db").read_bytes())
    raw[4096 * 3 : 4096 * 6] = b"\xff" * (4096 * 3)
    (env / "r.db").write_bytes(bytes(raw))
    capsys.readouterr()
    assert main(["check", "--offline"]) == 1
    problems = _lines(capsys, "PROBLEM")
    assert problems and all(p.startswith("PROBLEM  database: ") for p in problems), problems


def test_schema_newer_pending_and_no_community(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grant", "1", "staff"]) == 0  # a database with no community
    capsys.readouterr()
    assert main(["check", "--offline"]) == 1
    assert _lines(capsys, "PROBLEM") == [
        "PROBLEM  community: none loaded yet: run residentbot init FILE"
    ]
    *_, older, before_last, last = sorted(m.version for m in known_migrations())
    with sqlite3.connect(env / "r.db") as conn:
        conn.execute(f"DELETE FROM schema_version WHERE version >= {before_last}")
    assert main(["check", "--offline"]) == 1
    out = capsys.readouterr().out
    assert f"note     schema: version {older}; migrations {before_last:04d}, {last:04d} run" in out
    with sqlite3.connect(env / "r.db") as conn:
        conn.execute("INSERT INTO schema_version (version, name) VALUES (9999, 'future')")
    assert main(["check", "--offline"]) == 1
    assert "PROBLEM  schema: version 9999, newer than this residentbot knows" in (
        capsys.readouterr().out
    )


def test_configuration_community_file_and_bot_api_problems(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESIDENTBOT_TIMEZONE", "Moon/Base")
    monkeypatch.setenv("RESIDENTBOT_BACKUP_HOUR", "25")
    assert main(["check"]) == 1
    problems = _lines(capsys, "PROBLEM")
    assert len(problems) == 2 and all("configuration: RESIDENTBOT_" in p for p in problems)
    monkeypatch.delenv("RESIDENTBOT_TIMEZONE")
    monkeypatch.delenv("RESIDENTBOT_BACKUP_HOUR")

    assert main(["init", str(EXAMPLE)]) == 0
    bad = env / "community.toml"  # found without --community
    bad.write_text('[community]\nname = ""\n', "utf-8")
    monkeypatch.setenv("RESIDENTBOT_TOKEN", "123456:ABCdefGHIjklMNOpqrSTUvwxYZ12345678")
    monkeypatch.setenv("RESIDENTBOT_API_BASE_URL", f"http://127.0.0.1:{_free_port()}/bot")
    capsys.readouterr()
    assert main(["check"]) == 1
    problems = _lines(capsys, "PROBLEM")
    assert any(p.startswith("PROBLEM  community file: ") and "name" in p for p in problems)
    assert any(p.startswith("PROBLEM  bot api: no answer from http://127.0.0.1:") for p in problems)
    assert not any("database" in p or "schema" in p for p in problems)
