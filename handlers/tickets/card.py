"""Presses on a ticket's card: accept, on site, resolve; the assign, transfer and reject
sub-menus (shown on the pressed card, Back restores its buttons); assigning and transferring.
Every card copy is then edited and the resident told, as outbox rows in the same transaction."""

from __future__ import annotations

import logging
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import Context
from bot.i18n import N_
from bot.rules.auth import Action, Role, can
from bot.rules.tickets import UNANSWERED, Move, State, can_move
from bot.services import tickets as service
from bot.services import visits
from bot.services.tickets_render import name_of
from handlers.kit import Turn, answer, button, keyboard, pressed, stale
from handlers.tickets.access import load_for_staff, moved_on, refuse
from handlers.tickets.callbacks import StaffAct, StaffAssign, StaffBack, StaffTransfer
from handlers.tickets.keyboards import LINKS, card_markup, outcome_menu
from storage import community, outbox_cards, people
from storage import tickets as store
from storage.tickets import Ticket

log = logging.getLogger(__name__)


async def staff_press(update: Update, context: Context) -> None:
    """Accept / assign / on site / resolve / transfer / reject pressed on a card."""
    query, data, turn = await pressed(update, context, StaffAct)
    services = context.services
    changed = False
    async with services.db.transaction() as conn:
        ticket = await load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        move = data.move
        if move in (Move.ASSIGN, Move.TRANSFER, Move.REJECT) and not can_move(ticket.state, move):
            await moved_on(turn, query, ticket)
            return
        if move is Move.ASSIGN:
            markup = await assign_menu(conn, turn, ticket)
            await answer(query)
            await _edit_markup(query, markup)
            return
        if move is Move.TRANSFER:
            markup = await transfer_menu(conn, turn, ticket)
            await answer(query)
            await _edit_markup(query, markup)
            return
        if move is Move.ACCEPT:
            changed = await store.transition(
                conn,
                ticket.id,
                UNANSWERED,
                State.ACCEPTED,
                turn.ts,
                accepted_by=turn.user.id,
                accepted_at=ticket.accepted_at or turn.ts,
                assignee_id=ticket.assignee_id or turn.user.id,
            )
            if not changed:
                current = await store.get(conn, ticket.id)
                assert current is not None
                if current.accepted_by is not None and current.state not in UNANSWERED:
                    who = await name_of(conn, current.accepted_by)
                    await refuse(
                        query,
                        turn.tr._(
                            "{name} already accepted ticket #{number}.",
                            name=who,
                            number=ticket.id,
                        ),
                    )
                else:
                    await moved_on(turn, query, current)
                return
        elif move is Move.ON_SITE:
            changed = await store.transition(
                conn, ticket.id, [State.ACCEPTED], State.ON_SITE, turn.ts, on_site_at=turn.ts
            )
            if changed:  # the agreed home visit's arrival; a pause for it ends now
                await visits.arrived(conn, ticket.id, turn.ts)
        elif move is Move.RESOLVE:  # the whole move, told and the cards edited
            changed = await service.resolve(
                conn, services.i18n, LINKS, ticket, turn.user.id, turn.ts
            )
        elif move is Move.REJECT:
            await answer(query)
            await _edit_markup(query, outcome_menu(turn.tr, ticket))
            return
        else:  # DUPLICATE / NOT_OURS come from the sub-menu; NEED_INFO is a conversation
            await stale(query, turn)
            return
        if not changed:
            await moved_on(turn, query, ticket)
            return
        if move is not Move.RESOLVE:
            await store.add_history(conn, ticket.id, turn.ts, turn.user.id, move.value)
            updated = await service.reschedule(conn, ticket.id)
            outgoing = await service.resident_news(conn, services.i18n, LINKS, updated, move)
            await service.refresh_cards(conn, services.i18n, LINKS, data.ticket_id, turn.ts)
            await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)


async def _edit_markup(query: Any, markup: InlineKeyboardMarkup) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        log.info("could not show a sub-menu: %s", exc)


