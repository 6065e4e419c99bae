"""Approval of bookings that need it: the request pushed to staff, managers and the building's
leaders, and their Approve / Reject press (the booker is told either way)."""

from __future__ import annotations

import aiosqlite
from telegram import CallbackQuery, Update

from bot.context import Context
from bot.delivery import payload_buttons
from bot.i18n import I18n, Translator
from bot.rules.auth import Action, can
from bot.services import bookings as service
from bot.services import cards
from bot.texts.bookings import span_text, state_text
from handlers.bookings.access import no_right
from handlers.bookings.callbacks import BookDecide
from handlers.bookings.keyboards import book_now
from handlers.kit import Turn, answer, button, keyboard, pressed, reply, stale
from storage import bookings, community, outbox
from storage.community import Room


async def ask_approvers(
    conn: aiosqlite.Connection, booked: service.Booked, room: Room, booker_name: str, now: int
) -> None:
    """Queue the request to each approver of a pending booking, in their language, in the
    booking's transaction (outbox rows; the caller calls ``deliver_now()`` after the commit)."""
    booking = booked.result.booking
    assert booking is not None
    unit = booked.unit
    for user_id, atr in booked.approvers:
        ask = atr._(
            "Booking request #{id}: {room}, {span}, unit {unit}, booked by {name}. Approve it?",
            id=booking.id,
            room=atr.name(room.names),
            span=span_text(atr, booking.start, booking.end),
            unit=unit.code if unit else "-",
            name=booker_name,
        )
        decide_markup = keyboard(
            [
                button(atr._("Approve"), BookDecide(booking.id, True)),
                button(atr._("Reject"), BookDecide(booking.id, False)),
            ],
            per_row=2,
        )
        payload = outbox.Payload(text=ask, buttons=payload_buttons(decide_markup))
        await outbox.push(
            conn,
            user_id,
            payload,
            now=now,
            kind="booking",
            ref=str(booking.id),
            card=service.approval_card(booking.id),
        )


async def decide(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookDecide)
    tr = turn.tr
    services = context.services
    async with services.db.transaction() as conn:
        booking = await bookings.get(conn, data.booking_id)
        unit = await community.unit(conn, booking.unit_id) if booking and booking.unit_id else None
        loaded = await service.load_room(conn, booking.room_id) if booking else None
        if booking is None or unit is None or loaded is None:
            await stale(query, turn)
            return
        if not can(turn.principal, Action.APPROVE_BOOKING, unit.building_id):
            await no_right(turn, update)
            return
        if booking.booked_by == turn.user.id:
            await answer(query, tr._("You cannot approve your own booking."), alert=True)
            return
        if data.approve and booking.state == "pending" and booking.start_at <= turn.ts:
            await answer(query, tr._("This booking has already started."), alert=True)
            return
        room = loaded[0]
        decision = await service.decide(
            conn,
            services.i18n,
            room,
            booking,
            data.approve,
            by=turn.user.id,
            now=turn.ts,
            book_now=book_now,
        )
        if decision.decided:
            await _tell_the_booker(conn, decision, room, booking, data.approve, turn.ts)
            await _settle_the_cards(conn, services.i18n, room, booking, data.approve, turn, query)
    services.deliver_now()
    if not decision.decided:
        await answer(
            query,
            tr._("This booking is already {state}.", state=state_text(tr, decision.state)),
            alert=True,
        )
        return
    await answer(query)
    span = span_text(tr, booking.start, booking.end)
    if data.approve:
        mine = tr._(
            "Approved: booking #{id}, {room}, {span}.",
            id=booking.id,
            room=tr.name(room.names),
            span=span,
        )
    else:
        mine = tr._(
            "Rejected: booking #{id}, {room}, {span}.",
            id=booking.id,
            room=tr.name(room.names),
            span=span,
        )
    await reply(update, mine)


async def _settle_the_cards(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    booking: bookings.Booking,
    approve: bool,
    turn: Turn,
    query: CallbackQuery,
) -> None:
    """Every other approver's copy of the request says who decided, and loses its buttons
    (the presser's own copy becomes their answer)."""
    name = turn.user.full_name
    pressed_on = query.message
    here = (pressed_on.chat.id, pressed_on.message_id) if pressed_on is not None else None

    def outcome(tr: Translator) -> str:
        fields = {
            "id": booking.id,
            "room": tr.name(room.names),
            "span": span_text(tr, booking.start, booking.end),
            "name": name,
        }
        if approve:
            return tr._("Booking request #{id}: {room}, {span}. Approved by {name}.", **fields)
        return tr._("Booking request #{id}: {room}, {span}. Rejected by {name}.", **fields)

    card = service.approval_card(booking.id)
    await cards.settle_copies(conn, i18n, card, outcome, now=turn.ts, skip=here)


async def _tell_the_booker(
    conn: aiosqlite.Connection,
    decision: service.Decision,
    room: Room,
    booking: bookings.Booking,
    approve: bool,
    now: int,
) -> None:
    rtr = decision.booker_tr
    if rtr is None or booking.booked_by is None:
        return
    rspan = span_text(rtr, booking.start, booking.end)
    if approve:
        theirs = rtr._(
            "Good news: your booking of {room}, {span} is approved. See you there!",
            room=rtr.name(room.names),
            span=rspan,
        )
    else:
        theirs = rtr._(
            "Sorry, your booking of {room}, {span} was not approved. Please choose another "
            "time with /book, or ask the property office.",
            room=rtr.name(room.names),
            span=rspan,
        )
    await service.tell_booker(conn, booking, theirs, now)
