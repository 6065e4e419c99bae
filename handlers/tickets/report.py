"""/report: the wizard from the start (a command, the menu, or a photo or voice note alone) to
the filed ticket, with the daily limit; the steps are in ``where``, ``duplicates`` and
``describe``, their prompts in ``prompts``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.context import Context
from bot.rules.clock import from_ts
from bot.rules.tickets import Kind, daily_limit
from bot.services import assignment, incidents
from bot.services import tickets as service
from handlers.kit import (
    Turn,
    answer,
    begin,
    private_only,
    reply,
    stale,
    text_too_long,
    touch_person,
)
from handlers.kit.callbacks import matches, parse_as
from handlers.kit.menu import main_menu, menu_pattern
from handlers.kit.wizard import wizard
from handlers.tickets import describe, duplicates, where
from handlers.tickets.callbacks import (
    ComplainUnnamed,
    EditStep,
    FollowInstead,
    FollowOutage,
    Nav,
    PickBuilding,
    PickCategory,
    PickHome,
    PickKind,
    PickPublic,
    RepairAt,
    ReportNav,
)
from handlers.tickets.draft import (
    BUILDING,
    CATEGORY,
    CONFIRM,
    DESCRIBE,
    DRAFT,
    DUPLICATE,
    KIND,
    PHOTOS,
    PLACE,
    WHERE,
    ReportDraft,
)
from handlers.tickets.keyboards import LINKS
from handlers.tickets.prompts import ask, back_to, hint_for
from storage import community
from storage import tickets as store

#: The report conversation once built (``_delegated`` hands media on to the ones after it).
_conversation: ConversationHandler[Any] | None = None


async def _limit_reached(turn: Turn) -> str | None:
    async with turn.services.db.read() as conn:
        info = await community.get_community(conn)
        limit = daily_limit(info.settings if info else {})
        since = turn.ts - int(timedelta(days=1).total_seconds())
        count = await store.count_reported_since(conn, turn.user.id, since)
    if count >= limit:
        return turn.tr.n_(
            "You have reported {n} problem in the last 24 hours, which is the daily limit. "
            "Please try again tomorrow, or call the property office if it is urgent.",
            "You have reported {n} problems in the last 24 hours, which is the daily limit. "
            "Please try again tomorrow, or call the property office if it is urgent.",
            count,
        )
    return None


@private_only
async def report_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    async with turn.services.db.transaction() as conn:
        await touch_person(turn, conn)
        ready = await community.get_community(conn) is not None
    if not ready:
        await reply(update, turn.tr._("The community has not been set up yet. Please try later."))
        return ConversationHandler.END
    limited = await _limit_reached(turn)
    if limited:
        await reply(update, limited)
        return ConversationHandler.END
    DRAFT.save(context, ReportDraft())
    return await ask(update, context, turn, KIND)


async def _delegated(update: Update, context: Context) -> bool:
    """A photo or voice note is also how other flows (e.g. a notice with a photo) take input:
    if a conversation after ours is waiting for this user's message, hand it over."""
    app = context.application
    seen_mine = False
    for handler in app.handlers.get(0, []):
        if handler is _conversation:
            seen_mine = True
            continue
        if seen_mine and isinstance(handler, ConversationHandler):
            check = handler.check_update(update)
            if check is not None and check is not False:
                await handler.handle_update(update, app, check, context)
                return True
    return False


@private_only
async def media_start(update: Update, context: Context) -> str | int | None:
    """A photo or a voice note alone starts a report; the bot asks for the rest."""
    if await _delegated(update, context):
        return None
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    async with turn.services.db.transaction() as conn:
        await touch_person(turn, conn)
    limited = await _limit_reached(turn)
    if limited:
        await message.reply_text(limited)
        return ConversationHandler.END
    draft = ReportDraft()
    if message.voice is not None:
        draft.voice = message.voice.file_id
        note = turn.tr._("Thank you, I have your voice note. A few taps to file it:")
    else:
        assert message.photo
        draft.photos = [message.photo[-1].file_id]
        caption = (message.caption or "").strip()
        if caption and not text_too_long(turn, caption):
            draft.description = caption
        note = turn.tr._("Thank you, I have your photo. A few taps to file it:")
    DRAFT.save(context, draft)
    return await ask(update, context, turn, KIND, note)


