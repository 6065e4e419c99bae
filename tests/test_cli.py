"""The ``residentbot`` command: init, invites, grant/revoke, configuration errors, and a real
``run`` in a subprocess against the emulator, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.emulator import BotAPIEmulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "community.toml"


@pytest.fixture(name="env")
def env_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no RESIDENTBOT_* settings but the database path (also used by
    tests/test_backup.py and tests/test_check.py)."""
    for key in list(os.environ):
        if key.startswith("RESIDENTBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESIDENTBOT_DB", str(tmp_path / "r.db"))
    return tmp_path


def test_init_twice_then_edit(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(EXAMPLE)]) == 0
    first = capsys.readouterr().out
    assert "units: 120 change(s)" in first
    assert main(["init", str(EXAMPLE)]) == 0
    assert "already up to date" in capsys.readouterr().out
    edited = env / "c.toml"
    edited.write_text(
        EXAMPLE.read_text("utf-8").replace('name = "3号楼"', 'name = "三号楼"'), "utf-8"
    )
    assert main(["init", str(edited)]) == 0
    assert "buildings: 1 change(s): updated 3" in capsys.readouterr().out
    with sqlite3.connect(env / "r.db") as conn:
        assert conn.execute("SELECT name FROM buildings WHERE code = '3'").fetchone() == ("三号楼",)


