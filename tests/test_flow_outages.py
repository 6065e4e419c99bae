"""Outages through the emulator: staff declare one with buttons (category, building, expected
end, a few words); it goes out as an urgent notice in each resident's language; the ticket
already open about it becomes its ticket; residents starting a matching report are told at once
and follow it with one tap (a home right after the category, a public area right after the
building); one reports anyway (a ticket of the outage); an update reaches followers and
reporters; "restored" resolves its tickets together and tells everyone; each can still say
"not fixed" (a follower's becomes their own ticket, escalated once); /stats counts the outage
once with its reports. Refusals: a resident cannot declare, a stranger's "not fixed" is stale,
restoring twice does nothing."""

from __future__ import annotations

from typing import Any

from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_tickets import (
    STAFF_CHAT,
    building_id,
    last,
    officer,
    report_public,
    setup,
    verified,
)

ANN, BOB, CAT, DAN, SAM, MEG = 3001, 3002, 3003, 3004, 4001, 5001


def alert(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def declare(h: Harness, staff: dict[str, Any], hours: int = 4) -> None:
    await h.command(staff, "outage")
    await h.tap(staff, "ic1|water_power")
    b1 = await building_id(h, "1")
    shown = await h.tap(staff, f"ib1|{b1}")
    assert "✅ Building 1" in [t for t, _ in h.emu.buttons(shown)]
    await h.tap(staff, "in1|done")
    await h.tap(staff, f"ie1|{hours}")
    await h.text(staff, "Water off for a pipe repair")
    assert "Water and power outage: Building 1" in last(h, SAM)
    await h.tap(staff, "in1|send")


async def start_public(h: Harness, user: dict[str, Any], category: str = "water_power") -> None:
    await h.command(user, "report")
    await h.tap(user, "te1|0")
    await h.tap(user, f"tc1|{category}")
    await h.tap(user, f"tb1|{await building_id(h, '1')}")


async def test_an_outage_absorbs_new_reports_and_closes_them_together(harness: Harness) -> None:
    h = harness
    await setup(h)
    sam = await officer(h, SAM, "Sam", Role.STAFF)
    meg = await officer(h, MEG, "Meg", Role.MANAGER)
    ann = await verified(h, ANN, "Ann", "1-302")
    bob = await verified(h, BOB, "Bob", "1-303", lang="zh-hans")
    cat = h.emu.user(CAT, "Cat", "en")
    dan = h.emu.user(DAN, "Dan", "en")
    for user in (cat, dan):
        await h.command(user, "start")
    # Dan reported the dry taps before anyone declared anything: ticket #1
    await report_public(h, dan, "water_power", "1", "3F landing", "No water")

    await declare(h, sam)
    assert any("Outage #1 is declared" in m.body for m in h.emu.messages(SAM))
    assert await h.rows("SELECT category, buildings, state, note FROM incidents") == [
        ("water_power", f"[{await building_id(h, '1')}]", "open", "Water off for a pipe repair")
    ]
    assert await h.rows("SELECT urgent, kind FROM notices") == [(1, "notice")]
    await h.run_job("outbox")
    notice = next(m.body for m in h.emu.messages(ANN) if "Urgent notice" in m.body)
    assert "Water and power outage: Building 1. Expected back by today 14:00." in notice
    assert "Water off for a pipe repair" in notice
    assert any("水电停了：1号楼" in m.body for m in h.emu.messages(BOB))  # in her language
    assert "Your ticket #1 is part of a known outage" in last(h, DAN)
    assert await h.rows("SELECT incident_id, ticket_id FROM incident_tickets") == [(1, 1)]

    # Ann, at home: told right after the category, follows with one tap; no ticket
    await h.command(ann, "report")
    home = (await h.rows("SELECT id FROM units WHERE code = '1-302'"))[0][0]
    await h.tap(ann, f"te1|{home}")
    offer = await h.tap(ann, "tc1|water_power")
    assert "known outage" in offer.body and "Expected back by today 14:00" in offer.body
    await h.tap(ann, "tj1|1")
    assert "You now follow the outage" in last(h, ANN)
    # Bob, a public area: told right after the building, before the place is asked
    await start_public(h, bob)
    await h.tap(bob, "tj1|1")
    assert await h.rows("SELECT user_id, unit_id FROM incident_followers ORDER BY user_id") == [
        (ANN, home),
        (BOB, None),
    ]
    # Cat reports hers anyway: the place is asked then, and her ticket is the outage's
    await start_public(h, cat)
    await h.tap(cat, "tn1|anyway")
    assert "Where exactly" in last(h, CAT)
    await h.text(cat, "5F")
    await h.text(cat, "No water on 5F either")
    await h.tap(cat, "tn1|ok")
    assert await h.rows("SELECT COUNT(*) FROM tickets") == [(2,)]
    assert await h.rows("SELECT ticket_id FROM incident_tickets ORDER BY 1") == [(1,), (2,)]

    # an update: followers and reporters are told the new expected end
    await h.command(sam, "outages")
    await h.tap(sam, "io1|1")
    await h.tap(sam, "iu1|1|2")
    assert "Everyone following it is told" in last(h, SAM)
    for uid in (ANN, BOB, CAT, DAN):
        assert "today 12:00" in last(h, uid) or "今天 12:00" in last(h, uid), uid
    assert "Update on the outage you follow" in last(h, ANN)
    assert "Update on ticket #1" in last(h, DAN)

    # restored: both tickets resolved together, everyone told
    await h.tap(sam, "ir1|1|0")
    assert "2 tickets are resolved together and 2 residents" in last(h, SAM)
    await h.tap(sam, "ir1|1|1")
    assert "Outage #1 is restored: 2 tickets resolved, 2 residents told." in last(h, SAM)
    assert await h.rows("SELECT id, state FROM tickets ORDER BY id") == [
        (1, "resolved"),
        (2, "resolved"),
    ]
    assert await h.rows("SELECT state FROM incidents") == [("resolved",)]
    for uid, ticket in ((DAN, 1), (CAT, 2)):
        rating = h.emu.last_message(uid)
        assert "marked as resolved" in rating.body
        assert h.emu.find_button(rating, f"tv1|{ticket}|0")  # "not fixed", as for any ticket
    restored = h.emu.last_message(ANN)
    assert restored.body.startswith("Restored:")
    card = next(m for m in h.emu.messages(STAFF_CHAT) if "#1 " in m.body)
    assert card.reply_markup is None  # the cards are edited too

    # Cat: her own ticket's "not fixed" reopens it
    await h.press(cat, h.emu.last_message(CAT), "tv1|2|0")
    assert await h.rows("SELECT state FROM tickets WHERE id = 2") == [("reopened",)]
    # Ann: a follower's "not fixed" becomes her own ticket at home, escalated to the manager
    await h.press(ann, restored, "iy1|1")
    assert "It is now your ticket #3" in last(h, ANN)
    assert await h.rows("SELECT reporter_id, unit_id, category FROM tickets WHERE id = 3") == [
        (ANN, home, "water_power")
    ]
    assert "this resident says it is not fixed" in last(h, MEG)
    await h.press(ann, restored, "iy1|1")  # once only
    assert "already told us: it is ticket #3" in alert(h)
    assert await h.rows("SELECT COUNT(*) FROM tickets") == [(3,)]
    # restoring again does nothing
    await h.press(sam, h.emu.last_message(SAM), "ir1|1|1")
    assert "already over" in alert(h)

    # the figures: the outage once, with its reports (two followers, two tickets)
    await h.command(meg, "stats")
    await h.tap(meg, "sp1|tw|0|0")
    report = next(m for m in h.answers(MEG) if m.kind == "text")
    assert (
        "Outages declared: 1, with 4 reports (2 residents followed one instead of reporting, "
        "2 tickets)" in report.body
    )
    assert h.emu.unanswered_callbacks() == []


async def test_residents_cannot_declare_and_strangers_cannot_say_not_fixed(
    harness: Harness,
) -> None:
    h = harness
    await setup(h)
    sam = await officer(h, SAM, "Sam", Role.STAFF)
    ann = await verified(h, ANN, "Ann", "1-302")
    await h.command(ann, "outage")
    assert "not open to you" in last(h, ANN)
    await h.command(ann, "outages")
    assert "not open to you" in last(h, ANN)
    assert await h.rows("SELECT COUNT(*) FROM incidents") == [(0,)]
    await declare(h, sam)
    await h.command(sam, "outages")
    shown = await h.tap(sam, "io1|1")
    closed = await h.tap(sam, "x1|outages")  # Close: the text stays, the buttons go
    assert closed.message_id == shown.message_id and closed.reply_markup is None
    await h.command(sam, "outages")
    await h.tap(sam, "io1|1")
    await h.tap(sam, "ir1|1|0")
    await h.tap(sam, "ir1|1|1")
    # Ann never followed it: her forged "not fixed" is stale and files nothing
    h.emu.press_button(ann, h.emu.last_message(ANN), "iy1|1")
    await h.settle()
    assert "no longer valid" in alert(h)
    # a resident pressing a staff button gets the refusal
    h.emu.press_button(ann, h.emu.last_message(ANN), "iu1|1|2")
    await h.settle()
    assert "not open to you" in alert(h)
    assert await h.rows("SELECT COUNT(*) FROM tickets") == [(0,)]
    # buttons instead of text in the wizard; an empty building choice
    await h.command(sam, "outage")
    menu = h.emu.last_message(SAM)
    await h.text(sam, "water")
    assert "Please tap one of the buttons above" in last(h, SAM)
    await h.press(sam, menu, "ic1|water_power")
    await h.tap(sam, "in1|done")
    assert "at least one building" in alert(h)
    await h.tap(sam, "ib1|0")  # the whole community
    await h.tap(sam, "in1|done")
    await h.tap(sam, "ie1|0")
    h.emu.send_voice(sam)
    await h.settle()
    assert "Please write a few words, or tap the button." in last(h, SAM)
    await h.text(sam, "x" * 1200)
    assert "Please keep it under 1000" in last(h, SAM)
    await h.command(sam, "cancel")
    assert "No outage was declared" in last(h, SAM)
    assert await h.rows("SELECT COUNT(*) FROM incidents") == [(1,)]
    assert h.emu.unanswered_callbacks() == []
