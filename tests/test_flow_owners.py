"""Owners proven, not claimed, through the emulator: the door code makes "owner" a claim (a
household member who cannot vote in an owners' decision), proven by the owner's one-time letter
or by a leader who compares the owner in the community file; letters used twice or replaced,
forged and stale presses, the managers' list of claims."""

from __future__ import annotations

from typing import Any

from bot.rules.auth import Role
from bot.rules.clock import to_ts
from storage import owners
from storage.db import fetch_one
from tests.conftest import Harness

LEADER, LEADER_2, MANAGER, REVIEWER = 2001, 2002, 9002, 9001
ANN, BOB, CAT = 3001, 3002, 3003
#: What a press on an owner claim may change, and what must stay as it was when it is refused.
TABLES = ("residences", "owner_claims", "owner_codes", "outbox", "ballots")


async def owner_letter(h: Harness, unit: str) -> str:
    """A new owner letter's code for the unit's owner, as ``residentbot invites --owners``
    makes it (the unit's earlier unused letters stop working)."""
    assert h.db is not None
    async with h.db.transaction() as conn:
        unit_id, owner_id = await fetch_one(
            conn, "SELECT id, owner_id FROM units WHERE code = ?", (unit,)
        )
        return await owners.issue_code(conn, unit_id, owner_id, to_ts(h.clock()))


async def door_code(h: Harness, user: dict[str, Any], unit: str, relation: str) -> None:
    invite = (await h.rows("SELECT invite_code FROM units WHERE code = ?", (unit,)))[0][0]
    await h.command(user, "start", invite)
    await h.tap(user, f"jr1|{relation}")


async def officer(h: Harness, uid: int, name: str, role: Role, building: str | None = None) -> Any:
    await h.grant(uid, role, building)
    user = h.emu.user(uid, name, "en")
    await h.command(user, "start")
    return user


async def residences(h: Harness, user_id: int) -> list[tuple[Any, ...]]:
    return await h.rows(
        "SELECT u.code, r.relation, r.status FROM residences r JOIN units u ON u.id = r.unit_id"
        " WHERE r.user_id = ? ORDER BY r.id",
        (user_id,),
    )


async def claims_of(h: Harness, user_id: int) -> list[tuple[Any, ...]]:
    return await h.rows(
        "SELECT c.status, c.via FROM owner_claims c JOIN residences r ON r.id = c.residence_id"
        " WHERE r.user_id = ? ORDER BY c.id",
        (user_id,),
    )


