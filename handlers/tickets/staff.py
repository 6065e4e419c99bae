"""Tickets, staff side: the card pushed to the staff chat (and team chat, and private copies),
its buttons (accept, assign, need info, on site, resolve, transfer, reject), /queue, /ticket N,
the SLA sweep job, and the helpers the resident side shares (rescheduling, card refresh,
telling the resident).

Cards are edited in place wherever they were posted (outbox cards ``ticket:<id>`` keep every
chat and message id); every message to someone else is an outbox row written in the
transaction of the change. Group cards never show a unit number or the author of a
complaint; private copies show the unit, and only managers see who filed an anonymous
complaint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context, Services
from bot.delivery import payload_buttons
from bot.i18n import N_, Translator
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts, to_ts
from bot.rules.sla import Audience, Pause, Stage
from bot.rules.tickets import (
    AUTO_CLOSE,
    RATING_ASK,
    UNANSWERED,
    WORKING,
    Kind,
    Move,
    State,
    can_move,
    plan,
    rating_reminder,
    sla_setup,
    staff_moves,
)
from bot.texts.tickets import KIND_LABELS, PRIORITY_LABELS, STAGE_LABELS, STATE_LABELS
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    dismiss_pattern,
    keyboard,
    notify,
    pressed,
    private_only,
    reply,
    text_too_long,
    translator_for,
)
from handlers.kit.callbacks import CallbackData, callback, matches, parse_as
from handlers.kit.menu import menu_pattern
from storage import community, outbox, people
from storage import tickets as store
from storage.tickets import Ticket

log = logging.getLogger(__name__)

SLA_JOB = "tickets-sla"
ASK_QUESTION = "tickets:ask"
ASK_REASON = "tickets:reason"
OUTCOME_KEY = "tickets_outcome"
ASK_KEY = "tickets_ask"
SLA_STAGES = [s.value for s in Stage]


@callback("ta")
@dataclass(frozen=True)
class StaffAct(CallbackData):
    ticket_id: int
    move: Move


@callback("tg")
@dataclass(frozen=True)
class StaffAssign(CallbackData):
    ticket_id: int
    user_id: int


@callback("tx")
@dataclass(frozen=True)
class StaffTransfer(CallbackData):
    ticket_id: int
    category: str


@callback("to")
@dataclass(frozen=True)
class StaffOpen(CallbackData):
    ticket_id: int


@callback("tz")
@dataclass(frozen=True)
class StaffBack(CallbackData):
    ticket_id: int


@callback("tv")
@dataclass(frozen=True)
class Rate(CallbackData):
    """A resident's rating (1-5) of a resolved ticket; 0 is "not fixed"."""

    ticket_id: int
    stars: int


@callback("ti")
@dataclass(frozen=True)
class NoteStart(CallbackData):
    """The resident adds information (or answers staff's question) to a ticket."""

    ticket_id: int


MOVE_LABELS = {
    Move.ACCEPT: N_("Accept"),
    Move.ASSIGN: N_("Assign"),
    Move.NEED_INFO: N_("Ask the resident"),
    Move.ON_SITE: N_("On site"),
    Move.RESOLVE: N_("Resolved"),
    Move.TRANSFER: N_("Transfer"),
    Move.REJECT: N_("Reject / duplicate"),
    Move.DUPLICATE: N_("Duplicate"),
    Move.NOT_OURS: N_("Not our responsibility"),
}
OUTCOMES = (Move.REJECT, Move.DUPLICATE, Move.NOT_OURS)


# ---------------------------------------------------------------------------------------------
# Outgoing messages: outbox rows written in the transaction of the change that causes them
# ---------------------------------------------------------------------------------------------


@dataclass
class Outgoing:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None
    voice: str | None = None
    photos: list[str] = field(default_factory=list)
    card_of: int | None = None  # this message is the ticket's card in that chat
    audience: str = "group"


def ticket_card(ticket_id: int) -> str:
    """The card key of a ticket's cards (one per chat it was posted in)."""
    return f"ticket:{ticket_id}"


async def queue(conn: aiosqlite.Connection, outgoing: list[Outgoing], now: int) -> None:
    """Each message as outbox rows, in the caller's transaction: the text (the card), then the
    voice note and photos as the resident sent them, in that order. The caller then calls
    ``services.deliver_now()`` once the transaction has committed."""
    for out in outgoing:
        card = ticket_card(out.card_of) if out.card_of is not None else None
        ref = str(out.card_of or "")
        payload = outbox.Payload(
            text=out.text,
            buttons=payload_buttons(out.markup),
            audience=out.audience if card else "",
        )
        await outbox.push(conn, out.chat_id, payload, now=now, kind="ticket", ref=ref, card=card)
        caption = out.text.split("\n")[0][:200]
        media = [outbox.Payload(text=caption, voice=out.voice)] if out.voice else []
        media += [outbox.Payload(text=caption, photo=photo) for photo in out.photos]
        for item in media:
            await outbox.push(conn, out.chat_id, item, now=now, kind="ticket", ref=ref)


# ---------------------------------------------------------------------------------------------
# SLA: deadlines and reminder rows follow the ticket
# ---------------------------------------------------------------------------------------------


async def category_of(conn: aiosqlite.Connection, code: str) -> community.Category | None:
    for cat in await community.categories(conn):
        if cat.code == code:
            return cat
    return None


