"""The booking flow, second half: start -> length -> confirm; a refused time shows the day's
grid again (or, for a used-up quota, ends the flow). The booking itself is checked again and
inserted in one transaction (``bot.services.bookings.book``).
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update

from bot.context import Context
from bot.rules import slots
from bot.rules.clock import from_ts
from bot.services import bookings as service
from bot.texts.bookings import length_text, span_text, violation_text
from handlers.bookings.access import allowed, household, refuse
from handlers.bookings.approve import ask_approvers
from handlers.bookings.book import show_grid
from handlers.bookings.callbacks import (
    BookConfirm,
    BookDay,
    BookLength,
    BookRooms,
    BookSlot,
    MyBookings,
    day_int,
    plausible,
)
from handlers.bookings.keyboards import cancel_button
from handlers.kit import (
    Turn,
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
from storage.community import Room

#: Refusals that mean "someone else holds the time": the loser sees the day's grid again.
TAKEN = {slots.Violation.OVERLAP, slots.Violation.BUFFER, slots.Violation.BLACKOUT}


# ---- start and length ---------------------------------------------------------------------------


@private_only
async def pick_start(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookSlot)
    tr = turn.tr
    if not plausible(data.start, turn.ts):
        await stale(query, turn)
        return
    if not allowed(turn, data.unit):
        await refuse(turn, update, data.unit)
        return
    home = household(turn, data.unit)
    async with context.services.db.read() as conn:
        loaded = await service.load_room(conn, data.room_id)
        if loaded is None:
            await stale(query, turn)
            return
        room, rules = loaded
        busy = await bookings.busy_between(
            conn, room.id, data.start - bookings.DAY, data.start + 2 * bookings.DAY
        )
        mine = None
        if home is not None:
            mine = await bookings.household_bookings(conn, room.id, home[0], data.start)
    start = from_ts(data.start)
    lengths = slots.allowed_lengths(
        start,
        rules,
        tr.tz,
        busy,
        turn.now,
        as_staff=data.unit == 0,
        household_bookings_this_week=mine,
    )
    await answer(query)
    day = start.astimezone(tr.tz).date()
    if not lengths:
        problems = slots.check_booking(
            start,
            start + timedelta(minutes=rules.min_minutes),
            None if home is None else home[0],
            rules,
            tr.tz,
            busy,
            turn.now,
            mine or [],
            as_staff=data.unit == 0,
        )
        note = "\n".join(violation_text(tr, v, rules) for v in problems[:2]) or tr._(
            "This time cannot be booked."
        )
        await _after_refusal(update, context, turn, room, rules, day, data.unit, problems, note)
        return
    buttons = [
        button(length_text(tr, m), BookLength(room.id, data.start, m, data.unit)) for m in lengths
    ]
    text = tr._(
        "{room}, {day} from {start}. For how long?",
        room=tr.name(room.names),
        day=tr.weekday_day(day),
        start=tr.clock(start),
    )
    footer = [
        button(tr._("Back"), BookDay(room.id, day_int(day), data.unit)),
        cancel_button(tr),
    ]
    await reply(update, text, keyboard(buttons, per_row=3, footer=footer))


async def _after_refusal(
    update: Update,
    context: Context,
    turn: Turn,
    room: Room,
    rules: slots.RoomRules,
    day: date,
    unit: int,
    problems: list[slots.Violation],
    note: str,
) -> None:
    """A refused time: quota problems end the flow; anything else shows the day again."""
    tr = turn.tr
    quota = {slots.Violation.QUOTA_COUNT, slots.Violation.QUOTA_HOURS}
    if problems and all(p in quota for p in problems):
        markup = keyboard(
            [button(tr._("My bookings"), MyBookings()), button(tr._("Other rooms"), BookRooms())]
        )
        await reply(update, note, markup)
        return
    await show_grid(update, context, turn, room, rules, day, unit, note)


@private_only
async def pick_length(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookLength)
    tr = turn.tr
    if not plausible(data.start, turn.ts, data.minutes):
        await stale(query, turn)
        return
    if not allowed(turn, data.unit):
        await refuse(turn, update, data.unit)
        return
    async with context.services.db.read() as conn:
        loaded = await service.load_room(conn, data.room_id)
    if loaded is None or data.minutes <= 0:
        await stale(query, turn)
        return
    await answer(query)
    room, rules = loaded
    start = from_ts(data.start)
    end = start + timedelta(minutes=data.minutes)
    lines = [
        tr._(
            "Please check: {room}, {span} ({length}).",
            room=tr.name(room.names),
            span=span_text(tr, start, end),
            length=length_text(tr, data.minutes),
        )
    ]
    if data.unit == 0:
        lines.append(tr._("This is a community booking: it uses no household's quota."))
    elif slots.requires_approval(rules):
        lines.append(
            tr._(
                "This room needs approval: after you confirm, staff or your building leader "
                "will approve it, and I will tell you."
            )
        )
    buttons = [
        button(tr._("Confirm"), BookConfirm(room.id, data.start, data.minutes, data.unit)),
        button(tr._("Back"), BookSlot(room.id, data.start, data.unit)),
        cancel_button(tr),
    ]
    await reply(update, "\n".join(lines), keyboard(buttons))


# ---- confirm ------------------------------------------------------------------------------------


@private_only
async def confirm(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookConfirm)
    tr = turn.tr
    services = context.services
    if not plausible(data.start, turn.ts, data.minutes):
        await stale(query, turn)
        return
    if not allowed(turn, data.unit):
        await refuse(turn, update, data.unit)
        return
    home = household(turn, data.unit)
    if data.unit != 0 and home is None:
        await refuse(turn, update, data.unit)
        return
    async with services.db.transaction() as conn:
        loaded = await service.load_room(conn, data.room_id)
        if loaded is None or data.minutes <= 0:
            await stale(query, turn)
            return
        room, rules = loaded
        await touch_person(turn, conn)
        booked = await service.book(
            conn,
            services.i18n,
            room,
            rules,
            tr.tz,
            household=home,
            user_id=turn.user.id,
            start=data.start,
            end=data.start + data.minutes * 60,
            now=turn.now,
            as_staff=data.unit == 0,
        )
        if booked.result.booking is not None:
            await ask_approvers(conn, booked, room, turn.user.full_name, turn.ts)
    services.deliver_now()
    booking = booked.result.booking
    start = from_ts(data.start)
    day = start.astimezone(tr.tz).date()
    if booking is None:
        problems = booked.result.violations
        if all(p in TAKEN for p in problems):
            await answer(query, tr._("Sorry, this time was just taken."))
            note = tr._(
                "Sorry, someone else booked this time just before you. Here is the day again: "
                "please choose another time."
            )
        else:
            await answer(query)
            note = "\n".join(violation_text(tr, v, rules) for v in problems[:2])
        await _after_refusal(update, context, turn, room, rules, day, data.unit, problems, note)
        return
    await answer(query)
    span = span_text(tr, booking.start, booking.end)
    name = tr.name(room.names)
    if booking.state == "pending":
        text = tr._(
            "Your booking of {room}, {span} is NOT confirmed yet: it is waiting for approval. "
            "I will tell you as soon as it is approved or not.",
            room=name,
            span=span,
        )
    else:
        text = tr._("Booked: {room}, {span}. See you there!", room=name, span=span)
    markup = keyboard([button(tr._("My bookings"), MyBookings())])
    await reply(update, text, markup)
