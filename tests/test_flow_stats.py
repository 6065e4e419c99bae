"""/stats through the emulator: a manager gets the report in words and the charts as PNG
photos; a resident is refused politely; the period, month and scope buttons; forged presses;
the public monthly report switch (managers only); a missing font is said, never boxes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

import bot.charts.fonts as fonts
from bot.rules.auth import Role
from storage import community
from tests.conftest import Harness
from tests.emulator import SentMessage
from tests.test_figures_rules import WEEK
from tests.test_figures_storage import store_ticket

MANAGER, COMMITTEE, RESIDENT = 2101, 2102, 3101


async def officer(h: Harness, uid: int, lang: str, role: Role) -> dict[str, Any]:
    await h.grant(uid, role)
    user = h.emu.user(uid, f"U{uid}", lang)
    await h.command(user, "start")
    return user


async def seed_week(h: Harness) -> None:
    """The hand-built week of tests/test_figures_rules.py, in building 1 (the harness's clock
    stands on Monday 23 November 2026, 10:00: the figures' 'now')."""
    assert h.db is not None
    async with h.db.transaction() as conn:
        found = await community.building_by_code(conn, "1")
        assert found is not None
        for spec in WEEK:
            await store_ticket(conn, spec, found.id)


def photos(h: Harness, chat_id: int) -> list[SentMessage]:
    return [m for m in h.answers(chat_id) if m.kind == "photo"]


def png_of(h: Harness, message: SentMessage) -> Image.Image:
    data = h.emu.file_content(message.raw["photo"][-1]["file_id"])
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data))


async def test_stats_answers_a_manager_with_text_and_png_charts(harness: Harness) -> None:
    await harness.start()
    await seed_week(harness)
    manager = await officer(harness, MANAGER, "en", Role.MANAGER)
    await harness.command(manager, "stats")
    menu = harness.answer(MANAGER, "sp1|")
    assert "Which period?" in menu.body
    await harness.press(manager, menu, "sp1|lw|0|0")
    report = next(m for m in harness.answers(MANAGER) if m.kind == "text")
    assert "Figures for 16 Nov 2026 – 22 Nov 2026, the whole community" in report.body
    assert "Opened 9 · resolved 4 · closed 3 · still open 2 · overdue now 2" in report.body
    assert "On time (及时率): response 87.5% (7 of 8), resolution 50% (2 of 4)" in report.body
    assert "Satisfaction (满意率): 66.7% (2 of 3), target 90%" in report.body
    assert "not our responsibility 1" in report.body
    shots = photos(harness, MANAGER)
    assert len(shots) == 3  # tickets per day, resolution per category, room use
    image = png_of(harness, shots[0])
    assert image.size == (1200, 900)
    assert harness.emu.unanswered_callbacks() == []


async def test_a_resident_is_refused_politely(harness: Harness) -> None:
    await harness.start()
    resident = harness.emu.user(RESIDENT, "Res", "en")
    await harness.command(resident, "start")
    await harness.command(resident, "stats")
    (refusal,) = harness.answers(RESIDENT)
    assert refusal.body == "Sorry, this is not open to you. Send /menu to see what you can do."
    # a forged press from them changes nothing either
    harness.emu.press_button(resident, refusal, "sp1|lw|0|0")
    await harness.settle()
    assert photos(harness, RESIDENT) == []
    assert "not open to you" in str(
        harness.emu.calls_of("answerCallbackQuery")[-1].params.get("text")
    )


async def test_committee_chooses_a_month_and_a_building_in_chinese(harness: Harness) -> None:
    await harness.start()
    await seed_week(harness)
    member = await officer(harness, COMMITTEE, "zh-hans", Role.COMMITTEE)
    await harness.command(member, "stats")
    assert "so1|" not in str(harness.emu.buttons(harness.answer(COMMITTEE, "sp1|")))
    await harness.tap(member, "sb1")
    building = (await harness.rows("SELECT id FROM buildings WHERE code = '1'"))[0][0]
    await harness.tap(member, f"sa1|{building}")
    await harness.tap(member, "sm1|")
    await harness.tap(member, f"sp1|m|202611|{building}")
    report = next(m for m in harness.answers(COMMITTEE) if m.kind == "text")
    assert "2026年11月" in report.body and "1号楼" in report.body
    assert "9" in report.body
    assert len(photos(harness, COMMITTEE)) == 3


@pytest.mark.parametrize("data", ["sp1|m|202613|0", "sp1|lw|0|999", "sa1|999", "sm1|-5"])
async def test_forged_presses_get_the_stale_answer(harness: Harness, data: str) -> None:
    await harness.start()
    manager = await officer(harness, MANAGER, "en", Role.MANAGER)
    await harness.command(manager, "stats")
    await harness.press(manager, harness.answer(MANAGER, "sp1|"), data)
    assert harness.emu.calls_of("answerCallbackQuery")[-1].params.get("text") == (
        "This button is no longer valid."
    )
    assert photos(harness, MANAGER) == []


async def test_the_public_report_switch_is_for_managers(harness: Harness) -> None:
    await harness.start()
    manager = await officer(harness, MANAGER, "en", Role.MANAGER)
    member = await officer(harness, COMMITTEE, "en", Role.COMMITTEE)
    await harness.command(manager, "stats")
    await harness.tap(manager, "so1|1|0")
    assert await harness.rows("SELECT value, changed_by FROM figure_settings") == [("1", MANAGER)]
    assert "also goes to the groups" in harness.emu.last_message(MANAGER).body
    await harness.command(member, "stats")
    await harness.press(member, harness.answer(COMMITTEE, "sp1|"), "so1|0|0")
    assert await harness.rows("SELECT value FROM figure_settings") == [("1",)]


async def test_a_missing_font_is_said_not_drawn_as_boxes(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "CJK_FONT_PATHS", ("/nonexistent/cjk.ttc",))
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    await harness.start()
    manager = await officer(harness, MANAGER, "en", Role.MANAGER)
    await harness.command(manager, "stats")
    await harness.tap(manager, "sp1|tw|0|0")
    bodies = [m.body for m in harness.answers(MANAGER)]
    assert any("Figures for" in b for b in bodies)
    assert any("the Chinese font is missing" in b for b in bodies)
    assert photos(harness, MANAGER) == []