async def reschedule(conn: aiosqlite.Connection, ticket_id: int) -> Ticket:
    """Recompute the ticket's deadlines and unsent reminder rows (pauses move them)."""
    ticket = await store.get(conn, ticket_id)
    assert ticket is not None
    info = await community.get_community(conn)
    assert info is not None
    cat = await category_of(conn, ticket.category)
    setup = sla_setup(
        info.settings,
        info.timezone,
        ticket.priority,
        cat.response_minutes if cat else None,
        cat.resolution_minutes if cat else None,
    )
    pauses = [
        Pause(from_ts(start), from_ts(end) if end is not None else None)
        for start, end in await store.pauses(conn, ticket_id)
    ]
    result = plan(
        setup, from_ts(ticket.created_at), ticket.state, ticket.accepted_at is not None, pauses
    )
    await store.sync_reminders(
        conn, ticket_id, SLA_STAGES, {k: to_ts(v) for k, v in result.reminders.items()}
    )
    if ticket.is_open:
        await store.update_fields(
            conn,
            ticket_id,
            response_due_at=to_ts(result.response_due) if result.response_due else None,
            resolution_due_at=to_ts(result.resolution_due) if result.resolution_due else None,
        )
    refreshed = await store.get(conn, ticket_id)
    assert refreshed is not None
    return refreshed


async def set_rating_timers(conn: aiosqlite.Connection, ticket: Ticket, now: int) -> None:
    info = await community.get_community(conn)
    delay = int(rating_reminder(info.settings if info else {}).total_seconds())
    await store.sync_reminders(
        conn,
        ticket.id,
        [RATING_ASK, AUTO_CLOSE],
        {RATING_ASK: now + delay, AUTO_CLOSE: now + 2 * delay},
    )


async def drop_rating_timers(conn: aiosqlite.Connection, ticket_id: int) -> None:
    await store.sync_reminders(conn, ticket_id, [RATING_ASK, AUTO_CLOSE], {})


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


async def name_of(conn: aiosqlite.Connection, user_id: int | None) -> str:
    if user_id is None:
        return "-"
    person = await people.get_person(conn, user_id)
    return person.first_name if person and person.first_name else f"#{user_id}"


async def where_text(conn: aiosqlite.Connection, tr: Translator, t: Ticket, show_unit: bool) -> str:
    found = await community.building(conn, t.building_id)
    building = found.name if found else "?"
    if t.unit_id is not None:
        unit = await community.unit(conn, t.unit_id)
        if show_unit and unit is not None:
            return tr._("{building}, unit {unit}", building=building, unit=unit.code)
        return tr._("{building}, a home on floor {floor}", building=building, floor=t.floor)
    return tr._("{building}, {place}", building=building, place=t.place)


async def category_name(conn: aiosqlite.Connection, tr: Translator, code: str) -> str:
    found = await community.category(conn, code)
    return tr.name(found.names) if found is not None else code


def show_reporter(t: Ticket, audience: str) -> bool:
    if t.anonymous:
        return audience == "manager"
    if t.kind is Kind.COMPLAINT:
        return audience != "group"
    return True


async def card_text(conn: aiosqlite.Connection, tr: Translator, t: Ticket, audience: str) -> str:
    lines = [
        tr._(
            "Ticket #{number} · {kind} · {category} · {priority}",
            number=t.id,
            kind=tr._(KIND_LABELS[t.kind]),
            category=await category_name(conn, tr, t.category),
            priority=tr._(PRIORITY_LABELS[t.priority]),  # type: ignore[index]
        ),
        tr._("Where: {where}", where=await where_text(conn, tr, t, audience != "group")),
    ]
    if show_reporter(t, audience):
        reporter = await name_of(conn, t.reporter_id)
        if t.anonymous:
            reporter = tr._("{name} (anonymous towards staff)", name=reporter)
        lines.append(tr._("Reported by: {name}", name=reporter))
    elif t.anonymous:
        lines.append(tr._("Reported by: anonymous resident"))
    if t.description:
        lines.append(tr._("Description: {text}", text=t.description))
    if t.voice_file_id:
        lines.append(tr._("Voice note attached."))
    if t.photos:
        lines.append(tr.n_("{n} photo attached.", "{n} photos attached.", len(t.photos)))
    lines.append(tr._("State: {state}", state=tr._(STATE_LABELS[t.state])))
    if t.assignee_id is not None:
        lines.append(tr._("Assigned to: {name}", name=await name_of(conn, t.assignee_id)))
    if t.is_open:
        if t.state is State.WAITING_RESIDENT:
            lines.append(tr._("SLA clock stopped: waiting for the resident."))
        if t.response_due_at is not None:
            lines.append(
                tr._("Response due: {when}", when=tr.when(from_ts(t.response_due_at), "short"))
            )
        if t.resolution_due_at is not None:
            lines.append(
                tr._("Resolution due: {when}", when=tr.when(from_ts(t.resolution_due_at), "short"))
            )
    resident_notes = [
        n
        for n in await store.notes(conn, t.id)
        if n.author_id is not None and n.author_id == t.reporter_id
    ]
    if resident_notes:
        last = resident_notes[-1]
        text = last.text or (tr._("(a voice note)") if last.voice_file_id else tr._("(a photo)"))
        lines.append(tr._("Latest from the resident: {text}", text=text))
    if t.reason:
        lines.append(tr._("Reason: {reason}", reason=tr._(t.reason)))
    if t.rating is not None:
        lines.append(tr._("Rating: {stars} of 5", stars=t.rating))
    return "\n".join(lines)


