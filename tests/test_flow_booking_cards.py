"""The approvers' cards of a booking request: once one approver decides, every copy says who
decided and loses its buttons (``bot.services.cards``, the join requests' mechanism); a
pending booking nobody answers expires before its start (the "bookings-remind" sweep)."""

from __future__ import annotations

from datetime import datetime

from bot.rules.auth import Role
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_bookings import (
    ANN,
    BOB,
    LEADER,
    STAFF,
    TUESDAY,
    at,
    book,
    last_answer,
    last_text,
    officer,
    open_day,
    resident,
    room_id,
    texts,
)


async def test_every_approver_copy_says_who_decided(harness: Harness) -> None:
    await harness.start()
    staff = await officer(harness, STAFF, "管家", "zh-hans", Role.STAFF)
    await officer(harness, LEADER, "Leader", "en", Role.LEADER, "1")
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "kitchen", at(TUESDAY, "14:00"), 120)
    (booking_id,) = (await harness.rows("SELECT id FROM bookings WHERE state = 'pending'"))[0]
    staff_card = harness.emu.last_message(STAFF)
    leader_card = harness.emu.last_message(LEADER)
    assert harness.emu.buttons(leader_card)  # Approve / Reject
    await harness.press(staff, staff_card, harness.emu.find_button_by_text(staff_card, "同意"))
    await harness.run_job("outbox")
    leader_now = harness.emu.message(LEADER, leader_card.message_id)
    assert f"Booking request #{booking_id}" in (leader_now.text or "")
    assert "Approved by 管家" in (leader_now.text or "")
    assert harness.emu.buttons(leader_now) == []
    staff_now = harness.emu.message(STAFF, staff_card.message_id)  # the presser's answer
    assert f"已同意：预约 #{booking_id}" in (staff_now.text or "")
    assert harness.emu.buttons(staff_now) == []
    assert harness.emu.unanswered_callbacks() == []


async def test_a_rejection_is_shown_on_the_other_copies(harness: Harness) -> None:
    await harness.start()
    await officer(harness, STAFF, "Staff", "en", Role.STAFF)
    leader = await officer(harness, LEADER, "Leader", "en", Role.LEADER, "1")
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "kitchen", at(TUESDAY, "14:00"), 60)
    staff_card = harness.emu.last_message(STAFF)
    leader_card = harness.emu.last_message(LEADER)
    await harness.press(leader, leader_card, harness.emu.find_button_by_text(leader_card, "Reject"))
    await harness.run_job("outbox")
    staff_now = harness.emu.message(STAFF, staff_card.message_id)
    assert "Rejected by Leader" in (staff_now.text or "")
    assert harness.emu.buttons(staff_now) == []


async def test_a_pending_booking_nobody_answers_expires_before_its_start(harness: Harness) -> None:
    await harness.start()
    await officer(harness, STAFF, "Staff", "en", Role.STAFF)
    leader = await officer(harness, LEADER, "Leader", "en", Role.LEADER, "1")
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    bob = await resident(harness, BOB, "Bob", "en", "2-503")
    kitchen = await room_id(harness, "kitchen")
    await book(harness, ann, "kitchen", at(TUESDAY, "14:00"), 60)
    staff_card = harness.emu.last_message(STAFF)
    leader_card = harness.emu.last_message(LEADER)
    grid = await open_day(harness, bob, "kitchen")
    await harness.press(bob, grid, harness.emu.find_button_by_text(grid, "✖ 14:00"))
    await harness.tap(bob, f"bw1|{kitchen}|{at(TUESDAY, '14:00')}")
    # the community file's booking_pending_hours = 2: still waiting at 11:59
    harness.clock.set(datetime(2026, 11, 24, 11, 59, tzinfo=SHANGHAI))
    await harness.run_job("bookings-remind")
    await harness.run_job("outbox")
    assert await harness.rows("SELECT state FROM bookings") == [("pending",)]
    harness.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI))
    await harness.run_job("bookings-remind")
    await harness.run_job("outbox")
    assert await harness.rows("SELECT state, cancel_reason FROM bookings") == [
        ("cancelled", "expired")
    ]
    assert "nobody approved your booking of Community kitchen, Tue 24 Nov 14:00–15:00" in (
        last_text(harness, ANN)
    )
    assert "Community kitchen, Tue 24 Nov 14:00–15:00 has just become free" in last_text(
        harness, BOB
    )
    for chat, card in ((STAFF, staff_card), (LEADER, leader_card)):
        now = harness.emu.message(chat, card.message_id)
        assert "Nobody answered in time" in (now.text or "")
        assert harness.emu.buttons(now) == []
    # claimed once: the next sweep says nothing more, and a late press is refused
    told = len(harness.emu.messages(ANN))
    await harness.run_job("bookings-remind")
    await harness.run_job("outbox")
    assert len(harness.emu.messages(ANN)) == told
    (booking_id,) = (await harness.rows("SELECT id FROM bookings"))[0]
    await harness.press(leader, leader_card, f"ba1|{booking_id}|1")
    assert last_answer(harness) == "This booking is already cancelled."
    assert await harness.rows("SELECT state FROM bookings") == [("cancelled",)]
    # the time is free again
    grid = await open_day(harness, bob, "kitchen")
    assert "✖ 14:00" not in texts(harness, grid)
    assert harness.emu.unanswered_callbacks() == []
