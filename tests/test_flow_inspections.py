"""Inspection rounds through the emulator: a plan from the community file (``residentbot init``
applies it), its round made at the due time and sent to the assignee in private, ticks ok / not
ok (a photo where the plan asks), a "not ok" opening a linked ticket in the item's category
with its card in the staff chat; a round not done by its deadline escalated to the manager
exactly once, across a restart; the rounds in /stats."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.rules.auth import Role
from bot.rules.community import CommunityFileError, CommunitySpec, parse
from storage import community
from tests.conftest import EXAMPLE, SHANGHAI, Harness
from tests.test_flow_tickets import MANAGER, RESIDENT, STAFF, STAFF_CHAT, last, officer, setup

JOB = "inspections"

PLAN = """
[[inspections]]
code = "fire-1"
name = { zh_Hans = "1号楼消防巡查", en = "Building 1 fire round", zh_Hant = "1號樓消防巡查" }
building = "1"
place = "B1 stairwell"
every = "daily"
at = "09:00"
deadline_hours = 4
assignee = 4001

[[inspections.items]]
code = "extinguishers"
name = { zh_Hans = "灭火器", en = "Fire extinguishers", zh_Hant = "滅火器" }
category = "safety"
photo = true

[[inspections.items]]
code = "drains"
name = { zh_Hans = "屋顶排水", en = "Roof drains", zh_Hant = "屋頂排水" }
category = "leak"
"""


def spec_with(extra: str = PLAN) -> CommunitySpec:
    return parse(tomllib.loads(EXAMPLE.read_text(encoding="utf-8") + extra))


async def planned(h: Harness) -> None:
    """The example community with the plan above, applied as ``residentbot init`` does."""
    await setup(h)
    assert h.db is not None
    async with h.db.transaction() as conn:
        report = await community.apply_spec(conn, spec_with())
    assert report.changes["inspection_plans"] == ["added fire-1"]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def due_round(h: Harness) -> None:
    """The sweep schedules the plan (Tuesday 09:00), then makes its round when that comes."""
    await h.run_job(JOB)
    due = await h.rows("SELECT next_due_at FROM inspection_plans")
    assert due == [(int(at(24, 9).timestamp()),)]
    assert await h.rows("SELECT COUNT(*) FROM inspection_rounds") == [(0,)]
    h.clock.set(at(24, 9))
    await h.run_job(JOB)


async def staff_and_resident(h: Harness) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan applied; Sam (its assignee, staff) and Ann (a resident) have started the bot."""
    await planned(h)
    staff = await officer(h, STAFF, "Sam", Role.STAFF)
    resident = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(resident, "start")
    return staff, resident


