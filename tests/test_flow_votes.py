"""Proposals and votes through the emulator: draft → approve → announce → vote → change →
reminder → close → published result; refusals, forged presses, receipts, restarts."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from bot.rules.auth import Role
from bot.rules.clock import from_ts, to_ts
from bot.services import votes as votes_service
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_owners import owner_letter

REVIEWER, MANAGER, LEADER = 9001, 9002, 9003
OWNER_A, OWNER_B, TENANT, OWNER_C, FAMILY_A, DAN = 3001, 3002, 3003, 3004, 3005, 3006


async def resident(
    h: Harness, uid: int, name: str, lang: str, unit: str, relation: str = "owner"
) -> dict[str, Any]:
    """A verified resident of ``unit``: an owner through their owner letter, family and tenants
    through the unit's invite link (the door code)."""
    user = h.emu.user(uid, name, lang)
    if relation == "owner":
        await h.command(user, "start", await owner_letter(h, unit))
        return user
    invite = (await h.rows("SELECT invite_code FROM units WHERE code = ?", (unit,)))[0][0]
    await h.command(user, "start", invite)
    await h.tap(user, f"jr1|{relation}")
    return user


async def officer(h: Harness, uid: int, name: str, role: Role, building: str | None = None) -> Any:
    await h.grant(uid, role, building)
    user = h.emu.user(uid, name, "en")
    await h.command(user, "start")
    return user


async def building_id(h: Harness, code: str) -> int:
    return int((await h.rows("SELECT id FROM buildings WHERE code = ?", (code,)))[0][0])


async def unit_id(h: Harness, code: str) -> int:
    return int((await h.rows("SELECT id FROM units WHERE code = ?", (code,)))[0][0])


def last_text(h: Harness, chat_id: int) -> str:
    return h.emu.last_message(chat_id).text or ""


def texts(h: Harness, chat_id: int) -> list[str]:
    return [m.text or "" for m in h.emu.messages(chat_id)]


async def propose(
    h: Harness,
    author: dict[str, Any],
    *,
    title: str = "Repair the lift",
    building: str | None = "1",
    kind: str = "decision",
    item: int = 4,
    days: int = 7,
    quorum: str = "0|1",
    opens: int = 0,
) -> int:
    """Draft and submit a proposal through /propose; returns its id. ``opens``: 0 opens on
    approval, otherwise the unix time of one of the offered openings."""
    await h.command(author, "propose")
    await h.text(author, title)
    await h.text(author, "The lift of building 1 stops between floors. Quote: 30,000 yuan.")
    target = await building_id(h, building) if building else 0
    await h.tap(author, f"va1|{target}")
    await h.tap(author, f"vk1|{kind}")
    if kind == "decision":
        await h.tap(author, f"vi1|{item}")
    else:
        await h.tap(author, "vb1|household")
        await h.tap(author, "vo1|0")
        await h.tap(author, f"vq1|{quorum}")
    await h.tap(author, f"vw1|{opens}")
    await h.tap(author, f"vd1|{days}")
    await h.tap(author, "vs1")
    rows = await h.rows(
        "SELECT id, state FROM proposals WHERE title = ? ORDER BY id DESC", (title,)
    )
    assert rows and rows[0][1] == "draft"
    return int(rows[0][0])


async def approve(h: Harness, reviewer: dict[str, Any], pid: int) -> None:
    push = next(
        m
        for m in reversed(h.emu.messages(reviewer["id"]))
        if any(d == f"vr1|{pid}|approve" for _, d in h.emu.buttons(m))
    )
    await h.press(reviewer, push, f"vr1|{pid}|approve")


def ballot_message(h: Harness, chat_id: int, pid: int) -> Any:
    return next(
        m
        for m in reversed(h.emu.messages(chat_id))
        if any((d or "").startswith(f"vc1|{pid}|") for _, d in h.emu.buttons(m))
    )


async def vote(h: Harness, user: dict[str, Any], pid: int, option: str) -> Any:
    msg = ballot_message(h, user["id"], pid)
    data = next(
        d
        for _, d in h.emu.buttons(msg)
        if d and d.startswith(f"vc1|{pid}|") and d.endswith(f"|{option}")
    )
    await h.press(user, msg, data)
    return msg


async def snapshot(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: await h.rows(f"SELECT * FROM {table} ORDER BY 1, 2")
        for table in ("proposals", "ballots", "vote_due", "outbox", "outbox_batches")
    }


def receipt_code(text: str) -> str:
    found = re.search(r"/receipt ([A-Z2-7]{10})", text)
    assert found, text
    return found.group(1)


async def my_receipt(h: Harness, user: dict[str, Any], pid: int) -> str:
    """The short receipt message keeps the code behind its "My receipt" button."""
    answer = h.emu.last_message(user["id"])
    assert "/receipt" not in (answer.text or "")
    await h.tap(user, f"vx1|{pid}")
    return receipt_code(last_text(h, user["id"]))


