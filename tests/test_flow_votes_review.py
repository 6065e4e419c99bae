"""Nobody approves their own proposal: the author's Approve is refused (with who can approve it
instead), the author gets no review request of their own, and may still withdraw it by
rejecting it; another reviewer approves it as usual."""

from __future__ import annotations

from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_votes import last_text, officer, propose

AUTHOR, OTHER = 9101, 9102


def alert(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def test_a_committee_member_cannot_approve_their_own_proposal(harness: Harness) -> None:
    h = harness
    await h.start()
    author = await officer(h, AUTHOR, "Rita", Role.COMMITTEE)
    other = await officer(h, OTHER, "Max", Role.MANAGER)
    pid = await propose(h, author, title="Plant trees", kind="poll")
    assert "Proposal #" in last_text(h, AUTHOR) and "other than you" not in last_text(h, AUTHOR)
    # the request went to the other reviewer only, with Approve
    requests = [
        m
        for m in h.emu.messages(OTHER)
        if any(d == f"vr1|{pid}|approve" for _, d in h.emu.buttons(m))
    ]
    assert len(requests) == 1
    assert not any(
        (d or "").startswith(f"vr1|{pid}|")
        for m in h.emu.messages(AUTHOR)
        for _, d in h.emu.buttons(m)
    )
    # the author's /votes lists it as waiting for another reviewer, without Approve
    await h.command(author, "votes")
    listed = h.emu.last_message(AUTHOR)
    assert "waiting for another reviewer" in (listed.text or "")
    data = [d for _, d in h.emu.buttons(listed)]
    assert f"vr1|{pid}|approve" not in data and f"vr1|{pid}|reject" in data
    before = await h.rows("SELECT state, approver_id, opens_at FROM proposals WHERE id = ?", (pid,))
    outbox_before = await h.rows("SELECT COUNT(*) FROM outbox")
    # a forged Approve by the author is refused, politely, and changes nothing
    await h.press(author, listed, f"vr1|{pid}|approve")
    assert "cannot approve your own proposal" in alert(h)
    assert "Another committee member or the property manager" in alert(h)
    assert (
        await h.rows("SELECT state, approver_id, opens_at FROM proposals WHERE id = ?", (pid,))
        == before
        == [("draft", None, None)]
    )
    assert await h.rows("SELECT COUNT(*) FROM outbox") == outbox_before
    assert await h.rows("SELECT COUNT(*) FROM vote_due WHERE proposal_id = ?", (pid,)) == [(0,)]
    # the other reviewer approves it
    await h.press(other, requests[0], f"vr1|{pid}|approve")
    assert await h.rows("SELECT state, approver_id FROM proposals WHERE id = ?", (pid,)) == [
        ("open", OTHER)
    ]
    assert h.emu.unanswered_callbacks() == []


async def test_a_lone_reviewer_is_told_who_can_and_may_withdraw(harness: Harness) -> None:
    h = harness
    await h.start()
    author = await officer(h, AUTHOR, "Max", Role.MANAGER)
    pid = await propose(h, author, title="New benches", kind="poll")
    assert "other than you" in last_text(h, AUTHOR)  # nobody else can review it yet
    await h.command(author, "votes")
    listed = h.emu.last_message(AUTHOR)
    await h.press(author, listed, f"vr1|{pid}|approve")
    assert "no other committee member or property manager" in alert(h)
    assert await h.rows("SELECT state, approver_id FROM proposals WHERE id = ?", (pid,)) == [
        ("draft", None)
    ]
    # withdrawing it (a rejection with a reason) stays the author's to do
    await h.press(author, listed, f"vr1|{pid}|reject")
    await h.text(author, "Withdrawn: the budget is spent.")
    assert await h.rows("SELECT state FROM proposals WHERE id = ?", (pid,)) == [("rejected",)]
    assert h.emu.unanswered_callbacks() == []
