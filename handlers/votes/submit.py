"""The end of /propose: the duration chosen, the preview; Submit stores the proposal and asks
the committee and the managers to review it; Cancel drops the draft."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.services.votes import audience_name, proposal_text, reviewers
from handlers.kit import (
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    push,
    reply,
    stale,
    translator_for,
)
from handlers.votes.callbacks import PickDays, Submit
from handlers.votes.drafts import (
    DAYS,
    DRAFT,
    DURATIONS,
    PREVIEW,
    draft_complete,
    draft_proposal,
    may_propose,
)
from handlers.votes.keyboards import cancel_button, review_markup
from storage import people
from storage import votes as store


@private_only
async def got_days(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, PickDays)
    draft = DRAFT.load(context)
    if data.days not in DURATIONS:
        await stale(update.callback_query, turn)
        return DAYS
    draft.days = data.days
    DRAFT.save(context, draft)
    if not draft_complete(draft):
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    await answer(query)
    preview = draft_proposal(draft, turn.user.id)
    async with context.services.db.read() as conn:
        audience = await audience_name(conn, turn.tr, preview.building_id)
    text = "\n".join(
        [
            turn.tr._("Please check your proposal:"),
            "",
            proposal_text(turn.tr, preview, audience),
            "",
            turn.tr._(
                "After you submit it, a committee member or the property manager approves it "
                "before voting opens."
            ),
        ]
    )
    await reply(
        update,
        text,
        keyboard([button(turn.tr._("Submit"), Submit()), cancel_button(turn.tr)], per_row=2),
    )
    return PREVIEW


@private_only
async def submit(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if not draft_complete(draft) or not may_propose(turn.principal):
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    await answer(query)
    preview = draft_proposal(draft, turn.user.id)
    services = context.services
    async with services.db.transaction() as conn:
        proposal_id = await store.create(
            conn,
            title=preview.title,
            body=preview.body,
            options=preview.options,
            building_id=preview.building_id,
            kind=preview.kind,
            art278_item=preview.art278_item,
            basis=preview.basis,
            quorum=preview.quorum,
            duration_days=preview.duration_days,
            author_id=turn.user.id,
            now=turn.ts,
            opens_at=preview.opens_at,
            body_voice=preview.body_voice,
        )
        await people.audit(conn, turn.user.id, "proposal_submitted", str(proposal_id), turn.ts)
        proposal = await store.get(conn, proposal_id)
        assert proposal is not None
        others = await reviewers(conn, besides=turn.user.id)
        for reviewer in others:
            rtr = await translator_for(services, conn, reviewer)
            audience = await audience_name(conn, rtr, proposal.building_id)
            text = "\n".join(
                [
                    rtr._("{name} submitted a proposal for approval.", name=turn.user.full_name),
                    "",
                    proposal_text(rtr, proposal, audience),
                ]
            )
            markup = review_markup(rtr, proposal, reader=reviewer)
            await push(
                conn,
                reviewer,
                text,
                markup,
                now=turn.ts,
                kind="proposal",
                ref=str(proposal_id),
                voice=proposal.body_voice,
            )
    services.deliver_now()
    DRAFT.clear(context)
    thanks = turn.tr._(
        "Thank you! Proposal #{id} is submitted. A committee member or the property "
        "manager will review it; I will tell you their answer.",
        id=proposal_id,
    )
    if not others:
        thanks += "\n" + turn.tr._(
            "There is no committee member or property manager other than you yet, and nobody "
            "approves their own proposal: an administrator can give someone that role."
        )
    await reply(update, thanks)
    return ConversationHandler.END


@private_only
async def propose_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    DRAFT.clear(context)
    turn = await begin(update, context)
    await reply(update, turn.tr._("Cancelled. Nothing was submitted."))
    return ConversationHandler.END
