"""The authorisation matrix: commands and rights-gated button actions × every role, with the
expected allow / deny written out below, driven through the emulator on one harness. A denied
action gets one of the polite refusals (``DENIALS``) and changes no table; the README's Rights
table must say the same for the rows it shares with the matrix (``README_ROWS``).

The roles: an administrator, a property manager, staff, a committee member, the leader and the
grid worker of building 2, an owner and a tenant of building 2 (confirmed), and someone who
started the bot without joining ("none"). The objects are those of ``tests.world`` (building 2).

Covered: every command of every feature, and the rights-gated button actions listed in
``PRESSES``: deciding a join request and an owner claim, approving a proposal and a booking,
withdrawing an approved proposal, casting a ballot, accepting a ticket, moving and cancelling
a meeting, cancelling a scheduled notice, marking an outage restored (the roles denied press first, on an untouched
object; a one-time decision gets a fresh object per presser). Every other button's data,
forged or replayed by a resident, a leader and staff, is
``tests/test_forged_presses_hypothesis.py``'s."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.rules.auth import Relation, Role
from bot.rules.tickets import Kind
from storage import incidents, owners, people, points, volunteering
from storage import tickets as tickets_store
from storage import votes as votes_store
from tests.conftest import SHANGHAI, Harness
from tests.world import OLGA, World, build_world, dump

ROLES = ("admin", "manager", "staff", "committee", "leader", "grid", "owner", "tenant", "none")
IDS = dict(zip(ROLES, range(8001, 8010), strict=True))
GROUP = -1001000000777

#: What each role may do: Y allowed, . denied; columns in the order of ROLES.
#: admin manager staff committee leader grid owner tenant none
MATRIX: dict[str, str] = {
    "/start": "Y Y Y Y Y Y Y Y Y",
    "/menu": "Y Y Y Y Y Y Y Y Y",
    "/help": "Y Y Y Y Y Y Y Y Y",
    "/me": "Y Y Y Y Y Y Y Y Y",
    "/language": "Y Y Y Y Y Y Y Y Y",
    "/forgetme": "Y Y Y Y Y Y Y Y Y",
    "/join": "Y Y Y Y Y Y Y Y Y",
    "/ownerclaims": ". Y Y . Y Y . . .",
    "/report": "Y Y Y Y Y Y Y Y Y",
    "/mytickets": "Y Y Y Y Y Y Y Y Y",
    "/queue": ". Y Y . . . . . .",
    "/rounds": ". Y Y . . . . . .",
    "/ticket 1": ". Y Y . . . . . .",
    "/buildingtickets": ". Y Y . Y Y . . .",
    "/book": ". Y Y . . . Y Y .",
    "/mybookings": ". . . . . . Y Y .",
    "/rooms": ". Y Y . . . . . .",
    "/blackout study 2026-11-30 10:00 11:00 paint": ". Y Y . . . . . .",
    "/blackout": ". Y Y . . . . . .",
    "/blackouts": ". Y Y . . . . . .",
    "/utilisation": ". Y . . . . . . .",
    "/outage": ". Y Y . . . . . .",
    "/outages": ". Y Y . . . . . .",
    "/roster": ". Y Y . . . . . .",
    "/stats": "Y Y . Y . . . . .",
    "/votes": "Y Y Y Y Y Y Y Y Y",
    "/propose": "Y Y Y Y Y Y Y Y .",
    "/receipt ABCDEFGHIJ": "Y Y Y Y Y Y Y Y Y",
    "/paper 1 2-102 1": ". Y . Y . . . . .",
    "/notice": ". Y Y Y Y Y . . .",
    "/notices": "Y Y Y Y Y Y Y Y Y",  # senders: their notices; others: the latest ones
    "/mute": "Y Y Y Y Y Y Y Y Y",
    "/unmute": "Y Y Y Y Y Y Y Y Y",
    "/meeting": ". Y . Y . . . . .",
    "/meetings": "Y Y Y Y Y Y Y Y Y",  # callers: all meetings; others: their upcoming ones
    "/grant 7777 staff": "Y . . . . . . . .",
    "/revoke 7777 staff": "Y . . . . . . . .",
    "/roles": "Y . . . . . . . .",
    "/bind (in a group)": "Y Y . . . . . . .",
    "/unbind (in a group)": "Y Y . . . . . . .",
    "press: decide a join request (building 2)": ". Y Y . Y Y . . .",
    "press: approve a proposal": ". Y . Y . . . . .",
    "press: withdraw an approved proposal (not open yet)": ". Y . Y . . . . .",
    "press: cast a ballot (poll of building 2)": ". . . . . . Y Y .",
    "press: accept a ticket (building 2)": ". Y Y . . . . . .",
    "press: approve a booking (building 2)": ". Y Y . Y Y . . .",
    "press: decide an owner claim (building 2)": ". Y Y . Y Y . . .",
    "press: cancel a meeting": ". Y . Y . . . . .",
    # Nina's notice: besides its author, only the manager may cancel it
    "press: cancel a scheduled notice (building 2)": ". Y . . . . . . .",
    "press: move a meeting (new time)": ". Y . Y . . . . .",
    "press: offer a home-visit time (building 2)": ". Y Y . . . . . .",
    "press: tick an inspection item (building 2)": ". Y Y . . . . . .",
    "press: mark an outage restored (building 2)": ". Y Y . . . . . .",
    "/activity": ". Y Y Y Y Y . . .",
    "/activities": "Y Y Y Y Y Y Y Y Y",  # organisers: theirs too; everyone: those to join
    "/askhelp": ". . . . . . Y Y .",
    "/helpfor": ". Y Y . Y Y . . .",
    "/volunteer": ". . . . . . Y Y .",
    "/points": "Y Y Y Y Y Y Y Y Y",
    "/rewards": "Y Y Y Y Y Y Y Y Y",
    "/pointsfix 2-103 +5 helped at the fair": ". Y Y . . . . . .",
    "/rewardadd 10 1 Fee voucher": ". Y Y . . . . . .",
    "/redeemed ABCD2345": ". Y Y . . . . . .",
    "press: sign up for an activity (building 2)": ". . . . . . Y Y .",
    "press: take a help request (building 2)": ". . . . . . Y Y .",
    "press: put more of a reward in stock": ". Y Y . . . . . .",
}

#: The README's Rights rows and the matrix rows that stand for them.
README_ROWS: dict[str, list[str]] = {
    "confirm a new resident": ["press: decide a join request (building 2)"],
    "confirm an owner (an owner claim, a request to join as owner), `/ownerclaims`": [
        "/ownerclaims",
        "press: decide an owner claim (building 2)",
    ],
    "grant roles": ["/grant 7777 staff", "/revoke 7777 staff", "/roles"],
    "report a public-area problem": ["/report"],
    "book a room": ["/book"],
    "see my bookings, vote": ["/mybookings", "press: cast a ballot (poll of building 2)"],
    "approve a booking that needs approval": ["press: approve a booking (building 2)"],
    "handle tickets, `/queue`, `/ticket`, `/rooms`, `/blackout`, `/blackouts`": [
        "press: accept a ticket (building 2)",
        "/queue",
        "/ticket 1",
        "/rooms",
        "/blackout study 2026-11-30 10:00 11:00 paint",
        "/blackout",
        "/blackouts",
    ],
    "see open tickets of buildings, `/buildingtickets`": ["/buildingtickets"],
    "draft a proposal": ["/propose"],
    "approve a proposal (never one's own), withdraw an approved one before it opens (its author "
    "too), record paper ballots, call meetings": [
        "press: approve a proposal",
        "press: withdraw an approved proposal (not open yet)",
        "press: move a meeting (new time)",
        "/paper 1 2-102 1",
        "/meeting",
        "press: cancel a meeting",
    ],
    "send a notice": ["/notice"],
    "read the latest notices again, `/notices`; see upcoming meetings and answer them, `/meetings`": [
        "/notices",
        "/meetings",
    ],
    "bind a group chat": ["/bind (in a group)", "/unbind (in a group)"],
    "declare an outage, `/outage`; move its expected end or mark it restored, `/outages`": [
        "/outage",
        "/outages",
        "press: mark an outage restored (building 2)",
    ],
    "see the duty roster, `/roster` (set in the community file)": ["/roster"],
    "SLA escalations, `/utilisation`": ["/utilisation"],
    "`/stats` (figures and charts)": ["/stats"],
    "offer a home-visit time, tick an inspection round's items, `/rounds`": [
        "/rounds",
        "press: offer a home-visit time (building 2)",
        "press: tick an inspection item (building 2)",
    ],
    "organise a volunteer activity, `/activity`": ["/activity"],
    "volunteer: sign up for activities, ask for and take neighbours' help, `/askhelp`, "
    "`/volunteer`": [
        "/askhelp",
        "/volunteer",
        "press: sign up for an activity (building 2)",
        "press: take a help request (building 2)",
    ],
    "ask for help for a neighbour without Telegram, `/helpfor`": ["/helpfor"],
    "correct points (with a reason), `/pointsfix`; add rewards, mark codes used, "
    "`/rewardadd`, `/redeemed`; restock or stop offering a reward in `/rewards`": [
        "/pointsfix 2-103 +5 helped at the fair",
        "/rewardadd 10 1 Fee voucher",
        "/redeemed ABCD2345",
        "press: put more of a reward in stock",
    ],
    "see my points and the rewards, `/points`, `/rewards`; see volunteer activities, "
    "`/activities`": ["/points", "/rewards", "/activities"],
}

#: The README's words for who, as roles (longest first, so "grid workers" is not "staff").
README_WHO = {
    "anyone who has started the bot": set(ROLES),
    "residents with a confirmed unit": {"owner", "tenant"},
    "confirmed residents": {"owner", "tenant"},
    "anyone holding a role": {"admin", "manager", "staff", "committee", "leader", "grid"},
    "administrators": {"admin"},
    "managers": {"manager"},
    "committee members": {"committee"},
    "committee": {"committee"},
    "leaders": {"leader"},
    "grid workers": {"grid"},
    "staff": {"staff"},
}

#: The polite refusals (in English, the pressers' language).
DENIALS = (
    "Sorry, this is not open to you. Send /menu to see what you can do.",
    "This list is for building leaders, grid workers and property staff.",
    "Booking rooms is for confirmed residents.",
    "Proposals can be made by confirmed residents",
    "Only building leaders, property staff, managers and the committee can send notices.",
    "Only the committee and the property manager can call meetings.",
    "This button is no longer valid.",
    "Only confirmed residents can vote.",
    "This vote is for the residents of another building",
    "Only owners vote on an owners' decision",
    "Only an administrator or the property manager can bind",
    "Volunteer activities are organised by building leaders",
    "Asking neighbours for help is for confirmed residents",
    "Posting a help request for a neighbour is for building leaders and property staff.",
    "Volunteering is for confirmed residents",
)


def allowed_roles(row: str) -> set[str]:
    marks = MATRIX[row].split()
    assert len(marks) == len(ROLES), row
    return {role for role, mark in zip(ROLES, marks, strict=True) if mark == "Y"}


def readme_rights() -> dict[str, str]:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## Rights", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("action", "---"):
            rows[cells[0]] = cells[1]
    return rows


def who(text: str) -> set[str]:
    found: set[str] = set()
    rest = text
    for words in sorted(README_WHO, key=len, reverse=True):
        if words in rest:
            found |= README_WHO[words]
            rest = rest.replace(words, "")
    return found


def test_the_readme_rights_table_says_what_the_matrix_says() -> None:
    readme = readme_rights()
    for action, rows in README_ROWS.items():
        assert action in readme, f"README Rights table has no row {action!r}"
        for row in rows:
            assert who(readme[action]) == allowed_roles(row), (action, row, readme[action])


async def people_of_every_role(h: Harness) -> dict[str, dict[str, Any]]:
    users: dict[str, dict[str, Any]] = {}
    grants = {
        "admin": Role.ADMIN,
        "manager": Role.MANAGER,
        "staff": Role.STAFF,
        "committee": Role.COMMITTEE,
        "leader": Role.LEADER,
        "grid": Role.GRID,
    }
    for name in ROLES:
        uid = IDS[name]
        if name in grants:
            scoped = grants[name] in (Role.LEADER, Role.GRID)
            await h.grant(uid, grants[name], "2" if scoped else None)
        if name in ("owner", "tenant"):
            code = "2-103" if name == "owner" else "2-104"
            unit = (await h.rows("SELECT id FROM units WHERE code = ?", (code,)))[0][0]
            relation = Relation.OWNER if name == "owner" else Relation.TENANT
            assert h.db is not None
            async with h.db.transaction() as conn:
                await people.upsert_person(conn, uid, name, None, "en", 0)
                await people.add_residence(
                    conn, uid, unit, relation, status="verified", via="admin", now=0
                )
        users[name] = h.emu.user(uid, name.title(), "en")
        await h.command(users[name], "start")
    return users


Target = Callable[[Harness, World, str], Awaitable[str]]


async def fresh_join_request(h: Harness, world: World, role: str) -> str:
    """A new pending request to join a unit of building 2, one per presser."""
    uid = 7100 + ROLES.index(role)
    unit = (await h.rows("SELECT id FROM units WHERE code = '2-201'"))[0][0]
    assert h.db is not None
    async with h.db.transaction() as conn:
        await people.upsert_person(conn, uid, "Joiner", None, "en", 0)
        rid = await people.add_residence(
            conn, uid, unit, Relation.TENANT, status="pending", via="request", now=0
        )
    return f"jd1|{rid}|1"


async def fresh_draft(h: Harness, world: World, role: str) -> str:
    """A new proposal of Olga's waiting for review, one per presser."""
    assert h.db is not None
    async with h.db.transaction() as conn:
        proposal = await votes_store.get(conn, world.draft_proposal_id)
        assert proposal is not None and proposal.author_id is not None
        pid = await votes_store.create(
            conn,
            title=f"{proposal.title} ({role})",
            body=proposal.body,
            options=proposal.options,
            building_id=proposal.building_id,
            kind=proposal.kind,
            art278_item=proposal.art278_item,
            basis=proposal.basis,
            quorum=proposal.quorum,
            duration_days=proposal.duration_days,
            author_id=proposal.author_id,
            now=0,
            opens_at=proposal.opens_at,
        )
    return f"vr1|{pid}|approve"


