"""Nothing personal in a group, through the emulator: a resident's phone number, ID number and
a neighbour's unit are masked on every card and message the bot posts to a group chat, while
the assignee's and the managers' private copies show them; and the privacy walk
(``tests/privacy_walk.py``, run after every harness test) really catches what it is meant to."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from bot.rules.auth import Role
from bot.rules.tally import receipt
from bot.rules.votes import OptionDef
from handlers.votes.ballots import voter_key
from storage import outbox
from storage import votes as votes_store
from tests.conftest import Harness
from tests.privacy_walk import Walk, problems
from tests.test_flow_tickets import (
    MANAGER,
    RESIDENT,
    STAFF,
    STAFF2,
    STAFF_CHAT,
    officer,
    setup,
    verified,
)

PHONE, MASKED_PHONE = "13812345678", "138****5678"
ID_NUMBER, MASKED_ID = "11010119900307123X", "110***********123X"


async def report_home(
    h: Harness, user: dict[str, Any], kind: str, category: str, text: str
) -> None:
    await h.command(user, "report")
    unit = (await h.rows("SELECT id FROM units WHERE code = '1-302'"))[0][0]
    if kind == "repair":  # "a repair in my home": the home is the first answer
        await h.tap(user, f"te1|{unit}")
        await h.tap(user, f"tc1|{category}")
    else:
        await h.tap(user, f"tk1|{kind}")
        await h.tap(user, f"tc1|{category}")
        await h.tap(user, f"th1|{unit}")
    await h.text(user, text)
    await h.tap(user, "tn1|ok")


def versions(h: Harness, chat_id: int) -> list[str]:
    """Every version of every message the bot sent in the chat."""
    return [v.body for m in h.emu.messages(chat_id) for v in [*m.history, m]]


async def test_a_home_repair_phone_is_masked_in_the_staff_group_and_full_in_private(
    harness: Harness,
) -> None:
    await setup(harness)
    resident = await verified(harness, RESIDENT, "Ann", "1-302")
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await officer(harness, STAFF2, "Wu", Role.STAFF)
    await report_home(
        harness, resident, "repair", "leak", f"tap leaks, call me {PHONE}, ID {ID_NUMBER}"
    )
    card = harness.emu.messages(STAFF_CHAT)[0]
    assert f"call me {MASKED_PHONE}, ID {MASKED_ID}" in card.body
    assert PHONE not in card.body and ID_NUMBER not in card.body
    # the ticket keeps what the resident wrote
    assert await harness.rows("SELECT description FROM tickets") == [
        (f"tap leaks, call me {PHONE}, ID {ID_NUMBER}",)
    ]
    # assigned from the group card: the assignee's private copy shows the number in full
    await harness.press(staff, card, "ta1|1|asg")
    await harness.press(staff, harness.emu.messages(STAFF_CHAT)[0], f"tg1|1|{STAFF2}")
    private = harness.emu.last_message(STAFF2)
    assert "A ticket was assigned to you" in private.body
    assert f"call me {PHONE}, ID {ID_NUMBER}" in private.body
    assert "1-302" in private.body  # the private copy shows the unit
    # every edit of the group card stayed masked
    group = versions(harness, STAFF_CHAT)
    assert len(group) >= 2
    assert all(
        PHONE not in body and ID_NUMBER not in body and "1-302" not in body for body in group
    )
    assert all(MASKED_PHONE in body for body in group if body.startswith("工单"))


async def test_an_anonymous_complaint_naming_a_neighbour_is_masked_for_staff_full_for_managers(
    harness: Harness,
) -> None:
    await setup(harness)
    resident = await verified(harness, RESIDENT, "Ann", "1-302")
    await officer(harness, MANAGER, "Meg", Role.MANAGER)
    await harness.command(resident, "report")
    await harness.tap(resident, "tk1|complaint")
    await harness.tap(resident, "tc1|noise")
    unit = (await harness.rows("SELECT id FROM units WHERE code = '1-302'"))[0][0]
    await harness.tap(resident, f"th1|{unit}")
    await harness.text(resident, "The family in 1-402 (402室) drills at night, call 0755 1234 5678")
    await harness.tap(resident, "tn1|anon")
    await harness.tap(resident, "tn1|ok")
    assert await harness.rows("SELECT anonymous FROM tickets") == [(1,)]
    card = harness.emu.messages(STAFF_CHAT)[0].body
    assert "1-*** (***室) drills at night, call 0755 ****5678" in card
    assert "Ann" not in card
    copy = harness.emu.last_message(MANAGER).body
    assert "1-402 (402室) drills at night, call 0755 1234 5678" in copy
    assert "Ann" in copy


async def test_the_residents_answer_to_the_staff_chat_is_masked(harness: Harness) -> None:
    await setup(harness)
    resident = await verified(harness, RESIDENT, "Ann", "1-302")
    await report_home(harness, resident, "repair", "leak", "tap leaks")
    await harness.command(resident, "mytickets")
    await harness.tap(resident, "tm1|1")
    await harness.tap(resident, "ti1|1")
    await harness.text(resident, f"My new number is {PHONE}")
    pushed = harness.emu.last_message(STAFF_CHAT).body
    assert "工单 #1 有新的补充" in pushed  # the group's language: the community's
    assert f"My new number is {MASKED_PHONE}" in pushed
    assert await harness.rows("SELECT text FROM ticket_notes") == [(f"My new number is {PHONE}",)]


async def test_every_outbox_row_to_a_group_is_masked_and_private_rows_are_not(
    harness: Harness,
) -> None:
    """The one mechanism under every feature: push, broadcast and card edit to a group chat."""
    await harness.start()
    harness.emu.group(STAFF_CHAT, "物业工作群")
    harness.emu.user(RESIDENT, "Ann")
    text = f"call {PHONE}, unit 1-302, 302室"
    masked = f"call {MASKED_PHONE}, unit 1-***, ***室"
    buttons = [[{"text": f"Call {PHONE}", "callback_data": f"x|{PHONE}"}]]
    assert harness.db is not None
    async with harness.db.transaction() as conn:
        await outbox.push(conn, STAFF_CHAT, outbox.Payload(text, buttons=buttons), now=1, kind="t")
        await outbox.push(conn, RESIDENT, outbox.Payload(text), now=1, kind="t")
        batch = await outbox.create_batch(conn, "notice", "1", created_by=None, now=1)
        await outbox.enqueue(
            conn,
            batch,
            [(STAFF_CHAT - 1, outbox.Payload(text)), (RESIDENT + 1, outbox.Payload(text))],
            not_before=1,
        )
        await outbox.edit_card(conn, "ticket:9", STAFF_CHAT, outbox.Payload(text), now=1)
    rows = await harness.rows("SELECT chat_id, payload FROM outbox ORDER BY id")
    by_chat: dict[int, list[outbox.Payload]] = {}
    for chat_id, raw in rows:
        by_chat.setdefault(int(chat_id), []).append(outbox.Payload.from_json(raw))
    assert [p.text for p in by_chat[STAFF_CHAT]] == [masked, masked]
    assert by_chat[STAFF_CHAT][0].buttons == [
        [{"text": f"Call {MASKED_PHONE}", "callback_data": f"x|{PHONE}"}]  # data untouched
    ]
    assert [p.text for p in by_chat[STAFF_CHAT - 1]] == [masked]
    assert [p.text for p in by_chat[RESIDENT]] == [text]
    assert [p.text for p in by_chat[RESIDENT + 1]] == [text]
    await harness.settle()


# ---- the walk itself ------------------------------------------------------------------------


async def test_the_walk_finds_what_is_planted_in_a_group(
    harness: Harness, privacy_walk: Walk
) -> None:
    """Messages the bot posts to a group outside every flow: each kind of violation is found,
    the bot's own messages in private chats and the users' messages in the group are not."""
    await setup(harness)
    resident = await verified(harness, RESIDENT, "Ann", "1-302")
    # Ann files an anonymous complaint (ticket #1) and votes "Blue" in a poll: rows written
    # directly, the flows are others' tests; the walk reads the rows.
    assert harness.app is not None and harness.db is not None
    unit = (await harness.rows("SELECT id, building_id FROM units WHERE code = '1-302'"))[0]
    async with harness.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO tickets (kind, category, priority, state, building_id, anonymous,"
            " reporter_id, created_at, updated_at) VALUES ('complaint', 'noise', 'normal',"
            " 'new', ?, 1, ?, 1, 1)",
            (unit[1], RESIDENT),
        )
        proposal = await votes_store.create(
            conn,
            title="Paint",
            body="Which colour?",
            options=[OptionDef("a", "Blue"), OptionDef("b", "Green")],
            building_id=None,
            kind="poll",
            art278_item=None,
            basis="resident",
            quorum=None,
            duration_days=3,
            author_id=RESIDENT,
            now=1,
        )
        await votes_store.cast(
            conn,
            proposal,
            count_key=f"r{RESIDENT}",
            unit_id=unit[0],
            voter_id=RESIDENT,
            option="a",
            source="electronic",
            now=2,
        )
    nonce = (await harness.rows("SELECT nonce FROM proposals"))[0][0]
    code = receipt(proposal, voter_key(RESIDENT), nonce)
    bot = harness.app.bot
    planted = [
        "call 13900001111",
        "ID 440304198512310021",
        "unit 2-503",
        "in 702室",
        "Ann complained",  # an anonymous complaint's author
        "Ann: Blue",  # a voter next to their choice
        f"receipt {code[:5]}-{code[5:]}",
    ]
    for text in planted:
        await bot.send_message(STAFF_CHAT, text)
        privacy_walk.expect(text)
    await bot.send_message(RESIDENT, "your number 13900001111 is saved")  # private: fine
    harness.emu.send_text(resident, "my number is 13900002222", chat=STAFF_CHAT)  # a user's
    await harness.settle()
    found = problems(harness.emu, harness.db_path)
    for text in planted:
        assert any(text in line for line in found), (text, found)
    assert all(f"chat {STAFF_CHAT} " in line for line in found), found
    assert not [line for line in found if "13900002222" in line], found


def test_a_leak_fails_the_test_that_caused_it_and_only_that_one(tmp_path: Path) -> None:
    """The autouse fixture at work, in a pytest run of its own: a test whose bot posts a phone
    number to a group fails at teardown; one that expects it passes; one that expects a leak
    that never happens fails too."""
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            async def leak(harness):
                await harness.start()
                harness.emu.group(-1001, "g")
                await harness.app.bot.send_message(-1001, "call me 13812345678")

            async def test_leaks(harness):
                await leak(harness)

            async def test_leaks_on_purpose(harness, privacy_walk):
                privacy_walk.expect("13812345678")
                await leak(harness)

            async def test_expects_a_leak_that_never_happens(harness, privacy_walk):
                privacy_walk.expect("13812345678")
                await harness.start()

            async def test_clean(harness):
                await harness.start()
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    options = "-q -rA -p no:cacheprovider -p no:xdist -o asyncio_mode=auto"
    options += " -o asyncio_default_fixture_loop_scope=function"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options.split(), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = done.stdout
    assert "ERROR test_inner.py::test_leaks " in out, out
    assert "PASSED test_inner.py::test_leaks_on_purpose" in out, out
    assert "ERROR test_inner.py::test_expects_a_leak_that_never_happens" in out, out
    assert "PASSED test_inner.py::test_clean" in out, out
    assert "13812345678" in out and "expected but not found" in out, out