async def open_decision(h: Harness, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """A committee member, an owner who proposes; the proposal approved and announced."""
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = await resident(h, OWNER_A, "小王", "zh-hans", "1-101")
    pid = await propose(h, author, **kwargs)
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    return pid, reviewer


async def test_decision_from_draft_to_published_result(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    manager = await officer(h, MANAGER, "Max", Role.MANAGER)
    a = await resident(h, OWNER_A, "小王", "zh-hans", "1-101")
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await resident(h, TENANT, "Tom", "en", "1-103", "tenant")
    await resident(h, FAMILY_A, "Fay", "en", "1-101", "family")
    other = await resident(h, OWNER_C, "Cat", "en", "2-101")

    pid = await propose(h, a)
    push = h.emu.last_message(REVIEWER)
    assert "小王 submitted a proposal for approval" in (push.text or "")
    assert "Repair the lift" in (push.text or "")
    # nothing is announced before the approval (only the reviewers' pushes are queued)
    assert await h.rows(
        "SELECT DISTINCT b.kind FROM outbox o JOIN outbox_batches b ON b.id = o.batch_id"
    ) == [("proposal",)]

    await approve(h, reviewer, pid)
    assert "Approved: proposal #1 is open" in last_text(h, REVIEWER)
    # the author is told, in their language (the announcement to voters follows it)
    assert any("您的议题 #1" in t for t in texts(h, OWNER_A))
    start = to_ts(h.clock())
    assert await h.rows("SELECT state, opens_at, closes_at FROM proposals") == [
        ("open", start, start + 7 * 86400 + 10 * 3600)  # 10:00 + 7 days: closes at 20:00
    ]
    await h.run_job("outbox")
    # announced to the owners of building 1 only, each in their language, with ballot buttons
    announced = {
        r[0]
        for r in await h.rows(
            "SELECT o.chat_id FROM outbox o JOIN outbox_batches b ON b.id = o.batch_id"
            " WHERE o.state = 'sent' AND b.kind = 'vote-open'"
        )
    }
    assert announced == {OWNER_A, OWNER_B}
    assert "新的投票开始了" in (ballot_message(h, OWNER_A, pid).text or "")
    assert "A new vote is open" in (ballot_message(h, OWNER_B, pid).text or "")
    labels = [t for t, _ in h.emu.buttons(ballot_message(h, OWNER_B, pid))]
    assert labels == ["Agree", "Disagree", "Abstain"]
    for uid in (TENANT, FAMILY_A, OWNER_C):
        assert not any("A new vote is open" in t for t in texts(h, uid))

    # vote, then change the vote: the history is kept, the latest counts
    await vote(h, a, pid, "approve")
    await vote(h, a, pid, "oppose")
    code = await my_receipt(h, a, pid)
    assert await h.rows(
        "SELECT count_key, option, superseded_at IS NULL FROM ballots ORDER BY id"
    ) == [("O-1-101", "approve", 0), ("O-1-101", "oppose", 1)]

    # before the close nobody sees choices; the manager sees the distance to quorum
    await h.command(manager, "votes")
    seen = "\n".join(texts(h, MANAGER))
    assert "Took part: 1 of 39 owners" in seen
    # 2/3 of 4,187.5 m² is 2,791.67 (rounded up); 89.5 m² took part
    assert "Distance to quorum: 25 more owners and 2,702.17 m² more." in seen
    assert (
        "Not voted yet, largest first: the developer's unsold units (208.9 m²), 1-1004 (132.1 m²),"
        " 1-104 (132.1 m²), 1-204 (132.1 m²), 1-304 (132.1 m²) and 33 more owners"
    ) in seen
    assert "Agree:" not in seen and "Disagree:" not in seen and "oppose" not in seen

    # one reminder, 24 h before the close, to those who have not voted
    h.clock.advance(timedelta(days=6, hours=12, minutes=1))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    assert any('Reminder: voting on "Repair the lift"' in t for t in texts(h, OWNER_B))
    assert not any("提醒" in t for t in texts(h, OWNER_A))
    await h.run_job("votes-due")  # nothing more is due
    assert await h.rows("SELECT COUNT(*) FROM outbox_batches WHERE kind = 'vote-remind'") == [(1,)]
    await vote(h, b, pid, "approve")

    # the close: counted, published once to the audience (tenants and family too)
    h.clock.advance(timedelta(days=1))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    assert await h.rows("SELECT state FROM proposals") == [("closed",)]
    result = last_text(h, OWNER_B)
    assert "Result of the vote: Repair the lift" in result
    assert "Turnout by head: 2 of 39 owners" in result
    assert "Agree: 1 owner, 120.35 m²" in result
    assert "Disagree: 1 owner, 89.5 m²" in result
    assert "❌ Participation: at least 2/3 of all owners" in result
    assert "NOT valid" in result
    for uid in (TENANT, FAMILY_A, REVIEWER, MANAGER):
        assert "Result of the vote: Repair the lift" in last_text(h, uid)
    assert "投票结果" in last_text(h, OWNER_A)
    assert not any("Result of the vote" in t for t in texts(h, OWNER_C))

    # the receipt: counted as cast
    await h.command(a, "receipt", code)
    assert "计为：不同意" in last_text(h, OWNER_A)
    # the old ballot button after the close changes nothing
    before = await snapshot(h)
    await vote(h, b, pid, "oppose")
    assert "closed" in h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    assert await snapshot(h) == before
    await h.command(other, "votes")
    assert h.emu.unanswered_callbacks() == []


async def test_tenant_is_refused_on_an_owners_decision(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h)
    tenant = await resident(h, TENANT, "Tom", "en", "1-103", "tenant")
    await h.command(tenant, "votes")
    assert "Only owners vote on an owners' decision" in last_text(h, TENANT)
    assert not any(
        d for _, d in h.emu.buttons(h.emu.last_message(TENANT)) if d and d.startswith("vc1|")
    )
    before = await snapshot(h)
    # a forged ballot press for the tenant's own unit
    h.emu.press_button(
        tenant, h.emu.last_message(TENANT), f"vc1|{pid}|{await unit_id(h, '1-103')}|approve"
    )
    await h.settle()
    alert = h.emu.calls_of("answerCallbackQuery")[-1].params
    assert "Only owners vote" in alert.get("text", "") and alert.get("show_alert")
    assert await snapshot(h) == before
    assert h.emu.unanswered_callbacks() == []


async def test_resident_of_another_building_is_refused(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h)
    other = await resident(h, OWNER_C, "Cat", "en", "2-101")
    await h.command(other, "votes")
    assert "There is no open vote for you" in last_text(h, OWNER_C)
    before = await snapshot(h)
    msg = h.emu.last_message(OWNER_C)
    for unit in ("2-101", "1-101"):
        await h.press(other, msg, f"vc1|{pid}|{await unit_id(h, unit)}|approve")
        alert = h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
        assert "residents of another building" in alert
    assert await snapshot(h) == before
    assert h.emu.unanswered_callbacks() == []


async def test_forged_ballot_presses_change_nothing(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h)
    a = h.emu.user(OWNER_A, "小王", "zh-hans")
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await vote(h, a, pid, "approve")
    before = await snapshot(h)
    msg = h.emu.last_message(OWNER_B)
    mine, theirs = await unit_id(h, "1-102"), await unit_id(h, "1-101")
    forged = [
        f"vc1|{pid}|{mine}|maybe",  # an option that does not exist
        f"vc1|{pid}|{theirs}|oppose",  # someone else's unit
        f"vc1|999|{mine}|approve",  # a proposal that does not exist
        f"vc1|{pid}|{mine}",  # malformed
        f"vc9|{pid}|{mine}|approve",  # an unknown version
        f"vr1|{pid}|approve",  # approving without the right
    ]
    for data in forged:
        await h.press(b, msg, data)
    assert await snapshot(h) == before
    answers = [c.params.get("text", "") for c in h.emu.calls_of("answerCallbackQuery")[-6:]]
    assert answers[0] == answers[1] == answers[2] == "This button is no longer valid."
    assert "no longer valid" in answers[3] and "no longer valid" in answers[4]
    assert answers[5] == "Sorry, this is not open to you. Send /menu to see what you can do."
    # a closed proposal: the press is refused, nothing changes
    h.clock.advance(timedelta(days=7, hours=12))
    await h.press(b, msg, f"vc1|{pid}|{mine}|approve")  # past the close, before the sweep
    assert "closed" in h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    assert await snapshot(h) == before
    await h.run_job("votes-due")
    after_close = await snapshot(h)
    await h.press(b, msg, f"vc1|{pid}|{mine}|approve")
    assert "closed" in h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    assert await snapshot(h) == after_close
    assert h.emu.unanswered_callbacks() == []


async def test_two_presses_at_once_leave_one_effective_ballot(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h)
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await h.run_job("outbox")
    await h.command(b, "votes")
    msg = ballot_message(h, OWNER_B, pid)
    unit = await unit_id(h, "1-102")
    h.emu.press_button(b, msg, f"vc1|{pid}|{unit}|approve")
    h.emu.press_button(b, msg, f"vc1|{pid}|{unit}|oppose")
    await h.settle()
    rows = await h.rows(
        "SELECT option, superseded_at IS NULL FROM ballots WHERE count_key = 'O-1-102' ORDER BY id"
    )
    assert len(rows) == 2 and [r[1] for r in rows] == [0, 1]
    current = await h.rows(
        "SELECT COUNT(*) FROM ballots WHERE count_key = 'O-1-102' AND superseded_at IS NULL"
    )
    assert current == [(1,)]
    assert h.emu.unanswered_callbacks() == []


async def test_closing_survives_a_restart_and_publishes_once(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h, days=3)
    a = h.emu.user(OWNER_A, "小王", "zh-hans")
    await vote(h, a, pid, "approve")
    await h.stop()
    h.clock.advance(timedelta(days=4, hours=12))  # the close passes while the bot is down
    await h.start(load_example=False)
    await h.run_job("votes-due")
    await h.run_job("votes-due")
    await h.run_job("outbox")
    await h.run_job("outbox")
    assert await h.rows("SELECT state FROM proposals WHERE id = ?", (pid,)) == [("closed",)]
    assert await h.rows(
        "SELECT kind, COUNT(*) FROM outbox_batches WHERE ref = ? AND kind != 'proposal'"
        " GROUP BY kind ORDER BY kind",
        (str(pid),),
    ) == [("vote-open", 1), ("vote-result", 1)]  # the reminder was due after the close: skipped
    results = [t for t in texts(h, OWNER_A) if "投票结果" in t]
    assert len(results) == 1
    assert await h.rows("SELECT kind FROM vote_due WHERE sent_at IS NULL") == []


async def test_draft_sent_back_and_rejected_with_a_comment(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = await resident(h, OWNER_B, "Bob", "en", "1-102")
    first = await propose(h, author, title="Paint the hall", kind="poll")
    push = h.emu.last_message(REVIEWER)
    await h.command(reviewer, "votes")  # drafts wait in /votes too, with the same buttons
    listed = h.emu.last_message(REVIEWER)
    assert "Waiting for your review" in (listed.text or "") and "Paint the hall" in (
        listed.text or ""
    )
    assert f"vr1|{first}|return" in [d for _, d in h.emu.buttons(listed)]
    await h.command(author, "votes")
    assert "Waiting for your review" not in last_text(h, OWNER_B)
    await h.press(reviewer, push, f"vr1|{first}|return")
    assert "what should the author change" in last_text(h, REVIEWER)
    await h.text(reviewer, "Please add the quote from the painter.")
    assert await h.rows(
        "SELECT state, comment, approver_id FROM proposals WHERE id = ?", (first,)
    ) == [("returned", "Please add the quote from the painter.", REVIEWER)]
    told = last_text(h, OWNER_B)
    assert "was sent back with this comment" in told and "quote from the painter" in told
    # the old card cannot approve it any more
    await h.press(reviewer, push, f"vr1|{first}|approve")
    assert "already reviewed" in h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    # nobody but the author may revise it
    stranger = await resident(h, OWNER_C, "Cat", "en", "2-101")
    await h.press(stranger, h.emu.last_message(OWNER_C), f"ve1|{first}")
    assert "no longer valid" in h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    # the author edits it: keeps the title, writes a new text, and sends it again
    await h.tap(author, f"ve1|{first}")
    assert "Editing proposal #1" in last_text(h, OWNER_B) and "quote from the painter" in (
        last_text(h, OWNER_B)
    )
    await h.tap(author, "vt1")
    await h.text(author, "Paint the hall white. Quote from the painter: 4,000 yuan.")
    for data in (
        "va1|0",
        "vk1|poll",
        "vb1|household",
        "vo1|0",
        "vq1|0|1",
        "vw1|0",
        "vd1|3",
        "vs1",
    ):
        await h.tap(author, data)
    assert await h.rows("SELECT id, title, body, state FROM proposals ORDER BY id") == [
        (
            first,
            "Paint the hall",
            "The lift of building 1 stops between floors. Quote: 30,000 yuan.",
            "returned",
        ),
        (
            first + 1,
            "Paint the hall",
            "Paint the hall white. Quote from the painter: 4,000 yuan.",
            "draft",
        ),
    ]
    await h.press(reviewer, h.emu.last_message(REVIEWER), f"vr1|{first + 1}|approve")
    assert await h.rows("SELECT state FROM proposals WHERE id = ?", (first + 1,)) == [("open",)]
    second = await propose(h, author, title="Paint the hall in pink", kind="poll")
    await h.run_job("outbox")
    await h.press(reviewer, h.emu.last_message(REVIEWER), f"vr1|{second}|reject")
    await h.text(reviewer, "Not a matter for a vote.")
    assert await h.rows("SELECT state FROM proposals WHERE id = ?", (second,)) == [("rejected",)]
    assert "was not accepted for voting" in last_text(h, OWNER_B)
    assert await h.rows(  # the author was told; nothing was announced
        "SELECT kind, COUNT(*) FROM outbox_batches WHERE ref = ? GROUP BY kind", (str(second),)
    ) == [("proposal", 2)]
    assert h.emu.unanswered_callbacks() == []


async def test_household_poll_latest_counts_and_paper_ballots(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    a = await resident(h, OWNER_A, "Ann", "en", "1-101")
    fam = await resident(h, FAMILY_A, "Fay", "en", "1-101", "family")
    tenant = await resident(h, TENANT, "Tom", "en", "1-103", "tenant")
    await resident(h, OWNER_B, "Bob", "en", "1-102")
    pid = await propose(h, a, title="Summer party", kind="poll", building=None)
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    # everyone verified in the community is told, tenants and family too
    announcements = (
        "SELECT o.chat_id FROM outbox o JOIN outbox_batches b ON b.id = o.batch_id"
        " WHERE b.kind = 'vote-open'"
    )
    assert {r[0] for r in await h.rows(announcements)} == {
        OWNER_A,
        FAMILY_A,
        TENANT,
        OWNER_B,
    }
    await vote(h, a, pid, "approve")
    h.clock.advance(timedelta(minutes=5))
    await vote(h, fam, pid, "oppose")  # same household: the latest counts
    await vote(h, tenant, pid, "approve")
    # a paper ballot for 1-102, then nothing electronic from it
    await h.command(reviewer, "paper", f"{pid} 1-102 3")
    assert "Paper ballot recorded for unit 1-102" in last_text(h, REVIEWER)
    await h.command(reviewer, "paper", f"{pid} 9-999 1")
    assert "not part of this vote" in last_text(h, REVIEWER)
    await h.command(reviewer, "paper", f"{pid} 1-102 4")
    assert "There is no option 4" in last_text(h, REVIEWER)
    await h.command(reviewer, "paper", "one two")
    assert "/paper <proposal number>" in last_text(h, REVIEWER)
    await h.command(tenant, "paper", f"{pid} 1-103 1")
    assert "this is not open to you" in last_text(h, TENANT)
    h.clock.advance(timedelta(days=7, hours=12))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    result = last_text(h, OWNER_A)
    assert "Resident poll, one vote per household." in result
    assert "Turnout: 3 of 3 households (100%)" in result
    assert "Agree: 1 vote" in result and "Disagree: 1 vote" in result
    assert "Abstain: 1 vote" in result
    assert "A tie between: Agree, Disagree" in result
    # Ann's ballot was replaced by Fay's: the check says so, without telling Fay's choice
    msg = h.emu.last_message(OWNER_A)
    await h.press(a, msg, h.emu.find_button(msg, "vx1|"))
    assert "replaced by a later ballot" in last_text(h, OWNER_A)
    await h.press(fam, h.emu.last_message(FAMILY_A), f"vx1|{pid}")
    assert "counted as cast: Disagree" in last_text(h, FAMILY_A)
    assert h.emu.unanswered_callbacks() == []


async def test_receipt_before_and_after_the_close(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h)
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await h.command(b, "votes")
    await vote(h, b, pid, "abstain")
    code = await my_receipt(h, b, pid)
    assert "After the close (" in last_text(h, OWNER_B)
    await h.command(b, "receipt", code.lower()[:5] + "-" + code.lower()[5:])
    assert f"Your receipt for proposal #{pid}: {code}." in last_text(h, OWNER_B)
    await h.command(b, "receipt", "AAAAAAAAAA")
    assert "I found no ballot of yours" in last_text(h, OWNER_B)
    a = h.emu.user(OWNER_A, "小王", "zh-hans")
    await h.command(a, "receipt", code)  # someone else's receipt proves nothing to them
    assert "没有找到" in last_text(h, OWNER_A)
    h.clock.advance(timedelta(days=7, hours=12, seconds=1))
    await h.run_job("votes-due")
    await h.command(b, "receipt", code)
    assert "your ballot was counted as cast: Abstain" in last_text(h, OWNER_B)


async def test_leader_sees_turnout_of_their_building_only(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h, building=None)
    a = h.emu.user(OWNER_A, "小王", "zh-hans")
    await vote(h, a, pid, "approve")
    leader = await officer(h, LEADER, "Lee", Role.LEADER, "1")
    await h.command(leader, "votes")
    seen = "\n".join(texts(h, LEADER))
    assert "Building 1: 1 of 39 have voted." in seen
    assert "Building 2" not in seen and "Agree:" not in seen and "Took part" not in seen


async def test_forgetting_a_voter_keeps_the_ballot_without_the_name(harness: Harness) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h)
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await h.command(b, "votes")
    await vote(h, b, pid, "approve")
    await h.command(b, "me")
    assert "Ballots cast: 1" in last_text(h, OWNER_B)
    await h.command(b, "forgetme")
    await h.tap(b, "fm1|1")
    assert await h.rows("SELECT voter_id, count_key, option, unit_id FROM ballots") == [
        (None, "O-1-102", "approve", await unit_id(h, "1-102"))
    ]
    h.clock.advance(timedelta(days=7, hours=12, seconds=1))
    await h.run_job("votes-due")
    result = await h.rows("SELECT result FROM proposals WHERE id = ?", (pid,))
    assert '"part_owners": 1' in result[0][0]


async def test_group_chats_get_the_announcement_and_the_result(harness: Harness) -> None:
    h = harness
    await h.start()
    mine, theirs = h.emu.group(-1001, "1号楼业主群"), h.emu.group(-1002, "2号楼业主群")
    bindings = [(mine["id"], await building_id(h, "1")), (theirs["id"], await building_id(h, "2"))]
    assert h.db is not None
    async with h.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO group_bindings (chat_id, kind, building_id, title, bound_at)"
            " VALUES (?, 'building', ?, '', 0)",
            bindings,
        )
    pid, _ = await open_decision(h)
    announced = h.emu.last_message(-1001)
    assert "新的投票开始了" in (announced.text or "") and "Repair the lift" in (
        announced.text or ""
    )
    # no ballot in the group: only a link to the private chat; no unit numbers
    links = [d or "" for _, d in h.emu.buttons(announced)]
    assert len(links) == 1 and links[0].startswith("https://t.me/") and "?start=" in links[0]
    assert "1-101" not in (announced.text or "")
    assert h.emu.messages(-1002) == []
    h.clock.advance(timedelta(days=7, hours=12))
    await h.run_job("votes-due")
    # the result is queued for the group (the outbox paces groups at 20 a minute)
    queued = await h.rows(
        "SELECT o.chat_id, o.payload FROM outbox o JOIN outbox_batches b ON b.id = o.batch_id"
        " WHERE b.kind = 'vote-result' AND o.chat_id < 0"
    )
    assert len(queued) == 1 and queued[0][0] == -1001
    assert "投票结果：Repair the lift" in queued[0][1] and "1-101" not in queued[0][1]
    await h.run_job("outbox")
    assert h.emu.messages(-1002) == []
    assert pid == 1


async def test_owner_of_two_units_and_co_owners_count_once(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    two = await resident(h, OWNER_C, "Cat", "en", "2-301")
    await resident(h, OWNER_C, "Cat", "en", "2-302")
    co1 = await resident(h, OWNER_A, "Ann", "en", "2-101")
    co2 = await resident(h, OWNER_B, "Bob", "en", "2-101")  # a co-owner of the same unit
    pid = await propose(h, co1, title="New property company", building="2", item=4)
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    # the owner of 2-301 and 2-302 gets one ballot (one owner key), not two
    labels = [t for t, _ in h.emu.buttons(ballot_message(h, OWNER_C, pid))]
    assert labels == ["Agree", "Disagree", "Abstain"]
    await vote(h, two, pid, "approve")
    await vote(h, co1, pid, "approve")
    h.clock.advance(timedelta(minutes=1))
    await vote(h, co2, pid, "oppose")  # co-owners: the latest ballot for the owner counts
    # 2-102's owner votes in the bot, then a signed paper ballot is recorded: the later counts
    dan = await resident(h, DAN, "Dan", "en", "2-102")  # joined after the announcement
    await h.command(dan, "votes")
    await vote(h, dan, pid, "approve")
    h.clock.advance(timedelta(minutes=1))
    await h.command(reviewer, "paper", f"{pid} 2-102 2")
    assert "Paper ballot recorded for unit 2-102" in last_text(h, REVIEWER)
    assert await h.rows(
        "SELECT source, option FROM ballots WHERE unit_id = ? AND superseded_at IS NULL"
        " ORDER BY id",
        (await unit_id(h, "2-102"),),
    ) == [("electronic", "approve"), ("paper", "oppose")]
    h.clock.advance(timedelta(days=7, hours=12))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    result = last_text(h, OWNER_C)
    assert "Turnout by head: 3 of " in result
    assert "Agree: 1 owner, 209.85 m²" in result  # both units of O-2-301
    assert "Disagree: 2 owners, 209.85 m²" in result  # 2-101 (89.50) + 2-102 (120.35)
    await h.press(co1, h.emu.last_message(OWNER_A), f"vx1|{pid}")
    assert "replaced by a later ballot" in last_text(h, OWNER_A)
    await h.press(dan, h.emu.last_message(DAN), f"vx1|{pid}")
    assert "replaced by a later ballot" in last_text(h, DAN)
    await h.press(co2, h.emu.last_message(OWNER_B), f"vx1|{pid}")
    assert "counted as cast: Disagree" in last_text(h, OWNER_B)


async def test_custom_options_and_a_quorum(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    a = await resident(h, OWNER_A, "Ann", "en", "1-101")
    await resident(h, OWNER_B, "Bob", "en", "1-102")
    await h.command(a, "propose")
    h.emu.send_photo(a)  # a photo where the title is asked: a hint, the step asked again
    await h.settle()
    assert "Please send this as a text message." in last_text(h, OWNER_A)
    await h.text(a, "x" * 101)
    assert "a little long" in last_text(h, OWNER_A)
    await h.text(a, "Colour of the hall")
    await h.text(a, "Which colour should we paint the entrance hall?")
    await h.text(a, "Building 1 please")  # text where a button is expected
    assert "Please tap one of the buttons above" in last_text(h, OWNER_A)
    flow = h.emu.messages(OWNER_A)[-2]  # the buttons above still work
    for data in ("va1|0", "vk1|poll", "vb1|resident", "vo1|1"):
        await h.press(a, h.emu.message(OWNER_A, flow.message_id), data)
    await h.text(a, "Only one option")
    assert "Please send 2 to 8 options" in last_text(h, OWNER_A)
    await h.text(a, "Light green\nWarm white\nLight green")
    await h.tap(a, "vq1|1|2")
    await h.tap(a, "vw1|0")
    await h.tap(a, "vd1|3")
    preview = last_text(h, OWNER_A)
    assert "Options: Light green / Warm white" in preview
    assert "one vote per confirmed resident. At least 1/2 must take part." in preview
    await h.tap(a, "vs1")
    pid = int((await h.rows("SELECT id FROM proposals"))[0][0])
    assert await h.rows("SELECT basis, quorum_num, quorum_den FROM proposals") == [
        ("resident", 1, 2)
    ]
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    await vote(h, a, pid, "o2")
    h.clock.advance(timedelta(days=3, hours=12))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    result = last_text(h, OWNER_A)
    assert "Turnout: 1 of 2 residents (50%)" in result
    assert "✅ Quorum: at least 1/2" in result
    assert "Result: Warm white" in result
    assert h.emu.unanswered_callbacks() == []


async def test_a_restart_in_the_middle_of_a_proposal_continues(harness: Harness) -> None:
    h = harness
    await h.start()
    author = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await h.command(author, "propose")
    await h.text(author, "Bike shed")
    await h.restart()
    await h.text(author, "A roof over the bikes near building 1.")
    assert "Who is it for?" in last_text(h, OWNER_B)
    await h.tap(author, "va1|0")
    await h.tap(author, "x1|propose")
    assert "Cancelled. Nothing was submitted." in last_text(h, OWNER_B)
    assert await h.rows("SELECT COUNT(*) FROM proposals") == [(0,)]
    unverified = h.emu.user(4001, "Una", "en")
    await h.command(unverified, "propose")
    assert "Join your unit first" in last_text(h, 4001)
    assert h.emu.unanswered_callbacks() == []


async def test_a_failing_close_is_retried_later_without_losing_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await h.start()
    pid, _ = await open_decision(h, days=3)
    real = votes_service.close_proposal

    async def broken(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(votes_service, "close_proposal", broken)
    h.clock.advance(timedelta(days=3, hours=12))
    await h.run_job("votes-due")
    assert await h.rows("SELECT state FROM proposals") == [("open",)]
    close = await h.rows("SELECT due_at, sent_at FROM vote_due WHERE kind = 'close'")
    assert close == [(to_ts(h.clock()) + votes_service.RETRY_AFTER, None)]
    monkeypatch.setattr(votes_service, "close_proposal", real)
    await h.run_job("votes-due")  # not due again yet
    assert await h.rows("SELECT state FROM proposals") == [("open",)]
    h.clock.advance(timedelta(seconds=votes_service.RETRY_AFTER))
    await h.run_job("votes-due")
    assert await h.rows("SELECT state FROM proposals WHERE id = ?", (pid,)) == [("closed",)]


# ---- the opening chosen while drafting ------------------------------------------------------

DAY = 86_400
EVENING = 12 * 3600  # from an 08:00 opening to the 20:00 close of its last day


def tomorrow_at_8(h: Harness) -> int:
    """Tomorrow 08:00 in the community's zone (Shanghai), as offered while drafting."""
    day = h.clock().astimezone(SHANGHAI).date() + timedelta(days=1)
    return to_ts(datetime.combine(day, time(8), tzinfo=SHANGHAI))


async def test_a_proposal_opens_at_its_chosen_time(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    a = await resident(h, OWNER_A, "小王", "zh-hans", "1-101")
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    opens = tomorrow_at_8(h)
    assert opens == to_ts(h.clock()) + 22 * 3600  # Mon 10:00 -> Tue 08:00, Shanghai
    await h.command(b, "propose")
    await h.text(b, "Repair the lift")
    await h.text(b, "The lift of building 1 stops between floors. Quote: 30,000 yuan.")
    await h.tap(b, f"va1|{await building_id(h, '1')}")
    await h.tap(b, "vk1|decision")
    await h.tap(b, "vi1|4")
    asked = h.emu.last_message(OWNER_B)
    assert "When should voting open?" in (asked.text or "")
    assert h.emu.buttons(asked) == [
        ("As soon as it is approved", "vw1|0"),
        ("Tomorrow, Tue 24 Nov 08:00", f"vw1|{opens}"),
        ("In 3 days, Thu 26 Nov 08:00", f"vw1|{opens + 2 * DAY}"),
        ("In 7 days, Mon 30 Nov 08:00", f"vw1|{opens + 6 * DAY}"),
        ("Cancel", "x1|propose"),
    ]
    # forged openings (not 08:00, past, too far ahead) are refused and the question asked again
    for forged in (opens + 60, opens - DAY, opens + 7 * DAY, -5):
        await h.press(b, h.emu.last_message(OWNER_B), f"vw1|{forged}")
        alert = h.emu.calls_of("answerCallbackQuery")[-1].params
        assert alert.get("text") == "This button is no longer valid." and alert.get("show_alert")
        assert "When should voting open?" in last_text(h, OWNER_B)
    await h.tap(b, f"vw1|{opens}")
    assert "counted from its opening" in last_text(h, OWNER_B)
    await h.tap(b, "vd1|7")
    preview = last_text(h, OWNER_B)
    assert "Voting opens: tomorrow 8:00" in preview
    assert "Voting closes: 1 Dec, 20:00" in preview
    await h.tap(b, "vs1")
    pid = int((await h.rows("SELECT id FROM proposals"))[0][0])
    card = h.emu.last_message(REVIEWER)
    assert "Voting opens: tomorrow 8:00" in (card.text or "")
    assert "Voting closes: 1 Dec, 20:00" in (card.text or "")
    assert h.emu.buttons(card)[0] == ("Approve for voting", f"vr1|{pid}|approve")

    # approved today: not open, nothing announced; the opening, reminder and close are due rows
    await approve(h, reviewer, pid)
    assert "Approved: proposal #1 opens tomorrow 8:00" in last_text(h, REVIEWER)
    assert "Voting closes: 1 Dec, 20:00" in last_text(h, REVIEWER)
    assert "voting opens tomorrow 8:00 and closes 1 Dec, 20:00" in last_text(h, OWNER_B)
    closes = opens + 7 * DAY + EVENING
    assert await h.rows("SELECT state, opens_at, closes_at FROM proposals") == [
        ("approved", opens, closes)
    ]
    assert await h.rows("SELECT kind, due_at, sent_at FROM vote_due ORDER BY due_at") == [
        ("open", opens, None),
        ("remind", closes - DAY, None),
        ("close", closes, None),
    ]
    await h.run_job("votes-due")  # nothing is due yet
    await h.run_job("outbox")
    assert await h.rows("SELECT COUNT(*) FROM outbox_batches WHERE kind != 'proposal'") == [(0,)]
    assert not any("A new vote is open" in t for t in texts(h, OWNER_B))

    # a ballot press before the opening: refused politely, nothing changes
    before = await snapshot(h)
    mine = await unit_id(h, "1-102")
    await h.press(b, h.emu.last_message(OWNER_B), f"vc1|{pid}|{mine}|approve")
    alert = h.emu.calls_of("answerCallbackQuery")[-1].params
    assert alert.get("show_alert")
    assert alert.get("text") == (
        "Voting on this proposal opens tomorrow 8:00; your ballot was not recorded."
    )
    await h.command(reviewer, "paper", f"{pid} 1-101 1")
    assert "is not open for voting" in last_text(h, REVIEWER)
    assert await snapshot(h) == before

    # /votes shows it to its audience as coming up, with no ballot buttons
    await h.command(b, "votes")
    listed = h.emu.last_message(OWNER_B)
    assert "Coming up:" in (listed.text or "")
    assert "Voting opens: tomorrow 8:00" in (listed.text or "")
    assert "I will send you your ballot here" in (listed.text or "")
    assert not any((d or "").startswith("vc1|") for _, d in h.emu.buttons(listed))
    await h.command(a, "votes")
    assert "明天 8:00" in last_text(h, OWNER_A)
    other = await resident(h, OWNER_C, "Cat", "en", "2-101")
    await h.command(other, "votes")
    assert "There is no open vote for you" in last_text(h, OWNER_C)

    # the opening passes: the sweep opens it and announces it once (run twice)
    h.clock.advance(timedelta(seconds=opens - to_ts(h.clock()) + 30))
    await h.run_job("votes-due")
    await h.run_job("votes-due")
    await h.run_job("outbox")
    await h.run_job("outbox")
    assert await h.rows("SELECT state, opens_at, closes_at FROM proposals") == [
        ("open", opens, closes)
    ]
    assert await h.rows(
        "SELECT kind, COUNT(*) FROM outbox_batches WHERE kind != 'proposal' GROUP BY kind"
    ) == [("vote-open", 1)]
    for uid in (OWNER_A, OWNER_B):
        assert len([t for t in texts(h, uid) if "新的投票开始了" in t or "A new vote" in t]) == 1
    announced = ballot_message(h, OWNER_B, pid).text or ""
    assert "Voting closes: 1 Dec, 20:00" in announced
    assert "Voting opens" not in announced

    # voting works; it closes at 20:00 on the opening + 7 days, not earlier
    await vote(h, b, pid, "approve")
    assert "Recorded: Agree" in h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    h.clock.set(from_ts(closes - 60))
    await h.run_job("votes-due")
    assert await h.rows("SELECT state FROM proposals") == [("open",)]
    h.clock.set(from_ts(closes))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    assert await h.rows("SELECT state, closed_at FROM proposals") == [("closed", closes)]
    assert "Agree: 1 owner, 120.35 m²" in last_text(h, OWNER_B)
    assert h.emu.unanswered_callbacks() == []


async def test_a_restart_between_approval_and_opening_loses_nothing(harness: Harness) -> None:
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = await resident(h, OWNER_A, "小王", "zh-hans", "1-101")
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    opens = tomorrow_at_8(h)
    pid = await propose(h, author, opens=opens, days=3)
    await approve(h, reviewer, pid)
    assert await h.rows("SELECT state FROM proposals") == [("approved",)]
    await h.crash()
    h.clock.set(from_ts(opens + 3 * 3600))  # the opening passes while the bot is down
    await h.start(load_example=False)
    await h.run_job("votes-due")
    await h.run_job("votes-due")
    await h.run_job("outbox")
    closes = opens + 3 * DAY + EVENING
    assert await h.rows("SELECT state, opens_at, closes_at FROM proposals") == [
        ("open", opens, closes)
    ]
    assert await h.rows("SELECT kind, due_at, sent_at IS NULL FROM vote_due ORDER BY due_at") == [
        ("open", opens, 0),
        ("remind", closes - DAY, 1),
        ("close", closes, 1),
    ]
    assert await h.rows("SELECT COUNT(*) FROM outbox_batches WHERE kind = 'vote-open'") == [(1,)]
    await vote(h, b, pid, "oppose")
    h.clock.set(from_ts(closes))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    assert await h.rows("SELECT state, closed_at FROM proposals") == [("closed", closes)]
    assert "Disagree: 1 owner, 120.35 m²" in last_text(h, OWNER_B)
    assert h.emu.unanswered_callbacks() == []


async def test_approved_late_opens_at_once_and_keeps_or_extends_the_close(
    harness: Harness,
) -> None:
    """Rule: approved after its chosen opening, a proposal opens at the approval and keeps its
    chosen close (opening + duration) if at least one day of voting is left; otherwise it
    closes one full duration after the approval; either close moved on to 20:00."""
    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = await resident(h, OWNER_A, "小王", "zh-hans", "1-101")
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    opens = tomorrow_at_8(h)
    kept = await propose(h, author, title="Repair the lift", opens=opens, days=3)
    extended = await propose(h, author, title="Paint the hall", opens=opens, days=3)
    chosen_close = opens + 3 * DAY + EVENING

    # approved one day after the chosen opening: two days left, the chosen close is kept
    h.clock.set(from_ts(opens + DAY))
    await approve(h, reviewer, kept)
    done = next(t for t in texts(h, REVIEWER) if "Approved: proposal #1" in t)
    assert "Approved: proposal #1 is open" in done
    assert "Voting closes: Fri 27 Nov, 20:00" in done
    assert await h.rows(
        "SELECT state, opens_at, closes_at FROM proposals WHERE id = ?", (kept,)
    ) == [("open", opens + DAY, chosen_close)]
    await h.run_job("outbox")
    await vote(h, b, kept, "approve")  # announced at the approval, voting works at once

    # approved 23 hours before opening + duration: less than a day left, 3 full days from now
    # (09:00), moved on to 20:00
    approved_at = opens + 3 * DAY - 23 * 3600
    extended_close = approved_at + 3 * DAY + 11 * 3600
    h.clock.set(from_ts(approved_at))
    await approve(h, reviewer, extended)
    assert await h.rows(
        "SELECT state, opens_at, closes_at FROM proposals WHERE id = ?", (extended,)
    ) == [("open", approved_at, extended_close)]
    assert await h.rows(
        "SELECT kind, due_at, sent_at FROM vote_due WHERE proposal_id = ? ORDER BY due_at",
        (extended,),
    ) == [
        ("open", approved_at, approved_at),
        ("remind", extended_close - DAY, None),
        ("close", extended_close, None),
    ]
    await h.run_job("outbox")
    await vote(h, b, extended, "oppose")

    # at the chosen close only the first one closes
    h.clock.set(from_ts(chosen_close))
    await h.run_job("votes-due")
    assert await h.rows("SELECT id, state FROM proposals ORDER BY id") == [
        (kept, "closed"),
        (extended, "open"),
    ]
    h.clock.set(from_ts(extended_close))
    await h.run_job("votes-due")
    assert await h.rows("SELECT state FROM proposals WHERE id = ?", (extended,)) == [("closed",)]
    assert await h.rows("SELECT COUNT(*) FROM outbox_batches WHERE kind = 'vote-open'") == [(2,)]
    assert h.emu.unanswered_callbacks() == []
