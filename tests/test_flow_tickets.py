"""Tickets through the emulator: the resident's report flow (text, voice + photos, back/cancel,
wrong input), duplicates, the daily limit, anonymous complaints, /mytickets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.rules.auth import Role
from tests.conftest import Harness

STAFF_CHAT = -1001000
RESIDENT, NEIGHBOUR, STAFF, STAFF2, MANAGER = 3001, 3002, 4001, 4002, 5001


async def setup(h: Harness, staff_chat: bool = True) -> None:
    await h.start()
    if staff_chat:
        h.emu.group(STAFF_CHAT, "物业工作群")
        assert h.db is not None
        async with h.db.transaction() as conn:
            await conn.execute("UPDATE community SET staff_chat_id = ?", (STAFF_CHAT,))


async def verified(h: Harness, uid: int, name: str, unit: str, lang: str = "en") -> dict[str, Any]:
    user = h.emu.user(uid, name, lang)
    invite = (await h.rows("SELECT invite_code FROM units WHERE code = ?", (unit,)))[0][0]
    await h.command(user, "start", invite)
    await h.tap(user, "jr1|owner")
    return user


async def officer(h: Harness, uid: int, name: str, role: Role, lang: str = "en") -> dict[str, Any]:
    user = h.emu.user(uid, name, lang)
    await h.command(user, "start")
    await h.grant(uid, role)
    return user


async def building_id(h: Harness, code: str) -> int:
    return int((await h.rows("SELECT id FROM buildings WHERE code = ?", (code,)))[0][0])


def last(h: Harness, chat: int) -> str:
    return h.emu.last_message(chat).body


async def report_public(
    h: Harness, user: dict[str, Any], category: str, building: str, place: str, text: str
) -> None:
    await h.command(user, "report")
    await h.tap(user, "te1|0")  # a repair in a public area
    await h.tap(user, f"tc1|{category}")
    await h.tap(user, f"tb1|{await building_id(h, building)}")
    await h.text(user, place)
    await h.text(user, text)
    await h.tap(user, "tn1|ok")


async def test_report_public_area_with_text(harness: Harness) -> None:
    await setup(harness)
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await report_public(harness, user, "lighting", "1", "3F corridor", "The corridor light is off")
    reply = last(harness, RESIDENT)
    assert "Your report is ticket #1" in reply
    assert "respond by" in reply
    rows = await harness.rows(
        "SELECT kind, category, priority, state, unit_id, floor, place, description, reporter_id"
        " FROM tickets"
    )
    assert rows == [
        (
            "repair",
            "lighting",
            "normal",
            "new",
            None,
            3,
            "3F corridor",
            "The corridor light is off",
            RESIDENT,
        )
    ]
    card = harness.emu.last_message(STAFF_CHAT)
    assert "#1" in card.body and "3F corridor" in card.body
    assert harness.emu.find_button(card, "ta1|1|acc")
    assert harness.emu.unanswered_callbacks() == []


async def test_unverified_user_cannot_pick_home(harness: Harness) -> None:
    await setup(harness)
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await harness.command(user, "report")
    await harness.tap(user, "tk1|complaint")
    await harness.tap(user, "tc1|leak")
    msg = harness.emu.last_message(RESIDENT)
    assert "Where is it?" in msg.body
    harness.emu.press_button(user, msg, "th1|0")
    await harness.settle()
    answers = harness.emu.calls_of("answerCallbackQuery")
    assert "join your unit first" in answers[-1].params["text"]
    # still at the same step: the public area works
    await harness.tap(user, "tp1")
    assert "Which building?" in last(harness, RESIDENT)
    assert await harness.rows("SELECT COUNT(*) FROM tickets") == [(0,)]
    assert harness.emu.unanswered_callbacks() == []


async def test_report_home_with_voice_note_and_photos(harness: Harness) -> None:
    await setup(harness)
    user = await verified(harness, RESIDENT, "Ann", "1-302")
    await harness.command(user, "report")
    unit = (await harness.rows("SELECT id FROM units WHERE code = '1-302'"))[0][0]
    await harness.tap(user, f"te1|{unit}")  # a repair in my home: no "where" question
    await harness.tap(user, "tc1|leak")
    assert "describe the problem" in last(harness, RESIDENT)
    harness.emu.send_voice(user, duration=7)
    await harness.settle()
    # photos are offered on the summary, no separate step to skip
    assert "To add photos (up to 3), just send them now." in last(harness, RESIDENT)
    harness.emu.send_photo(user)
    await harness.settle()
    assert "1 photo attached." in last(harness, RESIDENT)
    harness.emu.send_photo(user)
    await harness.settle()
    summary = harness.emu.last_message(RESIDENT)
    assert "Voice note attached." in summary.body
    assert "2 photos attached." in summary.body
    assert "my home, unit 1-302" in summary.body
    await harness.tap(user, "tn1|ok")
    assert "ticket #1" in last(harness, RESIDENT)
    rows = await harness.rows(
        "SELECT kind, category, unit_id, floor, description, voice_file_id IS NOT NULL,"
        " json_array_length(photos) FROM tickets"
    )
    assert rows == [("repair", "leak", unit, 3, "", 1, 2)]
    card = harness.emu.messages(STAFF_CHAT)[0]
    assert "1-302" not in card.body  # no unit number in a group
    assert "3" in card.body
    # voice note and photos reach staff as they were sent
    kinds = [m.kind for m in harness.emu.messages(STAFF_CHAT)]
    assert kinds == ["text", "voice", "photo", "photo"]
    assert harness.emu.unanswered_callbacks() == []


async def test_a_photo_alone_starts_a_report(harness: Harness) -> None:
    await setup(harness)
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    harness.emu.send_photo(user, caption="Broken bench near gate")
    await harness.settle()
    assert "I have your photo" in last(harness, RESIDENT)
    await harness.tap(user, "tk1|suggestion")
    await harness.tap(user, "tc1|other")
    await harness.tap(user, "tp1")
    await harness.tap(user, f"tb1|{await building_id(harness, '2')}")
    await harness.text(user, "garden")
    # description came with the photo: straight on to the summary
    assert "Please check your report" in last(harness, RESIDENT)
    await harness.tap(user, "tn1|ok")
    rows = await harness.rows("SELECT kind, description, json_array_length(photos) FROM tickets")
    assert rows == [("suggestion", "Broken bench near gate", 1)]


async def test_back_and_cancel(harness: Harness) -> None:
    await setup(harness)
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await harness.command(user, "report")
    await harness.tap(user, "te1|0")
    assert "What is it about?" in last(harness, RESIDENT)
    await harness.tap(user, "tn1|back")
    assert "What would you like to report?" in last(harness, RESIDENT)
    await harness.tap(user, "tk1|complaint")
    await harness.tap(user, "tc1|noise")
    await harness.tap(user, "tp1")
    assert "Which building?" in last(harness, RESIDENT)
    await harness.tap(user, "tn1|back")
    assert "Where is it?" in last(harness, RESIDENT)
    await harness.tap(user, "tp1")
    await harness.tap(user, f"tb1|{await building_id(harness, '1')}")
    assert "Where exactly" in last(harness, RESIDENT)
    await harness.tap(user, "tn1|back")
    assert "Which building?" in last(harness, RESIDENT)
    await harness.tap(user, f"tb1|{await building_id(harness, '1')}")
    await harness.text(user, "5F")
    await harness.text(user, "Loud music every night")
    assert "Please check your report" in last(harness, RESIDENT)
    await harness.tap(user, "tn1|back")
    assert "describe the problem" in last(harness, RESIDENT)
    await harness.text(user, "Loud music after 23:00")
    assert "Loud music after 23:00" in last(harness, RESIDENT)
    await harness.tap(user, "x1|report")
    assert "Cancelled. Nothing was reported." in last(harness, RESIDENT)
    assert await harness.rows("SELECT COUNT(*) FROM tickets") == [(0,)]
    # the flow is over: text is no longer taken as a description
    await harness.text(user, "hello")
    assert "did not understand" in last(harness, RESIDENT)
    # /cancel works too, at any step
    await harness.command(user, "report")
    await harness.tap(user, "te1|0")
    await harness.command(user, "cancel")
    assert "Cancelled" in last(harness, RESIDENT)
    assert harness.emu.unanswered_callbacks() == []


async def test_wrong_input_at_each_step(harness: Harness) -> None:
    await setup(harness)
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await harness.command(user, "report")
    steps = [
        ("te1|0", "What would you like to report?"),
        ("tc1|lighting", "What is it about?"),
        (f"tb1|{await building_id(harness, '3')}", "Which building?"),
    ]
    for data, prompt in steps:
        await harness.text(user, "some text")
        msg = harness.emu.last_message(RESIDENT)
        assert "Please tap one of the buttons" in msg.body and prompt in msg.body
        harness.emu.send_sticker(user)
        await harness.settle()
        assert prompt in last(harness, RESIDENT)
        await harness.tap(user, data)
    # place: too long, then a sticker, then fine
    await harness.text(user, "x" * 1001)
    assert "That is a little long (1001 characters)" in last(harness, RESIDENT)
    harness.emu.send_sticker(user)
    await harness.settle()
    assert "Please write where it is and what is wrong" in last(harness, RESIDENT)
    await harness.text(user, "2F lobby")
    # description: too long, a document, then fine
    await harness.text(user, "y" * 1001)
    assert "That is a little long (1001 characters)" in last(harness, RESIDENT)
    harness.emu.send_document(user)
    await harness.settle()
    assert "Please describe the problem in words" in last(harness, RESIDENT)
    await harness.text(user, "Lamp flickers")
    # summary: text is not a button
    await harness.text(user, "ok")
    msg = harness.emu.last_message(RESIDENT)
    assert "Please tap one of the buttons" in msg.body and "Please check your report" in msg.body
    assert await harness.rows("SELECT COUNT(*) FROM tickets") == [(0,)]
    await harness.tap(user, "tn1|ok")
    assert await harness.rows("SELECT place, floor, description FROM tickets") == [
        ("2F lobby", 2, "Lamp flickers")
    ]


async def test_duplicate_offers_to_follow_instead(harness: Harness) -> None:
    await setup(harness)
    first = harness.emu.user(RESIDENT, "Ann", "en")
    second = harness.emu.user(NEIGHBOUR, "Bob", "en")
    for user in (first, second):
        await harness.command(user, "start")
    await report_public(harness, first, "lighting", "1", "3F corridor", "Dark")
    await harness.command(second, "report")
    await harness.tap(second, "te1|0")
    await harness.tap(second, "tc1|lighting")
    await harness.tap(second, f"tb1|{await building_id(harness, '1')}")
    await harness.text(second, "3楼走廊")
    offer = harness.emu.last_message(NEIGHBOUR)
    assert "already reported this: ticket #1" in offer.body
    await harness.tap(second, "tf1|1")
    assert "You now follow ticket #1" in last(harness, NEIGHBOUR)
    assert await harness.rows("SELECT ticket_id, user_id FROM ticket_followers") == [(1, NEIGHBOUR)]
    assert await harness.rows("SELECT COUNT(*) FROM tickets") == [(1,)]
    # another floor is another problem: no offer
    await harness.command(second, "report")
    await harness.tap(second, "te1|0")
    await harness.tap(second, "tc1|lighting")
    await harness.tap(second, f"tb1|{await building_id(harness, '1')}")
    await harness.text(second, "5F stairs")
    assert "describe the problem" in last(harness, NEIGHBOUR)
    assert harness.emu.unanswered_callbacks() == []


async def test_daily_limit(harness: Harness) -> None:
    await setup(harness)
    assert harness.db is not None
    async with harness.db.transaction() as conn:
        await conn.execute(
            "UPDATE community SET settings = json_set(settings, '$.tickets_per_day', 1)"
        )
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await report_public(harness, user, "lighting", "1", "1F", "Dark")
    await harness.command(user, "report")
    assert "which is the daily limit" in last(harness, RESIDENT)
    harness.clock.advance(timedelta(hours=25))
    await harness.command(user, "report")
    assert "What would you like to report?" in last(harness, RESIDENT)


async def test_anonymous_complaint(harness: Harness) -> None:
    await setup(harness)
    manager = await officer(harness, MANAGER, "Mia", Role.MANAGER)
    del manager
    user = await verified(harness, RESIDENT, "Ann", "2-503")
    await harness.command(user, "report")
    await harness.tap(user, "tu1")  # a complaint, without my name: offered where it starts
    await harness.tap(user, "tc1|noise")
    await harness.tap(user, "tp1")
    await harness.tap(user, f"tb1|{await building_id(harness, '2')}")
    await harness.text(user, "4F, neighbour drills at night")
    summary = harness.emu.last_message(RESIDENT)
    assert "Staff will not see your name" in summary.body
    assert "Show my name to staff" in [t for t, _ in harness.emu.buttons(summary)]
    await harness.tap(user, "tn1|ok")
    assert await harness.rows("SELECT anonymous, reporter_id FROM tickets") == [(1, RESIDENT)]
    group_card = harness.emu.messages(STAFF_CHAT)[0].body
    assert "Ann" not in group_card and "2-503" not in group_card
    assert "匿名" in group_card
    manager_card = harness.emu.last_message(MANAGER).body
    assert "Ann" in manager_card and "anonymous towards staff" in manager_card


async def test_my_tickets_history_add_information_and_withdraw(harness: Harness) -> None:
    await setup(harness)
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await report_public(harness, user, "sanitation", "3", "1F", "Rubbish bins overflow")
    await harness.command(user, "mytickets")
    listing = harness.emu.last_message(RESIDENT)
    assert "#1" in harness.emu.buttons(listing)[0][0]
    details = await harness.tap(user, "tm1|1")
    assert "State: new, waiting for staff" in details.body
    assert "reported" in details.body and "Staff will respond by" in details.body
    await harness.tap(user, "ti1|1")
    assert "Send me your information for ticket #1" in last(harness, RESIDENT)
    harness.emu.send_photo(user, caption="Now it is worse")
    await harness.settle()
    assert "passed it on" in last(harness, RESIDENT)
    assert await harness.rows(
        "SELECT text, photo_file_id IS NOT NULL FROM ticket_notes WHERE ticket_id = 1"
    ) == [("Now it is worse", 1)]
    staff_chat = harness.emu.messages(STAFF_CHAT)
    assert staff_chat[-2].body == "工单 #1 有新的补充：\nNow it is worse"  # group: its language
    assert staff_chat[-1].kind == "photo"
    await harness.command(user, "mytickets")
    await harness.tap(user, "tm1|1")
    assert "information added" in last(harness, RESIDENT)
    await harness.tap(user, "tw1|1|0")
    await harness.tap(user, "tw1|1|1")
    assert "withdrawn" in last(harness, RESIDENT)
    assert await harness.rows("SELECT state FROM tickets") == [("withdrawn",)]
    assert await harness.rows("SELECT COUNT(*) FROM sla_reminders WHERE sent_at IS NULL") == [(0,)]
    card = harness.emu.messages(STAFF_CHAT)[0]
    assert "已撤回" in card.body or "withdrawn" in card.body
    assert card.reply_markup is None or not card.reply_markup.get("inline_keyboard")
    assert harness.emu.unanswered_callbacks() == []


async def test_a_photo_for_another_waiting_flow_is_handed_over(harness: Harness) -> None:
    """A photo starts a report only when no later conversation is waiting for this user's
    message (e.g. a notice being written with a photo)."""
    from telegram import Update
    from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

    from handlers import tickets

    async def begin_other(update: Update, context: Any) -> str:
        assert update.effective_message is not None
        await update.effective_message.reply_text("send the notice photo")
        return "other:photo"

    async def take_photo(update: Update, context: Any) -> int:
        assert update.effective_message is not None
        await update.effective_message.reply_text("notice photo taken")
        return ConversationHandler.END

    await setup(harness)
    other = ConversationHandler(
        entry_points=[CommandHandler("othernotice", begin_other)],
        states={"other:photo": [MessageHandler(filters.PHOTO, take_photo)]},
        fallbacks=[],
        name="other-test",
    )
    assert harness.app is not None
    group = harness.app.handlers[0]
    group.insert(group.index(tickets._report_conversation) + 1, other)  # type: ignore[arg-type]
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start")
    await harness.command(user, "othernotice")
    harness.emu.send_photo(user)
    await harness.settle()
    assert last(harness, RESIDENT) == "notice photo taken"
    # without a waiting flow, a photo starts a report
    harness.emu.send_photo(user)
    await harness.settle()
    assert "I have your photo" in last(harness, RESIDENT)
