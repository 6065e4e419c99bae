"""Ticking a round's items in private: ✅ ok or ❌ not ok; an item that asks for a photo waits
for one (the "inspections-photo" conversation). A "not ok" opens a ticket in the item's
category, linked to the round; every copy of the checklist is edited to show the tick."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.inspections import Item
from bot.services import inspections as service
from bot.services import tickets as ticket_service
from handlers.inspections.callbacks import InspectTick
from handlers.inspections.keyboards import LINKS
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
from handlers.kit.callbacks import matches
from handlers.kit.wizard import wizard

PHOTO = "inspections:photo"
PENDING = "inspections_tick"  # user_data: {round, item, ok} waiting for its photo
SCOPE = "inspections-photo"


def may_tick(turn: Turn, c: service.Checklist) -> bool:
    """The round's assignee, or staff and managers of its building (covering for them)."""
    return turn.user.id == c.round.assignee_id or bool(
        can(turn.principal, Action.HANDLE_TICKETS, c.plan.building_id)
    )


@private_only
async def tick_pressed(update: Update, context: Context) -> str | int:
    """A tick (in private: the checklist is sent there; a press in a group is redirected)."""
    query, data, turn = await pressed(update, context, InspectTick)
    async with context.services.db.read() as conn:
        c = await service.checklist(conn, data.round_id)
    item = next((i for i in c.items if i.id == data.item_id), None) if c else None
    if c is None or item is None:
        await stale(query, turn)
        return ConversationHandler.END
    if not may_tick(turn, c):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return ConversationHandler.END
    if item.id in c.results or c.round.state == "done":
        await answer(query, turn.tr._("This item is already checked."), alert=True)
        return ConversationHandler.END
    if item.photo:
        user_data = context.user_data
        assert user_data is not None
        user_data[PENDING] = {"round": c.round.id, "item": item.id, "ok": data.ok}
        await answer(query)
        prompt = turn.tr._(
            'Please send a photo of "{item}" for this round.', item=turn.tr.name(item.names)
        )
        markup = keyboard([button(turn.tr._("Cancel"), Dismiss(SCOPE))])
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(prompt, reply_markup=markup)
        return PHOTO
    await record(update, context, turn, c.round.id, item.id, data.ok, None)
    return ConversationHandler.END


async def got_photo(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None and message.photo
    turn = await begin(update, context)
    user_data = context.user_data
    assert user_data is not None
    pending: Any = user_data.pop(PENDING, None)
    if not isinstance(pending, dict):
        return ConversationHandler.END
    await record(
        update,
        context,
        turn,
        pending["round"],
        pending["item"],
        bool(pending["ok"]),
        message.photo[-1].file_id,
    )
    return ConversationHandler.END


async def ask_photo(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            turn.tr._("Please send a photo, or tap Cancel to leave the item unchecked.")
        )


async def cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    if context.user_data is not None:
        context.user_data.pop(PENDING, None)
    turn = await begin(update, context)
    await reply(update, turn.tr._("Not checked. Tap the item again when you are ready."))
    return ConversationHandler.END


async def record(
    update: Update,
    context: Context,
    turn: Turn,
    round_id: int,
    item_id: int,
    ok: bool,
    photo: str | None,
) -> None:
    """The tick, in one transaction with the ticket it opens and the checklists' edits."""
    services = context.services
    query = update.callback_query
    async with services.db.transaction() as conn:
        c = await service.checklist(conn, round_id)
        item: Item | None = next((i for i in c.items if i.id == item_id), None) if c else None
        if c is None or item is None or not may_tick(turn, c):
            await refuse(update, turn, Refusal.STALE)
            return
        done = await service.tick(
            conn, services.i18n, TICKET_LINKS[0], c, item, ok, photo, turn.user.id, turn.ts
        )
        if done.recorded:
            await service.refresh(conn, services.i18n, LINKS, round_id, turn.ts)
    services.deliver_now()
    tr = turn.tr
    if not done.recorded:
        text = tr._("This item is already checked.")
    elif done.ticket_id is not None:
        text = tr._("Not ok: ticket #{number} is opened for it.", number=done.ticket_id)
    else:
        text = tr._("Checked.")
    if query is not None:
        await answer(query, text)
    else:
        message = update.effective_message
        if message is not None:
            await message.reply_text(text)


#: The tickets' card buttons, given by ``bot.app`` (features do not import each other).
TICKET_LINKS: list[ticket_service.Links] = []


def conversation() -> ConversationHandler[Any]:
    private = f.ChatType.PRIVATE
    return wizard(
        SCOPE,
        entry_points=[CallbackQueryHandler(tick_pressed, pattern=matches(InspectTick))],
        states={PHOTO: [MessageHandler(private & f.PHOTO, got_photo)]},
        on_cancel=cancel,
        hint=ask_photo,
    )
