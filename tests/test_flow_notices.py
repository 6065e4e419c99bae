"""Notices through the emulator: a leader's building notice, refusals, a photo, a scheduled
notice and its cancellation, a bound group with a pinned notice, mute and urgent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.rules.auth import Role
from tests.conftest import Harness

LEADER, STAFF, MANAGER = 2101, 2102, 2103
A, A2, B, C = 3101, 3102, 3103, 3104  # A, A2 in 1-101; B in 1-102; C in 2-101
GROUP, STAFF_GROUP = -1001000000101, -1001000000102


async def resident(h: Harness, uid: int, unit: str, lang: str = "zh-hans") -> dict[str, Any]:
    user = h.emu.user(uid, f"R{uid}", lang)
    invite = (await h.rows("SELECT invite_code FROM units WHERE code = ?", (unit,)))[0][0]
    await h.command(user, "start", invite)
    await h.tap(user, "jr1|owner")
    return user


async def officer(h: Harness, uid: int, role: Role, building: str | None = None) -> Any:
    user = h.emu.user(uid, f"O{uid}", "en")
    await h.command(user, "start")
    await h.grant(uid, role, building)
    return user


async def building_id(h: Harness, code: str) -> int:
    return int((await h.rows("SELECT id FROM buildings WHERE code = ?", (code,)))[0][0])


async def residents(h: Harness) -> None:
    await resident(h, A, "1-101")
    await resident(h, A2, "1-101", "en")
    await resident(h, B, "1-102")
    await resident(h, C, "2-101")


def got(h: Harness, chat_id: int, text: str, after: int = 0) -> list[str]:
    """Bodies of the bot's messages in a chat (since a mark) that contain ``text``."""
    found = []
    for call in h.emu.calls[after:]:
        for message in call.sent:
            if message.chat_id == chat_id and text in message.body:
                found.append(message.body)
    return found


async def compose_text(h: Harness, user: Any, text: str) -> None:
    await h.command(user, "notice")
    await h.text(user, text)
    await h.tap(user, "nk1")  # no attachment


async def finish_now(h: Harness, user: Any) -> None:
    await h.tap(user, "nw1|now")
    await h.tap(user, "ns1")


async def test_a_leader_notifies_their_building_and_only_its_households_get_it(
    harness: Harness,
) -> None:
    await harness.start()
    await residents(harness)
    await resident(harness, A, "1-103")  # A lives in two units of the building: gets it once
    leader = await officer(harness, LEADER, Role.LEADER, "1")
    await compose_text(harness, leader, "Water is cut tomorrow 9-12.")
    menu = harness.emu.last_message(LEADER)
    assert "My buildings (Building 1)" in [t for t, _ in harness.emu.buttons(menu)]
    assert not [d for _, d in harness.emu.buttons(menu) if d == "na1|all"]  # not for a leader
    await harness.tap(leader, "na1|mine")
    when = harness.emu.last_message(LEADER)
    assert "When should it go out?" in (when.text or "")
    await harness.tap(leader, "nw1|now")
    preview = harness.emu.last_message(LEADER)
    assert "Water is cut tomorrow 9-12." in (preview.text or "")
    assert "3 residents" in (preview.text or "")  # A, A2 (same household) and B
    await harness.tap(leader, "ns1")
    assert "is on its way" in (harness.emu.last_message(LEADER).text or "")
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    assert len(got(harness, A, "📢 通知\n\nWater is cut tomorrow 9-12.", mark)) == 1
    assert got(harness, A2, "📢 Notice\n\nWater is cut tomorrow 9-12.", mark)  # A2 reads English
    assert got(harness, B, "Water is cut", mark)
    assert got(harness, C, "Water is cut", mark) == []  # building 2
    report = harness.emu.last_message(LEADER).text or ""
    assert "Delivery report: Water is cut tomorrow 9-12." in report and "3 delivered" in report
    assert await harness.rows("SELECT chat_id, state FROM outbox ORDER BY chat_id") == [
        (A, "sent"),
        (A2, "sent"),
        (B, "sent"),
    ]
    await harness.command(leader, "notices")
    listing = harness.emu.last_message(LEADER).text or ""
    assert "Water is cut" in listing and "delivered 3, blocked 0, failed 0" in listing
    assert harness.emu.unanswered_callbacks() == []


