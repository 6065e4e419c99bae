"""Reject / duplicate / not our responsibility, chosen from a card's sub-menu: the reason for
the resident is asked in private (or the standard one used with one tap), then the ticket is
closed and the resident told. The "tickets-ask" conversation holds this and the question for
the resident (``question``)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
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
from handlers.tickets.callbacks import StaffOriginal, StaffOutcome, StaffReason
from handlers.tickets.keyboards import LINKS
from handlers.tickets.question import ASK_KEY, ASK_QUESTION, ask_question, ask_start
from handlers.tickets.texts import MOVE_LABELS, OUTCOMES, REASONS
from storage import tickets as store

ASK_REASON = "tickets:reason"
ASK_ORIGINAL = "tickets:original"
OUTCOME_KEY = "tickets_outcome"  # user_data: the pending outcome's Move value
ORIGINAL_KEY = "tickets_original"  # user_data: the ticket a duplicate duplicates
ORIGINALS = 6  # open tickets of the building offered as the original
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
    if data.move is Move.DUPLICATE:
        async with context.services.db.read() as conn:
            others, _ = await store.open_in_buildings(conn, [ticket.building_id], ORIGINALS + 1)
            picks = [
                button(
                    f"#{o.id} {await service.short_title(conn, tr, o)}"[:60],
                    StaffOriginal(ticket.id, o.id),
                )
                for o in others
                if o.id != ticket.id
            ][:ORIGINALS]
        prompt = tr._(
            "Ticket #{number} is a duplicate of which ticket? Tap it, or send its number.",
            number=ticket.id,
        )
        markup = keyboard([*picks, button(tr._("Cancel"), Dismiss("tickets-ask"))])
        state = ASK_ORIGINAL
    else:
        prompt, markup = reason_prompt(turn, ticket.id, data.move)
        state = ASK_REASON
    sent = await notify(context, turn.user.id, prompt, markup)
    if sent is None:
        await refuse(query, tr._("Please open a private chat with me first (send me /start)."))
        return ConversationHandler.END
    await answer(query, tr._("I have asked you in our private chat."))
    user_data = context.user_data
    assert user_data is not None
    user_data[ASK_KEY] = ticket.id
    user_data[OUTCOME_KEY] = data.move.value
    user_data.pop(ORIGINAL_KEY, None)
    services = context.services
    async with services.db.transaction() as conn:  # the sub-menu goes, buttons come back
        await service.refresh_cards(conn, services.i18n, LINKS, ticket.id, turn.ts)
    services.deliver_now()
    return state


def reason_prompt(turn: Turn, ticket_id: int, move: Move) -> tuple[str, InlineKeyboardMarkup]:
    tr = turn.tr
    prompt = tr._(
        'Ticket #{number}: "{outcome}". Write the reason for the resident in a few words, or '
        "use the standard one.",
        number=ticket_id,
        outcome=tr._(MOVE_LABELS[move]),
    )
    markup = keyboard(
        [
            button(
                tr._("Use: {reason}", reason=tr._(REASONS[move]))[:60],
                StaffReason(ticket_id, move),
            ),
            button(tr._("Cancel"), Dismiss("tickets-ask")),
        ]
    )
    return prompt, markup


@private_only
async def original_pressed(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, StaffOriginal)
    user_data = context.user_data
    assert user_data is not None
    if user_data.get(ASK_KEY) != data.ticket_id:
        await stale(query, turn)
        return ASK_ORIGINAL
    await answer(query)
    return await choose_original(update, context, turn, data.original_id)


@private_only
async def original_text(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    digits = (message.text or "").strip().lstrip("#")
    if not digits.isdigit() or len(digits) > 9:
        await message.reply_text(turn.tr._("Please send the number of the ticket, e.g. 12."))
        return ASK_ORIGINAL
    return await choose_original(update, context, turn, int(digits))


async def choose_original(
    update: Update, context: Context, turn: Turn, original_id: int
) -> str | int:
    """The original must be another ticket of the same building; then the reason is asked."""
    user_data = context.user_data
    assert user_data is not None
    ticket_id = user_data.get(ASK_KEY)
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    async with context.services.db.read() as conn:
        ticket = await store.get(conn, ticket_id)
        original = await store.get(conn, original_id)
    if ticket is None or original is None or original.building_id != ticket.building_id:
        await reply(update, turn.tr._("There is no such ticket in this building."))
        return ASK_ORIGINAL
    if original.id == ticket.id or original.state is State.DUPLICATE:
        await reply(update, turn.tr._("Please choose the original ticket, not this one."))
        return ASK_ORIGINAL
    user_data[ORIGINAL_KEY] = original.id
    prompt, markup = reason_prompt(turn, ticket.id, Move.DUPLICATE)
    await reply(update, prompt, markup)
    return ASK_REASON
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
    original_id = user_data.pop(ORIGINAL_KEY, None)
    if move is Move.DUPLICATE and not isinstance(original_id, int):
        return ConversationHandler.END
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        original = await store.get(conn, original_id) if isinstance(original_id, int) else None
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
            conn, services.i18n, LINKS, updated, move, original=original, reason=reason
        )
        if original is not None:
            await service.point_to_original(conn, updated, original, turn.ts)
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
        user_data.pop(ORIGINAL_KEY, None)
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
            ASK_ORIGINAL: [
                CallbackQueryHandler(original_pressed, pattern=matches(StaffOriginal)),
                MessageHandler(private & ~f.COMMAND, original_text),
            ],
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
