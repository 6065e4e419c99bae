"""Tickets, resident side: /report (kind → category → where → description or voice → photos →
summary), duplicates ("follow it instead"), the daily limit, /mytickets (history, add
information, withdraw), answering staff's questions, rating or "not fixed".

The staff side (cards, buttons, /queue, /ticket, the SLA sweep) is ``handlers.staff``; this
module's ``FEATURE`` carries both, so ``bot.app`` imports only ``handlers.tickets``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_, Translator
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts
from bot.rules.tickets import (
    MAX_PHOTOS,
    MAX_PLACE,
    Kind,
    Move,
    State,
    daily_limit,
    floor_of_place,
    same_place,
)
from bot.texts.tickets import KIND_LABELS, STATE_LABELS
from handlers.kit import (
    Dismiss,
    MenuPick,
    Turn,
    answer,
    begin,
    button,
    dismiss_pattern,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
    touch_person,
)
from handlers.kit.callbacks import CallbackData, callback, matches, parse_as
from handlers.kit.menu import main_menu, menu_pattern
from handlers.tickets import leaders as tickets_leaders
from handlers.tickets import staff
from handlers.tickets.staff import NoteStart, Outgoing, Rate
from storage import community, people
from storage import tickets as store
from storage.tickets import Ticket

KIND, CATEGORY, WHERE, BUILDING, PLACE, DUPLICATE, DESCRIBE, PHOTOS, CONFIRM = (
    f"report:{s}"
    for s in ("kind", "category", "where", "building", "place", "dup", "describe", "photos", "ok")
)
NOTE, COMMENT = "tickets:note", "tickets:comment"
DRAFT, NOTE_KEY, RATED_KEY = "ticket_draft", "ticket_note", "ticket_rated"


class Nav(enum.StrEnum):
    BACK = "back"
    NEXT = "next"  # skip / done with photos
    CONFIRM = "ok"
    EDIT = "edit"
    ANONYMOUS = "anon"
    ANYWAY = "anyway"


@callback("tk")
@dataclass(frozen=True)
class PickKind(CallbackData):
    kind: Kind


@callback("tc")
@dataclass(frozen=True)
class PickCategory(CallbackData):
    code: str


@callback("th")
@dataclass(frozen=True)
class PickHome(CallbackData):
    unit_id: int


@callback("tp")
@dataclass(frozen=True)
class PickPublic(CallbackData):
    pass


@callback("tb")
@dataclass(frozen=True)
class PickBuilding(CallbackData):
    building_id: int


@callback("tn")
@dataclass(frozen=True)
class ReportNav(CallbackData):
    step: Nav


@callback("tf")
@dataclass(frozen=True)
class FollowInstead(CallbackData):
    ticket_id: int


@callback("tm")
@dataclass(frozen=True)
class MyTicket(CallbackData):
    ticket_id: int


@callback("tw")
@dataclass(frozen=True)
class Withdraw(CallbackData):
    ticket_id: int
    confirm: bool


HISTORY_LABELS = {
    "created": N_("reported"),
    "followed": N_("a neighbour follows it"),
    Move.ACCEPT.value: N_("accepted"),
    "assigned": N_("assigned to staff"),
    "need_info": N_("staff asked a question"),
    "answered": N_("you answered"),
    "info_added": N_("information added"),
    Move.ON_SITE.value: N_("staff on site"),
    Move.RESOLVE.value: N_("resolved"),
    "transferred": N_("passed to another team"),
    Move.REJECT.value: N_("rejected"),
    Move.DUPLICATE.value: N_("marked as a duplicate"),
    Move.NOT_OURS.value: N_("not the property's responsibility"),
    Move.WITHDRAW.value: N_("withdrawn"),
    "reopened": N_("reopened: not fixed"),
    "escalated": N_("escalated to the manager"),
    "rated": N_("rated"),
    "auto_closed": N_("closed without a rating"),
}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _draft(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    draft = data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = {"photos": []}
        data[DRAFT] = draft
    return draft


def _clear(context: Context, *keys: str) -> None:
    if context.user_data is not None:
        for key in keys or (DRAFT,):
            context.user_data.pop(key, None)


def _cancel_button(tr: Translator) -> Any:
    return button(tr._("Cancel"), Dismiss("report"))


def _nav(tr: Translator, back: bool = True) -> list[Any]:
    footer = [button(tr._("Back"), ReportNav(Nav.BACK))] if back else []
    return [*footer, _cancel_button(tr)]


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply in the chat: edit the pressed message for a button, a new message otherwise."""
    await reply(update, text, markup)


async def _where_of_draft(turn: Turn, draft: dict[str, Any]) -> str:
    async with turn.services.db.read() as conn:
        building = await community.building(conn, int(draft.get("building_id") or 0))
        if draft.get("unit_id"):
            unit = await community.unit(conn, int(draft["unit_id"]))
            return turn.tr._("my home, unit {unit}", unit=unit.code if unit else "?")
    return turn.tr._(
        "{building}, {place}",
        building=building.name if building else "?",
        place=draft.get("place", ""),
    )


