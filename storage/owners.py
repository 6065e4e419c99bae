"""Owners proven, not claimed: owner claims (a household member who says they own the unit) and
owner letters (a one-time code per unit, bound to the owner the community file names for it).

A confirmed claim makes the residence's relation ``owner``: that is what owners' decisions
count (``storage.votes.eligible_residents``). Every confirmation is a row here (``via``: the
owner's ``code``, a ``leader`` who compared the registered owner's name, or ``upgrade`` for
owners confirmed before claims existed), so how each owner was proven stays on record.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one, fetch_value
from storage.people import hash_code


@dataclass(frozen=True)
class Claim:
    id: int
    residence_id: int
    user_id: int
    person_name: str
    unit_id: int
    unit_code: str
    building_id: int
    owner_name: str | None  # the owner the community file names for the unit
    status: str
    claimed_at: int


_CLAIM = (
    "SELECT c.id, c.residence_id, r.user_id, COALESCE(p.first_name, ''), u.id, u.code,"
    " u.building_id, o.name, c.status, c.claimed_at FROM owner_claims c"
    " JOIN residences r ON r.id = c.residence_id JOIN units u ON u.id = r.unit_id"
    " LEFT JOIN people p ON p.user_id = r.user_id LEFT JOIN owners o ON o.id = u.owner_id"
)


async def open_claim(conn: aiosqlite.Connection, residence_id: int, now: int) -> int:
    """A pending claim that this (household member's) residence is the unit's owner."""
    cur = await conn.execute(
        "INSERT INTO owner_claims (residence_id, status, claimed_at) VALUES (?, 'pending', ?)",
        (residence_id, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def claim(conn: aiosqlite.Connection, claim_id: int) -> Claim | None:
    row = await fetch_one(conn, _CLAIM + " WHERE c.id = ?", (claim_id,))
    return Claim(*row) if row else None


async def pending_claim(conn: aiosqlite.Connection, residence_id: int) -> Claim | None:
    row = await fetch_one(
        conn, _CLAIM + " WHERE c.residence_id = ? AND c.status = 'pending'", (residence_id,)
    )
    return Claim(*row) if row else None


async def pending_claims(
    conn: aiosqlite.Connection, building_ids: Collection[int] | None, limit: int
) -> tuple[list[Claim], int]:
    """The oldest ``limit`` pending claims (of these buildings; None: all) and how many there
    are in all. Claims of residences no longer live are not pending for anyone."""
    where = " WHERE c.status = 'pending' AND r.status = 'verified'"
    params: list[Any] = []
    if building_ids is not None:
        if not building_ids:
            return [], 0
        where += f" AND u.building_id IN ({', '.join('?' for _ in building_ids)})"
        params += list(building_ids)
    rows = await fetch_all(
        conn, _CLAIM + where + " ORDER BY c.claimed_at, c.id LIMIT ?", (*params, limit)
    )
    total = await fetch_value(
        conn,
        "SELECT COUNT(*) FROM owner_claims c JOIN residences r ON r.id = c.residence_id"
        " JOIN units u ON u.id = r.unit_id" + where,
        params,
    )
    return [Claim(*r) for r in rows], int(total or 0)


async def settle(
    conn: aiosqlite.Connection, claim_id: int, confirm: bool, via: str, now: int
) -> bool:
    """Confirm (the residence becomes the unit's owner) or refuse a pending claim; False when
    it is no longer pending (someone else answered first) or its residence no longer live."""
    cur = await conn.execute(
        "UPDATE owner_claims SET status = ?, via = ?, decided_at = ?"
        " WHERE id = ? AND status = 'pending'"
        " AND residence_id IN (SELECT id FROM residences WHERE status = 'verified')",
        ("confirmed" if confirm else "refused", via, now, claim_id),
    )
    if cur.rowcount != 1:
        return False
    if confirm:
        await conn.execute(
            "UPDATE residences SET relation = 'owner' WHERE id ="
            " (SELECT residence_id FROM owner_claims WHERE id = ?)",
            (claim_id,),
        )
    return True


async def record_confirmed(
    conn: aiosqlite.Connection, residence_id: int, via: str, now: int
) -> None:
    """Record that this residence was proven to be the owner's (and make it so)."""
    await conn.execute(
        "INSERT INTO owner_claims (residence_id, status, via, claimed_at, decided_at)"
        " VALUES (?, 'confirmed', ?, ?, ?)",
        (residence_id, via, now, now),
    )
    await conn.execute("UPDATE residences SET relation = 'owner' WHERE id = ?", (residence_id,))


async def registered_owner(conn: aiosqlite.Connection, unit_id: int) -> str | None:
    """The name of the unit's owner in the community file (None: no owner on record)."""
    value = await fetch_value(
        conn,
        "SELECT o.name FROM units u JOIN owners o ON o.id = u.owner_id WHERE u.id = ?",
        (unit_id,),
    )
    return str(value) if value is not None else None


# ---- owner letters --------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerCode:
    unit_id: int
    owner_id: int
    used_by: int | None
    used_at: int | None
    retired_at: int | None


def new_owner_code() -> str:
    """A letter's code: ``o_`` and 16 URL-safe characters (a deep link's payload)."""
    return "o_" + secrets.token_urlsafe(12)


async def issue_code(conn: aiosqlite.Connection, unit_id: int, owner_id: int, now: int) -> str:
    """A new letter's code for the unit's owner; the unit's earlier unused codes stop working
    (a lost or reprinted letter). Only the code's hash is stored."""
    await conn.execute(
        "UPDATE owner_codes SET retired_at = ? WHERE unit_id = ? AND used_at IS NULL"
        " AND retired_at IS NULL",
        (now, unit_id),
    )
    code = new_owner_code()
    await conn.execute(
        "INSERT INTO owner_codes (code_hash, unit_id, owner_id, created_at) VALUES (?, ?, ?, ?)",
        (hash_code(code), unit_id, owner_id, now),
    )
    return code


async def find_code(conn: aiosqlite.Connection, code: str) -> OwnerCode | None:
    row = await fetch_one(
        conn,
        "SELECT unit_id, owner_id, used_by, used_at, retired_at FROM owner_codes"
        " WHERE code_hash = ?",
        (hash_code(code),),
    )
    return OwnerCode(*row) if row else None


async def spend_code(conn: aiosqlite.Connection, code: str, user_id: int, now: int) -> bool:
    """Use the code: True once, for the first person; never for a retired code."""
    cur = await conn.execute(
        "UPDATE owner_codes SET used_by = ?, used_at = ? WHERE code_hash = ?"
        " AND used_at IS NULL AND retired_at IS NULL",
        (user_id, now, hash_code(code)),
    )
    return cur.rowcount == 1
