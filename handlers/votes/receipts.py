"""Receipts: after the close, /receipt <code> (or the result's button) tells a voter whether
their ballot was counted as cast, replaced by a later one, or not counted."""

from __future__ import annotations

import aiosqlite
from telegram import Update

from bot.context import Context
from bot.i18n import Translator
from bot.rules.clock import from_ts
from bot.rules.tally import receipt, verify_receipt
from bot.rules.votes import find_option
from bot.texts.votes import option_label
from handlers.kit import answer, begin, pressed, private_only, stale
from handlers.votes.ballots import voter_key
from handlers.votes.callbacks import CheckBallot
from storage import votes as store
from storage.votes import Proposal


async def check_text(
    conn: aiosqlite.Connection, tr: Translator, proposal: Proposal, user_id: int
) -> str:
    mine = await store.latest_of_voter(conn, proposal.id, user_id)
    if mine is None:
        return tr._("You did not vote on proposal #{id}.", id=proposal.id)
    if proposal.state != "closed" or proposal.result is None:
        assert proposal.closes_at is not None
        return tr._(
            "Your receipt for proposal #{id}: {code}. After the close ({when}), tap "
            '"My receipt" again or send /receipt {code} to check that your ballot was counted '
            "as cast.",
            id=proposal.id,
            code=receipt(proposal.id, voter_key(user_id), proposal.nonce),
            when=tr.when(from_ts(proposal.closes_at)),
        )
    counted = proposal.result.get("counted", {})
    option = find_option(proposal.options, mine.option)
    label = option_label(tr, option) if option else mine.option
    if counted.get(mine.count_key) == mine.id:
        return tr._(
            'Proposal #{id} "{title}": your ballot was counted as cast: {option}.',
            id=proposal.id,
            title=proposal.title,
            option=label,
        )
    if mine.count_key in counted:
        return tr._(
            "Proposal #{id}: your ballot ({option}) was replaced by a later ballot for the same "
            "owner or household (a co-owner, a member of your household, or a signed paper "
            "ballot); that later ballot was counted.",
            id=proposal.id,
            option=label,
        )
    return tr._(
        "Proposal #{id}: your ballot ({option}) was not counted: at the close your unit was no "
        "longer among those entitled to vote.",
        id=proposal.id,
        option=label,
    )


@private_only
async def receipt_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    code = "".join(context.args or [])
    if not code:
        await message.reply_text(
            turn.tr._("Send /receipt followed by the code you got when you voted.")
        )
        return
    text = turn.tr._("I found no ballot of yours with this receipt. Please check the code.")
    async with context.services.db.read() as conn:
        for proposal_id in await store.voted_proposals(conn, turn.user.id):
            proposal = await store.get(conn, proposal_id)
            if proposal and verify_receipt(
                proposal.id, voter_key(turn.user.id), proposal.nonce, code
            ):
                text = await check_text(conn, turn.tr, proposal, turn.user.id)
                break
    await message.reply_text(text)


async def check_press(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, CheckBallot)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
        text = await check_text(conn, turn.tr, proposal, turn.user.id) if proposal else None
    if text is None:
        await stale(query, turn)
        return
    await answer(query)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text)
