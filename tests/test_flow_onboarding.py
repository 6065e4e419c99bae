"""Onboarding through the emulator: greeting, the first administrator, joining a unit,
confirmation by the building leader, forged presses, restarts, /me and /forgetme, groups."""

from __future__ import annotations

from typing import Any

from bot.__main__ import prepare_admin_claim
from bot.rules.auth import Role
from tests.conftest import Harness

LEADER, RESIDENT, OTHER = 2001, 3001, 3002


def button_data(h: Harness, chat_id: int) -> list[str]:
    return [data or "" for _, data in h.emu.buttons(h.emu.last_message(chat_id))]


async def unit_id(h: Harness, code: str) -> int:
    rows = await h.rows("SELECT id FROM units WHERE code = ?", (code,))
    return int(rows[0][0])


async def residence_rows(h: Harness, user_id: int) -> list[tuple[Any, ...]]:
    return await h.rows(
        "SELECT u.code, r.relation, r.status, r.via FROM residences r JOIN units u"
        " ON u.id = r.unit_id WHERE r.user_id = ? ORDER BY r.id",
        (user_id,),
    )


async def choose_unit(
    h: Harness, user: dict[str, Any], building: str, floor: int, unit: str
) -> None:
    """/join, then tap building → floor → unit (by the buttons' visible text)."""
    await h.command(user, "join")
    for label in (building, None, unit):
        msg = h.emu.last_message(user["id"])
        if label is None:
            data = next(
                d
                for _, d in h.emu.buttons(msg)
                if d and d.startswith("jf1|") and d.endswith(f"|{floor}")
            )
        else:
            data = h.emu.find_button_by_text(msg, label)
        await h.press(user, msg, data)


async def test_start_greets_in_the_users_language(harness: Harness) -> None:
    await harness.start()
    zh = harness.emu.user(RESIDENT, "小王", "zh-hans")
    en = harness.emu.user(OTHER, "Ann", "en")
    await harness.command(zh, "start")
    await harness.command(en, "start")
    zh_msg = harness.emu.last_message(RESIDENT)
    en_msg = harness.emu.last_message(OTHER)
    assert "小王，您好！我是湾郡社区的小区助手" in (zh_msg.text or "")
    # the community's name in the reader's language, as the community file gives it
    assert "Hello Ann! I am the front desk of Wanjun Community" in (en_msg.text or "")
    hant = harness.emu.user(OTHER + 1, "阿明", "zh-hant")
    await harness.command(hant, "start")
    assert "灣郡社區" in (harness.emu.last_message(OTHER + 1).text or "")
    assert "登记我的住址" in [t for t, _ in harness.emu.buttons(zh_msg)]
    assert "Join my unit" in [t for t, _ in harness.emu.buttons(en_msg)]
    assert "You have not joined a unit yet" in (en_msg.text or "")
    assert harness.emu.unanswered_callbacks() == []


async def test_language_can_be_changed(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "language")
    msg = harness.emu.last_message(RESIDENT)
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "繁體中文"))
    assert "語言已切換" in (harness.emu.last_message(RESIDENT).text or "")
    await harness.command(user, "start")
    assert "您好" in (harness.emu.last_message(RESIDENT).text or "")
    assert await harness.rows("SELECT locale FROM people WHERE user_id = ?", (RESIDENT,)) == [
        ("zh_Hant",)
    ]


async def test_first_administrator_claims_once(harness: Harness) -> None:
    await harness.start()
    assert harness.db is not None
    code = await prepare_admin_claim(harness.db, harness.clock())
    assert code is not None and code.startswith("adm_")
    first = harness.emu.user(1, "Admin", "en")
    second = harness.emu.user(2, "Mallory", "en")
    await harness.command(first, "start", code)
    assert "You are now the administrator" in (harness.emu.messages(1)[0].text or "")
    await harness.command(second, "start", code)
    assert "not valid" in (harness.emu.messages(2)[0].text or "")
    assert await harness.rows("SELECT user_id, role FROM roles") == [(1, "admin")]
    # with an administrator, a new start prints no code
    assert await prepare_admin_claim(harness.db, harness.clock()) is None


async def test_join_by_invite_link_is_verified_at_once(harness: Harness) -> None:
    """The door code registers household members and tenants at once (an "owner" tapped there
    is only a claim: tests/test_flow_owners.py)."""
    await harness.start()
    user = harness.emu.user(RESIDENT, "小王", "zh-hans")
    invite = (await harness.rows("SELECT invite_code FROM units WHERE code = '2-503'"))[0][0]
    await harness.command(user, "start", invite)
    msg = harness.emu.last_message(RESIDENT)
    assert "房号 2-503" in (msg.text or "")
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "我和业主同住（家属）"))
    assert await residence_rows(harness, RESIDENT) == [("2-503", "family", "verified", "invite")]
    welcome = harness.emu.last_message(RESIDENT).text or ""
    assert welcome.startswith("欢迎回家！") and "您已登记在 2-503" in welcome
    assert harness.emu.unanswered_callbacks() == []


