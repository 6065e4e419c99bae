"""Every core flow within reach of an elderly resident: driven from the main menu, each tap
and each message the resident sends is counted (``Counted``), and the count must stay within
the goal of issue 14."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import Harness
from tests.world import OLGA, World, build_world


class Counted:
    """The resident's side of a flow: every command, text, photo, voice note or tap counts."""

    def __init__(self, h: Harness, user: dict[str, Any]) -> None:
        self.h, self.user, self.count = h, user, 0

    async def command(self, command: str, args: str = "") -> None:
        self.count += 1
        await self.h.command(self.user, command, args)

    async def text(self, text: str) -> None:
        self.count += 1
        await self.h.text(self.user, text)

    async def photo(self, caption: str | None = None) -> None:
        self.count += 1
        self.h.emu.send_photo(self.user, caption)
        await self.h.settle()

    async def voice(self) -> None:
        self.count += 1
        self.h.emu.send_voice(self.user)
        await self.h.settle()

    async def tap(self, prefix: str) -> None:
        self.count += 1
        await self.h.tap(self.user, prefix)

    def last(self) -> str:
        return self.h.emu.last_message(self.user["id"]).text or ""


async def world(h: Harness) -> tuple[World, dict[str, Any]]:
    await h.start()
    w = await build_world(h)
    return w, h.emu.user(OLGA, "Olga", "en")


async def test_reading_the_latest_notices_again_takes_two_taps(harness: Harness) -> None:
    h = harness
    _w, olga = await world(h)
    h.clock.advance(timedelta(days=1, hours=2))  # Nina's notice for tomorrow 09:00 goes out
    await h.run_job("outbox")
    me = Counted(h, olga)
    await me.command("menu")
    await me.tap("m1|notices")
    assert "The latest notices:" in me.last() and "Fire drill tomorrow" in me.last()
    assert me.count <= 2
    # /notices gives a resident the same view, not a refusal
    await h.command(olga, "notices")
    assert "Fire drill tomorrow" in me.last()


async def test_no_notice_yet_says_where_they_will_come(harness: Harness) -> None:
    h = harness
    _w, olga = await world(h)  # Nina's notice is only scheduled
    await h.command(olga, "notices")
    assert "No notices yet" in (h.emu.last_message(OLGA).text or "")


async def test_answering_a_meeting_from_the_menu_takes_three_taps(harness: Harness) -> None:
    h = harness
    w, olga = await world(h)
    me = Counted(h, olga)
    await me.command("menu")
    await me.tap("m1|meetings")
    shown = me.last()
    assert "Building 2 lift" in shown and "Lobby" in shown
    assert "You have not answered yet." in shown
    await me.tap(f"mr1|{w.occurrence_id}|1")
    assert me.count <= 3
    assert await h.rows("SELECT user_id, attend FROM meeting_rsvps") == [(OLGA, 1)]
    # the view shows the answer and offers to change it
    await h.command(olga, "meetings")
    assert "You said: I will attend." in me.last()
    msg = h.emu.last_message(OLGA)
    assert [d for _, d in h.emu.buttons(msg)] == [f"mr1|{w.occurrence_id}|0"]
    await h.press(olga, msg, f"mr1|{w.occurrence_id}|0")
    assert await h.rows("SELECT user_id, attend FROM meeting_rsvps") == [(OLGA, 0)]
    assert h.emu.unanswered_callbacks() == []
