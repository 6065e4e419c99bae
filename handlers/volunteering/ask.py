"""Asking neighbours for help (互助), in a few taps or a voice note: /askhelp (menu: "Ask a
neighbour for help"): what kind → a few words, a voice note, or "Send now" → the volunteers
of the building are told (without the unit, the phone or the voice). /helpfor: a building
leader (or staff) posts it for someone without Telegram: building → kind → who and how to
reach them (only the volunteer who takes it sees this) → words or voice → sent; the leader
confirms afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.rules import points as rules
from bot.rules.auth import Action, can
from bot.services import helping as service
from bot.texts.volunteering import help_label
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
    short_text,
    stale,
    text_too_long,
    touch_person,
)
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import Drafts, cancelled, chosen, wizard
from handlers.volunteering.callbacks import HelpBuilding, HelpKind, HelpSend
from handlers.volunteering.keyboards import take_buttons
from storage import community
from storage import volunteering as store

BUILDING, KIND, CONTACT, WORDS = (f"help:{s}" for s in ("building", "kind", "contact", "words"))


@dataclass
class HelpDraft:
    kind: str | None = None
    building_id: int | None = None
    unit_id: int | None = None
    for_other: bool = False
    contact: str = ""


DRAFT = Drafts("help_draft", HelpDraft)


def _cancel(turn: Turn) -> InlineKeyboardButton:
    return button(turn.tr._("Cancel"), Dismiss("help"))


async def _kinds(update: Update, turn: Turn) -> str:
    buttons = [button(help_label(turn.tr, k), HelpKind(k)) for k in rules.HELP_KINDS]
    await reply(
        update,
        turn.tr._("What do you need help with?"),
        keyboard(buttons, per_row=1, footer=[_cancel(turn)]),
    )
    return KIND


@private_only
async def ask_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    home = turn.principal.verified[0] if turn.principal.verified else None
    if home is None or not can(turn.principal, Action.VOLUNTEER):
        await reply(
            update,
            turn.tr._(
                "Asking neighbours for help is for confirmed residents: join your unit first "
                "(/join). Your building leader can also ask for you."
            ),
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    DRAFT.save(context, HelpDraft(building_id=home.building_id, unit_id=home.unit_id))
    return await _kinds(update, turn)


@private_only
async def for_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    if not can(turn.principal, Action.HELP_FOR):
        await reply(
            update,
            turn.tr._(
                "Posting a help request for a neighbour is for building leaders and property staff."
            ),
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        buildings = await community.buildings(conn)
    DRAFT.save(context, HelpDraft(for_other=True))
    buttons = [
        button(turn.tr.name(b.names), HelpBuilding(b.id))
        for b in buildings
        if can(turn.principal, Action.HELP_FOR, b.id)
    ]
    await reply(
        update,
        turn.tr._("In which building does the neighbour live?"),
        keyboard(buttons, per_row=3, footer=[_cancel(turn)]),
    )
    return BUILDING


@private_only
async def got_building(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, HelpBuilding)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id)
    if found is None or not can(turn.principal, Action.HELP_FOR, found.id):
        await stale(query, turn)
        return BUILDING
    await answer(query)
    draft = DRAFT.load(context)
    draft.building_id = found.id
    DRAFT.save(context, draft)
    return await _kinds(update, turn)


@private_only
async def got_kind(update: Update, context: Context) -> str:
    turn = await chosen(update, context, HelpKind, DRAFT, "kind", lambda k: k in rules.HELP_KINDS)
    if turn is None:
        return KIND
    draft = DRAFT.load(context)
    if draft.for_other:
        await reply(
            update,
            turn.tr._(
                "Who needs the help, and how does the volunteer reach them? (name, unit, "
                "phone) Only the volunteer who takes it sees this."
            ),
            keyboard([_cancel(turn)]),
        )
        return CONTACT
    return await _words_prompt(update, turn)


async def _words_prompt(update: Update, turn: Turn) -> str:
    markup = keyboard([button(turn.tr._("Send now"), HelpSend()), _cancel(turn)], per_row=1)
    await reply(
        update,
        turn.tr._("Say a few words, or send a voice note, about when and what. Or tap Send now."),
        markup,
    )
    return WORDS


@private_only
async def got_contact(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    text = await short_text(update, turn, 300)
    if text is None:
        return CONTACT
    draft = DRAFT.load(context)
    draft.contact = text
    DRAFT.save(context, draft)
    return await _words_prompt(update, turn)


@private_only
async def got_words(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    if message.voice is not None:
        return await _send(update, context, turn, "", message.voice.file_id)
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(
            turn.tr._("Please send a few words or a voice note, or tap Send now.")
        )
        return WORDS
    problem = text_too_long(turn, text, 500)
    if problem:
        await message.reply_text(problem)
        return WORDS
    return await _send(update, context, turn, text, None)


@private_only
async def send_now(update: Update, context: Context) -> str | int:
    query, _data, turn = await pressed(update, context, HelpSend)
    await answer(query)
    return await _send(update, context, turn, "", None)


async def _send(
    update: Update, context: Context, turn: Turn, details: str, voice: str | None
) -> str | int:
    draft = DRAFT.load(context)
    services = context.services
    allowed = (
        can(turn.principal, Action.HELP_FOR, draft.building_id)
        if draft.for_other
        else can(turn.principal, Action.VOLUNTEER)
    )
    if draft.kind is None or draft.building_id is None or not allowed:
        DRAFT.clear(context)
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    async with services.db.transaction() as conn:
        request_id = await store.create_help(
            conn,
            building_id=draft.building_id,
            unit_id=None if draft.for_other else draft.unit_id,
            kind=draft.kind,
            details=details,
            voice=voice,
            requester_id=None if draft.for_other else turn.user.id,
            posted_by=turn.user.id if draft.for_other else None,
            contact=draft.contact,
            points=rules.HELP_POINTS,
            now=turn.ts,
        )
        req = await store.help_request(conn, request_id)
        assert req is not None
        told = await service.tell_volunteers(conn, services.i18n, req, take_buttons, now=turn.ts)
    services.deliver_now()
    DRAFT.clear(context)
    tr = turn.tr
    if told:
        text = tr.n_(
            "Sent to {n} volunteer of the building. I will tell you who comes.",
            "Sent to {n} volunteers of the building. I will tell you who comes.",
            told,
        )
    else:
        text = tr._(
            "There is no volunteer in the building yet, so nobody could be told. Please ask "
            "your building leader."
        )
    await reply(update, text)
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    private = filters.ChatType.PRIVATE & ~filters.COMMAND
    return wizard(
        "help",
        entry_points=[
            CommandHandler("askhelp", ask_start),
            CallbackQueryHandler(ask_start, pattern=menu_pattern("askhelp")),
            CommandHandler("helpfor", for_start),
        ],
        states={
            BUILDING: [CallbackQueryHandler(got_building, pattern=matches(HelpBuilding))],
            KIND: [CallbackQueryHandler(got_kind, pattern=matches(HelpKind))],
            CONTACT: [MessageHandler(private, got_contact)],
            WORDS: [
                CallbackQueryHandler(send_now, pattern=matches(HelpSend)),
                MessageHandler(private, got_words),
            ],
        },
        on_cancel=cancelled(DRAFT.key, lambda tr: tr._("Cancelled. Nothing was sent.")),
    )
