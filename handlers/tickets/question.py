"""Asking the resident ("Ask the resident" on a card): the staff member writes the question in
private (text or a voice note); the ticket waits for the resident with its SLA clock stopped.
Part of the "tickets-ask" conversation (``outcome.conversation``)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.delivery import payload_buttons
from bot.rules.auth import Action, can
from bot.rules.tickets import UNANSWERED, WORKING, Move, State, can_move
from bot.services import tickets as service
from bot.services.tickets_render import translator_for
from bot.texts.tickets import STATE_LABELS
from handlers.kit import (
    Dismiss,
    answer,
    begin,
    button,
    keyboard,
    notify,
    pressed,
    private_only,
    text_too_long,
)
from handlers.tickets.access import load_for_staff, moved_on, refuse
from handlers.tickets.callbacks import NoteStart, StaffAct
from handlers.tickets.keyboards import LINKS
from storage import tickets as store

ASK_QUESTION = "tickets:ask"
ASK_KEY = "tickets_ask"  # user_data: the ticket being asked about (or given a reason)


async def ask_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, StaffAct)
    async with context.services.db.read() as conn:
        ticket = await load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return ConversationHandler.END
        if not can_move(ticket.state, Move.NEED_INFO):
            await moved_on(turn, query, ticket)
            return ConversationHandler.END
    prompt = turn.tr._(
        "What should I ask the resident about ticket #{number}? Send your question as text or "
        "a voice note.",
        number=ticket.id,
    )
    markup = keyboard([button(turn.tr._("Cancel"), Dismiss("tickets-ask"))])
    sent = await notify(context, turn.user.id, prompt, markup)
    if sent is None:
        await refuse(query, turn.tr._("Please open a private chat with me first (send me /start)."))
        return ConversationHandler.END
    await answer(query, turn.tr._("I have asked you in our private chat."))
    user_data = context.user_data
    assert user_data is not None
    user_data[ASK_KEY] = ticket.id
    return ASK_QUESTION


@private_only
async def ask_question(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    user_data = context.user_data
    assert user_data is not None
    ticket_id = user_data.get(ASK_KEY)
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    text = message.text or ""
    voice = message.voice.file_id if message.voice else None
    if not text and not voice:
        await message.reply_text(turn.tr._("Please send your question as text or a voice note."))
        return ASK_QUESTION
    problem = text_too_long(turn, text)
    if problem:
        await message.reply_text(problem)
        return ASK_QUESTION
    services = context.services
    outgoing: list[service.Outgoing] = []
    async with services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None or not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
            await message.reply_text(
                turn.tr._("Sorry, this is not open to you. Send /menu to see what you can do.")
            )
            user_data.pop(ASK_KEY, None)
            return ConversationHandler.END
        changed = await store.transition(
            conn,
            ticket.id,
            UNANSWERED | WORKING,
            State.WAITING_RESIDENT,
            turn.ts,
            asked_by=turn.user.id,
            accepted_at=ticket.accepted_at or turn.ts,
            accepted_by=ticket.accepted_by or turn.user.id,
        )
        if not changed:
            await message.reply_text(
                turn.tr._(
                    "Ticket #{number} is now {state}; I did not send the question.",
                    number=ticket.id,
                    state=turn.tr._(STATE_LABELS[ticket.state]),
                )
            )
            user_data.pop(ASK_KEY, None)
            return ConversationHandler.END
        await store.open_pause(conn, ticket.id, turn.ts, "waiting for the resident")
        await store.add_note(conn, ticket.id, turn.ts, turn.user.id, text, voice)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "need_info", text)
        updated = await service.reschedule(conn, ticket.id)
        if updated.reporter_id is not None:
            rtr = await translator_for(services.i18n, conn, updated.reporter_id)
            body = rtr._(
                "The property staff have a question about your ticket #{number}:\n{question}\n\n"
                "Tap the button to answer (text, voice note or photo).",
                number=ticket.id,
                question=text or rtr._("(a voice note)"),
            )
            answer_button = keyboard([button(rtr._("Answer"), NoteStart(ticket.id))])
            outgoing.append(
                service.Outgoing(updated.reporter_id, body, payload_buttons(answer_button), voice)
            )
        await service.refresh_cards(conn, services.i18n, LINKS, ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    user_data.pop(ASK_KEY, None)
    await message.reply_text(
        turn.tr._(
            "Sent. The SLA clock of ticket #{number} is stopped until the resident answers.",
            number=ticket_id,
        )
    )
    return ConversationHandler.END
