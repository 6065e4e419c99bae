"""Joining a unit: by the unit's invite link (verified at once) or by choosing building → floor →
unit and waiting for the building leader (or, if there is none, staff) to confirm."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

from bot.context import Context
from bot.delivery import payload_buttons
from bot.feature import CommandSpec, Feature, MenuEntry
from bot.i18n import N_, Translator
from bot.rules.auth import Action, Relation, Role, can
from handlers.kit import (
    Dismiss,
    Refusal,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refusal_text,
    reply,
    stale,
    touch_person,
    translator_for,
)
from handlers.kit.callbacks import CallbackData, callback, matches
from handlers.kit.menu import main_menu, menu_pattern
from handlers.kit.wizard import wizard
from storage import community, outbox, people

log = logging.getLogger(__name__)

PICK, RELATION = "join:pick", "join:relation"
UNIT_KEY, VIA_KEY = "join_unit", "join_via"


@callback("js")
@dataclass(frozen=True)
class JoinStart(CallbackData):
    pass


@callback("jb")
@dataclass(frozen=True)
class JoinBuilding(CallbackData):
    building_id: int


@callback("jf")
@dataclass(frozen=True)
class JoinFloor(CallbackData):
    building_id: int
    floor: int


@callback("ju")
@dataclass(frozen=True)
class JoinUnit(CallbackData):
    unit_id: int


@callback("jr")
@dataclass(frozen=True)
class JoinRelation(CallbackData):
    relation: Relation


@callback("jd")
@dataclass(frozen=True)
class JoinDecide(CallbackData):
    residence_id: int
    approve: bool


def relation_label(tr: Translator, relation: Relation) -> str:
    return {
        Relation.OWNER: tr._("I am the owner"),
        Relation.FAMILY: tr._("I live with the owner (family)"),
        Relation.TENANT: tr._("I rent it (tenant)"),
    }[relation]


def relation_name(tr: Translator, relation: Relation) -> str:
    return {
        Relation.OWNER: tr._("owner"),
        Relation.FAMILY: tr._("owner's family"),
        Relation.TENANT: tr._("tenant"),
    }[relation]


def cancel_button(turn: Turn) -> Any:
    return button(turn.tr._("Cancel"), Dismiss("join"))


async def _user_data(context: Context) -> dict[str, Any]:
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
    buttons = [button(b.name, JoinBuilding(b.id)) for b in buildings]
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
        turn.tr._("{building}: which floor?", building=found.name),
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
        turn.tr._("{building}, floor {floor}: which unit?", building=found.name, floor=data.floor),
        keyboard(
            buttons,
            per_row=3,
            footer=[button(turn.tr._("Back"), JoinBuilding(found.id)), cancel_button(turn)],
        ),
    )
    return PICK


async def ask_relation(update: Update, context: Context, turn: Turn, unit_code: str) -> str:
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
    user_data = await _user_data(context)
    user_data[UNIT_KEY] = unit.id
    user_data[VIA_KEY] = "request"
    return await ask_relation(update, context, turn, unit.code)


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
    user_data = await _user_data(context)
    user_data[UNIT_KEY] = unit.id
    user_data[VIA_KEY] = "invite"
    return await ask_relation(update, context, turn, unit.code)


@private_only
async def pick_relation(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, JoinRelation)
    user_data = await _user_data(context)
    unit_id = user_data.get(UNIT_KEY)
    via = user_data.get(VIA_KEY, "request")
    if not isinstance(unit_id, int):
        await stale(query, turn)
        return ConversationHandler.END
    await answer(query)
    services = context.services
    deciders: list[int] = []
    async with services.db.transaction() as conn:
        unit = await community.unit(conn, unit_id)
        if unit is None:
            await reply(update, turn.tr._("This unit no longer exists. Please choose again."))
            return ConversationHandler.END
        existing = await people.live_residence(conn, turn.user.id, unit_id)
        if existing is not None and (existing.status == "verified" or via != "invite"):
            await reply(update, already_text(turn, unit.code, existing.status))
            return ConversationHandler.END
        status = "verified" if via == "invite" else "pending"
        residence_id = await people.add_residence(
            conn, turn.user.id, unit_id, data.relation, status=status, via=via, now=turn.ts
        )
        await people.audit(conn, turn.user.id, f"join_{status}", unit.code, turn.ts)
        if status == "pending":
            deciders = await deciders_for(conn, unit.building_id)
            for decider in deciders:  # each asked in their language, durably (an outbox row)
                dtr = await translator_for(services, conn, decider)
                text = dtr._(
                    "{name} asks to join unit {unit} as {relation}. Do they live there?",
                    name=turn.user.full_name,
                    unit=unit.code,
                    relation=relation_name(dtr, data.relation),
                )
                markup = keyboard(
                    [
                        button(dtr._("Approve"), JoinDecide(residence_id, True)),
                        button(dtr._("Reject"), JoinDecide(residence_id, False)),
                    ],
                    per_row=2,
                )
                await outbox.push(
                    conn,
                    decider,
                    outbox.Payload(text=text, buttons=payload_buttons(markup)),
                    now=turn.ts,
                    kind="join",
                    ref=str(residence_id),
                    card=join_card(residence_id),
                )
    services.deliver_now()
    user_data.pop(UNIT_KEY, None)
    user_data.pop(VIA_KEY, None)
    if status == "verified":
        turn = await begin(update, context)
        await main_menu(
            update,
            context,
            turn,
            turn.tr._("Welcome home!"),
        )
        return ConversationHandler.END
    if deciders:
        text = turn.tr._(
            "Thank you! Your building leader has been asked to confirm that you live in unit "
            "{unit}. I will tell you as soon as they answer.",
            unit=unit.code,
        )
    else:
        text = turn.tr._(
            "Thank you! Your request for unit {unit} is recorded, but nobody can confirm it "
            "yet. Please ask your property office to confirm you.",
            unit=unit.code,
        )
    await reply(update, text)
    return ConversationHandler.END


async def deciders_for(conn: Any, building_id: int) -> list[int]:
    """Who confirms a new resident: the building's leaders; else its grid workers; else staff
    and managers; else administrators."""
    for roles in ((Role.LEADER,), (Role.GRID,), (Role.STAFF, Role.MANAGER), (Role.ADMIN,)):
        found: list[int] = []
        for role in roles:
            found += [
                u for u in await people.role_holders(conn, role, building_id) if u not in found
            ]
        if found:
            return found
    return []


async def decide(update: Update, context: Context) -> None:
    """Approve / reject pressed by a leader (or anyone: the right is checked here)."""
    query, data, turn = await pressed(update, context, JoinDecide)
    services = context.services
    async with services.db.transaction() as conn:
        res = await people.residence(conn, data.residence_id)
        if res is None:
            await stale(query, turn)
            return
        if not can(turn.principal, Action.DECIDE_JOIN, res.building_id):
            await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), alert=True)
            return
        decided = await people.decide_residence(conn, res.id, data.approve, turn.user.id, turn.ts)
        if decided:
            action = "join_approved" if data.approve else "join_rejected"
            await people.audit(conn, turn.user.id, action, res.unit_code, turn.ts, str(res.user_id))
        current = await people.residence(conn, res.id)
        if decided:
            await _tell_the_outcome(conn, services, turn, res, data.approve, query.message)
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
    conn: Any, services: Any, turn: Turn, res: Any, approve: bool, pressed_on: Any
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
    here = (pressed_on.chat.id, pressed_on.message_id) if pressed_on is not None else None
    for copy in await outbox.card_copies(conn, join_card(res.id)):
        if here is not None and (copy.chat_id, copy.message_id) == here:
            continue
        ctr = await translator_for(services, conn, copy.chat_id)
        outcome = (
            ctr._("Unit {unit}: approved by {name}.", unit=res.unit_code, name=turn.user.full_name)
            if approve
            else ctr._(
                "Unit {unit}: rejected by {name}.", unit=res.unit_code, name=turn.user.full_name
            )
        )
        await outbox.edit_card(
            conn, join_card(res.id), copy.chat_id, outbox.Payload(text=outcome), now=turn.ts
        )


def join_card(residence_id: int) -> str:
    """The card key of a join request's copies (one per person asked to confirm)."""
    return f"join:{residence_id}"


