"""The next moment something is due, across the due-time tables: SLA stages and rating
follow-ups, booking reminders, votes opening, reminding and closing, meetings' announcements
and reminders. Read-only; the sandbox's "to the next deadline" moves its clock there."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one

#: (table, the column that says a row is done): rows not done yet are still to come.
DUE_TABLES = (
    ("sla_reminders", "sent_at"),
    ("booking_reminders", "sent_at"),
    ("vote_due", "sent_at"),
    ("meeting_due", "done_at"),
)


async def next_due(conn: aiosqlite.Connection, after: int) -> int | None:
    """The earliest due time later than ``after`` (a Unix time) of a row not done yet, or None
    when nothing is scheduled."""
    parts = " UNION ALL ".join(
        f"SELECT MIN(due_at) AS m FROM {table} WHERE {done} IS NULL AND due_at > ?"
        for table, done in DUE_TABLES
    )
    row = await fetch_one(conn, f"SELECT MIN(m) FROM ({parts})", (after,) * len(DUE_TABLES))
    return None if row is None or row[0] is None else int(row[0])
