"""Room booking through the emulator: the full flow, quota, approval and rejection, cancelling
before and after the cut-off, watches, blackouts, forged presses, unverified users, concurrent
confirmations, the reminder (once, also across a restart) and the staff's views."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.rules.auth import Role
from bot.rules.clock import to_ts
from storage import bookings, community
from tests.conftest import SHANGHAI, Harness
from tests.emulator import SentMessage

ANN, BOB, CAROL, STAFF, LEADER, OTHER_LEADER, MANAGER = 3001, 3002, 3003, 2001, 2002, 2003, 2004
TUESDAY = date(2026, 11, 24)  # the harness starts on Monday 23 November 2026, 10:00 Shanghai
DAY = 20261124
BOOKING_TABLES = ("bookings", "booking_reminders", "booking_watches", "room_blackouts", "outbox")


def at(day: date, hhmm: str) -> int:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return to_ts(datetime(day.year, day.month, day.day, hours, minutes, tzinfo=SHANGHAI))


async def resident(h: Harness, uid: int, name: str, lang: str, unit: str) -> dict[str, Any]:
    user = h.emu.user(uid, name, lang)
    invite = (await h.rows("SELECT invite_code FROM units WHERE code = ?", (unit,)))[0][0]
    await h.command(user, "start", invite)
    await h.tap(user, "jr1|owner")
    return user


async def officer(
    h: Harness, uid: int, name: str, lang: str, role: Role, building: str | None = None
) -> dict[str, Any]:
    await h.grant(uid, role, building)
    user = h.emu.user(uid, name, lang)
    await h.command(user, "start")
    return user


async def unit_of(h: Harness, user_id: int) -> int:
    """The unit a resident books for (the callback data carries it)."""
    rows = await h.rows(
        "SELECT unit_id FROM residences WHERE user_id = ? AND status = 'verified' ORDER BY id",
        (user_id,),
    )
    return int(rows[0][0])


async def room_id(h: Harness, code: str) -> int:
    return int((await h.rows("SELECT id FROM rooms WHERE code = ?", (code,)))[0][0])


def texts(h: Harness, msg: SentMessage) -> list[str]:
    return [t for t, _ in h.emu.buttons(msg)]


def last_text(h: Harness, chat_id: int) -> str:
    return h.emu.last_message(chat_id).text or ""


def last_answer(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def open_day(h: Harness, user: dict[str, Any], room: str, day: int = DAY) -> SentMessage:
    """/book → the room → the day: the grid message."""
    rid = await room_id(h, room)
    u = await unit_of(h, user["id"])
    await h.command(user, "book")
    await h.tap(user, f"br1|{rid}|{u}")
    return await h.tap(user, f"bd1|{rid}|{day}|{u}")


async def book(
    h: Harness, user: dict[str, Any], room: str, start: int, minutes: int
) -> SentMessage:
    """The whole flow by buttons: room → day → start → length → confirm."""
    rid = await room_id(h, room)
    u = await unit_of(h, user["id"])
    day = datetime.fromtimestamp(start, SHANGHAI).date()
    await open_day(h, user, room, day.year * 10000 + day.month * 100 + day.day)
    await h.tap(user, f"bs1|{rid}|{start}|{u}")
    await h.tap(user, f"bl1|{rid}|{start}|{minutes}|{u}")
    return await h.tap(user, f"bc1|{rid}|{start}|{minutes}|{u}")


async def dump(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    return {t: await h.rows(f"SELECT * FROM {t} ORDER BY 1") for t in BOOKING_TABLES}


async def test_full_booking_flow(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "小安", "zh-hans", "1-101")
    rid = await room_id(harness, "activity")
    u = await unit_of(harness, ANN)
    await harness.command(ann, "start")
    menu = harness.emu.last_message(ANN)
    assert "预约场地" in texts(harness, menu) and "我的预约" in texts(harness, menu)
    await harness.press(ann, menu, harness.emu.find_button(menu, "m1|book"))
    rooms = harness.emu.last_message(ANN)
    assert "活动室" in texts(harness, rooms) and "共享厨房" in texts(harness, rooms)
    assert "需要审批" in (rooms.text or "")  # the kitchen needs approval
    days = await harness.tap(ann, f"br1|{rid}|{u}")
    labels = texts(harness, days)
    assert labels[0] == "11月23日周一" and labels[1] == "11月24日周二"
    grid = await harness.tap(ann, f"bd1|{rid}|{DAY}|{u}")
    labels = texts(harness, grid)
    assert labels[0] == "08:00" and "20:30" in labels and "21:00" not in labels
    assert "11月24日周二" in (grid.text or "")
    lengths = await harness.tap(ann, f"bs1|{rid}|{at(TUESDAY, '10:00')}|{u}")
    assert texts(harness, lengths)[:6] == [
        "30分钟",
        "1小时",
        "1小时30分钟",
        "2小时",
        "2小时30分钟",
        "3小时",
    ]
    confirm = await harness.tap(ann, f"bl1|{rid}|{at(TUESDAY, '10:00')}|90|{u}")
    assert "活动室" in (confirm.text or "") and "10:00–11:30" in (confirm.text or "")
    done = await harness.tap(ann, f"bc1|{rid}|{at(TUESDAY, '10:00')}|90|{u}")
    assert "已预约：活动室，11月24日周二 10:00–11:30" in (done.text or "")
    unit = (await harness.rows("SELECT id FROM units WHERE code = '1-101'"))[0][0]
    assert await harness.rows(
        "SELECT room_id, unit_id, booked_by, start_at, end_at, state FROM bookings"
    ) == [(rid, unit, ANN, at(TUESDAY, "10:00"), at(TUESDAY, "11:30"), "confirmed")]
    # another household sees the time as taken, and may ask to be told if it frees up
    bob = await resident(harness, BOB, "Bob", "en", "2-503")
    grid = await open_day(harness, bob, "activity")
    labels = texts(harness, grid)
    assert (
        "✖ 10:00" in labels and "✖ 11:00" in labels and "11:30" in labels and "10:00" not in labels
    )
    await harness.press(bob, grid, harness.emu.find_button_by_text(grid, "✖ 10:30"))
    assert last_answer(harness) == "This time is taken."
    offer = harness.emu.last_message(BOB)
    assert "Shall I tell you if it frees up?" in (offer.text or "")
    await harness.tap(bob, f"bw1|{rid}|{at(TUESDAY, '10:30')}")
    assert "I will tell you if Activity room" in last_text(harness, BOB)
    # Ann cancels: Bob is told through the outbox
    await harness.command(ann, "mybookings")
    assert "活动室，11月24日周二 10:00–11:30（已确认）" in last_text(harness, ANN)
    await harness.tap(ann, "bx1|")
    await harness.tap(ann, "bx1|")
    assert "已取消" in last_text(harness, ANN)
    assert await harness.rows("SELECT state, cancel_reason FROM bookings") == [
        ("cancelled", "resident")
    ]
    await harness.run_job("outbox")
    assert "Activity room, Tue 24 Nov 10:30–11:00 has just become free" in last_text(harness, BOB)
    # "Book it now" leads straight to confirming that slot: two taps to book it
    freed = harness.emu.last_message(BOB)
    assert [t for t, _ in harness.emu.buttons(freed)] == ["Book it now"]
    await harness.tap(bob, f"bl1|{rid}|{at(TUESDAY, '10:30')}|30|")
    assert "Please check: Activity room, Tue 24 Nov 10:30–11:00" in last_text(harness, BOB)
    await harness.tap(bob, "bc1|")
    assert await harness.rows(
        "SELECT booked_by, start_at, state FROM bookings WHERE state != 'cancelled'"
    ) == [(BOB, at(TUESDAY, "10:30"), "confirmed")]
    assert harness.emu.unanswered_callbacks() == []


async def test_unverified_user_is_asked_to_join_first(harness: Harness) -> None:
    await harness.start()
    stranger = harness.emu.user(ANN, "Ann", "en")
    await harness.command(stranger, "book")
    msg = harness.emu.last_message(ANN)
    assert "Please join your unit first" in (msg.text or "")
    assert harness.emu.find_button_by_text(msg, "Join my unit") == "m1|join"
    rid = await room_id(harness, "activity")
    u = (await harness.rows("SELECT id FROM units WHERE code = '1-101'"))[0][0]
    before = await dump(harness)
    for forged in (
        f"br1|{rid}|{u}",
        f"bc1|{rid}|{at(TUESDAY, '10:00')}|60|{u}",
        f"bw1|{rid}|{at(TUESDAY, '10:00')}",
    ):
        await harness.press(stranger, msg, forged)
        assert "join your unit first" in last_answer(harness)
    assert await dump(harness) == before
    # the join button starts joining
    await harness.press(stranger, msg, "m1|join")
    assert "Which building" in last_text(harness, ANN)
    assert harness.emu.unanswered_callbacks() == []


async def test_quota_reached(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    rid = await room_id(harness, "activity")
    u = await unit_of(harness, ANN)
    for hour in ("09:00", "12:00"):
        msg = await book(harness, ann, "activity", at(TUESDAY, hour), 60)
        assert "Booked: Activity room" in (msg.text or "")
    # a family member of the same household books the third: the quota is the household's
    family = harness.emu.user(ANN + 50, "Ann's son", "en")
    invite = (await harness.rows("SELECT invite_code FROM units WHERE code = '1-101'"))[0][0]
    await harness.command(family, "start", invite)
    await harness.tap(family, "jr1|family")
    msg = await book(harness, family, "activity", at(TUESDAY, "15:00"), 60)
    assert "Booked" in (msg.text or "")
    # the fourth: the grid still shows free times, but the start says the quota is reached
    grid = await open_day(harness, ann, "activity")
    await harness.press(ann, grid, f"bs1|{rid}|{at(TUESDAY, '17:00')}|{u}")
    text = last_text(harness, ANN)
    assert "reached this week's limit of 3 bookings" in text
    assert harness.emu.find_button_by_text(harness.emu.last_message(ANN), "My bookings")
    # and a confirm press made anyway is refused the same way
    before = await dump(harness)
    await harness.press(
        ann, harness.emu.last_message(ANN), f"bc1|{rid}|{at(TUESDAY, '17:00')}|60|{u}"
    )
    assert "reached this week's limit" in last_text(harness, ANN)
    assert await dump(harness) == before
    # another household is not limited
    bob = await resident(harness, BOB, "Bob", "en", "1-102")
    assert "Booked" in ((await book(harness, bob, "activity", at(TUESDAY, "17:00"), 60)).text or "")
    assert harness.emu.unanswered_callbacks() == []


async def test_approval_and_rejection(harness: Harness) -> None:
    await harness.start()
    staff = await officer(harness, STAFF, "管家", "zh-hans", Role.STAFF)
    leader = await officer(harness, LEADER, "Leader", "en", Role.LEADER, "1")
    other_leader = await officer(harness, OTHER_LEADER, "Leader2", "en", Role.LEADER, "2")
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    done = await book(harness, ann, "kitchen", at(TUESDAY, "14:00"), 120)
    assert "NOT confirmed yet: it is waiting for approval" in (done.text or "")
    (booking_id,) = (await harness.rows("SELECT id FROM bookings WHERE state = 'pending'"))[0]
    push = harness.emu.last_message(STAFF)
    assert f"预约申请 #{booking_id}" in (push.text or "") and "1-101" in (push.text or "")
    leader_push = harness.emu.last_message(LEADER)
    assert f"Booking request #{booking_id}" in (leader_push.text or "")
    assert not any("Booking request" in (m.text or "") for m in harness.emu.messages(OTHER_LEADER))
    # a leader of another building and the resident themself may not decide
    before = await dump(harness)
    await harness.press(other_leader, harness.emu.last_message(OTHER_LEADER), f"ba1|{booking_id}|1")
    assert (
        last_answer(harness) == "Sorry, this is not open to you. Send /menu to see what you can do."
    )
    await harness.press(ann, harness.emu.last_message(ANN), f"ba1|{booking_id}|1")
    assert (
        last_answer(harness) == "Sorry, this is not open to you. Send /menu to see what you can do."
    )
    assert await dump(harness) == before
    # staff approve
    await harness.press(staff, push, harness.emu.find_button_by_text(push, "同意"))
    assert await harness.rows("SELECT state, decided_by FROM bookings") == [("confirmed", STAFF)]
    assert "your booking of Community kitchen, Tue 24 Nov 14:00–16:00 is approved" in last_text(
        harness, ANN
    )
    assert await harness.rows("SELECT booking_id FROM booking_reminders") == [(booking_id,)]
    # the leader's button is now stale
    await harness.press(leader, leader_push, f"ba1|{booking_id}|1")
    assert last_answer(harness) == "This booking is already confirmed."

    # a second request, rejected by the building leader
    wed = date(2026, 11, 25)
    await book(harness, ann, "kitchen", at(wed, "10:00"), 60)
    (second,) = (await harness.rows("SELECT id FROM bookings WHERE state = 'pending'"))[0]
    leader_push = harness.emu.last_message(LEADER)
    await harness.press(leader, leader_push, f"ba1|{second}|0")
    assert "Rejected: booking" in last_text(harness, LEADER)
    assert await harness.rows("SELECT state FROM bookings WHERE id = ?", (second,)) == [
        ("rejected",)
    ]
    assert "was not approved" in last_text(harness, ANN)
    # the rejected time is free again
    grid = await open_day(harness, ann, "kitchen", 20261125)
    assert "10:00" in texts(harness, grid)
    assert harness.emu.unanswered_callbacks() == []


async def test_cancel_before_and_after_the_cutoff(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "activity", at(TUESDAY, "10:00"), 60)
    await book(harness, ann, "activity", at(TUESDAY, "14:00"), 60)
    first, second = [r[0] for r in await harness.rows("SELECT id FROM bookings ORDER BY start_at")]
    # before the cut-off (2 h): cancelled after a confirmation
    harness.clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))  # exactly 2 h before
    await harness.command(ann, "mybookings")
    listing = harness.emu.last_message(ANN)
    assert "1. Activity room, Tue 24 Nov 10:00–11:00 (confirmed)" in (listing.text or "")
    await harness.press(ann, listing, f"bx1|{first}|0")
    assert "Cancel your booking of Activity room" in last_text(harness, ANN)
    await harness.tap(ann, f"bx1|{first}|1")
    assert "Cancelled: Activity room, Tue 24 Nov 10:00–11:00" in last_text(harness, ANN)
    assert await harness.rows("SELECT id, state FROM bookings ORDER BY id") == [
        (first, "cancelled"),
        (second, "confirmed"),
    ]
    # after the cut-off: politely refused, nothing changed
    harness.clock.set(datetime(2026, 11, 24, 12, 1, tzinfo=SHANGHAI))  # 1 h 59 min before
    before = await dump(harness)
    await harness.command(ann, "mybookings")
    listing = harness.emu.last_message(ANN)
    await harness.press(ann, listing, f"bx1|{second}|0")
    assert "can only be cancelled up to 2 hours before" in last_answer(harness)
    await harness.press(ann, listing, f"bx1|{second}|1")
    assert "can only be cancelled up to 2 hours before" in last_answer(harness)
    assert await dump(harness) == before
    assert harness.emu.unanswered_callbacks() == []


async def test_blackout_notifies_a_booked_resident(harness: Harness) -> None:
    await harness.start()
    staff = await officer(harness, STAFF, "Staff", "en", Role.STAFF)
    ann = await resident(harness, ANN, "小安", "zh-hans", "1-101")
    await book(harness, ann, "activity", at(TUESDAY, "10:00"), 60)
    await book(harness, ann, "activity", at(TUESDAY, "15:00"), 60)
    # a resident may not close a room
    await harness.command(ann, "blackout", "activity 2026-11-24 09:00 12:00 paint")
    assert "这一项您暂时用不了" in last_text(harness, ANN)
    assert await harness.rows("SELECT COUNT(*) FROM room_blackouts") == [(0,)]
    await harness.command(staff, "blackout", "nosuchroom 2026-11-24 09:00 12:00 paint")
    assert "/blackout ROOM YYYY-MM-DD HH:MM HH:MM reason" in last_text(harness, STAFF)
    await harness.command(staff, "blackout", "activity 2026-11-24 09:00 12:00 粉刷墙面")
    assert "Bookings cancelled: 1; residents told: 1" in last_text(harness, STAFF)
    assert await harness.rows("SELECT start_at, state, cancel_reason FROM bookings ORDER BY 1") == [
        (at(TUESDAY, "10:00"), "cancelled", "blackout"),
        (at(TUESDAY, "15:00"), "confirmed", None),
    ]
    await harness.run_job("outbox")
    apology = last_text(harness, ANN)
    assert (
        "抱歉" in apology
        and "活动室，11月24日周二 10:00–11:00" in apology
        and "粉刷墙面" in apology
    )
    # the grid shows the closed time
    grid = await open_day(harness, ann, "activity")
    assert "⛔ 09:00" in texts(harness, grid) and "⛔ 11:30" in texts(harness, grid)
    assert "12:00" in texts(harness, grid)
    assert harness.emu.unanswered_callbacks() == []


async def test_forged_presses_change_nothing(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    bob = await resident(harness, BOB, "Bob", "en", "2-503")
    await book(harness, ann, "activity", at(TUESDAY, "10:00"), 60)
    (ann_booking,) = (await harness.rows("SELECT id FROM bookings"))[0]
    rid = await room_id(harness, "activity")
    u = await unit_of(harness, BOB)
    ann_unit = await unit_of(harness, ANN)
    kitchen = await room_id(harness, "kitchen")
    await harness.command(bob, "mybookings")
    msg = harness.emu.last_message(BOB)
    before = await dump(harness)
    no_right = "Sorry, this is not open to you. Send /menu to see what you can do."
    invalid = "This button is no longer valid."
    past = f"bc1|{rid}|{at(date(2026, 11, 23), '08:00')}|60|{u}"
    forged: dict[str, tuple[str | None, str | None]] = {
        # another household's booking
        f"bx1|{ann_booking}|1": ("This booking is not yours.", None),
        f"bx1|{ann_booking}|0": ("This booking is not yours.", None),
        # a slot in the past, a time Ann holds, a time off the grid
        past: (None, "That time has already passed."),
        f"bs1|{rid}|{at(date(2026, 11, 23), '08:00')}|{u}": (None, "That time has already passed."),
        f"bc1|{rid}|{at(TUESDAY, '10:30')}|60|{u}": (None, "someone else booked this time"),
        f"bc1|{rid}|{at(TUESDAY, '10:10')}|60|{u}": (None, "This length cannot be booked."),
        # booking for another household's unit (Ann's), or for the community, as a resident
        f"bc1|{rid}|{at(TUESDAY, '12:00')}|60|{ann_unit}": (no_right, None),
        f"bs1|{rid}|{at(TUESDAY, '12:00')}|{ann_unit}": (no_right, None),
        f"bc1|{rid}|{at(TUESDAY, '12:00')}|60|0": (no_right, None),
        # rooms that do not exist, days out of range
        f"bc1|9999|1800000000|60|{u}": (invalid, None),
        f"br1|9999|{u}": (invalid, None),
        f"bs1|9999|1800000000|{u}": (invalid, None),
        f"bd1|{rid}|20261399|{u}": (invalid, None),
        f"bd1|{rid}|20251124|{u}": (invalid, None),
        f"bl1|{kitchen}|{at(TUESDAY, '10:00')}|-60|{u}": (invalid, None),
        # deciding a booking without the right, or a booking that does not exist
        f"ba1|{ann_booking}|0": (no_right, None),
        "ba1|99999|1": (invalid, None),
        "bx1|99999|1": (invalid, None),
        "bx1|abc|1": ("This button is no longer valid. Send /start to see the menu again.", None),
    }
    for data, (expected_answer, expected_text) in forged.items():
        await harness.press(bob, msg, data)
        if expected_answer is not None:
            assert last_answer(harness) == expected_answer, data
        if expected_text is not None:
            assert expected_text in last_text(harness, BOB), data
    assert await dump(harness) == before
    assert harness.emu.unanswered_callbacks() == []


async def test_concurrent_confirmations_through_the_bot(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    bob = await resident(harness, BOB, "Bob", "en", "2-503")
    rid = await room_id(harness, "activity")
    units = {ANN: await unit_of(harness, ANN), BOB: await unit_of(harness, BOB)}
    start = at(TUESDAY, "10:00")
    screens = {}
    for user in (ann, bob):
        await open_day(harness, user, "activity")
        await harness.tap(user, f"bs1|{rid}|{start}|{units[user['id']]}")
        screens[user["id"]] = await harness.tap(user, f"bl1|{rid}|{start}|60|{units[user['id']]}")
    # both press "Confirm" before the bot has processed either
    harness.emu.press_button(ann, screens[ANN], f"bc1|{rid}|{start}|60|{units[ANN]}")
    harness.emu.press_button(bob, screens[BOB], f"bc1|{rid}|{start}|60|{units[BOB]}")
    await harness.settle()
    assert await harness.rows("SELECT booked_by, state FROM bookings") == [(ANN, "confirmed")]
    assert "Booked: Activity room" in last_text(harness, ANN)
    loser = harness.emu.last_message(BOB)
    assert "someone else booked this time just before you" in (loser.text or "")
    assert "✖ 10:00" in texts(harness, loser)  # the grid again, with the time taken
    assert harness.emu.unanswered_callbacks() == []


async def test_reminder_is_sent_once_also_across_a_restart(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "activity", at(TUESDAY, "10:00"), 60)
    reminders = lambda: [m for m in harness.emu.messages(ANN) if "Reminder:" in (m.text or "")]  # noqa: E731
    harness.clock.set(datetime(2026, 11, 24, 8, 59, tzinfo=SHANGHAI))
    await harness.run_job("bookings-remind")
    await harness.run_job("outbox")
    assert reminders() == []
    harness.clock.advance(timedelta(minutes=1))  # exactly 1 h before
    await harness.run_job("bookings-remind")
    # a crash before the outbox sent it: after the restart it is sent, once
    await harness.crash()
    await harness.start(load_example=False)
    await harness.run_job("bookings-remind")
    await harness.run_job("outbox")
    assert len(reminders()) == 1
    assert "Reminder: you have booked Activity room, Tue 24 Nov 10:00–11:00" in (
        reminders()[0].text or ""
    )
    await harness.restart()
    harness.clock.advance(timedelta(minutes=5))
    await harness.run_job("bookings-remind")
    await harness.run_job("outbox")
    assert len(reminders()) == 1
    assert await harness.rows("SELECT sent_at IS NOT NULL FROM booking_reminders") == [(1,)]


async def test_staff_views_and_manager_utilisation(harness: Harness) -> None:
    await harness.start()
    staff = await officer(harness, STAFF, "Staff", "en", Role.STAFF)
    manager = await officer(harness, MANAGER, "Boss", "en", Role.MANAGER)
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "activity", at(TUESDAY, "10:00"), 180)
    await harness.command(staff, "rooms")
    text = last_text(harness, STAFF)
    assert "Activity room" in text and "Tue 24 Nov 10:00–13:00 · 1-101 · confirmed" in text
    assert "Study\n  no bookings" in text
    await harness.command(ann, "rooms")
    assert "this is not open to you" in last_text(harness, ANN)
    await harness.command(staff, "utilisation")
    assert "this is not open to you" in last_text(harness, STAFF)
    await harness.command(manager, "utilisation")
    text = last_text(harness, MANAGER)
    # 3 h of 91 open hours this week
    assert "Activity room: this week 3%, last week 0%" in text
    # a community booking by staff: no quota, no approval, shown as "community"
    kitchen = await room_id(harness, "kitchen")
    await harness.command(staff, "book")
    await harness.tap(staff, f"br1|{kitchen}|0")
    await harness.tap(staff, f"bd1|{kitchen}|{DAY}|0")
    start = at(TUESDAY, "10:00")
    await harness.tap(staff, f"bs1|{kitchen}|{start}|0")
    await harness.tap(staff, f"bl1|{kitchen}|{start}|300|0")  # longer than the 3 h maximum
    done = await harness.tap(staff, f"bc1|{kitchen}|{start}|300|0")
    assert "Booked: Community kitchen" in (done.text or "")
    assert await harness.rows(
        "SELECT unit_id, state FROM bookings WHERE room_id = ?", (kitchen,)
    ) == [(None, "confirmed")]
    assert harness.emu.unanswered_callbacks() == []


async def test_me_counts_bookings(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "activity", at(TUESDAY, "10:00"), 60)
    await harness.command(ann, "me")
    assert "Room bookings: 1" in last_text(harness, ANN)
    assert harness.db is not None
    async with harness.db.read() as conn:
        assert [r.code for r in await community.rooms(conn)] == ["activity", "kitchen", "study"]
        assert len(await bookings.live_between(conn, 0, 2**40)) == 1


async def test_an_owner_of_two_units_books_for_either(harness: Harness) -> None:
    await harness.start()
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    invite = (await harness.rows("SELECT invite_code FROM units WHERE code = '1-102'"))[0][0]
    await harness.command(ann, "start", invite)
    await harness.tap(ann, "jr1|owner")
    await harness.command(ann, "book")
    labels = texts(harness, harness.emu.last_message(ANN))
    assert "Activity room · 1-101" in labels and "Activity room · 1-102" in labels
    rid = await room_id(harness, "activity")
    second = (await harness.rows("SELECT id FROM units WHERE code = '1-102'"))[0][0]
    start = at(TUESDAY, "10:00")
    await harness.tap(ann, f"br1|{rid}|{second}")
    await harness.tap(ann, f"bd1|{rid}|{DAY}|{second}")
    await harness.tap(ann, f"bs1|{rid}|{start}|{second}")
    await harness.tap(ann, f"bl1|{rid}|{start}|60|{second}")
    await harness.tap(ann, f"bc1|{rid}|{start}|60|{second}")
    assert await harness.rows("SELECT unit_id, booked_by FROM bookings") == [(second, ANN)]
    assert harness.emu.unanswered_callbacks() == []


async def test_book_in_a_group_links_to_the_private_chat(harness: Harness) -> None:
    await harness.start()
    group = harness.emu.group(-100700, "1号楼业主群")
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    for command in ("book", "mybookings"):
        await harness.command(ann, command, chat=group)
        reply = harness.emu.last_message(-100700)
        assert "private chat" in (reply.text or "") and "1-101" not in (reply.text or "")


async def test_a_pending_resident_is_told_to_wait(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(ANN, "Ann", "en")
    await harness.command(user, "join")
    for prefix in ("jb1|", "jf1|", "ju1|", "jr1|owner"):
        await harness.tap(user, prefix)
    assert await harness.rows("SELECT status FROM residences") == [("pending",)]
    await harness.command(user, "book")
    msg = harness.emu.last_message(ANN)
    assert "still waiting for confirmation" in (msg.text or "")
    assert harness.emu.buttons(msg) == []


async def test_a_rejected_booking_frees_the_time_for_watchers(harness: Harness) -> None:
    await harness.start()
    staff = await officer(harness, STAFF, "Staff", "en", Role.STAFF)
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    bob = await resident(harness, BOB, "鲍勃", "zh-hans", "2-503")
    kitchen = await room_id(harness, "kitchen")
    await book(harness, ann, "kitchen", at(TUESDAY, "14:00"), 60)
    grid = await open_day(harness, bob, "kitchen")
    assert "✖ 14:00" in texts(harness, grid)
    await harness.press(bob, grid, harness.emu.find_button_by_text(grid, "✖ 14:00"))
    await harness.tap(bob, f"bw1|{kitchen}|{at(TUESDAY, '14:00')}")
    assert await harness.rows("SELECT user_id, notified_at FROM booking_watches") == [(BOB, None)]
    push = harness.emu.last_message(STAFF)
    await harness.press(staff, push, harness.emu.find_button_by_text(push, "Reject"))
    await harness.run_job("outbox")
    assert "共享厨房，11月24日周二 14:00–15:00 刚刚空出来了" in last_text(harness, BOB)
    # told once: a second freeing of the same time says nothing more
    await harness.run_job("outbox")
    told = [m for m in harness.emu.messages(BOB) if "空出来了" in (m.text or "")]
    assert len(told) == 1
    assert harness.emu.unanswered_callbacks() == []


async def test_a_booking_cannot_be_approved_after_its_start(harness: Harness) -> None:
    await harness.start()
    staff = await officer(harness, STAFF, "Staff", "en", Role.STAFF)
    ann = await resident(harness, ANN, "Ann", "en", "1-101")
    await book(harness, ann, "kitchen", at(TUESDAY, "14:00"), 60)
    push = harness.emu.last_message(STAFF)
    harness.clock.set(datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI))
    await harness.press(staff, push, harness.emu.find_button_by_text(push, "Approve"))
    assert last_answer(harness) == "This booking has already started."
    assert await harness.rows("SELECT state FROM bookings") == [("pending",)]
    assert await harness.rows("SELECT COUNT(*) FROM booking_reminders") == [(0,)]
