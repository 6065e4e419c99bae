"""/propose, the drafting wizard ("votes-propose"): title, text, audience, kind, art. 278 item or
basis and options, quorum, opening and duration; then the preview (``handlers.votes.submit``).
A proposal sent back by its reviewer is revised through the same steps."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.i18n import Translator
from handlers.kit import (
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
    touch_person,
)
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import wizard
from handlers.votes import submit, terms
from handlers.votes.callbacks import (
    KeepText,
    Kind,
    PickAudience,
    PickBasis,
    PickDays,
    PickItem,
    PickKind,
    PickOpening,
    PickOptions,
    PickQuorum,
    Revise,
    Submit,
)
from handlers.votes.drafts import (
    AUDIENCE,
    BASIS,
    BODY,
    DAYS,
    DRAFT,
    ITEM,
    KIND,
    MAX_BODY,
    MAX_TITLE,
    OPENING,
    OPTION_TEXT,
    OPTIONS,
    PREVIEW,
    QUORUM,
    TITLE,
    Draft,
    may_propose,
)
from handlers.votes.keyboards import cancel_button
from storage import community
from storage import votes as store


@private_only
async def propose_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not may_propose(turn.principal):
        await reply(
            update,
            turn.tr._(
                "Proposals can be made by confirmed residents, building leaders and staff. "
                "Join your unit first with /join."
            ),
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    DRAFT.clear(context)
    await reply(
        update,
        turn.tr._(
            'New proposal. What is its title? (one short line, e.g. "Repair the lift of '
            'building 2")'
        ),
        keyboard([cancel_button(turn.tr)]),
    )
    return TITLE


@private_only
async def revise_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, Revise)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
    if (
        proposal is None
        or proposal.state != "returned"
        or proposal.author_id != turn.user.id
        or not may_propose(turn.principal)
    ):
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    await answer(query)
    DRAFT.save(context, Draft(title=proposal.title, body=proposal.body))
    text = "\n".join(
        [
            turn.tr._(
                "Editing proposal #{id}. The comment was:\n{comment}",
                id=proposal.id,
                comment=proposal.comment,
            ),
            "",
            turn.tr._("Title: {title}", title=proposal.title),
            turn.tr._("Send a new title, or keep this one."),
        ]
    )
    await turn.chat.send_message(text, reply_markup=_keep_or_cancel(turn.tr, True))
    return TITLE


# ---- title and text -----------------------------------------------------------------------


@private_only
async def got_title(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = " ".join(message.text.split())
    problem = text_too_long(turn, text, MAX_TITLE)
    if problem or not text:
        await message.reply_text(problem or turn.tr._("Please send the title as text."))
        return TITLE
    draft = DRAFT.load(context)
    draft.title = text
    DRAFT.save(context, draft)
    return await ask_body(update, turn, context)


@private_only
async def keep_title(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    if DRAFT.load(context).title is None:
        await stale(update.callback_query, turn)
        return TITLE
    await answer(update.callback_query)
    return await ask_body(update, turn, context)


async def ask_body(update: Update, turn: Turn, context: Context) -> str:
    text = turn.tr._(
        "Now describe the proposal: what, why, how much it costs and who pays. Residents "
        "will read this before voting. You can also send a voice note."
    )
    keep = DRAFT.load(context).body is not None
    await _say(update, text, _keep_or_cancel(turn.tr, keep))
    return BODY


@private_only
async def got_body(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    problem = text_too_long(turn, text, MAX_BODY)
    if problem or not text:
        await message.reply_text(problem or turn.tr._("Please send the description as text."))
        return BODY
    draft = DRAFT.load(context)
    draft.body, draft.body_voice = text, None
    DRAFT.save(context, draft)
    return await ask_audience(update, turn, context)


@private_only
async def got_body_voice(update: Update, context: Context) -> str:
    """The proposal said in a voice note: passed on as spoken to reviewers and voters."""
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.voice is not None
    draft = DRAFT.load(context)
    draft.body, draft.body_voice = "", message.voice.file_id
    DRAFT.save(context, draft)
    return await ask_audience(update, turn, context)


@private_only
async def keep_body(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    if DRAFT.load(context).body is None:
        await stale(update.callback_query, turn)
        return BODY
    await answer(update.callback_query)
    return await ask_audience(update, turn, context)


def _keep_or_cancel(tr: Translator, keep: bool) -> InlineKeyboardMarkup:
    buttons = [button(tr._("Keep it as it is"), KeepText())] if keep else []
    return keyboard([*buttons, cancel_button(tr)], per_row=2)


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """A button press edits its message; a text message gets a new one."""
    if update.callback_query is not None:
        await reply(update, text, markup)
        return
    message = update.effective_message
    assert message is not None
    await message.reply_text(text, reply_markup=markup)


async def send_text_hint(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(turn.tr._("Please send this as a text message."))


def text_step(fn: Any) -> list[BaseHandler[Any, Any, Any]]:
    """A step that waits for text in the private chat: anything else gets a hint."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, fn),
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, send_text_hint),
    ]


