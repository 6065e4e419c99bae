"""Tickets, staff side, through the emulator: the card and its buttons (accept, assign, need
info with the clock stopped, on site, resolve, transfer, reject), two staff accepting at once,
forged presses, rating and "not fixed", /queue and /ticket, and the SLA sweep across restarts."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.rules.auth import Role
from bot.rules.tickets import State
from storage import tickets as store
from storage.db import Database
from tests.conftest import Harness
from tests.test_flow_tickets import (
    MANAGER,
    NEIGHBOUR,
    RESIDENT,
    STAFF,
    STAFF2,
    STAFF_CHAT,
    last,
    officer,
    report_public,
    setup,
)


def dump(path: Path, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


TICKET_TABLES = ("tickets", "ticket_history", "sla_reminders", "ticket_pauses", "outbox_cards")


async def opened(h: Harness, category: str = "lighting") -> dict[str, Any]:
    """A resident (English) reports a public-area problem: ticket #1, card in the staff chat."""
    await setup(h)
    user = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(user, "start")
    await report_public(h, user, category, "1", "3F corridor", "The corridor light is off")
    return user


def card(h: Harness) -> Any:
    return h.emu.messages(STAFF_CHAT)[0]


async def press_card(h: Harness, user: dict[str, Any], data: str) -> None:
    await h.press(user, card(h), data)


