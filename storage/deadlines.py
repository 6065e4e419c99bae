"""The next moment something is due, across the due-time tables: SLA stages and rating
follow-ups, booking reminders, votes opening, reminding and closing, meetings' announcements
and reminders, inspection rounds to make and to escalate, home-visit reminders, volunteer
activities' reminders and the monthly thank-you board. Read-only;
the sandbox's "to the next deadline" moves its clock there. A new due-time table gets a row
in ``DUE_TABLES``."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one

#: (table, its due time's column, what a row still to come is)
DUE_TABLES = (
    ("sla_reminders", "due_at", "sent_at IS NULL"),
    ("booking_reminders", "due_at", "sent_at IS NULL"),
    ("vote_due", "due_at", "sent_at IS NULL"),
    ("meeting_due", "due_at", "done_at IS NULL"),
    ("inspection_plans", "next_due_at", "active = 1"),
    ("inspection_rounds", "deadline_at", "state = 'open' AND escalated_at IS NULL"),
    ("ticket_visits", "remind_at", "state = 'agreed' AND reminded_at IS NULL"),
    ("activity_due", "due_at", "done_at IS NULL"),
    ("honour_boards", "due_at", "done_at IS NULL"),
)


async def next_due(conn: aiosqlite.Connection, after: int) -> int | None:
    """The earliest due time later than ``after`` (a Unix time) of a row not done yet, or None
    when nothing is scheduled."""
    parts = " UNION ALL ".join(
        f"SELECT MIN({due}) AS m FROM {table} WHERE {pending} AND {due} > ?"
        for table, due, pending in DUE_TABLES
    )
    row = await fetch_one(conn, f"SELECT MIN(m) FROM ({parts})", (after,) * len(DUE_TABLES))
    return None if row is None or row[0] is None else int(row[0])
