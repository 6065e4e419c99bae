"""storage.deadlines.next_due on a real SQLite file: the earliest row still to come across the
due-time tables; rows done, and rows due at or before the moment asked about, do not count."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from storage import deadlines
from storage.db import Database


async def next_due(path: Path, after: int) -> int | None:
    db = await Database.open(path)
    try:
        async with db.read() as conn:
            return await deadlines.next_due(conn, after)
    finally:
        await db.close()


def add(path: Path, sql: str, *params: object) -> None:
    """Rows written without their parents (foreign keys are off in a plain sqlite3 connection):
    only the due times matter here."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(sql, params)
        conn.commit()


async def test_the_earliest_row_still_to_come(tmp_path: Path) -> None:
    path = tmp_path / "due.db"
    assert await next_due(path, 1000) is None  # migrated, nothing scheduled
    add(path, "INSERT INTO vote_due (proposal_id, kind, due_at) VALUES (1, 'close', 5000)")
    add(path, "INSERT INTO meeting_due (occurrence_id, kind, due_at) VALUES (1, 'next', 4000)")
    assert await next_due(path, 1000) == 4000
    add(path, "INSERT INTO booking_reminders (booking_id, due_at) VALUES (1, 3000)")
    add(
        path,
        "INSERT INTO sla_reminders (ticket_id, stage, due_at) VALUES (1, 'response_warn', 2000)",
    )
    assert await next_due(path, 1000) == 2000
    assert await next_due(path, 2000) == 3000  # due at the moment asked about: not to come
    add(path, "UPDATE booking_reminders SET sent_at = 1")
    add(path, "UPDATE meeting_due SET done_at = 1")
    assert await next_due(path, 2000) == 5000  # done rows do not count
    assert await next_due(path, 5000) is None


async def test_rounds_visits_activities_and_the_honour_board_count_too(tmp_path: Path) -> None:
    path = tmp_path / "due.db"
    assert await next_due(path, 1000) is None
    add(
        path,
        "INSERT INTO inspection_plans (code, names, recurrence, deadline_minutes, next_due_at)"
        " VALUES ('roof', '{}', '{}', 60, 9000)",
    )
    assert await next_due(path, 1000) == 9000  # a round to make
    add(path, "UPDATE inspection_plans SET active = 0")
    assert await next_due(path, 1000) is None  # a retired plan makes no rounds
    add(
        path,
        "INSERT INTO inspection_rounds (plan_id, due_at, deadline_at) VALUES (1, 500, 7000)",
    )
    assert await next_due(path, 1000) == 7000  # a round's deadline, to escalate
    add(
        path,
        "INSERT INTO ticket_visits (ticket_id, state, created_at, remind_at)"
        " VALUES (1, 'agreed', 1, 6000)",
    )
    assert await next_due(path, 1000) == 6000  # a visit's reminders
    add(path, "UPDATE ticket_visits SET reminded_at = 1")
    add(path, "UPDATE inspection_rounds SET state = 'done'")
    assert await next_due(path, 1000) is None
    add(path, "INSERT INTO honour_boards (month, due_at) VALUES ('2026-11', 8000)")
    add(path, "INSERT INTO activity_due (activity_id, kind, due_at) VALUES (1, 'day', 5500)")
    assert await next_due(path, 1000) == 5500  # a volunteer activity's reminder
    add(path, "UPDATE activity_due SET done_at = 1")
    assert await next_due(path, 1000) == 8000  # the monthly thank-you board