def card_markup(tr: Translator, t: Ticket) -> InlineKeyboardMarkup | None:
    moves = staff_moves(t.state)
    if not moves:
        return None
    return keyboard([button(tr._(MOVE_LABELS[m]), StaffAct(t.id, m)) for m in moves], per_row=2)


async def card_translator(
    services: Services, conn: aiosqlite.Connection, chat_id: int
) -> Translator:
    if chat_id < 0:
        return services.i18n.translator(None)
    return await translator_for(services, conn, chat_id)


async def refresh_cards(
    conn: aiosqlite.Connection, services: Services, ticket_id: int, now: int
) -> None:
    """Queue the edit of every card of the ticket (posted or about to be) to show its current
    state, in the caller's transaction; only the latest state of each copy is sent."""
    ticket = await store.get(conn, ticket_id)
    if ticket is None:
        return
    card = ticket_card(ticket_id)
    for copy in await outbox.card_copies(conn, card):
        tr = await card_translator(services, conn, copy.chat_id)
        text = await card_text(conn, tr, ticket, copy.audience)
        payload = outbox.Payload(
            text=text, buttons=payload_buttons(card_markup(tr, ticket)), audience=copy.audience
        )
        await outbox.edit_card(conn, card, copy.chat_id, payload, now=now)


async def new_ticket_cards(
    conn: aiosqlite.Connection, services: Services, t: Ticket
) -> list[Outgoing]:
    """Cards for a new ticket: the staff chat, the category's team chat, and for an anonymous
    complaint a private copy to each manager (who sees who filed it)."""
    info = await community.get_community(conn)
    cat = await category_of(conn, t.category)
    chats: list[int] = []
    if info is not None and info.staff_chat_id is not None:
        chats.append(info.staff_chat_id)
    if cat is not None and cat.team_chat_id is not None and cat.team_chat_id not in chats:
        chats.append(cat.team_chat_id)
    out: list[Outgoing] = []
    for chat_id in chats:
        tr = services.i18n.translator(None)
        out.append(
            Outgoing(
                chat_id,
                await card_text(conn, tr, t, "group"),
                card_markup(tr, t),
                t.voice_file_id,
                list(t.photos),
                card_of=t.id,
                audience="group",
            )
        )
    managers = await people.role_holders(conn, Role.MANAGER, t.building_id)
    if t.anonymous or not chats:
        for manager in managers:
            out.append(await private_card(conn, services, t, manager, "manager", media=True))
    return out


async def private_card(
    conn: aiosqlite.Connection,
    services: Services,
    t: Ticket,
    user_id: int,
    audience: str,
    *,
    media: bool = False,
    intro: str | None = None,
) -> Outgoing:
    tr = await translator_for(services, conn, user_id)
    text = await card_text(conn, tr, t, audience)
    if intro:
        text = tr._(intro) + "\n\n" + text
    return Outgoing(
        user_id,
        text,
        card_markup(tr, t),
        t.voice_file_id if media else None,
        list(t.photos) if media else [],
        card_of=t.id,
        audience=audience,
    )


def staff_audience(turn: Turn) -> str:
    return "manager" if can(turn.principal, Action.MANAGE) else "staff"


# ---------------------------------------------------------------------------------------------
# Telling the resident (and followers), in their language
# ---------------------------------------------------------------------------------------------

RESIDENT_NEWS = {
    Move.ACCEPT: N_("Your ticket #{number} has been accepted by the property staff."),
    Move.ASSIGN: N_("Your ticket #{number} has been given to {name}, who will handle it."),
    Move.ON_SITE: N_("Staff are on site for your ticket #{number}."),
    Move.RESOLVE: N_(
        "Your ticket #{number} is marked as resolved. Is it fixed? Please rate the work, or "
        'tap "Not fixed".'
    ),
    Move.TRANSFER: N_("Your ticket #{number} was passed to the right team ({category})."),
    Move.REJECT: N_("Your ticket #{number} was not accepted. Reason: {reason}"),
    Move.DUPLICATE: N_(
        "Your ticket #{number} is the same problem as another ticket that is being handled. "
        "Reason: {reason}"
    ),
    Move.NOT_OURS: N_(
        "Your ticket #{number} is not the property's responsibility. Reason: {reason}"
    ),
    Move.REOPEN: N_("Ticket #{number} is reopened and the manager has been told."),
    Move.WITHDRAW: N_("Ticket #{number} was withdrawn by the resident who reported it."),
}

REASON = "reason"
REASONS = {
    Move.REJECT: N_("not something the property office handles this way"),
    Move.DUPLICATE: N_("already reported by a neighbour"),
    Move.NOT_OURS: N_("this belongs to another body (e.g. the utility company)"),
}


def rating_markup(tr: Translator, ticket_id: int, reporter: bool) -> InlineKeyboardMarkup:
    stars = [button("⭐" * n, Rate(ticket_id, n)) for n in range(1, 6)] if reporter else []
    return keyboard(stars, per_row=5, footer=[button(tr._("Not fixed"), Rate(ticket_id, 0))])


