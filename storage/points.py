"""The points ledger, rewards and redemptions, volunteers' choices and the honour board's due
rows. Repositories never commit.

The ledger's invariants hold in the database itself (migration 0019): a debit that would take a
balance below zero is refused by a trigger, one award per activity / help request / redemption
per person by a unique index, a correction without a reason by a trigger; rows are never
changed. A redemption takes the stock down in one guarded statement (``stock > 0``), inside
the caller's ``BEGIN IMMEDIATE`` transaction with its debit: two people redeeming the last one
at once, in one process or two, leave one of them with it and the stock at zero.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.rules.points import Kind
from storage.db import fetch_all, fetch_one, fetch_value


@dataclass(frozen=True)
class Entry:
    id: int
    user_id: int
    delta: int
    kind: Kind
    ref: str
    reason: str
    by_id: int | None
    at: int


@dataclass(frozen=True)
class Reward:
    id: int
    title: str
    price: int
    stock: int
    active: bool


@dataclass(frozen=True)
class Redemption:
    id: int
    reward_id: int
    user_id: int | None
    code: str
    price: int
    at: int
    used_at: int | None


class Redeemed(enum.Enum):
    DONE = "done"
    AGAIN = "again"  # this confirmation was pressed before: nothing more
    SOLD_OUT = "sold_out"
    TOO_FEW_POINTS = "too_few_points"
    GONE = "gone"  # no such reward, or withdrawn


class RedeemRefused(Exception):
    """Raised inside the caller's transaction so that it rolls back (nothing changed)."""

    def __init__(self, outcome: Redeemed) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


# ---------------------------------------------------------------------------- the ledger


async def balance(conn: aiosqlite.Connection, user_id: int) -> int:
    value = await fetch_value(
        conn, "SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE user_id = ?", (user_id,)
    )
    return int(value or 0)


async def credit_once(
    conn: aiosqlite.Connection,
    user_id: int,
    points: int,
    kind: Kind,
    ref: str,
    *,
    by: int | None,
    now: int,
) -> bool:
    """An award of ``kind`` for ``ref`` (an activity, a help request), once per person:
    ``False`` if it was credited before (a double press, a restart, a second run)."""
    if points <= 0:
        return False
    cur = await conn.execute(
        "INSERT OR IGNORE INTO points_ledger (user_id, delta, kind, ref, by_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, points, kind.value, ref, by, now),
    )
    return cur.rowcount == 1


async def correct(
    conn: aiosqlite.Connection, user_id: int, delta: int, reason: str, *, by: int, now: int
) -> bool:
    """A staff correction with its reason; ``False`` (nothing written) if it would take the
    balance below zero."""
    if not reason.strip():
        raise ValueError("a correction needs a reason")
    cur = await conn.execute(
        "INSERT INTO points_ledger (user_id, delta, kind, ref, reason, by_id, at)"
        " SELECT ?, ?, 'correction', '', ?, ?, ?"
        " WHERE (SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE user_id = ?) + ? >= 0",
        (user_id, delta, reason.strip(), by, now, user_id, delta),
    )
    return cur.rowcount == 1


async def history(conn: aiosqlite.Connection, user_id: int, limit: int = 15) -> list[Entry]:
    rows = await fetch_all(
        conn,
        "SELECT id, user_id, delta, kind, ref, reason, by_id, at FROM points_ledger"
        " WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        (user_id, limit),
    )
    return [Entry(r[0], r[1], r[2], Kind(r[3]), r[4], r[5], r[6], r[7]) for r in rows]


async def earners(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None
) -> list[tuple[int, int, bool]]:
    """Who earned points by volunteering in [start, end), most first: (user, points, agreed
    to be named). ``building_id``: people living there (a verified residence)."""
    where = ""
    params: list[Any] = [start, end]
    if building_id is not None:
        where = (
            " AND l.user_id IN (SELECT r.user_id FROM residences r JOIN units u ON u.id ="
            " r.unit_id WHERE r.status = 'verified' AND u.building_id = ?)"
        )
        params.append(building_id)
    rows = await fetch_all(
        conn,
        "SELECT l.user_id, SUM(l.delta), COALESCE(v.named, 0) FROM points_ledger l"
        " LEFT JOIN volunteers v ON v.user_id = l.user_id"
        " WHERE l.kind IN ('activity', 'help') AND l.at >= ? AND l.at < ?" + where + ""
        " GROUP BY l.user_id ORDER BY SUM(l.delta) DESC, l.user_id",
        tuple(params),
    )
    return [(r[0], int(r[1]), bool(r[2])) for r in rows]


