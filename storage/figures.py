"""The figures' rows: only a period's, each found through an index (0013_figures.sql), plus
the managers' figure settings and the monthly report's due rows.

Tickets are summed in SQL from the SLA measures recorded on them
(``storage.tickets.record_measures``), each sum read from one covering index, so counting a
month of a million-ticket history reads that month's index entries and the open tickets, and
walks no service calendar.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.rules.figures import (
    BUCKET_SECONDS,
    GOOD_RATING,
    OUTCOME_FIELDS,
    RESOLVED,
    Cell,
    Inputs,
    NoticeFigures,
    Period,
)
from bot.rules.tickets import OPEN_STATES, State
from bot.rules.votes import OptionDef, options_from_json
from storage.db import fetch_all, fetch_value
from storage.notices import load_audience
from storage.tickets import _OPEN_SQL


def _scope(building_id: int | None) -> tuple[str, dict[str, Any]]:
    """The building filter (named ``:b``) and its parameter."""
    if building_id is None:
        return "", {}
    return " AND building_id = :b", {"b": building_id}


_RESOLVED_SQL = "('resolved', 'closed')"


def _seconds(joined: str | None) -> list[int]:
    """``group_concat`` of integers back to a list."""
    return [int(v) for v in joined.split(",")] if joined else []


async def ticket_inputs(
    conn: aiosqlite.Connection, period: Period, now: int, building_id: int | None = None
) -> Inputs:
    """The period's sums and durations (``bot.rules.figures.Inputs``), summed by SQLite: what
    ``inputs_of`` gives for the same rows (``bot.rules.figures.cell_of`` in SQL), without
    bringing every row into Python. Each query reads one covering index (reported, resolved,
    closed in the period) or the open tickets' partial index; ``:now`` past a deadline is
    ``status_at``'s "breached"."""
    scope, args = _scope(building_id)
    named = {
        "start": period.start_ts,
        "end": period.end_ts,
        "now": now,
        "bucket": BUCKET_SECONDS,
        **args,
    }
    opened = f"created_at >= :start AND created_at < :end{scope}"
    resolved = f"resolved_at >= :start AND resolved_at < :end{scope}"
    closed = f"closed_at >= :start AND closed_at < :end{scope}"
    done = f"state IN {_RESOLVED_SQL}"
    found = Inputs()

    def cell(kind: str, category: str) -> Cell:
        return found.cells.setdefault((kind, category), Cell())

    for kind, category, *sums in await fetch_all(
        conn,
        f"SELECT kind, category, COUNT(*), SUM({done}), SUM(response_met = 1),"
        " SUM(response_met = 0 OR (response_met IS NULL"
        f" AND state IN {_OPEN_SQL} AND response_due_at < :now))"
        f" FROM tickets WHERE {opened} GROUP BY kind, category",
        named,
    ):
        c = cell(kind, category)
        c.opened, c.completed, c.response_met, c.response_missed = (int(v or 0) for v in sums)
    for kind, category, state, *sums in await fetch_all(
        conn,
        "SELECT kind, category, state, COUNT(*), SUM(resolution_met = 1),"
        f" SUM(rating IS NOT NULL), SUM(rating >= {GOOD_RATING}), SUM(reopen_count > 0)"
        f" FROM tickets WHERE {resolved} GROUP BY kind, category, state",
        named,
    ):
        count, met, rated, good, reopened = (int(v or 0) for v in sums)
        c = cell(kind, category)
        if state in RESOLVED:
            c.resolved += count
            c.resolution_met += met
            c.rated += rated
            c.good += good
            c.reopened += reopened
        elif state in OPEN_STATES:
            c.not_fixed += reopened
            c.reopened += reopened
    for kind, category, state, count in await fetch_all(
        conn,
        f"SELECT kind, category, state, COUNT(*) FROM tickets WHERE {closed}"
        " GROUP BY kind, category, state",
        named,
    ):
        c = cell(kind, category)
        if state == State.CLOSED:
            c.closed += int(count)
        elif state in OUTCOME_FIELDS:
            name = OUTCOME_FIELDS[State(state)]
            setattr(c, name, getattr(c, name) + int(count))
    for kind, category, count, overdue in await fetch_all(
        conn,
        "SELECT kind, category, COUNT(*),"
        " SUM(response_due_at < :now OR resolution_due_at < :now) FROM tickets"
        f" WHERE state IN {_OPEN_SQL} AND +created_at < :end{scope} GROUP BY kind, category",
        named,
    ):
        c = cell(kind, category)
        c.open_now, c.overdue = int(count), int(overdue or 0)
    for person, *sums in await fetch_all(
        conn,
        "SELECT assignee_id, COUNT(*), SUM(resolution_met = 1), SUM(rating IS NOT NULL),"
        f" SUM(rating >= {GOOD_RATING}), SUM(reopen_count > 0) FROM tickets"
        f" WHERE {resolved} AND {done} AND assignee_id IS NOT NULL GROUP BY assignee_id",
        named,
    ):
        handled, met, rated, good, reopened = (int(v or 0) for v in sums)
        found.assignees[int(person)] = Cell(
            resolved=handled, resolution_met=met, rated=rated, good=good, reopened=reopened
        )
    for bucket, count in await fetch_all(
        conn,
        f"SELECT (created_at - :start) / :bucket, COUNT(*) FROM tickets WHERE {opened} GROUP BY 1",
        named,
    ):
        found.buckets.setdefault(int(bucket), [0, 0, 0])[0] += int(count)
    for bucket, count, met in await fetch_all(
        conn,
        "SELECT (resolved_at - :start) / :bucket, COUNT(*), SUM(resolution_met = 1)"
        f" FROM tickets WHERE {resolved} AND {done} GROUP BY 1",
        named,
    ):
        slot = found.buckets.setdefault(int(bucket), [0, 0, 0])
        slot[1] += int(count)
        slot[2] += int(met or 0)
    # durations come as one text per group (group_concat): one row per group, not per ticket
    for responses, arrivals in await fetch_all(
        conn,
        "SELECT group_concat(response_secs), group_concat(arrival_secs) FROM tickets"
        f" WHERE {opened}",
        named,
    ):
        found.response = _seconds(responses)
        found.arrival = _seconds(arrivals)
    for kind, category, person, seconds in await fetch_all(
        conn,
        "SELECT kind, category, assignee_id, group_concat(resolution_secs) FROM tickets"
        f" WHERE {resolved} AND {done} AND resolution_secs IS NOT NULL"
        " GROUP BY kind, category, assignee_id",
        named,
    ):
        found.resolution[(kind, category, person)] = _seconds(seconds)
    return found