async def test_invalid_invite_link_changes_nothing(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "start", "j_doesnotexist")
    assert "This invite link is not valid" in (harness.emu.last_message(RESIDENT).text or "")
    assert await residence_rows(harness, RESIDENT) == []


async def test_join_by_choice_and_leader_approves(harness: Harness) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    leader = harness.emu.user(LEADER, "Leader", "zh-hans")
    await harness.command(leader, "start")
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await choose_unit(harness, user, "Building 1", 3, "1-302")
    msg = harness.emu.last_message(RESIDENT)
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "I rent it (tenant)"))
    assert await residence_rows(harness, RESIDENT) == [("1-302", "tenant", "pending", "request")]
    assert "building leader has been asked" in (harness.emu.last_message(RESIDENT).text or "")

    push = harness.emu.last_message(LEADER)
    assert "Ann 申请以租户身份登记到 1-302" in (push.text or "")
    approve = harness.emu.find_button_by_text(push, "同意")
    await harness.press(leader, push, approve)
    assert await residence_rows(harness, RESIDENT) == [("1-302", "tenant", "verified", "request")]
    assert "confirmed that you live in unit 1-302" in (
        harness.emu.last_message(RESIDENT).text or ""
    )
    assert "已同意" in (harness.emu.last_message(LEADER).text or "")
    # pressing the old button again is answered, and changes nothing
    await harness.press(leader, push, approve)
    answer = harness.emu.calls_of("answerCallbackQuery")[-1]
    assert "已经被同意" in answer.params.get("text", "")
    assert harness.emu.unanswered_callbacks() == []


async def test_leader_rejects(harness: Harness) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    leader = harness.emu.user(LEADER, "Leader", "en")
    await harness.command(leader, "start")
    user = harness.emu.user(RESIDENT, "小王", "zh-hans")
    await choose_unit(harness, user, "1号楼", 1, "1-101")
    msg = harness.emu.last_message(RESIDENT)
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "我是业主"))
    push = harness.emu.last_message(LEADER)
    await harness.press(leader, push, harness.emu.find_button_by_text(push, "Reject"))
    assert await residence_rows(harness, RESIDENT) == [("1-101", "owner", "rejected", "request")]
    assert "没有通过确认" in (harness.emu.last_message(RESIDENT).text or "")
    assert "Rejected" in (harness.emu.last_message(LEADER).text or "")


async def test_forged_approval_is_refused_and_changes_nothing(harness: Harness) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    await harness.grant(OTHER, Role.LEADER, "2")  # a leader, but of another building
    harness.emu.user(LEADER, "Leader", "en")
    other = harness.emu.user(OTHER, "Mallory", "en")
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await choose_unit(harness, user, "Building 1", 2, "1-201")
    msg = harness.emu.last_message(RESIDENT)
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "I am the owner"))
    rid = (await harness.rows("SELECT id FROM residences WHERE user_id = ?", (RESIDENT,)))[0][0]
    await harness.command(other, "start")
    mine = harness.emu.last_message(OTHER)
    for forged in (f"jd1|{rid}|1", f"jd1|{rid}|x", f"jd9|{rid}|1", "jd1|999999|1", "\u0000" * 3):
        await harness.press(other, mine, forged)
    # the resident themself pressing approve on their own request
    await harness.press(user, harness.emu.last_message(RESIDENT), f"jd1|{rid}|1")
    assert await residence_rows(harness, RESIDENT) == [("1-201", "owner", "pending", "request")]
    answers = [c.params.get("text", "") for c in harness.emu.calls_of("answerCallbackQuery")[-6:]]
    assert answers[0] == "Sorry, this is not open to you. Send /menu to see what you can do."
    assert all("no longer valid" in a for a in answers[1:5])
    assert answers[5] == "Sorry, this is not open to you. Send /menu to see what you can do."
    assert harness.emu.unanswered_callbacks() == []


