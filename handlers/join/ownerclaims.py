"""Deciding owner claims: a press on a claim's card or in ``/ownerclaims``, the list of the
claims waiting that the presser may decide (staff and managers: all; leaders and grid
workers: their buildings'), each with the owner the community file names and the buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import Context
from bot.i18n import Translator
from bot.rules.auth import Action, Principal, Role
from bot.rules.clock import from_ts
from handlers.join import claims, confirmers
from handlers.join.callbacks import OwnerDecide
from handlers.kit import (
    Refusal,
    Turn,
    answer,
    begin,
    pressed,
    private_only,
    refuse,
    reply,
    stale,
)
from storage import owners

SHOWN = 15  # claims in one list (two buttons each)


def scope(p: Principal) -> frozenset[int] | None:
    """The buildings whose claims this person decides; None: every building."""
    if p.has_any(Role.STAFF, Role.MANAGER) or p.has(Role.LEADER) or p.has(Role.GRID):
        return None
    return p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID)


async def listing(turn: Turn) -> tuple[str, InlineKeyboardMarkup | None]:
    tr = turn.tr
    async with turn.services.db.read() as conn:
        found, total = await owners.pending_claims(conn, scope(turn.principal), SHOWN)
    if not found:
        return tr._("No owner claims are waiting for confirmation."), None
    lines = [
        tr._("Owner claims waiting for confirmation: {n}", n=total),
        tr._("Compare each person with the owner in the community file."),
    ]
    rows = []
    for number, claim in enumerate(found, start=1):
        lines += [
            "",
            tr._(
                "{n}. Unit {unit}: {name}, since {when}",
                n=number,
                unit=claim.unit_code,
                name=claim.person_name or "?",
                when=tr.when(from_ts(claim.claimed_at)),
            ),
            tr._("Owner in the community file: {owner}", owner=claim.owner_name or "-"),
        ]
        rows.append(claims.buttons(tr, claim.id, listed=True, number=f"{number}. "))
    if total > len(found):
        lines += ["", tr._("…and {n} more after these.", n=total - len(found))]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@private_only
async def owner_claims_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    seen = scope(turn.principal)
    if seen is not None and not seen:
        await refuse(update, turn, Refusal.NO_RIGHT)
        return
    text, markup = await listing(turn)
    await reply(update, text, markup)


async def decide_press(update: Update, context: Context) -> None:
    """Yes / No on an owner claim, pressed on its card or in the list."""
    query, data, turn = await pressed(update, context, OwnerDecide)
    tr = turn.tr
    services = context.services
    async with services.db.transaction() as conn:
        claim = await owners.claim(conn, data.claim_id)
        if claim is None:
            await stale(query, turn)
            return
        problem = confirmers.refusal(turn, Action.CONFIRM_OWNER, claim.building_id, claim.user_id)
        if problem is not None:
            await answer(query, problem, alert=True)
            return
        settled = await claims.settle(
            conn, services, turn, claim, data.confirm, via="leader", pressed_on=query.message
        )
        current = await owners.claim(conn, claim.id)
    if not settled:
        await answer(query, closed_text(tr, current.status if current else ""), alert=True)
        return
    services.deliver_now()
    name = claim.person_name or "?"
    if data.confirm:
        done = tr._(
            "Confirmed: {name} is now the owner of unit {unit}.", name=name, unit=claim.unit_code
        )
    else:
        done = tr._(
            "Not confirmed: {name} stays registered to unit {unit} as a member of the household.",
            name=name,
            unit=claim.unit_code,
        )
    if not data.listed:
        await answer(query)
        await reply(update, done)
        return
    await answer(query, done)
    text, markup = await listing(turn)
    await reply(update, text, markup)


def closed_text(tr: Translator, status: str) -> str:
    if status == "confirmed":
        return tr._("This owner claim was already confirmed.")
    if status == "refused":
        return tr._("This owner claim was already answered: not confirmed.")
    return tr._("This owner claim is no longer open.")
