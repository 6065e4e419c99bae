"""/mytickets: the resident's open and recent tickets (also those they follow), one ticket with
its history and buttons (add information, withdraw, rate), and withdrawing a ticket."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import Context
from bot.rules.clock import from_ts
from bot.rules.tickets import Move, State
from bot.services import tickets as service
from bot.services.tickets_render import category_name, where_text
from bot.texts.tickets import KIND_LABELS, STATE_LABELS
from handlers.kit import (
    MenuPick,
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
from handlers.tickets.callbacks import MyTicket, NoteStart, Rate, Withdraw
from handlers.tickets.keyboards import LINKS, star_buttons
from handlers.tickets.texts import HISTORY_LABELS
from storage import tickets as store
from storage.tickets import Ticket


async def mine(conn: Any, ticket_id: int, user_id: int) -> tuple[Ticket | None, bool]:
    """The ticket if the user reported or follows it; and whether they reported it."""
    ticket = await store.get(conn, ticket_id)
    if ticket is None:
        return None, False
    if ticket.reporter_id == user_id:
        return ticket, True
    if await store.is_follower(conn, ticket_id, user_id):
        return ticket, False
    return None, False


@private_only
async def my_tickets(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    async with turn.services.db.read() as conn:
        found = await store.of_resident(conn, turn.user.id)
        labels = [
            f"#{t.id} {await category_name(conn, tr, t.category)} · {tr._(STATE_LABELS[t.state])}"
            for t in found
        ]
    if not found:
        await reply(update, tr._("You have no tickets yet. To report a problem, send /report."))
        return
    buttons = [button(label[:60], MyTicket(t.id)) for t, label in zip(found, labels, strict=True)]
    await reply(
        update, tr._("Your tickets (open ones first). Tap one to see it:"), keyboard(buttons)
    )


async def ticket_details(turn: Turn, ticket_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
    tr = turn.tr
    async with turn.services.db.read() as conn:
        ticket, reporter = await mine(conn, ticket_id, turn.user.id)
        if ticket is None:
            return None
        lines = [
            tr._(
                "Ticket #{number}: {kind}, {category}",
                number=ticket.id,
                kind=tr._(KIND_LABELS[ticket.kind]),
                category=await category_name(conn, tr, ticket.category),
            ),
            tr._("Where: {where}", where=await where_text(conn, tr, ticket, reporter)),
            tr._("State: {state}", state=tr._(STATE_LABELS[ticket.state])),
        ]
        if ticket.description:
            lines.append(tr._("Description: {text}", text=ticket.description))
        if ticket.is_open and ticket.response_due_at is not None:
            lines.append(
                tr._(
                    "Staff will respond by {when}.",
                    when=tr.when(from_ts(ticket.response_due_at)),
                )
            )
        lines.append(tr._("History:"))
        for row in await store.history(conn, ticket.id):
            label = HISTORY_LABELS.get(row.action)
            if label is None:
                continue  # internal entries (reminders) are for staff
            lines.append(f"· {tr.when(from_ts(row.at))} {tr._(label)}")
    buttons = []
    if reporter and ticket.is_open:
        buttons.append(button(tr._("Add information or photos"), NoteStart(ticket.id)))
        buttons.append(button(tr._("Withdraw it"), Withdraw(ticket.id, False)))
    if ticket.state is State.RESOLVED:
        if reporter:
            buttons += star_buttons(tr, ticket.id)
        buttons.append(button(tr._("Not fixed"), Rate(ticket.id, 0)))
    buttons.append(button(tr._("Back to my tickets"), MenuPick("mytickets")))
    return "\n".join(lines), keyboard(buttons)


@private_only
async def open_my_ticket(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, MyTicket)
    shown = await ticket_details(turn, data.ticket_id)
    if shown is None:
        await stale(query, turn)
        return
    await answer(query)
    await reply(update, *shown)


@private_only
async def withdraw(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, Withdraw)
    tr = turn.tr
    if not data.confirm:
        await answer(query)
        await reply(
            update,
            tr._(
                "Withdraw ticket #{number}? Staff will stop working on it.", number=data.ticket_id
            ),
            keyboard(
                [
                    button(tr._("Yes, withdraw it"), Withdraw(data.ticket_id, True)),
                    button(tr._("No, keep the ticket"), MyTicket(data.ticket_id)),
                ]
            ),
        )
        return
    services = context.services
    async with services.db.transaction() as conn:
        ticket, reporter = await mine(conn, data.ticket_id, turn.user.id)
        if ticket is None or not reporter or not ticket.is_open:
            await stale(query, turn)
            return
        changed = await store.transition(
            conn, ticket.id, [ticket.state], State.WITHDRAWN, turn.ts, closed_at=turn.ts
        )
        if not changed:
            await stale(query, turn)
            return
        await store.close_pauses(conn, ticket.id, turn.ts)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, Move.WITHDRAW.value)
        updated = await service.reschedule(conn, ticket.id)
        outgoing = await service.resident_news(
            conn, services.i18n, LINKS, updated, Move.WITHDRAW, skip=turn.user.id
        )
        await service.refresh_cards(conn, services.i18n, LINKS, data.ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)
    await reply(update, tr._("Ticket #{number} is withdrawn.", number=data.ticket_id))
