"""The /meeting wizard's schedule: one time or repeating, the week of the month, the weekday
or the day, and the time."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import Context
from bot.rules import meetings as rules
from bot.texts import meetings as texts
from handlers.kit import Turn, answer, button, keyboard, pressed, private_only, reply, stale
from handlers.kit.wizard import chosen
from handlers.meetings.callbacks import MeetDay, MeetOrdinal, MeetRepeat, MeetTime, MeetWeekday
from handlers.meetings.draft import (
    DAY,
    DAYS_AHEAD,
    DRAFT,
    ORDINAL,
    PLACE,
    REPEAT,
    TIME,
    WEEKDAY,
    starts,
)
from handlers.meetings.keyboards import cancel_button, room_buttons


@private_only
async def got_repeat(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetRepeat)
    if data.freq not in ("once", "weekly", "monthly"):
        await stale(query, turn)
        return REPEAT
    await answer(query)
    draft = DRAFT.load(context)
    draft.freq = data.freq
    DRAFT.save(context, draft)
    tr = turn.tr
    if data.freq == "once":
        today = turn.now.astimezone(context.services.i18n.tz).date()
        days = [today + timedelta(days=n) for n in range(DAYS_AHEAD)]
        buttons = [button(tr.weekday_day(d), MeetDay(n)) for n, d in enumerate(days)]
        await reply(
            update, tr._("Which day?"), keyboard(buttons, per_row=3, footer=[cancel_button(turn)])
        )
        return DAY
    if data.freq == "monthly":
        buttons = [button(tr._(label), MeetOrdinal(n)) for n, label in texts.ORDINALS.items()]
        await reply(
            update,
            tr._("Which week of the month?"),
            keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
        )
        return ORDINAL
    return await ask_weekday(update, turn)


async def ask_weekday(update: Update, turn: Turn) -> str:
    buttons = [button(turn.tr._(label), MeetWeekday(n)) for n, label in enumerate(texts.WEEKDAYS)]
    await reply(
        update,
        turn.tr._("On which day of the week?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return WEEKDAY


@private_only
async def got_ordinal(update: Update, context: Context) -> str:
    turn = await chosen(update, context, MeetOrdinal, DRAFT, "ordinal", texts.ORDINALS.__contains__)
    if turn is None:
        return ORDINAL
    return await ask_weekday(update, turn)


@private_only
async def got_weekday(update: Update, context: Context) -> str:
    turn = await chosen(update, context, MeetWeekday, DRAFT, "weekday", lambda d: 0 <= d <= 6)
    if turn is None:
        return WEEKDAY
    return await ask_time(update, turn)


@private_only
async def got_day(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetDay)
    if not 0 <= data.offset < DAYS_AHEAD:
        await stale(query, turn)
        return DAY
    await answer(query)
    today = turn.now.astimezone(context.services.i18n.tz).date()
    draft = DRAFT.load(context)
    draft.day = (today + timedelta(days=data.offset)).isoformat()
    DRAFT.save(context, draft)
    return await ask_time(update, turn)


async def ask_time(update: Update, turn: Turn) -> str:
    buttons = [button(t.strftime("%H:%M"), MeetTime(t.hour * 100 + t.minute)) for t in rules.TIMES]
    await reply(
        update,
        turn.tr._("At what time?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return TIME


@private_only
async def got_time(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetTime)
    hour, minute = divmod(data.hhmm, 100)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        await stale(query, turn)
        return TIME
    draft = DRAFT.load(context)
    draft.hhmm = data.hhmm
    DRAFT.save(context, draft)
    if starts(draft, turn.now, context.services.i18n.tz) is None:
        await answer(query, turn.tr._("That time has passed. Please choose another."), True)
        return TIME
    await answer(query)
    await reply(
        update,
        turn.tr._("Where is it held? Tap a room, or write the place."),
        keyboard(await room_buttons(turn), per_row=2, footer=[cancel_button(turn)]),
    )
    return PLACE
