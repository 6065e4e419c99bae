"""/meetings: for those who call meetings, every meeting with who is coming, and the buttons
to move (new time, new place) or cancel an upcoming one, or post the minutes of a past one;
for everyone else, their own upcoming meetings with their answer (``handlers.meetings.mine``)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from handlers.kit import answer, begin, button, keyboard, private_only, reply
from handlers.meetings.callbacks import MeetMinutes
from handlers.meetings.keyboards import cancel_buttons, move_buttons
from handlers.meetings.mine import invited, my_meetings
from storage import meetings as store


@private_only
async def list_meetings(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    if not can(turn.principal, Action.CALL_MEETING):
        async with context.services.db.read() as conn:
            mine = [
                (meet, occ, await store.rsvp_of(conn, occ.id, turn.user.id))
                for meet, occ in await store.upcoming(conn, turn.ts)
                if invited(turn.principal, meet)
            ]
        await my_meetings(update, turn, mine)
        return
    async with context.services.db.read() as conn:
        found = await store.occurrences(conn, None)
        counted = [(m, o, await store.rsvp_counts(conn, o.id)) for m, o in found]
    if not counted:
        await reply(update, tr._("No meetings yet. Call one with /meeting."))
        return
    lines = [tr._("Meetings:")]
    buttons = []
    for meet, occ, (yes, no) in counted:
        when = tr.when(from_ts(occ.starts_at))
        if occ.cancelled_at is not None:
            lines.append(tr._("{when} {title}: cancelled", when=when, title=meet.title))
            continue
        lines.append(
            tr._(
                "{when} {title}: {yes} attend, {no} cannot",
                when=when,
                title=meet.title,
                yes=yes,
                no=no,
            )
        )
        if occ.starts_at > turn.ts:
            buttons += move_buttons(tr, meet, occ) + cancel_buttons(tr, meet, occ)
        elif occ.minutes_notice_id is None:
            label = tr._(
                "Post minutes: {title} {day}",
                title=meet.title[:20],
                day=tr.day(from_ts(occ.starts_at).astimezone(tr.tz).date(), "short"),
            )
            buttons.append(button(label, MeetMinutes(occ.id)))
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)
