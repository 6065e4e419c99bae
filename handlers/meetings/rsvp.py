"""RSVP: a resident invited to a meeting answers "I will attend" or "I cannot attend" under
its announcement (in a private or a group chat)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from handlers.kit import answer, pressed, stale, touch_person
from handlers.meetings.callbacks import MeetRsvp
from handlers.meetings.mine import invited
from storage import meetings as store


async def rsvp(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, MeetRsvp)
    tr = turn.tr
    async with context.services.db.transaction() as conn:
        occ = await store.occurrence(conn, data.occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
        if occ is None or meet is None or meet.state != "active":
            await stale(query, turn)
            return
        if occ.cancelled_at is not None:
            await answer(query, tr._("Sorry, this meeting was cancelled."), alert=True)
            return
        if occ.starts_at <= turn.ts:
            await answer(query, tr._("This meeting has already taken place."), alert=True)
            return
        if not invited(turn.principal, meet):
            await answer(
                query, tr._("Sorry, this meeting is for the residents it was sent to."), True
            )
            return
        await touch_person(turn, conn)
        await store.set_rsvp(conn, occ.id, turn.user.id, data.attend, turn.ts)
    if data.attend:
        await answer(query, tr._("Thank you! You are on the list; I will remind you."))
    else:
        await answer(query, tr._("Thank you for letting us know."))