# ---- audience and kind --------------------------------------------------------------------


async def ask_audience(update: Update, turn: Turn, context: Context) -> str:
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    buttons = [button(turn.tr._("The whole community"), PickAudience(0))]
    buttons += [button(turn.tr.name(b.names), PickAudience(b.id)) for b in buildings]
    await _say(
        update,
        turn.tr._("Who is it for?"),
        keyboard(buttons, per_row=2, footer=[cancel_button(turn.tr)]),
    )
    return AUDIENCE


@private_only
async def got_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickAudience)
    if data.building_id:
        async with context.services.db.read() as conn:
            found = await community.building(conn, data.building_id)
        if found is None:
            await stale(update.callback_query, turn)
            return AUDIENCE
    await answer(query)
    draft = DRAFT.load(context)
    draft.building_id = data.building_id or None
    DRAFT.save(context, draft)
    await reply(
        update,
        turn.tr._(
            "What kind of vote?\n"
            "• Resident poll: residents give their opinion (one vote per household or per "
            "resident).\n"
            "• Owners' decision (Civil Code art. 278): owners decide, weighed by floor area; "
            "valid only if 2/3 of owners holding 2/3 of the area take part."
        ),
        keyboard(
            [
                button(turn.tr._("Resident poll"), PickKind(Kind.POLL)),
                button(turn.tr._("Owners' decision"), PickKind(Kind.DECISION)),
            ],
            footer=[cancel_button(turn.tr)],
        ),
    )
    return KIND


# ---- the wizard ---------------------------------------------------------------------------


def conversation() -> ConversationHandler[Any]:
    return wizard(
        "votes-propose",
        cancel_scope="propose",
        entry_points=[
            CommandHandler("propose", propose_start),
            CallbackQueryHandler(propose_start, pattern=menu_pattern("propose")),
            CallbackQueryHandler(revise_start, pattern=matches(Revise)),
        ],
        states={
            TITLE: [
                *text_step(got_title),
                CallbackQueryHandler(keep_title, pattern=matches(KeepText)),
            ],
            BODY: [
                MessageHandler(filters.ChatType.PRIVATE & filters.VOICE, got_body_voice),
                *text_step(got_body),
                CallbackQueryHandler(keep_body, pattern=matches(KeepText)),
            ],
            AUDIENCE: [CallbackQueryHandler(got_audience, pattern=matches(PickAudience))],
            KIND: [CallbackQueryHandler(terms.got_kind, pattern=matches(PickKind))],
            ITEM: [CallbackQueryHandler(terms.got_item, pattern=matches(PickItem))],
            BASIS: [CallbackQueryHandler(terms.got_basis, pattern=matches(PickBasis))],
            OPTIONS: [CallbackQueryHandler(terms.got_options_choice, pattern=matches(PickOptions))],
            OPTION_TEXT: text_step(terms.got_option_text),
            QUORUM: [CallbackQueryHandler(terms.got_quorum, pattern=matches(PickQuorum))],
            OPENING: [CallbackQueryHandler(terms.got_opening, pattern=matches(PickOpening))],
            DAYS: [CallbackQueryHandler(submit.got_days, pattern=matches(PickDays))],
            PREVIEW: [CallbackQueryHandler(submit.submit, pattern=matches(Submit))],
        },
        on_cancel=submit.propose_cancel,
    )
