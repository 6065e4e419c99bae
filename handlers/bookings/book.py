"""The booking flow, first half: room -> day -> the day's grid (``confirm`` does start ->
length -> confirm).

It keeps no conversation state: every button carries what the next step needs, and every press
re-loads the presser, re-checks the right and re-reads the room and its bookings.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update

from bot.context import Context
from bot.rules import slots
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.services import bookings as service
from bot.texts.bookings import slot_label
from handlers.bookings.access import allowed, join_first, refuse
from handlers.bookings.callbacks import (
    BookDay,
    BookRoom,
    BookRooms,
    BookSlot,
    BookSlotInfo,
    day_int,
    int_day,
)
from handlers.bookings.keyboards import cancel_button
from handlers.kit import (
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    touch_person,
)
from handlers.kit.callbacks import CallbackData
from storage import bookings, community
from storage.community import Room

MAX_DAY_BUTTONS = 14


# ---- room ---------------------------------------------------------------------------------------


@private_only
async def book_start(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    await _show_rooms(update, context, turn)


async def _show_rooms(update: Update, context: Context, turn: Turn, note: str = "") -> None:
    tr = turn.tr
    resident = can(turn.principal, Action.BOOK_ROOM)
    staff = can(turn.principal, Action.MANAGE_ROOMS)
    households = sorted(turn.principal.verified, key=lambda r: r.residence_id) if resident else []
    if not resident and not staff:
        await join_first(update, turn)
        return
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        found = [r for r in await community.rooms(conn) if service.room_rules(r) is not None]
    if not found:
        await reply(update, tr._("There are no rooms to book yet."))
        return
    lines = [note] if note else []
    lines.append(tr._("Which room would you like to book?"))
    buttons = []
    for room in found:
        rules = service.room_rules(room)
        assert rules is not None
        name = tr.name(room.names)
        details = []
        if rules.capacity:
            details.append(tr.n_("up to {n} person", "up to {n} people", rules.capacity))
        if rules.needs_approval:
            details.append(tr._("needs approval"))
        lines.append(f"• {name}" + (f" ({', '.join(details)})" if details else ""))
        for residence in households:
            label = name if len(households) == 1 else f"{name} · {residence.unit_code}"
            buttons.append(button(label, BookRoom(room.id, residence.unit_id)))
        if staff:
            buttons.append(
                button(tr._("{room}: community booking", room=name), BookRoom(room.id, 0))
            )
    await reply(update, "\n".join(lines), keyboard(buttons, footer=[cancel_button(tr)]))


# ---- day ----------------------------------------------------------------------------------------


@private_only
async def pick_room(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookRoom)
    if not allowed(turn, data.unit):
        await refuse(turn, update, data.unit)
        return
    async with context.services.db.read() as conn:
        loaded = await service.load_room(conn, data.room_id)
    if loaded is None:
        await stale(query, turn)
        return
    await answer(query)
    room, rules = loaded
    await _show_days(update, turn, room, rules, data.unit)


def _days(turn: Turn, rules: slots.RoomRules) -> list[date]:
    today = turn.now.astimezone(turn.tr.tz).date()
    days = [today + timedelta(days=i) for i in range(rules.advance_days + 1)]
    return [d for d in days if rules.open_minutes(d.weekday())][:MAX_DAY_BUTTONS]


async def _show_days(
    update: Update, turn: Turn, room: Room, rules: slots.RoomRules, unit: int
) -> None:
    tr = turn.tr
    buttons = [
        button(tr.weekday_day(d), BookDay(room.id, day_int(d), unit)) for d in _days(turn, rules)
    ]
    text = tr._("{room}: which day?", room=tr.name(room.names))
    footer = [button(tr._("Back"), BookRooms()), cancel_button(tr)]
    await reply(update, text, keyboard(buttons, per_row=3, footer=footer))


def _day_allowed(turn: Turn, rules: slots.RoomRules, day: date, unit: int) -> bool:
    today = turn.now.astimezone(turn.tr.tz).date()
    limit = 366 if unit == 0 else rules.advance_days
    return today <= day <= today + timedelta(days=limit)


# ---- the day's grid -----------------------------------------------------------------------------


@private_only
async def pick_day(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookDay)
    if not allowed(turn, data.unit):
        await refuse(turn, update, data.unit)
        return
    day = int_day(data.day)
    async with context.services.db.read() as conn:
        loaded = await service.load_room(conn, data.room_id)
    if loaded is None or day is None or not _day_allowed(turn, loaded[1], day, data.unit):
        await stale(query, turn)
        return
    await answer(query)
    await show_grid(update, context, turn, loaded[0], loaded[1], day, data.unit)


async def show_grid(
    update: Update,
    context: Context,
    turn: Turn,
    room: Room,
    rules: slots.RoomRules,
    day: date,
    unit: int,
    note: str = "",
) -> None:
    """The day's slots as buttons: a free start books, anything else says why not."""
    tr = turn.tr
    async with context.services.db.read() as conn:
        busy = await bookings.busy_on_day(conn, room.id, day, tr.tz)
    grid = slots.day_slots(day, rules, tr.tz, busy, turn.now, as_staff=unit == 0)
    buttons = []
    for slot in grid:
        start = to_ts(slot.start)
        if slot.state is slots.SlotState.FREE and slot.can_start:
            data: CallbackData = BookSlot(room.id, start, unit)
        else:
            data = BookSlotInfo(room.id, start, unit)
        buttons.append(button(slot_label(tr, slot), data))
    lines = [note] if note else []
    lines.append(tr._("{room}, {day}", room=tr.name(room.names), day=tr.weekday_day(day)))
    if any(s.can_start for s in grid):
        lines.append(tr._("Tap a free time to start your booking."))
        lines.append(tr._("✖ taken   ⛔ closed (maintenance)   · not available"))
    else:
        lines.append(tr._("Sorry, nothing is free on this day. Please choose another day."))
    footer = [
        button(tr._("Other days"), BookRoom(room.id, unit)),
        cancel_button(tr),
    ]
    await reply(update, "\n".join(lines), keyboard(buttons, per_row=4, footer=footer))
