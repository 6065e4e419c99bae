"""People who block the bot: marked on a 403 or when Telegram tells us (my_chat_member), skipped
by later broadcasts (their rows say 'blocked', nothing is sent), and welcome again the moment
they unblock the bot or write to it."""

from __future__ import annotations

import time
from typing import Any

from bot.rules.clock import to_ts
from storage import outbox
from tests.conftest import Harness

ANN, BOB = 3001, 3002


async def broadcast(h: Harness, chats: list[int], text: str) -> int:
    assert h.db is not None
    now = to_ts(h.clock())
    async with h.db.transaction() as conn:
        batch = await outbox.create_batch(conn, "notice", text, created_by=None, now=now)
        await outbox.enqueue(
            conn, batch, [(c, outbox.Payload(text=text)) for c in chats], not_before=now
        )
    await h.run_job("outbox")
    return batch


async def states(h: Harness, batch: int) -> dict[int, str]:
    return {
        chat: state
        for chat, state in await h.rows(
            "SELECT chat_id, state FROM outbox WHERE batch_id = ?", (batch,)
        )
    }


def sent_to(h: Harness, chat: int, text: str) -> int:
    return sum(
        1
        for c in h.emu.calls_of("sendMessage")
        if c.params.get("chat_id") == chat and c.params.get("text") == text
    )


async def test_a_403_marks_the_person_and_later_broadcasts_skip_them_until_they_return(
    harness: Harness,
) -> None:
    await harness.start()
    ann = harness.emu.user(ANN, "Ann", "en")
    bob = harness.emu.user(BOB, "Bob", "en")
    await harness.command(ann, "start")
    await harness.command(bob, "start")
    harness.emu.block_user(ANN)

    first = await broadcast(harness, [ANN, BOB], "water off tomorrow")
    assert await states(harness, first) == {ANN: "blocked", BOB: "sent"}
    assert (
        await harness.rows("SELECT blocked_at IS NOT NULL FROM people WHERE user_id = ?", (ANN,))
    ) == [(1,)]

    mark = harness.emu.mark()
    second = await broadcast(harness, [ANN, BOB], "lift maintenance")
    assert await states(harness, second) == {ANN: "blocked", BOB: "sent"}
    assert [
        c
        for c in harness.emu.calls[mark:]
        if c.method == "sendMessage" and c.params.get("chat_id") == ANN
    ] == []

    harness.emu.unblock_user(ANN)
    await harness.command(ann, "start")  # writing to the bot again means it is unblocked
    assert (await harness.rows("SELECT blocked_at FROM people WHERE user_id = ?", (ANN,))) == [
        (None,)
    ]
    third = await broadcast(harness, [ANN, BOB], "meeting on Friday")
    assert await states(harness, third) == {ANN: "sent", BOB: "sent"}
    assert sent_to(harness, ANN, "meeting on Friday") == 1


def member_update(h: Harness, user: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    bot = {"id": h.emu.bot_id, "is_bot": True, "first_name": "bot", "username": h.emu.bot_username}

    def member(status: str) -> dict[str, Any]:
        return {"status": status, "user": bot, **({"until_date": 0} if status == "kicked" else {})}

    return {
        "my_chat_member": {
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": user,
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }


async def test_telegram_telling_us_of_a_block_and_an_unblock(harness: Harness) -> None:
    await harness.start()
    ann = harness.emu.user(ANN, "Ann", "en")
    await harness.command(ann, "start")
    harness.emu.inject(member_update(harness, ann, "member", "kicked"))
    await harness.settle()
    assert (
        await harness.rows("SELECT blocked_at IS NOT NULL FROM people WHERE user_id = ?", (ANN,))
    ) == [(1,)]
    batch = await broadcast(harness, [ANN], "skipped")
    assert await states(harness, batch) == {ANN: "blocked"}
    assert sent_to(harness, ANN, "skipped") == 0
    harness.emu.inject(member_update(harness, ann, "kicked", "member"))
    await harness.settle()
    assert (await harness.rows("SELECT blocked_at FROM people WHERE user_id = ?", (ANN,))) == [
        (None,)
    ]
    batch = await broadcast(harness, [ANN], "delivered")
    assert await states(harness, batch) == {ANN: "sent"}


async def test_the_bot_added_to_a_group_explains_how_to_bind_it(harness: Harness) -> None:
    await harness.start()
    admin = harness.emu.user(1, "Admin", "en")
    group = harness.emu.group(-100777, "3号楼业主群")
    bot = {
        "id": harness.emu.bot_id,
        "is_bot": True,
        "first_name": "bot",
        "username": harness.emu.bot_username,
    }
    update = {
        "my_chat_member": {
            "chat": group,
            "from": admin,
            "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": bot},
            "new_chat_member": {"status": "member", "user": bot},
        }
    }
    harness.emu.inject(update)
    await harness.settle()
    text = harness.emu.last_message(-100777).text or ""
    assert "/bind" in text and "只在群里发布通知" in text
    # a promotion to admin later is not a second greeting
    harness.emu.inject(
        {
            "my_chat_member": {
                **update["my_chat_member"],
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {
                    "status": "administrator",
                    "user": bot,
                    **{
                        k: False
                        for k in (
                            "can_be_edited",
                            "is_anonymous",
                            "can_manage_chat",
                            "can_delete_messages",
                            "can_manage_video_chats",
                            "can_restrict_members",
                            "can_promote_members",
                            "can_change_info",
                            "can_invite_users",
                            "can_post_stories",
                            "can_edit_stories",
                            "can_delete_stories",
                        )
                    },
                },
            }
        }
    )
    await harness.settle()
    assert len(harness.emu.messages(-100777)) == 1
