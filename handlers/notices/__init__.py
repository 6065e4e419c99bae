"""Notices (/notice, /notices, /mute, /unmute) and group chats (/bind, /unbind).

A notice goes out as one outbox batch (one row per recipient, rendered in their language),
committed with the notice itself; the "outbox" job sends it at Telegram's pace and reports to
the author. Meetings are a feature of their own (handlers.meetings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Chat, InlineKeyboardButton, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.feature import CommandSpec, Feature, MenuEntry
from bot.i18n import N_
from bot.rules import notices as rules
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts, to_ts
from bot.services.notices import audience_name, building_names, enqueue_notice, render
from bot.texts import notices as texts
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    dismiss_pattern,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
    touch_person,
    use_buttons,
)
from handlers.kit.callbacks import CallbackData, callback, matches, parse_as
from handlers.kit.menu import menu_pattern
from storage import community, outbox
from storage import notices as store

COMPOSE, ATTACH, AUDIENCE, GROUPS, OPTIONS, WHEN, CONFIRM = (
    "notice:compose",
    "notice:attach",
    "notice:audience",
    "notice:groups",
    "notice:options",
    "notice:when",
    "notice:confirm",
)
DRAFT = "notice_draft"


@callback("na")
@dataclass(frozen=True)
class NoticeAudience(CallbackData):
    choice: str  # mine / pick / all


@callback("nb")
@dataclass(frozen=True)
class NoticeBuilding(CallbackData):
    building_id: int


@callback("nd")
@dataclass(frozen=True)
class NoticeBuildingsDone(CallbackData):
    pass


@callback("ng")
@dataclass(frozen=True)
class NoticeGroups(CallbackData):
    include: bool


@callback("no")
@dataclass(frozen=True)
class NoticeToggle(CallbackData):
    option: str  # pin / urgent


@callback("nn")
@dataclass(frozen=True)
class NoticeNext(CallbackData):
    pass


@callback("nk")
@dataclass(frozen=True)
class NoticeNoAttachment(CallbackData):
    pass


@callback("nw")
@dataclass(frozen=True)
class NoticeWhen(CallbackData):
    when: rules.When


@callback("ns")
@dataclass(frozen=True)
class NoticeSend(CallbackData):
    pass


@callback("nx")
@dataclass(frozen=True)
class NoticeCancel(CallbackData):
    notice_id: int


@callback("gb")
@dataclass(frozen=True)
class GroupBind(CallbackData):
    kind: str  # building / community / staff
    building_id: int


# ---------------------------------------------------------------------------- the /notice flow


def _draft(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    draft = data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = data[DRAFT] = {}
    return draft


def cancel_button(turn: Turn) -> InlineKeyboardButton:
    return button(turn.tr._("Cancel"), Dismiss("notice"))


def may_send_some(turn: Turn) -> bool:
    return rules.may_address_everyone(turn.principal) or bool(rules.own_buildings(turn.principal))


@private_only
async def notice_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not may_send_some(turn):
        await reply(
            update,
            turn.tr._(
                "Only building leaders, property staff, managers and the committee can send "
                "notices."
            ),
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    context.user_data[DRAFT] = {}  # type: ignore[index]
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
    draft = _draft(context)
    photo, document = _attachment(message)
    text = message.text or message.caption or ""
    if photo or document:
        draft["photo"], draft["document"] = photo, document
    if not text:
        if photo or document:
            await message.reply_text(turn.tr._("Got it. Now send the text of the notice."))
        else:
            await message.reply_text(turn.tr._("Please send the text of the notice."))
        return COMPOSE
    limit = rules.MAX_CAPTION if draft.get("photo") or draft.get("document") else rules.MAX_NOTICE
    problem = text_too_long(turn, text, limit)
    if problem:
        await message.reply_text(problem)
        return COMPOSE
    draft["text"] = text
    if draft.get("photo") or draft.get("document"):
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
    draft = _draft(context)
    photo, document = _attachment(message)
    if len(str(draft.get("text", ""))) > rules.MAX_CAPTION:
        await message.reply_text(
            turn.tr._(
                "With a photo or a document the text must stay under {limit} characters. "
                "Tap No attachment, or start again with a shorter text.",
                limit=rules.MAX_CAPTION,
            )
        )
        return ATTACH
    draft["photo"], draft["document"] = photo, document
    return await ask_audience(update, context, turn)


@private_only
async def no_attachment(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await ask_audience(update, context, turn)


async def ask_audience(update: Update, context: Context, turn: Turn) -> str:
    own = sorted(rules.own_buildings(turn.principal))
    async with context.services.db.read() as conn:
        names = await building_names(conn)
    buttons = []
    if own:
        buttons.append(
            button(
                turn.tr._("My buildings ({names})", names=audience_name(turn.tr, names, own)),
                NoticeAudience("mine"),
            )
        )
    buttons.append(button(turn.tr._("Choose buildings"), NoticeAudience("pick")))
    if rules.may_address_everyone(turn.principal):
        buttons.append(button(turn.tr._("Everyone in the community"), NoticeAudience("all")))
    await _say(
        update, turn.tr._("Who should get it?"), keyboard(buttons, footer=[cancel_button(turn)])
    )
    return AUDIENCE


async def _say(update: Update, text: str, markup: Any) -> None:
    """Edit the pressed message, or answer the message the user sent."""
    if update.callback_query is not None:
        await reply(update, text, markup)
    else:
        message = update.effective_message
        assert message is not None
        await message.reply_text(text, reply_markup=markup)


@private_only
async def pick_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, NoticeAudience)
    draft = _draft(context)
    if data.choice == "mine":
        own = sorted(rules.own_buildings(turn.principal))
        if not own:
            await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
            return AUDIENCE
        await answer(query)
        draft["buildings"] = own
        return await ask_groups(update, context, turn)
    if data.choice == "all":
        if not rules.may_address_everyone(turn.principal):
            await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
            return AUDIENCE
        await answer(query)
        draft["buildings"] = None
        return await ask_groups(update, context, turn)
    await answer(query)
    draft["pick"] = []
    return await show_building_picker(update, context, turn)


async def show_building_picker(update: Update, context: Context, turn: Turn) -> str:
    picked = set(_draft(context).get("pick") or [])
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    everyone = rules.may_address_everyone(turn.principal)
    own = rules.own_buildings(turn.principal)
    shown = [b for b in buildings if everyone or b.id in own]
    buttons = [
        button(("✅ " if b.id in picked else "") + b.name, NoticeBuilding(b.id)) for b in shown
    ]
    await reply(
        update,
        turn.tr._("Tap the buildings that should get it, then Done."),
        keyboard(
            buttons,
            per_row=3,
            footer=[button(turn.tr._("Done"), NoticeBuildingsDone()), cancel_button(turn)],
        ),
    )
    return AUDIENCE


@private_only
async def toggle_building(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, NoticeBuilding)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id)
    if found is None:
        await stale(query, turn)
        return AUDIENCE
    if not can(turn.principal, Action.SEND_NOTICE, found.id):
        await answer(
            query,
            turn.tr._("You can only send notices to the buildings you lead."),
            alert=True,
        )
        return AUDIENCE
    await answer(query)
    draft = _draft(context)
    picked = set(draft.get("pick") or [])
    picked ^= {found.id}
    draft["pick"] = sorted(picked)
    return await show_building_picker(update, context, turn)


@private_only
async def buildings_done(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = _draft(context)
    picked = [int(b) for b in draft.get("pick") or []]
    if not picked:
        await answer(query, turn.tr._("Please choose at least one building."), alert=True)
        return AUDIENCE
    if not rules.may_address(turn.principal, picked):
        await answer(
            query, turn.tr._("You can only send notices to the buildings you lead."), alert=True
        )
        return AUDIENCE
    await answer(query)
    draft["buildings"] = picked
    return await ask_groups(update, context, turn)


def _audience(draft: dict[str, Any]) -> list[int] | None:
    value = draft.get("buildings")
    return None if value is None else [int(b) for b in value]


async def ask_groups(update: Update, context: Context, turn: Turn) -> str:
    draft = _draft(context)
    async with context.services.db.read() as conn:
        groups = await store.groups_for(conn, _audience(draft))
    if not groups:
        draft["groups"] = False
        return await ask_options(update, context, turn)
    await reply(
        update,
        turn.tr._("Also post it in the group chats of these buildings?"),
        keyboard(
            [
                button(turn.tr._("Residents only"), NoticeGroups(False)),
                button(
                    turn.tr.n_(
                        "Residents and {n} group chat",
                        "Residents and {n} group chats",
                        len(groups),
                    ),
                    NoticeGroups(True),
                ),
            ],
            footer=[cancel_button(turn)],
        ),
    )
    return GROUPS


@private_only
async def pick_groups(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = parse_as(query.data, NoticeGroups)
    await answer(query)
    turn = await begin(update, context)
    _draft(context)["groups"] = data.include
    return await ask_options(update, context, turn)


async def ask_options(update: Update, context: Context, turn: Turn) -> str:
    draft = _draft(context)
    can_pin = bool(draft.get("groups"))
    can_urgent = rules.may_mark_urgent(turn.principal)
    if not can_pin and not can_urgent:
        return await ask_when(update, context, turn)
    yes, no = turn.tr._("yes"), turn.tr._("no")
    buttons = []
    if can_pin:
        label = turn.tr._(
            "Pin in the group chats: {answer}", answer=yes if draft.get("pin") else no
        )
        buttons.append(button(label, NoticeToggle("pin")))
    if can_urgent:
        label = turn.tr._(
            "Urgent (also reaches those who muted notices): {answer}",
            answer=yes if draft.get("urgent") else no,
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
    draft = _draft(context)
    allowed = (data.option == "pin" and bool(draft.get("groups"))) or (
        data.option == "urgent" and rules.may_mark_urgent(turn.principal)
    )
    if not allowed:
        await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
        return OPTIONS
    await answer(query)
    draft[data.option] = not draft.get(data.option)
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
    draft = _draft(context)
    moment = rules.send_time(data.when, turn.now, context.services.i18n.tz)
    draft["send_at"] = to_ts(moment)
    draft["later"] = data.when is not rules.When.NOW
    return await preview(update, context, turn)


async def preview(update: Update, context: Context, turn: Turn) -> str:
    draft = _draft(context)
    tr = turn.tr
    buildings = _audience(draft)
    urgent = bool(draft.get("urgent"))
    async with context.services.db.read() as conn:
        names = await building_names(conn)
        people = await store.recipients(conn, buildings, urgent=urgent)
        groups = await store.groups_for(conn, buildings) if draft.get("groups") else []
    body = render(tr, str(draft.get("text", "")), urgent=urgent)
    chat = update.effective_chat
    assert chat is not None
    if draft.get("photo"):
        await chat.send_photo(str(draft["photo"]), caption=body[:1024])
    elif draft.get("document"):
        await chat.send_document(str(draft["document"]), caption=body[:1024])
    lines = [tr._("Preview:")]
    if not (draft.get("photo") or draft.get("document")):
        lines += ["", body, ""]
    lines.append(tr._("To: {audience}", audience=audience_name(tr, names, buildings)))
    lines.append(tr.n_("{n} resident", "{n} residents", len(people)))
    if groups:
        lines.append(tr.n_("{n} group chat", "{n} group chats", len(groups)))
        if draft.get("pin"):
            lines.append(tr._("Pinned in the group chats"))
    if urgent:
        lines.append(tr._("Urgent: also reaches those who muted notices"))
    if draft.get("later"):
        lines.append(tr._("Goes out at {when}", when=tr.when(from_ts(int(draft["send_at"])))))
    else:
        lines.append(tr._("Goes out now"))
    markup = keyboard([button(tr._("Send"), NoticeSend()), cancel_button(turn)], per_row=2)
    if draft.get("photo") or draft.get("document"):
        await chat.send_message("\n".join(lines), reply_markup=markup)
    else:
        await reply(update, "\n".join(lines), markup)
    return CONFIRM


@private_only
async def send(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = _draft(context)
    buildings = _audience(draft)
    text = str(draft.get("text", ""))
    urgent = bool(draft.get("urgent"))
    if not text or "send_at" not in draft:
        await stale(query, turn)
        return ConversationHandler.END
    if not rules.may_address(turn.principal, buildings) or (
        urgent and not rules.may_mark_urgent(turn.principal)
    ):
        await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
        return ConversationHandler.END
    await answer(query)
    services = context.services
    send_at = max(int(draft["send_at"]), turn.ts)
    async with services.db.transaction() as conn:
        notice_id = await store.create_notice(
            conn,
            author_id=turn.user.id,
            text=text,
            photo=draft.get("photo"),
            document=draft.get("document"),
            buildings=buildings,
            include_groups=bool(draft.get("groups")),
            pin=bool(draft.get("pin")),
            urgent=urgent,
            send_at=send_at,
            now=turn.ts,
        )
        _, people, groups = await enqueue_notice(services.i18n, conn, notice_id, turn.ts)
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = turn.tr
    counts = tr.n_("{n} resident", "{n} residents", people)
    if groups:
        counts += ", " + tr.n_("{n} group chat", "{n} group chats", groups)
    if send_at > turn.ts:
        text = tr._(
            "Notice #{number} is scheduled for {when} ({counts}). You can cancel it with "
            "/notices until then.",
            number=notice_id,
            when=tr.when(from_ts(send_at)),
            counts=counts,
        )
    else:
        text = tr._(
            "Notice #{number} is on its way ({counts}). You will get a delivery report when "
            "it is done.",
            number=notice_id,
            counts=counts,
        )
    await reply(update, text)
    return ConversationHandler.END


@private_only
async def cancel_draft(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    turn = await begin(update, context)
    await _say(update, turn.tr._("Cancelled. Nothing was sent."), None)
    return ConversationHandler.END


async def attach_hint(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            turn.tr._("Please send a photo or a document, or tap No attachment.")
        )


# ---------------------------------------------------------------------------- /notices


@private_only
async def list_notices(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    if not may_send_some(turn):
        await reply(update, tr._("Sorry, you do not have the right to do this."))
        return
    everyone = can(turn.principal, Action.MANAGE)
    async with context.services.db.read() as conn:
        found = await store.recent(conn, None if everyone else turn.user.id)
        counted = [
            (n, await outbox.counts(conn, n.batch_id) if n.batch_id else outbox.BatchCounts())
            for n in found
        ]
    if not found:
        await reply(update, tr._("No notices yet. Send one with /notice."))
        return
    lines = [tr._("Recent notices:")]
    buttons = []
    for item, counts in counted:
        first = item.text.strip().splitlines()[0][:40] if item.text.strip() else ""
        if item.state == "cancelled":
            status = tr._("cancelled")
        elif item.send_at > turn.ts:
            status = tr._("scheduled for {when}", when=tr.when(from_ts(item.send_at)))
            buttons.append(
                button(tr._("Cancel notice #{number}", number=item.id), NoticeCancel(item.id))
            )
        else:
            status = tr._(
                "delivered {sent}, blocked {blocked}, failed {failed}, waiting {pending}",
                sent=counts.sent,
                blocked=counts.blocked,
                failed=counts.failed,
                pending=counts.pending,
            )
        lines.append(f"#{item.id} {tr.when(from_ts(item.send_at), 'short')} «{first}» — {status}")
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)


@private_only
async def cancel_notice(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, NoticeCancel)
    tr = turn.tr
    async with context.services.db.transaction() as conn:
        found = await store.notice(conn, data.notice_id)
        if found is None:
            await answer(query, tr._("This button is no longer valid."), alert=True)
            return
        if found.author_id != turn.user.id and not can(turn.principal, Action.MANAGE):
            await answer(query, tr._("Sorry, you do not have the right to do this."), True)
            return
        if found.state != "queued" or found.send_at <= turn.ts:
            await answer(
                query, tr._("This notice has already gone out; it cannot be cancelled."), True
            )
            return
        await store.mark_cancelled(conn, found.id)
        if found.batch_id is not None:
            await outbox.cancel_batch(conn, found.batch_id)
    await answer(query)
    await reply(update, tr._("Notice #{number} is cancelled. Nobody got it.", number=found.id))


# ---------------------------------------------------------------------------- mute


@private_only
async def mute(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        await store.mute(conn, turn.user.id, turn.ts)
    await reply(
        update,
        turn.tr._(
            "You will not get ordinary notices any more. Urgent notices still reach you. "
            "Send /unmute to get all notices again."
        ),
    )


@private_only
async def unmute(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    async with context.services.db.transaction() as conn:
        await store.unmute(conn, turn.user.id)
    await reply(update, turn.tr._("You will get all notices again."))


# ---------------------------------------------------------------------------- group chats


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
    buttons = [button(b.name, GroupBind("building", b.id)) for b in buildings]
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
        await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
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
            building=found.name,
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


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    media = (filters.PHOTO | filters.Document.ALL) & private
    conversation = ConversationHandler(
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
        fallbacks=[
            CallbackQueryHandler(cancel_draft, pattern=dismiss_pattern("notice")),
            CommandHandler("cancel", cancel_draft),
            MessageHandler(private & ~filters.COMMAND, use_buttons),
        ],
        name="notice",
        persistent=True,
        allow_reentry=True,
    )
    return [
        conversation,
        CommandHandler("notices", list_notices),
        CallbackQueryHandler(list_notices, pattern=menu_pattern("notices")),
        CallbackQueryHandler(cancel_notice, pattern=matches(NoticeCancel)),
        CommandHandler("mute", mute),
        CommandHandler("unmute", unmute),
        CommandHandler("bind", bind),
        CommandHandler("unbind", unbind),
        CallbackQueryHandler(bind_pick, pattern=matches(GroupBind)),
        CallbackQueryHandler(bind_dismiss, pattern=dismiss_pattern("bind")),
    ]


def _sends_notices(p: Any) -> bool:
    return rules.may_address_everyone(p) or bool(rules.own_buildings(p))


NOTICE_ROLES = (Role.LEADER, Role.GRID, Role.STAFF, Role.MANAGER, Role.COMMITTEE)

FEATURE = Feature(
    name="notices",
    handlers=_handlers,
    menu=(
        MenuEntry("notice", N_("Send a notice"), 40, visible=_sends_notices),
        MenuEntry("notices", N_("My notices"), 41, visible=_sends_notices),
    ),
    commands=(
        CommandSpec("notice", N_("Send a notice to residents"), roles=NOTICE_ROLES),
        CommandSpec("notices", N_("Recent notices and their delivery"), roles=NOTICE_ROLES),
        CommandSpec("mute", N_("Stop ordinary notices (urgent ones still come)")),
        CommandSpec("unmute", N_("Get all notices again")),
        CommandSpec(
            "bind",
            N_("In a group: connect it to a building"),
            private=False,
            roles=(Role.ADMIN, Role.MANAGER),
        ),
        CommandSpec(
            "unbind",
            N_("In a group: disconnect it"),
            private=False,
            roles=(Role.ADMIN, Role.MANAGER),
        ),
    ),
)
