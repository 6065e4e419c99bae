"""The ballot: a press on an option records it (changeable until the close; the latest counts)
and answers with a receipt; the ballot card shows a voter their current choice."""

from __future__ import annotations

import aiosqlite
from telegram import InlineKeyboardMarkup, Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.rules.votes import find_option
from bot.services.votes import Slot, audience_name, proposal_text, slots_of
from bot.texts.votes import option_label
from handlers.kit import Turn, answer, button, pressed, reply, stale
from handlers.votes.callbacks import Cast, CheckBallot, ShowBallot
from handlers.votes.keyboards import ballot_markup
from handlers.votes.texts import not_open_yet, refusal
from storage import votes as store
from storage.votes import Proposal


def open_for_voting(proposal: Proposal | None, now: int) -> bool:
    return (
        proposal is not None
        and proposal.state == "open"
        and proposal.closes_at is not None
        and now < proposal.closes_at
    )


def voter_key(user_id: int) -> str:
    """What a receipt is bound to: the person (their ballot may be changed until the close)."""
    return f"user:{user_id}"


async def cast_press(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, Cast)
    tr = turn.tr
    problem: str | None = None
    outdated = False  # a forged or outdated button: the kit's answer
    async with context.services.db.transaction() as conn:
        proposal = await store.get(conn, data.proposal_id)
        option = find_option(proposal.options, data.option) if proposal else None
        slot: Slot | None = None
        if proposal is None or option is None:
            outdated = True
        elif proposal.state == "approved":
            problem = not_open_yet(tr, proposal)
        elif not open_for_voting(proposal, turn.ts):
            problem = tr._("Voting on this proposal is closed; your ballot was not recorded.")
        elif not can(turn.principal, Action.VOTE):
            problem = refusal(tr, "verified")
        else:
            residences = [(r.unit_id, r.relation.value) for r in turn.principal.verified]
            slots, reason = await slots_of(conn, proposal, turn.user.id, residences)
            slot = next((s for s in slots if s.unit_id == data.unit_id), None)
            if slot is None and not slots:
                problem = refusal(tr, reason, turn.principal)
            elif slot is None:
                outdated = True
        if problem is None and not outdated:
            assert proposal is not None and option is not None and slot is not None
            await store.cast(
                conn,
                proposal.id,
                count_key=slot.count_key,
                unit_id=slot.unit_id,
                voter_id=turn.user.id,
                option=option.key,
                source="electronic",
                now=turn.ts,
            )
    if outdated:
        await stale(query, turn)
        return
    if problem is not None:
        await answer(query, problem, alert=True)
        return
    assert proposal is not None and option is not None and slot is not None
    await answer(query, tr._("Recorded: {option}", option=option_label(tr, option)))
    assert proposal.closes_at is not None
    text = "\n".join(
        [
            tr._("Proposal #{id}: {title}", id=proposal.id, title=proposal.title),
            tr._(
                "Your vote for unit {unit} is recorded: {option}.",
                unit=slot.unit_code,
                option=option_label(tr, option),
            ),
            tr._("You can change it until {when}.", when=tr.when(from_ts(proposal.closes_at))),
        ]
    )
    markup = ballot_markup(context, tr, proposal, [slot])
    receipt_row = [button(tr._("🧾 My receipt"), CheckBallot(proposal.id))]
    await reply(update, text, InlineKeyboardMarkup([*markup.inline_keyboard, receipt_row]))


async def show_ballot(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, ShowBallot)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
        if proposal is not None and proposal.state == "approved":
            await answer(query, not_open_yet(turn.tr, proposal), alert=True)
            return
        if proposal is None or not open_for_voting(proposal, turn.ts):
            await answer(query, turn.tr._("Voting on this proposal is closed."), alert=True)
            return
        card = await ballot_card(conn, context, turn, proposal)
    await answer(query)
    if card is None:
        await reply(update, refusal(turn.tr, "audience"))
        return
    await reply(update, *card)


async def ballot_card(
    conn: aiosqlite.Connection, context: Context, turn: Turn, proposal: Proposal
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The proposal with the presser's ballot buttons and current vote; None if they have no
    vote on it."""
    residences = [(r.unit_id, r.relation.value) for r in turn.principal.verified]
    slots, _ = await slots_of(conn, proposal, turn.user.id, residences)
    if not slots:
        return None
    audience = await audience_name(conn, turn.tr, proposal.building_id)
    lines = [proposal_text(turn.tr, proposal, audience)]
    mine = await store.latest_of_voter(conn, proposal.id, turn.user.id)
    if mine is not None and await store.is_current(conn, mine.id):
        option = find_option(proposal.options, mine.option)
        if option is not None:
            lines.append(
                turn.tr._("Your current vote: {option}", option=option_label(turn.tr, option))
            )
    return "\n".join(lines), ballot_markup(context, turn.tr, proposal, slots)