async def resident_news(
    conn: aiosqlite.Connection,
    services: Services,
    t: Ticket,
    move: Move,
    *,
    skip: int | None = None,
    **values: Any,
) -> list[Outgoing]:
    """The plain-words message about ``move`` for the reporter and every follower."""
    out: list[Outgoing] = []
    recipients = ([t.reporter_id] if t.reporter_id is not None else []) + [
        f for f in await store.followers(conn, t.id) if f != t.reporter_id
    ]
    for user_id in recipients:
        if user_id == skip:
            continue
        tr = await translator_for(services, conn, user_id)
        local = dict(values)
        for key, value in values.items():
            if key == REASON:  # reasons are labels (N_), translated for each reader
                local[key] = tr._(value) if value else "-"
        if move is Move.TRANSFER:
            local["category"] = await category_name(conn, tr, t.category)
        text = tr._(RESIDENT_NEWS[move], number=t.id, **local)
        markup = None
        if move is Move.RESOLVE:
            markup = rating_markup(tr, t.id, user_id == t.reporter_id)
        out.append(Outgoing(user_id, text, markup))
    return out


# ---------------------------------------------------------------------------------------------
# Button presses on a card
# ---------------------------------------------------------------------------------------------


async def _refuse(turn: Turn, query: Any, text: str) -> None:
    await answer(query, text, alert=True)


async def _load_for_staff(
    turn: Turn, conn: aiosqlite.Connection, query: Any, ticket_id: int
) -> Ticket | None:
    ticket = await store.get(conn, ticket_id)
    if ticket is None:
        await _refuse(turn, query, turn.tr._("This button is no longer valid."))
        return None
    if not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
        await _refuse(turn, query, turn.tr._("Sorry, you do not have the right to do this."))
        return None
    return ticket


async def _stale(turn: Turn, query: Any, conn: aiosqlite.Connection, ticket: Ticket) -> None:
    text = turn.tr._(
        "Ticket #{number} is now {state}; this button no longer applies.",
        number=ticket.id,
        state=turn.tr._(STATE_LABELS[ticket.state]),
    )
    await _refuse(turn, query, text)


async def staff_press(update: Update, context: Context) -> None:
    """Accept / assign / on site / resolve / transfer / reject pressed on a card."""
    query, data, turn = await pressed(update, context, StaffAct)
    services = context.services
    outgoing: list[Outgoing] = []
    changed = False
    async with services.db.transaction() as conn:
        ticket = await _load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        move = data.move
        if move in (Move.ASSIGN, Move.TRANSFER, Move.REJECT) and not can_move(ticket.state, move):
            await _stale(turn, query, conn, ticket)
            return
        if move is Move.ASSIGN:
            markup = await assign_menu(conn, turn, ticket)
            await answer(query)
            await _edit_markup(query, markup)
            return
        if move is Move.TRANSFER:
            markup = await transfer_menu(conn, turn, ticket)
            await answer(query)
            await _edit_markup(query, markup)
            return
        if move is Move.ACCEPT:
            changed = await store.transition(
                conn,
                ticket.id,
                UNANSWERED,
                State.ACCEPTED,
                turn.ts,
                accepted_by=turn.user.id,
                accepted_at=ticket.accepted_at or turn.ts,
                assignee_id=ticket.assignee_id or turn.user.id,
            )
            if not changed:
                current = await store.get(conn, ticket.id)
                assert current is not None
                if current.accepted_by is not None and current.state not in UNANSWERED:
                    who = await name_of(conn, current.accepted_by)
                    await _refuse(
                        turn,
                        query,
                        turn.tr._(
                            "{name} already accepted ticket #{number}.",
                            name=who,
                            number=ticket.id,
                        ),
                    )
                else:
                    await _stale(turn, query, conn, current)
                return
        elif move is Move.ON_SITE:
            changed = await store.transition(
                conn, ticket.id, [State.ACCEPTED], State.ON_SITE, turn.ts, on_site_at=turn.ts
            )
        elif move is Move.RESOLVE:
            changed = await store.transition(
                conn,
                ticket.id,
                [ticket.state] if ticket.is_open else [],
                State.RESOLVED,
                turn.ts,
                resolved_at=turn.ts,
                accepted_at=ticket.accepted_at or turn.ts,
            )
            if changed:
                await store.close_pauses(conn, ticket.id, turn.ts)
        elif move is Move.REJECT:
            await answer(query)
            await _edit_markup(query, outcome_menu(turn.tr, ticket))
            return
        elif move in (Move.DUPLICATE, Move.NOT_OURS):
            await _refuse(turn, query, turn.tr._("This button is no longer valid."))
            return
        else:  # NEED_INFO is a conversation; anything else is not a card button
            await _refuse(turn, query, turn.tr._("This button is no longer valid."))
            return
        if not changed:
            await _stale(turn, query, conn, ticket)
            return
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, move.value)
        updated = await reschedule(conn, ticket.id)
        if move is Move.RESOLVE:
            await set_rating_timers(conn, updated, turn.ts)
        outgoing += await resident_news(conn, services, updated, move)
        await refresh_cards(conn, services, data.ticket_id, turn.ts)
        await queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)


async def _edit_markup(query: Any, markup: InlineKeyboardMarkup) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        log.info("could not show a sub-menu: %s", exc)


def outcome_menu(tr: Translator, t: Ticket) -> InlineKeyboardMarkup:
    buttons = [button(tr._(MOVE_LABELS[m]), StaffOutcome(t.id, m)) for m in OUTCOMES]
    return keyboard(buttons, footer=[button(tr._("Back"), StaffBack(t.id))])


@callback("tr")
@dataclass(frozen=True)
class StaffOutcome(CallbackData):
    ticket_id: int
    move: Move


