"""The /notice wizard's audience: my buildings, a pick of buildings or everyone, and whether
the buildings' group chats get it too."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules import notices as rules
from bot.rules.auth import Action, can
from bot.services.notices import audience_name, building_names
from handlers.kit import (
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
)
from handlers.kit.callbacks import parse_as
from handlers.notices.callbacks import (
    NoticeAudience,
    NoticeBuilding,
    NoticeBuildingsDone,
    NoticeGroups,
)
from handlers.notices.draft import AUDIENCE, DRAFT, GROUPS, cancel_button, say
from handlers.notices.options import ask_options
from storage import community
from storage import notices as store


async def ask_audience(update: Update, context: Context, turn: Turn) -> str:
    own = sorted(rules.own_buildings(turn.principal))
    async with context.services.db.read() as conn:
        names = await building_names(conn, turn.tr)
    buttons = []
    if own:
        buttons.append(
            button(
                turn.tr._("My buildings ({names})", names=audience_name(turn.tr, names, own)),
                NoticeAudience("mine"),
            )
        )
    buttons.append(button(turn.tr._("Choose buildings"), NoticeAudience("pick")))
    if rules.may_address_everyone(turn.principal):
        buttons.append(button(turn.tr._("Everyone in the community"), NoticeAudience("all")))
    await say(
        update, turn.tr._("Who should get it?"), keyboard(buttons, footer=[cancel_button(turn)])
    )
    return AUDIENCE


@private_only
async def pick_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, NoticeAudience)
    draft = DRAFT.load(context)
    if data.choice == "mine":
        own = sorted(rules.own_buildings(turn.principal))
        if not own:
            await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
            return AUDIENCE
        await answer(query)
        draft.buildings = own
        DRAFT.save(context, draft)
        return await ask_groups(update, context, turn)
    if data.choice == "all":
        if not rules.may_address_everyone(turn.principal):
            await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
            return AUDIENCE
        await answer(query)
        draft.buildings = None
        DRAFT.save(context, draft)
        return await ask_groups(update, context, turn)
    await answer(query)
    draft.pick = []
    DRAFT.save(context, draft)
    return await show_building_picker(update, context, turn)


async def show_building_picker(update: Update, context: Context, turn: Turn) -> str:
    picked = set(DRAFT.load(context).pick)
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    everyone = rules.may_address_everyone(turn.principal)
    own = rules.own_buildings(turn.principal)
    shown = [b for b in buildings if everyone or b.id in own]
    buttons = [
        button(("✅ " if b.id in picked else "") + turn.tr.name(b.names), NoticeBuilding(b.id))
        for b in shown
    ]
    await reply(
        update,
        turn.tr._("Tap the buildings that should get it, then Done."),
        keyboard(
            buttons,
            per_row=3,
            footer=[button(turn.tr._("Done"), NoticeBuildingsDone()), cancel_button(turn)],
        ),
    )
    return AUDIENCE


@private_only
async def toggle_building(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, NoticeBuilding)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id)
    if found is None:
        await stale(query, turn)
        return AUDIENCE
    if not can(turn.principal, Action.SEND_NOTICE, found.id):
        await answer(
            query,
            turn.tr._("You can only send notices to the buildings you lead."),
            alert=True,
        )
        return AUDIENCE
    await answer(query)
    draft = DRAFT.load(context)
    picked = set(draft.pick)
    picked ^= {found.id}
    draft.pick = sorted(picked)
    DRAFT.save(context, draft)
    return await show_building_picker(update, context, turn)


@private_only
async def buildings_done(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    picked = [int(b) for b in draft.pick]
    if not picked:
        await answer(query, turn.tr._("Please choose at least one building."), alert=True)
        return AUDIENCE
    if not rules.may_address(turn.principal, picked):
        await answer(
            query, turn.tr._("You can only send notices to the buildings you lead."), alert=True
        )
        return AUDIENCE
    await answer(query)
    draft.buildings = picked
    DRAFT.save(context, draft)
    return await ask_groups(update, context, turn)


async def ask_groups(update: Update, context: Context, turn: Turn) -> str:
    draft = DRAFT.load(context)
    async with context.services.db.read() as conn:
        groups = await store.groups_for(conn, draft.audience())
    if not groups:
        draft.groups = False
        DRAFT.save(context, draft)
        return await ask_options(update, context, turn)
    await reply(
        update,
        turn.tr._("Also post it in the group chats of these buildings?"),
        keyboard(
            [
                button(turn.tr._("Residents only"), NoticeGroups(False)),
                button(
                    turn.tr.n_(
                        "Residents and {n} group chat",
                        "Residents and {n} group chats",
                        len(groups),
                    ),
                    NoticeGroups(True),
                ),
            ],
            footer=[cancel_button(turn)],
        ),
    )
    return GROUPS


@private_only
async def pick_groups(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = parse_as(query.data, NoticeGroups)
    await answer(query)
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    draft.groups = data.include
    DRAFT.save(context, draft)
    return await ask_options(update, context, turn)
