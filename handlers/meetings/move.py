"""Moving an upcoming meeting from /meetings ("meetings-move"): an organiser taps "New time" or
"New place", sends it, and everyone the announcement reached who had not declined is told once,
with the RSVP buttons (answers kept); reminders follow the new time
(``bot.services.meetings.move``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts, to_ts
from bot.services import meetings as service
from handlers.kit import (
    Dismiss,
    Refusal,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    refusal_text,
    reply,
    stale,
    text_too_long,
)
from handlers.kit.callbacks import matches
from handlers.kit.wizard import cancelled, wizard
from handlers.meetings.callbacks import MeetMove, MeetPlace
from handlers.meetings.keyboards import picked_room, room_buttons, rsvp_buttons
from storage import meetings as store

NEW_VALUE = "meetings:move"
MOVE_KEY = "meeting_move"  # user_data: [occurrence id, "time" | "place"]
WHAT = ("time", "place")


async def move_press(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, MeetMove)
    tr = turn.tr
    if not can(turn.principal, Action.CALL_MEETING):
        await answer(query, refusal_text(tr, Refusal.NO_RIGHT), True)
        return ConversationHandler.END
    async with context.services.db.read() as conn:
        occ = await store.occurrence(conn, data.occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
    movable = occ is not None and occ.cancelled_at is None and occ.starts_at > turn.ts
    if data.what not in WHAT or meet is None or meet.state != "active" or not movable:
        await answer(query, tr._("This meeting cannot be changed any more."), True)
        return ConversationHandler.END
    assert occ is not None
    await answer(query)
    user_data = context.user_data
    assert user_data is not None
    user_data[MOVE_KEY] = [occ.id, data.what]
    if data.what == "time":
        text = tr._(
            "{title} is on {when}. Send the new date and time, for example {example}.",
            title=meet.title,
            when=tr.when(from_ts(occ.starts_at)),
            example=from_ts(occ.starts_at).astimezone(tr.tz).strftime("%Y-%m-%d %H:%M"),
        )
        rooms = []
    else:
        text = tr._(
            "{title} is at {place}. Tap a room, or write the new place.",
            title=meet.title,
            place=service.place_text(tr, meet),
        )
        rooms = await room_buttons(turn)
    cancel = button(tr._("Cancel"), Dismiss("move"))
    await reply(update, text, keyboard(rooms, per_row=2, footer=[cancel]))
    return NEW_VALUE


async def got_room(update: Update, context: Context) -> str | int:
    """The new place is one of the community's rooms (its name in every language)."""
    query, data, turn = await pressed(update, context, MeetPlace)
    pending = (context.user_data or {}).get(MOVE_KEY)
    room = await picked_room(turn, data.room_id)
    if room is None or not isinstance(pending, list) or pending[1:] != ["place"]:
        await stale(query, turn)
        return NEW_VALUE
    await answer(query)
    place = turn.tr.name(room.names)
    return await _apply(update, context, int(pending[0]), None, place, room.names)


async def got_value(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    tr = turn.tr
    message = update.effective_message
    assert message is not None
    user_data = context.user_data
    assert user_data is not None
    pending = user_data.get(MOVE_KEY)
    if not isinstance(pending, list) or len(pending) != 2:
        return ConversationHandler.END
    occurrence_id, what = int(pending[0]), str(pending[1])
    text = (message.text or "").strip()
    starts_at: int | None = None
    place: str | None = None
    if what == "time":
        try:
            starts = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tr.tz)
        except ValueError:
            await message.reply_text(
                tr._("Please send the date and time like this: 2026-12-05 19:30.")
            )
            return NEW_VALUE
        if starts <= turn.now:
            await message.reply_text(tr._("Please choose a time in the future."))
            return NEW_VALUE
        starts_at = to_ts(starts)
    else:
        problem = text_too_long(turn, text, 200)
        if problem or not text:
            await message.reply_text(problem or tr._("Please send the new place as text."))
            return NEW_VALUE
        place = text
    return await _apply(update, context, occurrence_id, starts_at, place, None)


async def _apply(
    update: Update,
    context: Context,
    occurrence_id: int,
    starts_at: int | None,
    place: str | None,
    place_names: dict[str, str] | None,
) -> int:
    turn = await begin(update, context)
    tr = turn.tr
    user_data = context.user_data
    assert user_data is not None
    if not can(turn.principal, Action.CALL_MEETING):
        user_data.pop(MOVE_KEY, None)
        await reply(update, refusal_text(tr, Refusal.NO_RIGHT))
        return ConversationHandler.END
    services = context.services
    async with services.db.transaction() as conn:
        occ = await store.occurrence(conn, occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
        told = None
        if meet is not None and meet.state == "active":
            told = await service.move(
                conn,
                services.i18n,
                meet,
                occurrence_id,
                starts_at=starts_at,
                place=place,
                place_names=place_names,
                by=turn.user.id,
                now=turn.ts,
                rsvp_buttons=rsvp_buttons,
            )
    services.deliver_now()
    user_data.pop(MOVE_KEY, None)
    if told is None:
        await reply(update, tr._("This meeting cannot be changed any more."))
        return ConversationHandler.END
    await reply(
        update,
        tr._(
            "Changed. The notice goes to {people} residents and {groups} group chats; their "
            "answers are kept.",
            people=told[0],
            groups=told[1],
        ),
    )
    return ConversationHandler.END


move_cancel = cancelled(
    MOVE_KEY, lambda tr: tr._("The meeting stays as it is. Nothing was changed.")
)


def move_conversation() -> ConversationHandler[Any]:
    private = f.ChatType.PRIVATE
    return wizard(
        "meetings-move",
        cancel_scope="move",
        entry_points=[CallbackQueryHandler(move_press, pattern=matches(MeetMove))],
        states={
            NEW_VALUE: [
                CallbackQueryHandler(got_room, pattern=matches(MeetPlace)),
                MessageHandler(private & f.TEXT & ~f.COMMAND, got_value),
            ]
        },
        on_cancel=move_cancel,
        hint=None,
    )
