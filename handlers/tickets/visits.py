"""Home visits (上门) on a repair at home: staff press "Visit time" on the card and pick a window
(or let the resident choose); the resident takes it with one tap, or says "not then" and picks
another window, and the SLA clock then waits until it (``bot.services.visits``). Both are
reminded before the window by the "visits-remind" job; "on site" on the card marks the arrival
(``card.staff_press``)."""

from __future__ import annotations

import aiosqlite
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import Context
from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.rules.visits import Window
from bot.services import tickets as ticket_service
from bot.services import visits as service
from handlers.kit import Refusal, Turn, answer, button, keyboard, pressed, refuse, reply, stale
from handlers.tickets.access import load_for_staff, moved_on
from handlers.tickets.callbacks import (
    StaffBack,
    VisitOffer,
    VisitOther,
    VisitPick,
    VisitWindow,
    VisitYes,
)
from handlers.tickets.keyboards import LINKS, offerable
from storage import tickets as store
from storage import visits as visits_store
from storage.tickets import Ticket
from storage.visits import Visit

VISIT_JOB = "visits-remind"


def choose_markup(tr: Translator, visit_id: int, ws: list[Window]) -> InlineKeyboardMarkup:
    picks = [
        button(service.window_text(tr, w), VisitPick(visit_id, int(w.start.timestamp())))
        for w in ws
    ]
    return keyboard(picks, per_row=2)


def answer_markup(tr: Translator, visit_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            button(tr._("Yes, I will be at home"), VisitYes(visit_id)),
            button(tr._("Not then: choose another time"), VisitOther(visit_id)),
        ]
    )


VISIT_LINKS = service.Links(
    answer=lambda tr, visit_id: payload_buttons(answer_markup(tr, visit_id)),
    choose=lambda tr, visit_id, ws: payload_buttons(choose_markup(tr, visit_id, ws)),
)


async def _offerable(
    turn: Turn, conn: aiosqlite.Connection, query: CallbackQuery, ticket_id: int
) -> Ticket | None:
    """The ticket, if the presser handles it and a visit can still be arranged (else the
    press is answered and None returned)."""
    ticket = await load_for_staff(turn, conn, query, ticket_id)
    if ticket is not None and not offerable(ticket):
        await moved_on(turn, query, ticket)
        return None
    return ticket


async def visit_offer(update: Update, context: Context) -> None:
    """The card shows the windows (and "the resident chooses"); Back restores its buttons."""
    query, data, turn = await pressed(update, context, VisitOffer)
    async with context.services.db.read() as conn:
        ticket = await _offerable(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        ws = await service.offer_windows(conn, turn.now)
    tr = turn.tr
    picks = [
        button(service.window_text(tr, w), VisitWindow(ticket.id, int(w.start.timestamp())))
        for w in ws
    ]
    picks.append(button(tr._("Let the resident choose"), VisitWindow(ticket.id, 0)))
    markup = keyboard(picks, per_row=2, footer=[button(tr._("Back"), StaffBack(ticket.id))])
    await answer(query)
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest:
        pass  # the card was edited meanwhile: the press changed nothing


async def _window_on_offer(turn: Turn, conn: aiosqlite.Connection, start: int) -> Window | None:
    ws = await service.offer_windows(conn, turn.now)
    return next((w for w in ws if int(w.start.timestamp()) == start), None)


async def visit_window(update: Update, context: Context) -> None:
    """Staff offer a window (or let the resident choose): the resident is asked in private."""
    query, data, turn = await pressed(update, context, VisitWindow)
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await _offerable(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        window = None
        if data.start != 0:
            window = await _window_on_offer(turn, conn, data.start)
            if window is None:
                await stale(query, turn)
                return
        if ticket.reporter_id is None:
            await answer(query, turn.tr._("Nobody can be asked: the reporter left."), alert=True)
            return
        await service.offer(
            conn, services.i18n, VISIT_LINKS, ticket, turn.user.id, window, turn.now
        )
        await ticket_service.refresh_cards(conn, services.i18n, LINKS, ticket.id, turn.ts)
    services.deliver_now()
    await answer(query, turn.tr._("I have asked the resident."))


async def _resident_visit(
    turn: Turn, conn: aiosqlite.Connection, query: CallbackQuery, visit_id: int
) -> tuple[Visit, Ticket] | None:
    """The visit, if the presser reported its ticket and it still waits for their answer."""
    v = await visits_store.get(conn, visit_id)
    t = await store.get(conn, v.ticket_id) if v else None
    if v is None or t is None or t.reporter_id != turn.user.id:
        await stale(query, turn)
        return None
    if v.state not in ("offered", "choosing") or not t.is_open:
        await answer(query, turn.tr._("This visit time is already settled or was replaced."), True)
        return None
    return v, t


async def visit_yes(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, VisitYes)
    v_and_t = None
    async with context.services.db.transaction() as conn:
        v_and_t = await _resident_visit(turn, conn, query, data.visit_id)
        if v_and_t is None:
            return
        v, _ = v_and_t
        window = service.window_of(v)
        if window is None or window.start <= turn.now:
            await stale(query, turn)
            return
        agreed = await service.agree(conn, context.services.i18n, v, window, turn.user.id, turn.now)
        await _refresh(context, conn, v, agreed, turn.ts)
    await _agreed(update, context, turn, agreed)


async def visit_other(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, VisitOther)
    async with context.services.db.read() as conn:
        if await _resident_visit(turn, conn, query, data.visit_id) is None:
            return
        ws = await service.offer_windows(conn, turn.now)
    await answer(query)
    await reply(
        update,
        turn.tr._("When will you be at home? Tap a time."),
        choose_markup(turn.tr, data.visit_id, ws),
    )


async def visit_pick(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, VisitPick)
    async with context.services.db.transaction() as conn:
        v_and_t = await _resident_visit(turn, conn, query, data.visit_id)
        if v_and_t is None:
            return
        window = await _window_on_offer(turn, conn, data.start)
        if window is None:
            await stale(query, turn)
            return
        agreed = await service.agree(
            conn, context.services.i18n, v_and_t[0], window, turn.user.id, turn.now
        )
        await _refresh(context, conn, v_and_t[0], agreed, turn.ts)
    await _agreed(update, context, turn, agreed)


async def _refresh(
    context: Context,
    conn: aiosqlite.Connection,
    v: Visit,
    agreed: service.Agreed | None,
    now: int,
) -> None:
    """The cards show the agreed visit and the deadlines the wait moved."""
    if agreed is not None:
        await ticket_service.refresh_cards(conn, context.services.i18n, LINKS, v.ticket_id, now)


async def _agreed(
    update: Update, context: Context, turn: Turn, agreed: service.Agreed | None
) -> None:
    if agreed is None:
        await refuse(update, turn, Refusal.STALE)
        return
    context.services.deliver_now()
    await answer(update.callback_query)
    await reply(
        update,
        turn.tr._(
            "Thank you. The staff will come {when}. I will remind you before.",
            when=service.window_text(turn.tr, agreed.window),
        ),
    )


async def visit_job(context: Context) -> None:
    services = context.services
    if await service.remind_once(services.db, services.clock, services.i18n):
        services.deliver_now()