async def assign_menu(conn: aiosqlite.Connection, turn: Turn, t: Ticket) -> InlineKeyboardMarkup:
    holders: list[int] = []
    for role in (Role.STAFF, Role.MANAGER):
        holders += [
            u for u in await people.role_holders(conn, role, t.building_id) if u not in holders
        ]
    buttons = [button(await name_of(conn, u), StaffAssign(t.id, u)) for u in holders[:30]]
    return keyboard(buttons, per_row=2, footer=[button(turn.tr._("Back"), StaffBack(t.id))])


async def transfer_menu(conn: aiosqlite.Connection, turn: Turn, t: Ticket) -> InlineKeyboardMarkup:
    cats = [c for c in await community.categories(conn) if c.code != t.category]
    buttons = [button(turn.tr.name(c.names), StaffTransfer(t.id, c.code)) for c in cats]
    return keyboard(buttons, per_row=2, footer=[button(turn.tr._("Back"), StaffBack(t.id))])


async def staff_back(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffBack)
    services = context.services
    async with services.db.transaction() as conn:
        ticket = await _load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        await refresh_cards(conn, services, ticket.id, turn.ts)
    services.deliver_now()
    await answer(query)
    markup = card_markup(turn.tr, ticket)
    if markup is not None:
        await _edit_markup(query, markup)


async def staff_assign(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffAssign)
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket = await _load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        assignee = await people.load_principal(conn, data.user_id)
        if not can(assignee, Action.HANDLE_TICKETS, ticket.building_id):
            await _refuse(turn, query, turn.tr._("This button is no longer valid."))
            return
        if not can_move(ticket.state, Move.ASSIGN):
            await _stale(turn, query, conn, ticket)
            return
        target = State.ACCEPTED if ticket.state in UNANSWERED else ticket.state
        changed = await store.transition(
            conn,
            ticket.id,
            [ticket.state],
            target,
            turn.ts,
            assignee_id=data.user_id,
            accepted_at=ticket.accepted_at or turn.ts,
            accepted_by=ticket.accepted_by or turn.user.id,
        )
        if not changed:
            await _stale(turn, query, conn, ticket)
            return
        name = await name_of(conn, data.user_id)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "assigned", name)
        updated = await reschedule(conn, ticket.id)
        outgoing.append(
            await private_card(
                conn,
                services,
                updated,
                data.user_id,
                "manager" if assignee.has(Role.MANAGER) else "staff",
                media=True,
                intro=N_("A ticket was assigned to you."),
            )
        )
        outgoing += await resident_news(conn, services, updated, Move.ASSIGN, name=name)
        await refresh_cards(conn, services, data.ticket_id, turn.ts)
        await queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)


async def staff_transfer(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffTransfer)
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket = await _load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return
        cat = await category_of(conn, data.category)
        if cat is None or cat.code == ticket.category:
            await _refuse(turn, query, turn.tr._("This button is no longer valid."))
            return
        if not can_move(ticket.state, Move.TRANSFER):
            await _stale(turn, query, conn, ticket)
            return
        changed = await store.transition(
            conn,
            ticket.id,
            [ticket.state],
            ticket.state,
            turn.ts,
            category=cat.code,
            priority=cat.priority,
        )
        if not changed:
            await _stale(turn, query, conn, ticket)
            return
        await store.add_history(
            conn, ticket.id, turn.ts, turn.user.id, "transferred", f"{ticket.category}->{cat.code}"
        )
        updated = await reschedule(conn, ticket.id)
        known = {c.chat_id for c in await outbox.card_copies(conn, ticket_card(ticket.id))}
        if cat.team_chat_id is not None and cat.team_chat_id not in known:
            tr = services.i18n.translator(None)
            outgoing.append(
                Outgoing(
                    cat.team_chat_id,
                    await card_text(conn, tr, updated, "group"),
                    card_markup(tr, updated),
                    updated.voice_file_id,
                    list(updated.photos),
                    card_of=ticket.id,
                )
            )
        outgoing += await resident_news(conn, services, updated, Move.TRANSFER)
        await refresh_cards(conn, services, data.ticket_id, turn.ts)
        await queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await answer(query)


async def outcome_start(update: Update, context: Context) -> str | int:
    """Reject / duplicate / not our responsibility, chosen from the sub-menu: the reason for the
    resident is asked in private (or the standard one is used with one tap)."""
    query, data, turn = await pressed(update, context, StaffOutcome)
    async with context.services.db.read() as conn:
        ticket = await _load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return ConversationHandler.END
        if data.move not in OUTCOMES:
            await _refuse(turn, query, turn.tr._("This button is no longer valid."))
            return ConversationHandler.END
        if not can_move(ticket.state, data.move):
            await _stale(turn, query, conn, ticket)
            return ConversationHandler.END
    tr = turn.tr
    prompt = tr._(
        'Ticket #{number}: "{outcome}". Write the reason for the resident in a few words, or '
        "use the standard one.",
        number=ticket.id,
        outcome=tr._(MOVE_LABELS[data.move]),
    )
    markup = keyboard(
        [
            button(
                tr._("Use: {reason}", reason=tr._(REASONS[data.move]))[:60],
                StaffReason(ticket.id, data.move),
            ),
            button(tr._("Cancel"), Dismiss("tickets-ask")),
        ]
    )
    sent = await notify(context, turn.user.id, prompt, markup)
    if sent is None:
        await _refuse(
            turn, query, tr._("Please open a private chat with me first (send me /start).")
        )
        return ConversationHandler.END
    await answer(query, tr._("I have asked you in our private chat."))
    user_data = context.user_data
    assert user_data is not None
    user_data[ASK_KEY] = ticket.id
    user_data[OUTCOME_KEY] = data.move.value
    async with context.services.db.transaction() as conn:  # the sub-menu goes, buttons come back
        await refresh_cards(conn, context.services, ticket.id, turn.ts)
    context.services.deliver_now()
    return ASK_REASON


