"""The community: buildings, owners, units, categories and rooms (from the community file)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import aiosqlite

from bot.rules.community import CommunitySpec
from bot.rules.privacy import mask_personal, unit_candidates
from storage import inspections
from storage import roster as duty_roster
from storage.db import fetch_all, fetch_one


@dataclass(frozen=True)
class Community:
    name: str
    timezone: str
    staff_chat_id: int | None
    settings: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)  # {locale: name}; {} reads as name


@dataclass(frozen=True)
class Building:
    id: int
    code: str
    name: str
    grid: str | None
    names: dict[str, str] = field(default_factory=dict)  # {locale: name}; {} reads as name


def _building(row: Any) -> Building:
    names = json.loads(row[4]) if row[4] else {}
    return Building(row[0], row[1], row[2], row[3], names or {"zh_Hans": row[2]})


@dataclass(frozen=True)
class Unit:
    id: int
    building_id: int
    building_code: str
    code: str
    entrance: str
    floor: int
    room: str
    area: Decimal
    owner_id: int | None
    invite_code: str


@dataclass(frozen=True)
class Category:
    code: str
    names: dict[str, str]
    priority: str
    team_chat_id: int | None
    response_minutes: int | None
    resolution_minutes: int | None


@dataclass(frozen=True)
class Room:
    id: int
    code: str
    names: dict[str, str]
    rules: dict[str, Any]


@dataclass
class ApplyReport:
    """What ``apply_spec`` changed, table by table: added / updated / retired."""

    changes: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def note(self, table: str, what: str) -> None:
        self.changes.setdefault(table, []).append(what)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


#: In the community's settings: what the file said the staff chat was at the last ``init``
#: (the file wins over a chat bound with /bind only when this changes; absent: not known yet,
#: a database loaded before it was kept, and the bound chat stays).
FILE_STAFF_CHAT = "staff_chat_id_in_file"


def new_invite_code() -> str:
    return "j_" + secrets.token_urlsafe(9)


async def apply_spec(conn: aiosqlite.Connection, spec: CommunitySpec) -> ApplyReport:
    """Make the database match the file. Idempotent; things removed from the file are retired
    (marked inactive), never deleted, because tickets and residences still point at them."""
    report = ApplyReport()
    kept = {**spec.settings, FILE_STAFF_CHAT: spec.staff_chat_id}
    settings = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    names = json.dumps(spec.names, ensure_ascii=False, sort_keys=True)
    row = await fetch_one(
        conn, "SELECT name, timezone, staff_chat_id, settings, names FROM community"
    )
    if row is None:
        await conn.execute(
            "INSERT INTO community (id, name, timezone, staff_chat_id, settings, names)"
            " VALUES (1, ?, ?, ?, ?, ?)",
            (spec.name, spec.timezone, spec.staff_chat_id, settings, names),
        )
        report.note("community", "added")
    else:
        before = json.loads(row[3])
        staff_chat = _staff_chat(
            report,
            spec.staff_chat_id,
            row[2],
            before.get(FILE_STAFF_CHAT),
            FILE_STAFF_CHAT in before,
        )
        wanted = (spec.name, spec.timezone, staff_chat, settings, names)
        if tuple(row) != wanted:
            await conn.execute(
                "UPDATE community SET name = ?, timezone = ?, staff_chat_id = ?, settings = ?,"
                " names = ? WHERE id = 1",
                wanted,
            )
            before.pop(FILE_STAFF_CHAT, None)
            if tuple(row[:3]) != wanted[:3] or before != spec.settings or row[4] != names:
                report.note("community", "updated")

    await _sync(
        conn,
        report,
        "buildings",
        ["name", "grid", "position", "names"],
        {
            b.code: (b.name, b.grid, b.position, json.dumps(b.names, ensure_ascii=False))
            for b in spec.buildings
        },
    )
    await _sync(
        conn,
        report,
        "owners",
        ["name", "is_developer"],
        {o.code: (o.name, int(o.is_developer)) for o in spec.owners},
        retire=False,
    )
    building_ids = await _ids(conn, "buildings")
    owner_ids = await _ids(conn, "owners")
    existing_units = await _ids(conn, "units")
    unit_values: dict[str, tuple[Any, ...]] = {}
    for u in spec.units:
        unit_values[u.code] = (
            building_ids[u.building],
            u.entrance,
            u.floor,
            u.room,
            str(u.area),
            owner_ids[u.owner] if u.owner else None,
        )
    for code in unit_values:
        if code not in existing_units:
            # Invite codes are made once, so printed QR codes keep working after edits.
            await conn.execute(
                "INSERT INTO units (code, building_id, entrance, floor, room, area, owner_id,"
                " invite_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (code, *unit_values[code], new_invite_code()),
            )
            report.note("units", f"added {code}")
    await _sync(
        conn,
        report,
        "units",
        ["building_id", "entrance", "floor", "room", "area", "owner_id"],
        unit_values,
        insert=False,
    )
    await _sync(
        conn,
        report,
        "categories",
        ["names", "priority", "team_chat_id", "response_minutes", "resolution_minutes", "position"],
        {
            c.code: (
                json.dumps(c.names, ensure_ascii=False, sort_keys=True),
                c.priority,
                c.team_chat_id,
                c.response_minutes,
                c.resolution_minutes,
                c.position,
            )
            for c in spec.categories
        },
    )
    await _sync(
        conn,
        report,
        "rooms",
        ["names", "rules", "position"],
        {
            r.code: (
                json.dumps(r.names, ensure_ascii=False, sort_keys=True),
                json.dumps(r.rules, ensure_ascii=False, sort_keys=True, default=str),
                r.position,
            )
            for r in spec.rooms
        },
    )
    await inspections.sync_plans(conn, spec.inspections, report.note)
    if await duty_roster.replace(conn, spec.roster):
        report.note("duty_roster", "updated")
    return report


async def _sync(
    conn: aiosqlite.Connection,
    report: ApplyReport,
    table: str,
    columns: list[str],
    wanted: dict[str, tuple[Any, ...]],
    *,
    insert: bool = True,
    retire: bool = True,
) -> None:
    has_active = table != "owners"
    select = ", ".join(["code", *columns] + (["active"] if has_active else []))
    async with conn.execute(f"SELECT {select} FROM {table}") as cur:
        current = {row[0]: tuple(row[1:]) for row in await cur.fetchall()}
    for code, values in wanted.items():
        target = (*values, 1) if has_active else values
        if code not in current:
            if not insert:
                continue
            cols = ", ".join(["code", *columns])
            marks = ", ".join("?" * (len(columns) + 1))
            await conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", (code, *values))
            report.note(table, f"added {code}")
        elif tuple(current[code]) != tuple(target):
            sets = ", ".join(f"{c} = ?" for c in columns) + (", active = 1" if has_active else "")
            await conn.execute(f"UPDATE {table} SET {sets} WHERE code = ?", (*values, code))
            report.note(table, f"updated {code}")
    if retire and has_active:
        for code, values in current.items():
            if code not in wanted and values[-1] == 1:
                await conn.execute(f"UPDATE {table} SET active = 0 WHERE code = ?", (code,))
                report.note(table, f"retired {code}")


def _staff_chat(
    report: ApplyReport, in_file: int | None, current: int | None, last: int | None, known: bool
) -> int | None:
    """Which staff chat wins: the file's, only when it changed since the file was last read
    (or nothing is set yet); else the one in the database (set with /bind in the chat), and
    the output says so when the two differ."""
    if (in_file != last) if known else current is None:
        return in_file
    if in_file != current:
        report.notes.append(
            f"the staff chat stays {current}, as bound with /bind in Telegram: the file's"
            f" staff_chat_id ({in_file}) wins only when you change it in the file"
        )
    return current


async def _ids(conn: aiosqlite.Connection, table: str) -> dict[str, int]:
    async with conn.execute(f"SELECT code, id FROM {table}") as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}


async def get_community(conn: aiosqlite.Connection) -> Community | None:
    row = await fetch_one(
        conn, "SELECT name, timezone, staff_chat_id, settings, names FROM community"
    )
    if row is None:
        return None
    names = json.loads(row[4]) if row[4] else {}
    return Community(row[0], row[1], row[2], json.loads(row[3]), names or {"zh_Hans": row[0]})


async def buildings(conn: aiosqlite.Connection) -> list[Building]:
    async with conn.execute(
        "SELECT id, code, name, grid, names FROM buildings WHERE active = 1 ORDER BY position, code"
    ) as cur:
        return [_building(row) for row in await cur.fetchall()]


async def building(conn: aiosqlite.Connection, building_id: int) -> Building | None:
    row = await fetch_one(
        conn,
        "SELECT id, code, name, grid, names FROM buildings WHERE id = ? AND active = 1",
        (building_id,),
    )
    return _building(row) if row else None


async def building_by_code(conn: aiosqlite.Connection, code: str) -> Building | None:
    row = await fetch_one(
        conn, "SELECT id, code, name, grid, names FROM buildings WHERE code = ?", (code,)
    )
    return _building(row) if row else None


_UNIT_SELECT = (
    "SELECT u.id, u.building_id, b.code, u.code, u.entrance, u.floor, u.room, u.area,"
    " u.owner_id, u.invite_code FROM units u JOIN buildings b ON b.id = u.building_id"
)


def _unit(row: Any) -> Unit:
    values = list(row)
    values[7] = Decimal(values[7])
    return Unit(*values)


async def units_of(conn: aiosqlite.Connection, building_id: int) -> list[Unit]:
    async with conn.execute(
        _UNIT_SELECT + " WHERE u.building_id = ? AND u.active = 1"
        " ORDER BY u.entrance, u.floor, u.room",
        (building_id,),
    ) as cur:
        return [_unit(row) for row in await cur.fetchall()]


async def all_units(conn: aiosqlite.Connection) -> list[Unit]:
    async with conn.execute(
        _UNIT_SELECT + " WHERE u.active = 1 ORDER BY b.position, u.entrance, u.floor, u.room"
    ) as cur:
        return [_unit(row) for row in await cur.fetchall()]


async def unit(conn: aiosqlite.Connection, unit_id: int) -> Unit | None:
    row = await fetch_one(conn, _UNIT_SELECT + " WHERE u.id = ? AND u.active = 1", (unit_id,))
    return _unit(row) if row else None


async def unit_codes_among(conn: aiosqlite.Connection, words: set[str]) -> set[str]:
    """Which of ``words`` are units' codes (retired units' too: a code is a home either way)."""
    if not words:
        return set()
    rows = await fetch_all(
        conn,
        "SELECT code FROM units WHERE code IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(words)),),
    )
    return {str(r[0]) for r in rows}


async def mask_for_group(conn: aiosqlite.Connection, text: str) -> str:
    """``text`` as a group chat or another resident may see it: phone, ID and room numbers
    and the community's unit codes masked (``bot.rules.privacy``)."""
    return mask_personal(text, await unit_codes_among(conn, unit_candidates(text)))


