"""A group upgraded to a supergroup by Telegram (a new chat id): the bot rebinds it from the
service messages, or, when it missed them, from the 400 "upgraded to a supergroup" a send gets;
the binder is told once, the staff chat follows, and nothing meant for the group is lost."""

from __future__ import annotations

from typing import Any

from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_notices import (
    MANAGER,
    building_id,
    compose_text,
    finish_now,
    got,
    officer,
    residents,
)
from tests.test_flow_tickets import RESIDENT, report_public

GROUP, STAFF_GROUP = -4001, -4002  # basic groups: no -100 prefix
NEW_GROUP, NEW_STAFF_GROUP = -1004001, -1004002


async def bind(h: Harness, manager: dict[str, Any], chat_id: int, data: str) -> None:
    await h.command(manager, "bind", chat=chat_id)
    await h.tap(manager, data, chat_id=chat_id)


async def notice_to_building_one(h: Harness, manager: dict[str, Any], text: str) -> None:
    one = await building_id(h, "1")
    await compose_text(h, manager, text)
    await h.tap(manager, "na1|pick")
    await h.tap(manager, f"nb1|{one}")
    await h.tap(manager, "nd1")
    await h.tap(manager, "ng1|1")  # the building's group chats too
    await h.tap(manager, "nn1")
    await finish_now(h, manager)


def moved_notes(h: Harness) -> list[str]:
    return [m.body for m in h.emu.messages(MANAGER) if "upgraded the group chat" in m.body]


async def test_the_service_messages_rebind_the_group_and_the_staff_chat(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    manager = await officer(harness, MANAGER, Role.MANAGER)
    harness.emu.group(GROUP, "1号楼业主群", type="group")
    harness.emu.group(STAFF_GROUP, "物业群", type="group")
    one = await building_id(harness, "1")
    await bind(harness, manager, GROUP, f"gb1|building|{one}")
    await bind(harness, manager, STAFF_GROUP, "gb1|staff")
    harness.emu.migrate_group(GROUP, manager, NEW_GROUP)
    harness.emu.migrate_group(STAFF_GROUP, manager, NEW_STAFF_GROUP)
    await harness.settle()
    await harness.run_job("outbox")
    assert await harness.rows(
        "SELECT chat_id, kind, building_id FROM group_bindings ORDER BY chat_id"
    ) == [(NEW_STAFF_GROUP, "staff", None), (NEW_GROUP, "building", one)]
    assert await harness.rows("SELECT staff_chat_id FROM community") == [(NEW_STAFF_GROUP,)]
    # two service messages per group, one note per group to the one who bound it
    notes = moved_notes(harness)
    assert len(notes) == 2 and any("“1号楼业主群”" in n for n in notes)
    assert any("“物业群”" in n for n in notes)
    # the building's notices now reach the new chat
    mark = harness.emu.mark()
    await notice_to_building_one(harness, manager, "Water off on Friday")
    await harness.run_job("outbox")
    assert got(harness, NEW_GROUP, "Water off on Friday", mark)
    assert await harness.rows("SELECT COUNT(*) FROM outbox WHERE state = 'failed'") == [(0,)]
    assert harness.emu.unanswered_callbacks() == []


async def test_a_send_refused_because_of_the_move_goes_to_the_new_chat(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    manager = await officer(harness, MANAGER, Role.MANAGER)
    harness.emu.group(GROUP, "1号楼业主群", type="group")
    one = await building_id(harness, "1")
    await bind(harness, manager, GROUP, f"gb1|building|{one}")
    # the bot never hears of the move (it was down longer than Telegram keeps updates)
    harness.emu.migrate_group(GROUP, manager, NEW_GROUP, updates=False)
    mark = harness.emu.mark()
    await notice_to_building_one(harness, manager, "Lift service on Monday")
    await harness.run_job("outbox")
    await harness.run_job("outbox")
    refused = [c for c in harness.emu.calls_of("sendMessage", after=mark) if not c.ok]
    assert refused and refused[0].params["chat_id"] == GROUP
    assert got(harness, NEW_GROUP, "Lift service on Monday", mark)
    assert got(harness, GROUP, "Lift service on Monday", mark) == []
    assert await harness.rows("SELECT COUNT(*) FROM outbox WHERE state = 'failed'") == [(0,)]
    assert await harness.rows("SELECT chat_id FROM group_bindings") == [(NEW_GROUP,)]
    assert len(moved_notes(harness)) == 1
    # the next notice goes straight to the new chat
    mark = harness.emu.mark()
    await notice_to_building_one(harness, manager, "Garden party on Sunday")
    await harness.run_job("outbox")
    assert got(harness, NEW_GROUP, "Garden party on Sunday", mark)
    assert [c for c in harness.emu.calls_of("sendMessage", after=mark) if not c.ok] == []


async def test_new_tickets_go_to_the_staff_chat_after_its_upgrade(harness: Harness) -> None:
    await harness.start()
    manager = await officer(harness, MANAGER, Role.MANAGER)
    harness.emu.group(STAFF_GROUP, "物业群", type="group")
    await bind(harness, manager, STAFF_GROUP, "gb1|staff")
    resident = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(resident, "start")
    await report_public(harness, resident, "lighting", "1", "3F corridor", "The light is off")
    await harness.run_job("outbox")
    assert "#1" in harness.emu.last_message(STAFF_GROUP).body
    harness.emu.migrate_group(STAFF_GROUP, manager, NEW_STAFF_GROUP)
    await harness.settle()
    await report_public(harness, resident, "lighting", "2", "Lobby", "The lobby light is off")
    await harness.run_job("outbox")
    assert "#2" in harness.emu.last_message(NEW_STAFF_GROUP).body
    assert await harness.rows("SELECT COUNT(*) FROM outbox WHERE state = 'failed'") == [(0,)]
    # the first card stays where it was posted: the old group keeps its messages
    assert await harness.rows("SELECT chat_id FROM outbox_cards WHERE card = 'ticket:1'") == [
        (STAFF_GROUP,)
    ]


async def test_a_post_that_failed_because_of_the_move_is_sent_again(harness: Harness) -> None:
    await harness.start()
    await residents(harness)
    manager = await officer(harness, MANAGER, Role.MANAGER)
    harness.emu.group(GROUP, "1号楼业主群", type="group")
    one = await building_id(harness, "1")
    await bind(harness, manager, GROUP, f"gb1|building|{one}")
    # as an older residentbot met it: the 400 without the new id, the row marked failed
    harness.emu.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        chat_id=GROUP,
    )
    mark = harness.emu.mark()
    await notice_to_building_one(harness, manager, "Boiler check on Tuesday")
    await harness.run_job("outbox")
    assert await harness.rows("SELECT chat_id FROM outbox WHERE state = 'failed'") == [(GROUP,)]
    # Telegram's service messages then arrive: the failed post goes to the new chat
    harness.emu.migrate_group(GROUP, manager, NEW_GROUP)
    await harness.settle()
    await harness.run_job("outbox")
    assert got(harness, NEW_GROUP, "Boiler check on Tuesday", mark)
    assert await harness.rows("SELECT COUNT(*) FROM outbox WHERE state = 'failed'") == [(0,)]
