"""``residentbot sandbox`` without a browser: the cast ready, the page's API as the page uses it
(sending, pressing, languages, the time control), resetting and copying a database, bad
requests refused. The browser test is tests/test_sandbox_browser.py."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.__main__ import _parser
from bot.config import load_settings
from bot.i18n import LOCALES
from bot.rules.clock import TravelClock, from_ts, to_ts
from bot.sandbox import labels
from bot.sandbox.personas import (
    BUILDING_CHAT,
    LEADER,
    MANAGER,
    NEIGHBOUR,
    RESIDENT,
    STAFF,
    STAFF_CHAT,
)
from bot.sandbox.runner import Options, Sandbox, SandboxError
from storage import deadlines
from storage.db import fetch_all
from tests.conftest import START
from tests.test_cli import _spawn


class Player:
    """The page's side of the sandbox: its HTTP API, and waiting until the bot is done."""

    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.session = session

    async def state(self, persona: int) -> dict[str, Any]:
        async with self.session.get(f"sandbox/state?persona={persona}") as response:
            assert response.status == 200, await response.text()
            body: dict[str, Any] = await response.json()
            return body

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        async with self.session.post(f"sandbox/{path}", json=body) as response:
            assert response.status == status, await response.text()
            if status != 200:
                return {}
            answer: dict[str, Any] = await response.json()
        await self.settled()
        return answer

    async def settled(self) -> None:
        app = self.sandbox.app
        assert app is not None
        async with asyncio.timeout(30):
            await app.until_processed(self.sandbox.emu.last_update_id)
            sender = app.bot_data.services.sender
            if sender is not None:
                await sender.until_idle()

    async def say(self, persona: int, text: str, chat: int | None = None) -> None:
        await self.post("send", {"persona": persona, "chat": chat or persona, "text": text})

    async def press(self, persona: int, prefix: str, chat: int | None = None) -> dict[str, Any]:
        """Press the newest button in the chat whose data starts with ``prefix``."""
        chat = chat or persona
        messages = await self.messages(persona, chat)
        for message in reversed(messages):
            for row in message["buttons"]:
                for button in row:
                    if button.get("data", "").startswith(prefix):
                        body = {"persona": persona, "chat": chat, "message": message["id"]}
                        await self.post("press", {**body, "data": button["data"]})
                        return message
        raise AssertionError(f"no button {prefix!r} in chat {chat}: {messages}")

    async def messages(self, persona: int, chat: int | None = None) -> list[dict[str, Any]]:
        state = await self.state(persona)
        wanted = chat or persona
        found = [c for c in state["chats"] if c["id"] == wanted]
        assert found, f"{persona} does not see chat {wanted}"
        messages: list[dict[str, Any]] = found[0]["messages"]
        return messages

    async def last_text(self, persona: int, chat: int | None = None) -> str:
        messages = await self.messages(persona, chat)
        return str(messages[-1]["text"])


def options(tmp_path: Path, **changes: Any) -> Options:
    return Options(db_path=tmp_path / "sandbox.db", paced=False, **changes)


def settings(tmp_path: Path) -> Any:
    return load_settings({"RESIDENTBOT_LOCALE": "zh_Hans"}, env_file=tmp_path / "no.env")


@pytest.fixture
async def played(tmp_path: Path) -> AsyncIterator[Player]:
    sandbox = Sandbox(settings(tmp_path), options(tmp_path), TravelClock(START))
    try:
        address = await sandbox.start()
        async with aiohttp.ClientSession(base_url=address) as session:
            yield Player(sandbox, session)
    finally:
        await sandbox.stop()


async def report_repair(player: Player, text: str = "厨房水管漏水") -> None:
    """张阿姨 reports a leak at home, the way the page does it."""
    await player.say(RESIDENT, "/report")
    await player.press(RESIDENT, "te1|")  # her home is the only place that is not "0"
    await player.press(RESIDENT, "tc1|leak")
    await player.say(RESIDENT, text)
    await player.press(RESIDENT, "tn1|ok")


