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


async def test_a_meeting_in_a_room_reads_in_each_invitees_language(harness: Harness) -> None:
    """The place step offers the community's rooms: a meeting held in one is named in each
    reader's language (the community file's three names), also after a move to another room;
    a written place stays as written."""
    h = harness
    organiser = await set_up(h)
    await h.command(organiser, "meeting")
    await h.text(organiser, "Garden day")
    await h.tap(organiser, "mf1|once")
    await h.tap(organiser, "md1|2")
    prompt = await h.tap(organiser, "mh1|1900")
    assert "Tap a room, or write the place" in prompt.body
    activity = (await h.rows("SELECT id FROM rooms WHERE code = 'activity'"))[0][0]
    await h.tap(organiser, f"mp1|{activity}")
    await h.text(organiser, "Planting the courtyard")
    await h.tap(organiser, "ma1|0")
    assert "Place: Activity room" in (h.emu.last_message(ORGANISER).text or "")
    await h.tap(organiser, "mc1")
    await h.run_job("meetings")
    await h.run_job("outbox")
    assert "Place: Activity room" in h.emu.last_message(B).body  # English
    assert "活动室" in h.emu.last_message(A).body  # Simplified Chinese
    await h.command(h.emu.user(C, "R", "zh-hant"), "language")
    await h.tap(h.emu.user(C, "R", "zh-hant"), "lg1|zh_Hant")
    await h.command(h.emu.user(C, "R", "zh-hant"), "meetings")
    assert "活動室" in (h.emu.last_message(C).text or "")  # Traditional, from /meetings

    # moved to another room: each is told in their language
    await h.command(organiser, "meetings")
    await h.tap(organiser, "mv1|1|place")
    kitchen = (await h.rows("SELECT id FROM rooms WHERE code = 'kitchen'"))[0][0]
    mark = h.emu.mark()
    await h.tap(organiser, f"mp1|{kitchen}")
    await h.run_job("outbox")
    assert any("Community kitchen" in t for t in got(h, B, "Garden day", mark))
    assert any("共享厨房" in t for t in got(h, A, "Garden day", mark))
    assert any("共享廚房" in t for t in got(h, C, "Garden day", mark))
    # a forged room changes nothing
    await h.command(organiser, "meetings")
    await h.tap(organiser, "mv1|1|place")
    await h.press(organiser, h.emu.last_message(ORGANISER), "mp1|99999")
    assert await h.rows("SELECT place FROM meetings") == [("Community kitchen",)]
    assert h.emu.unanswered_callbacks() == []
