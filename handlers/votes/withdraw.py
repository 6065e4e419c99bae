"""Withdrawing an approved proposal before it opens ("votes-withdraw"): its author or a reviewer
taps Withdraw on the "Coming up" card of /votes, gives the reason, and whoever was told about
the proposal is told why (``bot.services.votes.withdraw_proposal``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler

from bot.context import Context
from bot.rules.auth import Action, can
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
    refusal_text,
    text_too_long,
)
from handlers.kit.callbacks import matches
from handlers.kit.wizard import cancelled, wizard
from handlers.votes.callbacks import WithdrawProposal
from handlers.votes.propose import text_step
from storage import people
from storage import votes as store
from storage.votes import Proposal

REASON = "withdraw:reason"
WITHDRAW_KEY = "vote_withdraw"  # user_data: the proposal id while the reason is awaited


def may_withdraw(turn: Turn, proposal: Proposal) -> bool:
    return proposal.author_id == turn.user.id or can(turn.principal, Action.APPROVE_PROPOSAL)


def not_yet_open(proposal: Proposal | None, now: int) -> bool:
    return (
        proposal is not None
        and proposal.state == "approved"
        and (proposal.opens_at is None or proposal.opens_at > now)
    )


async def withdraw_press(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, WithdrawProposal)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
    if proposal is None or not may_withdraw(turn, proposal):
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), alert=True)
        return ConversationHandler.END
    if not not_yet_open(proposal, turn.ts):
        await answer(query, turn.tr._("This proposal can no longer be withdrawn."), alert=True)
        return ConversationHandler.END
    await answer(query)
    user_data = context.user_data
    assert user_data is not None
    user_data[WITHDRAW_KEY] = proposal.id
    text = turn.tr._(
        'Withdraw proposal #{id} "{title}": please send the reason. Those who were told about '
        "it will see it.",
        id=proposal.id,
        title=proposal.title,
    )
    markup = keyboard([button(turn.tr._("Cancel"), Dismiss("withdraw"))])
    await context.bot.send_message(turn.chat.id, text, reply_markup=markup)
    return REASON


async def got_reason(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    user_data = context.user_data
    assert user_data is not None
    proposal_id = user_data.get(WITHDRAW_KEY)
    if not isinstance(proposal_id, int):
        return ConversationHandler.END
    reason = message.text.strip()
    problem = text_too_long(turn, reason, 300)
    if problem or not reason:
        await message.reply_text(problem or turn.tr._("Please send the reason as text."))
        return REASON
    services = context.services
    done = False
    async with services.db.transaction() as conn:
        proposal = await store.get(conn, proposal_id)
        if proposal is not None and not may_withdraw(turn, proposal):
            user_data.pop(WITHDRAW_KEY, None)
            await message.reply_text(refusal_text(turn.tr, Refusal.NO_RIGHT))
            return ConversationHandler.END
        if proposal is not None and not_yet_open(proposal, turn.ts):
            done = await service.withdraw_proposal(
                conn, services.i18n, proposal, turn.user.id, reason, turn.ts
            )
        if done:
            await people.audit(conn, turn.user.id, "proposal_withdrawn", str(proposal_id), turn.ts)
    services.deliver_now()
    user_data.pop(WITHDRAW_KEY, None)
    if not done:
        await message.reply_text(turn.tr._("This proposal can no longer be withdrawn."))
        return ConversationHandler.END
    await message.reply_text(
        turn.tr._(
            "Proposal #{id} is withdrawn; it will not open. Those who were told about it are "
            "told why.",
            id=proposal_id,
        )
    )
    return ConversationHandler.END


withdraw_cancel = cancelled(
    WITHDRAW_KEY, lambda tr: tr._("Cancelled. The proposal will open as planned.")
)


def conversation() -> ConversationHandler[Any]:
    return wizard(
        "votes-withdraw",
        cancel_scope="withdraw",
        entry_points=[CallbackQueryHandler(withdraw_press, pattern=matches(WithdrawProposal))],
        states={REASON: text_step(got_reason)},
        on_cancel=withdraw_cancel,
        hint=None,
    )
