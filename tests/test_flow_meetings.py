"""Meetings through the emulator: announced with RSVP buttons, both reminders sent once across
a restart, the organiser's count, minutes; a recurring meeting making its next occurrence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.auth import Role
from bot.clock import from_ts
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_notices import got, officer, resident

ORGANISER = 2201
A, B, C = 3201, 3202, 3203  # A, B in building 1; C in building 2


async def set_up(h: Harness) -> Any:
    await h.start()
    await resident(h, A, "1-101")
    await resident(h, B, "1-102", "en")
    await resident(h, C, "2-101")
    return await officer(h, ORGANISER, Role.COMMITTEE)


async def describe(h: Harness, user: Any, title: str) -> None:
    await h.text(user, "Community hall, 2nd floor")
    await h.text(user, "Elevator repair; parking")
    await h.tap(user, "ma1|0")  # everyone
    assert title in (h.emu.last_message(ORGANISER).text or "")
    await h.tap(user, "mc1")


async def occurrences(h: Harness) -> list[datetime]:
    rows = await h.rows("SELECT starts_at FROM meeting_occurrences ORDER BY starts_at")
    return [from_ts(r[0]).astimezone(SHANGHAI) for r in rows]


async def test_a_meeting_with_rsvp_and_both_reminders(harness: Harness) -> None:
    organiser = await set_up(harness)
    resident_a = harness.emu.user(A, "R", "zh-hans")
    await harness.command(resident_a, "meeting")
    assert "只有居委会" in (harness.emu.last_message(A).text or "")
    await harness.command(organiser, "meeting")
    await harness.text(organiser, "Joint meeting")
    await harness.tap(organiser, "mf1|once")
    await harness.tap(organiser, "md1|2")  # Wednesday 25 November
    await harness.tap(organiser, "mh1|1900")
    await describe(harness, organiser, "Joint meeting")
    assert "The meeting is set for" in (harness.emu.last_message(ORGANISER).text or "")
    starts = datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI)
    assert await occurrences(harness) == [starts]

    mark = harness.emu.mark()
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    invite_a = harness.emu.last_message(A)
    invite_b = harness.emu.last_message(B)
    assert "Joint meeting" in invite_a.body and "Community hall" in invite_a.body
    assert "Will you come?" in invite_b.body
    assert got(harness, C, "Joint meeting", mark)  # everyone was invited
    await harness.press(resident_a, invite_a, harness.emu.find_button(invite_a, "mr1|"))
    resident_b = harness.emu.user(B, "R", "en")
    no = next(d for _, d in harness.emu.buttons(invite_b) if d and d.endswith("|0"))
    await harness.press(resident_b, invite_b, no)
    await harness.command(organiser, "meetings")
    assert "1 attend, 1 cannot" in (harness.emu.last_message(ORGANISER).text or "")

    harness.clock.set(starts - timedelta(days=1))
    mark = harness.emu.mark()
    await harness.run_job("meetings")
    await harness.restart()  # a restart between the sweep and the send loses nothing
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    assert len(got(harness, A, "Joint meeting", mark)) == 1  # the day-before reminder, once
    assert got(harness, B, "Joint meeting", mark) == []  # said no
    assert "1 will attend, 1 cannot" in (harness.emu.last_message(ORGANISER).text or "")

    harness.clock.set(starts - timedelta(hours=1))
    mark = harness.emu.mark()
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    hour = got(harness, A, "Joint meeting", mark)
    assert len(hour) == 1 and "19:00" in hour[0]
    assert await harness.rows("SELECT kind FROM meeting_due WHERE done_at IS NULL") == []

    # too late to answer now
    harness.clock.set(starts + timedelta(hours=2))
    late = harness.emu.press_button(resident_a, invite_a, harness.emu.find_button(invite_a, "mr1|"))
    await harness.settle()
    assert (harness.emu.callback_answer(late) or {}).get("show_alert")
    # minutes go to the same audience as a notice
    await harness.command(organiser, "meetings")
    await harness.tap(organiser, "mm1|")
    await harness.text(organiser, "Decided: the elevator is repaired in December.")
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    for chat in (A, B, C):
        assert got(harness, chat, "the elevator is repaired in December", mark)
    assert harness.emu.unanswered_callbacks() == []


async def test_a_recurring_meeting_produces_the_next_occurrence(harness: Harness) -> None:
    organiser = await set_up(harness)
    await harness.command(organiser, "meeting")
    await harness.text(organiser, "Monthly joint meeting")
    await harness.tap(organiser, "mf1|monthly")
    await harness.tap(organiser, "mo1|1")  # first
    await harness.tap(organiser, "mw1|1")  # Tuesday
    await harness.tap(organiser, "mh1|1900")
    await describe(harness, organiser, "the first Tuesday of each month at 19:00")
    first = datetime(2026, 12, 1, 19, 0, tzinfo=SHANGHAI)
    assert await occurrences(harness) == [first]
    await harness.run_job("meetings")  # the first occurrence is announced at once
    await harness.run_job("outbox")
    assert "Monthly joint meeting" in harness.emu.last_message(A).body

    harness.clock.set(first + timedelta(seconds=1))
    await harness.run_job("meetings")
    second = datetime(2027, 1, 5, 19, 0, tzinfo=SHANGHAI)
    assert await occurrences(harness) == [first, second]
    await harness.restart()
    await harness.run_job("meetings")
    assert await occurrences(harness) == [first, second]  # made once, across a restart
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    assert got(harness, A, "Monthly joint meeting", mark) == []  # announced a week ahead

    harness.clock.set(second - timedelta(days=7))
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    announced = got(harness, A, "Monthly joint meeting", mark)
    assert len(announced) == 1 and "2027" in announced[0]
    assert harness.emu.unanswered_callbacks() == []


async def test_a_building_meeting_invites_only_that_building_and_refuses_others(
    harness: Harness,
) -> None:
    organiser = await set_up(harness)
    one = (await harness.rows("SELECT id FROM buildings WHERE code = '1'"))[0][0]
    await harness.command(organiser, "meeting")
    await harness.text(organiser, "Building 1 lift")
    await harness.tap(organiser, "mf1|once")
    await harness.tap(organiser, "md1|0")  # today
    too_early = harness.emu.last_message(ORGANISER)
    await harness.tap(organiser, "mh1|900")  # 09:00 today has passed (it is 10:00)
    assert harness.emu.last_message(ORGANISER).text == too_early.text  # still asking the time
    await harness.tap(organiser, "mh1|1900")
    await harness.text(organiser, "Lobby")
    await harness.text(organiser, "Replacing the lift")
    await harness.tap(organiser, f"ma1|{one}")
    await harness.tap(organiser, "mc1")
    mark = harness.emu.mark()
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    assert got(harness, A, "Building 1 lift", mark)
    assert got(harness, C, "Building 1 lift", mark) == []
    invite = harness.emu.last_message(A)
    outsider = harness.emu.user(C, "R", "zh-hans")
    forged = harness.emu.press_button(outsider, invite, harness.emu.find_button(invite, "mr1|"))
    await harness.settle()
    assert (harness.emu.callback_answer(forged) or {}).get("show_alert")
    assert await harness.rows("SELECT COUNT(*) FROM meeting_rsvps") == [(0,)]
    assert harness.emu.unanswered_callbacks() == []