def alert(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def test_accept_assign_on_site_resolve_and_rate(harness: Harness) -> None:
    resident = await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    worker = await officer(harness, STAFF2, "Wu", Role.STAFF, "zh-hans")
    del worker
    await press_card(harness, staff, "ta1|1|acc")
    assert await harness.rows("SELECT state, accepted_by, assignee_id FROM tickets") == [
        ("accepted", STAFF, STAFF)
    ]
    assert "accepted by the property staff" in last(harness, RESIDENT)
    assert harness.emu.find_button(card(harness), "ta1|1|asg")
    assert "ta1|1|acc" not in [d for _, d in harness.emu.buttons(card(harness))]
    # assign: the card shows the staff list, then the assignee gets it privately
    await press_card(harness, staff, "ta1|1|asg")
    harness.emu.find_button(card(harness), f"tg1|1|{STAFF2}")
    await press_card(harness, staff, f"tg1|1|{STAFF2}")
    assert await harness.rows("SELECT assignee_id FROM tickets") == [(STAFF2,)]
    private = harness.emu.last_message(STAFF2)
    assert "1号楼" in private.body and harness.emu.find_button(private, "ta1|1|res")
    assert "given to Wu" in last(harness, RESIDENT)
    # on site, from the private copy; every card follows
    await harness.press(staff, private, "ta1|1|ons")
    assert await harness.rows("SELECT state FROM tickets") == [("on_site",)]
    assert "Staff are on site" in last(harness, RESIDENT)
    assert len(card(harness).history) >= 3  # edited in place, not re-posted
    await press_card(harness, staff, "ta1|1|res")
    assert await harness.rows("SELECT state FROM tickets") == [("resolved",)]
    rating = harness.emu.last_message(RESIDENT)
    assert "marked as resolved" in rating.body
    assert [d for _, d in harness.emu.buttons(rating)][:5] == [f"tv1|1|{n}" for n in range(1, 6)]
    assert card(harness).reply_markup is None
    await harness.press(resident, rating, "tv1|1|4")
    assert "Thank you for rating" in last(harness, RESIDENT)
    await harness.text(resident, "Quick and friendly")
    assert await harness.rows("SELECT state, rating, rating_comment FROM tickets") == [
        ("closed", 4, "Quick and friendly")
    ]
    actions = [r[0] for r in await harness.rows("SELECT action FROM ticket_history ORDER BY id")]
    assert actions == ["created", "acc", "assigned", "ons", "res", "rated"]
    assert await harness.rows("SELECT COUNT(*) FROM sla_reminders WHERE sent_at IS NULL") == [(0,)]
    assert harness.emu.unanswered_callbacks() == []


async def test_need_info_stops_the_clock_and_the_answer_comes_back(harness: Harness) -> None:
    resident = await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    before = (await harness.rows("SELECT resolution_due_at FROM tickets"))[0][0]
    await press_card(harness, staff, "ta1|1|ask")
    assert "What should I ask the resident" in last(harness, STAFF)
    await harness.text(staff, "Which lamp exactly, near the lift?")
    assert "SLA clock of ticket #1 is stopped" in last(harness, STAFF)
    assert await harness.rows("SELECT state, resolution_due_at, asked_by FROM tickets") == [
        ("waiting_resident", None, STAFF)
    ]
    question = harness.emu.last_message(RESIDENT)
    assert "Which lamp exactly" in question.body
    harness.clock.advance(timedelta(hours=1))
    await harness.press(resident, question, "ti1|1")
    harness.emu.send_voice(resident)
    await harness.settle()
    assert "passed it on" in last(harness, RESIDENT)
    state, after = (await harness.rows("SELECT state, resolution_due_at FROM tickets"))[0]
    assert state == "accepted"
    assert after == before + 3600  # the deadline moved by the hour spent waiting
    due = await harness.rows(
        "SELECT due_at FROM sla_reminders WHERE stage = 'resolution_breach' AND sent_at IS NULL"
    )
    assert due == [(after,)]
    pushed = harness.emu.messages(STAFF)
    assert "The resident answered about ticket #1" in pushed[-2].body
    assert pushed[-1].kind == "voice"
    assert await harness.rows("SELECT end_at - start_at FROM ticket_pauses") == [(3600,)]
    assert harness.emu.unanswered_callbacks() == []


async def test_transfer_and_reject_as_duplicate(harness: Harness) -> None:
    await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    before = (await harness.rows("SELECT response_due_at FROM tickets"))[0][0]
    await press_card(harness, staff, "ta1|1|trf")
    await press_card(harness, staff, "tx1|1|elevator")
    category, priority, after, created = (
        await harness.rows("SELECT category, priority, response_due_at, created_at FROM tickets")
    )[0]
    assert (category, priority) == ("elevator", "urgent")
    # urgent: 15 minutes from the report (24/7), instead of 2 service hours
    assert (before - created, after - created) == (2 * 3600, 15 * 60)
    assert "passed to the right team (Elevator)" in last(harness, RESIDENT)
    neighbour = harness.emu.user(NEIGHBOUR, "Ned", "en")
    await harness.command(neighbour, "start")
    await report_public(harness, neighbour, "lighting", "1", "5F lobby", "Lobby lamp flickers")
    await press_card(harness, staff, "ta1|1|rej")
    await press_card(harness, staff, "tr1|1|dup")
    assert "I have asked you in our private chat" in alert(harness)
    asked = harness.emu.last_message(STAFF)
    assert "a duplicate of which ticket" in asked.body
    assert harness.emu.find_button(asked, "td1|1|2")  # the building's other open ticket
    assert "td1|1|1" not in [d for _, d in harness.emu.buttons(asked)]
    await harness.text(staff, "1")  # not itself
    assert "not this one" in last(harness, STAFF)
    await harness.text(staff, "99")
    assert "no such ticket" in last(harness, STAFF)
    await harness.text(staff, "#2")
    assert "Write the reason for the resident" in last(harness, STAFF)
    assert await harness.rows("SELECT state FROM tickets ORDER BY id") == [("new",), ("new",)]
    await harness.text(staff, "Same lamp as ticket #2, being replaced today")
    assert "Done: ticket #1 is duplicate of another ticket" in last(harness, STAFF)
    assert await harness.rows("SELECT state, reason, duplicate_of FROM tickets WHERE id = 1") == [
        ("duplicate", "Same lamp as ticket #2, being replaced today", 2)
    ]
    told = last(harness, RESIDENT)
    assert "same problem as ticket #2 (Public lighting, " in told and "5F lobby" in told
    assert "You now follow ticket #2" in told and "Same lamp as ticket #2" in told
    assert await harness.rows("SELECT ticket_id, user_id FROM ticket_followers") == [(2, RESIDENT)]
    # the resident now hears about the original
    await harness.press(staff, harness.emu.messages(STAFF_CHAT)[1], "ta1|2|acc")
    assert "ticket #2 has been accepted" in last(harness, RESIDENT)
    assert card(harness).reply_markup is None
    # a stale press on the old card changes nothing
    before_rows = dump(harness.db_path, TICKET_TABLES)
    await press_card(harness, staff, "ta1|1|res")
    assert "no longer applies" in alert(harness)
    assert dump(harness.db_path, TICKET_TABLES) == before_rows
    assert harness.emu.unanswered_callbacks() == []


async def test_two_staff_accept_at_the_same_moment(harness: Harness) -> None:
    await opened(harness)
    first = await officer(harness, STAFF, "Sam", Role.STAFF)
    second = await officer(harness, STAFF2, "Wu", Role.STAFF)
    a = harness.emu.press_button(first, card(harness), "ta1|1|acc")
    b = harness.emu.press_button(second, card(harness), "ta1|1|acc")
    await harness.settle()
    assert await harness.rows("SELECT state, accepted_by FROM tickets") == [("accepted", STAFF)]
    assert harness.emu.callback_answer(a) is not None
    loser = harness.emu.callback_answer(b)
    assert loser is not None and "Sam already accepted ticket #1" in loser.get("text", "")
    assert await harness.rows("SELECT COUNT(*) FROM ticket_history WHERE action = 'acc'") == [(1,)]


async def test_concurrent_accepts_on_two_connections(tmp_path: Path) -> None:
    """The conditional UPDATE decides: two processes accepting at once, exactly one wins."""
    path = tmp_path / "t.db"
    one, two = await Database.open(path), await Database.open(path)
    async with one.transaction() as conn:
        await conn.execute("INSERT INTO buildings (id, code, name) VALUES (1, '1', 'B1')")
        ticket_id = await store.create(
            conn,
            kind=store.Kind.REPAIR,
            category="lighting",
            priority="normal",
            building_id=1,
            unit_id=None,
            floor=None,
            place="x",
            description="y",
            voice_file_id=None,
            photos=[],
            anonymous=False,
            reporter_id=1,
            now=0,
        )

    async def accept(db: Database, who: int) -> bool:
        async with db.transaction() as conn:
            await asyncio.sleep(0)
            return await store.transition(
                conn,
                ticket_id,
                [State.NEW],
                State.ACCEPTED,
                10,
                accepted_by=who,
            )

    results = await asyncio.gather(*(accept(db, who) for who, db in ((7, one), (8, two)) * 3))
    assert sorted(results) == [False] * 5 + [True]
    async with two.read() as conn:
        ticket = await store.get(conn, ticket_id)
    assert ticket is not None and ticket.state is State.ACCEPTED and ticket.accepted_by in (7, 8)
    await one.close()
    await two.close()


async def test_forged_presses_by_a_resident_change_nothing(harness: Harness) -> None:
    resident = await opened(harness)
    before = dump(harness.db_path, TICKET_TABLES)
    for data in (
        "ta1|1|acc",
        "ta1|1|res",
        "ta1|1|asg",
        "ta1|1|ask",
        f"tg1|1|{RESIDENT}",
        "tx1|1|elevator",
        "tr1|1|rej",
        "to1|1",
        "tv1|1|5",  # rating an unresolved ticket
        "ta1|999|acc",  # no such ticket
    ):
        for message in (card(harness), harness.emu.last_message(RESIDENT)):
            await harness.press(resident, message, data)
            text = alert(harness)
            refused = ("not open to you", "no longer", "is now", "private chat")
            assert any(word in text for word in refused), (data, text)
    await harness.command(resident, "queue")
    assert "this is not open to you" in last(harness, RESIDENT)
    await harness.command(resident, "ticket", "1")
    assert "this is not open to you" in last(harness, RESIDENT)
    assert dump(harness.db_path, TICKET_TABLES) == before
    assert harness.emu.unanswered_callbacks() == []


async def test_not_fixed_reopens_and_escalates_to_the_manager(harness: Harness) -> None:
    resident = await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await officer(harness, MANAGER, "Mia", Role.MANAGER)
    await press_card(harness, staff, "ta1|1|acc")
    await press_card(harness, staff, "ta1|1|res")
    rating = harness.emu.last_message(RESIDENT)
    await harness.press(resident, rating, "tv1|1|0")
    assert await harness.rows("SELECT state, reopen_count FROM tickets") == [("reopened", 1)]
    assert "reopened and the manager has been told" in last(harness, RESIDENT)
    escalation = harness.emu.last_message(MANAGER)
    assert "not fixed" in escalation.body and "Ann" in escalation.body
    assert harness.emu.find_button(escalation, "ta1|1|acc")
    actions = [r[0] for r in await harness.rows("SELECT action FROM ticket_history ORDER BY id")]
    assert actions[-2:] == ["reopened", "escalated"]
    assert harness.emu.find_button(card(harness), "ta1|1|acc")  # staff must take it again
    assert await harness.rows(
        "SELECT COUNT(*) FROM sla_reminders WHERE stage IN ('rating_ask', 'auto_close')"
    ) == [(0,)]


async def test_unrated_ticket_is_asked_again_then_closes(harness: Harness) -> None:
    await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await press_card(harness, staff, "ta1|1|res")
    count = len(harness.emu.messages(RESIDENT))
    harness.clock.advance(timedelta(hours=23))
    await harness.run_job("tickets-sla")
    assert len(harness.emu.messages(RESIDENT)) == count
    harness.clock.advance(timedelta(hours=2))
    await harness.run_job("tickets-sla")
    await harness.run_job("tickets-sla")
    asked = harness.emu.messages(RESIDENT)[count:]
    assert len(asked) == 1 and "resolved a day ago" in asked[0].body
    assert harness.emu.find_button(asked[0], "tv1|1|5")
    harness.clock.advance(timedelta(hours=24))
    await harness.run_job("tickets-sla")
    assert await harness.rows("SELECT state FROM tickets") == [("closed",)]
    assert len(harness.emu.messages(RESIDENT)) == count + 1
    assert "auto_closed" in [r[0] for r in await harness.rows("SELECT action FROM ticket_history")]


async def test_queue_and_ticket_command(harness: Harness) -> None:
    await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    resident = harness.emu.user(RESIDENT)
    await report_public(harness, resident, "elevator", "2", "lift A", "Stuck between floors")
    await harness.command(staff, "queue")
    listing = harness.emu.last_message(STAFF)
    labels = [t for t, _ in harness.emu.buttons(listing)]
    assert labels[0].startswith("#2") and labels[1].startswith("#1")  # the urgent one first
    await harness.press(staff, listing, "to1|2")
    opened_card = harness.emu.last_message(STAFF)
    assert "Ticket #2" in opened_card.body and harness.emu.find_button(opened_card, "ta1|2|acc")
    await harness.press(staff, opened_card, "ta1|2|acc")
    assert await harness.rows("SELECT state FROM tickets WHERE id = 2") == [("accepted",)]
    # the group card was edited too
    group_cards = [m for m in harness.emu.messages(STAFF_CHAT) if "#2" in m.body]
    assert group_cards and "ta1|2|acc" not in [d for _, d in harness.emu.buttons(group_cards[0])]
    await harness.command(staff, "ticket", "1")
    assert "Ticket #1" in last(harness, STAFF)
    await harness.command(staff, "ticket", "99")
    assert "There is no ticket #99" in last(harness, STAFF)
    await harness.command(staff, "ticket")
    assert "Please give a ticket number" in last(harness, STAFF)
    assert harness.emu.unanswered_callbacks() == []


async def test_reminders_due_while_down_are_sent_once_after_restart(harness: Harness) -> None:
    await opened(harness)
    await officer(harness, MANAGER, "Mia", Role.MANAGER)
    staff_before = len(harness.emu.messages(STAFF_CHAT))
    await harness.crash()
    harness.clock.advance(timedelta(hours=2, minutes=30))  # past the 2 h response target
    await harness.start(load_example=False)
    await harness.run_job("tickets-sla")
    await harness.run_job("tickets-sla")
    staff_msgs = harness.emu.messages(STAFF_CHAT)[staff_before:]
    reminders = [m.body for m in staff_msgs if "Reminder" in m.body or "提醒" in m.body]
    assert len(reminders) == 1, reminders  # response_warn: to the staff chat (nobody assigned)
    manager_msgs = [m.body for m in harness.emu.messages(MANAGER) if "#1" in m.body]
    assert len(manager_msgs) == 1 and "overdue" in manager_msgs[0]
    sent = await harness.rows(
        "SELECT stage FROM sla_reminders WHERE sent_at IS NOT NULL ORDER BY stage"
    )
    assert sent == [("response_breach",), ("response_warn",)]
    await harness.restart()
    await harness.run_job("tickets-sla")
    assert len(harness.emu.messages(MANAGER)) == len(manager_msgs) + 1  # only /start's menu


async def test_a_crash_between_sending_and_marking_resends_at_most_once(harness: Harness) -> None:
    await opened(harness)
    harness.clock.advance(timedelta(hours=1, minutes=40))  # response_warn is due
    assert harness.db is not None
    now = int(harness.clock().timestamp())
    async with harness.db.transaction() as conn:  # claimed (and perhaps sent), never marked
        claimed = await store.claim_due(conn, now)
    assert [r.stage for r in claimed] == ["response_warn"]
    count = len(harness.emu.messages(STAFF_CHAT))
    await harness.run_job("tickets-sla")
    assert len(harness.emu.messages(STAFF_CHAT)) == count  # still claimed: not sent twice
    harness.clock.advance(timedelta(minutes=3))  # the claim went stale
    await harness.run_job("tickets-sla")
    await harness.run_job("tickets-sla")
    assert len(harness.emu.messages(STAFF_CHAT)) == count + 1


async def test_team_chat_card_and_followers_hear_every_change(harness: Harness) -> None:
    team_chat = -1002000
    await setup(harness)
    harness.emu.group(team_chat, "电工班")
    assert harness.db is not None
    async with harness.db.transaction() as conn:
        await conn.execute(
            "UPDATE categories SET team_chat_id = ? WHERE code = 'lighting'", (team_chat,)
        )
    reporter = harness.emu.user(RESIDENT, "Ann", "en")
    follower = harness.emu.user(NEIGHBOUR, "Bob", "zh-hans")
    for user in (reporter, follower):
        await harness.command(user, "start")
    await report_public(harness, reporter, "lighting", "1", "3F corridor", "Dark")
    team_card = harness.emu.messages(team_chat)[0]
    assert "#1" in team_card.body and harness.emu.find_button(team_card, "ta1|1|acc")
    async with harness.db.transaction() as conn:
        await store.follow(conn, 1, NEIGHBOUR, 0)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await harness.press(staff, team_card, "ta1|1|acc")
    for chat in (STAFF_CHAT, team_chat):  # both cards edited in place
        assert "ta1|1|acc" not in [d for _, d in harness.emu.buttons(harness.emu.messages(chat)[0])]
    assert "accepted by the property staff" in last(harness, RESIDENT)
    assert "物业已收到您的报修" in last(harness, NEIGHBOUR)  # in the follower's language
    await harness.press(staff, team_card, "ta1|1|res")
    follower_msg = harness.emu.last_message(NEIGHBOUR)
    assert [d for _, d in harness.emu.buttons(follower_msg)] == ["tv1|1|0"]  # only "not fixed"
    await harness.press(follower, follower_msg, "tv1|1|0")
    assert await harness.rows("SELECT state FROM tickets") == [("reopened",)]
    assert harness.emu.unanswered_callbacks() == []


async def test_reject_with_the_standard_reason(harness: Harness) -> None:
    await opened(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await press_card(harness, staff, "ta1|1|rej")
    await press_card(harness, staff, "tr1|1|nor")
    # the sub-menu is gone from the card until the reason is given
    assert harness.emu.find_button(card(harness), "ta1|1|acc")
    await harness.tap(staff, "ts1|1|nor")
    assert await harness.rows("SELECT state, reason FROM tickets") == [
        ("not_our_responsibility", "this belongs to another body (e.g. the utility company)")
    ]
    assert "utility company" in last(harness, RESIDENT)
    assert card(harness).reply_markup is None
    # a second outcome on the closed ticket is refused and changes nothing
    before = dump(harness.db_path, TICKET_TABLES)
    await press_card(harness, staff, "tr1|1|rej")
    assert "no longer applies" in alert(harness)
    assert dump(harness.db_path, TICKET_TABLES) == before
    assert harness.emu.unanswered_callbacks() == []
