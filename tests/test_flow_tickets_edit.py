"""Changing a report from its summary, through the emulator: "Change something" offers each
step (what it is about, where, the description, removing the photos); after that one step the
summary comes back with everything else kept, and the report is filed as changed. Back while
changing a step returns to the summary; a forged step changes nothing."""

from __future__ import annotations

from tests.conftest import Harness
from tests.test_flow_tickets import RESIDENT, building_id, last, setup, verified


async def test_each_step_can_be_changed_from_the_summary(harness: Harness) -> None:
    h = harness
    await setup(h)
    user = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(user, "start")
    one = await building_id(h, "1")
    await h.command(user, "report")
    await h.tap(user, "te1|0")
    await h.tap(user, "tc1|lighting")
    await h.tap(user, f"tb1|{one}")
    await h.text(user, "3F corridor")
    await h.text(user, "The corridor light is off")
    h.emu.send_photo(user)
    await h.settle()
    summary = h.emu.last_message(RESIDENT)
    assert "3F corridor" in summary.body and "The corridor light is off" in summary.body
    assert "1 photo attached" in summary.body

    # what it is about: one tap, and the summary is back with the rest kept
    await h.tap(user, "tn1|edit")
    assert "What would you like to change?" in last(h, RESIDENT)
    await h.tap(user, "ty1|category")
    assert "What is it about?" in last(h, RESIDENT)
    summary = await h.tap(user, "tc1|elevator")
    assert "Lift" in summary.body or "Elevator" in summary.body
    assert "3F corridor" in summary.body and "The corridor light is off" in summary.body

    # Back while changing a step: the summary again, nothing changed
    await h.tap(user, "tn1|edit")
    await h.tap(user, "ty1|place")
    assert "Where is it?" in last(h, RESIDENT)
    summary = await h.tap(user, "tn1|back")
    assert h.emu.find_button(summary, "tn1|ok") and "3F corridor" in summary.body

    # where: the place steps, then the summary (not the description again)
    await h.tap(user, "tn1|edit")
    await h.tap(user, "ty1|place")
    await h.tap(user, "tp1")
    await h.tap(user, f"tb1|{one}")
    await h.text(user, "5F lobby")
    summary = h.emu.last_message(RESIDENT)
    assert "5F lobby" in summary.body and "The corridor light is off" in summary.body
    assert h.emu.find_button(summary, "tn1|ok")

    # the description
    await h.tap(user, "tn1|edit")
    await h.tap(user, "ty1|description")
    assert "describe the problem" in last(h, RESIDENT)
    await h.text(user, "The lift lamp flickers")
    summary = h.emu.last_message(RESIDENT)
    assert "The lift lamp flickers" in summary.body and "5F lobby" in summary.body

    # the photos: removed, and new ones can be sent on the summary
    await h.tap(user, "tn1|edit")
    summary = await h.tap(user, "ty1|photos")
    assert "1 photo removed" in summary.body and "photo attached" not in summary.body
    await h.tap(user, "tn1|edit")
    offered = [data for _, data in h.emu.buttons(h.emu.last_message(RESIDENT))]
    assert "ty1|photos" not in offered and "ty1|description" in offered
    summary = await h.tap(user, "ty1|summary")
    for _ in range(2):
        h.emu.send_photo(user)
        await h.settle()
    summary = h.emu.last_message(RESIDENT)
    assert "2 photos attached" in summary.body and "The lift lamp flickers" in summary.body

    # a forged step shows the summary again and changes nothing
    await h.press(user, summary, "ty1|kind")
    assert h.emu.find_button(h.emu.last_message(RESIDENT), "tn1|ok")
    assert await h.rows("SELECT COUNT(*) FROM tickets") == [(0,)]

    await h.press(user, h.emu.last_message(RESIDENT), "tn1|ok")
    assert "#1" in last(h, RESIDENT)
    assert await h.rows(
        "SELECT category, floor, place, description, json_array_length(photos) FROM tickets"
    ) == [("elevator", 5, "5F lobby", "The lift lamp flickers", 2)]
    assert h.emu.unanswered_callbacks() == []


async def test_a_home_repair_can_move_to_a_public_area(harness: Harness) -> None:
    h = harness
    await setup(h)
    user = await verified(h, RESIDENT, "Ann", "1-101")
    unit = (await h.rows("SELECT id FROM units WHERE code = '1-101'"))[0][0]
    await h.command(user, "report")
    await h.tap(user, f"te1|{unit}")
    await h.tap(user, "tc1|leak")
    await h.text(user, "Water on the stairs")
    assert "my home" in last(h, RESIDENT)
    await h.tap(user, "tn1|edit")
    await h.tap(user, "ty1|place")
    await h.tap(user, "tp1")
    await h.tap(user, f"tb1|{await building_id(h, '1')}")
    await h.text(user, "2F stairs")
    summary = h.emu.last_message(RESIDENT)
    assert "2F stairs" in summary.body and "Water on the stairs" in summary.body
    await h.tap(user, "tn1|ok")
    assert await h.rows("SELECT unit_id, place, description FROM tickets") == [
        (None, "2F stairs", "Water on the stairs")
    ]
