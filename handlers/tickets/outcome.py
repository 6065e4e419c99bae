"""Reject / duplicate / not our responsibility, chosen from a card's sub-menu: the reason for
the resident is asked in private (or the standard one used with one tap), then the ticket is
closed and the resident told. The "tickets-ask" conversation holds this and the question for
the resident (``question``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.tickets import Move, State, can_move
from bot.services import tickets as service
from bot.texts.tickets import STATE_LABELS
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    notify,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
)
from handlers.kit.callbacks import matches
from handlers.kit.wizard import wizard
from handlers.tickets.access import act, load_for_staff, moved_on, refuse
from handlers.tickets.callbacks import StaffOutcome, StaffReason
from handlers.tickets.keyboards import LINKS
from handlers.tickets.question import ASK_KEY, ASK_QUESTION, ask_question, ask_start
from handlers.tickets.texts import MOVE_LABELS, OUTCOMES, REASONS
from storage import tickets as store

ASK_REASON = "tickets:reason"
OUTCOME_KEY = "tickets_outcome"  # user_data: the pending outcome's Move value
TARGETS = {
    Move.REJECT: State.REJECTED,
    Move.DUPLICATE: State.DUPLICATE,
    Move.NOT_OURS: State.NOT_OURS,
}


async def outcome_start(update: Update, context: Context) -> str | int:
    """The outcome chosen from the sub-menu: ask for the reason in private."""
    query, data, turn = await pressed(update, context, StaffOutcome)
    async with context.services.db.read() as conn:
        ticket = await load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return ConversationHandler.END
        if data.move not in OUTCOMES:
            await stale(query, turn)
            return ConversationHandler.END
        if not can_move(ticket.state, data.move):
            await moved_on(turn, query, ticket)
            return ConversationHandler.END
    tr = turn.tr
    prompt = tr._(
        'Ticket #{number}: "{outcome}". Write the reason for the resident in a few words, or '
        "use the standard one.",
        number=ticket.id,
        outcome=tr._(MOVE_LABELS[data.move]),
    )
    markup = keyboard(
        [
            button(
                tr._("Use: {reason}", reason=tr._(REASONS[data.move]))[:60],
                StaffReason(ticket.id, data.move),
            ),
            button(tr._("Cancel"), Dismiss("tickets-ask")),
        ]
    )
    sent = await notify(context, turn.user.id, prompt, markup)
    if sent is None:
        await refuse(query, tr._("Please open a private chat with me first (send me /start)."))
        return ConversationHandler.END
    await answer(query, tr._("I have asked you in our private chat."))
    user_data = context.user_data
    assert user_data is not None
    user_data[ASK_KEY] = ticket.id
    user_data[OUTCOME_KEY] = data.move.value
    services = context.services
    async with services.db.transaction() as conn:  # the sub-menu goes, buttons come back
        await service.refresh_cards(conn, services.i18n, LINKS, ticket.id, turn.ts)
    services.deliver_now()
    return ASK_REASON


@private_only
async def reason_text(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(turn.tr._("Please write the reason in a few words."))
        return ASK_REASON
    problem = text_too_long(turn, text, 300)
    if problem:
        await message.reply_text(problem)
        return ASK_REASON
    return await apply_outcome(update, context, turn, text)


@private_only
async def reason_standard(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, StaffReason)
    user_data = context.user_data
    assert user_data is not None
    if user_data.get(ASK_KEY) != data.ticket_id or user_data.get(OUTCOME_KEY) != data.move.value:
        await stale(query, turn)
        return ASK_REASON
    await answer(query)
    return await apply_outcome(update, context, turn, REASONS[data.move])


async def apply_outcome(update: Update, context: Context, turn: Turn, reason: str) -> int:
    """Close the ticket as the pending outcome, re-checking the right and the state."""
    user_data = context.user_data
    assert user_data is not None
    ticket_id = user_data.pop(ASK_KEY, None)
    raw_move = user_data.pop(OUTCOME_KEY, None)
    if not isinstance(ticket_id, int) or raw_move not in {m.value for m in OUTCOMES}:
        return ConversationHandler.END
    move = Move(raw_move)
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None or not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
            await reply(
                update,
                turn.tr._("Sorry, this is not open to you. Send /menu to see what you can do."),
            )
            return ConversationHandler.END
        target = TARGETS[move]
        changed = can_move(ticket.state, move) and await store.transition(
            conn, ticket.id, [ticket.state], target, turn.ts, reason=reason, closed_at=turn.ts
        )
        if not changed:
            await reply(
                update,
                turn.tr._(
                    "Ticket #{number} is now {state}; nothing was changed.",
                    number=ticket.id,
                    state=turn.tr._(STATE_LABELS[ticket.state]),
                ),
            )
            return ConversationHandler.END
        await store.close_pauses(conn, ticket.id, turn.ts)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, move.value, reason)
        updated = await service.reschedule(conn, ticket.id)
        outgoing = await service.resident_news(
            conn, services.i18n, LINKS, updated, move, reason=reason
        )
        await service.refresh_cards(conn, services.i18n, LINKS, ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await reply(
        update,
        turn.tr._(
            "Done: ticket #{number} is {state}. The resident has been told.",
            number=ticket_id,
            state=turn.tr._(STATE_LABELS[target]),
        ),
    )
    return ConversationHandler.END


async def ask_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    user_data = context.user_data
    if user_data is not None:
        user_data.pop(ASK_KEY, None)
        user_data.pop(OUTCOME_KEY, None)
    turn = await begin(update, context)
    await reply(update, turn.tr._("Cancelled. Nothing was sent."))
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    """The "tickets-ask" conversation, per user across chats (the press is in a group, the
    answer in private)."""
    private = f.ChatType.PRIVATE
    return wizard(
        "tickets-ask",
        entry_points=[
            CallbackQueryHandler(ask_start, pattern=act(Move.NEED_INFO)),
            CallbackQueryHandler(outcome_start, pattern=matches(StaffOutcome)),
        ],
        states={
            ASK_REASON: [
                CallbackQueryHandler(reason_standard, pattern=matches(StaffReason)),
                MessageHandler(private & ~f.COMMAND, reason_text),
            ],
            ASK_QUESTION: [
                MessageHandler(private & (f.TEXT | f.VOICE) & ~f.COMMAND, ask_question),
            ],
        },
        on_cancel=ask_cancel,
        fallbacks=[MessageHandler(private & ~f.COMMAND, ask_question)],
        hint=None,
        per_chat=False,
    )