async def test_a_leader_trying_another_building_is_refused(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    leader = await officer(harness, LEADER, Role.LEADER, "1")
    await compose_text(harness, leader, "Lift maintenance")
    await harness.tap(leader, "na1|pick")
    picker = harness.emu.last_message(LEADER)
    own, other = await building_id(harness, "1"), await building_id(harness, "2")
    assert [d for _, d in harness.emu.buttons(picker) if d and d.startswith("nb1|")] == [
        f"nb1|{own}"
    ]
    forged = harness.emu.press_button(leader, picker, f"nb1|{other}")
    await harness.settle()
    refusal = harness.emu.callback_answer(forged) or {}
    assert refusal.get("show_alert") and "buildings you lead" in refusal.get("text", "")
    forged_all = harness.emu.press_button(leader, picker, "na1|all")
    await harness.settle()
    assert (harness.emu.callback_answer(forged_all) or {}).get("show_alert")
    await harness.press(leader, picker, "nd1")  # nothing chosen: refused too
    assert await harness.rows("SELECT COUNT(*) FROM notices") == [(0,)]
    assert await harness.rows("SELECT COUNT(*) FROM outbox") == [(0,)]
    resident_user = harness.emu.user(C, "R", "en")
    await harness.command(resident_user, "notice")
    assert "Only building leaders" in (harness.emu.last_message(C).text or "")
    assert harness.emu.unanswered_callbacks() == []


async def test_a_notice_with_a_photo(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    staff = await officer(harness, STAFF, Role.STAFF)
    await harness.command(staff, "notice")
    harness.emu.send_photo(staff, caption="The new parking rules")
    await harness.settle()
    await harness.tap(staff, "na1|all")
    options = harness.emu.last_message(STAFF)
    assert "Urgent" in " ".join(t for t, _ in harness.emu.buttons(options))
    await harness.tap(staff, "nn1")
    mark = harness.emu.mark()
    await harness.tap(staff, "nw1|now")
    previews = harness.emu.calls_of("sendPhoto", after=mark)
    assert [c.chat_id for c in previews] == [STAFF]
    assert "4 residents" in (harness.emu.last_message(STAFF).text or "")
    await harness.tap(staff, "ns1")
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    photos = harness.emu.calls_of("sendPhoto", after=mark)
    assert sorted(c.chat_id for c in photos) == [A, A2, B, C]  # type: ignore[type-var]
    assert all("The new parking rules" in str(c.params.get("caption")) for c in photos)
    assert all(c.params.get("photo") == previews[0].params.get("photo") for c in photos)
    assert harness.emu.unanswered_callbacks() == []


async def test_a_scheduled_notice_goes_at_its_time_and_one_can_be_cancelled(
    harness: Harness,
) -> None:
    await harness.start()
    await residents(harness)
    staff = await officer(harness, STAFF, Role.STAFF)
    await compose_text(harness, staff, "Fire drill at 10:00")
    await harness.tap(staff, "na1|all")
    await harness.tap(staff, "nn1")
    await harness.tap(staff, "nw1|m09")  # tomorrow 09:00
    assert "Goes out at" in (harness.emu.last_message(STAFF).text or "")
    await harness.tap(staff, "ns1")
    assert "is scheduled for" in (harness.emu.last_message(STAFF).text or "")
    await compose_text(harness, staff, "Elevator check in one hour")
    await harness.tap(staff, "na1|all")
    await harness.tap(staff, "nn1")
    await harness.tap(staff, "nw1|1h")
    await harness.tap(staff, "ns1")
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    assert harness.emu.calls_of("sendMessage", after=mark) == []  # neither is due yet
    await harness.command(staff, "notices")
    listing = harness.emu.last_message(STAFF)
    assert "scheduled for" in (listing.text or "")
    first = (await harness.rows("SELECT id FROM notices WHERE text LIKE 'Fire%'"))[0][0]
    await harness.press(staff, listing, f"nx1|{first}")
    assert "is cancelled" in (harness.emu.last_message(STAFF).text or "")
    harness.clock.advance(timedelta(hours=1, minutes=1))
    await harness.run_job("outbox")
    assert got(harness, A, "Elevator check", mark)
    harness.clock.advance(timedelta(days=1))
    await harness.run_job("outbox")
    assert got(harness, A, "Fire drill", mark) == []
    assert await harness.rows(
        "SELECT DISTINCT o.state FROM outbox o JOIN notices n ON n.batch_id = o.batch_id"
        " WHERE n.id = ?",
        (first,),
    ) == [("cancelled",)]
    # a notice that went out can no longer be cancelled
    second = (await harness.rows("SELECT id FROM notices WHERE text LIKE 'Elevator%'"))[0][0]
    late = harness.emu.press_button(staff, listing, f"nx1|{second}")
    await harness.settle()
    assert "cannot be cancelled" in ((harness.emu.callback_answer(late) or {}).get("text", ""))
    assert harness.emu.unanswered_callbacks() == []


async def test_a_group_binding_and_a_notice_pinned_there(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    manager = await officer(harness, MANAGER, Role.MANAGER)
    group = harness.emu.group(GROUP, "1号楼业主群")
    staff_group = harness.emu.group(STAFF_GROUP, "物业群")
    stranger = harness.emu.user(C, "R", "zh-hans")
    await harness.command(stranger, "bind", chat=group)
    assert "只有管理员或物业经理" in (harness.emu.last_message(GROUP).text or "")
    await harness.command(manager, "bind", chat=group)
    menu = harness.emu.last_message(GROUP)
    one = await building_id(harness, "1")
    forged = harness.emu.press_button(stranger, menu, f"gb1|building|{one}")
    await harness.settle()
    assert (harness.emu.callback_answer(forged) or {}).get("show_alert")
    assert await harness.rows("SELECT COUNT(*) FROM group_bindings") == [(0,)]
    await harness.press(manager, menu, f"gb1|building|{one}")
    assert "1号楼" in (harness.emu.last_message(GROUP).text or "")
    await harness.command(manager, "bind", chat=staff_group)
    await harness.tap(manager, "gb1|staff", chat_id=STAFF_GROUP)
    assert await harness.rows(
        "SELECT chat_id, kind, building_id FROM group_bindings ORDER BY chat_id"
    ) == [(STAFF_GROUP, "staff", None), (GROUP, "building", one)]
    assert await harness.rows("SELECT staff_chat_id FROM community") == [(STAFF_GROUP,)]

    await compose_text(harness, manager, "Building 1 meeting tonight")
    await harness.tap(manager, "na1|pick")
    await harness.tap(manager, f"nb1|{one}")
    await harness.tap(manager, "nd1")
    await harness.tap(manager, "ng1|1")
    await harness.tap(manager, "no1|pin")
    assert "Pin in the group chats: yes" in [
        t for t, _ in harness.emu.buttons(harness.emu.last_message(MANAGER))
    ]
    await harness.tap(manager, "nn1")
    await finish_now(harness, manager)
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    posted = got(harness, GROUP, "Building 1 meeting tonight", mark)
    assert posted and posted[0].startswith("📢 通知")  # the community's language
    pinned = harness.emu.pinned(GROUP)
    assert len(pinned) == 1 and harness.emu.message(GROUP, pinned[0]).body == posted[0]
    assert got(harness, STAFF_GROUP, "Building 1", mark) == []
    assert got(harness, A, "Building 1 meeting tonight", mark)
    await harness.command(manager, "unbind", chat=staff_group)
    assert await harness.rows("SELECT staff_chat_id FROM community") == [(None,)]
    assert harness.emu.unanswered_callbacks() == []


async def test_mute_is_respected_and_urgent_notices_still_go(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    muted = harness.emu.user(A, "R", "zh-hans")
    await harness.command(muted, "mute")
    assert "紧急" in (harness.emu.last_message(A).text or "")
    staff = await officer(harness, STAFF, Role.STAFF)
    await compose_text(harness, staff, "Garden party on Sunday")
    await harness.tap(staff, "na1|all")
    await harness.tap(staff, "nn1")
    await finish_now(harness, staff)
    await compose_text(harness, staff, "Gas leak: do not use fire")
    await harness.tap(staff, "na1|all")
    await harness.tap(staff, "no1|urgent")
    await harness.tap(staff, "nn1")
    await finish_now(harness, staff)
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    assert got(harness, A, "Garden party", mark) == []
    assert got(harness, B, "Garden party", mark)
    assert got(harness, A, "⚠️ 紧急通知\n\nGas leak", mark)
    assert got(harness, B, "Gas leak", mark)
    await harness.command(muted, "me")
    assert "已关闭普通通知: 1" in (harness.emu.last_message(A).text or "")
    await harness.command(muted, "unmute")
    await compose_text(harness, staff, "Garden party moved to Monday")
    await harness.tap(staff, "na1|all")
    await harness.tap(staff, "nn1")
    await finish_now(harness, staff)
    await harness.run_job("outbox")
    assert got(harness, A, "Garden party moved", mark)
    assert harness.emu.unanswered_callbacks() == []


async def test_a_notice_being_written_survives_a_restart(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    leader = await officer(harness, LEADER, Role.LEADER, "1")
    await harness.command(leader, "notice")
    await harness.text(leader, "Stairwell painting on Friday")
    await harness.restart()
    await harness.tap(leader, "nk1")
    await harness.tap(leader, "na1|mine")
    await finish_now(harness, leader)
    mark = harness.emu.mark()
    await harness.run_job("outbox")
    assert got(harness, B, "Stairwell painting on Friday", mark)
    harness.emu.send_voice(leader)  # outside the flow: a polite answer, nothing sent
    await harness.settle()
    assert await harness.rows("SELECT COUNT(*) FROM notices") == [(1,)]
    assert harness.emu.unanswered_callbacks() == []