@callback("ts")
@dataclass(frozen=True)
class StaffReason(CallbackData):
    """Close with the standard reason of ``move``."""

    ticket_id: int
    move: Move


@private_only
async def reason_text(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(turn.tr._("Please write the reason in a few words."))
        return ASK_REASON
    problem = text_too_long(turn, text, 300)
    if problem:
        await message.reply_text(problem)
        return ASK_REASON
    return await apply_outcome(update, context, turn, text)


@private_only
async def reason_standard(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, StaffReason)
    user_data = context.user_data
    assert user_data is not None
    if user_data.get(ASK_KEY) != data.ticket_id or user_data.get(OUTCOME_KEY) != data.move.value:
        await _refuse(turn, query, turn.tr._("This button is no longer valid."))
        return ASK_REASON
    await answer(query)
    return await apply_outcome(update, context, turn, REASONS[data.move])


async def apply_outcome(update: Update, context: Context, turn: Turn, reason: str) -> int:
    """Close the ticket as the pending outcome, re-checking the right and the state."""
    user_data = context.user_data
    assert user_data is not None
    ticket_id = user_data.pop(ASK_KEY, None)
    raw_move = user_data.pop(OUTCOME_KEY, None)
    if not isinstance(ticket_id, int) or raw_move not in {m.value for m in OUTCOMES}:
        return ConversationHandler.END
    move = Move(raw_move)
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None or not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
            await reply(update, turn.tr._("Sorry, you do not have the right to do this."))
            return ConversationHandler.END
        target = {
            Move.REJECT: State.REJECTED,
            Move.DUPLICATE: State.DUPLICATE,
            Move.NOT_OURS: State.NOT_OURS,
        }[move]
        changed = can_move(ticket.state, move) and await store.transition(
            conn, ticket.id, [ticket.state], target, turn.ts, reason=reason, closed_at=turn.ts
        )
        if not changed:
            await reply(
                update,
                turn.tr._(
                    "Ticket #{number} is now {state}; nothing was changed.",
                    number=ticket.id,
                    state=turn.tr._(STATE_LABELS[ticket.state]),
                ),
            )
            return ConversationHandler.END
        await store.close_pauses(conn, ticket.id, turn.ts)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, move.value, reason)
        updated = await reschedule(conn, ticket.id)
        outgoing += await resident_news(conn, services, updated, move, reason=reason)
        await refresh_cards(conn, services, ticket_id, turn.ts)
        await queue(conn, outgoing, turn.ts)
    services.deliver_now()
    await reply(
        update,
        turn.tr._(
            "Done: ticket #{number} is {state}. The resident has been told.",
            number=ticket_id,
            state=turn.tr._(STATE_LABELS[target]),
        ),
    )
    return ConversationHandler.END


# ---------------------------------------------------------------------------------------------
# "Ask the resident": the staff member writes the question in private; the clock stops
# ---------------------------------------------------------------------------------------------


async def ask_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, StaffAct)
    async with context.services.db.read() as conn:
        ticket = await _load_for_staff(turn, conn, query, data.ticket_id)
        if ticket is None:
            return ConversationHandler.END
        if not can_move(ticket.state, Move.NEED_INFO):
            await _stale(turn, query, conn, ticket)
            return ConversationHandler.END
    prompt = turn.tr._(
        "What should I ask the resident about ticket #{number}? Send your question as text or "
        "a voice note.",
        number=ticket.id,
    )
    markup = keyboard([button(turn.tr._("Cancel"), Dismiss("tickets-ask"))])
    sent = await notify(context, turn.user.id, prompt, markup)
    if sent is None:
        await _refuse(
            turn, query, turn.tr._("Please open a private chat with me first (send me /start).")
        )
        return ConversationHandler.END
    await answer(query, turn.tr._("I have asked you in our private chat."))
    user_data = context.user_data
    assert user_data is not None
    user_data[ASK_KEY] = ticket.id
    return ASK_QUESTION


