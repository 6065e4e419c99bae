"""One delivery path: what must reach someone else is an outbox row, committed with the change
that causes it, before it is a message. The bot crashes right after such a commit (before the
sender ran), restarts, and the message arrives exactly once: a new ticket's staff card (which
is then edited in place, not posted again), a "not fixed" escalation, a join request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.delivery import Sender
from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_onboarding import LEADER, choose_unit
from tests.test_flow_tickets import (
    MANAGER,
    RESIDENT,
    STAFF,
    STAFF_CHAT,
    officer,
    report_public,
    setup,
)


class CrashAfterCommit:
    """While on, the sender is never started after a commit: as if the process died in the
    instant between the transaction's commit and the first send."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def __enter__(self) -> None:
        self.monkeypatch.setattr(Sender, "kick", lambda self: None)

    def __exit__(self, *exc: object) -> None:
        self.monkeypatch.undo()


@pytest.fixture
def crash_after_commit(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrashAfterCommit]:
    yield CrashAfterCommit(monkeypatch)


def cards(h: Harness, text: str) -> list[Any]:
    return [m for m in h.emu.messages(STAFF_CHAT) if text in m.original.body]


async def test_a_new_tickets_staff_card_survives_a_crash_and_arrives_once(
    harness: Harness, crash_after_commit: CrashAfterCommit
) -> None:
    await setup(harness)
    resident = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(resident, "start")
    with crash_after_commit:
        await report_public(harness, resident, "lighting", "1", "3F corridor", "Light is off")
        assert "Your report is ticket #1" in harness.emu.last_message(RESIDENT).body
        assert cards(harness, "#1") == []  # committed, not sent: a row, not yet a message
        assert await harness.rows(
            "SELECT chat_id, state, card FROM outbox WHERE card = 'ticket:1'"
        ) == [(STAFF_CHAT, "pending", "ticket:1")]
        await harness.crash()
    await harness.start(load_example=False)
    await harness.run_job("outbox")
    await harness.run_job("outbox")
    (card,) = cards(harness, "#1")
    assert "3F corridor" in card.body
    assert await harness.rows("SELECT card, chat_id, message_id FROM outbox_cards") == [
        ("ticket:1", STAFF_CHAT, card.message_id)
    ]
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await harness.press(staff, card, harness.emu.find_button(card, "ta1|1|acc"))
    assert cards(harness, "#1") == [card]  # the same card, edited in place
    edited = harness.emu.message(STAFF_CHAT, card.message_id).body  # the group reads Chinese
    assert "状态：物业已收到，正在处理" in edited and "处理人：Sam" in edited
    assert "accepted by the property staff" in harness.emu.last_message(RESIDENT).body


async def test_a_not_fixed_escalation_survives_a_crash_and_arrives_once(
    harness: Harness, crash_after_commit: CrashAfterCommit
) -> None:
    await setup(harness)
    resident = harness.emu.user(RESIDENT, "Ann", "en")
    await harness.command(resident, "start")
    await report_public(harness, resident, "lighting", "1", "3F corridor", "Light is off")
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await officer(harness, MANAGER, "Mia", Role.MANAGER)
    (card,) = cards(harness, "#1")
    await harness.press(staff, card, "ta1|1|res")
    rating = harness.answer(RESIDENT, "tv1|")
    before = len(harness.emu.messages(MANAGER))
    with crash_after_commit:
        await harness.press(resident, rating, "tv1|1|0")
        assert await harness.rows("SELECT state FROM tickets") == [("reopened",)]
        assert len(harness.emu.messages(MANAGER)) == before
        await harness.crash()
    await harness.start(load_example=False)
    await harness.run_job("outbox")
    await harness.run_job("outbox")
    escalations = [m for m in harness.emu.messages(MANAGER)[before:] if "not fixed" in m.body]
    assert len(escalations) == 1
    assert harness.emu.find_button(escalations[0], "ta1|1|acc")
    assert harness.emu.find_button(harness.emu.message(STAFF_CHAT, card.message_id), "ta1|1|acc")


async def test_a_join_request_survives_a_crash_and_arrives_once(
    harness: Harness, crash_after_commit: CrashAfterCommit
) -> None:
    await harness.start()
    await harness.grant(LEADER, Role.LEADER, "1")
    leader = harness.emu.user(LEADER, "Leader", "en")
    await harness.command(leader, "start")
    before = len(harness.emu.messages(LEADER))
    user = harness.emu.user(RESIDENT, "Ann", "en")
    await choose_unit(harness, user, "Building 1", 3, "1-302")
    with crash_after_commit:
        await harness.tap(user, "jr1|tenant")
        assert "building leader has been asked" in harness.emu.last_message(RESIDENT).body
        assert len(harness.emu.messages(LEADER)) == before
        await harness.crash()
    await harness.start(load_example=False)
    await harness.run_job("outbox")
    await harness.run_job("outbox")
    requests = [m for m in harness.emu.messages(LEADER)[before:] if "1-302" in m.body]
    assert len(requests) == 1
    await harness.press(leader, requests[0], harness.emu.find_button(requests[0], "jd1|"))
    assert await harness.rows("SELECT status FROM residences WHERE user_id = ?", (RESIDENT,)) == [
        ("verified",)
    ]
    assert "confirmed that you live in unit 1-302" in harness.emu.last_message(RESIDENT).body
