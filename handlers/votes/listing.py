"""/votes: the open votes a person can cast (with their current choice), the ones coming up,
participation for officers (never choices), and the drafts waiting for a reviewer."""

from __future__ import annotations

from collections.abc import Mapping

import aiosqlite
from telegram import InlineKeyboardMarkup, Update

from bot.context import Context
from bot.rules.auth import Action, Principal, Role, can
from bot.rules.votes import AudienceUnit, effective_ballots, live_decision, owner_key
from bot.services.votes import (
    Slot,
    audience_name,
    proposal_text,
    slots_of,
    units_map,
    voters,
)
from bot.texts.votes import render_distance, render_missing
from handlers.kit import MenuPick, Turn, answer, begin, button, keyboard, private_only, reply
from handlers.votes.ballots import ballot_card, open_for_voting
from handlers.votes.callbacks import WithdrawProposal
from handlers.votes.drafts import may_propose
from handlers.votes.keyboards import review_markup
from handlers.votes.texts import refusal
from handlers.votes.withdraw import may_withdraw, not_yet_open
from storage import community
from storage import votes as store
from storage.votes import Proposal


def building_keys(
    proposal: Proposal,
    units: Mapping[int, AudienceUnit],
    voter_slots: Mapping[int, list[Slot]],
    building_units: set[int],
) -> set[str]:
    keys: set[str] = set()
    for slots in voter_slots.values():
        keys.update(s.count_key for s in slots if s.unit_id in building_units)
    if proposal.is_decision:
        for unit_id in building_units:
            unit = units.get(unit_id)
            key = owner_key(unit) if unit else None
            if key is not None:
                keys.add(key)
    return keys


async def officer_lines(conn: aiosqlite.Connection, turn: Turn, proposal: Proposal) -> list[str]:
    """Participation only (never choices): the distance to quorum for reviewers, the turnout
    of their buildings for building leaders."""
    tr, p = turn.tr, turn.principal
    lines: list[str] = []
    ballots = await store.current_ballots(conn, proposal.id)
    voted = set(effective_ballots(ballots))
    if can(p, Action.APPROVE_PROPOSAL):
        if proposal.is_decision:
            assert proposal.art278_item is not None
            audience_units = await store.audience_units(conn, proposal.building_id)
            live = live_decision(
                audience_units, list(effective_ballots(ballots).values()), proposal.art278_item
            )
            if live is not None:
                lines.append(render_distance(tr, live))
                missing = render_missing(tr, live, audience_units)
                if missing:
                    lines.append(missing)
        else:
            eligible: set[str] = set()
            for slots in (await voters(conn, proposal)).values():
                eligible.update(s.count_key for s in slots)
            lines.append(
                tr._(
                    "Voted so far: {part} of {total}.",
                    part=len(voted & eligible),
                    total=len(eligible),
                )
            )
        return lines
    led = p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID)
    if not led:
        return lines
    units = await units_map(conn, proposal)
    voter_slots = await voters(conn, proposal)
    for building_id in sorted(led):
        if proposal.building_id is not None and proposal.building_id != building_id:
            continue
        found = await community.building(conn, building_id)
        if found is None:
            continue
        mine = {u.id for u in await community.units_of(conn, building_id)}
        keys = building_keys(proposal, units, voter_slots, mine)
        lines.append(
            tr._(
                "{building}: {part} of {total} have voted.",
                building=tr.name(found.names),
                part=len(keys & voted),
                total=len(keys),
            )
        )
    return lines


@private_only
async def votes_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    await answer(update.callback_query)
    cards: list[tuple[str, InlineKeyboardMarkup | None]] = []
    async with context.services.db.read() as conn:
        open_now = [p for p in await store.in_state(conn, "open") if open_for_voting(p, turn.ts)]
        for proposal in open_now:
            card = await ballot_card(conn, context, turn, proposal)
            extra = await officer_lines(conn, turn, proposal)
            if card is not None:
                cards.append(("\n\n".join([card[0], *extra]), card[1]))
                continue
            if extra:
                audience = await audience_name(conn, tr, proposal.building_id)
                cards.append(("\n\n".join([proposal_text(tr, proposal, audience), *extra]), None))
            elif proposal.is_decision and _lives_in_audience(turn.principal, proposal):
                cards.append((f"{proposal.title}\n{refusal(tr, 'owner', turn.principal)}", None))
        for proposal in await store.in_state(conn, "approved"):
            card_text = await upcoming_card(conn, turn, proposal)
            if card_text is not None:
                withdraw = None
                if may_withdraw(turn, proposal) and not_yet_open(proposal, turn.ts):
                    withdraw = keyboard(
                        [button(tr._("Withdraw before it opens"), WithdrawProposal(proposal.id))]
                    )
                cards.append((card_text, withdraw))
        drafts: list[tuple[str, InlineKeyboardMarkup | None]] = []
        if can(turn.principal, Action.APPROVE_PROPOSAL):
            for draft in await store.in_state(conn, "draft"):
                audience = await audience_name(conn, tr, draft.building_id)
                heading = (
                    tr._("Your proposal, waiting for another reviewer:")
                    if draft.author_id == turn.user.id
                    else tr._("Waiting for your review:")
                )
                drafts.append(
                    (
                        "\n".join([heading, proposal_text(tr, draft, audience)]),
                        review_markup(tr, draft, reader=turn.user.id),
                    )
                )
    propose_row = []
    if may_propose(turn.principal):
        propose_row = [button(tr._("Make a proposal"), MenuPick("propose"))]
    messages = [*cards, *drafts]
    if not messages:
        text = tr._("There is no open vote for you at the moment.")
        await reply(update, text, keyboard(propose_row) if propose_row else None)
        return
    chat = update.effective_chat
    assert chat is not None
    for index, (text, markup) in enumerate(messages):
        if index == len(messages) - 1 and propose_row:
            rows = [list(r) for r in markup.inline_keyboard] if markup else []
            markup = InlineKeyboardMarkup([*rows, propose_row])
        await chat.send_message(text[:4000], reply_markup=markup)


async def upcoming_card(conn: aiosqlite.Connection, turn: Turn, proposal: Proposal) -> str | None:
    """An approved proposal that is not open yet, for its audience and the reviewers: when it
    opens and closes, no ballot buttons."""
    tr, p = turn.tr, turn.principal
    if not (_lives_in_audience(p, proposal) or can(p, Action.APPROVE_PROPOSAL)):
        return None
    residences = [(r.unit_id, r.relation.value) for r in p.verified]
    slots, reason = await slots_of(conn, proposal, turn.user.id, residences)
    audience = await audience_name(conn, tr, proposal.building_id)
    lines = [tr._("Coming up:"), proposal_text(tr, proposal, audience), ""]
    if slots:
        lines.append(tr._("When voting opens, I will send you your ballot here."))
    elif reason == "owner" and _lives_in_audience(p, proposal):
        lines.append(refusal(tr, "owner", p))
    return "\n".join(lines).strip()


def _lives_in_audience(p: Principal, proposal: Proposal) -> bool:
    return any(
        proposal.building_id is None or r.building_id == proposal.building_id for r in p.verified
    )
