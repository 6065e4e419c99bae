"""Group chats: /bind a group to a building, the whole community or the staff, and /unbind it.
A group reads the community's language."""

from __future__ import annotations

from telegram import Chat, Update

from bot.context import Context
from bot.rules.auth import Action, can
from handlers.kit import (
    Dismiss,
    Refusal,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    refusal_text,
    reply,
    stale,
)
from handlers.notices.callbacks import GroupBind
from storage import community
from storage import notices as store


async def bind(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    if turn.chat.type == Chat.PRIVATE:
        await message.reply_text(
            turn.tr._(
                "Add me to the group chat first, then send /bind there. Building group chats "
                "get the notices for their building."
            )
        )
        return
    if not can(turn.principal, Action.BIND_GROUP):
        await message.reply_text(
            turn.tr._("Only an administrator or the property manager can bind this group.")
        )
        return
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
        current = await store.binding(conn, turn.chat.id)
    tr = context.services.i18n.translator(None)  # the group reads the community's language
    buttons = [button(tr.name(b.names), GroupBind("building", b.id)) for b in buildings]
    footer = [
        button(tr._("Whole community"), GroupBind("community", 0)),
        button(tr._("Staff chat"), GroupBind("staff", 0)),
        button(tr._("Cancel"), Dismiss("bind")),
    ]
    text = tr._("What is this group chat for?")
    if current is not None:
        text = tr._("This group is bound already; choosing again replaces it.") + "\n" + text
    await message.reply_text(text, reply_markup=keyboard(buttons, per_row=3, footer=footer))


async def bind_pick(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, GroupBind)
    tr = context.services.i18n.translator(None)
    if turn.chat.type == Chat.PRIVATE or data.kind not in ("building", "community", "staff"):
        await stale(query, turn)
        return
    if not can(turn.principal, Action.BIND_GROUP):
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
        return
    async with context.services.db.transaction() as conn:
        found = None
        if data.kind == "building":
            found = await community.building(conn, data.building_id)
            if found is None:
                await stale(query, turn)
                return
        await store.bind_group(
            conn,
            turn.chat.id,
            data.kind,
            found.id if found else None,
            turn.chat.title or "",
            turn.user.id,
            turn.ts,
        )
    await answer(query)
    if found is not None:
        text = tr._(
            "This group is now the group chat of {building}: its notices will be posted here.",
            building=tr.name(found.names),
        )
    elif data.kind == "community":
        text = tr._("This group is now the community's group chat: notices to everyone go here.")
    else:
        text = tr._("This group is now the staff chat: new tickets are posted here.")
    await reply(update, text)


async def bind_dismiss(update: Update, context: Context) -> None:
    await answer(update.callback_query)
    tr = context.services.i18n.translator(None)
    await reply(update, tr._("Nothing was changed."))


async def unbind(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    if turn.chat.type == Chat.PRIVATE or not can(turn.principal, Action.BIND_GROUP):
        await message.reply_text(
            turn.tr._("Only an administrator or the property manager can bind this group.")
        )
        return
    async with context.services.db.transaction() as conn:
        old = await store.unbind_group(conn, turn.chat.id)
    tr = context.services.i18n.translator(None)
    if old is None:
        await message.reply_text(tr._("This group was not bound."))
    else:
        await message.reply_text(tr._("This group is no longer bound: I will not post here."))
