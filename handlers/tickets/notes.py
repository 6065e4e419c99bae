"""The "tickets-note" conversation: the resident adds information to an open ticket or answers
staff's question (text, a voice note or a photo: passed on to whoever asked, the assignee or
the staff chat), and the rating with its optional comment (``rating``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.tickets import State
from bot.services import tickets as service
from bot.services.tickets_render import card_translator
from handlers.kit import (
    Dismiss,
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
from handlers.kit.callbacks import matches
from handlers.kit.wizard import wizard
from handlers.tickets.callbacks import NoteStart, Rate
from handlers.tickets.keyboards import LINKS
from handlers.tickets.mine import mine
from handlers.tickets.rating import COMMENT, RATED_KEY, comment, rate
from storage import community
from storage import tickets as store

NOTE = "tickets:note"
NOTE_KEY = "ticket_note"  # user_data: the ticket the information is for


@private_only
async def note_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, NoteStart)
    async with turn.services.db.read() as conn:
        ticket, reporter = await mine(conn, data.ticket_id, turn.user.id)
    if ticket is None or not reporter or not ticket.is_open:
        await stale(query, turn)
        return ConversationHandler.END
    await answer(query)
    assert context.user_data is not None
    context.user_data[NOTE_KEY] = ticket.id
    await reply(
        update,
        turn.tr._(
            "Send me your information for ticket #{number}: text, a voice note or a photo.",
            number=ticket.id,
        ),
        keyboard([button(turn.tr._("Cancel"), Dismiss("tickets-note"))]),
    )
    return NOTE


@private_only
async def note_message(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    assert context.user_data is not None
    ticket_id = context.user_data.get(NOTE_KEY)
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    text = (message.text or message.caption or "").strip()
    voice = message.voice.file_id if message.voice else None
    photo = message.photo[-1].file_id if message.photo else None
    if not (text or voice or photo):
        await message.reply_text(turn.tr._("Please send text, a voice note or a photo."))
        return NOTE
    problem = text_too_long(turn, text)
    if problem:
        await message.reply_text(problem)
        return NOTE
    services = context.services
    outgoing: list[service.Outgoing] = []
    async with services.db.transaction() as conn:
        ticket, reporter = await mine(conn, ticket_id, turn.user.id)
        if ticket is None or not reporter or not ticket.is_open:
            await message.reply_text(turn.tr._("This ticket is already closed."))
            context.user_data.pop(NOTE_KEY, None)
            return ConversationHandler.END
        await store.add_note(conn, ticket.id, turn.ts, turn.user.id, text, voice, photo)
        answered = await store.transition(
            conn, ticket.id, [State.WAITING_RESIDENT], State.ACCEPTED, turn.ts
        )
        if answered:
            await store.close_pauses(conn, ticket.id, turn.ts)
        action = "answered" if answered else "info_added"
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, action, text)
        updated = await service.reschedule(conn, ticket.id)
        info = await community.get_community(conn)
        target = (ticket.asked_by if answered else None) or updated.assignee_id
        chat_id = target or (info.staff_chat_id if info else None)
        if chat_id is not None:
            tr = await card_translator(services.i18n, conn, chat_id)
            head = (
                tr._("The resident answered about ticket #{number}:", number=ticket.id)
                if answered
                else tr._("New information on ticket #{number}:", number=ticket.id)
            )
            body = head + ("\n" + text if text else "")
            outgoing.append(service.Outgoing(chat_id, body, [], voice, [photo] if photo else []))
        await service.refresh_cards(conn, services.i18n, LINKS, ticket_id, turn.ts)
        await service.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    context.user_data.pop(NOTE_KEY, None)
    await message.reply_text(turn.tr._("Thank you, I passed it on to the property staff."))
    return ConversationHandler.END


@private_only
async def note_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    if context.user_data is not None:
        for key in (NOTE_KEY, RATED_KEY):
            context.user_data.pop(key, None)
    turn = await begin(update, context)
    await reply(update, turn.tr._("All right."))
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    private = f.ChatType.PRIVATE
    other = private & ~f.COMMAND
    return wizard(
        "tickets-note",
        entry_points=[
            CallbackQueryHandler(note_start, pattern=matches(NoteStart)),
            CallbackQueryHandler(rate, pattern=matches(Rate)),
        ],
        states={
            NOTE: [
                MessageHandler(
                    private & (f.TEXT | f.VOICE | f.PHOTO) & ~f.COMMAND,
                    note_message,
                ),
                MessageHandler(other, note_message),
            ],
            COMMENT: [MessageHandler(other, comment)],
        },
        on_cancel=note_cancel,
        hint=None,
    )