async def credited(conn: aiosqlite.Connection, user_id: int, ref: str) -> bool:
    """Whether the person has been credited for the activity ``ref``."""
    row = await fetch_one(
        conn,
        "SELECT 1 FROM points_ledger WHERE user_id = ? AND kind = 'activity' AND ref = ?",
        (user_id, ref),
    )
    return row is not None


async def residents_of(conn: aiosqlite.Connection, unit_code: str) -> list[tuple[int, str]] | None:
    """The confirmed residents of a unit (id, first name), for a correction; ``None`` if there
    is no such unit."""
    unit = await fetch_value(conn, "SELECT id FROM units WHERE code = ?", (unit_code,))
    if unit is None:
        return None
    rows = await fetch_all(
        conn,
        "SELECT r.user_id, p.first_name FROM residences r JOIN people p ON p.user_id = r.user_id"
        " WHERE r.unit_id = ? AND r.status = 'verified' ORDER BY r.user_id",
        (unit,),
    )
    return [(r[0], r[1]) for r in rows]


# ---------------------------------------------------------------------------- rewards


async def add_reward(
    conn: aiosqlite.Connection, title: str, price: int, stock: int, *, by: int, now: int
) -> int:
    cur = await conn.execute(
        "INSERT INTO rewards (title, price, stock, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        (title, price, stock, by, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


MAX_STOCK = 10_000


async def restock(conn: aiosqlite.Connection, reward_id: int, more: int) -> bool:
    """``more`` of an offered reward in stock (never above ``MAX_STOCK``); False if it is
    withdrawn, gone or would go over."""
    cur = await conn.execute(
        "UPDATE rewards SET stock = stock + ? WHERE id = ? AND active = 1 AND stock + ? <= ?",
        (more, reward_id, more, MAX_STOCK),
    )
    return cur.rowcount == 1


async def withdraw_reward(conn: aiosqlite.Connection, reward_id: int) -> bool:
    """No longer offered (codes already given stay valid); False if it already was not."""
    cur = await conn.execute(
        "UPDATE rewards SET active = 0 WHERE id = ? AND active = 1", (reward_id,)
    )
    return cur.rowcount == 1


async def rewards(conn: aiosqlite.Connection) -> list[Reward]:
    rows = await fetch_all(
        conn,
        "SELECT id, title, price, stock, active FROM rewards WHERE active = 1 ORDER BY price, id",
    )
    return [Reward(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


async def reward(conn: aiosqlite.Connection, reward_id: int) -> Reward | None:
    row = await fetch_one(
        conn, "SELECT id, title, price, stock, active FROM rewards WHERE id = ?", (reward_id,)
    )
    return Reward(row[0], row[1], row[2], row[3], bool(row[4])) if row else None


_REDEMPTION = "SELECT id, reward_id, user_id, code, price, at, used_at FROM redemptions"


async def redeem(
    conn: aiosqlite.Connection, user_id: int, reward_id: int, ref: str, code: str, *, now: int
) -> Redemption:
    """Redeem one of a reward for its price, in the caller's transaction: the redemption, the
    stock taken down by one (one guarded statement), the debit (the ledger's trigger refuses a
    balance below zero). Raises ``RedeemRefused`` (roll the transaction back) when it cannot
    be done; the same ``ref`` again (a second press of one confirmation) is ``AGAIN``, and
    ``redemption_of`` finds the first."""
    if await redemption_of(conn, user_id, reward_id, ref) is not None:
        raise RedeemRefused(Redeemed.AGAIN)
    found = await reward(conn, reward_id)
    if found is None or not found.active:
        raise RedeemRefused(Redeemed.GONE)
    taken = await conn.execute(
        "UPDATE rewards SET stock = stock - 1 WHERE id = ? AND active = 1 AND stock > 0",
        (reward_id,),
    )
    if taken.rowcount != 1:
        raise RedeemRefused(Redeemed.SOLD_OUT)
    cur = await conn.execute(
        "INSERT INTO redemptions (reward_id, user_id, ref, code, price, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (reward_id, user_id, ref, code, found.price, now),
    )
    assert cur.lastrowid is not None
    try:
        await conn.execute(
            "INSERT INTO points_ledger (user_id, delta, kind, ref, at)"
            " VALUES (?, ?, 'redeem', ?, ?)",
            (user_id, -found.price, str(cur.lastrowid), now),
        )
    except sqlite3.IntegrityError as exc:  # the trigger: too few points
        raise RedeemRefused(Redeemed.TOO_FEW_POINTS) from exc
    return Redemption(cur.lastrowid, reward_id, user_id, code, found.price, now, None)


async def redemption_by_code(conn: aiosqlite.Connection, code: str) -> Redemption | None:
    row = await fetch_one(conn, _REDEMPTION + " WHERE code = ?", (code,))
    return Redemption(*row) if row else None


async def redemption_of(
    conn: aiosqlite.Connection, user_id: int, reward_id: int, ref: str
) -> Redemption | None:
    row = await fetch_one(
        conn,
        _REDEMPTION + " WHERE user_id = ? AND reward_id = ? AND ref = ?",
        (user_id, reward_id, ref),
    )
    return Redemption(*row) if row else None


async def redemptions_of(conn: aiosqlite.Connection, user_id: int) -> list[Redemption]:
    rows = await fetch_all(
        conn, _REDEMPTION + " WHERE user_id = ? ORDER BY at DESC, id DESC", (user_id,)
    )
    return [Redemption(*r) for r in rows]


async def mark_used(conn: aiosqlite.Connection, code: str, *, by: int, now: int) -> bool:
    """Mark a code used, once: ``False`` if it was used already (or is unknown)."""
    cur = await conn.execute(
        "UPDATE redemptions SET used_at = ?, used_by = ? WHERE code = ? AND used_at IS NULL",
        (now, by, code),
    )
    return cur.rowcount == 1


# ---------------------------------------------------------------------------- volunteers


async def volunteer(conn: aiosqlite.Connection, user_id: int) -> tuple[bool, bool]:
    """(told of help requests, agreed to be named on the thank-you board)."""
    row = await fetch_one(conn, "SELECT helps, named FROM volunteers WHERE user_id = ?", (user_id,))
    return (bool(row[0]), bool(row[1])) if row else (False, False)


async def set_volunteer(
    conn: aiosqlite.Connection, user_id: int, *, helps: bool, named: bool, now: int
) -> None:
    await conn.execute(
        "INSERT INTO volunteers (user_id, helps, named, changed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET helps = excluded.helps, named = excluded.named,"
        " changed_at = excluded.changed_at",
        (user_id, int(helps), int(named), now),
    )


async def helpers_of(conn: aiosqlite.Connection, building_id: int) -> list[int]:
    """Volunteers living in a building (a verified residence) who want to be told."""
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT v.user_id FROM volunteers v JOIN residences r ON r.user_id = v.user_id"
        " JOIN units u ON u.id = r.unit_id WHERE v.helps = 1 AND r.status = 'verified'"
        " AND u.building_id = ? ORDER BY v.user_id",
        (building_id,),
    )
    return [r[0] for r in rows]


# ---------------------------------------------------------------------------- the honour board


async def plan_board(conn: aiosqlite.Connection, month: str, due_at: int) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO honour_boards (month, due_at) VALUES (?, ?)", (month, due_at)
    )


async def claim_boards(conn: aiosqlite.Connection, now: int) -> list[str]:
    """Months whose board is due, marked done in this transaction (posted once)."""
    rows = await fetch_all(
        conn,
        "SELECT month FROM honour_boards WHERE done_at IS NULL AND due_at <= ? ORDER BY month",
        (now,),
    )
    for (month,) in rows:
        await conn.execute("UPDATE honour_boards SET done_at = ? WHERE month = ?", (now, month))
    return [r[0] for r in rows]


# ---------------------------------------------------------------------------- /me, /forgetme


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, sql in (
        ("points_rows", "SELECT COUNT(*) FROM points_ledger WHERE user_id = ?"),
        ("redemptions", "SELECT COUNT(*) FROM redemptions WHERE user_id = ?"),
        ("volunteering", "SELECT COUNT(*) FROM volunteers WHERE user_id = ?"),
    ):
        count = int(await fetch_value(conn, sql, (user_id,)) or 0)
        if count:
            found[key] = count
    return found


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Their ledger rows and choices go; redemptions stay counted (stock), without them; the
    rows they wrote for others (corrections, codes marked used) keep no link to them."""
    await conn.execute("DELETE FROM points_ledger WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE points_ledger SET by_id = NULL WHERE by_id = ?", (user_id,))
    await conn.execute("DELETE FROM volunteers WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE redemptions SET user_id = NULL WHERE user_id = ?", (user_id,))
    await conn.execute("UPDATE redemptions SET used_by = NULL WHERE used_by = ?", (user_id,))
    await conn.execute("UPDATE rewards SET created_by = NULL WHERE created_by = ?", (user_id,))