async def test_the_cast_is_ready(played: Player) -> None:
    sandbox = played.sandbox
    assert sandbox.db is not None
    async with sandbox.db.read() as conn:
        residence = await conn.execute_fetchall(
            "SELECT u.code, r.relation, r.status FROM residences r JOIN units u ON u.id = r.unit_id"
            " WHERE r.user_id = ?",
            (RESIDENT,),
        )
        roles = await conn.execute_fetchall("SELECT user_id, role FROM roles ORDER BY user_id")
        bound = await conn.execute_fetchall(
            "SELECT chat_id, kind FROM group_bindings ORDER BY chat_id"
        )
        staff_chat = await conn.execute_fetchall("SELECT staff_chat_id FROM community")
    assert [tuple(r) for r in residence] == [("3-201", "owner", "verified")]
    assert [tuple(r) for r in roles] == [(LEADER, "leader"), (STAFF, "staff"), (MANAGER, "manager")]
    assert [tuple(r) for r in bound] == [(BUILDING_CHAT, "building"), (STAFF_CHAT, "staff")]
    assert [tuple(r) for r in staff_chat] == [(STAFF_CHAT,)]
    # each person sees their own chat with the bot and their groups
    seen = {p: [c["id"] for c in (await played.state(p))["chats"]] for p in (NEIGHBOUR, STAFF)}
    assert seen == {NEIGHBOUR: [NEIGHBOUR, BUILDING_CHAT], STAFF: [STAFF, STAFF_CHAT]}
    state = await played.state(RESIDENT)
    assert state["personas"][0]["role"] == "3号楼居民，已登记"
    assert [c["title"] for c in state["chats"]] == ["和机器人私聊", "3号楼邻里群"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_every_label_is_translated(played: Player, locale: str) -> None:
    await played.post("language", {"persona": RESIDENT, "locale": locale})
    shown = (await played.state(RESIDENT))["labels"]
    assert set(shown) == set(labels.LABELS)
    tr = played.sandbox.i18n.translator(locale)
    for key, message in labels.LABELS.items():
        assert shown[key] == tr._(message)
        if locale != "en":
            assert shown[key] != message, f"{key!r} is not translated to {locale}"


async def test_a_report_accepted_in_the_staff_chat_and_the_reminder(played: Player) -> None:
    await report_repair(played)
    assert "#1" in await played.last_text(RESIDENT)
    told = len(await played.messages(RESIDENT))
    card = await played.press(STAFF, "ta1|1|acc", STAFF_CHAT)
    after = [m for m in await played.messages(STAFF, STAFF_CHAT) if m["id"] == card["id"]]
    assert after[0]["edited"] and after[0]["text"] != card["text"]  # edited in place
    news = (await played.messages(RESIDENT))[told:]
    assert [m["bot"] for m in news] == [True] and "正在安排处理" in news[0]["text"]
    sandbox = played.sandbox
    assert sandbox.db is not None
    async with sandbox.db.read() as conn:
        due = await conn.execute_fetchall(
            "SELECT MIN(due_at) FROM sla_reminders WHERE sent_at IS NULL AND due_at > ?",
            (to_ts(sandbox.clock()),),
        )
    before = len(await played.messages(STAFF))
    moved = await played.post("time", {"how": "deadline"})
    assert moved == {"ok": True, "moved": True}
    assert to_ts(sandbox.clock()) == next(iter(due))[0]
    reminders = (await played.messages(STAFF))[before:]
    assert reminders and "#1" in reminders[-1]["text"]


async def test_an_hour_and_a_day(played: Player) -> None:
    clock = played.sandbox.clock
    await played.post("time", {"how": "hour"})
    assert clock() == START + timedelta(hours=1)
    await played.post("time", {"how": "day"})
    assert clock() == START + timedelta(days=1, hours=1)
    # the next deadline: the month's thank-you board, which the volunteering job planned
    assert played.sandbox.app is not None
    db = played.sandbox.app.bot_data.services.db
    async with db.read() as conn:
        due = await deadlines.next_due(conn, to_ts(clock()))
        boards = await fetch_all(conn, "SELECT due_at FROM honour_boards WHERE done_at IS NULL")
    assert due is not None and [tuple(b) for b in boards] == [(due,)]
    assert await played.post("time", {"how": "deadline"}) == {"ok": True, "moved": True}
    assert clock() == from_ts(due)
    # nothing scheduled: the clock stays
    async with db.transaction() as conn:
        await conn.execute("UPDATE honour_boards SET done_at = 0")
    assert await played.post("time", {"how": "deadline"}) == {"ok": True, "moved": False}
    assert clock() == from_ts(due)


async def test_a_language_switch_reaches_the_bot(played: Player) -> None:
    await played.post("language", {"persona": NEIGHBOUR, "locale": "en"})
    await played.say(NEIGHBOUR, "/start")
    state = await played.state(NEIGHBOUR)
    assert state["locale"] == "en" and state["labels"]["send"] == "Send"
    assert state["now"].startswith("Sandbox time: ")
    assert "I am the front desk of Wanjun Community" in state["chats"][0]["messages"][-1]["text"]


async def test_the_page_follows_a_language_chosen_in_the_bot(played: Player) -> None:
    await played.say(LEADER, "/language")
    menu = (await played.messages(LEADER))[-1]
    data = next(b["data"] for row in menu["buttons"] for b in row if b["text"] == "English")
    await played.post(
        "press", {"persona": LEADER, "chat": LEADER, "message": menu["id"], "data": data}
    )
    state = await played.state(LEADER)
    assert state["locale"] == "en" and state["labels"]["send"] == "Send"
    assert (await played.state(RESIDENT))["locale"] == "zh_Hans"  # the others keep theirs


async def test_a_photo_and_a_voice_note_from_a_file(played: Player) -> None:
    await played.say(RESIDENT, "/report")
    await played.press(RESIDENT, "te1|")
    await played.press(RESIDENT, "tc1|leak")
    picture = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    for kind, content in (("voice", b"OggS\0\0"), ("photo", picture)):
        form = aiohttp.FormData()
        for key, value in (("persona", RESIDENT), ("chat", RESIDENT), ("kind", kind)):
            form.add_field(key, str(value))
        form.add_field("file", content, filename=f"a.{kind}")
        async with played.session.post("sandbox/upload", data=form) as response:
            assert response.status == 200, await response.text()
        await played.settled()
    messages = await played.messages(RESIDENT)
    mine = [m for m in messages if m["mine"]]
    assert "voice" in mine[-2] and "photo" in mine[-1]
    async with played.session.get(f"sandbox/file/{mine[-1]['photo']}") as response:
        assert await response.read() == picture
    assert "1" in messages[-1]["text"]  # the summary counts the photo


async def test_bad_requests_are_refused_and_change_nothing(played: Player) -> None:
    before = played.sandbox.emu.last_update_id
    await played.post("send", {"persona": 1, "chat": 1, "text": "hi"}, status=400)
    await played.post("send", {"persona": NEIGHBOUR, "chat": STAFF_CHAT, "text": "x"}, status=400)
    await played.post("send", {"persona": RESIDENT, "chat": RESIDENT, "text": " "}, status=400)
    await played.post("press", {"persona": RESIDENT, "chat": RESIDENT}, status=400)
    await played.post("language", {"persona": RESIDENT, "locale": "fr"}, status=400)
    await played.post("time", {"how": "week"}, status=400)
    async with played.session.post("sandbox/send", data=b"not json") as response:
        assert response.status == 400
    async with played.session.get("sandbox/static/../runner.py") as response:
        assert response.status == 404
    assert played.sandbox.emu.last_update_id == before


async def test_the_page_is_served_plain(played: Player) -> None:
    async with played.session.get("/") as response:
        page = await response.text()
    assert 'src="/sandbox/static/app.js"' in page and "http" not in page.split("<body>")[1]
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        async with played.session.get(f"sandbox/static/{name}") as response:
            assert response.status == 200 and response.content_type == kind


async def test_kept_reset_and_a_copy_of_a_database(tmp_path: Path) -> None:
    async def run(**changes: Any) -> int:
        sandbox = Sandbox(settings(tmp_path), options(tmp_path, **changes), TravelClock(START))
        try:
            await sandbox.start()
            async with aiohttp.ClientSession(base_url=sandbox.address) as session:
                player = Player(sandbox, session)
                await report_repair(player)
            assert sandbox.db is not None
            async with sandbox.db.read() as conn:
                rows = await conn.execute_fetchall("SELECT COUNT(*) FROM tickets")
            return int(next(iter(rows))[0])
        finally:
            await sandbox.stop()

    assert await run() == 1
    assert await run() == 2  # kept between runs
    assert await run(reset=True) == 1
    real = tmp_path / "real.db"
    (tmp_path / "sandbox.db").rename(real)
    digest = hashlib.sha256(real.read_bytes()).hexdigest()
    assert await run(source=real) == 2  # a copy: its ticket, and one more
    assert hashlib.sha256(real.read_bytes()).hexdigest() == digest  # never written
    with pytest.raises(SandboxError, match="own file"):
        await run(source=tmp_path / "sandbox.db")


def test_the_command_line() -> None:
    args = _parser().parse_args(["sandbox", "--reset", "--db", "real.db", "--port", "9000"])
    assert (args.command, args.reset, args.db, args.port) == (
        "sandbox",
        True,
        Path("real.db"),
        9000,
    )
    assert _parser().parse_args(["sandbox"]).file == Path("residentbot-sandbox.db")


async def test_residentbot_sandbox_prints_its_address_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESIDENTBOT_")}
    proc = await _spawn(env, tmp_path, "sandbox", "--port", "0")
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(60):
            output = ""
            while (found := re.search(r"open (http://127\.0\.0\.1:\d+/)", output)) is None:
                line = await proc.stdout.readline()
                assert line, f"the sandbox ended before printing its address:\n{output}"
                output += line.decode(errors="replace")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{found.group(1)}sandbox/state") as response:
                state = await response.json()
        assert [p["id"] for p in state["personas"]] == [RESIDENT, NEIGHBOUR, LEADER, STAFF, MANAGER]
        assert state["chats"][0]["messages"] == []
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            await proc.communicate()
    assert proc.returncode == 0
    assert (tmp_path / "residentbot-sandbox.db").is_file()