def alert(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def test_a_round_from_its_due_time_to_a_not_ok_item_opening_a_linked_ticket(
    harness: Harness,
) -> None:
    staff, resident = await staff_and_resident(harness)
    await due_round(harness)
    rows = await harness.rows(
        "SELECT id, due_at, deadline_at, assignee_id, state FROM inspection_rounds"
    )
    assert rows == [(1, int(at(24, 9).timestamp()), int(at(24, 13).timestamp()), STAFF, "open")]
    assert await harness.rows("SELECT next_due_at FROM inspection_plans") == [
        (int(at(25, 9).timestamp()),)
    ]
    checklist = harness.emu.last_message(STAFF)
    assert "Inspection round: Building 1 fire round (1号楼 · B1 stairwell)" in checklist.body
    assert "▫️ Fire extinguishers (photo)" in checklist.body and "▫️ Roof drains" in checklist.body
    items = dict(await harness.rows("SELECT code, id FROM inspection_items"))
    drains, extinguishers = items["drains"], items["extinguishers"]
    assert [d for _, d in harness.emu.buttons(checklist)] == [
        f"ik1|1|{extinguishers}|1",
        f"ik1|1|{extinguishers}|0",
        f"ik1|1|{drains}|1",
        f"ik1|1|{drains}|0",
    ]
    # the same sweep again makes nothing more
    await harness.run_job(JOB)
    assert await harness.rows("SELECT COUNT(*) FROM inspection_rounds") == [(1,)]
    # a resident's forged press changes nothing
    await harness.press(resident, checklist, f"ik1|1|{drains}|0")
    assert "not open to you" in alert(harness)
    assert await harness.rows("SELECT COUNT(*) FROM inspection_results") == [(0,)]
    # ok, without a photo
    await harness.press(staff, checklist, f"ik1|1|{drains}|1")
    assert alert(harness) == "Checked."
    checklist = harness.emu.message(STAFF, checklist.message_id)
    assert "✅ Roof drains" in checklist.body
    assert f"ik1|1|{drains}|1" not in [d for _, d in harness.emu.buttons(checklist)]
    # pressed again (an old copy of the buttons): nothing changes
    await harness.press(staff, checklist, f"ik1|1|{drains}|0")
    assert "already checked" in alert(harness)
    # not ok, with the photo the plan asks for
    await harness.press(staff, checklist, f"ik1|1|{extinguishers}|0")
    assert 'Please send a photo of "Fire extinguishers"' in last(harness, STAFF)
    await harness.text(staff, "it is empty")
    assert "Please send a photo, or tap Cancel" in last(harness, STAFF)
    assert await harness.rows("SELECT COUNT(*) FROM inspection_results") == [(1,)]
    harness.emu.send_photo(staff)
    await harness.settle()
    assert "Not ok: ticket #1 is opened for it." in last(harness, STAFF)
    ticket = await harness.rows(
        "SELECT category, priority, state, reporter_id, place, description, photos FROM tickets"
    )
    assert len(ticket) == 1
    category, priority, state, reporter, place, description, photos = ticket[0]
    assert (category, priority, state, reporter, place) == (
        "safety",
        "urgent",
        "new",
        STAFF,
        "B1 stairwell",
    )
    assert "消防" in description and "灭火器" in description  # the community's language
    assert photos.count('"') == 2  # the one photo
    linked = await harness.rows(
        "SELECT item_id, ok, photo_file_id IS NOT NULL, ticket_id FROM inspection_results"
        " ORDER BY item_id"
    )
    assert sorted(linked) == sorted([(drains, 1, 0, None), (extinguishers, 0, 1, 1)])
    assert await harness.rows(
        "SELECT action, detail FROM ticket_history WHERE action = 'inspection'"
    ) == [("inspection", "1")]
    card, photo = harness.emu.messages(STAFF_CHAT)  # the card, then the round's photo
    assert "#1" in card.body and harness.emu.find_button(card, "ta1|1|acc")
    assert photo.kind == "photo"
    # a tick forged on a group's message is sent to the private chat, nothing changes
    await harness.press(staff, card, f"ik1|1|{drains}|0")
    assert "in a private chat" in alert(harness)
    assert await harness.rows("SELECT COUNT(*) FROM inspection_results") == [(2,)]
    assert await harness.rows("SELECT state, done_at IS NOT NULL FROM inspection_rounds") == [
        ("done", 1)
    ]
    checklist = harness.emu.message(STAFF, checklist.message_id)
    assert "❌ Fire extinguishers → ticket #1" in checklist.body
    assert "Round done: every item checked, 1 not ok." in checklist.body
    assert harness.emu.buttons(checklist) == []
    assert harness.emu.unanswered_callbacks() == []


async def test_a_missed_round_is_escalated_to_the_manager_once_across_a_restart(
    harness: Harness,
) -> None:
    await planned(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await officer(harness, MANAGER, "Meg", Role.MANAGER)
    await due_round(harness)
    checklist = harness.emu.last_message(STAFF)
    drains = (await harness.rows("SELECT id FROM inspection_items WHERE code = 'drains'"))[0][0]
    await harness.press(staff, checklist, f"ik1|1|{drains}|1")
    before = len(harness.emu.messages(MANAGER))
    harness.clock.set(at(24, 12, 59))
    await harness.run_job(JOB)
    assert len(harness.emu.messages(MANAGER)) == before  # not yet
    harness.clock.set(at(24, 13))
    await harness.run_job(JOB)
    told = harness.emu.messages(MANAGER)[before:]
    assert len(told) == 1
    assert "not done in time: Building 1 fire round" in told[0].body
    assert "1 of 2 items are checked. Assigned to: Sam." in told[0].body
    assert await harness.rows("SELECT escalated_at FROM inspection_rounds") == [
        (int(at(24, 13).timestamp()),)
    ]
    await harness.restart()
    harness.clock.advance(timedelta(minutes=5))
    await harness.run_job(JOB)
    harness.clock.advance(timedelta(hours=1))
    await harness.run_job(JOB)
    assert len(harness.emu.messages(MANAGER)) == before + 1
    # the round can still be finished late
    checklist = harness.emu.message(STAFF, checklist.message_id)
    extinguishers = (
        await harness.rows("SELECT id FROM inspection_items WHERE code = 'extinguishers'")
    )[0][0]
    await harness.press(staff, checklist, f"ik1|1|{extinguishers}|1")
    harness.emu.send_photo(staff)
    await harness.settle()
    assert await harness.rows("SELECT state FROM inspection_rounds") == [("done",)]
    assert await harness.rows("SELECT COUNT(*) FROM tickets") == [(0,)]


async def test_rounds_and_their_results_in_stats(harness: Harness) -> None:
    await planned(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    manager = await officer(harness, MANAGER, "Meg", Role.MANAGER)
    await due_round(harness)
    drains = (await harness.rows("SELECT id FROM inspection_items WHERE code = 'drains'"))[0][0]
    await harness.press(staff, harness.emu.last_message(STAFF), f"ik1|1|{drains}|0")
    harness.clock.set(at(25, 9))
    await harness.run_job(JOB)  # Wednesday's round, left undone
    harness.clock.set(at(25, 14))
    await harness.run_job(JOB)
    await harness.command(manager, "stats")
    await harness.press(manager, harness.answer(MANAGER, "sp1|"), "sp1|tw|0|0")
    report = next(m for m in harness.answers(MANAGER) if m.kind == "text")
    assert (
        "Inspection rounds: 2 due, 0 done on time, 0 done late, 2 missed, 0 still open; "
        "1 items checked, 1 not ok (1 tickets opened)."
    ) in report.body


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('building = "1"', 'building = "99"'), "inspections[0].building"),
        (('every = "daily"', 'every = "hourly"'), "inspections[0].every must be"),
        (('category = "leak"', 'category = "roof"'), "items[1].category: no category"),
        (("assignee = 4001", 'assignee = "Sam"'), "inspections[0].assignee must be"),
        (("deadline_hours = 4", "deadline_hours = 0"), "deadline_hours must be a positive"),
    ],
)
def test_the_community_file_s_plans_are_checked(change: tuple[str, str], problem: str) -> None:
    with pytest.raises(CommunityFileError) as caught:
        spec_with(PLAN.replace(*change))
    assert any(problem in p for p in caught.value.problems), caught.value.problems


