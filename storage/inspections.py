"""Inspection rounds (巡检): plans and their checklist items (from the community file), the
rounds they make due, and each item's result. Repositories take the connection and never commit.

Due rows claimed exactly once: a plan's ``next_due_at`` is moved on by a conditional UPDATE
(``advance``: of two sweeps exactly one changes the row and makes the round), and a missed
round's ``escalated_at`` is set by one conditional UPDATE in the transaction that queues the
managers' message (``claim_missed``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import time
from typing import Any

import aiosqlite

from bot.rules.inspections import Item, Plan, PlanSpec, Result, Round, RoundSums
from bot.rules.recurrence import Every, Recurrence
from storage.db import fetch_all, fetch_one


def _recurrence_json(r: Recurrence) -> str:
    return json.dumps(
        {"every": r.every.value, "at": r.at.strftime("%H:%M"), "weekday": r.weekday, "day": r.day},
        sort_keys=True,
    )


def _recurrence(raw: str) -> Recurrence:
    d = json.loads(raw)
    return Recurrence(Every(d["every"]), time.fromisoformat(d["at"]), d["weekday"], d["day"])


_PLAN = (
    "id, code, names, building_id, place, recurrence, deadline_minutes, assignee_id, next_due_at"
)
_ROUND = "id, plan_id, due_at, deadline_at, assignee_id, state, done_at, escalated_at"


def _plan(row: Any) -> Plan:
    v = list(row)
    return Plan(v[0], v[1], json.loads(v[2]), v[3], v[4], _recurrence(v[5]), *v[6:])


# ---- plans from the community file -----------------------------------------------------------


async def sync_plans(
    conn: aiosqlite.Connection, specs: Sequence[PlanSpec], note: Callable[[str, str], None]
) -> None:
    """Make the plans and items match the file: new ones added, changed ones updated (a changed
    recurrence is due again from the next sweep), removed ones retired, never deleted. A file
    without plans applied to a database from before 0021 (an upgrade's test) changes nothing."""
    if not specs and not await fetch_one(
        conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inspection_plans'"
    ):
        return
    buildings = {r[0]: r[1] for r in await fetch_all(conn, "SELECT code, id FROM buildings")}
    current = {
        r[0]: r[1:]
        for r in await fetch_all(
            conn,
            "SELECT code, id, names, building_id, place, recurrence, deadline_minutes,"
            " assignee_id, active, position FROM inspection_plans",
        )
    }
    for spec in specs:
        values = (
            json.dumps(spec.names, ensure_ascii=False, sort_keys=True),
            buildings.get(spec.building),
            spec.place,
            _recurrence_json(spec.recurrence),
            spec.deadline_minutes,
            spec.assignee,
            1,
            spec.position,
        )
        if spec.code not in current:
            cur = await conn.execute(
                "INSERT INTO inspection_plans (code, names, building_id, place, recurrence,"
                " deadline_minutes, assignee_id, active, position) VALUES (?, ?, ?, ?, ?, ?, ?,"
                " ?, ?)",
                (spec.code, *values),
            )
            plan_id = cur.lastrowid
            assert plan_id is not None
            note("inspection_plans", f"added {spec.code}")
        else:
            plan_id, *before = current[spec.code]
            if tuple(before) != values:
                moved = before[3] != values[3]
                await conn.execute(
                    "UPDATE inspection_plans SET names = ?, building_id = ?, place = ?,"
                    " recurrence = ?, deadline_minutes = ?, assignee_id = ?, active = ?,"
                    " position = ?" + (", next_due_at = NULL" if moved else "") + " WHERE id = ?",
                    (*values, plan_id),
                )
                note("inspection_plans", f"updated {spec.code}")
        await _sync_items(conn, plan_id, spec)
    wanted = {s.code for s in specs}
    for code, row in current.items():
        if code not in wanted and row[7] == 1:
            await conn.execute("UPDATE inspection_plans SET active = 0 WHERE id = ?", (row[0],))
            note("inspection_plans", f"retired {code}")


async def _sync_items(conn: aiosqlite.Connection, plan_id: int, spec: PlanSpec) -> None:
    await conn.execute("UPDATE inspection_items SET active = 0 WHERE plan_id = ?", (plan_id,))
    for item in spec.items:
        await conn.execute(
            "INSERT INTO inspection_items (plan_id, code, names, photo, category, position,"
            " active) VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (plan_id, code) DO UPDATE SET"
            " names = excluded.names, photo = excluded.photo, category = excluded.category,"
            " position = excluded.position, active = 1",
            (
                plan_id,
                item.code,
                json.dumps(item.names, ensure_ascii=False, sort_keys=True),
                int(item.photo),
                item.category,
                item.position,
            ),
        )


async def plan(conn: aiosqlite.Connection, plan_id: int) -> Plan | None:
    row = await fetch_one(conn, f"SELECT {_PLAN} FROM inspection_plans WHERE id = ?", (plan_id,))
    return _plan(row) if row else None


async def unscheduled(conn: aiosqlite.Connection) -> list[Plan]:
    """Active plans whose next due time is still to be computed."""
    rows = await fetch_all(
        conn,
        f"SELECT {_PLAN} FROM inspection_plans WHERE active = 1 AND next_due_at IS NULL",
    )
    return [_plan(r) for r in rows]


async def schedule(conn: aiosqlite.Connection, plan_id: int, due_at: int) -> None:
    await conn.execute(
        "UPDATE inspection_plans SET next_due_at = ? WHERE id = ? AND next_due_at IS NULL",
        (due_at, plan_id),
    )


async def due_plans(conn: aiosqlite.Connection, now: int, limit: int = 20) -> list[Plan]:
    rows = await fetch_all(
        conn,
        f"SELECT {_PLAN} FROM inspection_plans WHERE active = 1 AND next_due_at <= ?"
        " ORDER BY next_due_at, id LIMIT ?",
        (now, limit),
    )
    return [_plan(r) for r in rows]


async def advance(conn: aiosqlite.Connection, plan_id: int, was: int, then: int) -> bool:
    """Move the plan's due row from ``was`` to ``then``; False if someone else already did."""
    cur = await conn.execute(
        "UPDATE inspection_plans SET next_due_at = ? WHERE id = ? AND next_due_at = ?",
        (then, plan_id, was),
    )
    return cur.rowcount == 1


async def active_plans(conn: aiosqlite.Connection) -> list[Plan]:
    rows = await fetch_all(
        conn, f"SELECT {_PLAN} FROM inspection_plans WHERE active = 1 ORDER BY position, id"
    )
    return [_plan(r) for r in rows]


async def open_rounds(conn: aiosqlite.Connection, limit: int = 20) -> list[Round]:
    """Rounds not done yet, oldest due first."""
    rows = await fetch_all(
        conn,
        f"SELECT {_ROUND} FROM inspection_rounds WHERE state = 'open' ORDER BY due_at, id LIMIT ?",
        (limit,),
    )
    return [Round(*r) for r in rows]


async def items(conn: aiosqlite.Connection, plan_id: int) -> list[Item]:
    rows = await fetch_all(
        conn,
        "SELECT id, plan_id, code, names, photo, category FROM inspection_items"
        " WHERE plan_id = ? AND active = 1 ORDER BY position, id",
        (plan_id,),
    )
    return [Item(r[0], r[1], r[2], json.loads(r[3]), bool(r[4]), r[5]) for r in rows]


# ---- rounds and results ----------------------------------------------------------------------


async def open_round(
    conn: aiosqlite.Connection, plan: Plan, due_at: int, deadline_at: int
) -> int | None:
    """The round due at ``due_at``; None if it was already made."""
    cur = await conn.execute(
        "INSERT INTO inspection_rounds (plan_id, due_at, deadline_at, assignee_id)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (plan_id, due_at) DO NOTHING",
        (plan.id, due_at, deadline_at, plan.assignee_id),
    )
    return cur.lastrowid if cur.rowcount == 1 else None


async def get_round(conn: aiosqlite.Connection, round_id: int) -> Round | None:
    row = await fetch_one(conn, f"SELECT {_ROUND} FROM inspection_rounds WHERE id = ?", (round_id,))
    return Round(*row) if row else None


async def results(conn: aiosqlite.Connection, round_id: int) -> dict[int, Result]:
    rows = await fetch_all(
        conn,
        "SELECT item_id, ok, photo_file_id, ticket_id FROM inspection_results WHERE round_id = ?",
        (round_id,),
    )
    return {r[0]: Result(r[0], bool(r[1]), r[2], r[3]) for r in rows}


async def record(
    conn: aiosqlite.Connection,
    round_id: int,
    item_id: int,
    ok: bool,
    photo: str | None,
    by: int,
    now: int,
) -> bool:
    """The item's tick; False if it was already ticked (a second press changes nothing)."""
    cur = await conn.execute(
        "INSERT INTO inspection_results (round_id, item_id, ok, photo_file_id, checked_by, at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, item_id) DO NOTHING",
        (round_id, item_id, int(ok), photo, by, now),
    )
    return cur.rowcount == 1


async def link_ticket(
    conn: aiosqlite.Connection, round_id: int, item_id: int, ticket_id: int
) -> None:
    await conn.execute(
        "UPDATE inspection_results SET ticket_id = ? WHERE round_id = ? AND item_id = ?",
        (ticket_id, round_id, item_id),
    )


async def finish(conn: aiosqlite.Connection, round_id: int, now: int) -> bool:
    cur = await conn.execute(
        "UPDATE inspection_rounds SET state = 'done', done_at = ? WHERE id = ? AND state = 'open'",
        (now, round_id),
    )
    return cur.rowcount == 1


async def claim_missed(conn: aiosqlite.Connection, now: int, limit: int = 20) -> list[Round]:
    """Open rounds past their deadline, not escalated yet: marked escalated and returned. The
    caller queues the managers' messages in the same transaction, so each is told once."""
    rows = await fetch_all(
        conn,
        "UPDATE inspection_rounds SET escalated_at = ? WHERE id IN ("
        " SELECT id FROM inspection_rounds WHERE state = 'open' AND escalated_at IS NULL"
        f" AND deadline_at <= ? ORDER BY deadline_at LIMIT ?) RETURNING {_ROUND}",
        (now, now, limit),
    )
    return sorted((Round(*r) for r in rows), key=lambda r: (r.deadline_at, r.id))


async def sums(
    conn: aiosqlite.Connection, start: int, end: int, now: int, building_id: int | None
) -> RoundSums:
    where = "r.due_at >= ? AND r.due_at < ?"
    params: list[Any] = [start, end]
    if building_id is not None:
        where += " AND p.building_id = ?"
        params.append(building_id)
    row = await fetch_one(
        conn,
        "SELECT COUNT(*),"
        " SUM(r.done_at IS NOT NULL AND r.done_at <= r.deadline_at),"
        " SUM(r.done_at IS NOT NULL AND r.done_at > r.deadline_at),"
        " SUM(r.done_at IS NULL AND r.deadline_at <= ?),"
        " SUM(r.done_at IS NULL AND r.deadline_at > ?)"
        " FROM inspection_rounds r JOIN inspection_plans p ON p.id = r.plan_id"
        f" WHERE {where}",
        (now, now, *params),
    )
    ticks = await fetch_one(
        conn,
        "SELECT COUNT(*), SUM(NOT x.ok), COUNT(x.ticket_id) FROM inspection_results x"
        " JOIN inspection_rounds r ON r.id = x.round_id"
        f" JOIN inspection_plans p ON p.id = r.plan_id WHERE {where}",
        params,
    )
    n = [int(v or 0) for v in (*row, *ticks)]
    return RoundSums(*n)


# ---- /forgetme -------------------------------------------------------------------------------


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    row = await fetch_one(
        conn, "SELECT COUNT(*) FROM inspection_results WHERE checked_by = ?", (user_id,)
    )
    return {"inspection_ticks": int(row[0])} if row and row[0] else {}


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Rounds and ticks stay for the community's record, without the person: the plan's and
    round's assignee and the ticks' checker become NULL (the file may name them again)."""
    for table, column in (
        ("inspection_plans", "assignee_id"),
        ("inspection_rounds", "assignee_id"),
        ("inspection_results", "checked_by"),
    ):
        await conn.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ?", (user_id,))
