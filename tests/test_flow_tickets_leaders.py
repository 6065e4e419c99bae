"""Tickets, building leaders' and grid workers' read-only view, through the emulator:
/buildingtickets (their buildings only, open only, soonest deadline first, overdue marked), the
read-only summary (no staff buttons, no author, no unit, no complaint text), a forged press for
another building's ticket, a resident without a role, the menu button, staff seeing everything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.rules.auth import Role
from bot.rules.tickets import OPEN_STATES, Kind, State
from storage import tickets as store
from storage.db import Database, fetch_all, fetch_value
from tests.conftest import Harness
from tests.test_flow_tickets import (
    RESIDENT,
    STAFF,
    building_id,
    last,
    officer,
    report_public,
    setup,
    verified,
)
from tests.test_storage import load

LEADER1, LEADER2, GRID2, PLAIN = 6001, 6002, 6003, 6004
NEIGHBOUR_B2 = 3005

REFUSED = "Sorry, this ticket is not in a building you look after."


async def leader(
    h: Harness, uid: int, name: str, role: Role, building: str, lang: str = "en"
) -> dict[str, Any]:
    user = h.emu.user(uid, name, lang)
    await h.command(user, "start")
    await h.grant(uid, role, building)
    return user


async def ticket_ids(h: Harness) -> dict[str, int]:
    """{description: ticket id}."""
    return {d: i for i, d in await h.rows("SELECT id, description FROM tickets")}


async def anonymous_complaint(h: Harness, user: dict[str, Any], building: str) -> None:
    await h.command(user, "report")
    await h.tap(user, "tk1|complaint")
    await h.tap(user, "tc1|noise")
    await h.tap(user, "tp1")
    await h.tap(user, f"tb1|{await building_id(h, building)}")
    await h.text(user, "4F")
    await h.text(user, "The family in 1-402 drills at night")
    await h.tap(user, "tn1|anon")
    await h.tap(user, "tn1|ok")


async def home_repair(h: Harness, user: dict[str, Any], unit: str) -> None:
    await h.command(user, "report")
    unit_id = (await h.rows("SELECT id FROM units WHERE code = ?", (unit,)))[0][0]
    await h.tap(user, f"te1|{unit_id}")
    await h.tap(user, "tc1|leak")
    await h.text(user, "Water drips from my bathroom ceiling")
    await h.tap(user, "tn1|ok")


async def withdraw(h: Harness, user: dict[str, Any], ticket_id: int) -> None:
    msg = h.emu.last_message(user["id"])
    await h.press(user, msg, f"tw1|{ticket_id}|1")
    assert f"Ticket #{ticket_id} is withdrawn." in last(h, user["id"])


async def community_with_tickets(h: Harness) -> dict[str, int]:
    """Building 1: a low-priority public repair (older), a normal one (newer, due sooner), a
    withdrawn one, an anonymous complaint and a home repair; building 2: one public repair."""
    await setup(h)
    ann = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(ann, "start")
    await report_public(h, ann, "sanitation", "1", "1F lobby", "Rubbish bins overflow")
    h.clock.advance(timedelta(minutes=10))
    await report_public(h, ann, "lighting", "1", "3F corridor", "The corridor light is off")
    await report_public(h, ann, "water_power", "1", "5F", "Socket sparks in the stairwell")
    ids = await ticket_ids(h)
    await withdraw(h, ann, ids["Socket sparks in the stairwell"])
    bob = h.emu.user(NEIGHBOUR_B2, "Bob", "en")
    await h.command(bob, "start")
    await report_public(h, bob, "lighting", "2", "2F", "Building two lamp broken")
    cat = await verified(h, 3010, "Cathy", "1-302")
    await anonymous_complaint(h, cat, "1")
    await home_repair(h, cat, "1-302")
    return await ticket_ids(h)


def button_data(h: Harness, msg: Any) -> list[str]:
    return [d for _, d in h.emu.buttons(msg) if d is not None]


def alert_of(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def test_leader_sees_own_buildings_open_tickets_soonest_deadline_first(
    harness: Harness,
) -> None:
    ids = await community_with_tickets(harness)
    boss = await leader(harness, LEADER1, "Lou", Role.LEADER, "1")
    await harness.command(boss, "buildingtickets")
    listing = harness.emu.last_message(LEADER1)
    body = listing.body
    # open tickets of building 1 only: not building 2's, not the withdrawn one
    assert "4 open tickets in your buildings, soonest deadline first:" in body
    assert "Building two lamp broken" not in body and "2号楼" not in body
    assert f"#{ids['Building two lamp broken']} " not in body
    assert f"#{ids['Socket sparks in the stairwell']} " not in body
    # normal priority (2 h) before low (24 h) although reported later; category in English
    lighting, sanitation = ids["The corridor light is off"], ids["Rubbish bins overflow"]
    leak = ids["Water drips from my bathroom ceiling"]
    noise = ids["The family in 1-402 drills at night"]
    assert button_data(harness, listing) == [
        f"tl1|{lighting}",
        f"tl1|{leak}",
        f"tl1|{sanitation}",
        f"tl1|{noise}",
    ]
    assert f"#{lighting} Public lighting · Building 1, 3F corridor" in body
    line = next(x for x in body.split("\n\n") if x.startswith(f"#{lighting} "))
    assert "new, waiting for staff · open for 1 minute · due " in line
    line = next(x for x in body.split("\n\n") if x.startswith(f"#{sanitation} "))
    assert "open for 10 minutes" in line
    assert "past its deadline" not in body
    # the unit of a home and of the complainant never show; the home shows its floor
    assert "1-302" not in body and "Cathy" not in body and "Ann" not in body
    assert "Building 1, a home on floor 3" in body
    # three hours later (13:10, service hours) the 2-hour response targets are missed
    harness.clock.advance(timedelta(hours=3))
    await harness.command(boss, "buildingtickets")
    later = last(harness, LEADER1)
    line = next(x for x in later.split("\n\n") if x.startswith(f"#{lighting} "))
    assert "⚠ past its deadline by 1 hour" in line
    line = next(x for x in later.split("\n\n") if x.startswith(f"#{sanitation} "))
    assert "past its deadline" not in line and "due " in line


async def test_grid_worker_sees_their_grid_in_their_language(harness: Harness) -> None:
    ids = await community_with_tickets(harness)
    grid = await leader(harness, GRID2, "网格员小周", Role.GRID, "2", "zh-hans")
    await harness.command(grid, "buildingtickets")
    listing = harness.emu.last_message(GRID2)
    assert "您负责的楼栋有 1 张待处理工单" in listing.body
    assert (
        f"#{ids['Building two lamp broken']} 公共照明 · 2号楼，2F" in listing.body
        and "已等待" in listing.body
    )
    assert button_data(harness, listing) == [f"tl1|{ids['Building two lamp broken']}"]


async def test_summary_is_read_only_and_keeps_residents_private(harness: Harness) -> None:
    ids = await community_with_tickets(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    lighting = ids["The corridor light is off"]
    await harness.press(staff, harness.emu.messages(-1001000)[1], f"ta1|{lighting}|acc")
    assert await harness.rows("SELECT state FROM tickets WHERE id = ?", (lighting,)) == [
        ("accepted",)
    ]
    boss = await leader(harness, LEADER1, "Lou", Role.LEADER, "1")
    await harness.command(boss, "buildingtickets")
    # a public-area repair: description, staff name, history, and only a "back" button
    summary = await harness.tap(boss, f"tl1|{lighting}")
    assert f"Ticket #{lighting}: Repair, Public lighting" in summary.body
    assert "Where: Building 1, 3F corridor" in summary.body
    assert "State: accepted, being handled" in summary.body
    assert "Reported: " in summary.body and "Resolution due: " in summary.body
    assert "Assigned to: Sam" in summary.body
    assert "Description: The corridor light is off" in summary.body
    assert "History:" in summary.body and "reported" in summary.body
    assert "accepted" in summary.body.split("History:")[1]
    assert "Ann" not in summary.body
    assert button_data(harness, summary) == ["m1|buildingtickets"]
    # the anonymous complaint: no author, no unit, not what was written
    await harness.tap(boss, "m1|buildingtickets")
    complaint = await harness.tap(boss, f"tl1|{ids['The family in 1-402 drills at night']}")
    assert "Complaint, Noise / neighbours" in complaint.body
    assert "Where: Building 1, 4F" in complaint.body
    assert "Cathy" not in complaint.body and "1-302" not in complaint.body
    assert "1-402" not in complaint.body and "drills" not in complaint.body
    assert "What the resident wrote stays with the property staff." in complaint.body
    assert button_data(harness, complaint) == ["m1|buildingtickets"]
    # a repair inside a home: the floor, not the unit, and not the resident's words
    await harness.tap(boss, "m1|buildingtickets")
    home = await harness.tap(boss, f"tl1|{ids['Water drips from my bathroom ceiling']}")
    assert "Where: Building 1, a home on floor 3" in home.body
    assert "1-302" not in home.body and "Cathy" not in home.body
    assert "bathroom" not in home.body
    assert harness.emu.unanswered_callbacks() == []


async def test_forged_press_for_another_buildings_ticket_is_refused(harness: Harness) -> None:
    ids = await community_with_tickets(harness)
    other = await leader(harness, LEADER2, "Lee", Role.LEADER, "2")
    await harness.command(other, "buildingtickets")
    listing = harness.emu.last_message(LEADER2)
    before = harness.emu.messages(LEADER2)
    mark = harness.emu.mark()
    # a ticket of building 1, and one that does not exist: the same refusal, nothing shown
    for forged in (ids["The corridor light is off"], 999):
        await harness.press(other, listing, f"tl1|{forged}")
        assert alert_of(harness) == REFUSED
        assert harness.emu.calls_of("answerCallbackQuery")[-1].params.get("show_alert") is True
    assert harness.emu.calls_of("sendMessage", after=mark) == []
    assert harness.emu.calls_of("editMessageText", after=mark) == []
    assert harness.emu.messages(LEADER2) == before
    # their own building's ticket opens
    await harness.press(other, listing, f"tl1|{ids['Building two lamp broken']}")
    assert "Building two lamp broken" in last(harness, LEADER2)
    # a resident without a role pressing a forged button is refused too
    plain = harness.emu.user(PLAIN, "Pat", "en")
    await harness.command(plain, "start")
    mark = harness.emu.mark()
    await harness.press(
        plain, harness.emu.last_message(PLAIN), f"tl1|{ids['Building two lamp broken']}"
    )
    assert alert_of(harness) == REFUSED
    assert harness.emu.calls_of("sendMessage", after=mark) == []
    assert harness.emu.calls_of("editMessageText", after=mark) == []
    assert harness.emu.unanswered_callbacks() == []


async def test_a_leader_who_lost_the_role_is_refused_on_the_next_press(harness: Harness) -> None:
    ids = await community_with_tickets(harness)
    boss = await leader(harness, LEADER1, "Lou", Role.LEADER, "1")
    await harness.command(boss, "buildingtickets")
    listing = harness.emu.last_message(LEADER1)
    assert harness.db is not None
    async with harness.db.transaction() as conn:
        await conn.execute("DELETE FROM roles WHERE user_id = ?", (LEADER1,))
    mark = harness.emu.mark()
    await harness.press(boss, listing, f"tl1|{ids['The corridor light is off']}")
    assert alert_of(harness) == REFUSED
    assert harness.emu.calls_of("editMessageText", after=mark) == []


async def test_resident_without_a_role_gets_a_polite_refusal(harness: Harness) -> None:
    await community_with_tickets(harness)
    plain = await verified(harness, PLAIN, "Pat", "1-101")
    await harness.command(plain, "buildingtickets")
    text = last(harness, PLAIN)
    assert text == (
        "This list is for building leaders, grid workers and property staff. "
        "To see your own tickets, send /mytickets."
    )
    zh = harness.emu.user(PLAIN + 1, "老王", "zh-hans")
    await harness.command(zh, "start")
    await harness.command(zh, "buildingtickets")
    assert "这个列表是给楼栋长、网格员和物业人员看的" in last(harness, PLAIN + 1)


async def test_menu_button_only_for_leaders_and_grid_workers(harness: Harness) -> None:
    await community_with_tickets(harness)
    plain = harness.emu.user(PLAIN, "Pat", "en")
    await harness.command(plain, "start")
    assert "m1|buildingtickets" not in button_data(harness, harness.emu.last_message(PLAIN))
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await harness.command(staff, "start")
    assert "m1|buildingtickets" not in button_data(harness, harness.emu.last_message(STAFF))
    grid = await leader(harness, GRID2, "Gus", Role.GRID, "2")
    await harness.command(grid, "start")
    assert "m1|buildingtickets" in button_data(harness, harness.emu.last_message(GRID2))
    boss = await leader(harness, LEADER1, "Lou", Role.LEADER, "1")
    await harness.command(boss, "start")
    menu = harness.emu.last_message(LEADER1)
    assert ("Open tickets in my buildings", "m1|buildingtickets") in harness.emu.buttons(menu)
    listing = await harness.tap(boss, "m1|buildingtickets")
    assert "4 open tickets in your buildings" in listing.body
    # /help lists the command for leaders, not for a plain resident
    await harness.command(boss, "help")
    assert "/buildingtickets" in last(harness, LEADER1)
    await harness.command(plain, "help")
    assert "/buildingtickets" not in last(harness, PLAIN)
    assert harness.emu.unanswered_callbacks() == []


async def test_staff_see_all_buildings_and_an_empty_list_is_said(harness: Harness) -> None:
    ids = await community_with_tickets(harness)
    staff = await officer(harness, STAFF, "Sam", Role.STAFF)
    await harness.command(staff, "buildingtickets")
    listing = harness.emu.last_message(STAFF)
    assert "5 open tickets in all buildings, soonest deadline first:" in listing.body
    assert f"tl1|{ids['Building two lamp broken']}" in button_data(harness, listing)
    summary = await harness.tap(staff, f"tl1|{ids['Building two lamp broken']}")
    assert button_data(harness, summary) == ["m1|buildingtickets"]  # read-only here too
    # a leader of building 3, where nothing is open
    empty = await leader(harness, LEADER2, "Lee", Role.LEADER, "3")
    await harness.command(empty, "buildingtickets")
    assert last(harness, LEADER2) == "There are no open tickets in your buildings now."


async def test_open_in_buildings_query_on_a_real_file(tmp_path: Path) -> None:
    """Open tickets of the given buildings only, soonest deadline first (stopped clocks last),
    limited, with the full count; and the query uses the partial index of open tickets."""
    db = await Database.open(tmp_path / "t.db")
    await load(db)
    async with db.transaction() as conn:
        b1, b2 = [
            await fetch_value(conn, "SELECT id FROM buildings WHERE code = ?", (code,))
            for code in ("1", "2")
        ]
        made: list[int] = []
        for building, due, state in [
            (b1, 5000, State.NEW),
            (b1, 3000, State.ACCEPTED),
            (b1, None, State.WAITING_RESIDENT),
            (b1, 1000, State.CLOSED),
            (b2, 2000, State.NEW),
            (b1, 4000, State.ON_SITE),
        ]:
            tid = await store.create(
                conn,
                kind=Kind.REPAIR,
                category="lighting",
                priority="normal",
                building_id=building,
                unit_id=None,
                floor=1,
                place="1F",
                description="",
                voice_file_id=None,
                photos=[],
                anonymous=False,
                reporter_id=1,
                now=0,
            )
            await store.update_fields(
                conn, tid, state=state.value, resolution_due_at=due, response_due_at=None
            )
            made.append(tid)
        found, total = await store.open_in_buildings(conn, [b1], limit=3)
        assert [t.id for t in found] == [made[1], made[5], made[0]] and total == 4
        found, total = await store.open_in_buildings(conn, [b1, b2], limit=10)
        assert [t.id for t in found] == [made[4], made[1], made[5], made[0], made[2]]
        assert total == 5
        assert await store.open_in_buildings(conn, [], limit=10) == ([], 0)
        plan = await fetch_all(
            conn,
            "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE state IN "
            + store._OPEN_SQL
            + " AND building_id IN (?, ?)",
            (b1, b2),
        )
        assert any("tickets_open" in str(row[-1]) for row in plan), plan
    assert {x.strip(" '") for x in store._OPEN_SQL[1:-1].split(",")} == {
        s.value for s in OPEN_STATES
    }
    await db.close()