@private_only
async def cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    user_data = await _user_data(context)
    user_data.pop(UNIT_KEY, None)
    user_data.pop(VIA_KEY, None)
    turn = await begin(update, context)
    await main_menu(update, context, turn, turn.tr._("Cancelled."))
    return ConversationHandler.END


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    conversation = wizard(
        "join",
        entry_points=[
            CommandHandler("start", invite_start, filters=filters.Regex(r"^/start j_") & private),
            CommandHandler("join", join_start),
            CallbackQueryHandler(join_start, pattern=menu_pattern("join")),
        ],
        states={
            PICK: [
                CallbackQueryHandler(join_start, pattern=matches(JoinStart)),
                CallbackQueryHandler(pick_building, pattern=matches(JoinBuilding)),
                CallbackQueryHandler(pick_floor, pattern=matches(JoinFloor)),
                CallbackQueryHandler(pick_unit, pattern=matches(JoinUnit)),
            ],
            RELATION: [
                CallbackQueryHandler(pick_relation, pattern=matches(JoinRelation)),
                CallbackQueryHandler(join_start, pattern=matches(JoinStart)),
            ],
        },
        on_cancel=cancel,
    )
    return [conversation, CallbackQueryHandler(decide, pattern=matches(JoinDecide))]


def _not_verified(p: Any) -> bool:
    return not p.verified


FEATURE = Feature(
    name="join",
    handlers=_handlers,
    menu=(MenuEntry("join", N_("Join my unit"), 1, visible=_not_verified),),
    commands=(CommandSpec("join", N_("Join your unit")),),
)
