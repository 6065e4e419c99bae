"""An unavailable slot's button says why; a taken one offers "tell me if it frees up", and
that press records a watch (``bot.services.bookings.tell_watchers`` queues the news)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules import slots
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts, to_ts
from bot.services import bookings as service
from bot.texts.bookings import span_text
from handlers.bookings.access import join_first_text
from handlers.bookings.book import show_grid
from handlers.bookings.callbacks import (
    BookDay,
    BookRooms,
    BookSlotInfo,
    BookWatch,
    day_int,
    plausible,
)
from handlers.kit import (
    answer,
    button,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    touch_person,
)
from storage import bookings


@private_only
async def slot_info(update: Update, context: Context) -> None:
    """An unavailable slot: say why; a taken one offers "tell me if it frees up"."""
    query, data, turn = await pressed(update, context, BookSlotInfo)
    tr = turn.tr
    if not plausible(data.start, turn.ts):
        await stale(query, turn)
        return
    async with context.services.db.read() as conn:
        loaded = await service.load_room(conn, data.room_id)
        busy = await bookings.busy_between(
            conn, data.room_id, data.start - bookings.DAY, data.start + bookings.DAY
        )
    if loaded is None:
        await stale(query, turn)
        return
    room, rules = loaded
    day = from_ts(data.start).astimezone(tr.tz).date()
    grid = slots.day_slots(day, rules, tr.tz, busy, turn.now, as_staff=data.unit == 0)
    slot = next((s for s in grid if to_ts(s.start) == data.start), None)
    if slot is None:
        await stale(query, turn)
        return
    if slot.state is slots.SlotState.TAKEN and slot.end > turn.now:
        await answer(query, tr._("This time is taken."))
        text = tr._(
            "{room}, {span} is taken. Shall I tell you if it frees up?",
            room=tr.name(room.names),
            span=span_text(tr, slot.start, slot.end),
        )
        markup = keyboard(
            [
                button(tr._("Tell me if it frees up"), BookWatch(room.id, data.start)),
                button(tr._("Back"), BookDay(room.id, day_int(day), data.unit)),
            ]
        )
        await reply(update, text, markup)
        return
    if slot.state is slots.SlotState.BLACKOUT:
        await answer(query, tr._("The room is closed at this time."))
    elif slot.state is slots.SlotState.FREE and slot.can_start:
        await answer(query, tr._("This time is free again: tap it once more to book it."))
        await show_grid(update, context, turn, room, rules, day, data.unit)
    else:
        await answer(query, tr._("This time cannot be booked."))


@private_only
async def watch(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookWatch)
    tr = turn.tr
    if not can(turn.principal, Action.BOOK_ROOM):
        await answer(query, join_first_text(turn), alert=True)
        return
    if data.start <= turn.ts or not plausible(data.start, turn.ts):
        await stale(query, turn)
        return
    async with context.services.db.transaction() as conn:
        loaded = await service.load_room(conn, data.room_id)
        if loaded is None:
            await stale(query, turn)
            return
        room, rules = loaded
        end = data.start + rules.slot_minutes * 60
        if not await bookings.busy_between(conn, room.id, data.start, end):
            await stale(query, turn)  # only a taken time is watched: this one is free or forged
            return
        await touch_person(turn, conn)
        await bookings.add_watch(conn, room.id, turn.user.id, data.start, end, turn.ts)
    await answer(query)
    text = tr._(
        "All right: I will tell you if {room}, {span} frees up.",
        room=tr.name(room.names),
        span=span_text(tr, from_ts(data.start), from_ts(end)),
    )
    await reply(update, text, keyboard([button(tr._("Book another time"), BookRooms())]))