async def _category_label(turn: Turn, code: str) -> str:
    async with turn.services.db.read() as conn:
        return await staff.category_name(conn, turn.tr, code)


async def ask(update: Update, context: Context, turn: Turn, state: str, note: str = "") -> str:
    """Show the prompt of ``state`` (with an optional note above it) and return ``state``."""
    tr = turn.tr
    draft = _draft(context)
    text = ""
    markup: InlineKeyboardMarkup
    if state == KIND:
        text = tr._("What would you like to report?")
        kinds = [button(tr._(KIND_LABELS[k]), PickKind(k)) for k in Kind]
        markup = keyboard(kinds, footer=[_cancel_button(tr)])
    elif state == CATEGORY:
        async with turn.services.db.read() as conn:
            cats = await community.categories(conn)
        text = tr._("What is it about?")
        buttons = [button(tr.name(c.names), PickCategory(c.code)) for c in cats]
        markup = keyboard(buttons, per_row=2, footer=_nav(tr))
    elif state == WHERE:
        text = tr._("Where is it?")
        homes = [
            button(tr._("My home ({unit})", unit=r.unit_code), PickHome(r.unit_id))
            for r in turn.principal.verified
        ] or [button(tr._("My home"), PickHome(0))]
        markup = keyboard([*homes, button(tr._("A public area"), PickPublic())], footer=_nav(tr))
    elif state == BUILDING:
        async with turn.services.db.read() as conn:
            buildings = await community.buildings(conn)
        text = tr._("Which building?")
        buttons = [button(b.name, PickBuilding(b.id)) for b in buildings]
        markup = keyboard(buttons, per_row=3, footer=_nav(tr))
    elif state == PLACE:
        text = tr._('Where exactly? Write a short place, for example "3F corridor" or "lift 2".')
        markup = keyboard([], footer=_nav(tr))
    elif state == DESCRIBE:
        text = tr._(
            "Please describe the problem in a few words, or send a voice note. "
            "You can also send a photo with a caption."
        )
        markup = keyboard([], footer=_nav(tr))
    elif state == PHOTOS:
        count = len(draft.get("photos", []))
        if count:
            text = tr._(
                "Photo {count} of {max} received. Send another, or tap Done.",
                count=count,
                max=MAX_PHOTOS,
            )
            label = tr._("Done")
        else:
            text = tr._(
                "Would you like to add photos (up to {max})? Send them now, or tap Skip.",
                max=MAX_PHOTOS,
            )
            label = tr._("Skip")
        markup = keyboard([button(label, ReportNav(Nav.NEXT))], footer=_nav(tr))
    else:  # CONFIRM
        text = await summary(turn, draft)
        buttons = [
            button(tr._("Send the report"), ReportNav(Nav.CONFIRM)),
            button(tr._("Change the description"), ReportNav(Nav.EDIT)),
        ]
        if draft.get("kind") == Kind.COMPLAINT.value:
            label = (
                tr._("Show my name to staff")
                if draft.get("anonymous")
                else tr._("Hide my name from staff")
            )
            buttons.append(button(label, ReportNav(Nav.ANONYMOUS)))
        markup = keyboard(buttons, footer=_nav(tr))
    if note:
        text = f"{note}\n\n{text}"
    if update.callback_query is None:
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(text, reply_markup=markup)
    else:
        await _say(update, text, markup)
    return state


