"""Meetings through the emulator: announced with RSVP buttons, both reminders sent once across
a restart, the organiser's count, minutes; a recurring meeting making its next occurrence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.rules.auth import Role
from bot.rules.clock import from_ts
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
    assert "会议由居委会、业委会或物业经理召集" in (harness.emu.last_message(A).text or "")
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


# ---------------------------------------------------------------------------- cancelling

MANAGER, GROUP = 2202, -1001000000201


async def one_off(h: Harness, organiser: Any, title: str) -> datetime:
    """A one-off meeting on Wednesday 25 November at 19:00, announced and delivered."""
    await h.command(organiser, "meeting")
    await h.text(organiser, title)
    await h.tap(organiser, "mf1|once")
    await h.tap(organiser, "md1|2")
    await h.tap(organiser, "mh1|1900")
    await describe(h, organiser, title)
    await h.run_job("meetings")
    await h.run_job("outbox")
    return datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI)


async def monthly(h: Harness, organiser: Any, title: str) -> datetime:
    """The first Tuesday of each month at 19:00, first on 1 December, announced."""
    await h.command(organiser, "meeting")
    await h.text(organiser, title)
    await h.tap(organiser, "mf1|monthly")
    await h.tap(organiser, "mo1|1")
    await h.tap(organiser, "mw1|1")
    await h.tap(organiser, "mh1|1900")
    await describe(h, organiser, title)
    await h.run_job("meetings")
    await h.run_job("outbox")
    return datetime(2026, 12, 1, 19, 0, tzinfo=SHANGHAI)


async def meeting_state(h: Harness) -> list[tuple[Any, ...]]:
    """Everything a cancel may change: occurrences, due rows, meetings, answers, the outbox."""
    return [
        *await h.rows("SELECT id, starts_at, cancelled_at FROM meeting_occurrences ORDER BY id"),
        *await h.rows("SELECT id, kind, done_at, skipped FROM meeting_due ORDER BY id"),
        *await h.rows("SELECT id, state, ended_at FROM meetings ORDER BY id"),
        *await h.rows("SELECT occurrence_id, user_id, attend FROM meeting_rsvps ORDER BY 1, 2"),
        *await h.rows("SELECT id, kind, ref, state FROM outbox_batches ORDER BY id"),
        *await h.rows("SELECT COUNT(*) FROM outbox"),
    ]


async def test_cancelling_a_one_off_meeting_tells_invitees_once_and_no_reminder_follows(
    harness: Harness,
) -> None:
    organiser = await set_up(harness)
    manager = await officer(harness, MANAGER, Role.MANAGER)
    group = harness.emu.group(GROUP, "1号楼业主群")
    one = (await harness.rows("SELECT id FROM buildings WHERE code = '1'"))[0][0]
    await harness.command(manager, "bind", chat=group)
    await harness.press(manager, harness.emu.last_message(GROUP), f"gb1|building|{one}")
    starts = await one_off(harness, organiser, "Joint meeting")
    invite_a, invite_b = harness.emu.last_message(A), harness.emu.last_message(B)
    assert "Joint meeting" in harness.emu.last_message(GROUP).body  # the group got it
    await harness.press(
        harness.emu.user(A, "R", "zh-hans"), invite_a, harness.emu.find_button(invite_a, "mr1|")
    )
    no = next(d for _, d in harness.emu.buttons(invite_b) if d and d.endswith("|0"))
    await harness.press(harness.emu.user(B, "R", "en"), invite_b, no)

    await harness.command(organiser, "meetings")
    listing = harness.emu.last_message(ORGANISER)
    labels = [label for label, _ in harness.emu.buttons(listing)]
    assert any(label.startswith("Cancel this meeting: Joint meeting") for label in labels)
    assert not any("End the series" in label for label in labels)  # a one-off meeting
    await harness.tap(organiser, "mx1|1|0|0")
    ask = harness.emu.last_message(ORGANISER)
    assert "Cancel Joint meeting on" in (ask.text or "")
    assert await harness.rows("SELECT cancelled_at FROM meeting_occurrences") == [(None,)]
    mark = harness.emu.mark()
    await harness.tap(organiser, "mx1|1|0|1")
    done = harness.emu.last_message(ORGANISER).text or ""
    assert "is cancelled" in done and "2 residents and 1 group chats" in done  # A, C and the group
    assert await harness.rows("SELECT cancelled_at IS NOT NULL FROM meeting_occurrences") == [(1,)]
    assert await harness.rows(
        "SELECT kind, done_at IS NOT NULL, skipped FROM meeting_due ORDER BY kind"
    ) == [("announce", 1, 0), ("remind_day", 1, 1), ("remind_hour", 1, 1)]
    # nothing is sent before the outbox runs: the notice is queued in the same transaction
    assert got(harness, A, "Joint meeting", mark) == []
    await harness.restart()  # a restart between the cancel and the reminder times
    await harness.run_job("outbox")
    await harness.run_job("outbox")
    told_a = got(harness, A, "Joint meeting", mark)
    assert len(told_a) == 1 and "已取消" in told_a[0]  # in A's language
    told_c = got(harness, C, "Joint meeting", mark)
    assert len(told_c) == 1 and "已取消" in told_c[0]
    assert got(harness, B, "Joint meeting", mark) == []  # said "cannot attend": not bothered
    assert len(got(harness, GROUP, "Joint meeting", mark)) == 1

    for moment in (starts - timedelta(days=1), starts - timedelta(hours=1)):
        harness.clock.set(moment)
        await harness.run_job("meetings")
        await harness.run_job("outbox")
    for chat in (A, B, C, GROUP, ORGANISER):
        assert len(got(harness, chat, "Joint meeting", mark)) <= 1  # no reminder, no count
    assert got(harness, ORGANISER, "will attend", mark) == []
    await harness.command(organiser, "meetings")
    assert "Joint meeting: cancelled" in (harness.emu.last_message(ORGANISER).text or "")
    assert harness.emu.unanswered_callbacks() == []


async def test_an_rsvp_after_the_cancel_is_refused_politely(harness: Harness) -> None:
    organiser = await set_up(harness)
    await one_off(harness, organiser, "Joint meeting")
    invite = harness.emu.last_message(B)
    await harness.command(organiser, "meetings")
    await harness.tap(organiser, "mx1|1|0|0")
    await harness.tap(organiser, "mx1|1|0|1")
    before = await meeting_state(harness)
    resident_b = harness.emu.user(B, "R", "en")
    late = harness.emu.press_button(resident_b, invite, harness.emu.find_button(invite, "mr1|1|1"))
    await harness.settle()
    said = harness.emu.callback_answer(late) or {}
    assert said.get("show_alert") and "cancelled" in said.get("text", "")
    assert await meeting_state(harness) == before
    assert await harness.rows("SELECT COUNT(*) FROM meeting_rsvps") == [(0,)]
    assert harness.emu.unanswered_callbacks() == []


async def test_cancelling_one_occurrence_of_a_recurring_meeting_keeps_the_next(
    harness: Harness,
) -> None:
    organiser = await set_up(harness)
    first = await monthly(harness, organiser, "Monthly joint meeting")
    await harness.command(organiser, "meetings")
    labels = [label for label, _ in harness.emu.buttons(harness.emu.last_message(ORGANISER))]
    assert any(label.startswith("Cancel this one:") for label in labels)
    assert any(label.startswith("End the series:") for label in labels)
    await harness.tap(organiser, "mx1|1|0|0")
    mark = harness.emu.mark()
    await harness.tap(organiser, "mx1|1|0|1")
    await harness.run_job("outbox")
    assert len(got(harness, A, "Monthly joint meeting", mark)) == 1  # told it is cancelled
    assert await harness.rows("SELECT kind, skipped FROM meeting_due WHERE done_at IS NULL") == [
        ("next", 0)
    ]  # only the making of the next occurrence is left

    harness.clock.set(first + timedelta(seconds=1))
    await harness.run_job("meetings")
    second = datetime(2027, 1, 5, 19, 0, tzinfo=SHANGHAI)
    assert await occurrences(harness) == [first, second]
    assert await harness.rows(
        "SELECT cancelled_at IS NULL FROM meeting_occurrences ORDER BY starts_at"
    ) == [(0,), (1,)]
    harness.clock.set(second - timedelta(days=7))
    mark = harness.emu.mark()
    await harness.run_job("meetings")
    await harness.run_job("outbox")
    announced = got(harness, A, "Monthly joint meeting", mark)
    assert len(announced) == 1 and "2027" in announced[0]  # the next one goes on
    assert harness.emu.unanswered_callbacks() == []


async def test_ending_a_series_stops_future_occurrences(harness: Harness) -> None:
    organiser = await set_up(harness)
    first = await monthly(harness, organiser, "Monthly joint meeting")
    await harness.command(organiser, "meetings")
    await harness.tap(organiser, "mx1|1|1|0")
    assert "End the series Monthly joint meeting?" in (
        harness.emu.last_message(ORGANISER).text or ""
    )
    confirm = harness.emu.last_message(ORGANISER)
    mark = harness.emu.mark()
    await harness.tap(organiser, "mx1|1|1|1")
    assert "is ended" in (harness.emu.last_message(ORGANISER).text or "")
    assert await harness.rows("SELECT ended_at IS NOT NULL FROM meetings") == [(1,)]
    assert await harness.rows("SELECT COUNT(*) FROM meeting_due WHERE done_at IS NULL") == [(0,)]
    await harness.restart()
    await harness.run_job("outbox")
    assert len(got(harness, A, "Monthly joint meeting", mark)) == 1

    for moment in (
        first - timedelta(hours=1),
        first + timedelta(seconds=1),
        first + timedelta(days=40),
    ):
        harness.clock.set(moment)
        await harness.run_job("meetings")
        await harness.run_job("outbox")
    assert await occurrences(harness) == [first]  # no next occurrence is made
    assert len(got(harness, A, "Monthly joint meeting", mark)) == 1
    # a second press on the old confirmation is refused and changes nothing
    before = await meeting_state(harness)
    again = harness.emu.press_button(organiser, confirm, "mx1|1|1|1")
    await harness.settle()
    assert (harness.emu.callback_answer(again) or {}).get("show_alert")
    assert await meeting_state(harness) == before
    await harness.command(organiser, "meetings")
    listing = harness.emu.last_message(ORGANISER)
    assert "Monthly joint meeting: cancelled" in (listing.text or "")
    assert not [d for _, d in harness.emu.buttons(listing) if d and d.startswith("mx1|")]
    assert harness.emu.unanswered_callbacks() == []


async def test_a_forged_cancel_press_is_refused_and_changes_nothing(harness: Harness) -> None:
    organiser = await set_up(harness)
    await monthly(harness, organiser, "Monthly joint meeting")
    await harness.command(organiser, "meetings")
    await harness.tap(organiser, "mx1|1|0|0")
    confirm = harness.emu.last_message(ORGANISER)
    before = await meeting_state(harness)
    resident_a = harness.emu.user(A, "R", "zh-hans")
    for data in ("mx1|1|0|1", "mx1|1|1|1", "mx1|1|0|0"):
        forged = harness.emu.press_button(resident_a, confirm, data)
        await harness.settle()
        assert (harness.emu.callback_answer(forged) or {}).get("show_alert")
    assert await meeting_state(harness) == before
    # "keep it" changes nothing either
    await harness.tap(organiser, "mk1|1")
    assert "Nothing was changed" in (harness.emu.last_message(ORGANISER).text or "")
    assert await meeting_state(harness) == before
    # cancelled once; the same confirmation pressed again is refused, nothing queued twice
    await harness.press(organiser, confirm, "mx1|1|0|1")
    after = await meeting_state(harness)
    assert after != before
    again = harness.emu.press_button(organiser, confirm, "mx1|1|0|1")
    await harness.settle()
    assert (harness.emu.callback_answer(again) or {}).get("show_alert")
    assert await meeting_state(harness) == after
    assert await harness.rows("SELECT COUNT(*) FROM outbox_batches WHERE ref LIKE '%:cancel'") == [
        (1,)
    ]
    assert harness.emu.unanswered_callbacks() == []
