"""After "where": a declared outage about it, or an open ticket about the same thing, is offered
to follow instead (the same updates, no second ticket); otherwise, or if the resident reports
anyway, the description. An outage is offered as soon as the building is known (for a public
area, before the place is asked)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.rules.tickets import same_place
from bot.services import incidents
from bot.services.tickets_render import where_text
from bot.texts.tickets import STATE_LABELS
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
from handlers.tickets.callbacks import FollowInstead, FollowOutage, Nav, ReportNav
from handlers.tickets.draft import CONFIRM, DESCRIBE, DRAFT, DUPLICATE, PLACE
from handlers.tickets.keyboards import nav
from handlers.tickets.prompts import ask, ask_next, category_label, show
from storage import incidents as incidents_store
from storage import tickets as store
from storage.incidents import Spot
from storage.tickets import Ticket


async def after_where(update: Update, context: Context, turn: Turn) -> str:
    """Offer an open ticket about the same thing, or go on to the description (back to the
    summary when only the place was being changed)."""
    draft = DRAFT.load(context)
    if draft.editing:
        return await ask_next(update, context, turn, CONFIRM)
    assert draft.building_id is not None and draft.category is not None
    if draft.unit_id is not None:  # a public area's outage was offered with its building
        offered = await outage_offer(update, context, turn)
        if offered is not None:
            return offered
    async with turn.services.db.read() as conn:
        candidates = await store.open_like(
            conn, int(draft.building_id), draft.category, draft.unit_id
        )
        found: Ticket | None = None
        for t in candidates:
            if t.reporter_id == turn.user.id or await store.is_follower(conn, t.id, turn.user.id):
                continue
            if draft.unit_id or same_place(draft.floor, t.floor):
                found = t
                break
        where = await where_text(conn, turn.tr, found, False) if found else ""
    if found is None:
        return await next_after_where(update, context, turn)
    tr = turn.tr
    text = tr._(
        "A neighbour already reported this: ticket #{number} ({category}, {where}), which is "
        "{state}. Would you like to follow it instead? You will get the same updates.",
        number=found.id,
        category=await category_label(turn, found.category),
        where=where,
        state=tr._(STATE_LABELS[found.state]),
    )
    markup = keyboard(
        [
            button(tr._("Follow it instead"), FollowInstead(found.id)),
            button(tr._("Report mine anyway"), ReportNav(Nav.ANYWAY)),
        ],
        footer=nav(tr),
    )
    await show(update, text, markup)
    return DUPLICATE


async def outage_offer(update: Update, context: Context, turn: Turn) -> str | None:
    """A declared outage covering the draft's category and building, offered to follow
    instead (DUPLICATE); None if there is none."""
    draft = DRAFT.load(context)
    assert draft.building_id is not None and draft.category is not None
    async with turn.services.db.read() as conn:
        found = await incidents_store.matching(conn, draft.category, int(draft.building_id))
        if found is None:
            return None
        words = await incidents.words_of(conn, found)
    tr = turn.tr
    text = (
        tr._("⚠️ This is a known outage, and staff are on it:")
        + "\n"
        + words(tr)
        + "\n\n"
        + tr._("Would you like to follow it instead? I will tell you when it is restored.")
    )
    markup = keyboard(
        [
            button(tr._("Follow the outage"), FollowOutage(found.id)),
            button(tr._("Report mine anyway"), ReportNav(Nav.ANYWAY)),
        ],
        footer=nav(tr),
    )
    await show(update, text, markup)
    return DUPLICATE


async def next_after_where(update: Update, context: Context, turn: Turn) -> str:
    draft = DRAFT.load(context)
    if draft.unit_id is None and not draft.place and not draft.voice:
        return await ask(update, context, turn, PLACE)  # an outage was offered first
    if draft.description or draft.voice:
        return await ask(update, context, turn, CONFIRM)
    return await ask(update, context, turn, DESCRIBE)


@private_only
async def report_anyway(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await next_after_where(update, context, turn)


@private_only
async def follow_instead(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, FollowInstead)
    async with turn.services.db.transaction() as conn:
        ticket = await store.get(conn, data.ticket_id)
        if ticket is None or not ticket.is_open:
            await answer(query, turn.tr._("This ticket is already closed."), alert=True)
            return DUPLICATE
        if await store.follow(conn, ticket.id, turn.user.id, turn.ts):
            await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "followed")
    await answer(query)
    DRAFT.clear(context)
    await reply(
        update,
        turn.tr._(
            "You now follow ticket #{number}. I will tell you about every change. "
            "See it any time with /mytickets.",
            number=data.ticket_id,
        ),
    )
    return ConversationHandler.END


@private_only
async def follow_outage(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, FollowOutage)
    draft = DRAFT.load(context)
    if draft.building_id is None:
        await stale(query, turn)
        return DUPLICATE
    async with turn.services.db.transaction() as conn:
        spot = Spot(int(draft.building_id), draft.unit_id, draft.floor, draft.place)
        incident = await incidents.follow(conn, data.incident_id, turn.user.id, turn.ts, spot)
    if incident is None:
        await answer(query, turn.tr._("This outage is already over."), alert=True)
        return DUPLICATE
    await answer(query)
    DRAFT.clear(context)
    await reply(
        update,
        turn.tr._(
            "You now follow the outage. I will tell you when it is restored; if it still "
            'does not work then, you can tap "Not fixed".'
        ),
    )
    return ConversationHandler.END