@private_only
async def ask_question(update: Update, context: Context) -> str | int:
    message = update.effective_message
    assert message is not None
    turn = await begin(update, context)
    user_data = context.user_data
    assert user_data is not None
    ticket_id = user_data.get(ASK_KEY)
    if not isinstance(ticket_id, int):
        return ConversationHandler.END
    text = message.text or ""
    voice = message.voice.file_id if message.voice else None
    if not text and not voice:
        await message.reply_text(turn.tr._("Please send your question as text or a voice note."))
        return ASK_QUESTION
    problem = text_too_long(turn, text)
    if problem:
        await message.reply_text(problem)
        return ASK_QUESTION
    services = context.services
    outgoing: list[Outgoing] = []
    async with services.db.transaction() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None or not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
            await message.reply_text(turn.tr._("Sorry, you do not have the right to do this."))
            user_data.pop(ASK_KEY, None)
            return ConversationHandler.END
        changed = await store.transition(
            conn,
            ticket.id,
            UNANSWERED | WORKING,
            State.WAITING_RESIDENT,
            turn.ts,
            asked_by=turn.user.id,
            accepted_at=ticket.accepted_at or turn.ts,
            accepted_by=ticket.accepted_by or turn.user.id,
        )
        if not changed:
            await message.reply_text(
                turn.tr._(
                    "Ticket #{number} is now {state}; I did not send the question.",
                    number=ticket.id,
                    state=turn.tr._(STATE_LABELS[ticket.state]),
                )
            )
            user_data.pop(ASK_KEY, None)
            return ConversationHandler.END
        await store.open_pause(conn, ticket.id, turn.ts, "waiting for the resident")
        await store.add_note(conn, ticket.id, turn.ts, turn.user.id, text, voice)
        await store.add_history(conn, ticket.id, turn.ts, turn.user.id, "need_info", text)
        updated = await reschedule(conn, ticket.id)
        if updated.reporter_id is not None:
            rtr = await translator_for(services, conn, updated.reporter_id)
            body = rtr._(
                "The property staff have a question about your ticket #{number}:\n{question}\n\n"
                "Tap the button to answer (text, voice note or photo).",
                number=ticket.id,
                question=text or rtr._("(a voice note)"),
            )
            answer_button = keyboard([button(rtr._("Answer"), NoteStart(ticket.id))])
            outgoing.append(Outgoing(updated.reporter_id, body, answer_button, voice))
        await refresh_cards(conn, services, ticket_id, turn.ts)
        await queue(conn, outgoing, turn.ts)
    services.deliver_now()
    user_data.pop(ASK_KEY, None)
    await message.reply_text(
        turn.tr._(
            "Sent. The SLA clock of ticket #{number} is stopped until the resident answers.",
            number=ticket_id,
        )
    )
    return ConversationHandler.END


async def ask_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    user_data = context.user_data
    if user_data is not None:
        user_data.pop(ASK_KEY, None)
        user_data.pop(OUTCOME_KEY, None)
    turn = await begin(update, context)
    await reply(update, turn.tr._("Cancelled. Nothing was sent."))
    return ConversationHandler.END


# ---------------------------------------------------------------------------------------------
# /queue and /ticket N
# ---------------------------------------------------------------------------------------------


def due_label(tr: Translator, t: Ticket) -> str:
    due = t.response_due_at or t.resolution_due_at
    if t.state is State.WAITING_RESIDENT or due is None:
        return tr._(STATE_LABELS[t.state])
    return tr._("due {when}", when=tr.when(from_ts(due), "short"))


@private_only
async def queue_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await reply(update, turn.tr._("Sorry, you do not have the right to do this."))
        return
    async with context.services.db.read() as conn:
        found = await store.queue(conn, turn.user.id)
        labels = [
            f"#{t.id} {await category_name(conn, turn.tr, t.category)} · {due_label(turn.tr, t)}"
            + (" ★" if t.assignee_id == turn.user.id else "")
            for t in found
        ]
    if not found:
        await reply(update, turn.tr._("No open tickets for you. Well done!"))
        return
    buttons = [button(label[:60], StaffOpen(t.id)) for t, label in zip(found, labels, strict=True)]
    text = turn.tr.n_(
        "{n} open ticket assigned to you or to nobody, soonest deadline first (★ = yours):",
        "{n} open tickets assigned to you or to nobody, soonest deadline first (★ = yours):",
        len(found),
    )
    await reply(update, text, keyboard(buttons))


async def show_ticket(update: Update, context: Context, turn: Turn, ticket_id: int) -> None:
    services = context.services
    async with services.db.read() as conn:
        ticket = await store.get(conn, ticket_id)
        if ticket is None:
            await reply(update, turn.tr._("There is no ticket #{number}.", number=ticket_id))
            return
        if not can(turn.principal, Action.HANDLE_TICKETS, ticket.building_id):
            await reply(update, turn.tr._("Sorry, you do not have the right to do this."))
            return
    async with services.db.transaction() as conn:  # a card of its own: edited as it moves
        out = await private_card(conn, services, ticket, turn.user.id, staff_audience(turn))
        await queue(conn, [out], turn.ts)
    services.deliver_now()


@private_only
async def ticket_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    raw = (context.args or [""])[0].lstrip("#")
    if not raw.isdigit() or len(raw) > 12:
        await reply(update, turn.tr._("Please give a ticket number, e.g. /ticket 12."))
        return
    await show_ticket(update, context, turn, int(raw))


async def open_from_queue(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StaffOpen)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await _refuse(turn, query, turn.tr._("Sorry, you do not have the right to do this."))
        return
    await answer(query)
    await show_ticket(update, context, turn, data.ticket_id)


# ---------------------------------------------------------------------------------------------
# The SLA sweep
# ---------------------------------------------------------------------------------------------