async def unmeasured(conn: aiosqlite.Connection, limit: int) -> list[int]:
    """Tickets whose SLA measures were never recorded (made before 0013)."""
    rows = await fetch_all(
        conn, "SELECT id FROM tickets WHERE measured_at IS NULL ORDER BY id LIMIT ?", (limit,)
    )
    return [int(r[0]) for r in rows]


@dataclass(frozen=True)
class ClosedVote:
    proposal_id: int
    title: str
    result: dict[str, Any]
    options: tuple[OptionDef, ...]


async def closed_votes(
    conn: aiosqlite.Connection, start: int, end: int, building_id: int | None = None
) -> list[ClosedVote]:
    """Proposals closed in [start, end) with their stored result; of one building: those put
    to that building."""
    scope = " AND building_id = ?" if building_id is not None else ""
    args: tuple[Any, ...] = (start, end) + ((building_id,) if building_id is not None else ())
    rows = await fetch_all(
        conn,
        "SELECT id, title, result, options FROM proposals WHERE state = 'closed'"
        f" AND closed_at >= ? AND closed_at < ?{scope} ORDER BY closed_at, id",
        args,
    )
    return [
        ClosedVote(r[0], r[1], json.loads(r[2]) if r[2] else {}, options_from_json(r[3]))
        for r in rows
    ]