async def fresh_approved(h: Harness, world: World, role: str) -> str:
    """A proposal of Olga's approved to open in two days, one per presser."""
    draft = (await fresh_draft(h, world, role)).split("|")[1]
    now = int(h.clock().timestamp())
    assert h.db is not None
    async with h.db.transaction() as conn:
        await conn.execute(
            "UPDATE proposals SET opens_at = ? WHERE id = ?", (now + 2 * 86400, int(draft))
        )
        assert await votes_store.approve(
            conn, int(draft), by=IDS["committee"], now=now, tz=SHANGHAI
        )
    return f"vy1|{draft}"


async def move_meeting(h: Harness, world: World, role: str) -> str:
    return f"mv1|{world.occurrence_id}|time"


async def ballot(h: Harness, world: World, role: str) -> str:
    """A ballot for the open poll of building 2, for the presser's own unit (or none)."""
    rows = await h.rows(
        "SELECT unit_id FROM residences WHERE user_id = ? AND status = 'verified'", (IDS[role],)
    )
    unit = rows[0][0] if rows else world.olga_unit
    return f"vc1|{world.open_proposal_id}|{unit}|approve"


async def ticket(h: Harness, world: World, role: str) -> str:
    """Accept Olga's ticket (the first allowed press does; the later ones find it taken)."""
    return f"ta1|{world.ticket_id}|acc"


