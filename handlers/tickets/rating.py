"""Rating a resolved ticket (1-5 stars, then an optional comment) or "not fixed" (reopened and
escalated to the managers); part of the "tickets-note" conversation (``notes``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.i18n import N_
from bot.rules.auth import Role
from bot.rules.tickets import Move, State
from bot.services import tickets as service
from bot.services.tickets_render import card_translator
from bot.texts.tickets import STATE_LABELS
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
)
from handlers.tickets.callbacks import Rate
from handlers.tickets.keyboards import LINKS
from handlers.tickets.mine import mine
from storage import community, people
from storage import tickets as store

COMMENT = "tickets:comment"
RATED_KEY = "ticket_rated"  # user_data: the ticket whose rating a comment is for


@private_only
async def rate(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, Rate)
    tr = turn.tr
    services = context.services
    outgoing: list[service.Outgoing] = []
    async with services.db.transaction() as conn:
        ticket, reporter = await mine(conn, data.ticket_id, turn.user.id)
        valid = ticket is not None and 0 <= data.stars <= 5 and (reporter or data.stars == 0)
        if ticket is None or not valid:
            await stale(query, turn)
            return ConversationHandler.END
        if ticket.state is not State.RESOLVED:
            await answer(
                query,
                tr._(
                    "Ticket #{number} is now {state}.",
                    number=ticket.id,
                    state=tr._(STATE_LABELS[ticket.state]),
                ),
                alert=True,
            )
            return ConversationHandler.END
        if data.stars:
            changed = await store.transition(
                conn,
                ticket.id,
                [State.RESOLVED],
                State.CLOSED,
                turn.ts,
                rating=data.stars,
                rated_at=turn.ts,
                closed_at=turn.ts,
            )
            if changed:
                await store.add_history(
                    conn, ticket.id, turn.ts, turn.user.id, "rated", str(data.stars)
                )
        else:
            changed = await store.transition(
                conn,
                ticket.id,
                [State.RESOLVED],
                State.REOPENED,
                turn.ts,
                reopen_count=ticket.reopen_count + 1,
            )
            if changed:
                await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "reopened")
                await store.add_history(conn, ticket.id, turn.ts, None, "escalated", "manager")
        if not changed:
            await stale(query, turn)
            return ConversationHandler.END
        await service.drop_rating_timers(conn, ticket.id)
        updated = await service.reschedule(conn, ticket.id)
        if not data.stars:
            for manager in await _managers(conn, updated.building_id):
                outgoing.append(
                    await service.private_card(
                        conn,
                        services.i18n,
                        LINKS,
                        updated,
                        manager,
                        "manager",
                        intro=N_("Escalation: the resident says this ticket is not fixed."),
                    )
                )
            outgoing += await service.resident_news(
                conn, services.i18n, LINKS, updated, Move.REOPEN
            )
        await service.refresh_cards(conn, services.i18n, LINKS, data.ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)
    if not data.stars:
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[RATED_KEY] = data.ticket_id
    await reply(
        update,
        tr._(
            "Thank you for rating ticket #{number}! If you like, write a short comment now.",
            number=data.ticket_id,
        ),
        keyboard([button(tr._("No comment"), Dismiss("tickets-note"))]),
    )
    return COMMENT


async def _managers(conn: Any, building_id: int) -> list[int]:
    return await people.role_holders(conn, Role.MANAGER, building_id)


@private_only
async def comment(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    assert context.user_data is not None
    ticket_id = context.user_data.get(RATED_KEY)
    text = (message.text or "").strip()
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    if message.voice is not None:
        await _spoken_comment(context, turn, ticket_id, message.voice.file_id)
        context.user_data.pop(RATED_KEY, None)
        await message.reply_text(turn.tr._("Thank you, your comment is recorded."))
        return ConversationHandler.END
    problem = (
        text_too_long(turn, text)
        if text
        else turn.tr._("Please write your comment, or send a voice note.")
    )
    if problem:
        await message.reply_text(problem)
        return COMMENT
    async with turn.services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is not None and ticket.reporter_id == turn.user.id and ticket.rating:
            await store.update_fields(conn, ticket_id, rating_comment=text)
    context.user_data.pop(RATED_KEY, None)
    await message.reply_text(turn.tr._("Thank you, your comment is recorded."))
    return ConversationHandler.END


async def _spoken_comment(context: Context, turn: Turn, ticket_id: int, voice: str) -> None:
    """A comment spoken: kept with the ticket as a note and passed on as it was spoken to the
    ticket's assignee, or the staff chat."""
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None or ticket.reporter_id != turn.user.id or not ticket.rating:
            return
        await store.add_note(conn, ticket.id, turn.ts, turn.user.id, "", voice)
        info = await community.get_community(conn)
        chat_id = ticket.assignee_id or (info.staff_chat_id if info else None)
        if chat_id is None:
            return
        tr = await card_translator(services.i18n, conn, chat_id)
        head = tr._(
            "The resident's comment with the rating of ticket #{number} ({stars} of 5):",
            number=ticket.id,
            stars=ticket.rating,
        )
        await service.queue(conn, [service.Outgoing(chat_id, head, [], voice)], turn.ts)
    services.deliver_now()