async def unit_by_invite(conn: aiosqlite.Connection, code: str) -> Unit | None:
    row = await fetch_one(conn, _UNIT_SELECT + " WHERE u.invite_code = ? AND u.active = 1", (code,))
    return _unit(row) if row else None


async def categories(conn: aiosqlite.Connection) -> list[Category]:
    async with conn.execute(
        "SELECT code, names, priority, team_chat_id, response_minutes, resolution_minutes"
        " FROM categories WHERE active = 1 ORDER BY position, code"
    ) as cur:
        rows = await cur.fetchall()
    return [Category(r[0], json.loads(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


async def category(conn: aiosqlite.Connection, code: str) -> Category | None:
    """A category by code, retired ones included (old tickets still name them)."""
    row = await fetch_one(
        conn,
        "SELECT code, names, priority, team_chat_id, response_minutes, resolution_minutes"
        " FROM categories WHERE code = ?",
        (code,),
    )
    return Category(row[0], json.loads(row[1]), *row[2:]) if row else None


async def rooms(conn: aiosqlite.Connection) -> list[Room]:
    async with conn.execute(
        "SELECT id, code, names, rules FROM rooms WHERE active = 1 ORDER BY position, code"
    ) as cur:
        rows = await cur.fetchall()
    return [Room(r[0], r[1], json.loads(r[2]), json.loads(r[3])) for r in rows]