@private_only
async def confirm(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    services = context.services
    if not draft.located:
        await stale(query, turn)
        DRAFT.clear(context)
        return ConversationHandler.END
    assert draft.kind is not None and draft.category is not None
    assert draft.building_id is not None
    limited = await _limit_reached(turn)
    if limited:
        await answer(query)
        await reply(update, limited)
        DRAFT.clear(context)
        return ConversationHandler.END
    async with services.db.transaction() as conn:
        cat = await service.category_of(conn, draft.category)
        unit_id = draft.unit_id
        home_ok = unit_id is None or any(r.unit_id == unit_id for r in turn.principal.verified)
        if cat is None or not home_ok:
            await stale(query, turn)
            DRAFT.clear(context)
            return ConversationHandler.END
        ticket_id = await store.create(
            conn,
            kind=Kind(draft.kind),
            category=cat.code,
            priority=cat.priority,
            building_id=int(draft.building_id),
            unit_id=unit_id,
            floor=draft.floor,
            place=draft.place,
            description=draft.description,
            voice_file_id=draft.voice,
            photos=list(draft.photos),
            anonymous=draft.anonymous and draft.kind == Kind.COMPLAINT.value,
            reporter_id=turn.user.id,
            now=turn.ts,
        )
        await incidents.absorb(conn, ticket_id, turn.ts)
        ticket = await service.reschedule(conn, ticket_id)
        ticket, outgoing = await assignment.auto_assign(conn, services.i18n, LINKS, ticket, turn.ts)
        outgoing += await service.new_ticket_cards(conn, services.i18n, LINKS, ticket)
        await service.queue(conn, outgoing, turn.ts)  # the staff cards are rows with the ticket
    services.deliver_now()
    await answer(query)
    DRAFT.clear(context)
    text = turn.tr._("Thank you! Your report is ticket #{number}.", number=ticket.id)
    if ticket.response_due_at is not None:
        text += "\n" + turn.tr._(
            "The property staff will respond by {when}.",
            when=turn.tr.when(from_ts(ticket.response_due_at)),
        )
    text += "\n" + turn.tr._("I will tell you about every change. See it with /mytickets.")
    await reply(update, text)
    return ConversationHandler.END


@private_only
async def cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    DRAFT.clear(context)
    turn = await begin(update, context)
    await main_menu(update, context, turn, turn.tr._("Cancelled. Nothing was reported."))
    return ConversationHandler.END


def _step(step: Nav) -> Any:
    check = matches(ReportNav)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, ReportNav).step == step

    return pattern


def conversation() -> ConversationHandler[Any]:
    """The "report" wizard; starting again mid-flow is a fallback (not a re-entry), so that a
    photo or voice note inside the flow is the step's input, not a new start."""
    global _conversation
    private = f.ChatType.PRIVATE
    text = private & f.TEXT & ~f.COMMAND
    other = private & ~f.COMMAND
    back = _step(Nav.BACK)
    _conversation = wizard(
        "report",
        entry_points=[
            CommandHandler("report", report_start),
            CallbackQueryHandler(report_start, pattern=menu_pattern("report")),
            MessageHandler(private & (f.PHOTO | f.VOICE), media_start),
        ],
        states={
            KIND: [
                CallbackQueryHandler(where.pick_kind, pattern=matches(PickKind)),
                CallbackQueryHandler(where.repair_at, pattern=matches(RepairAt)),
                CallbackQueryHandler(where.complain_unnamed, pattern=matches(ComplainUnnamed)),
                MessageHandler(other, hint_for(KIND)),
            ],
            CATEGORY: [
                CallbackQueryHandler(where.pick_category, pattern=matches(PickCategory)),
                CallbackQueryHandler(back_to(KIND), pattern=back),
                MessageHandler(other, hint_for(CATEGORY)),
            ],
            WHERE: [
                CallbackQueryHandler(where.pick_home, pattern=matches(PickHome)),
                CallbackQueryHandler(where.pick_public, pattern=matches(PickPublic)),
                CallbackQueryHandler(back_to(CATEGORY), pattern=back),
                MessageHandler(other, hint_for(WHERE)),
            ],
            BUILDING: [
                CallbackQueryHandler(where.pick_building, pattern=matches(PickBuilding)),
                CallbackQueryHandler(back_to(WHERE), pattern=back),
                MessageHandler(other, hint_for(BUILDING)),
            ],
            PLACE: [
                MessageHandler(text, where.place_text),
                MessageHandler(private & f.VOICE, where.place_voice),
                CallbackQueryHandler(back_to(BUILDING), pattern=back),
                MessageHandler(other, hint_for(PLACE)),
            ],
            DUPLICATE: [
                CallbackQueryHandler(duplicates.follow_instead, pattern=matches(FollowInstead)),
                CallbackQueryHandler(duplicates.follow_outage, pattern=matches(FollowOutage)),
                CallbackQueryHandler(duplicates.report_anyway, pattern=_step(Nav.ANYWAY)),
                CallbackQueryHandler(back_to(WHERE), pattern=back),
                MessageHandler(other, hint_for(DUPLICATE)),
            ],
            DESCRIBE: [
                MessageHandler(text, describe.describe_text),
                MessageHandler(private & f.VOICE, describe.describe_voice),
                MessageHandler(private & f.PHOTO, describe.describe_photo),
                CallbackQueryHandler(back_to(WHERE), pattern=back),
                MessageHandler(other, hint_for(DESCRIBE)),
            ],
            PHOTOS: [
                MessageHandler(private & f.PHOTO, describe.add_photo),
                CallbackQueryHandler(describe.photos_done, pattern=_step(Nav.NEXT)),
                CallbackQueryHandler(back_to(DESCRIBE), pattern=back),
                MessageHandler(other, hint_for(PHOTOS)),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=_step(Nav.CONFIRM)),
                MessageHandler(private & f.PHOTO, describe.add_photo),
                CallbackQueryHandler(describe.edit_menu, pattern=_step(Nav.EDIT)),
                CallbackQueryHandler(describe.edit_step, pattern=matches(EditStep)),
                CallbackQueryHandler(describe.toggle_anonymous, pattern=_step(Nav.ANONYMOUS)),
                CallbackQueryHandler(back_to(DESCRIBE), pattern=back),
                MessageHandler(other, hint_for(CONFIRM)),
            ],
        },
        on_cancel=cancel,
        fallbacks=[
            CommandHandler("report", report_start),
            CallbackQueryHandler(report_start, pattern=menu_pattern("report")),
        ],
        hint=None,
        allow_reentry=False,
    )
    return _conversation