async def booking(h: Harness, world: World, role: str) -> str:
    return f"ba1|{world.pending_booking_id}|1"


async def owner_claim(h: Harness, world: World, role: str) -> str:
    """A new household member of building 2 claiming to be the owner, one per presser."""
    uid = 7200 + ROLES.index(role)
    unit = (await h.rows("SELECT id FROM units WHERE code = '2-202'"))[0][0]
    assert h.db is not None
    async with h.db.transaction() as conn:
        await people.upsert_person(conn, uid, "Claimant", None, "en", 0)
        rid = await people.add_residence(
            conn, uid, unit, Relation.FAMILY, status="verified", via="invite", now=0
        )
        claim = await owners.open_claim(conn, rid, 0)
    return f"oc1|{claim}|1|0"


async def meeting(h: Harness, world: World, role: str) -> str:
    return f"mx1|{world.occurrence_id}|0|1"


async def notice(h: Harness, world: World, role: str) -> str:
    return f"nx1|{world.notice_id}"


async def home_visit(h: Harness, world: World, role: str) -> str:
    """A new accepted repair in Olga's home, one per presser: offer it a visit time."""
    unit = (await h.rows("SELECT id, building_id, floor FROM units WHERE code = '2-101'"))[0]
    assert h.db is not None
    async with h.db.transaction() as conn:
        tid = await tickets_store.create(
            conn,
            kind=Kind.REPAIR,
            category="leak",
            priority="normal",
            building_id=unit[1],
            unit_id=unit[0],
            floor=unit[2],
            place="",
            description="The tap drips",
            voice_file_id=None,
            photos=[],
            anonymous=False,
            reporter_id=OLGA,
            now=0,
        )
        await tickets_store.update_fields(conn, tid, state="accepted", accepted_at=0)
    return f"hvw1|{tid}|0"


