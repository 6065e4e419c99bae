"""Review by a committee member or the manager ("votes-review"): approve (voting opens now or
at the chosen time), or send back or reject with a comment for the author."""

from __future__ import annotations

from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ConversationHandler

from bot.context import Context, Services
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services import votes as service
from handlers.kit import (
    Dismiss,
    Refusal,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    push,
    refusal_text,
    reply,
    text_too_long,
    translator_for,
)
from handlers.kit.callbacks import matches
from handlers.kit.wizard import cancelled, wizard
from handlers.votes.callbacks import Review, Revise, Verdict
from handlers.votes.keyboards import links
from handlers.votes.propose import text_step
from storage import people
from storage import votes as store
from storage.votes import Proposal

COMMENT = "review:comment"
REVIEW_KEY = "vote_review"  # user_data: [proposal id, verdict] while the comment is awaited


def _user_data(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    return data


async def review_press(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, Review)
    if not can(turn.principal, Action.APPROVE_PROPOSAL):
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), alert=True)
        return ConversationHandler.END
    if data.verdict is Verdict.APPROVE:
        await approve(update, context, turn, data.proposal_id)
        return ConversationHandler.END
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
    if proposal is None or proposal.state != "draft":
        await answer(query, turn.tr._("This proposal was already reviewed."), alert=True)
        return ConversationHandler.END
    await answer(query)
    _user_data(context)[REVIEW_KEY] = [data.proposal_id, data.verdict.value]
    if data.verdict is Verdict.RETURN:
        text = turn.tr._(
            "Send back proposal #{id}: what should the author change? Send your comment.",
            id=data.proposal_id,
        )
    else:
        text = turn.tr._(
            "Reject proposal #{id}: please send the reason for the author.", id=data.proposal_id
        )
    await context.bot.send_message(
        turn.chat.id, text, reply_markup=keyboard([button(turn.tr._("Cancel"), Dismiss("review"))])
    )
    return COMMENT


async def approve(update: Update, context: Context, turn: Turn, proposal_id: int) -> None:
    """Approve: the voting window is fixed (``bot.rules.votes.voting_window``). If it opens now,
    the announcement is queued in the same transaction; otherwise the "open" due row makes the
    votes-due sweep open it at its time."""
    query = update.callback_query
    services = context.services
    proposal: Proposal | None = None
    async with services.db.transaction() as conn:
        draft = await store.get(conn, proposal_id)
        if draft is not None and draft.author_id == turn.user.id:
            others = await service.reviewers(conn, besides=turn.user.id)
            await answer(query, _not_your_own(turn, has_others=bool(others)), alert=True)
            return
        if await store.approve(conn, proposal_id, by=turn.user.id, now=turn.ts, tz=turn.tr.tz):
            await people.audit(conn, turn.user.id, "proposal_approved", str(proposal_id), turn.ts)
            proposal = await store.get(conn, proposal_id)
            assert proposal is not None and proposal.opens_at is not None
            if proposal.opens_at <= turn.ts:
                await service.open_proposal(
                    conn, services.i18n, proposal, turn.ts, turn.user.id, links(context)
                )
                await store.mark_due_sent(conn, proposal_id, "open", turn.ts)
                proposal = await store.get(conn, proposal_id)
                assert proposal is not None
            author_note = await _author_note(conn, services, proposal, Verdict.APPROVE)
            if author_note is not None:
                await push(conn, *author_note, now=turn.ts, kind="proposal", ref=str(proposal_id))
    services.deliver_now()
    if proposal is None:
        await answer(query, turn.tr._("This proposal was already reviewed."), alert=True)
        return
    await answer(query)
    tr = turn.tr
    assert proposal.opens_at is not None and proposal.closes_at is not None
    closes = tr._("Voting closes: {when}", when=tr.when(from_ts(proposal.closes_at)))
    if proposal.opens_at <= turn.ts:
        text = tr._(
            "Approved: proposal #{id} is open. Eligible voters are being told now.", id=proposal_id
        )
    else:
        text = tr._(
            "Approved: proposal #{id} opens {when}. Eligible voters will be told then.",
            id=proposal_id,
            when=tr.when(from_ts(proposal.opens_at)),
        )
    await reply(update, f"{text}\n{closes}")