async def test_restart_in_the_middle_of_joining_continues(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await choose_unit(harness, user, "Building 3", 4, "3-404")
    relation_msg = harness.emu.last_message(RESIDENT)
    assert "Unit 3-404" in (relation_msg.text or "")
    await harness.restart()
    await harness.press(
        user, relation_msg, harness.emu.find_button_by_text(relation_msg, "I am the owner")
    )
    assert await residence_rows(harness, RESIDENT) == [("3-404", "owner", "pending", "request")]


async def test_crash_in_the_middle_of_joining_loses_nothing(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await choose_unit(harness, user, "Building 2", 7, "2-704")
    relation_msg = harness.emu.last_message(RESIDENT)
    await harness.crash()
    await harness.start(load_example=False)
    await harness.press(
        user, relation_msg, harness.emu.find_button_by_text(relation_msg, "I rent it (tenant)")
    )
    assert await residence_rows(harness, RESIDENT) == [("2-704", "tenant", "pending", "request")]


async def test_text_during_the_flow_gets_a_hint(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "join")
    await harness.text(user, "I live in building one")
    assert "Please tap one of the buttons above" in (harness.emu.last_message(RESIDENT).text or "")
    await harness.text(user, "x" * 4000)
    assert "Please tap one of the buttons above" in (harness.emu.last_message(RESIDENT).text or "")
    msg = harness.emu.messages(RESIDENT)[0]
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "Cancel"))
    assert await residence_rows(harness, RESIDENT) == []


async def test_me_and_forgetme(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en", username="ann")
    invite = (await harness.rows("SELECT invite_code FROM units WHERE code = '1-101'"))[0][0]
    await harness.command(user, "start", invite)
    await harness.tap(user, "jr1|tenant")
    await harness.command(user, "me")
    text = harness.emu.last_message(RESIDENT).text or ""
    assert f"Telegram id: {RESIDENT}" in text and "Unit 1-101: tenant, confirmed" in text
    assert "Username: @ann" in text
    await harness.command(user, "forgetme")
    msg = harness.emu.last_message(RESIDENT)
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "No, keep it"))
    assert await harness.rows("SELECT COUNT(*) FROM people WHERE user_id = ?", (RESIDENT,)) == [
        (1,)
    ]
    await harness.command(user, "forgetme")
    msg = harness.emu.last_message(RESIDENT)
    await harness.press(user, msg, harness.emu.find_button_by_text(msg, "Yes, delete my data"))
    assert "deleted your data" in (harness.emu.last_message(RESIDENT).text or "")
    assert await harness.rows("SELECT COUNT(*) FROM people WHERE user_id = ?", (RESIDENT,)) == [
        (0,)
    ]
    assert await residence_rows(harness, RESIDENT) == []
    assert (
        await harness.rows(  # nothing of theirs in the conversation store either
            "SELECT kind, key FROM ptb_data WHERE key = ? OR key LIKE ?",
            (str(RESIDENT), f"%{RESIDENT}%"),
        )
        == []
    )
    await harness.command(user, "me")
    assert "I do not store anything about you" in (harness.emu.last_message(RESIDENT).text or "")


async def test_private_command_in_a_group_links_to_private_chat(harness: Harness) -> None:
    await harness.start()
    group = harness.emu.group(-100500, "1号楼业主群")
    user = harness.emu.user(RESIDENT, "Ann", "en")
    for command in ("me", "join", "start"):
        mark = harness.emu.mark()
        await harness.command(user, command, chat=group)
        sent = [c for c in harness.emu.calls[mark:] if c.method == "sendMessage"]
        assert len(sent) == 1 and sent[0].params["chat_id"] == -100500
        reply = harness.emu.last_message(-100500)
        assert "private chat" in (reply.text or "")
        url = harness.emu.buttons(reply)[0][1]
        assert url == f"https://t.me/{harness.emu.bot_username}?start=menu"
        assert str(RESIDENT) not in (reply.text or "")
    assert await harness.rows("SELECT COUNT(*) FROM people") == [(0,)]


async def test_unknown_command_and_stray_messages(harness: Harness) -> None:
    await harness.start()
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "frobnicate")
    assert "I do not know the command /frobnicate" in (
        harness.emu.last_message(RESIDENT).text or ""
    )
    await harness.text(user, "hello?")
    assert "I did not understand that" in (harness.emu.last_message(RESIDENT).text or "")
    harness.emu.send_sticker(user)
    await harness.settle()
    assert "I did not understand that" in (harness.emu.last_message(RESIDENT).text or "")
    # a random group chat message or another bot's command is ignored
    group = harness.emu.group(-100600)
    mark = harness.emu.mark()
    await harness.command(user, "otherbotcommand", chat=group)
    await harness.text(user, "hi all", chat=group)
    assert [c for c in harness.emu.calls[mark:] if c.method == "sendMessage"] == []


