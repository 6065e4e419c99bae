"""/forgetme across every table, through the emulator.

One person, Quilla Marsh, does everything the bot lets a person do, through the real flows:
she claims the administrator code, grants roles (to herself and to a leader), binds the staff
chat and her building's group, joins a unit by its invite and asks to join another, confirms a
neighbour, reports a repair with her phone number in it, answers a question staff put to her
(it carries a unique marker), accepts and asks about a neighbour's ticket, follows one, files
an anonymous complaint, is assigned a ticket, rates one, is on the duty roster (and assigned
by it), declares an outage, follows it and marks it restored, books a room, approves a booking,
watches a taken time, closes a room, proposes a resident poll and votes in it (which closes and
is published), approves a neighbour's proposal and records a paper ballot in it, sends a notice
(and gets its delivery report), mutes notices, calls a meeting and answers its invitation,
volunteers (an activity she organises and comes to, help asked, given and posted for someone,
a reward added, redeemed and marked used, a correction), and is in the middle of two
conversations. Only her private chat's ``chat_data`` is written
directly: no flow keeps anything there (the row stands for what a future flow might keep).

Before /forgetme every table with a person's column is checked to hold her (so the test really
filled it); afterwards no table holds her id (as a number, or as text inside a text or JSON
column), her names, her phone number or the marker; the closed poll's published tally is
exactly as it was; and a table this test does not know fails it, so no future table escapes.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.__main__ import prepare_admin_claim
from bot.i18n import I18n
from bot.rules.community import parse
from bot.texts.votes import render_result
from storage import community
from storage.votes import options_from_json
from tests.conftest import EXAMPLE, SHANGHAI, Harness
from tests.test_flow_assignment import roster_file
from tests.test_flow_bookings import TUESDAY, at, book, open_day, room_id
from tests.test_flow_onboarding import choose_unit
from tests.test_flow_votes import approve, building_id, unit_id, vote

P = 777000111  # Quilla
FIRST, LAST, USERNAME = "Quilla", "Marsh", "quilla_m"
PHONE = "13987654321"
MARKER = "ZQX-MARKER-7F3A"
ANN, LEADER2, SAM, MEG = 3001, 2002, 4001, 5001
STAFF_CHAT, GROUP = -1001000, -1002000

#: Every table of the schema, with the queries that each find the person in it before
#: /forgetme (none: the table has no column that could hold a person, a name or a text sent to
#: one).
TABLES: dict[str, tuple[str, ...]] = {
    "schema_version": (),
    "community": (),
    "buildings": (),
    "owners": (),  # the community file's owner register, not Telegram accounts
    "units": (),
    "people": ("SELECT 1 FROM people WHERE user_id = :p AND first_name = :first",),
    "residences": (
        "SELECT 1 FROM residences WHERE user_id = :p",
        "SELECT 1 FROM residences WHERE decided_by = :p",
    ),
    "roles": (
        "SELECT 1 FROM roles WHERE user_id = :p",
        "SELECT 1 FROM roles WHERE granted_by = :p AND user_id != :p",
    ),
    "admin_claims": ("SELECT 1 FROM admin_claims WHERE used_by = :p",),
    # she joins by the door code: no owner letter of hers (the scan afterwards reads every cell)
    "owner_codes": (),
    "owner_claims": (),  # a residence's claims go with the residence
    "figure_reports": (),
    "figure_settings": (),  # a manager's switch; she does not touch it
    "outbox_files": (),
    "backup_due": (),  # the daily backup's due rows
    "categories": (),
    "rooms": (),
    "audit_log": (
        "SELECT 1 FROM audit_log WHERE actor = :p",
        "SELECT 1 FROM audit_log WHERE subject = CAST(:p AS TEXT)",
    ),
    "ptb_data": (
        "SELECT 1 FROM ptb_data WHERE kind = 'user_data' AND key = CAST(:p AS TEXT)",
        "SELECT 1 FROM ptb_data WHERE kind = 'chat_data' AND key = CAST(:p AS TEXT)",
        "SELECT 1 FROM ptb_data WHERE kind = 'conversation'"
        " AND key LIKE '%[' || :p || ', ' || :p || ']'",
        "SELECT 1 FROM ptb_data WHERE kind = 'conversation' AND key LIKE '%:[' || :p || ']'",
    ),
    "outbox_batches": (
        "SELECT 1 FROM outbox_batches WHERE created_by = :p",
        "SELECT 1 FROM outbox_batches WHERE report_chat_id = :p",
    ),
    "outbox": (
        "SELECT 1 FROM outbox WHERE chat_id = :p AND instr(payload, :marker)",
        "SELECT 1 FROM outbox WHERE chat_id < 0 AND instr(payload, :first)",
        "SELECT 1 FROM outbox WHERE chat_id = :leader2 AND instr(payload, :last)",
    ),
    "outbox_cards": ("SELECT 1 FROM outbox_cards WHERE chat_id = :p",),
    "tickets": (
        "SELECT 1 FROM tickets WHERE reporter_id = :p AND instr(description, :phone)",
        "SELECT 1 FROM tickets WHERE assignee_id = :p",
        "SELECT 1 FROM tickets WHERE accepted_by = :p",
        "SELECT 1 FROM tickets WHERE asked_by = :p",
        "SELECT 1 FROM tickets WHERE instr(rating_comment, :phone)",
    ),
    "ticket_history": (
        "SELECT 1 FROM ticket_history WHERE actor = :p",
        "SELECT 1 FROM ticket_history WHERE instr(detail, :marker)",
        "SELECT 1 FROM ticket_history WHERE action = 'assigned' AND detail = :first",
    ),
    "ticket_notes": (
        "SELECT 1 FROM ticket_notes WHERE author_id = :p",
        "SELECT 1 FROM ticket_notes WHERE instr(text, :marker)",
    ),
    "ticket_followers": ("SELECT 1 FROM ticket_followers WHERE user_id = :p",),
    "ticket_pauses": (),
    "sla_reminders": (),
    "bookings": (
        "SELECT 1 FROM bookings WHERE booked_by = :p",
        "SELECT 1 FROM bookings WHERE decided_by = :p",
    ),
    "room_blackouts": ("SELECT 1 FROM room_blackouts WHERE created_by = :p",),
    "booking_reminders": (),
    "booking_watches": ("SELECT 1 FROM booking_watches WHERE user_id = :p",),
    "proposals": (
        "SELECT 1 FROM proposals WHERE author_id = :p",
        "SELECT 1 FROM proposals WHERE approver_id = :p",
        "SELECT 1 FROM proposals WHERE instr(result, '\"r' || :p || '\"')",
    ),
    "ballots": (
        "SELECT 1 FROM ballots WHERE voter_id = :p AND count_key = 'r' || :p",
        "SELECT 1 FROM ballots WHERE recorded_by = :p",
    ),
    "vote_due": (),
    "group_bindings": ("SELECT 1 FROM group_bindings WHERE bound_by = :p",),
    "notice_mutes": ("SELECT 1 FROM notice_mutes WHERE user_id = :p",),
    "notices": ("SELECT 1 FROM notices WHERE author_id = :p",),
    "meetings": ("SELECT 1 FROM meetings WHERE organiser_id = :p",),
    "meeting_occurrences": (),
    "meeting_rsvps": ("SELECT 1 FROM meeting_rsvps WHERE user_id = :p",),
    "meeting_due": (),
    "inspection_plans": ("SELECT 1 FROM inspection_plans WHERE assignee_id = :p",),
    "inspection_items": (),  # a plan's checklist
    "inspection_rounds": ("SELECT 1 FROM inspection_rounds WHERE assignee_id = :p",),
    "inspection_results": ("SELECT 1 FROM inspection_results WHERE checked_by = :p",),
    "ticket_visits": ("SELECT 1 FROM ticket_visits WHERE offered_by = :p",),
    # the duty roster (from the community file) puts her on duty and on call; Ann's ticket
    # is her turn
    "duty_roster": ("SELECT 1 FROM duty_roster WHERE user_id = :p",),
    "duty_on_call": ("SELECT 1 FROM duty_on_call WHERE user_id = :p",),
    "duty_turns": ("SELECT 1 FROM duty_turns WHERE last_user_id = :p",),
    # she declares an outage, follows it from her home, and marks it restored
    "incidents": (
        "SELECT 1 FROM incidents WHERE declared_by = :p",
        "SELECT 1 FROM incidents WHERE resolved_by = :p",
    ),
    "incident_followers": ("SELECT 1 FROM incident_followers WHERE user_id = :p",),
    "incident_tickets": (),  # which tickets were part of an outage: no person
    "volunteers": ("SELECT 1 FROM volunteers WHERE user_id = :p AND named = 1",),
    "activities": ("SELECT 1 FROM activities WHERE organiser_id = :p",),
    "activity_signups": ("SELECT 1 FROM activity_signups WHERE user_id = :p AND attended = 1",),
    "activity_due": (),
    "help_requests": (
        "SELECT 1 FROM help_requests WHERE requester_id = :p AND instr(details, :phone)",
        "SELECT 1 FROM help_requests WHERE posted_by = :p",
        "SELECT 1 FROM help_requests WHERE helper_id = :p",
    ),
    "points_ledger": (
        "SELECT 1 FROM points_ledger WHERE user_id = :p AND kind = 'activity' AND by_id = :p",
        "SELECT 1 FROM points_ledger WHERE user_id = :p AND kind = 'help'",
        "SELECT 1 FROM points_ledger WHERE user_id = :p AND kind = 'redeem'",
        "SELECT 1 FROM points_ledger WHERE by_id = :p AND user_id != :p",
    ),
    "rewards": ("SELECT 1 FROM rewards WHERE created_by = :p",),
    "redemptions": ("SELECT 1 FROM redemptions WHERE user_id = :p AND used_by = :p",),
    "honour_boards": (),  # the monthly thank-you board's due rows
}

#: An inspection plan of building 1 whose rounds are hers (appended to the example file).
PLAN = f"""
[[inspections]]
code = "roof-1"
name = "Roof round"
building = "1"
place = "Roof"
every = "daily"
at = "10:30"
assignee = {P}

