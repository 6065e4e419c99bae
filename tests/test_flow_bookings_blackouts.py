"""Closing a room by buttons, listing closures and opening a room again, through the emulator:
room → day → from → to → reason cancels the bookings it hits (their residents told); /blackouts
lists what is closed; opening again does not rebook anyone, but watchers of the freed time are
told; residents can do none of it and forged steps change nothing."""

from __future__ import annotations

from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_bookings import (
    ANN,
    BOB,
    STAFF,
    TUESDAY,
    at,
    book,
    dump,
    last_text,
    officer,
    open_day,
    resident,
    room_id,
)

DAY = 20261124


async def test_close_by_buttons_list_and_open_again(harness: Harness) -> None:
    h = harness
    await h.start()
    staff = await officer(h, STAFF, "Staff", "en", Role.STAFF)
    ann = await resident(h, ANN, "小安", "zh-hans", "1-101")
    bob = await resident(h, BOB, "Bob", "en", "2-503")
    rid = await room_id(h, "activity")
    await book(h, ann, "activity", at(TUESDAY, "10:00"), 60)
    grid = await open_day(h, bob, "activity")
    await h.press(bob, grid, h.emu.find_button_by_text(grid, "✖ 10:00"))
    await h.tap(bob, f"bw1|{rid}|{at(TUESDAY, '10:00')}")
    assert await h.rows("SELECT notified_at FROM booking_watches") == [(None,)]

    # a resident can neither start the flow nor press its buttons
    before = await dump(h)
    await h.command(ann, "blackout")
    assert "暂时用不了" in last_text(h, ANN)
    await h.press(ann, h.emu.last_message(ANN), f"bt1|{rid}|{DAY}|900|1200")
    await h.command(ann, "blackouts")
    assert "暂时用不了" in last_text(h, ANN)
    assert await dump(h) == before

    await h.command(staff, "blackout")
    assert "Which room?" in last_text(h, STAFF)
    await h.tap(staff, f"bk1|{rid}")
    assert "Which day?" in last_text(h, STAFF)
    await h.tap(staff, f"bj1|{rid}|{DAY}")
    assert "closed from what time?" in last_text(h, STAFF)
    # a forged step (the end before the start) is refused and asks nothing new
    await h.press(staff, h.emu.last_message(STAFF), f"bt1|{rid}|{DAY}|1200|900")
    alert = h.emu.calls_of("answerCallbackQuery")[-1].params
    assert alert.get("text") == "This button is no longer valid."
    await h.tap(staff, f"bf1|{rid}|{DAY}|900")
    assert "until what time?" in last_text(h, STAFF)
    await h.tap(staff, f"bt1|{rid}|{DAY}|900|1200")
    assert "Send the reason for the residents" in last_text(h, STAFF)
    assert await h.rows("SELECT COUNT(*) FROM room_blackouts") == [(0,)]  # not yet
    await h.text(staff, "粉刷墙面")
    assert "Bookings cancelled: 1; residents told: 1" in last_text(h, STAFF)
    assert await h.rows("SELECT start_at, end_at, reason, active FROM room_blackouts") == [
        (at(TUESDAY, "09:00"), at(TUESDAY, "12:00"), "粉刷墙面", 1)
    ]
    assert await h.rows("SELECT state, cancel_reason FROM bookings") == [("cancelled", "blackout")]
    await h.run_job("outbox")
    assert "粉刷墙面" in last_text(h, ANN)
    assert await h.rows("SELECT notified_at FROM booking_watches") == [(None,)]  # still closed

    # the list, and opening the room again after a confirmation
    await h.command(staff, "blackouts")
    listing = h.emu.last_message(STAFF)
    assert "Activity room, Tue 24 Nov 09:00–12:00 · 粉刷墙面" in (listing.text or "")
    await h.tap(staff, "bu1|1|0")
    assert "Bookings it cancelled stay cancelled" in last_text(h, STAFF)
    assert await h.rows("SELECT active FROM room_blackouts") == [(1,)]
    await h.tap(staff, "bu1|1|1")
    assert "is open again. Residents waiting for it told: 1" in last_text(h, STAFF)
    assert await h.rows("SELECT active FROM room_blackouts") == [(0,)]
    assert await h.rows("SELECT state FROM bookings") == [("cancelled",)]  # not rebooked
    ann_had = len(h.emu.messages(ANN))
    await h.run_job("outbox")
    assert "Activity room, Tue 24 Nov 10:00–10:30 has just become free" in last_text(h, BOB)
    assert len(h.emu.messages(ANN)) == ann_had
    # a second press on the old confirmation changes nothing
    before = await dump(h)
    await h.press(staff, h.emu.last_message(STAFF), "bu1|1|1")
    assert "already over or removed" in str(
        h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    )
    assert await dump(h) == before
    await h.command(staff, "blackouts")
    assert "No room is closed from now on" in last_text(h, STAFF)
    assert h.emu.unanswered_callbacks() == []