async def test_rounds_lists_plans_and_open_rounds_and_opens_a_checklist_again(
    harness: Harness,
) -> None:
    staff, resident = await staff_and_resident(harness)
    await harness.command(resident, "rounds")
    assert "not open to you" in last(harness, RESIDENT)
    await harness.command(staff, "rounds")
    text = last(harness, STAFF)
    assert "• Building 1 fire round (1号楼 · B1 stairwell): every day at 09:00;" in text
    assert "first round being scheduled; Sam" in text and "Every round is done." in text
    await due_round(harness)
    harness.clock.set(at(24, 14))
    await harness.command(staff, "rounds")
    listing = harness.emu.last_message(STAFF)
    assert "next tomorrow 9:00; Sam" in listing.body
    assert "Building 1 fire round, due today 9:00: 0 of 2 checked (past its deadline)" in (
        listing.body
    )
    await harness.press(staff, listing, "ip1|1")
    copy = harness.emu.last_message(STAFF)
    assert "Inspection round: Building 1 fire round" in copy.body
    drains = (await harness.rows("SELECT id FROM inspection_items WHERE code = 'drains'"))[0][0]
    await harness.press(staff, copy, f"ik1|1|{drains}|1")
    assert "✅ Roof drains" in harness.emu.message(STAFF, copy.message_id).body  # the new copy
    rows = await harness.rows("SELECT COUNT(*) FROM outbox")
    await harness.press(resident, listing, "ip1|1")  # forged by a resident
    assert "not open to you" in alert(harness)
    await harness.press(staff, listing, "ip1|99")
    assert "no longer valid" in alert(harness)
    assert await harness.rows("SELECT COUNT(*) FROM outbox") == rows


async def test_without_a_manager_a_missed_round_goes_to_the_staff_chat(harness: Harness) -> None:
    await planned(harness)
    await officer(harness, STAFF, "Sam", Role.STAFF)
    await due_round(harness)
    harness.clock.set(at(24, 13))
    await harness.run_job(JOB)
    told = harness.emu.last_message(STAFF_CHAT)
    assert "巡检没有按时完成" in told.body and "负责人：Sam" in told.body
    await harness.run_job(JOB)
    assert len(harness.emu.messages(STAFF_CHAT)) == 1