[[inspections.items]]
code = "drains"
name = "Roof drains"
category = "leak"
"""


def tables(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return sorted(r[0] for r in rows)


def traces(db: Path) -> list[str]:
    """Every cell of every table that still leads to Quilla."""
    words = [FIRST, LAST, USERNAME, PHONE, MARKER]
    number = re.compile(rf"(?<![0-9]){P}(?![0-9])")
    found: list[str] = []
    with closing(sqlite3.connect(db)) as conn:
        for table in tables(db):
            cursor = conn.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, int) and value == P:
                        found.append(f"{table}.{column} = {value}")
                    elif isinstance(value, str) and (
                        number.search(value) or any(w in value for w in words)
                    ):
                        found.append(f"{table}.{column} = {value!r}")
    return found


async def poll(h: Harness, author: dict[str, Any], title: str, basis: str) -> int:
    """A resident poll of building 1 (default options, 3 days), drafted and submitted."""
    await h.command(author, "propose")
    await h.text(author, title)
    await h.text(author, "What do you think?")
    first = f"va1|{await building_id(h, '1')}"
    for data in (first, "vk1|poll", f"vb1|{basis}", "vo1|0", "vq1|0|1", "vw1|0", "vd1|3", "vs1"):
        await h.tap(author, data)
    return int((await h.rows("SELECT id FROM proposals WHERE title = ?", (title,)))[0][0])


def card(h: Harness, ticket: int) -> Any:
    """The staff chat's card of a ticket."""
    return next(
        m
        for m in h.emu.messages(STAFF_CHAT)
        if any((d or "").startswith(f"ta1|{ticket}|") for _, d in h.emu.buttons(m))
        or f"#{ticket} " in m.body
    )


