"""Minutes: after a meeting its organisers post the minutes, sent as a notice to everyone who
was invited (part of the "meeting" conversation)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services.notices import enqueue_notice
from handlers.kit import (
    Refusal,
    answer,
    begin,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
    stale,
    text_too_long,
)
from handlers.meetings.callbacks import MeetMinutes
from handlers.meetings.draft import MINUTES, MINUTES_FOR
from handlers.meetings.keyboards import cancel_button
from storage import meetings as store
from storage import notices as notice_store


@private_only
async def minutes_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, MeetMinutes)
    async with context.services.db.read() as conn:
        occ = await store.occurrence(conn, data.occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
    if occ is None or meet is None or occ.starts_at > turn.ts or occ.minutes_notice_id:
        await stale(query, turn)
        return ConversationHandler.END
    if not can(turn.principal, Action.CALL_MEETING):
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
        return ConversationHandler.END
    await answer(query)
    context.user_data[MINUTES_FOR] = occ.id  # type: ignore[index]
    await reply(
        update,
        turn.tr._(
            "Send me the minutes of {title}. They go to everyone who was invited.",
            title=meet.title,
        ),
        keyboard([cancel_button(turn)]),
    )
    return MINUTES


@private_only
async def got_minutes(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(turn.tr._("Please send the minutes as text."))
        return MINUTES
    problem = text_too_long(turn, text, 3000)
    if problem:
        await message.reply_text(problem)
        return MINUTES
    occurrence_id = (context.user_data or {}).get(MINUTES_FOR)
    if not isinstance(occurrence_id, int) or not can(turn.principal, Action.CALL_MEETING):
        await message.reply_text(refusal_text(turn.tr, Refusal.NO_RIGHT))
        return ConversationHandler.END
    services = context.services
    async with services.db.transaction() as conn:
        occ = await store.occurrence(conn, occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
        if occ is None or meet is None or occ.minutes_notice_id:
            await message.reply_text(turn.tr._("The minutes of this meeting are posted already."))
            return ConversationHandler.END
        tr = services.i18n.translator(None)
        heading = f"{meet.title} ({tr.day(from_ts(occ.starts_at).astimezone(tr.tz).date())})"
        notice_id = await notice_store.create_notice(
            conn,
            author_id=turn.user.id,
            text=f"{heading}\n\n{text}",
            photo=None,
            document=None,
            buildings=meet.buildings,
            include_groups=meet.include_groups,
            pin=False,
            urgent=False,
            send_at=turn.ts,
            now=turn.ts,
            kind="minutes",
        )
        await store.set_minutes(conn, occ.id, notice_id)
        _, people, groups = await enqueue_notice(services.i18n, conn, notice_id, turn.ts)
    context.user_data.pop(MINUTES_FOR, None)  # type: ignore[union-attr]
    await message.reply_text(
        turn.tr._(
            "The minutes are on their way to {people} residents and {groups} group chats.",
            people=people,
            groups=groups,
        )
    )
    return ConversationHandler.END
