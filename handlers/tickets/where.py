"""The report wizard's first answers: the kind, the category, and where (my home, or a public
area: the building and a short place)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.tickets import Kind, floor_of_place, split_place
from bot.services import tickets as service
from handlers.kit import Turn, answer, begin, pressed, private_only, stale, text_too_long
from handlers.kit.callbacks import parse_as
from handlers.tickets.callbacks import (
    PickBuilding,
    PickCategory,
    PickHome,
    PickKind,
    RepairAt,
)
from handlers.tickets.draft import (
    BUILDING,
    CATEGORY,
    CONFIRM,
    DRAFT,
    KIND,
    PLACE,
    WHERE,
    ReportDraft,
)
from handlers.tickets.duplicates import after_where, outage_offer
from handlers.tickets.prompts import ask, ask_next
from storage import community


@private_only
async def pick_kind(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = parse_as(query.data, PickKind)
    await answer(query)
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    draft.kind = data.kind.value
    draft.unit_id, draft.public, draft.anonymous = None, False, False
    DRAFT.save(context, draft)
    return await ask(update, context, turn, CATEGORY)


@private_only
async def repair_at(update: Update, context: Context) -> str:
    """ "A repair in my home" / "in a public area" as the first answer: where is then known (a
    home) or only the building is asked (a public area), after the category."""
    query, data, turn = await pressed(update, context, RepairAt)
    draft = DRAFT.load(context)
    draft.kind, draft.anonymous = Kind.REPAIR.value, False
    if data.unit_id:
        if not await _set_home(turn, draft, data.unit_id):
            await answer(query, _join_first(turn), alert=True)
            return KIND
        draft.public = False
    else:
        draft.unit_id, draft.public = None, True
    await answer(query)
    DRAFT.save(context, draft)
    return await ask(update, context, turn, CATEGORY)


@private_only
async def complain_unnamed(update: Update, context: Context) -> str:
    """ "A complaint, without my name" as the first answer: anonymity where a complaint starts."""
    await answer(update.callback_query)
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    draft.kind, draft.anonymous = Kind.COMPLAINT.value, True
    draft.unit_id, draft.public = None, False
    DRAFT.save(context, draft)
    return await ask(update, context, turn, CATEGORY)


def _join_first(turn: Turn) -> str:
    return turn.tr._(
        "To report a problem in your home, please join your unit first (/join). "
        "You can report a problem in a public area now."
    )


async def _set_home(turn: Turn, draft: ReportDraft, unit_id: int) -> bool:
    home = next((r for r in turn.principal.verified if r.unit_id == unit_id), None)
    if home is None or not can(turn.principal, Action.REPORT_HOME, home.building_id):
        return False
    async with turn.services.db.read() as conn:
        unit = await community.unit(conn, home.unit_id)
    draft.unit_id = home.unit_id
    draft.building_id = home.building_id
    draft.floor = unit.floor if unit else None
    draft.place = ""
    return True


@private_only
async def pick_category(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickCategory)
    async with turn.services.db.read() as conn:
        cat = await service.category_of(conn, data.code)
    if cat is None:
        await stale(query, turn)
        return CATEGORY
    await answer(query)
    draft = DRAFT.load(context)
    draft.category = cat.code
    DRAFT.save(context, draft)
    if draft.editing:
        return await ask_next(update, context, turn, CONFIRM)
    if draft.unit_id:
        return await after_where(update, context, turn)
    if draft.public:
        return await ask(update, context, turn, BUILDING)
    return await ask(update, context, turn, WHERE)


@private_only
async def pick_home(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickHome)
    draft = DRAFT.load(context)
    if not await _set_home(turn, draft, data.unit_id):
        await answer(query, _join_first(turn), alert=True)
        return WHERE
    await answer(query)
    DRAFT.save(context, draft)
    return await after_where(update, context, turn)


@private_only
async def pick_public(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await ask(update, context, turn, BUILDING)


@private_only
async def pick_building(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickBuilding)
    async with turn.services.db.read() as conn:
        found = await community.building(conn, data.building_id)
    if found is None:
        await stale(query, turn)
        return BUILDING
    await answer(query)
    draft = DRAFT.load(context)
    draft.building_id = found.id
    draft.unit_id = None
    draft.floor = None
    DRAFT.save(context, draft)
    return await outage_offer(update, context, turn) or await ask(update, context, turn, PLACE)


@private_only
async def place_text(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    turn = await begin(update, context)
    text = message.text.strip()
    problem = text_too_long(turn, text)
    if problem or not text:
        return await ask(update, context, turn, PLACE, problem or "")
    draft = DRAFT.load(context)
    place, description = split_place(text)
    draft.place = place
    draft.floor = floor_of_place(place or text)
    if description:
        draft.description = description
    DRAFT.save(context, draft)
    return await after_where(update, context, turn)


@private_only
async def place_voice(update: Update, context: Context) -> str:
    """The place (and what is wrong) spoken: passed on to staff as the voice note itself."""
    message = update.effective_message
    assert message is not None and message.voice is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    draft.voice = message.voice.file_id
    draft.place = ""
    DRAFT.save(context, draft)
    return await after_where(update, context, turn)