async def report_public(
    h: Harness, user: dict[str, Any], kind: str, category: str, place: str, text: str
) -> None:
    await h.command(user, "report")
    if kind == "repair":  # "a repair in a public area" is the first answer
        await h.tap(user, "te1|0")
        await h.tap(user, f"tc1|{category}")
    else:
        await h.tap(user, f"tk1|{kind}")
        await h.tap(user, f"tc1|{category}")
        await h.tap(user, "tp1")
    await h.tap(user, f"tb1|{await building_id(h, '1')}")
    await h.text(user, place)
    if text:
        await h.text(user, text)


async def test_forgetme_leaves_the_person_in_no_table(harness: Harness) -> None:
    h = harness
    await h.start()
    assert h.db is not None
    assert tables(h.db_path) == sorted(TABLES), "a table this test does not know"
    staff_chat, group = h.emu.group(STAFF_CHAT, "物业工作群"), h.emu.group(GROUP, "1号楼业主群")
    quilla = h.emu.user(P, FIRST, "en", username=USERNAME, last_name=LAST)

    # the first administrator, who grants roles (herself included) and binds the chats
    code = await prepare_admin_claim(h.db, h.clock())
    assert code is not None
    await h.command(quilla, "start", code)
    for role in ("leader 1", "staff", "manager", "committee"):
        await h.command(quilla, "grant", f"{P} {role}")
    leader2 = h.emu.user(LEADER2, "Lee", "en")
    await h.command(leader2, "start")
    await h.command(quilla, "grant", f"{LEADER2} leader 2")
    await h.command(quilla, "bind", chat=staff_chat)
    await h.tap(quilla, "gb1|staff", chat_id=STAFF_CHAT)
    await h.command(quilla, "bind", chat=group)
    await h.tap(quilla, f"gb1|building|{await building_id(h, '1')}", chat_id=GROUP)
    sam, meg = h.emu.user(SAM, "Sam", "en"), h.emu.user(MEG, "Meg", "en")
    for officer, role in ((sam, "staff"), (meg, "manager")):
        await h.command(officer, "start")
        await h.command(quilla, "grant", f"{officer['id']} {role}")

    # her home by its invite; a request for another unit (its leader is asked, by her name)
    invite = (await h.rows("SELECT invite_code FROM units WHERE code = '1-302'"))[0][0]
    await h.command(quilla, "start", invite)
    await h.tap(quilla, "jr1|owner")
    await choose_unit(h, quilla, "Building 2", 1, "2-101")
    await h.tap(quilla, "jr1|tenant")
    assert LAST in h.emu.last_message(LEADER2).body
    # a neighbour asks to join her building; she confirms
    ann = h.emu.user(ANN, "Ann", "en")
    await choose_unit(h, ann, "Building 1", 1, "1-104")
    await h.tap(ann, "jr1|owner")
    push = h.emu.last_message(P)
    await h.press(quilla, push, h.emu.find_button(push, "jd1|"))

    # tickets: her repair with her phone; staff ask her (the marker); she answers
    await h.command(quilla, "report")
    await h.tap(quilla, f"te1|{await unit_id(h, '1-302')}")
    await h.tap(quilla, "tc1|leak")
    await h.text(quilla, f"tap leaks, call me {PHONE}")
    await h.tap(quilla, "tn1|ok")
    assert "Quilla" in card(h, 1).body and PHONE not in card(h, 1).body
    await h.press(sam, card(h, 1), "ta1|1|ask")
    await h.text(sam, f"{MARKER}: which tap is it?")
    question = h.emu.last_message(P)
    assert MARKER in question.body
    await h.press(quilla, question, "ti1|1")
    await h.text(quilla, f"The kitchen tap. {PHONE}")
    # Ann's public repair: Quilla accepts it and asks Ann; then follows it as a duplicate
    await report_public(h, ann, "repair", "lighting", "3F corridor", "Dark")
    await h.tap(ann, "tn1|ok")
    await h.press(quilla, card(h, 2), "ta1|2|acc")
    await h.press(quilla, card(h, 2), "ta1|2|ask")
    await h.text(quilla, "Which lamp?")
    await report_public(h, quilla, "repair", "lighting", "3楼走廊", "")
    await h.tap(quilla, "tf1|2")
    # her anonymous complaint: the managers' copies name her
    await report_public(h, quilla, "complaint", "noise", "5F", "Drilling at night")
    await h.tap(quilla, "tn1|anon")
    await h.tap(quilla, "tn1|ok")
    assert "Quilla" in h.emu.last_message(MEG).body
    # Sam assigns the complaint to her: her private copy (a card), the history names her
    await h.press(sam, card(h, 3), "ta1|3|asg")
    await h.press(sam, card(h, 3), f"tg1|3|{P}")
    assert any("A ticket was assigned to you" in m.body for m in h.emu.messages(P))
    # her repair resolved, rated with a comment
    await h.press(sam, card(h, 1), "ta1|1|res")
    rating = h.emu.last_message(P)
    await h.press(quilla, rating, "tv1|1|4")
    await h.text(quilla, f"Thanks, call {PHONE} again")
    # Ann's repair at home: Quilla accepts it and offers a visit; Ann picks the time
    await h.command(ann, "report")
    await h.tap(ann, f"te1|{await unit_id(h, '1-104')}")
    await h.tap(ann, "tc1|leak")
    await h.text(ann, "The pipe under the sink drips")
    await h.tap(ann, "tn1|ok")
    await h.press(quilla, card(h, 4), "ta1|4|acc")
    await h.press(quilla, card(h, 4), "hvw1|4|0")
    await h.tap(ann, "hvp1|1|")
    # an inspection round of hers (the community file names her): a "not ok" opens a ticket
    async with h.db.transaction() as conn:
        await community.apply_spec(
            conn, parse(tomllib.loads(EXAMPLE.read_text(encoding="utf-8") + PLAN))
        )
    await h.run_job("inspections")
    h.clock.advance(timedelta(minutes=30))
    await h.run_job("inspections")
    checklist = h.emu.last_message(P)
    await h.press(quilla, checklist, h.emu.find_button(checklist, "ik1|1|")[:-1] + "0")
    assert await h.rows("SELECT reporter_id FROM tickets WHERE id = 5") == [(P,)]
    h.clock.set(h.clock() - timedelta(minutes=30))

    # bookings: hers, Ann's kitchen approved by her, a watch, a blackout
    await book(h, quilla, "activity", at(TUESDAY, "10:00"), 60)
    await book(h, ann, "kitchen", at(TUESDAY, "14:00"), 60)
    push = h.emu.last_message(P)
    await h.press(quilla, push, h.emu.find_button(push, "ba1|"))
    kitchen = await room_id(h, "kitchen")
    grid = await open_day(h, quilla, "kitchen")
    await h.press(quilla, grid, h.emu.find_button_by_text(grid, "✖ 14:00"))
    await h.tap(quilla, f"bw1|{kitchen}|{at(TUESDAY, '14:00')}")
    await h.command(quilla, "blackout", "study 2026-11-25 09:00 10:00 paint")

    # votes: her resident poll, approved by Meg, voted by her and Ann
    paint = await poll(h, quilla, "Paint the hall", "resident")
    await approve(h, meg, paint)
    await h.run_job("outbox")
    await vote(h, quilla, paint, "approve")
    await vote(h, ann, paint, "oppose")
    # Ann's household poll, approved by Quilla, with a paper ballot Quilla records
    party = await poll(h, ann, "Summer party", "household")
    await approve(h, quilla, party)
    await h.run_job("outbox")
    await h.command(quilla, "paper", f"{party} 1-104 1")
    # both close and are published
    h.clock.advance(timedelta(days=4))
    await h.run_job("votes-due")
    await h.run_job("outbox")
    h.clock.set(h.clock() - timedelta(days=4))

    # a notice to everyone (her delivery report)
    await h.command(quilla, "notice")
    await h.text(quilla, "Water is off on Friday morning")
    await h.tap(quilla, "nk1")
    await h.tap(quilla, "na1|all")
    await h.tap(quilla, "ng1|0")
    await h.tap(quilla, "nn1")
    await h.tap(quilla, "nw1|now")
    await h.tap(quilla, "ns1")
    await h.run_job("outbox")
    # a meeting she calls and answers; then she mutes notices
    await h.command(quilla, "meeting")
    await h.text(quilla, "Joint meeting")
    for data in ("mf1|once", "md1|2", "mh1|1900"):
        await h.tap(quilla, data)
    await h.text(quilla, "Community hall")
    await h.text(quilla, "Parking")
    await h.tap(quilla, "ma1|0")
    await h.tap(quilla, "mc1")
    await h.run_job("meetings")
    await h.run_job("outbox")
    invite_msg = next(
        m
        for m in reversed(h.emu.messages(P))
        if any((d or "").startswith("mr1|") for _, d in h.emu.buttons(m))
    )
    await h.press(quilla, invite_msg, h.emu.find_button(invite_msg, "mr1|"))
    await h.command(quilla, "mute")
    # the duty roster names her (on duty every day, on call every night): Ann's next report is
    # hers
    await roster_file(h, [P], P, limit=5)
    await report_public(h, ann, "repair", "water_power", "8F", "No power on the landing")
    await h.tap(ann, "tn1|ok")
    assert any("you are on duty today" in m.body for m in h.emu.messages(P))
    # an outage: she declares it, follows it from her home, and marks it restored
    await h.command(quilla, "outage")
    await h.tap(quilla, "ic1|water_power")
    await h.tap(quilla, f"ib1|{await building_id(h, '1')}")
    for data in ("in1|done", "ie1|2", "in1|skip", "in1|send"):
        await h.tap(quilla, data)
    await h.command(quilla, "report")
    await h.tap(quilla, f"te1|{await unit_id(h, '1-302')}")
    await h.tap(quilla, "tc1|water_power")
    await h.tap(quilla, "tj1|1")
    await h.command(quilla, "outages")
    for data in ("io1|1", "ir1|1|0", "ir1|1|1"):
        await h.tap(quilla, data)
    # volunteering: her choices; an activity she organises, joins, ticks and credits; help
    # she asks for (her phone in it), help she gives Ann, help she posts for a neighbour
    # without Telegram; a reward she adds, redeems and marks used; a correction for Ann
    for person, choices in ((ann, ("pv1|helps|1",)), (quilla, ("pv1|helps|1", "pv1|named|1"))):
        await h.command(person, "volunteer")
        for data in choices:
            await h.tap(person, data)
    await h.command(quilla, "activity")
    for text in ("Clean the garden", "2026-11-24 09:00", "Garden"):
        await h.text(quilla, text)
    for data in ("pn1|60", "pl1|5", "pp1|20", "pb1|0", "pc1"):
        await h.tap(quilla, data)
    await h.run_job("outbox")
    await h.command(quilla, "activities")  # she muted notices: she joins from the list
    await h.tap(quilla, "pj1|")
    back = h.clock()
    h.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI))
    await h.command(quilla, "activities")
    for data in ("pk1|", "pt1|", "pg1|"):
        await h.tap(quilla, data)
    h.clock.set(back)
    await h.command(quilla, "askhelp")
    await h.tap(quilla, "hk1|shopping")
    await h.text(quilla, f"Rice bags, call {PHONE}")
    await h.tap(ann, "ht1|")
    await h.tap(quilla, "hd1|")
    await h.command(ann, "askhelp")
    await h.tap(ann, "hk1|fix")
    await h.tap(ann, "hs1")
    await h.tap(quilla, "ht1|")
    await h.tap(ann, "hd1|")
    await h.command(quilla, "helpfor")
    await h.tap(quilla, f"hb1|{await building_id(h, '1')}")
    await h.tap(quilla, "hk1|company")
    await h.text(quilla, "Mr Zhou, 1-201")
    await h.tap(quilla, "hs1")
    await h.command(quilla, "rewardadd", "5 3 Fee voucher")
    await h.command(quilla, "rewards")
    await h.tap(quilla, "pr1|")
    await h.tap(quilla, "py1|")
    await h.command(quilla, "redeemed", (await h.rows("SELECT code FROM redemptions"))[0][0])
    await h.command(quilla, "pointsfix", "1-104 +2 thanks for the fair")
    # two conversations left half-way: a question about a ticket (started in the staff
    # chat, so it follows her across chats) and a new report in private
    await h.press(quilla, card(h, 3), "ta1|3|ask")
    await h.command(quilla, "report")
    await h.tap(quilla, "te1|0")
    # her private chat's chat_data: written directly, no flow keeps anything there
    async with h.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO ptb_data (kind, key, value) VALUES ('chat_data', ?, ?)",
            (str(P), f'{{"seen": "{FIRST}"}}'),
        )

    # ---- before: every table with a person's column holds her --------------------------------
    params = {
        "p": P,
        "first": FIRST,
        "last": LAST,
        "phone": PHONE,
        "marker": MARKER,
        "leader2": LEADER2,
    }
    missing = [
        query
        for queries in TABLES.values()
        for query in queries
        if not await h.rows(query, params)  # type: ignore[arg-type]
    ]
    assert missing == [], "the test did not fill:\n" + "\n".join(missing)
    tally = await published(h, paint)
    group_result = [m.body for m in h.emu.messages(GROUP) if "Paint the hall" in m.body][-1]

    # ---- /forgetme -----------------------------------------------------------------------------
    await h.command(quilla, "forgetme")
    await h.tap(quilla, "fm1|1")
    assert "deleted your data" in h.emu.last_message(P).body
    mark = h.emu.mark()
    await h.run_job("outbox")
    h.clock.advance(timedelta(days=2))
    await h.run_job("meetings")
    await h.run_job("bookings-remind")
    await h.run_job("outbox")
    assert [m for c in h.emu.calls[mark:] for m in c.sent if m.chat_id == P] == []

    # ---- after: nothing leads to her ------------------------------------------------------------
    assert traces(h.db_path) == []
    assert await published(h, paint) == tally  # the closed poll's tally exactly as published
    assert await h.rows("SELECT COUNT(*) FROM ballots WHERE proposal_id = ?", (paint,)) == [(2,)]
    # the cards that named her were edited in place: the staff chat no longer shows her name
    assert [m.body for m in h.emu.messages(STAFF_CHAT) if FIRST in m.body] == []
    assert [m.body for m in h.emu.messages(GROUP) if "Paint the hall" in m.body][-1] == group_result
    # a clean restart writes PTB's persistence from memory: nothing of hers comes back
    await h.restart()
    assert traces(h.db_path) == []
    await h.command(quilla, "me")
    assert "I do not store anything about you" in h.emu.last_message(P).body


async def published(h: Harness, proposal: int) -> tuple[str, dict[str, Any], list[int]]:
    """A closed proposal's result as published (in the community's words), the stored tally
    without the ``counted`` map, and the counted ballots."""
    row = (await h.rows("SELECT title, options, result FROM proposals WHERE id = ?", (proposal,)))[
        0
    ]
    result = json.loads(row[2])
    tr = I18n(SHANGHAI).translator(None)
    text = render_result(tr, row[0], options_from_json(row[1]), result)
    counted = sorted(result.pop("counted").values())
    return text, result, counted
