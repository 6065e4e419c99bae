"""Staff: /queue (open tickets assigned to me or to nobody, soonest deadline first) and
/ticket N; a ticket opened either way is a card of its own in the private chat."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.i18n import Translator
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.rules.tickets import State
from bot.services import tickets as service
from bot.services.tickets_render import category_name
from bot.texts.tickets import STATE_LABELS
from handlers.kit import Turn, answer, begin, button, keyboard, pressed, private_only, reply
from handlers.kit.callbacks import strict_int
from handlers.tickets.access import no_right, staff_audience
from handlers.tickets.callbacks import StaffOpen
from handlers.tickets.keyboards import LINKS
from storage import tickets as store
from storage.tickets import Ticket


def due_label(tr: Translator, t: Ticket) -> str:
    due = t.response_due_at or t.resolution_due_at
    if t.state is State.WAITING_RESIDENT or due is None:
        return tr._(STATE_LABELS[t.state])
    return tr._("due {when}", when=tr.when(from_ts(due)))


@private_only
async def queue_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await reply(
            update, turn.tr._("Sorry, this is not open to you. Send /menu to see what you can do.")
        )
        return
    async with context.services.db.read() as conn:
        found = await store.queue(conn, turn.user.id)
        labels = [
            f"#{t.id} {await category_name(conn, turn.tr, t.category)} · {due_label(turn.tr, t)}"
            + (" ★" if t.assignee_id == turn.user.id else "")
            for t in found
        ]
    if not found:
        await reply(update, turn.tr._("No open tickets for you. Well done!"))
        return
    buttons = [button(label[:60], StaffOpen(t.id)) for t, label in zip(found, labels, strict=True)]
    text = turn.tr.n_(
        "{n} open ticket assigned to you or to nobody, soonest deadline first (★ = yours):",
        "{n} open tickets assigned to you or to nobody, soonest deadline first (★ = yours):",
        len(found),
    )
    await reply(update, text, keyboard(buttons))


async def show_ticket(update: Update, context: Context, turn: Turn, ticket_id: int) -> None:
    services = context.services
    async with services.db.read() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None:
            await reply(update, turn.tr._("There is no ticket #{number}.", number=ticket_id))
            return
        if not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
            await reply(
                update,
                turn.tr._("Sorry, this is not open to you. Send /menu to see what you can do."),
            )
            return
    async with services.db.transaction() as conn:  # a card of its own: edited as it moves
        out = await service.private_card(
            conn, services.i18n, LINKS, ticket, turn.user.id, staff_audience(turn)
        )
        await service.queue(conn, [out], turn.ts)
    services.deliver_now()


@private_only
async def ticket_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    number = strict_int((context.args or [""])[0].lstrip("#"))
    if number is None or not 0 < number < 10**12:
        await reply(update, turn.tr._("Please give a ticket number, e.g. /ticket 12."))
        return
    await show_ticket(update, context, turn, number)


async def open_from_queue(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffOpen)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await no_right(turn, query)
        return
    await answer(query)
    await show_ticket(update, context, turn, data.ticket_id)