async def inspection_tick(h: Harness, world: World, role: str) -> str:
    """A new round of a plan in building 2 with one item, one per presser: tick it ok."""
    b2 = (await h.rows("SELECT id FROM buildings WHERE code = '2'"))[0][0]
    assert h.db is not None
    async with h.db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO inspection_plans (code, names, building_id, recurrence,"
            ' deadline_minutes) VALUES (?, \'{"en": "Round"}\', ?, ?, 240)',
            (f"matrix-{role}", b2, '{"every": "daily", "at": "09:00", "weekday": 0, "day": 1}'),
        )
        plan = cur.lastrowid
        cur = await conn.execute(
            "INSERT INTO inspection_items (plan_id, code, names, category)"
            " VALUES (?, 'lift', '{\"en\": \"Lift room\"}', 'elevator')",
            (plan,),
        )
        item = cur.lastrowid
        cur = await conn.execute(
            "INSERT INTO inspection_rounds (plan_id, due_at, deadline_at) VALUES (?, 0, 1)",
            (plan,),
        )
    return f"ik1|{cur.lastrowid}|{item}|1"


async def outage(h: Harness, world: World, role: str) -> str:
    """A water outage of building 2 declared by staff, one per presser (restoring is once)."""
    assert h.db is not None
    building = (await h.rows("SELECT id FROM buildings WHERE code = '2'"))[0][0]
    async with h.db.transaction() as conn:
        incident = await incidents.create(
            conn,
            category="water_power",
            buildings=[building],
            expected_end=None,
            note="",
            by=IDS["staff"],
            now=0,
        )
    return f"ir1|{incident}|1"


