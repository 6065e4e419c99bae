"""/outage: staff and managers declare an outage with buttons: the category, the buildings (or
the whole community), when it is expected back, a few words if they like, then send. It goes
out as an urgent notice to the residents of those buildings (``bot.services.incidents``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.services import incidents as service
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
    text_too_long,
)
from handlers.kit.callbacks import matches, parse_as
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import cancelled, wizard
from handlers.tickets.outages.callbacks import (
    OutageBuilding,
    OutageCategory,
    OutageEnd,
    OutageStep,
    Step,
)
from handlers.tickets.outages.draft import BUILDINGS, CATEGORY, CONFIRM, DRAFT, END, END_HOURS, NOTE
from storage import community

NAME = "outage"


def _cancel_button(turn: Turn) -> Any:
    return button(turn.tr._("Cancel"), Dismiss(NAME))


@private_only
async def start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return ConversationHandler.END
    DRAFT.clear(context)
    async with turn.services.db.read() as conn:
        cats = await community.categories(conn)
    buttons = [button(turn.tr.name(c.names), OutageCategory(c.code)) for c in cats]
    markup = keyboard(buttons, per_row=2, footer=[_cancel_button(turn)])
    await reply(update, turn.tr._("Declare an outage. What is out?"), markup)
    return CATEGORY


@private_only
async def pick_category(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, OutageCategory)
    async with turn.services.db.read() as conn:
        found = await community.category(conn, data.code)
    if found is None:
        await stale(query, turn)
        return CATEGORY
    await answer(query)
    draft = DRAFT.load(context)
    draft.category = found.code
    DRAFT.save(context, draft)
    await _show_buildings(update, turn, context)
    return BUILDINGS


async def _show_buildings(update: Update, turn: Turn, context: Context) -> None:
    draft = DRAFT.load(context)
    tick = lambda on: "✅ " if on else ""  # noqa: E731
    async with turn.services.db.read() as conn:
        buildings = await community.buildings(conn)
    tr = turn.tr
    buttons = [button(tick(draft.everyone) + tr._("The whole community"), OutageBuilding(0))]
    buttons += [
        button(tick(b.id in draft.buildings) + tr.name(b.names), OutageBuilding(b.id))
        for b in buildings
    ]
    footer = [button(tr._("Done"), OutageStep(Step.DONE)), _cancel_button(turn)]
    text = tr._("Which buildings are affected? Tap each one, then Done.")
    await reply(update, text, keyboard(buttons, per_row=2, footer=footer))


@private_only
async def toggle_building(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, OutageBuilding)
    draft = DRAFT.load(context)
    if data.building_id == 0:
        draft.everyone, draft.buildings = not draft.everyone, []
    else:
        async with turn.services.db.read() as conn:
            found = await community.building(conn, data.building_id)
        if found is None:
            await stale(query, turn)
            return BUILDINGS
        draft.everyone = False
        chosen = set(draft.buildings) ^ {found.id}
        draft.buildings = sorted(chosen)
    await answer(query)
    DRAFT.save(context, draft)
    await _show_buildings(update, turn, context)
    return BUILDINGS


@private_only
async def buildings_done(update: Update, context: Context) -> str:
    query = update.callback_query
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if not draft.everyone and not draft.buildings:
        await answer(query, turn.tr._("Please tap at least one building."), alert=True)
        return BUILDINGS
    await answer(query)
    tr = turn.tr
    buttons = [
        button(
            tr.n_("in {n} hour", "in {n} hours", h) if h else tr._("Not known yet"),
            OutageEnd(h),
        )
        for h in END_HOURS
    ]
    await reply(
        update,
        tr._("When is it expected back?"),
        keyboard(buttons, per_row=3, footer=[_cancel_button(turn)]),
    )
    return END


@private_only
async def pick_end(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, OutageEnd)
    if data.hours not in END_HOURS:
        await stale(query, turn)
        return END
    await answer(query)
    draft = DRAFT.load(context)
    draft.hours = data.hours
    DRAFT.save(context, draft)
    markup = keyboard(
        [button(turn.tr._("No, just send it"), OutageStep(Step.SKIP))],
        footer=[_cancel_button(turn)],
    )
    text = turn.tr._(
        'Add a few words for the residents (for example "water off for a pipe repair"), '
        "or tap the button."
    )
    await reply(update, text, markup)
    return NOTE


@private_only
async def note_text(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    turn = await begin(update, context)
    text = message.text.strip()
    problem = text_too_long(turn, text)
    if problem or not text:
        await message.reply_text(problem or turn.tr._("Please write a few words."))
        return NOTE
    draft = DRAFT.load(context)
    draft.note = text
    DRAFT.save(context, draft)
    await _summary(update, context, turn)
    return CONFIRM


@private_only
async def note_hint(update: Update, context: Context) -> str:
    """Not text (a voice note, a sticker) where the few words are asked."""
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    await message.reply_text(turn.tr._("Please write a few words, or tap the button."))
    return NOTE


@private_only
async def skip_note(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    await _summary(update, context, turn)
    return CONFIRM


def _expected(turn: Turn, hours: int | None) -> int | None:
    return to_ts(turn.now + timedelta(hours=hours)) if hours else None


async def _summary(update: Update, context: Context, turn: Turn) -> None:
    draft = DRAFT.load(context)
    async with turn.services.db.read() as conn:
        preview = await service.words_for(
            conn,
            draft.category or "",
            None if draft.everyone else list(draft.buildings),
            _expected(turn, draft.hours),
            draft.note,
        )
    tr = turn.tr
    text = (
        tr._("This urgent notice goes to the residents of those buildings:") + "\n\n" + preview(tr)
    )
    markup: InlineKeyboardMarkup = keyboard(
        [button(tr._("Send it"), OutageStep(Step.SEND))], footer=[_cancel_button(turn)]
    )
    await reply(update, text, markup)


@private_only
async def send(update: Update, context: Context) -> int | str:
    query = update.callback_query
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return ConversationHandler.END
    if draft.category is None or draft.hours is None:
        await stale(query, turn)
        return CONFIRM
    services = context.services
    async with services.db.transaction() as conn:
        incident, people, groups = await service.declare(
            conn,
            services.i18n,
            by=turn.user.id,
            category=draft.category,
            buildings=None if draft.everyone else list(draft.buildings),
            expected_end=_expected(turn, draft.hours),
            note=draft.note,
            now=turn.ts,
        )
    services.deliver_now()
    await answer(query)
    DRAFT.clear(context)
    tr = turn.tr
    await reply(
        update,
        tr._(
            "Outage #{number} is declared. The urgent notice goes to {people} residents "
            "and {groups} group chats. Update it or mark it restored with /outages.",
            number=incident.id,
            people=people,
            groups=groups,
        ),
    )
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    text = f.ChatType.PRIVATE & f.TEXT & ~f.COMMAND
    return wizard(
        NAME,
        entry_points=[
            CommandHandler("outage", start),
            CallbackQueryHandler(start, pattern=menu_pattern("outage")),
        ],
        states={
            CATEGORY: [CallbackQueryHandler(pick_category, pattern=matches(OutageCategory))],
            BUILDINGS: [
                CallbackQueryHandler(toggle_building, pattern=matches(OutageBuilding)),
                CallbackQueryHandler(buildings_done, pattern=_step(Step.DONE)),
            ],
            END: [CallbackQueryHandler(pick_end, pattern=matches(OutageEnd))],
            NOTE: [
                MessageHandler(text, note_text),
                MessageHandler(f.ChatType.PRIVATE & ~f.COMMAND & ~f.TEXT, note_hint),
                CallbackQueryHandler(skip_note, pattern=_step(Step.SKIP)),
            ],
            CONFIRM: [CallbackQueryHandler(send, pattern=_step(Step.SEND))],
        },
        on_cancel=cancelled(DRAFT.key, lambda tr: tr._("Cancelled. No outage was declared.")),
    )


def _step(step: Step) -> Any:
    check = matches(OutageStep)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, OutageStep).step == step

    return pattern
