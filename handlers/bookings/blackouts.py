"""/blackouts (staff): the upcoming closures of every room, each with a button to remove it;
removing asks to confirm, then opens the room again: the bookings it cancelled stay cancelled,
but watchers of the freed time are told (``bot.services.bookings.open_again``)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services import bookings as service
from bot.texts.bookings import span_text
from handlers.bookings.callbacks import OpenAgain
from handlers.kit import (
    Dismiss,
    Refusal,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
)
from storage import bookings

SHOWN = 20  # closures listed at most


@private_only
async def list_blackouts(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE_ROOMS):
        await reply(update, refusal_text(tr, Refusal.NO_RIGHT))
        return
    async with context.services.db.read() as conn:
        found = (await bookings.upcoming_blackouts(conn, turn.ts))[:SHOWN]
        rooms = {r.id: r for r in await bookings.rooms(conn)}
    if not found:
        await reply(update, tr._("No room is closed from now on. Close one with /blackout."))
        return
    lines = [tr._("Rooms closed from now on:")]
    buttons = []
    for b in found:
        room = rooms.get(b.room_id)
        name = tr.name(room.names) if room else "?"
        span = span_text(tr, from_ts(b.start_at), from_ts(b.end_at))
        lines.append(f"{name}, {span} · {b.reason or tr._('maintenance')}")
        label = tr._("Open again: {room}, {span}", room=name, span=span)
        buttons.append(button(label[:60], OpenAgain(b.id, False)))
    await reply(update, "\n".join(lines), keyboard(buttons))


@private_only
async def open_again(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, OpenAgain)
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE_ROOMS):
        await answer(query, refusal_text(tr, Refusal.NO_RIGHT), True)
        return
    services = context.services
    async with services.db.transaction() as conn:
        found = await bookings.blackout(conn, data.blackout_id)
        room = await bookings.room(conn, found.room_id) if found else None
        if found is None or room is None or found.end_at <= turn.ts:
            await answer(query, tr._("This closure is already over or removed."), True)
            return
        span = span_text(tr, from_ts(found.start_at), from_ts(found.end_at))
        if not data.sure:
            await answer(query)
            text = tr._(
                "Open {room}, {span} again? Bookings it cancelled stay cancelled; residents "
                "waiting for that time are told it is free.",
                room=tr.name(room.names),
                span=span,
            )
            markup = keyboard(
                [
                    button(tr._("Yes, open it again"), OpenAgain(found.id, True)),
                    button(tr._("No, keep it closed"), Dismiss("blackouts")),
                ],
                per_row=2,
            )
            await reply(update, text, markup)
            return
        told = await service.open_again(
            conn, services.i18n, room, found, by=turn.user.id, now=turn.ts
        )
    services.deliver_now()
    await answer(query)
    if told is None:
        await reply(update, tr._("This closure is already over or removed."))
        return
    await reply(
        update,
        tr._(
            "{room}, {span} is open again. Residents waiting for it told: {told}.",
            room=tr.name(room.names),
            span=span,
            told=told,
        ),
    )
