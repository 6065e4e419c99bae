"""Tickets and the person: what /me counts of theirs and what /forgetme leaves of them (the
tickets repository's part of ``storage.privacy``)."""

from __future__ import annotations

from collections.abc import Collection

import aiosqlite

from bot.rules.privacy import find_personal, scrubber
from storage import community
from storage.db import fetch_all, fetch_one


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    reported = await fetch_one(
        conn, "SELECT COUNT(*) FROM tickets WHERE reporter_id = ?", (user_id,)
    )
    followed = await fetch_one(
        conn, "SELECT COUNT(*) FROM ticket_followers WHERE user_id = ?", (user_id,)
    )
    found: dict[str, int] = {}
    if reported[0]:
        found["tickets_reported"] = int(reported[0])
    if followed[0]:
        found["tickets_followed"] = int(followed[0])
    return found


async def forget(conn: aiosqlite.Connection, user_id: int, names: Collection[str] = ()) -> None:
    """Tickets stay for the community's records, without the person:

    - no link to them: reporter, assignee, accepter, asker, note author and history actor
      become NULL, and they follow nothing;
    - on the tickets they reported: what they wrote (description, place, rating comment, their
      notes, their answers in the history) keeps its words with phone, ID and room numbers and
      unit codes masked; their voice notes go (a voice is the person); the questions staff put
      to them (a note and a "need_info" history entry each) are emptied: texts addressed to
      the person;
    - their name where the history recorded it (to whom a ticket was assigned) becomes "-"."""
    mine = [
        int(r[0])
        for r in await fetch_all(conn, "SELECT id FROM tickets WHERE reporter_id = ?", (user_id,))
    ]
    for ticket_id in mine:
        row = await fetch_one(
            conn,
            "SELECT description, place, rating_comment FROM tickets WHERE id = ?",
            (ticket_id,),
        )
        assert row is not None
        await conn.execute(
            "UPDATE tickets SET description = ?, place = ?, rating_comment = ?,"
            " voice_file_id = NULL WHERE id = ?",
            (
                await community.mask_for_group(conn, row[0]),
                await community.mask_for_group(conn, row[1]),
                None if row[2] is None else await community.mask_for_group(conn, row[2]),
                ticket_id,
            ),
        )
    marks = ",".join("?" * len(mine))
    if mine:
        await conn.execute(
            f"UPDATE ticket_notes SET text = '', voice_file_id = NULL"
            f" WHERE ticket_id IN ({marks}) AND (author_id IS NULL OR author_id != ?)",
            (*mine, user_id),
        )
        await conn.execute(
            f"UPDATE ticket_history SET detail = '' WHERE ticket_id IN ({marks})"
            " AND action = 'need_info'",
            mine,
        )
    for note_id, text in await fetch_all(
        conn, "SELECT id, text FROM ticket_notes WHERE author_id = ?", (user_id,)
    ):
        await conn.execute(
            "UPDATE ticket_notes SET text = ?, voice_file_id = NULL, author_id = NULL WHERE id = ?",
            (await community.mask_for_group(conn, text), note_id),
        )
    for entry_id, detail in await fetch_all(
        conn,
        "SELECT id, detail FROM ticket_history WHERE actor = ? AND action IN"
        " ('answered', 'info_added')",
        (user_id,),
    ):
        await conn.execute(
            "UPDATE ticket_history SET detail = ? WHERE id = ?",
            (await community.mask_for_group(conn, detail), entry_id),
        )
    scrub = scrubber(names)
    for entry_id, detail in await fetch_all(
        conn, "SELECT id, detail FROM ticket_history WHERE action = 'assigned'"
    ):
        scrubbed = scrub(detail)
        if scrubbed != detail:
            await conn.execute(
                "UPDATE ticket_history SET detail = ? WHERE id = ?", (scrubbed, entry_id)
            )
    for column in ("reporter_id", "assignee_id", "accepted_by", "asked_by"):
        await conn.execute(
            f"UPDATE tickets SET {column} = NULL WHERE {column} = ?",
            (user_id,),
        )
    await conn.execute("UPDATE ticket_history SET actor = NULL WHERE actor = ?", (user_id,))
    await conn.execute("DELETE FROM ticket_followers WHERE user_id = ?", (user_id,))


async def personal_numbers(conn: aiosqlite.Connection, user_id: int) -> set[str]:
    """The phone and ID numbers the person wrote in their tickets, notes and answers (before
    they are masked): /forgetme masks them too where the outbox carried them to others."""
    texts = [
        str(value)
        for row in await fetch_all(
            conn,
            "SELECT description, place, rating_comment FROM tickets WHERE reporter_id = ?",
            (user_id,),
        )
        for value in row
        if value
    ]
    texts += [
        str(r[0])
        for r in await fetch_all(
            conn, "SELECT text FROM ticket_notes WHERE author_id = ?", (user_id,)
        )
    ]
    return {number for text in texts for number in find_personal(text)}