def test_init_keeps_a_staff_chat_bound_in_telegram_until_the_file_changes_it(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def staff_chat() -> int | None:
        with sqlite3.connect(env / "r.db") as conn:
            return conn.execute("SELECT staff_chat_id FROM community").fetchone()[0]

    def bind_in_telegram(chat_id: int) -> None:  # what /bind staff in a group does
        with sqlite3.connect(env / "r.db") as conn:
            conn.execute("UPDATE community SET staff_chat_id = ?", (chat_id,))

    def with_staff_chat(chat_id: int) -> Path:
        edited = env / f"c{-chat_id}.toml"
        edited.write_text(
            EXAMPLE.read_text("utf-8").replace(
                "# staff_chat_id = -1001234567890", f"staff_chat_id = {chat_id}"
            ),
            "utf-8",
        )
        return edited

    # the file says nothing: a chat bound with /bind stays, re-running init changes nothing
    assert main(["init", str(EXAMPLE)]) == 0
    bind_in_telegram(-1009)
    assert main(["init", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert staff_chat() == -1009
    assert "note: the staff chat stays -1009, as bound with /bind in Telegram" in out
    # the file sets one: a change of the file wins
    assert main(["init", str(with_staff_chat(-1001))]) == 0
    assert staff_chat() == -1001
    capsys.readouterr()
    # bound again in Telegram: the same file, run again, does not undo it (and says so, once)
    bind_in_telegram(-1002)
    assert main(["init", str(with_staff_chat(-1001))]) == 0
    out = capsys.readouterr().out
    assert staff_chat() == -1002
    assert out.count("note:") == 1 and "staff_chat_id (-1001) wins only when you change it" in out
    assert "already up to date" in out
    # the file changes its value: the file wins
    assert main(["init", str(with_staff_chat(-1003))]) == 0
    assert staff_chat() == -1003
    assert "note:" not in capsys.readouterr().out
    assert main(["init", str(with_staff_chat(-1003))]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_init_reports_every_problem(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = env / "bad.toml"
    bad.write_text(
        '[community]\nname = ""\n[[categories]]\ncode = "x"\nname = "X"\npriority = "soon"\n',
        "utf-8",
    )
    assert main(["init", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "community.name is missing" in err
    assert "at least one [[buildings]]" in err
    assert "priority must be urgent, normal or low" in err
    assert not (env / "r.db").exists() or sqlite3.connect(env / "r.db").execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'community'"
    ).fetchone() == (0,)


def test_invites_print_links_and_write_qr_codes(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(EXAMPLE)]) == 0
    capsys.readouterr()
    assert (
        main(
            ["invites", "--bot-username", "wanjun_bot", "--building", "2", "--qr", str(env / "qr")]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 40
    code, link = lines[0].split("\t")
    assert code == "2-101"
    assert re.fullmatch(r"https://t\.me/wanjun_bot\?start=j_[A-Za-z0-9_-]{12}", link)
    png = (env / "qr" / "2-101.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(list((env / "qr").glob("*.png"))) == 40


def test_owner_letters_are_one_time_codes_kept_only_as_hashes(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(EXAMPLE)]) == 0
    capsys.readouterr()
    argv = ["invites", "--owners", "--bot-username", "wanjun_bot", "--building", "1"]
    assert main([*argv, "--qr", str(env / "letters")]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 40 and "40 owner letter(s) made" in captured.err
    unit, owner, link = lines[0].split("\t")
    assert (unit, owner) == ("1-101", "王建国")
    found = re.fullmatch(r"https://t\.me/wanjun_bot\?start=(o_[A-Za-z0-9_-]{16})", link)
    assert found, link
    door = (
        sqlite3.connect(env / "r.db")
        .execute("SELECT invite_code FROM units WHERE code = '1-101'")
        .fetchone()[0]
    )
    assert found.group(1) != door  # the owner's own code, not the door's
    png = (env / "letters" / "1-101-owner.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    letter = (env / "letters" / "1-101-owner.txt").read_text("utf-8")
    assert "湾郡社区：1-101 业主确认函" in letter and "尊敬的王建国：" in letter and link in letter
    with sqlite3.connect(env / "r.db") as conn:
        stored = conn.execute("SELECT code_hash FROM owner_codes").fetchall()
        assert len(stored) == 40
        assert all(found.group(1) not in h for (h,) in stored)
        assert (hashlib.sha256(found.group(1).encode()).hexdigest(),) in stored
    # a lost letter is printed again: the first one stops working
    assert main([*argv, "--unit", "1-101"]) == 0
    assert capsys.readouterr().out.split("\t")[2].strip() != link
    with sqlite3.connect(env / "r.db") as conn:
        assert conn.execute(
            "SELECT COUNT(*), COUNT(retired_at) FROM owner_codes c JOIN units u"
            " ON u.id = c.unit_id WHERE u.code = '1-101'"
        ).fetchone() == (2, 1)
    assert main([*argv, "--unit", "9-999"]) == 1


def test_grant_and_revoke(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(EXAMPLE)]) == 0
    assert main(["grant", "42", "leader"]) == 2
    assert "needs --building" in capsys.readouterr().err
    assert main(["grant", "42", "leader", "--building", "1", "--building", "3"]) == 0
    assert main(["grant", "42", "leader", "--building", "1"]) == 0
    assert "already held" in capsys.readouterr().out
    assert main(["grant", "42", "leader", "--building", "9"]) == 2
    assert main(["grant", "7", "staff"]) == 0
    with sqlite3.connect(env / "r.db") as conn:
        rows = conn.execute(
            "SELECT r.user_id, r.role, b.code FROM roles r LEFT JOIN buildings b ON b.id = r.building_id ORDER BY 1, 3"
        ).fetchall()
    assert rows == [(7, "staff", None), (42, "leader", "1"), (42, "leader", "3")]
    assert main(["revoke", "42", "leader", "--building", "1"]) == 0
    with sqlite3.connect(env / "r.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM roles WHERE user_id = 42").fetchone() == (1,)


def test_run_without_a_token_explains(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "RESIDENTBOT_TOKEN is not set" in err and "@BotFather" in err


def test_bad_settings_are_listed(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESIDENTBOT_TIMEZONE", "Moon/Base")
    monkeypatch.setenv("RESIDENTBOT_LOCALE", "klingon")
    assert main(["init", str(EXAMPLE)]) == 2
    err = capsys.readouterr().err
    assert "RESIDENTBOT_TIMEZONE" in err and "RESIDENTBOT_LOCALE" in err


def test_newer_database_is_refused_by_the_cli(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(EXAMPLE)]) == 0
    with sqlite3.connect(env / "r.db") as conn:
        conn.execute("INSERT INTO schema_version (version, name) VALUES (9999, 'future')")
    assert main(["grant", "1", "staff"]) == 2
    assert "upgrade residentbot" in capsys.readouterr().err


def test_help_on_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("run", "init", "invites", "grant", "revoke", "backup", "restore", "check"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: residentbot" in capsys.readouterr().out


async def test_run_serves_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """The real console entry point, as a process: first-admin code printed, a /start answered,
    SIGTERM ends it with exit code 0, and the token never appears in its output."""
    emu = BotAPIEmulator(token="987654:SECRET-token-value")
    await emu.start()
    db = tmp_path / "r.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESIDENTBOT_")}
    env.update(
        RESIDENTBOT_TOKEN=emu.token,
        RESIDENTBOT_API_BASE_URL=emu.base_url,
        RESIDENTBOT_API_FILE_URL=emu.base_file_url,
        RESIDENTBOT_DB=str(db),
        PYTHONUNBUFFERED="1",
    )
    init = await _cli(env, tmp_path, "init", str(EXAMPLE))
    assert init[0] == 0, init[1]
    proc = await _spawn(env, tmp_path, "run")
    output = b""
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(30):
            while b"/start adm_" not in output:
                output += await proc.stdout.readline()
        code = re.search(rb"/start (adm_[A-Za-z0-9_-]+)", output)
        assert code is not None
        await emu.wait_polling(timeout=20)
        admin = emu.user(555, "Boss", "en")
        mark = emu.mark()
        emu.send_command(admin, "start", code.group(1).decode())
        reply = await emu.wait_message(555, after=mark, contains="administrator", timeout=20)
        assert "You are now the administrator" in (reply.text or "")
        await emu.wait_message(555, after=mark, contains="Hello Boss", timeout=20)
        # while it runs: a backup may be taken, a restore is refused
        backup = await _cli(env, tmp_path, "backup")
        assert backup[0] == 0, backup[1]
        made = backup[1].split(": ")[-1].strip()
        restore = await _cli(env, tmp_path, "restore", made)
        assert restore[0] == 1 and "residentbot is running on this database" in restore[1]
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
        output += rest
        await emu.stop()
    assert proc.returncode == 0, output.decode(errors="replace")
    assert b"SECRET-token-value" not in output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT user_id, role FROM roles").fetchall() == [(555, "admin")]
    with sqlite3.connect(made) as conn:  # the backup taken while it ran holds the claim
        assert conn.execute("SELECT user_id, role FROM roles").fetchall() == [(555, "admin")]


async def _spawn(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    """``python -m bot ARGS`` as a process, its stderr in its stdout."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _cli(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    proc = await _spawn(env, cwd, *args)
    out, _ = await proc.communicate()
    return await proc.wait(), out.decode(errors="replace")


def _free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_against_nothing(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESIDENTBOT_")}
    env.update(
        RESIDENTBOT_TOKEN="123456:ABCdefGHIjklMNOpqrSTUvwxYZ12345678",
        RESIDENTBOT_API_BASE_URL=f"http://127.0.0.1:{_free_port()}/bot",
        RESIDENTBOT_DB=str(tmp_path / "r.db"),
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *extra],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_with_the_bot_api_unreachable_says_so_in_one_clear_line(tmp_path: Path) -> None:
    """A newcomer's first run with no network: one plain message, no traceback, no claim code
    (the code is printed only once the bot has reached Telegram), no scheduler chatter."""
    done = _run_against_nothing(tmp_path)
    assert done.returncode == 1
    assert "cannot reach the Bot API at http://127.0.0.1:" in done.stderr
    assert "Cannot connect to host 127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert "apscheduler" not in done.stderr and "PTBDeprecationWarning" not in done.stderr
    assert "/start adm_" not in done.stdout
    assert len(done.stderr.strip().splitlines()) <= 3, done.stderr


def test_run_verbose_shows_the_traceback_too(tmp_path: Path) -> None:
    done = _run_against_nothing(tmp_path, "--verbose")
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "cannot reach the Bot API" in done.stderr