async def reminder_messages(
    conn: aiosqlite.Connection, services: Services, t: Ticket, stage: Stage
) -> list[Outgoing]:
    info = await community.get_community(conn)
    staff_chat = info.staff_chat_id if info else None
    managers = await people.role_holders(conn, Role.MANAGER, t.building_id)
    recipients: list[tuple[int, str]] = []  # (chat, audience)
    if stage.audience is Audience.ASSIGNEE:
        if t.assignee_id is not None:
            recipients = [(t.assignee_id, "staff")]
        elif staff_chat is not None:
            recipients = [(staff_chat, "group")]
        else:
            recipients = [(m, "manager") for m in managers]
    elif stage.audience is Audience.MANAGER:
        recipients = [(m, "manager") for m in managers]
        if not recipients and staff_chat is not None:
            recipients = [(staff_chat, "group")]
    else:
        grid = await people.role_holders(conn, Role.GRID, t.building_id)
        recipients = [(g, "grid") for g in grid] or [(m, "manager") for m in managers]
    out: list[Outgoing] = []
    for chat_id, audience in recipients:
        tr = await card_translator(services, conn, chat_id)
        due = t.response_due_at if stage.value.startswith("response") else t.resolution_due_at
        lines = [
            tr._(
                "Reminder: ticket #{number} ({category}, {where}): {stage}.",
                number=t.id,
                category=await category_name(conn, tr, t.category),
                where=await where_text(conn, tr, t, False),
                stage=tr._(STAGE_LABELS[stage]),
            )
        ]
        if due is not None:
            lines.append(tr._("Deadline: {when}", when=tr.when(from_ts(due), "short")))
        if stage.audience is not Audience.ASSIGNEE:
            lines.append(
                tr._("Assigned to: {name}", name=await name_of(conn, t.assignee_id))
                if t.assignee_id
                else tr._("Nobody is assigned yet.")
            )
        markup = None
        if audience in ("staff", "manager"):
            markup = keyboard([button(tr._("Open the ticket"), StaffOpen(t.id))])
        out.append(Outgoing(chat_id, "\n".join(lines), markup))
    return out


async def sweep_once(context: Context, limit: int = 50) -> int:
    """Claim due reminder rows and handle each one in one transaction: what it does to the
    ticket, the messages it sends (outbox rows) and its mark, together; so each reminder is
    queued exactly once, also across a crash. Returns how many rows were done.

    A claimed row (``claimed_at``) whose transaction never committed (the process died) is due
    again after ``claim_due``'s ``stale_after``: nothing is lost, nothing is sent twice."""
    services = context.services
    now = to_ts(services.clock())
    async with services.db.transaction() as conn:
        rows = await store.claim_due(conn, now, limit)
    for row in rows:
        async with services.db.transaction() as conn:
            outgoing: list[Outgoing] = []
            changed = False
            ticket = await store.get(conn, row.ticket_id)
            if ticket is not None:
                if row.stage == AUTO_CLOSE:
                    changed = await store.transition(
                        conn, ticket.id, [State.RESOLVED], State.CLOSED, now, closed_at=now
                    )
                    if changed:
                        await store.add_history(conn, ticket.id, now, None, "auto_closed")
                elif row.stage == RATING_ASK:
                    if ticket.state is State.RESOLVED and ticket.reporter_id is not None:
                        tr = await translator_for(services, conn, ticket.reporter_id)
                        text = tr._(
                            "Ticket #{number} was resolved a day ago. Is it fixed? Please rate "
                            'the work, or tap "Not fixed". Without an answer it closes tomorrow.',
                            number=ticket.id,
                        )
                        outgoing.append(
                            Outgoing(ticket.reporter_id, text, rating_markup(tr, ticket.id, True))
                        )
                else:
                    stage = Stage(row.stage)
                    applies = ticket.is_open and not (
                        stage.value.startswith("response") and ticket.accepted_at is not None
                    )
                    if applies:
                        outgoing = await reminder_messages(conn, services, ticket, stage)
                        await store.add_history(conn, ticket.id, now, None, "reminder", row.stage)
            if changed:
                await refresh_cards(conn, services, row.ticket_id, now)
            await queue(conn, outgoing, now)
            await store.mark_sent(conn, row.id, now)
    if rows:
        services.deliver_now()
    return len(rows)


async def sla_job(context: Context) -> None:
    await sweep_once(context)


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------


def _act(*moves: Move) -> Any:
    check = matches(StaffAct)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, StaffAct).move in moves

    return pattern


def is_staff(p: Any) -> bool:
    return bool(can(p, Action.HANDLE_TICKETS))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    ask = ConversationHandler(
        entry_points=[
            CallbackQueryHandler(ask_start, pattern=_act(Move.NEED_INFO)),
            CallbackQueryHandler(outcome_start, pattern=matches(StaffOutcome)),
        ],
        states={
            ASK_REASON: [
                CallbackQueryHandler(reason_standard, pattern=matches(StaffReason)),
                MessageHandler(private & ~filters.COMMAND, reason_text),
            ],
            ASK_QUESTION: [
                MessageHandler(
                    private & (filters.TEXT | filters.VOICE) & ~filters.COMMAND, ask_question
                ),
            ],
        },
        fallbacks=[
            CallbackQueryHandler(ask_cancel, pattern=dismiss_pattern("tickets-ask")),
            CommandHandler("cancel", ask_cancel),
            MessageHandler(private & ~filters.COMMAND, ask_question),
        ],
        name="tickets-ask",
        persistent=True,
        allow_reentry=True,
        per_chat=False,
    )
    others = [m for m in Move if m is not Move.NEED_INFO]
    return [
        ask,
        CallbackQueryHandler(staff_press, pattern=_act(*others)),
        CallbackQueryHandler(staff_assign, pattern=matches(StaffAssign)),
        CallbackQueryHandler(staff_transfer, pattern=matches(StaffTransfer)),
        CallbackQueryHandler(staff_back, pattern=matches(StaffBack)),
        CallbackQueryHandler(open_from_queue, pattern=matches(StaffOpen)),
        CommandHandler("queue", queue_command),
        CallbackQueryHandler(queue_command, pattern=menu_pattern("queue")),
        CommandHandler("ticket", ticket_command),
    ]
