"""The /notice wizard's options (pin in the group chats, urgent) and its send time."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules import notices as rules
from bot.rules.clock import to_ts
from bot.texts import notices as texts
from handlers.kit import (
    Refusal,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
)
from handlers.kit.callbacks import parse_as
from handlers.notices.callbacks import NoticeNext, NoticeToggle, NoticeWhen
from handlers.notices.confirm import preview
from handlers.notices.draft import DRAFT, OPTIONS, WHEN, cancel_button


async def ask_options(update: Update, context: Context, turn: Turn) -> str:
    draft = DRAFT.load(context)
    can_pin = draft.groups
    can_urgent = rules.may_mark_urgent(turn.principal)
    if not can_pin and not can_urgent:
        return await ask_when(update, context, turn)
    yes, no = turn.tr._("yes"), turn.tr._("no")
    buttons = []
    if can_pin:
        label = turn.tr._("Pin in the group chats: {answer}", answer=yes if draft.pin else no)
        buttons.append(button(label, NoticeToggle("pin")))
    if can_urgent:
        label = turn.tr._(
            "Urgent (also reaches those who muted notices): {answer}",
            answer=yes if draft.urgent else no,
        )
        buttons.append(button(label, NoticeToggle("urgent")))
    buttons.append(button(turn.tr._("Next"), NoticeNext()))
    await reply(
        update,
        turn.tr._("Tap an option to change it, then Next."),
        keyboard(buttons, footer=[cancel_button(turn)]),
    )
    return OPTIONS


@private_only
async def toggle_option(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, NoticeToggle)
    draft = DRAFT.load(context)
    allowed = (data.option == "pin" and draft.groups) or (
        data.option == "urgent" and rules.may_mark_urgent(turn.principal)
    )
    if not allowed:
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
        return OPTIONS
    await answer(query)
    if data.option == "pin":
        draft.pin = not draft.pin
    else:
        draft.urgent = not draft.urgent
    DRAFT.save(context, draft)
    return await ask_options(update, context, turn)


@private_only
async def options_next(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await ask_when(update, context, turn)


async def ask_when(update: Update, context: Context, turn: Turn) -> str:
    tz = context.services.i18n.tz
    buttons = [
        button(turn.tr._(texts.WHEN_LABELS[c]), NoticeWhen(c))
        for c in rules.choices_at(turn.now, tz)
    ]
    await reply(
        update,
        turn.tr._("When should it go out?"),
        keyboard(buttons, per_row=2, footer=[cancel_button(turn)]),
    )
    return WHEN


@private_only
async def pick_when(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = parse_as(query.data, NoticeWhen)
    await answer(query)
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    moment = rules.send_time(data.when, turn.now, context.services.i18n.tz)
    draft.send_at = to_ts(moment)
    draft.later = data.when is not rules.When.NOW
    DRAFT.save(context, draft)
    return await preview(update, context, turn)