def _reaches(raw_audience: str, building_id: int | None) -> bool:
    audience = load_audience(raw_audience)
    return building_id is None or audience is None or building_id in audience


async def notice_delivery(
    conn: aiosqlite.Connection, start: int, end: int, now: int, building_id: int | None = None
) -> NoticeFigures:
    """Notices (and minutes) sent in [start, end) up to ``now`` and the fate of their messages
    (one outbox row per recipient); of one building: those its residents got."""
    rows = await fetch_all(
        conn,
        "SELECT n.id, n.buildings, o.state, COUNT(o.id) FROM notices n"
        " LEFT JOIN outbox o ON o.batch_id = n.batch_id"
        " WHERE n.send_at >= ? AND n.send_at < ? AND n.send_at <= ? AND n.state = 'queued'"
        " AND n.batch_id IS NOT NULL GROUP BY n.id, o.state",
        (start, end, now),
    )
    sent: set[int] = set()
    states: dict[str, int] = {}
    for notice_id, audience, state, count in rows:
        if not _reaches(audience, building_id):
            continue
        sent.add(int(notice_id))
        if state is not None:
            states[state] = states.get(state, 0) + int(count)
    return NoticeFigures(
        sent=len(sent),
        delivered=states.get("sent", 0),
        blocked=states.get("blocked", 0),
        failed=states.get("failed", 0),
        waiting=states.get("pending", 0) + states.get("sending", 0),
    )


async def meetings_held(
    conn: aiosqlite.Connection, since: int, now: int, building_id: int | None = None
) -> int:
    """Meetings that took place (started, not cancelled) from ``since`` up to ``now``; of one
    building: those it was invited to."""
    rows = await fetch_all(
        conn,
        "SELECT m.buildings FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id"
        " WHERE o.starts_at >= ? AND o.starts_at <= ? AND o.cancelled_at IS NULL",
        (since, now),
    )
    return sum(1 for (audience,) in rows if _reaches(audience, building_id))


# ---- settings and the monthly report's due rows ---------------------------------------------

PUBLIC_REPORT = "public_report"


async def setting(conn: aiosqlite.Connection, key: str) -> str | None:
    value = await fetch_value(conn, "SELECT value FROM figure_settings WHERE key = ?", (key,))
    return None if value is None else str(value)


async def set_setting(
    conn: aiosqlite.Connection, key: str, value: str, by: int | None, now: int
) -> None:
    await conn.execute(
        "INSERT INTO figure_settings (key, value, changed_by, changed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
        " changed_by = excluded.changed_by, changed_at = excluded.changed_at",
        (key, value, by, now),
    )


async def plan_report(conn: aiosqlite.Connection, month: str, due_at: int) -> None:
    """The due row of ``month``'s report (made once; an existing row is left alone)."""
    await conn.execute(
        "INSERT OR IGNORE INTO figure_reports (month, due_at) VALUES (?, ?)", (month, due_at)
    )


async def due_reports(conn: aiosqlite.Connection, now: int) -> list[str]:
    """Months whose report is due and not done, oldest first."""
    rows = await fetch_all(
        conn,
        "SELECT month FROM figure_reports WHERE done_at IS NULL AND due_at <= ? ORDER BY due_at",
        (now,),
    )
    return [str(r[0]) for r in rows]


async def mark_report_done(conn: aiosqlite.Connection, month: str, now: int) -> bool:
    """Mark the month's report done, if it was not: the claim, in the transaction that queues
    the report (True: this transaction sends it)."""
    cur = await conn.execute(
        "UPDATE figure_reports SET done_at = ? WHERE month = ? AND done_at IS NULL", (now, month)
    )
    return cur.rowcount == 1
