"""A small lived-in community for the trust tests (forged presses, the rights matrix): other
people's tickets, bookings, a join request, proposals and a ballot, a meeting and a notice, all
in building 2 and made through the bot's own flows, so forged ids hit real rows.

    world = await build_world(harness)
    world.ticket_id, world.pending_booking_id, world.open_proposal_id, ...
    world.ids()   # every id above and the people's and places' ids: for valid-looking presses
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.rules.auth import Role
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_bookings import book
from tests.test_flow_onboarding import choose_unit
from tests.test_flow_tickets import report_public
from tests.test_flow_votes import approve, propose, vote

OLGA, PETE, RITA, NINA = 3500, 3600, 9001, 9400

#: Tables any update may change without changing anything that matters: ``people`` (each
#: update stores the sender's name, username, Telegram language and last-seen time; a language
#: button stores their language) and ``ptb_data`` (python-telegram-bot's persistence, written
#: after every update: conversation states and drafts in ``user_data``).
VOLATILE = frozenset({"people", "ptb_data"})


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the volatile ones, row by row (compare two dumps for "nothing changed")."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in tables
            if t not in VOLATILE
        }


async def one_id(h: Harness, sql: str, params: tuple[Any, ...] = ()) -> int:
    rows = await h.rows(sql, params)
    assert len(rows) == 1, (sql, rows)
    return int(rows[0][0])


async def invited(h: Harness, uid: int, name: str, unit: str, relation: str) -> dict[str, Any]:
    """A resident verified at once through the unit's invite link."""
    user = h.emu.user(uid, name, "en")
    invite = await h.rows("SELECT invite_code FROM units WHERE code = ?", (unit,))
    await h.command(user, "start", str(invite[0][0]))
    await h.tap(user, f"jr1|{relation}")
    return user


async def officer(h: Harness, uid: int, name: str, role: Role, building: str | None = None) -> Any:
    await h.grant(uid, role, building)
    user = h.emu.user(uid, name, "en")
    await h.command(user, "start")
    return user


def at(h: Harness, days: int, hour: int) -> int:
    day = (h.clock().astimezone(SHANGHAI) + timedelta(days=days)).date()
    return int(datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI).timestamp())


@dataclass
class World:
    building_1: int
    building_2: int
    olga_unit: int
    ticket_id: int
    booking_id: int
    pending_booking_id: int
    residence_id: int
    open_proposal_id: int
    draft_proposal_id: int
    occurrence_id: int
    notice_id: int
    extra: list[int] = field(default_factory=list)

    def ids(self) -> list[int]:
        """Every id of the world's objects, people and places (for forged presses)."""
        found = {
            self.building_1,
            self.building_2,
            self.olga_unit,
            self.ticket_id,
            self.booking_id,
            self.pending_booking_id,
            self.residence_id,
            self.open_proposal_id,
            self.draft_proposal_id,
            self.occurrence_id,
            self.notice_id,
            OLGA,
            PETE,
            RITA,
            NINA,
            *self.extra,
        }
        return sorted(found)


async def build_world(h: Harness) -> World:
    """Olga owns 2-101, reports a public problem in building 2, books the activity room and
    asks for the kitchen (pending), proposes twice (one approved by Rita of the committee and
    voted by Olga, one waiting for review); Pete asks to join 2-102 (pending); Rita calls a
    meeting of building 2; Nina of the staff schedules a notice for tomorrow."""
    b1 = await one_id(h, "SELECT id FROM buildings WHERE code = '1'")
    b2 = await one_id(h, "SELECT id FROM buildings WHERE code = '2'")
    olga = await invited(h, OLGA, "Olga", "2-101", "owner")
    rita = await officer(h, RITA, "Rita", Role.COMMITTEE)
    nina = await officer(h, NINA, "Nina", Role.STAFF)
    await report_public(h, olga, "lighting", "2", "3F corridor", "The corridor light is out")
    ticket_id = await one_id(h, "SELECT MAX(id) FROM tickets")
    await book(h, olga, "activity", at(h, 2, 10), 60)
    booking_id = await one_id(h, "SELECT MAX(id) FROM bookings WHERE state = 'confirmed'")
    await book(h, olga, "kitchen", at(h, 3, 11), 60)
    pending_booking_id = await one_id(h, "SELECT MAX(id) FROM bookings WHERE state = 'pending'")
    pete = h.emu.user(PETE, "Pete", "en")
    await choose_unit(h, pete, "2", 1, "2-102")
    await h.tap(pete, "jr1|tenant")
    residence_id = await one_id(
        h, "SELECT id FROM residences WHERE user_id = ? AND status = 'pending'", (PETE,)
    )
    open_id = await propose(h, olga, title="Fix the lobby door", building="2", kind="poll")
    await approve(h, rita, open_id)
    await h.run_job("outbox")
    await vote(h, olga, open_id, "approve")
    draft_id = await propose(h, olga, title="Paint the stairs", building="2", kind="poll")
    await h.command(rita, "meeting")
    await h.text(rita, "Building 2 lift")
    await h.tap(rita, "mf1|once")
    await h.tap(rita, "md1|2")
    await h.tap(rita, "mh1|1900")
    await h.text(rita, "Lobby")
    await h.text(rita, "Replacing the lift")
    await h.tap(rita, f"ma1|{b2}")
    await h.tap(rita, "mc1")
    await h.run_job("meetings")
    await h.run_job("outbox")
    occurrence_id = await one_id(h, "SELECT MAX(id) FROM meeting_occurrences")
    await h.command(nina, "notice")
    await h.text(nina, "Fire drill tomorrow")
    await h.tap(nina, "nk1")
    await h.tap(nina, "na1|all")
    await h.tap(nina, "nn1")
    await h.tap(nina, "nw1|m09")
    await h.tap(nina, "ns1")
    notice_id = await one_id(h, "SELECT MAX(id) FROM notices")
    olga_unit = await one_id(h, "SELECT id FROM units WHERE code = '2-101'")
    return World(
        building_1=b1,
        building_2=b2,
        olga_unit=olga_unit,
        ticket_id=ticket_id,
        booking_id=booking_id,
        pending_booking_id=pending_booking_id,
        residence_id=residence_id,
        open_proposal_id=open_id,
        draft_proposal_id=draft_id,
        occurrence_id=occurrence_id,
        notice_id=notice_id,
    )
