"""Voice notes wherever a resident is asked for free text, passed on as spoken. The description
step (tests/test_flow_tickets.py::test_report_home_with_voice_note_and_photos) and answers to
staff (tests/test_flow_tickets_staff.py::test_need_info_stops_the_clock_and_the_answer_comes_back)
are covered where those flows are; here the public-area place and the rating comment."""

from __future__ import annotations

from bot.rules.auth import Role
from tests.conftest import Harness
from tests.test_flow_tickets import (
    RESIDENT,
    STAFF,
    STAFF_CHAT,
    building_id,
    last,
    officer,
    report_public,
    setup,
)


async def test_the_public_area_place_can_be_spoken(harness: Harness) -> None:
    h = harness
    await setup(h)
    user = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(user, "start")
    await h.command(user, "report")
    await h.tap(user, "te1|0")
    await h.tap(user, "tc1|lighting")
    await h.tap(user, f"tb1|{await building_id(h, '1')}")
    assert "or send a voice note" in last(h, RESIDENT)
    h.emu.send_voice(user, duration=9)
    await h.settle()
    summary = last(h, RESIDENT)
    assert "Please check your report" in summary and "Voice note attached." in summary
    await h.tap(user, "tn1|ok")
    assert await h.rows("SELECT place, description, voice_file_id IS NOT NULL FROM tickets") == [
        ("", "", 1)
    ]
    # staff get the card, then the voice note itself
    assert [m.kind for m in h.emu.messages(STAFF_CHAT)] == ["text", "voice"]
    assert h.emu.unanswered_callbacks() == []


async def test_the_rating_comment_can_be_spoken(harness: Harness) -> None:
    h = harness
    await setup(h)
    resident = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(resident, "start")
    await report_public(h, resident, "lighting", "1", "3F corridor", "The light is off")
    staff = await officer(h, STAFF, "Sam", Role.STAFF)
    card = h.emu.messages(STAFF_CHAT)[0]
    await h.press(staff, card, "ta1|1|acc")
    await h.press(staff, h.emu.messages(STAFF_CHAT)[0], "ta1|1|res")
    rating = h.emu.last_message(RESIDENT)
    await h.press(resident, rating, "tv1|1|5")
    assert "write a short comment" in last(h, RESIDENT)
    before = len(h.emu.messages(STAFF))
    h.emu.send_voice(resident, duration=5)
    await h.settle()
    assert "your comment is recorded" in last(h, RESIDENT)
    await h.run_job("outbox")
    pushed = h.emu.messages(STAFF)[before:]
    assert "comment with the rating of ticket #1 (5 of 5)" in pushed[-2].body
    assert pushed[-1].kind == "voice"
    assert await h.rows("SELECT COUNT(*) FROM ticket_notes WHERE voice_file_id IS NOT NULL") == [
        (1,)
    ]
    assert h.emu.unanswered_callbacks() == []


async def test_a_proposal_can_be_spoken_and_reaches_reviewers_and_voters_as_spoken(
    harness: Harness,
) -> None:
    from tests.test_flow_votes import (
        OWNER_A,
        OWNER_B,
        REVIEWER,
        approve,
        ballot_message,
        resident,
        vote,
    )
    from tests.test_flow_votes import building_id as vote_building
    from tests.test_flow_votes import officer as vote_officer

    h = harness
    await h.start()
    reviewer = await vote_officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    a = await resident(h, OWNER_A, "Ann", "en", "1-101")
    b = await resident(h, OWNER_B, "Bob", "en", "1-102")
    await h.command(a, "propose")
    await h.text(a, "Repair the lift")
    assert "You can also send a voice note." in last(h, OWNER_A)
    h.emu.send_voice(a, duration=40)
    await h.settle()
    await h.tap(a, f"va1|{await vote_building(h, '1')}")
    await h.tap(a, "vk1|decision")
    await h.tap(a, "vi1|4")
    await h.tap(a, "vw1|0")
    await h.tap(a, "vd1|7")
    assert "The proposal is said in the voice note." in last(h, OWNER_A)
    await h.tap(a, "vs1")
    assert await h.rows("SELECT body, body_voice IS NOT NULL FROM proposals") == [("", 1)]
    pid = int((await h.rows("SELECT id FROM proposals"))[0][0])
    # the reviewer hears it: the review card is the voice note, its text the caption
    card = h.emu.last_message(REVIEWER)
    assert card.kind == "voice" and "Repair the lift" in card.body
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    ballot = ballot_message(h, OWNER_B, pid)
    assert ballot.kind == "voice" and "A new vote is open" in ballot.body
    await vote(h, b, pid, "approve")
    assert await h.rows("SELECT option FROM ballots") == [("approve",)]
    assert h.emu.unanswered_callbacks() == []
