"""Cancelling from /meetings: one upcoming meeting, or the rest of a recurring series, after
a confirmation; everyone invited is told (bot.services.meetings.cancel)."""

from __future__ import annotations

import aiosqlite
from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services import meetings as service
from handlers.kit import (
    Refusal,
    Turn,
    answer,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
)
from handlers.meetings.callbacks import MeetCancel, MeetKeep
from storage import meetings as store


async def _cancellable(
    conn: aiosqlite.Connection, turn: Turn, data: MeetCancel
) -> tuple[store.Meeting, store.Occurrence] | None:
    """The meeting and occurrence a cancel press is about, if the presser may cancel it and it
    can still be cancelled (re-checked on every press, inside the transaction)."""
    if not can(turn.principal, Action.CALL_MEETING):
        return None
    occ = await store.occurrence(conn, data.occurrence_id)
    meet = await store.meeting(conn, occ.meeting_id) if occ else None
    if occ is None or meet is None or meet.state != "active":
        return None
    if occ.cancelled_at is not None or occ.starts_at <= turn.ts:
        return None
    if data.series and (not meet.rule or meet.ended_at is not None):
        return None
    return meet, occ


@private_only
async def cancel_meeting(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, MeetCancel)
    tr = turn.tr
    services = context.services
    async with services.db.transaction() as conn:
        found = await _cancellable(conn, turn, data)
        if found is None:
            if not can(turn.principal, Action.CALL_MEETING):
                await answer(query, refusal_text(tr, Refusal.NO_RIGHT), True)
            else:
                await answer(query, tr._("This meeting cannot be cancelled any more."), True)
            return
        meet, occ = found
        if not data.sure:
            await answer(query)
            when = tr.when(from_ts(occ.starts_at))
            if data.series:
                text = tr._(
                    "End the series {title}? The upcoming meeting on {when} is cancelled and "
                    "no more are planned. Everyone invited is told.",
                    title=meet.title,
                    when=when,
                )
            else:
                text = tr._(
                    "Cancel {title} on {when}? Everyone invited is told.",
                    title=meet.title,
                    when=when,
                )
            markup = keyboard(
                [
                    button(tr._("Yes, cancel it"), MeetCancel(occ.id, data.series, True)),
                    button(tr._("No, keep it"), MeetKeep(occ.id)),
                ],
                per_row=2,
            )
            await reply(update, text, markup)
            return
        people, groups = await service.cancel(
            conn, services.i18n, meet, occ.id, series=data.series, by=turn.user.id, now=turn.ts
        )
    await answer(query)
    if data.series:
        head = tr._("The series {title} is ended.", title=meet.title)
    else:
        head = tr._(
            "{title} on {when} is cancelled.",
            title=meet.title,
            when=tr.when(from_ts(occ.starts_at)),
        )
    await reply(
        update,
        "\n".join(
            [
                head,
                tr._(
                    "The notice goes to {people} residents and {groups} group chats.",
                    people=people,
                    groups=groups,
                ),
            ]
        ),
    )


@private_only
async def keep_meeting(update: Update, context: Context) -> None:
    query, _, turn = await pressed(update, context, MeetKeep)
    await answer(query)
    await reply(update, turn.tr._("The meeting stays as it is. Nothing was changed."))
