"""Moving a meeting through the emulator: an organiser gives an upcoming meeting a new time or
place from /meetings; invitees who had not declined are told once (with the RSVP buttons),
reminders follow the new time, answers are kept and can be changed; others cannot move it."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import SHANGHAI, Harness
from tests.test_flow_meetings import ORGANISER, A, B, C, one_off, set_up
from tests.test_flow_notices import got


async def test_moving_a_meeting_tells_invitees_once_and_reminders_follow(
    harness: Harness,
) -> None:
    h = harness
    organiser = await set_up(h)
    old = await one_off(h, organiser, "Joint meeting")
    resident_a, resident_b = h.emu.user(A, "R", "zh-hans"), h.emu.user(B, "R", "en")
    invite_a, invite_b = h.emu.last_message(A), h.emu.last_message(B)
    await h.press(resident_a, invite_a, h.emu.find_button(invite_a, "mr1|"))
    no = next(d for _, d in h.emu.buttons(invite_b) if d and d.endswith("|0"))
    await h.press(resident_b, invite_b, no)
    rsvps = await h.rows("SELECT user_id, attend FROM meeting_rsvps ORDER BY user_id")
    assert rsvps == [(A, 1), (B, 0)]

    # a resident's forged press changes nothing
    before = await h.rows("SELECT starts_at FROM meeting_occurrences")
    await h.press(resident_a, invite_a, "mv1|1|time")
    assert h.emu.calls_of("answerCallbackQuery")[-1].params.get("show_alert")
    assert await h.rows("SELECT starts_at FROM meeting_occurrences") == before

    await h.command(organiser, "meetings")
    listing = h.emu.last_message(ORGANISER)
    assert h.emu.find_button(listing, "mv1|1|time") and h.emu.find_button(listing, "mv1|1|place")
    await h.tap(organiser, "mv1|1|time")
    assert "Send the new date and time, for example 2026-11-25 19:00" in (
        h.emu.last_message(ORGANISER).text or ""
    )
    await h.text(organiser, "next Friday")
    assert "like this: 2026-12-05 19:30" in (h.emu.last_message(ORGANISER).text or "")
    await h.text(organiser, "2026-11-01 10:00")
    assert "in the future" in (h.emu.last_message(ORGANISER).text or "")
    mark = h.emu.mark()
    await h.text(organiser, "2026-11-27 18:30")
    assert "2 residents and 0 group chats" in (h.emu.last_message(ORGANISER).text or "")
    new = datetime(2026, 11, 27, 18, 30, tzinfo=SHANGHAI)
    assert await h.rows("SELECT starts_at FROM meeting_occurrences") == [(int(new.timestamp()),)]
    assert await h.rows(
        "SELECT kind, due_at, done_at IS NULL FROM meeting_due WHERE kind LIKE 'remind%'"
        " ORDER BY kind"
    ) == [
        ("remind_day", int((new - timedelta(days=1)).timestamp()), 1),
        ("remind_hour", int((new - timedelta(hours=1)).timestamp()), 1),
    ]
    await h.run_job("outbox")
    await h.run_job("outbox")
    told_a, told_c = got(h, A, "Joint meeting", mark), got(h, C, "Joint meeting", mark)
    assert len(told_a) == 1 and len(told_c) == 1  # once each
    assert "18:30" in told_c[0] and "想改的话" in told_c[0]  # in C's language
    assert got(h, B, "Joint meeting", mark) == []  # had declined: not bothered
    assert await h.rows("SELECT user_id, attend FROM meeting_rsvps ORDER BY user_id") == rsvps

    # C answers from the change notice; the answer counts for the moved meeting
    moved_c = h.emu.last_message(C)
    yes = next(d for _, d in h.emu.buttons(moved_c) if d and d.endswith("|1"))
    await h.press(h.emu.user(C, "R", "zh-hans"), moved_c, yes)
    assert await h.rows("SELECT attend FROM meeting_rsvps WHERE user_id = ?", (C,)) == [(1,)]

    # the old reminder time passes quietly; the new one reminds the attendees
    h.clock.set(old - timedelta(days=1))
    mark = h.emu.mark()
    await h.run_job("meetings")
    await h.run_job("outbox")
    assert got(h, A, "Joint meeting", mark) == []
    h.clock.set(new - timedelta(days=1))
    await h.run_job("meetings")
    await h.run_job("outbox")
    assert len(got(h, A, "Joint meeting", mark)) == 1
    assert len(got(h, C, "Joint meeting", mark)) == 1
    assert got(h, B, "Joint meeting", mark) == []

    # a new place: the same people are told, once
    await h.command(organiser, "meetings")
    await h.tap(organiser, "mv1|1|place")
    mark = h.emu.mark()
    await h.text(organiser, "Room 5, building 2")
    await h.run_job("outbox")
    assert await h.rows("SELECT place FROM meetings") == [("Room 5, building 2",)]
    for chat in (A, C):
        told = got(h, chat, "Joint meeting", mark)
        assert len(told) == 1 and "Room 5, building 2" in told[0]
    assert got(h, B, "Joint meeting", mark) == []
    assert h.emu.unanswered_callbacks() == []
