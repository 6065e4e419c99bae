"""/outages: the open outages for staff and managers, each with its followers and tickets; a
later expected end (told to everyone following it) and "restored" (with a confirmation: its
tickets are resolved together and everyone is told); and a follower's "not fixed" after it."""

from __future__ import annotations

from datetime import timedelta

import aiosqlite
from telegram import InlineKeyboardMarkup, Update

from bot.context import Context
from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.services import incidents as service
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
    refuse,
    reply,
    stale,
)
from handlers.tickets.keyboards import LINKS
from handlers.tickets.outages.callbacks import (
    OutageLater,
    OutageNotFixed,
    OutageOpen,
    OutageRestored,
    OutageStep,
    Step,
)
from storage import incidents as store
from storage.incidents import Incident

LATER_HOURS = (1, 2, 4)


def not_fixed_markup(tr: Translator, incident_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(tr._("Not fixed"), OutageNotFixed(incident_id))])


def not_fixed_buttons(tr: Translator, incident_id: int) -> list[list[dict[str, str]]]:
    return payload_buttons(not_fixed_markup(tr, incident_id))


async def _allowed(update: Update, turn: Turn) -> bool:
    if can(turn.principal, Action.HANDLE_TICKETS):
        return True
    await refuse(update, turn, Refusal.NO_RIGHT)
    return False


@private_only
async def outages(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not await _allowed(update, turn):
        return
    tr = turn.tr
    async with turn.services.db.read() as conn:
        found = await store.open_ones(conn)
        lines = [await _line(conn, tr, i) for i in found]
    if not found:
        await reply(update, tr._("No outage is open. Declare one with /outage."))
        return
    buttons = [button(tr._("Outage #{number}", number=i.id), OutageOpen(i.id)) for i in found[:30]]
    text = tr._("Open outages:") + "\n\n" + "\n".join(lines)
    await reply(update, text, keyboard(buttons, per_row=2))


async def _line(conn: aiosqlite.Connection, tr: Translator, incident: Incident) -> str:
    words = await service.words_of(conn, incident)
    return f"#{incident.id} {words(tr)}"


async def open_one(update: Update, context: Context) -> None:
    _, data, turn = await pressed(update, context, OutageOpen)
    if not await _allowed(update, turn):
        return
    await _show(update, turn, data.incident_id)


async def _show(update: Update, turn: Turn, incident_id: int, note: str = "") -> None:
    query = update.callback_query
    tr = turn.tr
    async with turn.services.db.read() as conn:
        incident = await store.get(conn, incident_id)
        if incident is None:
            await stale(query, turn)
            return
        words = await service.words_of(conn, incident)
        follows = len(await store.followers(conn, incident.id))
        tickets = len(await store.ticket_ids(conn, incident.id))
    await answer(query)
    text = (
        (note + "\n\n" if note else "")
        + tr._("Outage #{number}", number=incident.id)
        + "\n"
        + words(tr)
        + "\n"
        + tr._(
            "Following it: {follows} residents; its tickets: {tickets}.",
            follows=follows,
            tickets=tickets,
        )
    )
    if not incident.is_open:
        await reply(update, text + "\n" + tr._("It is restored."))
        return
    later = [
        button(tr.n_("Back in {n} hour", "Back in {n} hours", h), OutageLater(incident.id, h))
        for h in LATER_HOURS
    ]
    footer = [
        button(tr._("Restored"), OutageRestored(incident.id, False)),
        button(tr._("Close"), Dismiss("outages")),
    ]
    await reply(update, text, keyboard(later, per_row=3, footer=footer))


async def later(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, OutageLater)
    if not await _allowed(update, turn):
        return
    if data.hours not in LATER_HOURS:
        await stale(query, turn)
        return
    services = context.services
    async with services.db.transaction() as conn:
        incident = await store.get(conn, data.incident_id)
        moved = incident is not None and await service.move_expected_end(
            conn,
            services.i18n,
            incident,
            to_ts(turn.now + timedelta(hours=data.hours)),
            turn.ts,
        )
    if not moved:
        await answer(query, turn.tr._("This outage is already over."), alert=True)
        return
    services.deliver_now()
    await _show(update, turn, data.incident_id, turn.tr._("Everyone following it is told."))


async def restored(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, OutageRestored)
    if not await _allowed(update, turn):
        return
    tr = turn.tr
    services = context.services
    if not data.confirm:
        async with services.db.read() as conn:
            incident = await store.get(conn, data.incident_id)
            if incident is None:
                await stale(query, turn)
                return
            follows = len(await store.followers(conn, incident.id))
            tickets = len(await store.ticket_ids(conn, incident.id))
        await answer(query)
        text = tr._(
            "Mark outage #{number} restored? Its {tickets} tickets are resolved together "
            "and {follows} residents following it are told.",
            number=incident.id,
            tickets=tickets,
            follows=follows,
        )
        markup = keyboard(
            [button(tr._("Yes, it is restored"), OutageRestored(incident.id, True))],
            footer=[button(tr._("Back"), OutageOpen(incident.id))],
        )
        await reply(update, text, markup)
        return
    async with services.db.transaction() as conn:
        incident = await store.get(conn, data.incident_id)
        done = incident and await service.resolve(
            conn, services.i18n, LINKS, not_fixed_buttons, incident, turn.user.id, turn.ts
        )
    if not done:
        if incident is None:
            await stale(query, turn)
        else:
            await answer(query, tr._("This outage is already over."), alert=True)
        return
    services.deliver_now()
    await answer(query)
    resolved, told = done
    await reply(
        update,
        tr._(
            "Outage #{number} is restored: {tickets} tickets resolved, {follows} residents told.",
            number=data.incident_id,
            tickets=resolved,
            follows=told,
        ),
        keyboard([button(tr._("Open outages"), OutageStep(Step.LIST))]),
    )


@private_only
async def not_fixed(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, OutageNotFixed)
    tr = turn.tr
    services = context.services
    async with services.db.transaction() as conn:
        incident = await store.get(conn, data.incident_id)
        follower = await store.follower(conn, data.incident_id, turn.user.id)
        if incident is None or follower is None or incident.is_open:
            await stale(query, turn)
            return
        if follower.not_fixed_ticket is not None:
            await answer(
                query,
                tr._(
                    "You already told us: it is ticket #{number}.", number=follower.not_fixed_ticket
                ),
                alert=True,
            )
            return
        ticket = await service.not_fixed(conn, services.i18n, LINKS, incident, follower, turn.ts)
    if ticket is None:
        await stale(query, turn)
        return
    services.deliver_now()
    await answer(query)
    await reply(
        update,
        tr._(
            "Sorry it still does not work. It is now your ticket #{number}, and the manager "
            "is told. See it with /mytickets.",
            number=ticket.id,
        ),
    )


async def close(update: Update, context: Context) -> None:
    """The outage's Close button: the message keeps its text, without buttons."""
    query = update.callback_query
    await answer(query)
    if query is not None and query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)
