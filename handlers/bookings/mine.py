"""/mybookings: the household's upcoming bookings, and cancelling one (asked once more before
it is cancelled; watchers of the freed time are told)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules import slots
from bot.rules.auth import Action, can
from bot.services import bookings as service
from bot.texts.bookings import length_text, span_text, state_text
from handlers.bookings.access import join_first
from handlers.bookings.callbacks import BookCancel, BookRooms, MyBookings
from handlers.bookings.keyboards import book_now
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
)
from storage import bookings, community


@private_only
async def my_bookings(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    await _show_mine(update, context, turn)


async def _show_mine(update: Update, context: Context, turn: Turn, note: str = "") -> None:
    tr = turn.tr
    if not turn.principal.verified:
        await join_first(update, turn)
        return
    unit_ids = [r.unit_id for r in turn.principal.verified]
    async with context.services.db.read() as conn:
        found = await bookings.upcoming_for_units(conn, unit_ids, turn.ts)
        names = {r.id: r.names for r in await community.rooms(conn)}
    lines = [note] if note else []
    buttons = []
    if not found:
        lines.append(tr._("You have no upcoming bookings."))
    else:
        lines.append(tr._("Your household's upcoming bookings:"))
        for index, booking in enumerate(found, start=1):
            lines.append(
                tr._(
                    "{index}. {room}, {span} ({state})",
                    index=index,
                    room=tr.name(names.get(booking.room_id, {})),
                    span=span_text(tr, booking.start, booking.end),
                    state=state_text(tr, booking.state),
                )
            )
            buttons.append(
                button(tr._("Cancel booking {index}", index=index), BookCancel(booking.id, False))
            )
    buttons.append(button(tr._("Book a room"), BookRooms()))
    await reply(update, "\n".join(lines), keyboard(buttons))


@private_only
async def cancel_booking(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookCancel)
    tr = turn.tr
    services = context.services
    unit_ids = {r.unit_id for r in turn.principal.verified}
    async with services.db.transaction() as conn:
        booking = await bookings.get(conn, data.booking_id)
        loaded = await service.load_room(conn, booking.room_id) if booking else None
        if booking is None or loaded is None:
            await stale(query, turn)
            return
        if booking.unit_id not in unit_ids or not can(turn.principal, Action.BOOK_ROOM):
            await answer(query, tr._("This booking is not yours."), alert=True)
            return
        room, rules = loaded
        if not booking.live or booking.end_at <= turn.ts:
            await answer(query, tr._("This booking can no longer be cancelled."), alert=True)
            return
        if booking.state == "confirmed" and not slots.can_cancel(booking.start, turn.now, rules):
            await answer(
                query,
                tr._(
                    "Sorry, bookings can only be cancelled up to {length} before they start. "
                    "If you cannot come, please tell the property office.",
                    length=length_text(tr, rules.cancel_cutoff_minutes),
                ),
                alert=True,
            )
            return
        span = span_text(tr, booking.start, booking.end)
        if not data.confirm:
            await answer(query)
            text = tr._(
                "Cancel your booking of {room}, {span}?", room=tr.name(room.names), span=span
            )
            markup = keyboard(
                [
                    button(tr._("Yes, cancel it"), BookCancel(booking.id, True)),
                    button(tr._("No, keep it"), MyBookings()),
                ]
            )
            await reply(update, text, markup)
            return
        await service.cancel(
            conn, services.i18n, room, booking, by=turn.user.id, now=turn.ts, book_now=book_now
        )
    await answer(query)
    note = tr._("Cancelled: {room}, {span}.", room=tr.name(room.names), span=span)
    await _show_mine(update, context, turn, note)