async def activity(h: Harness, world: World, role: str) -> str:
    """An activity of building 2 two days ahead, one per presser."""
    assert h.db is not None
    now = int(h.clock().timestamp())
    building = (await h.rows("SELECT id FROM buildings WHERE code = '2'"))[0][0]
    async with h.db.transaction() as conn:
        found = await volunteering.create_activity(
            conn,
            organiser_id=IDS["leader"],
            title=f"Garden ({role})",
            place="Yard",
            starts_at=now + 2 * 86400,
            minutes=60,
            slots=5,
            points=10,
            buildings=[building],
            due={},
            now=now,
        )
    return f"pj1|{found}"


async def help_request(h: Harness, world: World, role: str) -> str:
    """An open help request of building 2 (posted by its leader), one per presser."""
    assert h.db is not None
    now = int(h.clock().timestamp())
    building = (await h.rows("SELECT id FROM buildings WHERE code = '2'"))[0][0]
    async with h.db.transaction() as conn:
        found = await volunteering.create_help(
            conn,
            building_id=building,
            unit_id=None,
            kind="shopping",
            details="",
            voice=None,
            requester_id=None,
            posted_by=IDS["leader"],
            contact=f"Mrs Li ({role})",
            points=5,
            now=now,
        )
    return f"ht1|{found}"


