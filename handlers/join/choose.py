"""Joining a unit, step by step: the unit's door code (``/start j_…``) or building → floor →
unit, then how the person lives there. The door code registers household members and tenants
at once; someone tapping "owner" there becomes a household member with an owner claim (the
door code is public, it proves no ownership). Choosing the unit waits for a confirmation."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Context
from bot.i18n import Translator
from bot.rules.auth import Relation
from handlers.join import claims, request
from handlers.join.callbacks import JoinBuilding, JoinFloor, JoinRelation, JoinStart, JoinUnit
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    touch_person,
)
from handlers.kit.menu import main_menu
from storage import community, people

PICK, RELATION = "join:pick", "join:relation"
UNIT_KEY, VIA_KEY = "join_unit", "join_via"


def relation_label(tr: Translator, relation: Relation) -> str:
    return {
        Relation.OWNER: tr._("I am the owner"),
        Relation.FAMILY: tr._("I live with the owner (family)"),
        Relation.TENANT: tr._("I rent it (tenant)"),
    }[relation]


def cancel_button(turn: Turn) -> Any:
    return button(turn.tr._("Cancel"), Dismiss("join"))


def _user_data(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    return data


@private_only
async def join_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        buildings = await community.buildings(conn)
    if not buildings:
        await reply(update, turn.tr._("The community has not been set up yet. Please try later."))
        return ConversationHandler.END
    buttons = [button(turn.tr.name(b.names), JoinBuilding(b.id)) for b in buildings]
    await reply(
        update,
        turn.tr._("Which building do you live in?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return PICK


@private_only
async def pick_building(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, JoinBuilding)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id)
        units = await community.units_of(conn, data.building_id) if found else []
    if found is None or not units:
        await stale(query, turn)
        return PICK
    await answer(query)
    floors = sorted({u.floor for u in units})
    buttons = [button(turn.tr._("Floor {floor}", floor=f), JoinFloor(found.id, f)) for f in floors]
    await reply(
        update,
        turn.tr._("{building}: which floor?", building=turn.tr.name(found.names)),
        keyboard(
            buttons,
            per_row=4,
            footer=[button(turn.tr._("Back"), JoinStart()), cancel_button(turn)],
        ),
    )
    return PICK


@private_only
async def pick_floor(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, JoinFloor)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id)
        units = [
            u for u in await community.units_of(conn, data.building_id) if u.floor == data.floor
        ]
    if found is None or not units:
        await stale(query, turn)
        return PICK
    await answer(query)
    buttons = [button(u.code, JoinUnit(u.id)) for u in units]
    await reply(
        update,
        turn.tr._(
            "{building}, floor {floor}: which unit?",
            building=turn.tr.name(found.names),
            floor=data.floor,
        ),
        keyboard(
            buttons,
            per_row=3,
            footer=[button(turn.tr._("Back"), JoinBuilding(found.id)), cancel_button(turn)],
        ),
    )
    return PICK


async def ask_relation(update: Update, turn: Turn, unit_code: str) -> str:
    relations = [Relation.OWNER, Relation.FAMILY, Relation.TENANT]
    buttons = [button(relation_label(turn.tr, r), JoinRelation(r)) for r in relations]
    await reply(
        update,
        turn.tr._("Unit {unit}. How do you live there?", unit=unit_code),
        keyboard(buttons, footer=[button(turn.tr._("Back"), JoinStart()), cancel_button(turn)]),
    )
    return RELATION


@private_only
async def pick_unit(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, JoinUnit)
    async with context.services.db.read() as conn:
        unit = await community.unit(conn, data.unit_id)
        existing = await people.live_residence(conn, turn.user.id, data.unit_id) if unit else None
    if unit is None:
        await stale(query, turn)
        return PICK
    await answer(query)
    if existing is not None:
        await reply(update, already_text(turn, unit.code, existing.status))
        return ConversationHandler.END
    user_data = _user_data(context)
    user_data[UNIT_KEY] = unit.id
    user_data[VIA_KEY] = "request"
    return await ask_relation(update, turn, unit.code)


def already_text(turn: Turn, unit_code: str, status: str) -> str:
    if status == "verified":
        return turn.tr._("You are already registered to unit {unit}.", unit=unit_code)
    return turn.tr._(
        "Your request for unit {unit} is already waiting for confirmation.", unit=unit_code
    )


@private_only
async def invite_start(update: Update, context: Context) -> str | int:
    """``/start j_<code>``: the unit's invite link (printed on the door or mailbox)."""
    turn = await begin(update, context)
    code = context.args[0] if context.args else ""
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        unit = await community.unit_by_invite(conn, code)
        existing = await people.live_residence(conn, turn.user.id, unit.id) if unit else None
    if unit is None:
        await reply(
            update,
            turn.tr._(
                "This invite link is not valid. Please check the code on your door or "
                "mailbox, or choose your unit yourself with /join."
            ),
        )
        return ConversationHandler.END
    if existing is not None and existing.status == "verified":
        await reply(update, already_text(turn, unit.code, existing.status))
        return ConversationHandler.END
    user_data = _user_data(context)
    user_data[UNIT_KEY] = unit.id
    user_data[VIA_KEY] = "invite"
    return await ask_relation(update, turn, unit.code)


@private_only
async def pick_relation(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, JoinRelation)
    user_data = _user_data(context)
    unit_id = user_data.get(UNIT_KEY)
    via = user_data.get(VIA_KEY, "request")
    if not isinstance(unit_id, int):
        await stale(query, turn)
        return ConversationHandler.END
    await answer(query)
    services = context.services
    by_door = via == "invite"
    # The door code proves where someone lives, not that they own it: a claim, to be proven.
    claiming = by_door and data.relation == Relation.OWNER
    asked = False  # whether someone was asked to confirm (a request or an owner claim)
    async with services.db.transaction() as conn:
        unit = await community.unit(conn, unit_id)
        if unit is None:
            await reply(update, turn.tr._("This unit no longer exists. Please choose again."))
            return ConversationHandler.END
        existing = await people.live_residence(conn, turn.user.id, unit_id)
        if existing is not None and (existing.status == "verified" or not by_door):
            await reply(update, already_text(turn, unit.code, existing.status))
            return ConversationHandler.END
        status = "verified" if by_door else "pending"
        residence_id = await people.add_residence(
            conn,
            turn.user.id,
            unit_id,
            Relation.FAMILY if claiming else data.relation,
            status=status,
            via=via,
            now=turn.ts,
        )
        await people.audit(conn, turn.user.id, f"join_{status}", unit.code, turn.ts)
        if claiming:
            asked = await claims.open_claim(conn, services, turn, residence_id, unit)
        elif not by_door:
            asked = await request.ask_to_join(
                conn, services, turn, residence_id, unit, data.relation
            )
    services.deliver_now()
    user_data.pop(UNIT_KEY, None)
    user_data.pop(VIA_KEY, None)
    if by_door:
        turn = await begin(update, context)
        welcome = turn.tr._("Welcome home!")
        if claiming:
            welcome = claims.claimant_text(turn.tr, unit.code, asked)
        await main_menu(update, context, turn, welcome)
    else:
        await reply(update, request.requester_text(turn.tr, unit.code, asked))
    return ConversationHandler.END


@private_only
async def cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    user_data = _user_data(context)
    user_data.pop(UNIT_KEY, None)
    user_data.pop(VIA_KEY, None)
    turn = await begin(update, context)
    await main_menu(update, context, turn, turn.tr._("Cancelled."))
    return ConversationHandler.END