async def assign_menu(conn: aiosqlite.Connection, turn: Turn, t: Ticket) -> InlineKeyboardMarkup:
    holders: list[int] = []
    for role in (Role.STAFF, Role.MANAGER):
        holders += [
            u for u in await people.role_holders(conn, role, t.building_id) if u not in holders
        ]
    buttons = [button(await name_of(conn, u), StaffAssign(t.id, u)) for u in holders[:30]]
    return keyboard(buttons, per_row=2, footer=[button(turn.tr._("Back"), StaffBack(t.id))])


async def transfer_menu(conn: aiosqlite.Connection, turn: Turn, t: Ticket) -> InlineKeyboardMarkup:
    cats = [c for c in await community.categories(conn) if c.code != t.category]
    buttons = [button(turn.tr.name(c.names), StaffTransfer(t.id, c.code)) for c in cats]
    return keyboard(buttons, per_row=2, footer=[button(turn.tr._("Back"), StaffBack(t.id))])


async def staff_back(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffBack)
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        await service.refresh_cards(conn, services.i18n, LINKS, ticket.id, turn.ts)
    services.deliver_now()
    await answer(query)
    markup = card_markup(turn.tr, ticket)
    if markup is not None:
        await _edit_markup(query, markup)


async def staff_assign(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffAssign)
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        assignee = await people.load_principal(conn, data.user_id)
        if not can(assignee, Action.HANDLE_TICKETS, ticket.building_id):
            await stale(query, turn)
            return
        if not can_move(ticket.state, Move.ASSIGN):
            await moved_on(turn, query, ticket)
            return
        target = State.ACCEPTED if ticket.state in UNANSWERED else ticket.state
        changed = await store.transition(
            conn,
            ticket.id,
            [ticket.state],
            target,
            turn.ts,
            assignee_id=data.user_id,
            accepted_at=ticket.accepted_at or turn.ts,
            accepted_by=ticket.accepted_by or turn.user.id,
        )
        if not changed:
            await moved_on(turn, query, ticket)
            return
        name = await name_of(conn, data.user_id)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "assigned", name)
        updated = await service.reschedule(conn, ticket.id)
        outgoing = [
            await service.private_card(
                conn,
                services.i18n,
                LINKS,
                updated,
                data.user_id,
                "manager" if assignee.has(Role.MANAGER) else "staff",
                media=True,
                intro=N_("A ticket was assigned to you."),
            )
        ]
        outgoing += await service.resident_news(
            conn, services.i18n, LINKS, updated, Move.ASSIGN, name=name
        )
        await service.refresh_cards(conn, services.i18n, LINKS, data.ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)


async def staff_transfer(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffTransfer)
    services = context.services
    outgoing: list[service.Outgoing] = []
    async with services.db.transaction() as conn:
        ticket = await load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        cat = await service.category_of(conn, data.category)
        if cat is None or cat.code == ticket.category:
            await stale(query, turn)
            return
        if not can_move(ticket.state, Move.TRANSFER):
            await moved_on(turn, query, ticket)
            return
        changed = await store.transition(
            conn,
            ticket.id,
            [ticket.state],
            ticket.state,
            turn.ts,
            category=cat.code,
            priority=cat.priority,
        )
        if not changed:
            await moved_on(turn, query, ticket)
            return
        await store.add_history(
            conn, ticket.id, turn.ts, turn.user.id, "transferred", f"{ticket.category}->{cat.code}"
        )
        updated = await service.reschedule(conn, ticket.id)
        card = service.ticket_card(ticket.id)
        known = {c.chat_id for c in await outbox_cards.card_copies(conn, card)}
        if cat.team_chat_id is not None and cat.team_chat_id not in known:
            outgoing.append(
                await service.group_card(conn, services.i18n, LINKS, updated, cat.team_chat_id)
            )
        outgoing += await service.resident_news(conn, services.i18n, LINKS, updated, Move.TRANSFER)
        await service.refresh_cards(conn, services.i18n, LINKS, data.ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)
