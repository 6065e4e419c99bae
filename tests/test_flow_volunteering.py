"""Volunteering through the emulator: an activity from its announcement to the points (sign-up,
the waiting list moving up, reminders once across a restart, the organiser's attendance list,
a double press and a restart crediting once); a neighbour's help request from the ask to the
confirmation, private until taken, and one posted by a leader for someone without Telegram."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.rules.auth import Role
from bot.rules.clock import to_ts
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_notices import building_id, got, officer, resident

ORGANISER, LEADER = 2301, 2302
A, B, C, D = 3301, 3302, 3303, 3304  # A, B, C in building 1; D in building 2
REQUESTER = 3305  # in 1-104
STARTS = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)  # Saturday


def person(h: Harness, uid: int) -> Any:
    return h.emu.user(uid, f"R{uid}", "en")


def alert(h: Harness, press: Any) -> str:
    return str((h.emu.callback_answer(press) or {}).get("text", ""))


async def announce(h: Harness, organiser: Any, building: str) -> int:
    await h.command(organiser, "activity")
    await h.text(organiser, "Clean the garden")
    await h.text(organiser, "2026-11-28 09:00")
    await h.text(organiser, "Garden of building 1")
    await h.tap(organiser, "pn1|120")
    await h.tap(organiser, "pl1|2")
    await h.tap(organiser, "pp1|10")
    await h.tap(organiser, f"pb1|{await building_id(h, building)}")
    assert "Volunteers needed: 2" in h.emu.last_message(ORGANISER).body
    await h.tap(organiser, "pc1")
    assert got(h, ORGANISER, "The activity is announced")
    return int((await h.rows("SELECT id FROM activities"))[0][0])


async def sign_up(h: Harness, uid: int) -> str:
    invite = next(
        m
        for m in reversed(h.emu.messages(uid))
        if any((d or "").startswith("pj1|") for _, d in h.emu.buttons(m))
    )
    press = h.emu.press_button(person(h, uid), invite, h.emu.find_button(invite, "pj1|"))
    await h.settle()
    return alert(h, press)


async def ledger(h: Harness) -> list[tuple[Any, ...]]:
    return await h.rows("SELECT user_id, delta, kind, ref FROM points_ledger ORDER BY id")


async def test_an_activity_from_announcement_to_points(harness: Harness) -> None:
    h = harness
    await h.start()
    for uid, unit in ((A, "1-101"), (B, "1-102"), (C, "1-103"), (D, "2-101")):
        await resident(h, uid, unit, "en")
    organiser = await officer(h, ORGANISER, Role.LEADER, "1")
    mark = h.emu.mark()
    activity = await announce(h, organiser, "1")
    await h.run_job("outbox")
    for uid in (A, B, C):
        assert got(h, uid, "Volunteers wanted: Clean the garden", mark)
    assert got(h, D, "Clean the garden", mark) == []  # building 2 is not invited

    assert "You are on the list" in await sign_up(h, A)
    assert "You are on the list" in await sign_up(h, B)
    assert "waiting list" in await sign_up(h, C)  # two places: C waits
    assert "already on the list" in await sign_up(h, A)
    # A cannot come after all: C moves up and is told
    resident_a = person(h, A)
    await h.command(resident_a, "activities")
    await h.tap(resident_a, "pw1|")
    await h.run_job("outbox")
    assert got(h, C, "a place is free for Clean the garden")
    going = await h.rows("SELECT user_id FROM activity_signups WHERE state = 'going' ORDER BY seq")
    assert going == [(B,), (C,)]

    # the day before: a reminder to each volunteer going, once, also across a restart
    h.clock.set(STARTS - timedelta(days=1))
    mark = h.emu.mark()
    await h.run_job("volunteering")
    await h.restart()
    await h.run_job("volunteering")
    await h.run_job("outbox")
    assert len(got(h, B, "you help at Clean the garden tomorrow", mark)) == 1
    assert len(got(h, C, "you help at Clean the garden tomorrow", mark)) == 1
    assert got(h, A, "Clean the garden", mark) == []

    # before it begins there is nothing to confirm
    await h.command(organiser, "activities")
    assert not [
        d for _, d in h.emu.buttons(h.emu.last_message(ORGANISER)) if (d or "").startswith("pk1|")
    ]
    early = h.emu.press_button(organiser, h.emu.last_message(ORGANISER), f"pk1|{activity}")
    await h.settle()
    assert "not begun" in alert(h, early)

    # after it: the organiser ticks who came (B), then credits; a double press credits once
    h.clock.set(STARTS + timedelta(hours=3))
    await h.command(organiser, "activities")
    await h.tap(organiser, "pk1|")
    assert await ledger(h) == []  # nothing is credited before the organiser confirms
    await h.tap(organiser, f"pt1|{activity}|{B}")
    listing = h.emu.last_message(ORGANISER)
    assert any(t.startswith("✅") for t, _ in h.emu.buttons(listing))
    mark = h.emu.mark()
    credit = h.emu.find_button(listing, "pg1|")
    first = h.emu.press_button(organiser, listing, credit)
    second = h.emu.press_button(organiser, listing, credit)
    await h.settle()
    assert "Points credited to 1 volunteer" in alert(h, first)
    assert "Nobody new to credit" in alert(h, second)
    await h.restart()
    third = h.emu.press_button(organiser, listing, credit)
    await h.settle()
    assert "Nobody new to credit" in alert(h, third)
    await h.run_job("outbox")
    assert len(got(h, B, "You earned 10 points", mark)) == 1
    assert await ledger(h) == [(B, 10, "activity", str(activity))]
    resident_b = person(h, B)
    await h.command(resident_b, "points")
    assert "Your points: 10" in h.emu.last_message(B).body
    assert "Volunteer activity" in h.emu.last_message(B).body
    assert h.emu.unanswered_callbacks() == []


async def test_a_resident_cannot_organise_and_a_tenant_of_another_building_cannot_join(
    harness: Harness,
) -> None:
    h = harness
    await h.start()
    await resident(h, A, "1-101", "en")
    await resident(h, D, "2-101", "en")
    organiser = await officer(h, ORGANISER, Role.LEADER, "1")
    await h.command(person(h, A), "activity")
    assert "organised by building leaders" in h.emu.last_message(A).body
    activity = await announce(h, organiser, "1")
    invite = h.emu.last_message(ORGANISER)
    press = h.emu.press_button(person(h, D), invite, f"pj1|{activity}")
    await h.settle()
    assert "another building" in alert(h, press)
    assert await h.rows("SELECT * FROM activity_signups") == []


async def volunteers(h: Harness) -> None:
    for uid, unit in ((A, "1-101"), (B, "1-102"), (D, "2-101")):
        user = await resident(h, uid, unit, "en")
        await h.command(user, "volunteer")
        await h.tap(user, "pv1|helps|1")


async def test_a_help_request_private_until_taken_then_confirmed(harness: Harness) -> None:
    h = harness
    await h.start()
    await volunteers(h)
    requester = await resident(h, REQUESTER, "1-104", "en")
    mark = h.emu.mark()
    await h.command(requester, "askhelp")
    await h.tap(requester, "hk1|shopping")
    await h.text(requester, "Heavy rice bags, call me on 13812345678 at 1-104")
    assert "Sent to 2 volunteers" in h.emu.last_message(REQUESTER).body
    await h.run_job("outbox")
    told_a = got(h, A, "asks for help: Carry shopping", mark)
    assert len(told_a) == 1 and got(h, B, "asks for help", mark)
    assert "13812345678" not in told_a[0] and "1-104" not in told_a[0]
    assert "138****5678" in told_a[0]
    assert got(h, D, "asks for help", mark) == []  # another building's volunteer

    request = await h.tap(person(h, A), "ht1|", chat_id=A)
    assert "1-104" in request.body and "13812345678" in request.body
    take_b = h.emu.press_button(
        person(h, B), h.emu.last_message(B), h.emu.find_button(h.emu.last_message(B), "ht1|")
    )
    await h.settle()
    assert "taken this one already" in alert(h, take_b)
    assert "1-104" not in h.emu.last_message(B).body
    await h.run_job("outbox")
    coming = h.emu.last_message(REQUESTER)
    assert f"R{A} will help with: Carry shopping" in coming.body
    assert await ledger(h) == []  # not before the requester confirms
    done = h.emu.find_button(coming, "hd1|")
    assert done.endswith("|1")
    await h.press(requester, coming, done)
    again = h.emu.press_button(requester, coming, done)
    await h.settle()
    assert "no longer valid" in alert(h, again)
    await h.run_job("outbox")
    assert got(h, A, "Your neighbour confirmed your help. You earned 5 points")
    request_id = (await h.rows("SELECT id FROM help_requests"))[0][0]
    assert await ledger(h) == [(A, 5, "help", str(request_id))]
    assert h.emu.unanswered_callbacks() == []


async def test_a_leader_asks_for_someone_without_telegram_by_voice(harness: Harness) -> None:
    h = harness
    await h.start()
    await volunteers(h)
    leader = await officer(h, LEADER, Role.LEADER, "1")
    mark = h.emu.mark()
    await h.command(leader, "helpfor")
    await h.tap(leader, f"hb1|{await building_id(h, '1')}")
    await h.tap(leader, "hk1|clinic")
    await h.text(leader, "Mrs Wang, 1-203, phone 13900001111")
    h.emu.send_voice(leader)
    await h.settle()
    assert "Sent to 2 volunteers" in h.emu.last_message(LEADER).body
    await h.run_job("outbox")
    told = got(h, B, "Go with me to the clinic", mark)
    assert len(told) == 1 and "Mrs Wang" not in told[0] and "voice note" in told[0]
    assert [c for c in h.emu.calls_of("sendVoice", after=mark)] == []  # not before taking
    volunteer_b = person(h, B)
    taken = await h.tap(volunteer_b, "ht1|", chat_id=B)
    assert len(h.emu.calls_of("sendVoice", after=mark)) == 1
    assert any("Mrs Wang, 1-203, phone 13900001111" in m.body for m in h.emu.messages(B))
    del taken
    await h.run_job("outbox")
    ask = h.emu.last_message(LEADER)
    assert f"R{B} will help" in ask.body
    not_done = next(
        d for _, d in h.emu.buttons(ask) if d and d.startswith("hd1|") and d.endswith("|0")
    )
    mark = h.emu.mark()
    await h.press(leader, ask, not_done)
    await h.run_job("outbox")
    assert got(h, B, "did not happen", mark)
    assert got(h, A, "Go with me to the clinic", mark)  # open again: told again
    await h.tap(person(h, A), "ht1|", chat_id=A)
    await h.run_job("outbox")
    ask = h.emu.last_message(LEADER)
    await h.press(leader, ask, next(d for _, d in h.emu.buttons(ask) if d and d.endswith("|1")))
    assert [r[:3] for r in await ledger(h)] == [(A, 5, "help")]


async def test_points_are_never_earned_by_voting(harness: Harness) -> None:
    """A sanity check of the README's promise: the ledger has no kind for votes or ratings."""
    h = harness
    await h.start()
    rows = await h.rows("SELECT sql FROM sqlite_master WHERE name = 'points_ledger'")
    assert "'activity', 'help', 'redeem', 'correction'" in rows[0][0]
    assert to_ts(STARTS) > 0