async def reward_stock(h: Harness, world: World, role: str) -> str:
    """A reward on offer, one per presser: ten more in stock."""
    assert h.db is not None
    async with h.db.transaction() as conn:
        found = await points.add_reward(conn, f"Voucher ({role})", 10, 1, by=IDS["staff"], now=0)
    return f"ps1|{found}|more"


PRESSES: dict[str, Target] = {
    "press: decide a join request (building 2)": fresh_join_request,
    "press: approve a proposal": fresh_draft,
    "press: withdraw an approved proposal (not open yet)": fresh_approved,
    "press: cast a ballot (poll of building 2)": ballot,
    "press: accept a ticket (building 2)": ticket,
    "press: approve a booking (building 2)": booking,
    "press: decide an owner claim (building 2)": owner_claim,
    "press: cancel a meeting": meeting,
    "press: cancel a scheduled notice (building 2)": notice,
    "press: move a meeting (new time)": move_meeting,
    "press: offer a home-visit time (building 2)": home_visit,
    "press: tick an inspection item (building 2)": inspection_tick,
    "press: mark an outage restored (building 2)": outage,
    "press: sign up for an activity (building 2)": activity,
    "press: take a help request (building 2)": help_request,
    "press: put more of a reward in stock": reward_stock,
}


def last_words(h: Harness, chat_id: int, mark: int) -> str:
    """What the bot said in reply since ``mark``: messages sent or edited and press alerts."""
    said = []
    for call in h.emu.calls[mark:]:
        if call.method == "answerCallbackQuery":
            said.append(str(call.params.get("text", "")))
        said += [m.text or m.caption or "" for m in call.sent if m.chat_id == chat_id]
    return "\n".join(said)


async def act(h: Harness, user: dict[str, Any], row: str, data: str) -> str:
    mark = len(h.emu.calls)
    if row in PRESSES:
        await h.press(user, h.emu.last_message(user["id"]), data)
        assert h.emu.unanswered_callbacks() == [], row
        return last_words(h, user["id"], mark)
    if row.endswith("(in a group)"):
        command = row.split()[0][1:]
        await h.command(user, command, chat=h.emu.group(GROUP, "Building 2"))
        return last_words(h, GROUP, mark) + last_words(h, user["id"], mark)
    command, _, args = row[1:].partition(" ")
    await h.command(user, command, args)
    return last_words(h, user["id"], mark)


async def test_every_role_may_do_what_the_matrix_says_and_no_more(harness: Harness) -> None:
    h = harness
    await h.start()
    world = await build_world(h)
    users = await people_of_every_role(h)
    wrong: list[str] = []
    for row in MATRIX:
        expected = allowed_roles(row)
        # the denied first, so that an allowed press cannot use up what the others press
        for role in sorted(ROLES, key=lambda r: r in expected):
            data = await PRESSES[row](h, world, role) if row in PRESSES else ""
            before = dump(h.db_path)
            said = await act(h, users[role], row, data)
            denied = any(words in said for words in DENIALS)
            if denied == (role in expected):
                wrong.append(f"{row} as {role}: {'denied' if denied else 'allowed'}: {said!r}")
            if denied:
                changed = [t for t, rows in dump(h.db_path).items() if before.get(t) != rows]
                assert changed == [], (row, role, changed)
            if await h.rows(  # end whatever flow the action opened
                "SELECT 1 FROM ptb_data WHERE kind = 'conversation' AND key LIKE ?",
                (f"%{IDS[role]}%",),
            ):
                await h.command(users[role], "cancel")
    assert wrong == [], "\n".join(wrong)


def test_the_matrix_names_every_command() -> None:
    from bot.app import FEATURES

    commands = {c.command for f in FEATURES for c in f.commands}
    rows = {re.split(r"[ ]", row[1:], maxsplit=1)[0] for row in MATRIX if row.startswith("/")}
    assert commands - rows == set()