async def snapshot(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    return {t: await h.rows(f"SELECT * FROM {t} ORDER BY 1") for t in TABLES}


def text_of(h: Harness, chat_id: int) -> str:
    return h.emu.last_message(chat_id).text or ""


def alert(h: Harness) -> str:
    params = h.emu.calls_of("answerCallbackQuery")[-1].params
    assert params.get("show_alert"), params
    return str(params.get("text", ""))


async def test_owner_confirmed_by_the_owner_letter(harness: Harness) -> None:
    h = harness
    await h.start()
    ann = h.emu.user(ANN, "Ann", "en")
    code = await owner_letter(h, "1-101")
    assert code.startswith("o_")
    # only the code's hash is stored: a copy of the database gives nobody a usable letter
    assert await h.rows("SELECT COUNT(*) FROM owner_codes WHERE code_hash = ?", (code,)) == [(0,)]
    await h.command(ann, "start", code)
    text = text_of(h, ANN)
    assert "You are now confirmed as the owner of unit 1-101" in text
    assert "You are registered to unit 1-101." in text
    assert await residences(h, ANN) == [("1-101", "owner", "verified")]
    assert await claims_of(h, ANN) == [("confirmed", "code")]
    assert await h.rows("SELECT used_by FROM owner_codes") == [(ANN,)]
    # a household member (door code) who later opens the letter becomes the owner too
    bob = h.emu.user(BOB, "Bob", "en")
    await door_code(h, bob, "1-102", "family")
    assert await residences(h, BOB) == [("1-102", "family", "verified")]
    await h.command(bob, "start", await owner_letter(h, "1-102"))
    assert await residences(h, BOB) == [("1-102", "owner", "verified")]
    assert await claims_of(h, BOB) == [("confirmed", "code")]
    assert h.emu.unanswered_callbacks() == []


async def test_owner_confirmed_by_the_leader_who_sees_the_registered_owner(
    harness: Harness,
) -> None:
    h = harness
    await h.start()
    lee = await officer(h, LEADER, "Lee", Role.LEADER, "1")
    zhou = h.emu.user(LEADER_2, "小周", "zh-hans")
    await h.grant(LEADER_2, Role.LEADER, "1")
    await h.command(zhou, "start")
    ann = h.emu.user(ANN, "Wang Jianguo", "en")
    await door_code(h, ann, "1-101", "owner")
    # a household member with a pending claim, told in plain words how to be confirmed
    assert await residences(h, ANN) == [("1-101", "family", "verified")]
    assert await claims_of(h, ANN) == [("pending", None)]
    told = text_of(h, ANN)
    assert "registered to unit 1-101 as a member of the household" in told
    assert "scan the QR code on your owner letter" in told
    assert "your building leader has been asked to check your name" in told
    # each leader is shown the owner the community file names, in their language
    card = h.emu.last_message(LEADER)
    assert "Wang Jianguo lives there" in (card.text or "")
    assert "Owner in the community file: 王建国" in (card.text or "")
    theirs = h.emu.last_message(LEADER_2)
    assert "业主名册上的业主：王建国" in (theirs.text or "")
    await h.press(lee, card, h.emu.find_button(card, "oc1|"))  # the first: "Yes, the owner"
    assert await residences(h, ANN) == [("1-101", "owner", "verified")]
    assert await claims_of(h, ANN) == [("confirmed", "leader")]
    assert "Confirmed: Wang Jianguo is now the owner of unit 1-101" in text_of(h, LEADER)
    assert "you are now confirmed as the owner of unit 1-101" in text_of(h, ANN)
    updated = h.emu.message(LEADER_2, theirs.message_id)
    assert "Lee" in (updated.text or "") and h.emu.buttons(updated) == []
    assert await h.rows(
        "SELECT actor, action, subject FROM audit_log WHERE action LIKE 'owner_%' ORDER BY id"
    ) == [(ANN, "owner_claimed", "1-101"), (LEADER, "owner_confirmed", "1-101")]
    assert h.emu.unanswered_callbacks() == []


async def test_a_request_as_owner_shows_the_registered_owner_to_the_leader(
    harness: Harness,
) -> None:
    """Choosing the unit by hand as its owner: the leader's card names the owner on record,
    and approving it records how the owner was proven."""
    h = harness
    await h.start()
    lee = await officer(h, LEADER, "Lee", Role.LEADER, "1")
    bob = h.emu.user(BOB, "Bob", "en")
    await h.command(bob, "join")
    await h.tap(bob, "jb1|")  # building 1 is the first
    floors = h.emu.last_message(BOB)
    await h.press(bob, floors, next(d for _, d in h.emu.buttons(floors) if d and d.endswith("|1")))
    units = h.emu.last_message(BOB)
    await h.press(bob, units, h.emu.find_button_by_text(units, "1-102"))
    await h.tap(bob, "jr1|owner")
    card = h.emu.last_message(LEADER)
    assert "Bob asks to join unit 1-102 as its owner" in (card.text or "")
    assert "Owner in the community file: 李秀英" in (card.text or "")
    await h.press(lee, card, h.emu.find_button_by_text(card, "Approve"))
    assert await residences(h, BOB) == [("1-102", "owner", "verified")]
    assert await claims_of(h, BOB) == [("confirmed", "leader")]


async def test_a_door_code_owner_votes_in_an_owners_decision_only_once_confirmed(
    harness: Harness,
) -> None:
    from tests.test_flow_votes import approve, ballot_message, propose, vote

    h = harness
    await h.start()
    reviewer = await officer(h, REVIEWER, "Rita", Role.COMMITTEE)
    author = h.emu.user(ANN, "Ann", "en")
    await h.command(author, "start", await owner_letter(h, "1-101"))
    pid = await propose(h, author, title="Repaint the stairs", building="1", item=4)
    await approve(h, reviewer, pid)
    await h.run_job("outbox")
    cat = h.emu.user(CAT, "Cat", "en")
    await door_code(h, cat, "1-103", "owner")
    assert "You are not confirmed as the owner of unit 1-103 yet" in text_of(h, CAT)
    await h.command(cat, "votes")
    assert "you cannot vote on an owners' decision" in text_of(h, CAT)
    assert not any((d or "").startswith("vc1|") for _, d in h.emu.buttons(h.emu.last_message(CAT)))
    before = await snapshot(h)
    unit = (await h.rows("SELECT id FROM units WHERE code = '1-103'"))[0][0]
    h.emu.press_button(cat, h.emu.last_message(CAT), f"vc1|{pid}|{unit}|approve")
    await h.settle()
    assert "not confirmed as the owner yet" in alert(h)
    assert await snapshot(h) == before
    # the same person, proven with the owner letter, now has a ballot and it counts
    await h.command(cat, "start", await owner_letter(h, "1-103"))
    await h.command(cat, "votes")
    ballot_message(h, CAT, pid)
    await vote(h, cat, pid, "approve")
    assert await h.rows(
        "SELECT voter_id, count_key, option FROM ballots WHERE superseded_at IS NULL"
    ) == [(CAT, "O-1-103", "approve")]
    assert h.emu.unanswered_callbacks() == []


async def test_an_owner_letter_works_once(harness: Harness) -> None:
    h = harness
    await h.start()
    ann, bob = h.emu.user(ANN, "Ann", "en"), h.emu.user(BOB, "Bob", "en")
    code = await owner_letter(h, "1-101")
    await h.command(ann, "start", code)
    before = await snapshot(h)
    await h.command(bob, "start", code)  # a neighbour who found the letter
    assert "This owner letter has already been used, so it cannot be used again" in text_of(h, BOB)
    await h.command(ann, "start", code)  # the owner again
    assert "You are already confirmed as the owner of unit 1-101." in text_of(h, ANN)
    assert await snapshot(h) == before
    assert await residences(h, BOB) == []
    # a letter replaced by a newer one, or printed for an owner the file no longer names
    old = await owner_letter(h, "1-102")
    newer = await owner_letter(h, "1-102")
    await h.command(bob, "start", old)
    assert "This owner letter is not valid" in text_of(h, BOB)
    assert h.db is not None
    async with h.db.transaction() as conn:
        await conn.execute(
            "UPDATE units SET owner_id = (SELECT id FROM owners WHERE code = 'O-1-103')"
            " WHERE code = '1-102'"
        )
    await h.command(bob, "start", newer)
    assert "the owner of unit 1-102 in the records has changed" in text_of(h, BOB)
    await h.command(bob, "start", "o_forged")
    assert "This owner letter is not valid" in text_of(h, BOB)
    assert await residences(h, BOB) == []


async def test_forged_stale_and_unentitled_presses_on_owner_claims(harness: Harness) -> None:
    h = harness
    await h.start()
    lee = await officer(h, LEADER, "Lee", Role.LEADER, "1")
    other = await officer(h, LEADER_2, "Otto", Role.LEADER, "2")  # another building's leader
    ann = h.emu.user(ANN, "Ann", "en")
    await door_code(h, ann, "1-101", "owner")
    card = h.emu.last_message(LEADER)
    claim_id = (await h.rows("SELECT id FROM owner_claims"))[0][0]
    before = await snapshot(h)
    await h.press(lee, card, f"oc1|{claim_id + 99}|1|0")  # no such claim
    assert "no longer valid" in alert(h)
    await h.press(other, card, f"oc1|{claim_id}|1|0")  # not their building
    assert "this is not open to you" in alert(h)
    await h.press(ann, card, f"oc1|{claim_id}|1|0")  # the claimant herself
    assert "this is not open to you" in alert(h)
    assert await snapshot(h) == before
    # a leader who claims their own home is not asked, and cannot confirm themselves
    await door_code(h, lee, "1-104", "owner")
    own = (await h.rows("SELECT MAX(id) FROM owner_claims"))[0][0]
    assert not any(
        f"oc1|{own}|" in (d or "") for m in h.emu.messages(LEADER) for _, d in h.emu.buttons(m)
    )
    await h.press(lee, card, f"oc1|{own}|1|0")
    assert "cannot confirm your own request" in alert(h)
    # answered once: the old button again (and "No" after "Yes") changes nothing
    await h.press(lee, card, f"oc1|{claim_id}|0|0")
    assert await claims_of(h, ANN) == [("refused", "leader")]
    assert "you are the owner of unit 1-101" in text_of(h, ANN)  # "could not confirm …"
    assert await residences(h, ANN) == [("1-101", "family", "verified")]
    settled = await snapshot(h)
    await h.press(lee, card, f"oc1|{claim_id}|1|0")
    assert "already answered: not confirmed" in alert(h)
    assert await snapshot(h) == settled
    assert h.emu.unanswered_callbacks() == []


async def test_managers_list_owner_claims_and_decide_there(harness: Harness) -> None:
    h = harness
    await h.start()
    manager = await officer(h, MANAGER, "Max", Role.MANAGER)
    lee = await officer(h, LEADER, "Lee", Role.LEADER, "1")
    ann, bob = h.emu.user(ANN, "Ann", "en"), h.emu.user(BOB, "Bob", "en")
    await door_code(h, ann, "1-102", "owner")  # building 1: its leader is asked
    lee_card = h.emu.last_message(LEADER)
    await door_code(h, bob, "2-101", "owner")  # building 2 has no leader: the manager is
    assert "Owner check for unit 2-101" in text_of(h, MANAGER)
    card = h.emu.last_message(MANAGER)
    await h.command(manager, "ownerclaims")
    listing = h.emu.last_message(MANAGER)
    text = listing.text or ""
    assert "Owner claims waiting for confirmation: 2" in text
    assert "1. Unit 1-102: Ann" in text and "Owner in the community file: 李秀英" in text
    assert "2. Unit 2-101: Bob" in text and "Owner in the community file: O-2-101" in text
    assert [t for t, _ in h.emu.buttons(listing)][:2] == [
        "1. Yes, the owner",
        "1. No, not the owner",
    ]
    # a leader sees their building's claims only; a resident has no list
    await h.command(lee, "ownerclaims")
    assert "Owner claims waiting for confirmation: 1" in text_of(h, LEADER)
    assert "2-101" not in text_of(h, LEADER)
    await h.command(ann, "ownerclaims")
    assert "this is not open to you" in text_of(h, ANN)
    # confirmed in the list: the list shows what is left, the card pushed earlier says so
    bob_claim = next(d for t, d in h.emu.buttons(listing) if t.startswith("2. Yes"))
    assert bob_claim is not None
    await h.press(manager, listing, bob_claim)
    assert await claims_of(h, BOB) == [("confirmed", "leader")]
    shown = h.emu.message(MANAGER, listing.message_id).text or ""
    assert "Owner claims waiting for confirmation: 1" in shown and "2-101" not in shown
    assert "confirmed as the owner by Max" in (h.emu.message(MANAGER, card.message_id).text or "")
    assert "you are now confirmed as the owner of unit 2-101" in text_of(h, BOB)
    await h.press(manager, listing, h.emu.find_button(listing, "oc1|"))  # Ann: Yes
    assert "No owner claims are waiting" in (h.emu.message(MANAGER, listing.message_id).text or "")
    assert "confirmed as the owner by Max" in (
        h.emu.message(LEADER, lee_card.message_id).text or ""
    )
    assert h.emu.unanswered_callbacks() == []


async def test_me_shows_the_claim_and_forgetme_leaves_no_trace_of_it(harness: Harness) -> None:
    h = harness
    await h.start()
    ann, bob = h.emu.user(ANN, "Ann", "en"), h.emu.user(BOB, "Bob", "en")
    await door_code(h, ann, "1-101", "owner")
    await h.command(ann, "me")
    me = text_of(h, ANN)
    assert "Unit 1-101: owner's family, confirmed" in me
    assert "Unit 1-101: owner claim, waiting for proof" in me
    await h.command(bob, "start", await owner_letter(h, "1-102"))
    for user in (ann, bob):
        await h.command(user, "forgetme")
        await h.tap(user, "fm1|1")
    assert await h.rows("SELECT COUNT(*) FROM owner_claims") == [(0,)]
    # the letter stays spent (it cannot be used again), but no longer leads to the person
    assert await h.rows("SELECT used_by, used_at IS NOT NULL FROM owner_codes") == [(None, 1)]


async def test_a_claim_proven_by_the_letter_settles_the_leaders_card(harness: Harness) -> None:
    h = harness
    await h.start()
    lee = await officer(h, LEADER, "Lee", Role.LEADER, "1")
    ann = h.emu.user(ANN, "Ann", "en")
    await door_code(h, ann, "1-101", "owner")
    card = h.emu.last_message(LEADER)
    yes = h.emu.find_button(card, "oc1|")
    await h.command(ann, "start", await owner_letter(h, "1-101"))
    assert await residences(h, ANN) == [("1-101", "owner", "verified")]
    assert await claims_of(h, ANN) == [("confirmed", "code")]
    edited = h.emu.message(LEADER, card.message_id)
    assert edited.text == "Unit 1-101: Ann is confirmed as the owner (with the owner letter)."
    assert h.emu.buttons(edited) == []
    settled = await snapshot(h)
    await h.press(lee, card, yes)  # the old button, pressed late
    assert "already confirmed" in alert(h)
    assert await snapshot(h) == settled
