"""An approved proposal that has not opened is withdrawn by its author (or a reviewer) from the
"Coming up" card of /votes, with a reason: it never opens, and whoever was told about it is
told why (outbox rows); others cannot withdraw it, and an open one cannot be withdrawn."""

from __future__ import annotations

from datetime import timedelta

from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_votes import (
    OWNER_A,
    OWNER_B,
    REVIEWER,
    approve,
    last_text,
    officer,
    propose,
    resident,
    snapshot,
    tomorrow_at_8,
)


def alert(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def test_the_author_withdraws_an_approved_proposal_before_it_opens(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    neighbour = await resident(h, OWNER_A, "小王", "zh-hans", "1-101")
    author = await resident(h, OWNER_B, "Bob", "en", "1-102")
    opens = tomorrow_at_8(h)
    pid = await propose(h, author, title="Paint the hall", opens=opens)
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    assert await h.rows("SELECT state FROM proposals") == [("approved",)]
    # a neighbour sees it coming up, without Withdraw; a forged press changes nothing
    await h.command(neighbour, "votes")
    seen = h.emu.last_message(OWNER_A)
    assert f"vy1|{pid}" not in [d for _, d in h.emu.buttons(seen)]
    before = await snapshot(h)
    await h.press(neighbour, seen, f"vy1|{pid}")
    assert "暂时用不了" in alert(h) or "not open to you" in alert(h)
    assert await snapshot(h) == before
    # the author withdraws it from /votes
    await h.command(author, "votes")
    card = h.emu.last_message(OWNER_B)
    assert "Coming up" in (card.text or "")
    await h.press(author, card, f"vy1|{pid}")
    assert "please send the reason" in last_text(h, OWNER_B)
    assert await h.rows("SELECT state FROM proposals") == [("approved",)]  # not yet
    await h.text(author, "The painters cannot come this month.")
    assert "is withdrawn; it will not open" in last_text(h, OWNER_B)
    assert await h.rows("SELECT state, comment, withdrawn_by FROM proposals") == [
        ("rejected", "The painters cannot come this month.", OWNER_B)
    ]
    assert await h.rows("SELECT COUNT(*) FROM vote_due WHERE sent_at IS NULL") == [(0,)]
    await h.run_job("outbox")
    told = last_text(h, REVIEWER)  # the approver saw it: told why
    assert f'Proposal #{pid} "Paint the hall" was withdrawn before voting opened' in told
    assert "The painters cannot come this month." in told
    # the opening time comes: nothing opens, nobody gets a ballot
    neighbour_had = len(h.emu.messages(OWNER_A))
    h.clock.advance(timedelta(days=2))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    assert await h.rows("SELECT state FROM proposals") == [("rejected",)]
    assert len(h.emu.messages(OWNER_A)) == neighbour_had
    # a second press on the old card: it can no longer be withdrawn
    await h.press(author, card, f"vy1|{pid}")
    assert "can no longer be withdrawn" in alert(h)
    assert h.emu.unanswered_callbacks() == []


async def test_a_reviewer_may_withdraw_but_not_an_open_proposal(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = await resident(h, OWNER_B, "Bob", "en", "1-102")
    pid = await propose(h, author, title="Open now")
    await approve(h, reviewer, pid)
    assert await h.rows("SELECT state FROM proposals") == [("open",)]
    await h.command(reviewer, "votes")
    before = await snapshot(h)
    await h.press(reviewer, h.emu.last_message(REVIEWER), f"vy1|{pid}")
    assert "can no longer be withdrawn" in alert(h)
    assert await snapshot(h) == before
    later = await propose(h, author, title="Later", opens=tomorrow_at_8(h))
    await approve(h, reviewer, later)
    await h.command(reviewer, "votes")
    card = next(m for m in h.emu.messages(REVIEWER) if "Later" in (m.text or ""))
    await h.press(reviewer, card, f"vy1|{later}")
    await h.text(reviewer, "Duplicate of the first one.")
    assert await h.rows("SELECT state, withdrawn_by FROM proposals WHERE id = ?", (later,)) == [
        ("rejected", REVIEWER)
    ]
    await h.run_job("outbox")
    assert "Duplicate of the first one." in last_text(h, OWNER_B)  # the author is told


async def test_changing_ones_mind_while_asked_for_the_reason_keeps_it_coming_up(
    harness: Harness,
) -> None:
    """Cancel at the reason step (``handlers.kit.wizard.cancelled``): nothing changes, the
    person is told so in their language, and a later text is not taken as a reason."""
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = await resident(h, OWNER_B, "Bob", "en", "1-102")
    pid = await propose(h, author, title="Paint the hall", opens=tomorrow_at_8(h))
    await approve(h, reviewer, pid)
    await h.command(author, "votes")
    await h.press(author, h.emu.last_message(OWNER_B), f"vy1|{pid}")
    assert "please send the reason" in last_text(h, OWNER_B)
    await h.tap(author, "x1|withdraw")
    assert last_text(h, OWNER_B) == "Cancelled. The proposal will open as planned."
    await h.text(author, "The painters cannot come this month.")
    assert await h.rows("SELECT state, withdrawn_by FROM proposals") == [("approved", None)]
    assert h.emu.unanswered_callbacks() == []
