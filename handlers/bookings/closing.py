"""Closing a room by buttons ("bookings-close", staff): /blackout alone → the room → the day →
from → to → the reason (typed, or none: "maintenance"); then the same as the typed /blackout
(``bot.services.bookings.close_room``). Every press carries what was chosen so far."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.services import bookings as service
from handlers.bookings.callbacks import CloseDay, CloseFrom, CloseNoReason, CloseRoom, CloseTo
from handlers.bookings.staff import closed_text
from handlers.kit import (
    Dismiss,
    Refusal,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
    stale,
    text_too_long,
)
from handlers.kit.callbacks import CallbackData, matches, parse
from handlers.kit.wizard import cancelled, wizard
from storage import bookings

PICK, REASON = "close:pick", "close:reason"
CLOSE_KEY = "room_close"  # user_data: [room id, yyyymmdd, start hhmm, end hhmm]
DAYS = 14  # days offered, from today
FIRST_HOUR, LAST_HOUR = 6, 23  # the hours offered as a start


def _day(value: int) -> date | None:
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def _at(day: date, hhmm: int, turn: Turn) -> datetime:
    if hhmm == 2400:
        return datetime.combine(day + timedelta(days=1), time(), turn.tr.tz)
    return datetime.combine(day, time(hhmm // 100, hhmm % 100), turn.tr.tz)


def _hhmm(value: int) -> str:
    return f"{value // 100:02d}:{value % 100:02d}"


def _cancel(turn: Turn) -> Any:
    return button(turn.tr._("Cancel"), Dismiss("close"))


async def _refused(update: Update, turn: Turn) -> int | None:
    if can(turn.principal, Action.MANAGE_ROOMS):
        return None
    await answer(update.callback_query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
    if update.callback_query is None:
        await reply(update, refusal_text(turn.tr, Refusal.NO_RIGHT))
    return ConversationHandler.END


@private_only
async def close_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    refused = await _refused(update, turn)
    if refused is not None:
        return refused
    async with context.services.db.read() as conn:
        rooms = await bookings.rooms(conn)
    tr = turn.tr
    if not rooms:
        await reply(update, tr._("There are no rooms to close."))
        return ConversationHandler.END
    markup = keyboard(
        [button(tr.name(r.names), CloseRoom(r.id)) for r in rooms],
        per_row=2,
        footer=[_cancel(turn)],
    )
    await reply(update, tr._("Close a room for a time. Which room?"), markup)
    return PICK


async def _valid(turn: Turn, context: Context, data: CallbackData) -> bool:
    """The room exists, the day is within the offer, the times are in order and not over."""
    room_id = getattr(data, "room_id", 0)
    async with context.services.db.read() as conn:
        room = await bookings.room(conn, room_id)
    if room is None:
        return False
    if not isinstance(data, CloseRoom):
        day = _day(getattr(data, "day", 0))
        today = turn.now.astimezone(turn.tr.tz).date()
        if day is None or not today <= day < today + timedelta(days=DAYS):
            return False
        start = getattr(data, "start", None)
        if start is not None:
            if start % 100 or not FIRST_HOUR * 100 <= start <= LAST_HOUR * 100:
                return False
            end = getattr(data, "end", None)
            if end is not None and (end % 100 or not start < end <= 2400):
                return False
            if _at(day, end if end is not None else start + 100, turn) <= turn.now:
                return False
    return True


async def pick_step(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    refused = await _refused(update, turn)
    if refused is not None:
        return refused
    data = parse(query.data)
    if not await _valid(turn, context, data):
        await stale(query, turn)
        return PICK
    await answer(query)
    tr = turn.tr
    if isinstance(data, CloseRoom):
        today = turn.now.astimezone(tr.tz).date()
        days = [today + timedelta(days=n) for n in range(DAYS)]
        buttons = [
            button(tr.day(d, "short"), CloseDay(data.room_id, int(d.strftime("%Y%m%d"))))
            for d in days
        ]
        await reply(update, tr._("Which day?"), keyboard(buttons, 2, footer=[_cancel(turn)]))
        return PICK
    assert isinstance(data, CloseDay | CloseFrom | CloseTo)
    day = _day(data.day)
    assert day is not None
    if isinstance(data, CloseDay):
        starts = [
            h * 100
            for h in range(FIRST_HOUR, LAST_HOUR + 1)
            if _at(day, h * 100 + 100, turn) > turn.now
        ]
        buttons = [button(_hhmm(s), CloseFrom(data.room_id, data.day, s)) for s in starts]
        text = tr._("{day}: closed from what time?", day=tr.day(day, "short"))
        await reply(update, text, keyboard(buttons, 4, footer=[_cancel(turn)]))
        return PICK
    if isinstance(data, CloseFrom):
        ends = range(data.start + 100, 2500, 100)
        buttons = [button(_hhmm(e), CloseTo(data.room_id, data.day, data.start, e)) for e in ends]
        start_label = _hhmm(data.start)
        text = tr._(
            "{day}, from {start}: until what time?", day=tr.day(day, "short"), start=start_label
        )
        await reply(update, text, keyboard(buttons, 4, footer=[_cancel(turn)]))
        return PICK
    assert isinstance(data, CloseTo)
    user_data = context.user_data
    assert user_data is not None
    user_data[CLOSE_KEY] = [data.room_id, data.day, data.start, data.end]
    markup = keyboard([button(tr._("No reason (maintenance)"), CloseNoReason()), _cancel(turn)])
    await reply(update, tr._("Why is it closed? Send the reason for the residents."), markup)
    return REASON


@private_only
async def reason_text(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    reason = (message.text or "").strip()
    problem = text_too_long(turn, reason, 200)
    if problem or not reason:
        await message.reply_text(problem or turn.tr._("Please send the reason as text."))
        return REASON
    return await close(update, context, turn, reason)


@private_only
async def no_reason(update: Update, context: Context) -> str | int:
    _, _, turn = await pressed(update, context, CloseNoReason)
    await answer(update.callback_query)
    return await close(update, context, turn, "")


async def close(update: Update, context: Context, turn: Turn, reason: str) -> int:
    user_data = context.user_data
    assert user_data is not None
    pending = user_data.pop(CLOSE_KEY, None)
    if not isinstance(pending, list) or len(pending) != 4:
        return ConversationHandler.END
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE_ROOMS):
        await reply(update, refusal_text(tr, Refusal.NO_RIGHT))
        return ConversationHandler.END
    room_id, day_value, start_hhmm, end_hhmm = (int(v) for v in pending)
    day = _day(day_value)
    assert day is not None
    start, end = _at(day, start_hhmm, turn), _at(day, end_hhmm, turn)
    if end <= turn.now:
        await reply(update, tr._("The end must be after the start, and in the future."))
        return ConversationHandler.END
    services = context.services
    async with services.db.transaction() as conn:
        room = await bookings.room(conn, room_id)
        if room is None:
            await reply(update, tr._("There are no rooms to close."))
            return ConversationHandler.END
        closure = await service.close_room(
            conn,
            services.i18n,
            room,
            to_ts(start),
            to_ts(end),
            reason=reason,
            by=turn.user.id,
            now=turn.ts,
        )
    services.deliver_now()
    await reply(update, closed_text(tr, room, start, end, closure))
    return ConversationHandler.END


close_cancel = cancelled(CLOSE_KEY, lambda tr: tr._("Cancelled. The room stays open."))


def close_conversation() -> ConversationHandler[Any]:
    return wizard(
        "bookings-close",
        cancel_scope="close",
        entry_points=[CommandHandler("blackout", close_start, has_args=False)],
        states={
            PICK: [
                CallbackQueryHandler(
                    pick_step, pattern=matches(CloseRoom, CloseDay, CloseFrom, CloseTo)
                )
            ],
            REASON: [
                CallbackQueryHandler(no_reason, pattern=matches(CloseNoReason)),
                MessageHandler(f.ChatType.PRIVATE & ~f.COMMAND, reason_text),
            ],
        },
        on_cancel=close_cancel,
    )
