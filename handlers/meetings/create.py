"""The /meeting wizard: its start, title, place, agenda and audience, the check and the
announcement, the way out; and the conversation that ties its steps and the minutes together
(name and cancel scope "meeting")."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.rules import meetings as rules
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.services.notices import audience_name, building_names
from bot.texts.meetings import schedule_text
from handlers.kit import (
    Refusal,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
    short_text,
    stale,
)
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import started, wizard
from handlers.meetings.callbacks import (
    MeetAudience,
    MeetConfirm,
    MeetDay,
    MeetMinutes,
    MeetOrdinal,
    MeetPlace,
    MeetRepeat,
    MeetTime,
    MeetWeekday,
)
from handlers.meetings.draft import (
    AGENDA,
    AUDIENCE,
    CONFIRM,
    DAY,
    DRAFT,
    MINUTES,
    MINUTES_FOR,
    ORDINAL,
    PLACE,
    REPEAT,
    TIME,
    TITLE,
    WEEKDAY,
    rule,
    starts,
)
from handlers.meetings.keyboards import cancel_button, picked_room
from handlers.meetings.minutes import got_minutes, minutes_start
from handlers.meetings.schedule import got_day, got_ordinal, got_repeat, got_time, got_weekday
from storage import community
from storage import meetings as store


@private_only
async def meeting_start(update: Update, context: Context) -> str | int:
    turn = await started(
        update,
        context,
        DRAFT,
        allowed=lambda p: can(p, Action.CALL_MEETING),
        refused=lambda tr: tr._(
            "Only the committee and the property manager can call meetings. /meetings "
            "shows the meetings you are invited to."
        ),
    )
    if turn is None:
        return ConversationHandler.END
    await reply(
        update,
        turn.tr._("What is the meeting called? (for example: Monthly joint meeting)"),
        keyboard([cancel_button(turn)]),
    )
    return TITLE


async def _text_step(update: Update, context: Context, limit: int) -> str | None:
    """The short text the user sent, or None after telling them what is wrong with it."""
    return await short_text(update, await begin(update, context), limit)


@private_only
async def got_title(update: Update, context: Context) -> str:
    title = await _text_step(update, context, 100)
    if title is None:
        return TITLE
    draft = DRAFT.load(context)
    draft.title = title
    DRAFT.save(context, draft)
    turn = await begin(update, context)
    buttons = [
        button(turn.tr._("One time"), MeetRepeat("once")),
        button(turn.tr._("Every week"), MeetRepeat("weekly")),
        button(turn.tr._("Every month"), MeetRepeat("monthly")),
    ]
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        turn.tr._("Is it a one-time meeting, or does it repeat?"),
        reply_markup=keyboard(buttons, footer=[cancel_button(turn)]),
    )
    return REPEAT


@private_only
async def got_place(update: Update, context: Context) -> str:
    place = await _text_step(update, context, 200)
    if place is None:
        return PLACE
    draft = DRAFT.load(context)
    draft.place, draft.place_names = place, None
    DRAFT.save(context, draft)
    turn = await begin(update, context)
    await reply(update, turn.tr._("What is on the agenda?"), keyboard([cancel_button(turn)]))
    return AGENDA


@private_only
async def got_room(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetPlace)
    room = await picked_room(turn, data.room_id)
    if room is None:
        await stale(query, turn)
        return PLACE
    await answer(query)
    draft = DRAFT.load(context)
    draft.place, draft.place_names = turn.tr.name(room.names), room.names
    DRAFT.save(context, draft)
    await reply(update, turn.tr._("What is on the agenda?"), keyboard([cancel_button(turn)]))
    return AGENDA


@private_only
async def got_agenda(update: Update, context: Context) -> str:
    agenda = await _text_step(update, context, 800)
    if agenda is None:
        return AGENDA
    draft = DRAFT.load(context)
    draft.agenda = agenda
    DRAFT.save(context, draft)
    turn = await begin(update, context)
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    buttons = [button(turn.tr._("Everyone in the community"), MeetAudience(0))]
    buttons += [button(turn.tr.name(b.names), MeetAudience(b.id)) for b in buildings]
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        turn.tr._("Who is invited?"),
        reply_markup=keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return AUDIENCE


@private_only
async def got_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetAudience)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id) if data.building_id else None
        names = await building_names(conn, turn.tr)
    if data.building_id and found is None:
        await stale(query, turn)
        return AUDIENCE
    await answer(query)
    draft = DRAFT.load(context)
    draft.buildings = [found.id] if found else None
    DRAFT.save(context, draft)
    first = starts(draft, turn.now, context.services.i18n.tz)
    if first is None:
        await reply(update, turn.tr._("That time has passed. Please start again with /meeting."))
        return ConversationHandler.END  # type: ignore[return-value]
    tr = turn.tr
    text = "\n".join(
        [
            tr._("Please check the meeting:"),
            tr._("Meeting: {title}", title=draft.title),
            tr._("When: {when}", when=schedule_text(tr, rule(draft), first)),
            tr._("Place: {place}", place=draft.place),
            tr._("Agenda: {agenda}", agenda=draft.agenda),
            tr._("Invited: {audience}", audience=audience_name(tr, names, draft.buildings)),
        ]
    )
    markup = keyboard([button(tr._("Announce it"), MeetConfirm()), cancel_button(turn)], per_row=2)
    await reply(update, text, markup)
    return CONFIRM


@private_only
async def confirm(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if not can(turn.principal, Action.CALL_MEETING):
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
        return ConversationHandler.END
    if not draft.complete:
        await stale(query, turn)
        return ConversationHandler.END
    first = starts(draft, turn.now, context.services.i18n.tz)
    if first is None:
        await answer(query, turn.tr._("That time has passed. Please choose another."), True)
        return ConversationHandler.END
    await answer(query)
    repeat = rule(draft)
    buildings = draft.buildings
    async with context.services.db.transaction() as conn:
        meeting_id = await store.create_meeting(
            conn,
            organiser_id=turn.user.id,
            title=str(draft.title),
            place=str(draft.place),
            place_names=draft.place_names,
            agenda=str(draft.agenda),
            buildings=None if buildings is None else [int(b) for b in buildings],
            include_groups=True,
            rule=repeat.dump() if repeat else None,
            now=turn.ts,
        )
        due = rules.due_times(first, turn.now, recurring=repeat is not None, first=True)
        await store.add_occurrence(
            conn, meeting_id, to_ts(first), {k: to_ts(v) for k, v in due.items()}
        )
    DRAFT.clear(context)
    await reply(
        update,
        turn.tr._(
            "The meeting is set for {when}. The invitation goes out now; you will get a "
            "delivery report, and /meetings shows who is coming.",
            when=turn.tr.when(first),
        ),
    )
    return ConversationHandler.END


@private_only
async def cancel_draft(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    if context.user_data is not None:
        DRAFT.clear(context)
        context.user_data.pop(MINUTES_FOR, None)
    turn = await begin(update, context)
    if update.callback_query is not None:
        await reply(update, turn.tr._("Cancelled. Nothing was sent."))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(turn.tr._("Cancelled. Nothing was sent."))
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    text = filters.ChatType.PRIVATE & ~filters.COMMAND  # any message: a non-text one gets a hint
    return wizard(
        "meeting",
        entry_points=[
            CommandHandler("meeting", meeting_start),
            CallbackQueryHandler(meeting_start, pattern=menu_pattern("meeting")),
            CallbackQueryHandler(minutes_start, pattern=matches(MeetMinutes)),
        ],
        states={
            TITLE: [MessageHandler(text, got_title)],
            REPEAT: [CallbackQueryHandler(got_repeat, pattern=matches(MeetRepeat))],
            ORDINAL: [CallbackQueryHandler(got_ordinal, pattern=matches(MeetOrdinal))],
            WEEKDAY: [CallbackQueryHandler(got_weekday, pattern=matches(MeetWeekday))],
            DAY: [CallbackQueryHandler(got_day, pattern=matches(MeetDay))],
            TIME: [CallbackQueryHandler(got_time, pattern=matches(MeetTime))],
            PLACE: [
                CallbackQueryHandler(got_room, pattern=matches(MeetPlace)),
                MessageHandler(text, got_place),
            ],
            AGENDA: [MessageHandler(text, got_agenda)],
            AUDIENCE: [CallbackQueryHandler(got_audience, pattern=matches(MeetAudience))],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=matches(MeetConfirm))],
            MINUTES: [MessageHandler(text, got_minutes)],
        },
        on_cancel=cancel_draft,
    )
