"""Peak moments through the emulator: people are served at the same time, each person's steps
in order; one person's flood is cut short with one polite message and slows nobody else.
(The flood guard on its own, table-driven, is at the end.)"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.updates import FloodGuard, InOrderPerPerson, Verdict
from tests.conftest import Harness
from tests.test_flow_tickets import verified

SLOW = 0.03  # seconds the emulator takes to answer each call: sequential work shows


def replies_to(h: Harness, chat_id: int) -> list[int]:
    """Indexes in emu.calls of the messages the bot sent to a chat, in order."""
    return [c.index for c in h.emu.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def test_each_persons_steps_run_in_order_while_people_run_at_once(
    harness: Harness,
) -> None:
    await harness.start()
    ann = await verified(harness, 3001, "Ann", "1-101")
    bob = await verified(harness, 3002, "Bob", "1-102")
    cat = harness.emu.user(3003, "Cat", "en")
    harness.emu.set_delay(SLOW)
    mark = harness.emu.mark()
    # Ann and Bob each start a proposal and type its title and text at once, interleaved;
    # Cat asks for help in the middle of it
    for user in (ann, bob):
        harness.emu.send_command(user, "propose")
    harness.emu.send_text(ann, "Ann's title")
    harness.emu.send_command(cat, "help")
    harness.emu.send_text(bob, "Bob's title")
    harness.emu.send_text(ann, "Ann's text: repaint the hall.")
    harness.emu.send_text(bob, "Bob's text: fix the gate.")
    await harness.settle()
    drafts = {
        int(key): json.loads(value)["vote_draft"]
        for key, value in await harness.rows(
            "SELECT key, value FROM ptb_data WHERE kind = 'user_data'"
        )
        if "vote_draft" in json.loads(value)
    }
    assert (drafts[3001]["title"], drafts[3001]["body"]) == (
        "Ann's title",
        "Ann's text: repaint the hall.",
    )
    assert (drafts[3002]["title"], drafts[3002]["body"]) == (
        "Bob's title",
        "Bob's text: fix the gate.",
    )
    # each person got their three answers in order: the title asked, the text, the audience
    for user_id in (3001, 3002):
        asked = [m.body for m in harness.emu.messages(user_id)][-3:]
        assert "What is its title?" in asked[0]
        assert "Now describe the proposal" in asked[1]
        assert "Who is it for?" in asked[2]
    # Cat was not kept waiting behind the two proposals: her answer came before theirs ended
    assert replies_to(harness, 3003)[0] < replies_to(harness, 3001)[-1]
    assert replies_to(harness, 3003)[0] < replies_to(harness, 3002)[-1]
    assert min(replies_to(harness, 3003)) >= mark
    assert harness.emu.unanswered_callbacks() == []


async def test_a_flood_gets_one_polite_message_and_does_not_delay_anyone_else(
    harness: Harness,
) -> None:
    await harness.start(flood_guard=FloodGuard(burst=20, rate=1.0))
    flooder = harness.emu.user(3101, "Fred", "en")
    other = harness.emu.user(3102, "Olga", "en")
    await harness.command(flooder, "start")
    await harness.command(other, "start")
    harness.emu.set_delay(SLOW)
    before = len(harness.emu.messages(3101))
    for n in range(200):
        harness.emu.send_text(flooder, f"hello {n}")
    harness.emu.send_command(other, "help")
    await harness.settle()
    told = [m.body for m in harness.emu.messages(3101)[before:]]
    slow_down = [t for t in told if "faster than I can read them" in t]
    assert len(slow_down) == 1
    assert len(told) <= 21  # at most the burst was answered, then one polite message
    # Olga's /help was answered while Fred's admitted messages were still being answered
    assert replies_to(harness, 3102)[-1] < replies_to(harness, 3101)[-1]
    # once Fred slows down he is served again
    harness.emu.set_delay(0)
    guard_time_passes(harness, seconds=5)
    await harness.text(flooder, "sorry")
    assert "faster than I can read them" not in harness.emu.last_message(3101).body


def guard_time_passes(h: Harness, seconds: float) -> None:
    """The flood guard measures real seconds: move its buckets back instead of sleeping."""
    assert h.app is not None
    guard = h.app.update_processor.guard  # type: ignore[attr-defined]
    for bucket in guard._people.values():
        bucket.stamp -= seconds


# ---------------------------------------------------------------------------------------------
# the flood guard alone


@pytest.mark.parametrize(
    ("times", "albums", "expected"),
    [
        # a burst of three at once, then the fourth is refused with a warning, the fifth dropped
        ([0, 0, 0, 0, 0], [None] * 5, "AAAWD"),
        # a token a second comes back; a flood that goes on is not warned again
        ([0, 0, 0, 0, 1.0, 1.0, 1.0], [None] * 7, "AAAWADD"),
        # after a real pause (half the burst refilled) a new flood hears it again
        ([0, 0, 0, 0, 5.0, 5.0, 5.0, 5.0], [None] * 8, "AAAWAAAW"),
        # one photo album of five at once is one act
        ([0] * 5 + [0, 0], ["g1"] * 5 + [None, None], "AAAAAAA"),
        # steady at the rate: never refused
        ([0, 1, 2, 3, 4, 5, 6, 7], [None] * 8, "AAAAAAAA"),
    ],
)
def test_flood_guard(times: list[float], albums: list[str | None], expected: str) -> None:
    guard = FloodGuard(burst=3, rate=1.0)
    letters = {Verdict.ADMIT: "A", Verdict.WARN: "W", Verdict.DROP: "D"}
    got = "".join(
        letters[guard.admit(42, 100.0 + t, album)] for t, album in zip(times, albums, strict=True)
    )
    assert got == expected


def test_each_person_has_their_own_budget() -> None:
    guard = FloodGuard(burst=2, rate=1.0)
    assert [guard.admit(1, 0.0) for _ in range(3)][-1] is Verdict.WARN
    assert guard.admit(2, 0.0) is Verdict.ADMIT


async def test_updates_are_fetched_only_when_there_is_room_to_start_them() -> None:
    """getUpdates waits (``room``) while as many updates are pending as can run at once, and
    goes on as soon as one finishes: at peak it then fetches a full batch."""
    processor = InOrderPerPerson(running=2)
    release = [asyncio.get_running_loop().create_future() for _ in range(2)]
    working = [asyncio.create_task(processor.do_process_update(None, gate)) for gate in release]
    await asyncio.sleep(0)  # both begin
    fetch = asyncio.create_task(processor.room())
    await asyncio.sleep(0)
    assert not fetch.done()  # two pending, two can run: no fetching
    release[0].set_result(None)
    await asyncio.wait_for(fetch, timeout=5)  # one finished: room for the next batch
    release[1].set_result(None)
    await asyncio.gather(*working)
    await asyncio.wait_for(processor.room(), timeout=5)  # idle: no wait at all
