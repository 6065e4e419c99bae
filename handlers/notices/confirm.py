"""The /notice wizard's last step: the preview with its audience and counts, and sending (one
outbox batch, committed with the notice)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.rules import notices as rules
from bot.rules.clock import from_ts
from bot.services.notices import audience_name, building_names, enqueue_notice, render
from handlers.kit import (
    Refusal,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    private_only,
    refusal_text,
    reply,
    stale,
)
from handlers.notices.callbacks import NoticeSend
from handlers.notices.draft import CONFIRM, DRAFT, cancel_button
from storage import notices as store


async def preview(update: Update, context: Context, turn: Turn) -> str:
    draft = DRAFT.load(context)
    tr = turn.tr
    buildings = draft.audience()
    urgent = draft.urgent
    async with context.services.db.read() as conn:
        names = await building_names(conn, tr)
        people = await store.recipients(conn, buildings, urgent=urgent)
        groups = await store.groups_for(conn, buildings) if draft.groups else []
    body = render(tr, draft.text, urgent=urgent)
    chat = update.effective_chat
    assert chat is not None
    if draft.photo:
        await chat.send_photo(draft.photo, caption=body[:1024])
    elif draft.document:
        await chat.send_document(draft.document, caption=body[:1024])
    lines = [tr._("Preview:")]
    if not draft.has_attachment:
        lines += ["", body, ""]
    lines.append(tr._("To: {audience}", audience=audience_name(tr, names, buildings)))
    lines.append(tr.n_("{n} resident", "{n} residents", len(people)))
    if groups:
        lines.append(tr.n_("{n} group chat", "{n} group chats", len(groups)))
        if draft.pin:
            lines.append(tr._("Pinned in the group chats"))
    if urgent:
        lines.append(tr._("Urgent: also reaches those who muted notices"))
    if draft.later:
        assert draft.send_at is not None  # chosen together with "later"
        lines.append(tr._("Goes out at {when}", when=tr.when(from_ts(int(draft.send_at)))))
    else:
        lines.append(tr._("Goes out now"))
    markup = keyboard([button(tr._("Send"), NoticeSend()), cancel_button(turn)], per_row=2)
    if draft.has_attachment:
        await chat.send_message("\n".join(lines), reply_markup=markup)
    else:
        await reply(update, "\n".join(lines), markup)
    return CONFIRM


@private_only
async def send(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    buildings = draft.audience()
    text = draft.text
    urgent = draft.urgent
    if not text or draft.send_at is None:
        await stale(query, turn)
        return ConversationHandler.END
    if not rules.may_address(turn.principal, buildings) or (
        urgent and not rules.may_mark_urgent(turn.principal)
    ):
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
        return ConversationHandler.END
    await answer(query)
    services = context.services
    send_at = max(int(draft.send_at), turn.ts)
    async with services.db.transaction() as conn:
        notice_id = await store.create_notice(
            conn,
            author_id=turn.user.id,
            text=text,
            photo=draft.photo,
            document=draft.document,
            buildings=buildings,
            include_groups=draft.groups,
            pin=draft.pin,
            urgent=urgent,
            send_at=send_at,
            now=turn.ts,
        )
        _, people, groups = await enqueue_notice(services.i18n, conn, notice_id, turn.ts)
    DRAFT.clear(context)
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
