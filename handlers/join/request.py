"""A request to join a unit chosen by hand: its confirmers asked (a card each), one of them
approves or rejects, the resident is told and the other copies say who answered. A request
as the owner shows the owner the community file names, so the confirmer can compare."""

from __future__ import annotations

import aiosqlite
from telegram import MaybeInaccessibleMessage, Update

from bot.context import Context, Services
from bot.i18n import Translator
from bot.rules.auth import Action, Relation
from handlers.join import confirmers
from handlers.join.callbacks import JoinDecide
from handlers.kit import (
    Turn,
    answer,
    button,
    pressed,
    reply,
    stale,
    translator_for,
)
from storage import community, outbox, owners, people


def relation_name(tr: Translator, relation: Relation) -> str:
    return {
        Relation.OWNER: tr._("owner"),
        Relation.FAMILY: tr._("owner's family"),
        Relation.TENANT: tr._("tenant"),
    }[relation]


def question(tr: Translator, name: str, unit: str, relation: Relation, owner: str | None) -> str:
    if relation != Relation.OWNER:
        return tr._(
            "{name} asks to join unit {unit} as {relation}. Do they live there?",
            name=name,
            unit=unit,
            relation=relation_name(tr, relation),
        )
    return tr._(
        "{name} asks to join unit {unit} as its owner.\nOwner in the community file: {owner}\n"
        "Approve only if {name} is this owner.",
        name=name,
        unit=unit,
        owner=owner or tr._("none recorded"),
    )


async def ask_to_join(
    conn: aiosqlite.Connection,
    services: Services,
    turn: Turn,
    residence_id: int,
    unit: community.Unit,
    relation: Relation,
) -> bool:
    """Ask the unit's confirmers (each in their language); False when there is nobody to ask."""
    owner = await owners.registered_owner(conn, unit.id) if relation == Relation.OWNER else None
    return await confirmers.ask(
        conn,
        turn,
        unit.building_id,
        confirmers.join_card(residence_id),
        text=lambda tr: question(tr, turn.user.full_name, unit.code, relation, owner),
        buttons=lambda tr: [
            button(tr._("Approve"), JoinDecide(residence_id, True)),
            button(tr._("Reject"), JoinDecide(residence_id, False)),
        ],
        kind="join",
        ref=str(residence_id),
    )


def requester_text(tr: Translator, unit_code: str, asked: bool) -> str:
    if asked:
        return tr._(
            "Thank you! Your building leader has been asked to confirm that you live in unit "
            "{unit}. I will tell you as soon as they answer.",
            unit=unit_code,
        )
    return tr._(
        "Thank you! Your request for unit {unit} is recorded, but nobody can confirm it "
        "yet. Please ask your property office to confirm you.",
        unit=unit_code,
    )


async def decide(update: Update, context: Context) -> None:
    """Approve / reject pressed by a leader (or anyone: the right is checked here)."""
    query, data, turn = await pressed(update, context, JoinDecide)
    services = context.services
    async with services.db.transaction() as conn:
        res = await people.residence(conn, data.residence_id)
        if res is None:
            await stale(query, turn)
            return
        problem = confirmers.refusal(turn, Action.DECIDE_JOIN, res.building_id, res.user_id)
        if problem is not None:
            await answer(query, problem, alert=True)
            return
        decided = await people.decide_residence(conn, res.id, data.approve, turn.user.id, turn.ts)
        if decided:
            action = "join_approved" if data.approve else "join_rejected"
            await people.audit(conn, turn.user.id, action, res.unit_code, turn.ts, str(res.user_id))
            if data.approve and res.relation == Relation.OWNER:  # compared with the file
                await owners.record_confirmed(conn, res.id, "leader", turn.ts)
            await _tell_the_outcome(conn, services, turn, res, data.approve, query.message)
        current = await people.residence(conn, res.id)
    if not decided:
        if current is not None and current.status == "verified":
            text = turn.tr._("This request was already approved.")
        elif current is not None and current.status == "rejected":
            text = turn.tr._("This request was already rejected.")
        else:
            text = turn.tr._("This request is no longer open.")
        await answer(query, text, alert=True)
        return
    services.deliver_now()
    await answer(query)
    if data.approve:
        mine = turn.tr._(
            "Approved: the resident of unit {unit} is now registered.", unit=res.unit_code
        )
    else:
        mine = turn.tr._("Rejected: the request for unit {unit} was declined.", unit=res.unit_code)
    await reply(update, mine)


async def _tell_the_outcome(
    conn: aiosqlite.Connection,
    services: Services,
    turn: Turn,
    res: people.ResidenceRow,
    approve: bool,
    pressed_on: MaybeInaccessibleMessage | None,
) -> None:
    """The resident hears the outcome, and every other copy of the request says who answered
    (and loses its buttons): outbox rows, in the decision's transaction."""
    rtr = await translator_for(services, conn, res.user_id)
    if approve:
        theirs = rtr._(
            "Good news: your building leader confirmed that you live in unit {unit}. You can now "
            "book rooms, vote and report repairs at home. Send /start to see the menu.",
            unit=res.unit_code,
        )
    else:
        theirs = rtr._(
            "Your request to join unit {unit} was not confirmed. If you think this is a "
            "mistake, please talk to your building leader or the property office.",
            unit=res.unit_code,
        )
    await outbox.push(
        conn, res.user_id, outbox.Payload(text=theirs), now=turn.ts, kind="join", ref=str(res.id)
    )
    name = turn.user.full_name

    def outcome(tr: Translator) -> str:
        if approve:
            return tr._("Unit {unit}: approved by {name}.", unit=res.unit_code, name=name)
        return tr._("Unit {unit}: rejected by {name}.", unit=res.unit_code, name=name)

    await confirmers.settle_copies(
        conn,
        services,
        confirmers.join_card(res.id),
        outcome,
        now=turn.ts,
        pressed_on=pressed_on,
    )