def _not_your_own(turn: Turn, *, has_others: bool) -> str:
    """Why the author's own Approve is refused, and who can approve it instead."""
    if has_others:
        return turn.tr._(
            "You cannot approve your own proposal. Another committee member or the property "
            "manager will review it."
        )
    return turn.tr._(
        "You cannot approve your own proposal, and there is no other committee member or "
        "property manager yet. An administrator can give one of them that role."
    )


async def _author_note(
    conn: aiosqlite.Connection, services: Services, proposal: Proposal, verdict: Verdict
) -> tuple[int, str, InlineKeyboardMarkup | None] | None:
    if proposal.author_id is None:
        return None
    atr = await translator_for(services, conn, proposal.author_id)
    if verdict is Verdict.APPROVE and proposal.state == "approved":
        assert proposal.opens_at is not None and proposal.closes_at is not None
        text = atr._(
            'Your proposal #{id} "{title}" was approved; voting opens {opens} and closes {closes}.',
            id=proposal.id,
            title=proposal.title,
            opens=atr.when(from_ts(proposal.opens_at)),
            closes=atr.when(from_ts(proposal.closes_at)),
        )
    elif verdict is Verdict.APPROVE:
        assert proposal.closes_at is not None
        text = atr._(
            'Your proposal #{id} "{title}" was approved; voting is open until {when}.',
            id=proposal.id,
            title=proposal.title,
            when=atr.when(from_ts(proposal.closes_at)),
        )
    elif verdict is Verdict.RETURN:
        text = atr._(
            'Your proposal #{id} "{title}" was sent back with this comment:\n{comment}\n'
            "Tap below to edit it and send it again.",
            id=proposal.id,
            title=proposal.title,
            comment=proposal.comment,
        )
    else:
        text = atr._(
            'Your proposal #{id} "{title}" was not accepted for voting. Reason:\n{comment}',
            id=proposal.id,
            title=proposal.title,
            comment=proposal.comment,
        )
    markup = None
    if verdict is Verdict.RETURN:
        markup = keyboard([button(atr._("Edit and send again"), Revise(proposal.id))])
    return proposal.author_id, text, markup


async def got_comment(update: Update, context: Context) -> int | str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    pending = _user_data(context).get(REVIEW_KEY)
    if not isinstance(pending, list) or len(pending) != 2:
        return ConversationHandler.END
    proposal_id, verdict = int(pending[0]), Verdict(pending[1])
    comment = message.text.strip()
    problem = text_too_long(turn, comment)
    if problem or not comment:
        await message.reply_text(problem or turn.tr._("Please send the comment as text."))
        return COMMENT
    if not can(turn.principal, Action.APPROVE_PROPOSAL):
        _user_data(context).pop(REVIEW_KEY, None)
        await message.reply_text(refusal_text(turn.tr, Refusal.NO_RIGHT))
        return ConversationHandler.END
    state = "returned" if verdict is Verdict.RETURN else "rejected"
    services = context.services
    note = None
    async with services.db.transaction() as conn:
        done = await store.decide(
            conn, proposal_id, state, by=turn.user.id, comment=comment, now=turn.ts
        )
        if done:
            await people.audit(conn, turn.user.id, f"proposal_{state}", str(proposal_id), turn.ts)
            proposal = await store.get(conn, proposal_id)
            assert proposal is not None
            note = await _author_note(conn, services, proposal, verdict)
            if note is not None:
                await push(conn, *note, now=turn.ts, kind="proposal", ref=str(proposal_id))
    services.deliver_now()
    _user_data(context).pop(REVIEW_KEY, None)
    if not done:
        await message.reply_text(turn.tr._("This proposal was already reviewed."))
        return ConversationHandler.END
    if verdict is Verdict.RETURN:
        mine = turn.tr._("Proposal #{id} was sent back to its author.", id=proposal_id)
    else:
        mine = turn.tr._("Proposal #{id} was rejected; the author is told.", id=proposal_id)
    await message.reply_text(mine)
    return ConversationHandler.END


review_cancel = cancelled(
    REVIEW_KEY, lambda tr: tr._("Cancelled. The proposal is still waiting for review.")
)


def conversation() -> ConversationHandler[Any]:
    return wizard(
        "votes-review",
        cancel_scope="review",
        entry_points=[CallbackQueryHandler(review_press, pattern=matches(Review))],
        states={COMMENT: text_step(got_comment)},
        on_cancel=review_cancel,
        hint=None,
    )
