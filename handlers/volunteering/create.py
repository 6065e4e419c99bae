"""The /activity wizard (leaders for their buildings; staff, managers and the committee for
anyone): what → when → where → how long → how many volunteers → points each → audience →
check → announce (through the outbox, with an "I'll help" button)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.rules import points as rules
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts, to_ts
from bot.services import volunteering as service
from bot.services.notices import audience_name, building_names
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
    short_text,
    stale,
)
from handlers.kit.callbacks import CallbackData, matches
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import Drafts, cancelled, chosen, started, wizard
from handlers.volunteering.callbacks import (
    ActAudience,
    ActConfirm,
    ActLength,
    ActPoints,
    ActSlots,
)
from handlers.volunteering.keyboards import signup_buttons
from storage import community
from storage import volunteering as store

TITLE, WHEN, PLACE, LENGTH, SLOTS, POINTS, AUDIENCE, CONFIRM = (
    f"activity:{s}"
    for s in ("title", "when", "place", "length", "slots", "points", "audience", "confirm")
)


@dataclass
class ActivityDraft:
    title: str | None = None
    starts_at: int | None = None
    place: str | None = None
    minutes: int | None = None
    slots: int | None = None
    points: int | None = None
    #: the audience's buildings, None for everyone; [] until chosen
    buildings: list[int] | None = field(default_factory=list)

    @property
    def complete(self) -> bool:
        answers = (self.title, self.starts_at, self.place, self.minutes, self.slots, self.points)
        return all(a is not None for a in answers) and self.buildings != []


DRAFT = Drafts("activity_draft", ActivityDraft)


def _cancel_button(turn: Turn) -> InlineKeyboardButton:
    return button(turn.tr._("Cancel"), Dismiss("activity"))


def _led(turn: Turn) -> frozenset[int] | None:
    """The buildings a leader may address; None: anyone (staff, managers, committee)."""
    p = turn.principal
    if p.has_any(Role.STAFF, Role.MANAGER, Role.COMMITTEE):
        return None
    return p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID)


@private_only
async def start(update: Update, context: Context) -> str | int:
    turn = await started(
        update,
        context,
        DRAFT,
        allowed=lambda p: can(p, Action.ORGANISE_ACTIVITY),
        refused=lambda tr: tr._(
            "Volunteer activities are organised by building leaders, property staff and "
            "the committee. /activities shows the activities you can join."
        ),
    )
    if turn is None:
        return ConversationHandler.END
    await reply(
        update,
        turn.tr._("What is the activity? (for example: Clean the garden of building 1)"),
        keyboard([_cancel_button(turn)]),
    )
    return TITLE


async def _text(update: Update, context: Context, limit: int) -> tuple[Turn, str | None]:
    turn = await begin(update, context)
    return turn, await short_text(update, turn, limit)


async def _ask(update: Update, turn: Turn, text: str, buttons: list[InlineKeyboardButton]) -> None:
    message = update.effective_message
    markup = keyboard(buttons, per_row=4, footer=[_cancel_button(turn)])
    if update.callback_query is not None:
        await reply(update, text, markup)
    elif message is not None:
        await message.reply_text(text, reply_markup=markup)


@private_only
async def got_title(update: Update, context: Context) -> str:
    turn, title = await _text(update, context, 100)
    if title is None:
        return TITLE
    draft = DRAFT.load(context)
    draft.title = title
    DRAFT.save(context, draft)
    await _ask(
        update,
        turn,
        turn.tr._("When does it start? Send the day and time, like 2026-12-05 09:00."),
        [],
    )
    return WHEN


@private_only
async def got_when(update: Update, context: Context) -> str:
    turn, text = await _text(update, context, 40)
    if text is None:
        return WHEN
    message = update.effective_message
    assert message is not None
    try:
        starts = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=turn.tr.tz)
    except ValueError:
        await message.reply_text(
            turn.tr._("Please send the day and time like this: 2026-12-05 09:00.")
        )
        return WHEN
    if starts <= turn.now:
        await message.reply_text(turn.tr._("That time has passed. Please choose another."))
        return WHEN
    draft = DRAFT.load(context)
    draft.starts_at = to_ts(starts)
    DRAFT.save(context, draft)
    await _ask(update, turn, turn.tr._("Where do the volunteers meet?"), [])
    return PLACE


@private_only
async def got_place(update: Update, context: Context) -> str:
    turn, place = await _text(update, context, 200)
    if place is None:
        return PLACE
    draft = DRAFT.load(context)
    draft.place = place
    DRAFT.save(context, draft)
    buttons = [button(service.hours_text(turn.tr, m), ActLength(m)) for m in rules.MINUTE_CHOICES]
    await _ask(update, turn, turn.tr._("How long does it take?"), buttons)
    return LENGTH


#: The wizard's button steps: the draft field each sets and the values its buttons offer.
_CHOICES: dict[type[CallbackData], tuple[str, tuple[int, ...]]] = {
    ActLength: ("minutes", rules.MINUTE_CHOICES),
    ActSlots: ("slots", rules.SLOT_CHOICES),
    ActPoints: ("points", rules.POINT_CHOICES),
}


async def _pick(update: Update, context: Context, cls: type[CallbackData]) -> Turn | None:
    """A button step: its value kept in the draft (``None`` for a value no button offers)."""
    name, allowed = _CHOICES[cls]
    return await chosen(update, context, cls, DRAFT, name, lambda v: v in allowed)


@private_only
async def got_length(update: Update, context: Context) -> str:
    turn = await _pick(update, context, ActLength)
    if turn is None:
        return LENGTH
    buttons = [button(str(n), ActSlots(n)) for n in rules.SLOT_CHOICES]
    await _ask(update, turn, turn.tr._("How many volunteers are needed?"), buttons)
    return SLOTS


@private_only
async def got_slots(update: Update, context: Context) -> str:
    turn = await _pick(update, context, ActSlots)
    if turn is None:
        return SLOTS
    buttons = [button(str(n), ActPoints(n)) for n in rules.POINT_CHOICES]
    await _ask(
        update, turn, turn.tr._("How many points does each volunteer who comes earn?"), buttons
    )
    return POINTS


@private_only
async def got_points(update: Update, context: Context) -> str:
    turn = await _pick(update, context, ActPoints)
    if turn is None:
        return POINTS
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    led = _led(turn)
    buttons = (
        [] if led is not None else [button(turn.tr._("Everyone in the community"), ActAudience(0))]
    )
    buttons += [
        button(turn.tr.name(b.names), ActAudience(b.id))
        for b in buildings
        if led is None or b.id in led
    ]
    await _ask(update, turn, turn.tr._("Who is it for?"), buttons)
    return AUDIENCE


@private_only
async def got_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, ActAudience)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id) if data.building_id else None
        names = await building_names(conn, turn.tr)
    led = _led(turn)
    if (data.building_id and found is None) or (
        led is not None and (found is None or found.id not in led)
    ):
        await stale(query, turn)
        return AUDIENCE
    await answer(query)
    draft = DRAFT.load(context)
    draft.buildings = [found.id] if found else None
    DRAFT.save(context, draft)
    if not draft.complete:
        await reply(update, turn.tr._("Something is missing. Please start again with /activity."))
        return ConversationHandler.END  # type: ignore[return-value]
    tr = turn.tr
    preview = store.Activity(
        0,
        turn.user.id,
        str(draft.title),
        str(draft.place),
        int(draft.starts_at or 0),
        int(draft.minutes or 0),
        int(draft.slots or 0),
        int(draft.points or 0),
        draft.buildings,
        0,
        None,
    )
    text = "\n".join(
        [
            tr._("Please check the activity:"),
            *service.describe(tr, preview),
            tr._("For: {audience}", audience=audience_name(tr, names, draft.buildings)),
        ]
    )
    markup = keyboard([button(tr._("Announce it"), ActConfirm()), _cancel_button(turn)], per_row=2)
    await reply(update, text, markup)
    return CONFIRM


@private_only
async def confirm(update: Update, context: Context) -> str | int:
    query, _data, turn = await pressed(update, context, ActConfirm)
    draft = DRAFT.load(context)
    buildings = draft.buildings
    scope_ok = all(
        can(turn.principal, Action.ORGANISE_ACTIVITY, b) for b in (buildings or [])
    ) and (buildings is not None or _led(turn) is None)
    if not can(turn.principal, Action.ORGANISE_ACTIVITY) or not scope_ok:
        await answer(query, refusal_text(turn.tr, Refusal.NO_RIGHT), True)
        return ConversationHandler.END
    if not draft.complete:
        await stale(query, turn)
        return ConversationHandler.END
    starts_at = int(draft.starts_at or 0)
    if starts_at <= turn.ts:
        await answer(query, turn.tr._("That time has passed. Please choose another."), True)
        return ConversationHandler.END
    await answer(query)
    services = context.services
    due = rules.reminder_times(from_ts(starts_at), turn.now)
    async with services.db.transaction() as conn:
        activity_id = await store.create_activity(
            conn,
            organiser_id=turn.user.id,
            title=str(draft.title),
            place=str(draft.place),
            starts_at=starts_at,
            minutes=int(draft.minutes or 0),
            slots=int(draft.slots or 0),
            points=int(draft.points or 0),
            buildings=None if buildings is None else [int(b) for b in buildings],
            due={k: to_ts(v) for k, v in due.items()},
            now=turn.ts,
        )
        activity = await store.activity(conn, activity_id)
        assert activity is not None
        await service.announce(conn, services.i18n, activity, signup_buttons, now=turn.ts)
    services.deliver_now()
    DRAFT.clear(context)
    await reply(
        update,
        turn.tr._(
            "The activity is announced. You will get a delivery report; /activities shows "
            "who signed up, and after it you confirm who came there."
        ),
    )
    return ConversationHandler.END


def conversation() -> ConversationHandler[Any]:
    text = filters.ChatType.PRIVATE & ~filters.COMMAND
    return wizard(
        "activity",
        entry_points=[
            CommandHandler("activity", start),
            CallbackQueryHandler(start, pattern=menu_pattern("activity")),
        ],
        states={
            TITLE: [MessageHandler(text, got_title)],
            WHEN: [MessageHandler(text, got_when)],
            PLACE: [MessageHandler(text, got_place)],
            LENGTH: [CallbackQueryHandler(got_length, pattern=matches(ActLength))],
            SLOTS: [CallbackQueryHandler(got_slots, pattern=matches(ActSlots))],
            POINTS: [CallbackQueryHandler(got_points, pattern=matches(ActPoints))],
            AUDIENCE: [CallbackQueryHandler(got_audience, pattern=matches(ActAudience))],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=matches(ActConfirm))],
        },
        on_cancel=cancelled(DRAFT.key, lambda tr: tr._("Cancelled. Nothing was sent.")),
    )
