"""Automatic assignment by the duty roster, through the emulator: the roster comes from the
community file (as ``residentbot init`` applies it); new tickets go round-robin among three
staff on duty, skipping the one over the workload limit; each assignee is told in private; staff
can still reassign; an urgent ticket outside service hours goes to the on-call person; without a
roster nothing is assigned."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from typing import Any

from bot.rules.auth import Role
from bot.rules.community import parse
from storage import community
from tests.conftest import EXAMPLE, Harness
from tests.test_flow_tickets import STAFF_CHAT, last, officer, report_public, setup

RESIDENT = 3001
SAM, WU, LI, NIGHT, MEG = 4101, 4102, 4103, 4104, 5001


async def roster_file(h: Harness, staff: list[int], on_call: int, limit: int = 2) -> None:
    """The example community file with a roster, applied as ``residentbot init`` does:
    ``staff`` on duty every day for every category, ``on_call`` every night, at most
    ``limit`` open tickets each."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["community"]["workload_limit"] = limit
    data["roster"] = [{"category": "*", "days": "every day", "staff": staff}]
    data["on_call"] = [{"days": "every day", "staff": on_call}]
    assert h.db is not None
    async with h.db.transaction() as conn:
        report = await community.apply_spec(conn, parse(data))
    assert "duty_roster" in report.changes


async def load_roster(h: Harness) -> None:
    """Sam, Wu and Li on duty every day, Night on call every night, two open tickets each."""
    await roster_file(h, [SAM, WU, LI], NIGHT)


async def staff_team(h: Harness) -> dict[str, dict[str, Any]]:
    return {
        name: await officer(h, uid, name, Role.STAFF)
        for name, uid in (("Sam", SAM), ("Wu", WU), ("Li", LI), ("Night", NIGHT))
    }


async def report(h: Harness, user: dict[str, Any], floor: int, category: str = "lighting") -> int:
    await report_public(h, user, category, "1", f"{floor}F hall", "The light is off")
    return int((await h.rows("SELECT MAX(id) FROM tickets"))[0][0])


async def assignees(h: Harness) -> list[tuple[int, int | None]]:
    return await h.rows("SELECT id, assignee_id FROM tickets ORDER BY id")


async def test_round_robin_across_three_on_duty_skipping_the_one_over_the_limit(
    harness: Harness,
) -> None:
    h = harness
    await setup(h)
    team = await staff_team(h)
    ann = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(ann, "start")
    # Li already holds two open tickets (given before the roster existed): at the limit
    for floor in (2, 3):
        await report(h, ann, floor)
    assert await assignees(h) == [(1, None), (2, None)]  # no roster yet: nobody assigned
    assert h.db is not None
    async with h.db.transaction() as conn:
        await conn.execute("UPDATE tickets SET assignee_id = ?", (LI,))
    await load_roster(h)

    for floor in (4, 5, 6, 7):
        await report(h, ann, floor)
    assert await assignees(h) == [(1, LI), (2, LI), (3, SAM), (4, WU), (5, SAM), (6, WU)]
    # each assignee was told in private, with the card's buttons to act on it
    for ticket_id, uid in ((3, SAM), (4, WU), (5, SAM), (6, WU)):
        told = [m for m in h.emu.messages(uid) if f"#{ticket_id}" in m.body]
        assert told and "you are on duty today" in told[0].body
        assert h.emu.find_button(told[0], f"ta1|{ticket_id}|acc")
    assert not [m for m in h.emu.messages(LI) if "on duty" in m.body]
    # the ticket stays unanswered until the assignee accepts; the staff chat's card says who
    assert await h.rows("SELECT state FROM tickets WHERE id = 3") == [("new",)]
    card = next(m for m in h.emu.messages(STAFF_CHAT) if "#3" in m.body)
    assert "处理人：Sam" in card.body
    actions = await h.rows(
        "SELECT action, detail FROM ticket_history WHERE ticket_id = 3 ORDER BY id"
    )
    assert actions == [("created", "repair"), ("assigned", "Sam"), ("roster", "duty")]

    # staff can still reassign: Sam gives ticket 3 to Li from the card
    await h.press(team["Sam"], card, "ta1|3|asg")
    await h.press(team["Sam"], card, f"tg1|3|{LI}")
    assert await h.rows("SELECT assignee_id FROM tickets WHERE id = 3") == [(LI,)]
    assert "A ticket was assigned to you." in last(h, LI)
    # Sam now holds one open ticket, Wu two: the next goes to Sam (Li is over the limit)
    await report(h, ann, 8)
    assert (await assignees(h))[-1] == (7, SAM)
    # now everyone is at the limit (Li 3, Sam 2, Wu 2): the next waits in the staff chat
    await report(h, ann, 9)
    assert (await assignees(h))[-1] == (8, None)
    # Wu resolves one; the turn is in the database: after a restart it goes on after Sam
    wu_card = next(m for m in h.emu.messages(STAFF_CHAT) if "#4" in m.body)
    await h.press(team["Wu"], wu_card, "ta1|4|res")
    await h.restart()
    await report(h, ann, 10)
    assert (await assignees(h))[-1] == (9, WU)
    assert h.emu.unanswered_callbacks() == []


async def test_urgent_at_night_goes_to_the_on_call_person(harness: Harness) -> None:
    h = harness
    await setup(h)
    await staff_team(h)
    await load_roster(h)
    ann = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(ann, "start")
    h.clock.advance(timedelta(hours=12))  # Monday 22:00 in Shanghai: outside service hours
    urgent = await report(h, ann, 3, "elevator")
    normal = await report(h, ann, 4, "lighting")
    rows = dict(await assignees(h))
    assert rows[urgent] == NIGHT
    assert "you are on call" in last(h, NIGHT)
    assert rows[normal] == SAM  # tomorrow morning's duty, first in turn
    details = await h.rows(
        "SELECT ticket_id, detail FROM ticket_history WHERE action = 'roster' ORDER BY id"
    )
    assert details == [(urgent, "on_call"), (normal, "duty")]


async def test_a_revoked_staff_member_is_skipped(harness: Harness) -> None:
    h = harness
    await setup(h)
    await staff_team(h)
    await load_roster(h)
    assert h.db is not None
    async with h.db.transaction() as conn:
        await conn.execute("DELETE FROM roles WHERE user_id = ?", (SAM,))
    ann = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(ann, "start")
    await report(h, ann, 3)
    assert await assignees(h) == [(1, WU)]


async def test_staff_see_the_roster_residents_do_not(harness: Harness) -> None:
    h = harness
    await setup(h)
    team = await staff_team(h)
    ann = h.emu.user(RESIDENT, "Ann", "en")
    await h.command(ann, "start")
    await h.command(team["Sam"], "roster")
    assert "There is no duty roster yet" in last(h, SAM)
    await load_roster(h)
    await report(h, ann, 3)
    await h.command(team["Sam"], "roster")
    text = last(h, SAM)
    assert "At most 2 open tickets each." in text
    assert "👉 Monday: everything: Sam, Wu, Li; on call at night: Night" in text
    assert "• Sunday: everything: Sam, Wu, Li; on call at night: Night" in text
    assert "Open tickets now: Sam 1, Wu 0, Li 0, Night 0" in text
    await h.command(ann, "roster")
    assert "not open to you" in last(h, RESIDENT)
