"""/notices: for those who send notices, recent notices with their delivery counts, and
cancelling one still scheduled; for everyone else, the latest notices they got
(``handlers.notices.board``)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from handlers.kit import (
    Refusal,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
    stale,
)
from handlers.notices.board import read_notices
from handlers.notices.callbacks import NoticeCancel
from handlers.notices.draft import may_send_some
from storage import notices as store
from storage import outbox


@private_only
async def list_notices(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    if not may_send_some(turn):
        await read_notices(update, context, turn)
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
        lines.append(f"#{item.id} {tr.when(from_ts(item.send_at))} «{first}» — {status}")
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)


@private_only
async def cancel_notice(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, NoticeCancel)
    tr = turn.tr
    async with context.services.db.transaction() as conn:
        found = await store.notice(conn, data.notice_id)
        if found is None:
            await stale(query, turn)
            return
        if found.author_id != turn.user.id and not can(turn.principal, Action.MANAGE):
            await answer(query, refusal_text(tr, Refusal.NO_RIGHT), True)
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
