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

    async def menu(self) -> None:
        """The main menu on the screen: where every count starts (not counted)."""
        await self.h.command(self.user, "menu")

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
    await me.menu()
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
    await me.menu()
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


async def unit_of(h: Harness, code: str) -> int:
    return int((await h.rows("SELECT id FROM units WHERE code = ?", (code,)))[0][0])


async def filed(h: Harness) -> tuple[Any, ...]:
    rows = await h.rows(
        "SELECT kind, category, building_id, unit_id, place, description, anonymous,"
        " voice_file_id IS NOT NULL, json_array_length(photos) FROM tickets ORDER BY id DESC"
        " LIMIT 1"
    )
    return tuple(rows[0])


async def test_a_public_area_repair_takes_six_taps(harness: Harness) -> None:
    h = harness
    w, olga = await world(h)
    me = Counted(h, olga)
    await me.menu()
    await me.tap("m1|report")
    await me.tap("te1|0")  # a repair in a public area
    await me.tap("tc1|lighting")
    await me.tap(f"tb1|{w.building_1}")
    await me.text("5F stairs, the light is out")  # place and description in one message
    assert "Please check your report" in me.last()
    await me.tap("tn1|ok")
    assert "ticket #" in me.last()
    assert me.count <= 6
    assert await filed(h) == (
        "repair",
        "lighting",
        w.building_1,
        None,
        "5F stairs",
        "the light is out",
        0,
        0,
        0,
    )


async def test_a_home_repair_takes_five_taps(harness: Harness) -> None:
    h = harness
    w, olga = await world(h)
    me = Counted(h, olga)
    await me.menu()
    await me.tap("m1|report")
    await me.tap(f"te1|{w.olga_unit}")  # a repair in my home
    await me.tap("tc1|leak")
    await me.text("Water drips from the bathroom ceiling")
    await me.tap("tn1|ok")
    assert me.count <= 5
    assert await filed(h) == (
        "repair",
        "leak",
        w.building_2,
        w.olga_unit,
        "",
        "Water drips from the bathroom ceiling",
        0,
        0,
        0,
    )


async def test_a_spoken_home_repair_takes_five_taps(harness: Harness) -> None:
    h = harness
    w, olga = await world(h)
    me = Counted(h, olga)
    await me.menu()
    await me.tap("m1|report")
    await me.tap(f"te1|{w.olga_unit}")
    await me.tap("tc1|leak")
    await me.voice()
    await me.tap("tn1|ok")
    assert me.count <= 5
    assert (await filed(h))[7] == 1


async def test_an_anonymous_complaint_takes_six_taps(harness: Harness) -> None:
    h = harness
    w, olga = await world(h)
    me = Counted(h, olga)
    await me.menu()
    await me.tap("m1|report")
    await me.tap("tu1")  # a complaint, without my name: offered where a complaint starts
    await me.tap("tc1|noise")
    await me.tap(f"th1|{w.olga_unit}")
    await me.text("Drilling upstairs every night after 23:00")
    assert "Staff will not see your name" in me.last()
    await me.tap("tn1|ok")
    assert me.count <= 6
    found = await filed(h)
    assert (found[0], found[6]) == ("complaint", 1)


async def test_a_photo_sent_alone_then_described_takes_five_taps(harness: Harness) -> None:
    h = harness
    w, olga = await world(h)
    me = Counted(h, olga)
    await me.menu()
    await me.photo()
    assert "I have your photo" in me.last()
    await me.tap(f"te1|{w.olga_unit}")
    await me.tap("tc1|leak")
    await me.text("The kitchen tap leaks")
    await me.tap("tn1|ok")
    assert me.count <= 5
    found = await filed(h)
    assert (found[3], found[5], found[8]) == (w.olga_unit, "The kitchen tap leaks", 1)


async def test_the_main_menu_is_one_command_away_even_mid_flow(harness: Harness) -> None:
    """Telegram's menu button lists /menu (set for every language), and /menu answers at any
    step, also in the middle of a report: the report is left (what is typed next is not taken
    as its description) and nothing is filed."""
    h = harness
    _w, olga = await world(h)
    for call in h.emu.calls_of("setMyCommands"):
        assert call.params["commands"][0]["command"] == "menu"
    before = await h.rows("SELECT COUNT(*) FROM tickets")
    await h.command(olga, "report")
    await h.tap(olga, "te1|0")
    await h.tap(olga, "tc1|lighting")
    await h.command(olga, "menu")
    shown = h.emu.last_message(OLGA)
    assert "m1|notices" in [d for _, d in h.emu.buttons(shown)]
    assert "nothing was sent" in (shown.text or "")
    await h.text(olga, "3F corridor, the light is out")
    assert "did not understand" in (h.emu.last_message(OLGA).text or "")
    assert await h.rows("SELECT COUNT(*) FROM tickets") == before
    await h.command(olga, "menu")
    await h.tap(olga, "m1|meetings")
    assert "Meetings coming up:" in (h.emu.last_message(OLGA).text or "")
