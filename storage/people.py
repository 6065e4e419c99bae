"""People, their residences (who lives where) and roles; the first-administrator claim."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.rules.auth import Principal, Relation, Residence, Role
from storage.db import fetch_all, fetch_one


@dataclass(frozen=True)
class Person:
    user_id: int
    first_name: str
    username: str | None
    language_code: str | None
    locale: str | None
    created_at: int


@dataclass(frozen=True)
class ResidenceRow:
    id: int
    user_id: int
    unit_id: int
    building_id: int
    unit_code: str
    relation: Relation
    status: str
    via: str
    requested_at: int
    decided_by: int | None
    decided_at: int | None
    owner_claim: bool = False  # a household member's pending claim to own the unit


async def upsert_person(
    conn: aiosqlite.Connection,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
    now: int,
) -> None:
    await conn.execute(
        "INSERT INTO people (user_id, first_name, username, language_code, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " first_name = excluded.first_name, username = excluded.username,"
        " language_code = excluded.language_code, blocked_at = NULL",
        (user_id, first_name, username, language_code, now),
    )


async def get_person(conn: aiosqlite.Connection, user_id: int) -> Person | None:
    row = await fetch_one(
        conn,
        "SELECT user_id, first_name, username, language_code, locale, created_at"
        " FROM people WHERE user_id = ?",
        (user_id,),
    )
    return Person(*row) if row else None


async def set_blocked(conn: aiosqlite.Connection, user_id: int, at: int | None) -> None:
    """Mark (``at``) or clear (None) that this person blocked the bot."""
    await conn.execute("UPDATE people SET blocked_at = ? WHERE user_id = ?", (at, user_id))


async def blocked_among(conn: aiosqlite.Connection, user_ids: Iterable[int]) -> set[int]:
    """Which of these people have blocked the bot."""
    wanted = {u for u in user_ids if u > 0}
    if not wanted:
        return set()
    rows = await fetch_all(conn, "SELECT user_id FROM people WHERE blocked_at IS NOT NULL")
    return {r[0] for r in rows} & wanted


async def stored_locale(conn: aiosqlite.Connection, user_id: int) -> str | None:
    row = await fetch_one(conn, "SELECT locale FROM people WHERE user_id = ?", (user_id,))
    return row[0] if row else None


async def set_locale(conn: aiosqlite.Connection, user_id: int, locale: str) -> None:
    await conn.execute("UPDATE people SET locale = ? WHERE user_id = ?", (locale, user_id))


_RES_SELECT = (
    "SELECT r.id, r.user_id, r.unit_id, u.building_id, u.code, r.relation, r.status, r.via,"
    " r.requested_at, r.decided_by, r.decided_at, EXISTS (SELECT 1 FROM owner_claims c"
    " WHERE c.residence_id = r.id AND c.status = 'pending') FROM residences r"
    " JOIN units u ON u.id = r.unit_id"
)


def _residence(row: Any) -> ResidenceRow:
    values = list(row)
    values[5] = Relation(values[5])
    values[11] = bool(values[11])
    return ResidenceRow(*values)


async def residences_of(conn: aiosqlite.Connection, user_id: int) -> list[ResidenceRow]:
    rows = await fetch_all(
        conn,
        _RES_SELECT + " WHERE r.user_id = ? AND r.status IN ('pending', 'verified') ORDER BY r.id",
        (user_id,),
    )
    return [_residence(r) for r in rows]


async def residence(conn: aiosqlite.Connection, residence_id: int) -> ResidenceRow | None:
    row = await fetch_one(conn, _RES_SELECT + " WHERE r.id = ?", (residence_id,))
    return _residence(row) if row else None


async def live_residence(
    conn: aiosqlite.Connection, user_id: int, unit_id: int
) -> ResidenceRow | None:
    row = await fetch_one(
        conn,
        _RES_SELECT
        + " WHERE r.user_id = ? AND r.unit_id = ? AND r.status IN ('pending','verified')",
        (user_id, unit_id),
    )
    return _residence(row) if row else None


async def add_residence(
    conn: aiosqlite.Connection,
    user_id: int,
    unit_id: int,
    relation: Relation,
    *,
    status: str,
    via: str,
    now: int,
    decided_by: int | None = None,
) -> int:
    """Record a residence; a live one for the same unit is replaced (e.g. pending -> verified)."""
    await conn.execute(
        "UPDATE residences SET status = 'left', decided_at = ? WHERE user_id = ? AND unit_id = ?"
        " AND status IN ('pending', 'verified')",
        (now, user_id, unit_id),
    )
    cur = await conn.execute(
        "INSERT INTO residences (user_id, unit_id, relation, status, via, requested_at,"
        " decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user_id,
            unit_id,
            relation.value,
            status,
            via,
            now,
            decided_by,
            now if status != "pending" else None,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def decide_residence(
    conn: aiosqlite.Connection, residence_id: int, approve: bool, by: int, now: int
) -> bool:
    """Approve or reject a pending request; False when it is no longer pending."""
    cur = await conn.execute(
        "UPDATE residences SET status = ?, decided_by = ?, decided_at = ?"
        " WHERE id = ? AND status = 'pending'",
        ("verified" if approve else "rejected", by, now, residence_id),
    )
    return cur.rowcount == 1


async def load_principal(conn: aiosqlite.Connection, user_id: int) -> Principal:
    roles = await fetch_all(
        conn, "SELECT role, building_id FROM roles WHERE user_id = ?", (user_id,)
    )
    res = await residences_of(conn, user_id)
    return Principal(
        user_id=user_id,
        roles=frozenset((Role(r[0]), r[1]) for r in roles),
        residences=tuple(
            Residence(
                r.id, r.unit_id, r.building_id, r.unit_code, r.relation, r.status, r.owner_claim
            )
            for r in res
        ),
    )


async def grant_role(
    conn: aiosqlite.Connection,
    user_id: int,
    role: Role,
    building_id: int | None,
    by: int | None,
    now: int,
) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO roles (user_id, role, building_id, granted_by, granted_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (user_id, role.value, building_id, by, now),
    )
    return cur.rowcount == 1


async def revoke_role(
    conn: aiosqlite.Connection, user_id: int, role: Role, building_id: int | None
) -> int:
    if building_id is None:
        cur = await conn.execute(
            "DELETE FROM roles WHERE user_id = ? AND role = ?", (user_id, role.value)
        )
    else:
        cur = await conn.execute(
            "DELETE FROM roles WHERE user_id = ? AND role = ? AND building_id = ?",
            (user_id, role.value, building_id),
        )
    return cur.rowcount


async def role_holders(
    conn: aiosqlite.Connection, role: Role, building_id: int | None = None
) -> list[int]:
    """Holders of ``role``: for a building, those scoped to it and those holding it everywhere."""
    if building_id is None:
        rows = await fetch_all(
            conn,
            "SELECT DISTINCT user_id FROM roles WHERE role = ? ORDER BY user_id",
            (role.value,),
        )
    else:
        rows = await fetch_all(
            conn,
            "SELECT DISTINCT user_id FROM roles WHERE role = ?"
            " AND (building_id = ? OR building_id IS NULL) ORDER BY user_id",
            (role.value, building_id),
        )
    return [r[0] for r in rows]


async def roles_of(conn: aiosqlite.Connection, user_id: int) -> list[tuple[Role, int | None]]:
    rows = await fetch_all(
        conn,
        "SELECT role, building_id FROM roles WHERE user_id = ? ORDER BY role, building_id",
        (user_id,),
    )
    return [(Role(r[0]), r[1]) for r in rows]


async def all_roles(conn: aiosqlite.Connection) -> list[tuple[int, str | None, str, str | None]]:
    """(user id, first name, role, building code) for every role held, for the admin's list."""
    rows = await fetch_all(
        conn,
        "SELECT r.user_id, p.first_name, r.role, b.code FROM roles r"
        " LEFT JOIN people p ON p.user_id = r.user_id"
        " LEFT JOIN buildings b ON b.id = r.building_id ORDER BY r.role, r.user_id, b.code",
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def has_admin(conn: aiosqlite.Connection) -> bool:
    return await fetch_one(conn, "SELECT 1 FROM roles WHERE role = 'admin' LIMIT 1") is not None


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


async def create_admin_claim(conn: aiosqlite.Connection, code: str, now: int) -> None:
    """Store a new one-time claim code (hashed); earlier unused codes stop working."""
    await conn.execute("DELETE FROM admin_claims WHERE used_by IS NULL")
    await conn.execute(
        "INSERT INTO admin_claims (code_hash, created_at) VALUES (?, ?)", (hash_code(code), now)
    )


async def use_admin_claim(conn: aiosqlite.Connection, code: str, user_id: int, now: int) -> bool:
    """Spend the claim code: True once, for the first user, while no administrator exists."""
    if await has_admin(conn):
        return False
    cur = await conn.execute(
        "UPDATE admin_claims SET used_by = ?, used_at = ? WHERE code_hash = ? AND used_by IS NULL",
        (user_id, now, hash_code(code)),
    )
    if cur.rowcount != 1:
        return False
    await grant_role(conn, user_id, Role.ADMIN, None, None, now)
    return True


async def audit(
    conn: aiosqlite.Connection,
    actor: int | None,
    action: str,
    subject: str,
    now: int,
    detail: str = "",
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (now, actor, action, subject, detail),
    )


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Delete what we store about a person (residences, roles, name, language, conversations)
    and the traces of what they did to others' rows (who decided a residence, who granted a
    role, who used the administrator claim or an owner letter, who changed a figures setting,
    who acted in the audit log, whom it was about).

    Feature tables anonymise their own rows through ``storage.privacy``."""
    me = str(user_id)
    await conn.execute("DELETE FROM residences WHERE user_id = ?", (user_id,))
    await conn.execute("DELETE FROM roles WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE residences SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    await conn.execute("UPDATE roles SET granted_by = NULL WHERE granted_by = ?", (user_id,))
    await conn.execute("UPDATE admin_claims SET used_by = NULL WHERE used_by = ?", (user_id,))
    await conn.execute("UPDATE owner_codes SET used_by = NULL WHERE used_by = ?", (user_id,))
    await conn.execute(
        "UPDATE figure_settings SET changed_by = NULL WHERE changed_by = ?", (user_id,)
    )
    await conn.execute("UPDATE audit_log SET actor = NULL WHERE actor = ?", (user_id,))
    await conn.execute("UPDATE audit_log SET subject = '' WHERE subject = ?", (me,))
    await conn.execute("UPDATE audit_log SET detail = '' WHERE detail = ?", (me,))
    await conn.execute("DELETE FROM people WHERE user_id = ?", (user_id,))
    await conn.execute(
        "DELETE FROM ptb_data WHERE kind IN ('user_data', 'chat_data') AND key = ?", (me,)
    )
    # Conversation keys are "<name>:[chat_id, user_id]" (or "[user_id]" for one that follows
    # the person across chats): every conversation of theirs, in any chat.
    for (key,) in await fetch_all(conn, "SELECT key FROM ptb_data WHERE kind = 'conversation'"):
        start = str(key).find(":[")
        try:
            ids = json.loads(str(key)[start + 1 :]) if start >= 0 else []
        except ValueError:
            continue
        if isinstance(ids, list) and user_id in ids:
            await conn.execute(
                "DELETE FROM ptb_data WHERE kind = 'conversation' AND key = ?", (key,)
            )