async def test_a_crash_in_a_handler_is_apologised_for(harness: Harness) -> None:
    from telegram.ext import CommandHandler

    from bot.app import FEATURES
    from bot.feature import Feature

    async def broken(update: object, context: object) -> None:
        raise RuntimeError("a bug")

    faulty = Feature("faulty", handlers=lambda: [CommandHandler("broken", broken)])
    await harness.start(features=[faulty, *FEATURES])
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(user, "broken")
    assert "Sorry, something went wrong on my side" in (
        harness.emu.last_message(RESIDENT).text or ""
    )
    # the bot carries on
    await harness.command(user, "start")
    assert "Hello Ann" in (harness.emu.last_message(RESIDENT).text or "")


async def test_admin_grants_and_revokes_roles_in_the_bot(harness: Harness) -> None:
    await harness.start()
    await harness.grant(1, Role.ADMIN)
    admin = harness.emu.user(1, "Admin", "en")
    leader = harness.emu.user(LEADER, "小李", "zh-hans")
    await harness.command(leader, "start")
    await harness.command(admin, "grant", f"{LEADER} leader 2 3")
    assert "Granted: building leader 2, 3" in (harness.emu.last_message(1).text or "")
    assert "您获得了新角色：楼栋长 2, 3" in (harness.emu.last_message(LEADER).text or "")
    assert await harness.rows(
        "SELECT b.code FROM roles r JOIN buildings b ON b.id = r.building_id WHERE r.user_id = ? ORDER BY 1",
        (LEADER,),
    ) == [("2",), ("3",)]
    await harness.command(admin, "roles")
    assert f"{LEADER} 小李 — building leader (2)" in (harness.emu.last_message(1).text or "")
    await harness.command(admin, "revoke", f"{LEADER} leader 3")
    assert await harness.rows("SELECT COUNT(*) FROM roles WHERE user_id = ?", (LEADER,)) == [(1,)]
    # bad input changes nothing
    for args in ("", "abc staff", f"{LEADER} king", f"{LEADER} leader", f"{LEADER} leader 9"):
        await harness.command(admin, "grant", args)
    assert await harness.rows("SELECT COUNT(*) FROM roles WHERE user_id = ?", (LEADER,)) == [(1,)]
    assert "no building with the code 9" in (harness.emu.last_message(1).text or "")
    # someone without the right
    await harness.command(leader, "grant", f"{LEADER} admin")
    assert "这一项您暂时用不了" in (harness.emu.last_message(LEADER).text or "")
    assert await harness.rows("SELECT COUNT(*) FROM roles WHERE role = 'admin'") == [(1,)]


async def test_officers_see_their_roles_instead_of_the_join_reminder(harness: Harness) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    await harness.grant(LEADER, Role.STAFF)
    officer = harness.emu.user(LEADER, "小李", "zh-hans")
    await harness.command(officer, "start")
    text = harness.emu.last_message(LEADER).text or ""
    assert "您的角色：" in text and "楼栋长" in text and "物业管家" in text
    assert "您还没有登记住址" not in text


async def test_help_and_the_command_menu_list_what_each_person_may_use(harness: Harness) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    resident = harness.emu.user(RESIDENT, "Ann", "en")
    leader = harness.emu.user(LEADER, "Lee", "en")
    await harness.command(resident, "help")
    mine = harness.emu.last_message(RESIDENT).text or ""
    await harness.command(leader, "help")
    theirs = harness.emu.last_message(LEADER).text or ""
    for officer_only in (
        "/notice ",
        "/blackout",
        "/grant",
        "/meeting ",
        "/bind",
        "/queue",
        "/paper",
    ):
        assert officer_only not in mine
    assert "/report" in mine and "/book " in mine and "/votes" in mine
    assert "/notice " in theirs and "/blackout" not in theirs
    menu = [c.params["commands"] for c in harness.emu.calls_of("setMyCommands")]
    assert menu and all(
        not {"notice", "blackout", "grant", "bind", "queue", "paper"} & {c["command"] for c in cmds}
        for cmds in menu
    )


async def test_other_leaders_copies_say_who_answered(harness: Harness) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    await harness.grant(OTHER, Role.LEADER, "1")
    first = harness.emu.user(LEADER, "Lee", "en")
    second = harness.emu.user(OTHER, "小周", "zh-hans")
    await harness.command(first, "start")
    await harness.command(second, "start")
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await choose_unit(harness, user, "Building 1", 5, "1-502")
    await harness.tap(user, "jr1|owner")
    mine, theirs = harness.emu.last_message(LEADER), harness.emu.last_message(OTHER)
    assert harness.emu.buttons(theirs)  # both got approve / reject
    await harness.press(first, mine, harness.emu.find_button_by_text(mine, "Approve"))
    updated = harness.emu.message(OTHER, theirs.message_id)
    assert updated.text == "1-502：已由 Lee 同意。"
    assert harness.emu.buttons(updated) == []
    assert "Approved" in (harness.emu.message(LEADER, mine.message_id).text or "")
