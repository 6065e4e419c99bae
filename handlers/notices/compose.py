"""The /notice wizard: its start, the text and the attachment, the way out, and the
conversation that ties its steps together (name and cancel scope "notice")."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.rules import notices as rules
from handlers.kit import (
    answer,
    begin,
    button,
    keyboard,
    private_only,
    reply,
    text_too_long,
    touch_person,
)
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import wizard
from handlers.notices.audience import (
    ask_audience,
    buildings_done,
    pick_audience,
    pick_groups,
    toggle_building,
)
from handlers.notices.callbacks import (
    NoticeAudience,
    NoticeBuilding,
    NoticeBuildingsDone,
    NoticeGroups,
    NoticeNext,
    NoticeNoAttachment,
    NoticeSend,
    NoticeToggle,
    NoticeWhen,
)
from handlers.notices.confirm import send
from handlers.notices.draft import (
    ATTACH,
    AUDIENCE,
    COMPOSE,
    CONFIRM,
    DRAFT,
    GROUPS,
    OPTIONS,
    WHEN,
    NoticeDraft,
    cancel_button,
    may_send_some,
    say,
)
from handlers.notices.options import options_next, pick_when, toggle_option


@private_only
async def notice_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not may_send_some(turn):
        await reply(
            update,
            turn.tr._(
                "Only building leaders, property staff, managers and the committee can send "
                "notices. You can read the latest notices with /notices."
            ),
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    DRAFT.save(context, NoticeDraft())
    await reply(
        update,
        turn.tr._(
            "Write the notice and send it to me. You can also send a photo or a document "
            "with the text as its caption."
        ),
        keyboard([cancel_button(turn)]),
    )
    return COMPOSE


def _attachment(message: Message) -> tuple[str | None, str | None]:
    if message.photo:
        return message.photo[-1].file_id, None
    if message.document:
        return None, message.document.file_id
    return None, None


@private_only
async def compose(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    draft = DRAFT.load(context)
    photo, document = _attachment(message)
    text = message.text or message.caption or ""
    if photo or document:
        draft.photo, draft.document = photo, document
        DRAFT.save(context, draft)
    if not text:
        if photo or document:
            await message.reply_text(turn.tr._("Got it. Now send the text of the notice."))
        else:
            await message.reply_text(turn.tr._("Please send the text of the notice."))
        return COMPOSE
    limit = rules.MAX_CAPTION if draft.has_attachment else rules.MAX_NOTICE
    problem = text_too_long(turn, text, limit)
    if problem:
        await message.reply_text(problem)
        return COMPOSE
    draft.text = text
    DRAFT.save(context, draft)
    if draft.has_attachment:
        return await ask_audience(update, context, turn)
    await message.reply_text(
        turn.tr._("Do you want to add a photo or a document? Send it now, or tap the button."),
        reply_markup=keyboard(
            [button(turn.tr._("No attachment"), NoticeNoAttachment()), cancel_button(turn)]
        ),
    )
    return ATTACH


@private_only
async def attach(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    draft = DRAFT.load(context)
    photo, document = _attachment(message)
    if len(draft.text) > rules.MAX_CAPTION:
        await message.reply_text(
            turn.tr._(
                "With a photo or a document the text must stay under {limit} characters. "
                "Tap No attachment, or start again with a shorter text.",
                limit=rules.MAX_CAPTION,
            )
        )
        return ATTACH
    draft.photo, draft.document = photo, document
    DRAFT.save(context, draft)
    return await ask_audience(update, context, turn)


@private_only
async def no_attachment(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await ask_audience(update, context, turn)


async def attach_hint(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            turn.tr._("Please send a photo or a document, or tap No attachment.")
        )


@private_only
async def cancel_draft(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    if context.user_data is not None:
        DRAFT.clear(context)
    turn = await begin(update, context)
    await say(update, turn.tr._("Cancelled. Nothing was sent."), None)
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    private = filters.ChatType.PRIVATE
    media = (filters.PHOTO | filters.Document.ALL) & private
    return wizard(
        "notice",
        entry_points=[
            CommandHandler("notice", notice_start),
            CallbackQueryHandler(notice_start, pattern=menu_pattern("notice")),
        ],
        states={
            COMPOSE: [MessageHandler(private & ~filters.COMMAND, compose)],
            ATTACH: [
                MessageHandler(media, attach),
                CallbackQueryHandler(no_attachment, pattern=matches(NoticeNoAttachment)),
                MessageHandler(private & ~filters.COMMAND, attach_hint),
            ],
            AUDIENCE: [
                CallbackQueryHandler(pick_audience, pattern=matches(NoticeAudience)),
                CallbackQueryHandler(toggle_building, pattern=matches(NoticeBuilding)),
                CallbackQueryHandler(buildings_done, pattern=matches(NoticeBuildingsDone)),
            ],
            GROUPS: [CallbackQueryHandler(pick_groups, pattern=matches(NoticeGroups))],
            OPTIONS: [
                CallbackQueryHandler(toggle_option, pattern=matches(NoticeToggle)),
                CallbackQueryHandler(options_next, pattern=matches(NoticeNext)),
            ],
            WHEN: [CallbackQueryHandler(pick_when, pattern=matches(NoticeWhen))],
            CONFIRM: [CallbackQueryHandler(send, pattern=matches(NoticeSend))],
        },
        on_cancel=cancel_draft,
    )