async def summary(turn: Turn, draft: dict[str, Any]) -> str:
    tr = turn.tr
    lines = [
        tr._("Please check your report:"),
        tr._("Type: {kind}", kind=tr._(KIND_LABELS[Kind(draft["kind"])])),
        tr._("About: {category}", category=await _category_label(turn, draft["category"])),
        tr._("Where: {where}", where=await _where_of_draft(turn, draft)),
    ]
    if draft.get("description"):
        lines.append(tr._("Description: {text}", text=draft["description"]))
    if draft.get("voice"):
        lines.append(tr._("Voice note attached."))
    photos = len(draft.get("photos", []))
    if photos:
        lines.append(tr.n_("{n} photo attached.", "{n} photos attached.", photos))
    if draft.get("kind") == Kind.COMPLAINT.value:
        lines.append(
            tr._("Staff will not see your name (the manager can, to follow up).")
            if draft.get("anonymous")
            else tr._("Staff will see your name.")
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The report flow
# ---------------------------------------------------------------------------------------------


async def _limit_reached(turn: Turn) -> str | None:
    async with turn.services.db.read() as conn:
        info = await community.get_community(conn)
        limit = daily_limit(info.settings if info else {})
        since = turn.ts - int(timedelta(days=1).total_seconds())
        count = await store.count_reported_since(conn, turn.user.id, since)
    if count >= limit:
        return turn.tr.n_(
            "You have reported {n} problem in the last 24 hours, which is the daily limit. "
            "Please try again tomorrow, or call the property office if it is urgent.",
            "You have reported {n} problems in the last 24 hours, which is the daily limit. "
            "Please try again tomorrow, or call the property office if it is urgent.",
            count,
        )
    return None


@private_only
async def report_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    async with turn.services.db.transaction() as conn:
        await touch_person(turn, conn)
        ready = await community.get_community(conn) is not None
    if not ready:
        await _say(update, turn.tr._("The community has not been set up yet. Please try later."))
        return ConversationHandler.END
    limited = await _limit_reached(turn)
    if limited:
        await _say(update, limited)
        return ConversationHandler.END
    _clear(context)
    _draft(context)
    return await ask(update, context, turn, KIND)


_report_conversation: ConversationHandler[Any] | None = None


async def _delegated(update: Update, context: Context) -> bool:
    """A photo or voice note is also how other flows (e.g. a notice with a photo) take input:
    if a conversation after ours is waiting for this user's message, hand it over."""
    app = context.application
    seen_mine = False
    for handler in app.handlers.get(0, []):
        if handler is _report_conversation:
            seen_mine = True
            continue
        if seen_mine and isinstance(handler, ConversationHandler):
            check = handler.check_update(update)
            if check is not None and check is not False:
                await handler.handle_update(update, app, check, context)
                return True
    return False


@private_only
async def media_start(update: Update, context: Context) -> str | int | None:
    """A photo or a voice note alone starts a report; the bot asks for the rest."""
    if await _delegated(update, context):
        return None
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    async with turn.services.db.transaction() as conn:
        await touch_person(turn, conn)
    limited = await _limit_reached(turn)
    if limited:
        await message.reply_text(limited)
        return ConversationHandler.END
    _clear(context)
    draft = _draft(context)
    if message.voice is not None:
        draft["voice"] = message.voice.file_id
        note = turn.tr._("Thank you, I have your voice note. A few taps to file it:")
    else:
        assert message.photo
        draft["photos"] = [message.photo[-1].file_id]
        caption = (message.caption or "").strip()
        if caption and not text_too_long(turn, caption):
            draft["description"] = caption
        note = turn.tr._("Thank you, I have your photo. A few taps to file it:")
    return await ask(update, context, turn, KIND, note)


@private_only
async def pick_kind(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = parse_as(query.data, PickKind)
    await answer(query)
    turn = await begin(update, context)
    draft = _draft(context)
    draft["kind"] = data.kind.value
    draft.setdefault("anonymous", False)
    return await ask(update, context, turn, CATEGORY)


@private_only
async def pick_category(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickCategory)
    async with turn.services.db.read() as conn:
        cat = await staff.category_of(conn, data.code)
    if cat is None:
        await stale(query, turn)
        return CATEGORY
    await answer(query)
    draft = _draft(context)
    draft["category"] = cat.code
    return await ask(update, context, turn, WHERE)


@private_only
async def pick_home(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickHome)
    home = next((r for r in turn.principal.verified if r.unit_id == data.unit_id), None)
    if home is None or not can(turn.principal, Action.REPORT_HOME, home.building_id):
        await answer(
            query,
            turn.tr._(
                "To report a problem in your home, please join your unit first (/join). "
                "You can report a problem in a public area now."
            ),
            alert=True,
        )
        return WHERE
    await answer(query)
    async with turn.services.db.read() as conn:
        unit = await community.unit(conn, home.unit_id)
    draft = _draft(context)
    draft.update(
        unit_id=home.unit_id,
        building_id=home.building_id,
        floor=unit.floor if unit else None,
        place="",
    )
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
    draft = _draft(context)
    draft.update(building_id=found.id, unit_id=None, floor=None)
    return await ask(update, context, turn, PLACE)


@private_only
async def place_text(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    turn = await begin(update, context)
    text = message.text.strip()
    problem = text_too_long(turn, text, MAX_PLACE)
    if problem or not text:
        return await ask(update, context, turn, PLACE, problem or "")
    draft = _draft(context)
    draft.update(place=text, floor=floor_of_place(text))
    return await after_where(update, context, turn)


async def after_where(update: Update, context: Context, turn: Turn) -> str:
    """Offer an open ticket about the same thing, or go on to the description."""
    draft = _draft(context)
    async with turn.services.db.read() as conn:
        candidates = await store.open_like(
            conn, int(draft["building_id"]), draft["category"], draft.get("unit_id")
        )
        found: Ticket | None = None
        for t in candidates:
            if t.reporter_id == turn.user.id or await store.is_follower(conn, t.id, turn.user.id):
                continue
            if draft.get("unit_id") or same_place(draft.get("floor"), t.floor):
                found = t
                break
        where = await staff.where_text(conn, turn.tr, found, False) if found else ""
    if found is None:
        return await next_after_where(update, context, turn)
    tr = turn.tr
    text = tr._(
        "A neighbour already reported this: ticket #{number} ({category}, {where}), which is "
        "{state}. Would you like to follow it instead? You will get the same updates.",
        number=found.id,
        category=await _category_label(turn, found.category),
        where=where,
        state=tr._(STATE_LABELS[found.state]),
    )
    markup = keyboard(
        [
            button(tr._("Follow it instead"), FollowInstead(found.id)),
            button(tr._("Report mine anyway"), ReportNav(Nav.ANYWAY)),
        ],
        footer=_nav(tr),
    )
    if update.callback_query is None:
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(text, reply_markup=markup)
    else:
        await _say(update, text, markup)
    return DUPLICATE


async def next_after_where(update: Update, context: Context, turn: Turn) -> str:
    draft = _draft(context)
    if draft.get("description") or draft.get("voice"):
        if len(draft.get("photos", [])) >= MAX_PHOTOS:
            return await ask(update, context, turn, CONFIRM)
        return await ask(update, context, turn, PHOTOS)
    return await ask(update, context, turn, DESCRIBE)


@private_only
async def report_anyway(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await next_after_where(update, context, turn)


@private_only
async def follow_instead(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, FollowInstead)
    async with turn.services.db.transaction() as conn:
        ticket = await store.get(conn, data.ticket_id)
        if ticket is None or not ticket.is_open:
            await answer(query, turn.tr._("This ticket is already closed."), alert=True)
            return DUPLICATE
        if await store.follow(conn, ticket.id, turn.user.id, turn.ts):
            await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "followed")
    await answer(query)
    _clear(context)
    await _say(
        update,
        turn.tr._(
            "You now follow ticket #{number}. I will tell you about every change. "
            "See it any time with /mytickets.",
            number=data.ticket_id,
        ),
    )
    return ConversationHandler.END


@private_only
async def describe_text(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    turn = await begin(update, context)
    text = message.text.strip()
    problem = text_too_long(turn, text)
    if problem or not text:
        return await ask(update, context, turn, DESCRIBE, problem or "")
    _draft(context)["description"] = text
    return await ask(update, context, turn, PHOTOS)


@private_only
async def describe_voice(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.voice is not None
    turn = await begin(update, context)
    _draft(context)["voice"] = message.voice.file_id
    return await ask(update, context, turn, PHOTOS)


@private_only
async def describe_photo(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.photo
    turn = await begin(update, context)
    draft = _draft(context)
    photos = draft.setdefault("photos", [])
    if len(photos) < MAX_PHOTOS:
        photos.append(message.photo[-1].file_id)
    caption = (message.caption or "").strip()
    if caption:
        problem = text_too_long(turn, caption)
        if problem:
            return await ask(update, context, turn, DESCRIBE, problem)
        draft["description"] = caption
        return await ask(update, context, turn, PHOTOS)
    if draft.get("voice") or draft.get("description"):
        return await ask(update, context, turn, PHOTOS)
    return await ask(update, context, turn, DESCRIBE, turn.tr._("Photo received."))


@private_only
async def add_photo(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.photo
    turn = await begin(update, context)
    photos = _draft(context).setdefault("photos", [])
    if len(photos) < MAX_PHOTOS:
        photos.append(message.photo[-1].file_id)
    if len(photos) >= MAX_PHOTOS:
        return await ask(update, context, turn, CONFIRM)
    return await ask(update, context, turn, PHOTOS)


@private_only
async def photos_done(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await ask(update, context, turn, CONFIRM)


@private_only
async def edit_description(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    draft = _draft(context)
    draft.pop("description", None)
    draft.pop("voice", None)
    return await ask(update, context, turn, DESCRIBE)


@private_only
async def toggle_anonymous(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    draft = _draft(context)
    if draft.get("kind") == Kind.COMPLAINT.value:
        draft["anonymous"] = not draft.get("anonymous", False)
    return await ask(update, context, turn, CONFIRM)


@private_only
async def confirm(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = _draft(context)
    services = context.services
    if not {"kind", "category", "building_id"} <= draft.keys():
        await stale(query, turn)
        _clear(context)
        return ConversationHandler.END
    limited = await _limit_reached(turn)
    if limited:
        await answer(query)
        await _say(update, limited)
        _clear(context)
        return ConversationHandler.END
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        cat = await staff.category_of(conn, draft["category"])
        unit_id = draft.get("unit_id")
        home_ok = unit_id is None or any(r.unit_id == unit_id for r in turn.principal.verified)
        if cat is None or not home_ok:
            await stale(query, turn)
            _clear(context)
            return ConversationHandler.END
        ticket_id = await store.create(
            conn,
            kind=Kind(draft["kind"]),
            category=cat.code,
            priority=cat.priority,
            building_id=int(draft["building_id"]),
            unit_id=unit_id,
            floor=draft.get("floor"),
            place=draft.get("place", ""),
            description=draft.get("description", ""),
            voice_file_id=draft.get("voice"),
            photos=list(draft.get("photos", [])),
            anonymous=bool(draft.get("anonymous")) and draft["kind"] == Kind.COMPLAINT.value,
            reporter_id=turn.user.id,
            now=turn.ts,
        )
        ticket = await staff.reschedule(conn, ticket_id)
        outgoing += await staff.new_ticket_cards(conn, services, ticket)
        await staff.queue(conn, outgoing, turn.ts)  # the staff cards are rows with the ticket
    services.deliver_now()
    await answer(query)
    _clear(context)
    text = turn.tr._("Thank you! Your report is ticket #{number}.", number=ticket.id)
    if ticket.response_due_at is not None:
        text += "\n" + turn.tr._(
            "The property staff will respond by {when}.",
            when=turn.tr.when(from_ts(ticket.response_due_at), "short"),
        )
    text += "\n" + turn.tr._("I will tell you about every change. See it with /mytickets.")
    await _say(update, text)
    return ConversationHandler.END


def back_to(state: str) -> Any:
    @private_only
    async def go_back(update: Update, context: Context) -> str:
        await answer(update.callback_query)
        turn = await begin(update, context)
        return await ask(update, context, turn, state)

    return go_back


def hint_for(state: str) -> Any:
    """Wrong input at a step: a gentle hint, the step asked again, nothing changed."""

    @private_only
    async def hint(update: Update, context: Context) -> str:
        turn = await begin(update, context)
        tr = turn.tr
        if state == PLACE:
            note = tr._("Please write the place in a few words.")
        elif state == DESCRIBE:
            note = tr._("Please describe the problem in words or with a voice note.")
        elif state == PHOTOS:
            note = tr._("Please send a photo, or tap Skip / Done.")
        else:
            note = tr._("Please tap one of the buttons below, or Cancel to stop.")
        if state == DUPLICATE:
            message = update.effective_message
            if message is not None:
                await message.reply_text(note)
            return state
        return await ask(update, context, turn, state, note)

    return hint


@private_only
async def cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    _clear(context)
    turn = await begin(update, context)
    await main_menu(update, context, turn, turn.tr._("Cancelled. Nothing was reported."))
    return ConversationHandler.END


# ---------------------------------------------------------------------------------------------
# /mytickets: my open and recent tickets, history, add information, withdraw
# ---------------------------------------------------------------------------------------------


@private_only
async def my_tickets(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    async with turn.services.db.read() as conn:
        found = await store.of_resident(conn, turn.user.id)
        labels = [
            f"#{t.id} {await staff.category_name(conn, tr, t.category)} · "
            f"{tr._(STATE_LABELS[t.state])}"
            for t in found
        ]
    if not found:
        await reply(update, tr._("You have no tickets yet. To report a problem, send /report."))
        return
    buttons = [button(label[:60], MyTicket(t.id)) for t, label in zip(found, labels, strict=True)]
    await reply(
        update, tr._("Your tickets (open ones first). Tap one to see it:"), keyboard(buttons)
    )


async def _mine(conn: Any, ticket_id: int, user_id: int) -> tuple[Ticket | None, bool]:
    """The ticket if the user reported or follows it; and whether they reported it."""
    ticket = await store.get(conn, ticket_id)
    if ticket is None:
        return None, False
    if ticket.reporter_id == user_id:
        return ticket, True
    if await store.is_follower(conn, ticket_id, user_id):
        return ticket, False
    return None, False


async def ticket_details(turn: Turn, ticket_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
    tr = turn.tr
    async with turn.services.db.read() as conn:
        ticket, reporter = await _mine(conn, ticket_id, turn.user.id)
        if ticket is None:
            return None
        lines = [
            tr._(
                "Ticket #{number}: {kind}, {category}",
                number=ticket.id,
                kind=tr._(KIND_LABELS[ticket.kind]),
                category=await staff.category_name(conn, tr, ticket.category),
            ),
            tr._("Where: {where}", where=await staff.where_text(conn, tr, ticket, reporter)),
            tr._("State: {state}", state=tr._(STATE_LABELS[ticket.state])),
        ]
        if ticket.description:
            lines.append(tr._("Description: {text}", text=ticket.description))
        if ticket.is_open and ticket.response_due_at is not None:
            lines.append(
                tr._(
                    "Staff will respond by {when}.",
                    when=tr.when(from_ts(ticket.response_due_at), "short"),
                )
            )
        lines.append(tr._("History:"))
        for row in await store.history(conn, ticket.id):
            label = HISTORY_LABELS.get(row.action)
            if label is None:
                continue  # internal entries (reminders) are for staff
            lines.append(f"· {tr.when(from_ts(row.at), 'short')} {tr._(label)}")
    buttons = []
    if reporter and ticket.is_open:
        buttons.append(button(tr._("Add information or photos"), NoteStart(ticket.id)))
        buttons.append(button(tr._("Withdraw it"), Withdraw(ticket.id, False)))
    if ticket.state is State.RESOLVED:
        if reporter:
            buttons += [button("⭐" * n, Rate(ticket.id, n)) for n in range(1, 6)]
        buttons.append(button(tr._("Not fixed"), Rate(ticket.id, 0)))
    buttons.append(button(tr._("Back to my tickets"), MenuPick("mytickets")))
    return "\n".join(lines), keyboard(buttons)


@private_only
async def open_my_ticket(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, MyTicket)
    shown = await ticket_details(turn, data.ticket_id)
    if shown is None:
        await stale(query, turn)
        return
    await answer(query)
    await reply(update, *shown)


@private_only
async def withdraw(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, Withdraw)
    tr = turn.tr
    if not data.confirm:
        await answer(query)
        await reply(
            update,
            tr._(
                "Withdraw ticket #{number}? Staff will stop working on it.", number=data.ticket_id
            ),
            keyboard(
                [
                    button(tr._("Yes, withdraw it"), Withdraw(data.ticket_id, True)),
                    button(tr._("No, keep the ticket"), MyTicket(data.ticket_id)),
                ]
            ),
        )
        return
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket, reporter = await _mine(conn, data.ticket_id, turn.user.id)
        if ticket is None or not reporter or not ticket.is_open:
            await answer(query, tr._("This button is no longer valid."), alert=True)
            return
        changed = await store.transition(
            conn, ticket.id, [ticket.state], State.WITHDRAWN, turn.ts, closed_at=turn.ts
        )
        if not changed:
            await answer(query, tr._("This button is no longer valid."), alert=True)
            return
        await store.close_pauses(conn, ticket.id, turn.ts)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, Move.WITHDRAW.value)
        updated = await staff.reschedule(conn, ticket.id)
        outgoing += await staff.resident_news(
            conn, services, updated, Move.WITHDRAW, skip=turn.user.id
        )
        await staff.refresh_cards(conn, services, data.ticket_id, turn.ts)
        await staff.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)
    await reply(update, tr._("Ticket #{number} is withdrawn.", number=data.ticket_id))


# ---------------------------------------------------------------------------------------------
# Adding information / answering staff, rating / "not fixed", a comment
# ---------------------------------------------------------------------------------------------


@private_only
async def note_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, NoteStart)
    async with turn.services.db.read() as conn:
        ticket, reporter = await _mine(conn, data.ticket_id, turn.user.id)
    if ticket is None or not reporter or not ticket.is_open:
        await stale(query, turn)
        return ConversationHandler.END
    await answer(query)
    assert context.user_data is not None
    context.user_data[NOTE_KEY] = ticket.id
    await reply(
        update,
        turn.tr._(
            "Send me your information for ticket #{number}: text, a voice note or a photo.",
            number=ticket.id,
        ),
        keyboard([button(turn.tr._("Cancel"), Dismiss("tickets-note"))]),
    )
    return NOTE


@private_only
async def note_message(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    assert context.user_data is not None
    ticket_id = context.user_data.get(NOTE_KEY)
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    text = (message.text or message.caption or "").strip()
    voice = message.voice.file_id if message.voice else None
    photo = message.photo[-1].file_id if message.photo else None
    if not (text or voice or photo):
        await message.reply_text(turn.tr._("Please send text, a voice note or a photo."))
        return NOTE
    problem = text_too_long(turn, text)
    if problem:
        await message.reply_text(problem)
        return NOTE
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket, reporter = await _mine(conn, ticket_id, turn.user.id)
        if ticket is None or not reporter or not ticket.is_open:
            await message.reply_text(turn.tr._("This ticket is already closed."))
            context.user_data.pop(NOTE_KEY, None)
            return ConversationHandler.END
        await store.add_note(conn, ticket.id, turn.ts, turn.user.id, text, voice, photo)
        answered = await store.transition(
            conn, ticket.id, [State.WAITING_RESIDENT], State.ACCEPTED, turn.ts
        )
        if answered:
            await store.close_pauses(conn, ticket.id, turn.ts)
        action = "answered" if answered else "info_added"
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, action, text)
        updated = await staff.reschedule(conn, ticket.id)
        info = await community.get_community(conn)
        target = (ticket.asked_by if answered else None) or updated.assignee_id
        chat_id = target or (info.staff_chat_id if info else None)
        if chat_id is not None:
            tr = await staff.card_translator(services, conn, chat_id)
            head = (
                tr._("The resident answered about ticket #{number}:", number=ticket.id)
                if answered
                else tr._("New information on ticket #{number}:", number=ticket.id)
            )
            body = head + ("\n" + text if text else "")
            outgoing.append(Outgoing(chat_id, body, None, voice, [photo] if photo else []))
        await staff.refresh_cards(conn, services, ticket_id, turn.ts)
        await staff.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    context.user_data.pop(NOTE_KEY, None)
    await message.reply_text(turn.tr._("Thank you, I passed it on to the property staff."))
    return ConversationHandler.END


@private_only
async def rate(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, Rate)
    tr = turn.tr
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket, reporter = await _mine(conn, data.ticket_id, turn.user.id)
        valid = ticket is not None and 0 <= data.stars <= 5 and (reporter or data.stars == 0)
        if ticket is None or not valid:
            await answer(query, tr._("This button is no longer valid."), alert=True)
            return ConversationHandler.END
        if ticket.state is not State.RESOLVED:
            await answer(
                query,
                tr._(
                    "Ticket #{number} is now {state}.",
                    number=ticket.id,
                    state=tr._(STATE_LABELS[ticket.state]),
                ),
                alert=True,
            )
            return ConversationHandler.END
        if data.stars:
            changed = await store.transition(
                conn,
                ticket.id,
                [State.RESOLVED],
                State.CLOSED,
                turn.ts,
                rating=data.stars,
                rated_at=turn.ts,
                closed_at=turn.ts,
            )
            if changed:
                await store.add_history(
                    conn, ticket.id, turn.ts, turn.user.id, "rated", str(data.stars)
                )
        else:
            changed = await store.transition(
                conn,
                ticket.id,
                [State.RESOLVED],
                State.REOPENED,
                turn.ts,
                reopen_count=ticket.reopen_count + 1,
            )
            if changed:
                await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "reopened")
                await store.add_history(conn, ticket.id, turn.ts, None, "escalated", "manager")
        if not changed:
            await answer(query, tr._("This button is no longer valid."), alert=True)
            return ConversationHandler.END
        await staff.drop_rating_timers(conn, ticket.id)
        updated = await staff.reschedule(conn, ticket.id)
        if not data.stars:
            for manager in await _managers(conn, updated.building_id):
                outgoing.append(
                    await staff.private_card(
                        conn,
                        services,
                        updated,
                        manager,
                        "manager",
                        intro=N_("Escalation: the resident says this ticket is not fixed."),
                    )
                )
            outgoing += await staff.resident_news(conn, services, updated, Move.REOPEN)
        await staff.refresh_cards(conn, services, data.ticket_id, turn.ts)
        await staff.queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)
    if not data.stars:
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[RATED_KEY] = data.ticket_id
    await reply(
        update,
        tr._(
            "Thank you for rating ticket #{number}! If you like, write a short comment now.",
            number=data.ticket_id,
        ),
        keyboard([button(tr._("No comment"), Dismiss("tickets-note"))]),
    )
    return COMMENT


async def _managers(conn: Any, building_id: int) -> list[int]:
    return await people.role_holders(conn, Role.MANAGER, building_id)


@private_only
async def comment(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    assert context.user_data is not None
    ticket_id = context.user_data.get(RATED_KEY)
    text = (message.text or "").strip()
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    problem = text_too_long(turn, text) if text else turn.tr._("Please write your comment.")
    if problem:
        await message.reply_text(problem)
        return COMMENT
    async with turn.services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is not None and ticket.reporter_id == turn.user.id and ticket.rating:
            await store.update_fields(conn, ticket_id, rating_comment=text)
    context.user_data.pop(RATED_KEY, None)
    await message.reply_text(turn.tr._("Thank you, your comment is recorded."))
    return ConversationHandler.END


@private_only
async def note_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    _clear(context, NOTE_KEY, RATED_KEY)
    turn = await begin(update, context)
    await reply(update, turn.tr._("All right."))
    return ConversationHandler.END


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------


def _step(step: Nav) -> Any:
    check = matches(ReportNav)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, ReportNav).step == step

    return pattern


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    global _report_conversation
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    other = private & ~filters.COMMAND
    back = _step(Nav.BACK)
    report = ConversationHandler(
        entry_points=[
            CommandHandler("report", report_start),
            CallbackQueryHandler(report_start, pattern=menu_pattern("report")),
            MessageHandler(private & (filters.PHOTO | filters.VOICE), media_start),
        ],
        states={
            KIND: [
                CallbackQueryHandler(pick_kind, pattern=matches(PickKind)),
                MessageHandler(other, hint_for(KIND)),
            ],
            CATEGORY: [
                CallbackQueryHandler(pick_category, pattern=matches(PickCategory)),
                CallbackQueryHandler(back_to(KIND), pattern=back),
                MessageHandler(other, hint_for(CATEGORY)),
            ],
            WHERE: [
                CallbackQueryHandler(pick_home, pattern=matches(PickHome)),
                CallbackQueryHandler(pick_public, pattern=matches(PickPublic)),
                CallbackQueryHandler(back_to(CATEGORY), pattern=back),
                MessageHandler(other, hint_for(WHERE)),
            ],
            BUILDING: [
                CallbackQueryHandler(pick_building, pattern=matches(PickBuilding)),
                CallbackQueryHandler(back_to(WHERE), pattern=back),
                MessageHandler(other, hint_for(BUILDING)),
            ],
            PLACE: [
                MessageHandler(text, place_text),
                CallbackQueryHandler(back_to(BUILDING), pattern=back),
                MessageHandler(other, hint_for(PLACE)),
            ],
            DUPLICATE: [
                CallbackQueryHandler(follow_instead, pattern=matches(FollowInstead)),
                CallbackQueryHandler(report_anyway, pattern=_step(Nav.ANYWAY)),
                CallbackQueryHandler(back_to(WHERE), pattern=back),
                MessageHandler(other, hint_for(DUPLICATE)),
            ],
            DESCRIBE: [
                MessageHandler(text, describe_text),
                MessageHandler(private & filters.VOICE, describe_voice),
                MessageHandler(private & filters.PHOTO, describe_photo),
                CallbackQueryHandler(back_to(WHERE), pattern=back),
                MessageHandler(other, hint_for(DESCRIBE)),
            ],
            PHOTOS: [
                MessageHandler(private & filters.PHOTO, add_photo),
                CallbackQueryHandler(photos_done, pattern=_step(Nav.NEXT)),
                CallbackQueryHandler(back_to(DESCRIBE), pattern=back),
                MessageHandler(other, hint_for(PHOTOS)),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=_step(Nav.CONFIRM)),
                CallbackQueryHandler(edit_description, pattern=_step(Nav.EDIT)),
                CallbackQueryHandler(toggle_anonymous, pattern=_step(Nav.ANONYMOUS)),
                CallbackQueryHandler(back_to(PHOTOS), pattern=back),
                MessageHandler(other, hint_for(CONFIRM)),
            ],
        },
        fallbacks=[
            CallbackQueryHandler(cancel, pattern=dismiss_pattern("report")),
            CommandHandler("cancel", cancel),
            # starting again mid-flow: as fallbacks, so that a photo or voice note inside the
            # flow is the step's input, not a new start
            CommandHandler("report", report_start),
            CallbackQueryHandler(report_start, pattern=menu_pattern("report")),
        ],
        name="report",
        persistent=True,
        allow_reentry=False,
    )
    _report_conversation = report
    notes = ConversationHandler(
        entry_points=[
            CallbackQueryHandler(note_start, pattern=matches(NoteStart)),
            CallbackQueryHandler(rate, pattern=matches(Rate)),
        ],
        states={
            NOTE: [
                MessageHandler(
                    private & (filters.TEXT | filters.VOICE | filters.PHOTO) & ~filters.COMMAND,
                    note_message,
                ),
                MessageHandler(other, note_message),
            ],
            COMMENT: [MessageHandler(other, comment)],
        },
        fallbacks=[
            CallbackQueryHandler(note_cancel, pattern=dismiss_pattern("tickets-note")),
            CommandHandler("cancel", note_cancel),
        ],
        name="tickets-note",
        persistent=True,
        allow_reentry=True,
    )
    return [
        report,
        notes,
        CommandHandler("mytickets", my_tickets),
        CallbackQueryHandler(my_tickets, pattern=menu_pattern("mytickets")),
        CallbackQueryHandler(open_my_ticket, pattern=matches(MyTicket)),
        CallbackQueryHandler(withdraw, pattern=matches(Withdraw)),
        *staff.handlers(),
        *tickets_leaders.handlers(),
    ]


def _staff_visible(p: Any) -> bool:
    return bool(can(p, Action.HANDLE_TICKETS))


FEATURE = Feature(
    name="tickets",
    handlers=_handlers,
    menu=(
        MenuEntry("report", N_("Report a problem"), 10),
        MenuEntry("mytickets", N_("My tickets"), 11),
        MenuEntry("queue", N_("Ticket queue (staff)"), 12, visible=_staff_visible),
        MenuEntry(
            tickets_leaders.MENU_KEY,
            N_("Open tickets in my buildings"),
            13,
            visible=tickets_leaders.menu_visible,
        ),
    ),
    commands=(
        CommandSpec("report", N_("Report a repair, complaint or suggestion")),
        CommandSpec("mytickets", N_("My tickets and their state")),
        CommandSpec("queue", N_("Staff: my ticket queue"), roles=(Role.STAFF, Role.MANAGER)),
        CommandSpec(
            "ticket",
            N_("Staff: open a ticket by its number"),
            listed=False,
            roles=(Role.STAFF, Role.MANAGER),
        ),
        CommandSpec(
            tickets_leaders.COMMAND,
            N_("Building leaders: open tickets in my buildings"),
            roles=tickets_leaders.ROLES,
        ),
    ),
    jobs=(JobSpec(staff.SLA_JOB, staff.sla_job, interval_seconds=30.0, first_seconds=10.0),),
)
