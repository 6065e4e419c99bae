"""Shared room booking (共享空间预约): /book, /mybookings, approvals, and the staff's /rooms,
/blackout and /utilisation; plus the "bookings-remind" job.

The booking flow keeps no conversation state: every button carries the room, the day or the
start, and the household (unit id) booking, 0 for a community booking by staff; so a restart
loses nothing. Every press
re-loads the presser, re-checks the right and re-reads the room and its bookings; the booking
itself is checked again and inserted in one transaction (``storage.bookings.book``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context, Services
from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_, Translator
from bot.rules import slots
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts, to_ts
from bot.texts.bookings import (
    length_text,
    percent,
    slot_label,
    span_text,
    state_text,
    violation_text,
)
from handlers.kit import (
    Dismiss,
    MenuPick,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    notify,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
    touch_person,
    translator_for,
)
from handlers.kit.callbacks import CallbackData, callback, matches
from handlers.kit.menu import menu_pattern
from storage import bookings, community, outbox, people
from storage.community import Room

log = logging.getLogger(__name__)

REMIND_JOB = "bookings-remind"
DEFAULT_REMIND_MINUTES = 60
MAX_DAY_BUTTONS = 14
#: Refusals that mean "someone else holds the time": the loser sees the day's grid again.
TAKEN = {slots.Violation.OVERLAP, slots.Violation.BUFFER, slots.Violation.BLACKOUT}


# ---- callback data ------------------------------------------------------------------------------


@callback("bm")
@dataclass(frozen=True)
class BookRooms(CallbackData):
    pass


@callback("br")
@dataclass(frozen=True)
class BookRoom(CallbackData):
    room_id: int
    unit: int


@callback("bd")
@dataclass(frozen=True)
class BookDay(CallbackData):
    room_id: int
    day: int  # yyyymmdd, the community's local date
    unit: int


@callback("bs")
@dataclass(frozen=True)
class BookSlot(CallbackData):
    room_id: int
    start: int
    unit: int


@callback("bi")
@dataclass(frozen=True)
class BookSlotInfo(CallbackData):
    """A slot shown as unavailable: answered with why (and, if taken, an offer to watch it)."""

    room_id: int
    start: int
    unit: int


@callback("bl")
@dataclass(frozen=True)
class BookLength(CallbackData):
    room_id: int
    start: int
    minutes: int
    unit: int


@callback("bc")
@dataclass(frozen=True)
class BookConfirm(CallbackData):
    room_id: int
    start: int
    minutes: int
    unit: int


@callback("bw")
@dataclass(frozen=True)
class BookWatch(CallbackData):
    room_id: int
    start: int


@callback("by")
@dataclass(frozen=True)
class MyBookings(CallbackData):
    pass


@callback("bx")
@dataclass(frozen=True)
class BookCancel(CallbackData):
    booking_id: int
    confirm: bool


@callback("ba")
@dataclass(frozen=True)
class BookDecide(CallbackData):
    booking_id: int
    approve: bool


# ---- helpers ------------------------------------------------------------------------------------


def _day_int(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _int_day(value: int) -> date | None:
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def _rules(room: Room) -> slots.RoomRules | None:
    try:
        return slots.rules_from_mapping(room.rules)
    except ValueError as exc:
        log.warning("room %s has invalid rules, it cannot be booked: %s", room.code, exc)
        return None


async def _room(conn: aiosqlite.Connection, room_id: int) -> tuple[Room, slots.RoomRules] | None:
    found = await bookings.room(conn, room_id)
    if found is None:
        return None
    rules = _rules(found)
    return None if rules is None else (found, rules)


def _household(turn: Turn, unit_id: int) -> tuple[int, int] | None:
    """(unit_id, building_id) when the presser is a confirmed resident of ``unit_id``."""
    for residence in turn.principal.verified:
        if unit_id != 0 and residence.unit_id == unit_id:
            return residence.unit_id, residence.building_id
    return None


def _allowed(turn: Turn, unit: int) -> bool:
    """Book for ``unit`` (a household of the presser's), or for the community (0) as staff."""
    if unit == 0:
        return can(turn.principal, Action.MANAGE_ROOMS)
    return can(turn.principal, Action.BOOK_ROOM) and _household(turn, unit) is not None


async def _remind_minutes(conn: aiosqlite.Connection) -> int:
    info = await community.get_community(conn)
    value = info.settings.get("booking_reminder_minutes") if info else None
    return value if isinstance(value, int) and value >= 0 else DEFAULT_REMIND_MINUTES


def _cancel_button(tr: Translator) -> InlineKeyboardButton:
    return button(tr._("Cancel"), Dismiss("book"))


async def _invalid(turn: Turn, update: Update) -> None:
    await stale(update.callback_query, turn)


async def _no_right(turn: Turn, update: Update) -> None:
    await answer(
        update.callback_query, turn.tr._("Sorry, you do not have the right to do this."), alert=True
    )


async def _refuse(turn: Turn, update: Update, unit: int) -> None:
    """A booking press without the right: "join your unit first", or a plain refusal."""
    if unit == 0 or turn.principal.verified:
        await _no_right(turn, update)
    else:
        await answer(update.callback_query, _join_first_text(turn), alert=True)


async def _join_first(update: Update, turn: Turn) -> None:
    """Booking is for confirmed residents: offer joining (or say the request is waiting)."""
    markup = None
    if not turn.principal.pending:
        markup = keyboard([button(turn.tr._("Join my unit"), MenuPick("join"))])
    await reply(update, _join_first_text(turn), markup)


def _join_first_text(turn: Turn) -> str:
    if turn.principal.pending:
        return turn.tr._(
            "Booking rooms is for confirmed residents. Your request to join your unit is still "
            "waiting for confirmation; I will tell you as soon as it is confirmed."
        )
    return turn.tr._(
        "Booking rooms is for confirmed residents. Please join your unit first: tap the button "
        "below."
    )


# ---- the booking flow ---------------------------------------------------------------------------


@private_only
async def book_start(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    await _show_rooms(update, context, turn)


async def _show_rooms(update: Update, context: Context, turn: Turn, note: str = "") -> None:
    tr = turn.tr
    resident = can(turn.principal, Action.BOOK_ROOM)
    staff = can(turn.principal, Action.MANAGE_ROOMS)
    households = sorted(turn.principal.verified, key=lambda r: r.residence_id) if resident else []
    if not resident and not staff:
        await _join_first(update, turn)
        return
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        found = [r for r in await community.rooms(conn) if _rules(r) is not None]
    if not found:
        await reply(update, tr._("There are no rooms to book yet."))
        return
    lines = [note] if note else []
    lines.append(tr._("Which room would you like to book?"))
    buttons = []
    for room in found:
        rules = _rules(room)
        assert rules is not None
        name = tr.name(room.names)
        details = []
        if rules.capacity:
            details.append(tr.n_("up to {n} person", "up to {n} people", rules.capacity))
        if rules.needs_approval:
            details.append(tr._("needs approval"))
        lines.append(f"• {name}" + (f" ({', '.join(details)})" if details else ""))
        for residence in households:
            label = name if len(households) == 1 else f"{name} · {residence.unit_code}"
            buttons.append(button(label, BookRoom(room.id, residence.unit_id)))
        if staff:
            buttons.append(
                button(tr._("{room}: community booking", room=name), BookRoom(room.id, 0))
            )
    await reply(update, "\n".join(lines), keyboard(buttons, footer=[_cancel_button(tr)]))


@private_only
async def pick_room(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookRoom)
    if not _allowed(turn, data.unit):
        await _refuse(turn, update, data.unit)
        return
    async with context.services.db.read() as conn:
        loaded = await _room(conn, data.room_id)
    if loaded is None:
        await _invalid(turn, update)
        return
    await answer(query)
    room, rules = loaded
    await _show_days(update, turn, room, rules, data.unit)


def _days(turn: Turn, rules: slots.RoomRules) -> list[date]:
    today = turn.now.astimezone(turn.tr.tz).date()
    days = [today + timedelta(days=i) for i in range(rules.advance_days + 1)]
    return [d for d in days if rules.open_minutes(d.weekday())][:MAX_DAY_BUTTONS]


async def _show_days(
    update: Update, turn: Turn, room: Room, rules: slots.RoomRules, unit: int
) -> None:
    tr = turn.tr
    buttons = [
        button(tr.weekday_day(d), BookDay(room.id, _day_int(d), unit)) for d in _days(turn, rules)
    ]
    text = tr._("{room}: which day?", room=tr.name(room.names))
    footer = [button(tr._("Back"), BookRooms()), _cancel_button(tr)]
    await reply(update, text, keyboard(buttons, per_row=3, footer=footer))


def _day_allowed(turn: Turn, rules: slots.RoomRules, day: date, unit: int) -> bool:
    today = turn.now.astimezone(turn.tr.tz).date()
    limit = 366 if unit == 0 else rules.advance_days
    return today <= day <= today + timedelta(days=limit)


@private_only
async def pick_day(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookDay)
    if not _allowed(turn, data.unit):
        await _refuse(turn, update, data.unit)
        return
    day = _int_day(data.day)
    async with context.services.db.read() as conn:
        loaded = await _room(conn, data.room_id)
    if loaded is None or day is None or not _day_allowed(turn, loaded[1], day, data.unit):
        await _invalid(turn, update)
        return
    await answer(query)
    await _show_grid(update, context, turn, loaded[0], loaded[1], day, data.unit)


async def _show_grid(
    update: Update,
    context: Context,
    turn: Turn,
    room: Room,
    rules: slots.RoomRules,
    day: date,
    unit: int,
    note: str = "",
) -> None:
    tr = turn.tr
    async with context.services.db.read() as conn:
        busy = await bookings.busy_on_day(conn, room.id, day, tr.tz)
    grid = slots.day_slots(day, rules, tr.tz, busy, turn.now, as_staff=unit == 0)
    buttons = []
    for slot in grid:
        start = to_ts(slot.start)
        if slot.state is slots.SlotState.FREE and slot.can_start:
            data: CallbackData = BookSlot(room.id, start, unit)
        else:
            data = BookSlotInfo(room.id, start, unit)
        buttons.append(button(slot_label(tr, slot), data))
    lines = [note] if note else []
    lines.append(tr._("{room}, {day}", room=tr.name(room.names), day=tr.weekday_day(day)))
    if any(s.can_start for s in grid):
        lines.append(tr._("Tap a free time to start your booking."))
        lines.append(tr._("✖ taken   ⛔ closed (maintenance)   · not available"))
    else:
        lines.append(tr._("Sorry, nothing is free on this day. Please choose another day."))
    footer = [
        button(tr._("Other days"), BookRoom(room.id, unit)),
        _cancel_button(tr),
    ]
    await reply(update, "\n".join(lines), keyboard(buttons, per_row=4, footer=footer))


@private_only
async def slot_info(update: Update, context: Context) -> None:
    """An unavailable slot: say why; a taken one offers "tell me if it frees up"."""
    query, data, turn = await pressed(update, context, BookSlotInfo)
    tr = turn.tr
    async with context.services.db.read() as conn:
        loaded = await _room(conn, data.room_id)
        busy = await bookings.busy_between(
            conn, data.room_id, data.start - bookings.DAY, data.start + bookings.DAY
        )
    if loaded is None:
        await _invalid(turn, update)
        return
    room, rules = loaded
    day = from_ts(data.start).astimezone(tr.tz).date()
    grid = slots.day_slots(day, rules, tr.tz, busy, turn.now, as_staff=data.unit == 0)
    slot = next((s for s in grid if to_ts(s.start) == data.start), None)
    if slot is None:
        await _invalid(turn, update)
        return
    if slot.state is slots.SlotState.TAKEN and slot.end > turn.now:
        await answer(query, tr._("This time is taken."))
        text = tr._(
            "{room}, {span} is taken. Shall I tell you if it frees up?",
            room=tr.name(room.names),
            span=span_text(tr, slot.start, slot.end),
        )
        markup = keyboard(
            [
                button(tr._("Tell me if it frees up"), BookWatch(room.id, data.start)),
                button(tr._("Back"), BookDay(room.id, _day_int(day), data.unit)),
            ]
        )
        await reply(update, text, markup)
        return
    if slot.state is slots.SlotState.BLACKOUT:
        await answer(query, tr._("The room is closed at this time."))
    elif slot.state is slots.SlotState.FREE and slot.can_start:
        await answer(query, tr._("This time is free again: tap it once more to book it."))
        await _show_grid(update, context, turn, room, rules, day, data.unit)
    else:
        await answer(query, tr._("This time cannot be booked."))


@private_only
async def watch(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookWatch)
    tr = turn.tr
    if not can(turn.principal, Action.BOOK_ROOM):
        await answer(query, _join_first_text(turn), alert=True)
        return
    if data.start <= turn.ts:
        await _invalid(turn, update)
        return
    async with context.services.db.transaction() as conn:
        loaded = await _room(conn, data.room_id)
        if loaded is None:
            await _invalid(turn, update)
            return
        room, rules = loaded
        end = data.start + rules.slot_minutes * 60
        await touch_person(turn, conn)
        await bookings.add_watch(conn, room.id, turn.user.id, data.start, end, turn.ts)
    await answer(query)
    text = tr._(
        "All right: I will tell you if {room}, {span} frees up.",
        room=tr.name(room.names),
        span=span_text(tr, from_ts(data.start), from_ts(end)),
    )
    await reply(update, text, keyboard([button(tr._("Book another time"), BookRooms())]))


@private_only
async def pick_start(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookSlot)
    tr = turn.tr
    if not _allowed(turn, data.unit):
        await _refuse(turn, update, data.unit)
        return
    household = _household(turn, data.unit)
    async with context.services.db.read() as conn:
        loaded = await _room(conn, data.room_id)
        if loaded is None:
            await _invalid(turn, update)
            return
        room, rules = loaded
        busy = await bookings.busy_between(
            conn, room.id, data.start - bookings.DAY, data.start + 2 * bookings.DAY
        )
        mine = None
        if household is not None:
            mine = await bookings.household_bookings(conn, room.id, household[0], data.start)
    start = from_ts(data.start)
    lengths = slots.allowed_lengths(
        start,
        rules,
        tr.tz,
        busy,
        turn.now,
        as_staff=data.unit == 0,
        household_bookings_this_week=mine,
    )
    await answer(query)
    day = start.astimezone(tr.tz).date()
    if not lengths:
        problems = slots.check_booking(
            start,
            start + timedelta(minutes=rules.min_minutes),
            None if household is None else household[0],
            rules,
            tr.tz,
            busy,
            turn.now,
            mine or [],
            as_staff=data.unit == 0,
        )
        note = "\n".join(violation_text(tr, v, rules) for v in problems[:2]) or tr._(
            "This time cannot be booked."
        )
        await _after_refusal(update, context, turn, room, rules, day, data.unit, problems, note)
        return
    buttons = [
        button(length_text(tr, m), BookLength(room.id, data.start, m, data.unit)) for m in lengths
    ]
    text = tr._(
        "{room}, {day} from {start}. For how long?",
        room=tr.name(room.names),
        day=tr.weekday_day(day),
        start=tr.clock(start),
    )
    footer = [
        button(tr._("Back"), BookDay(room.id, _day_int(day), data.unit)),
        _cancel_button(tr),
    ]
    await reply(update, text, keyboard(buttons, per_row=3, footer=footer))


async def _after_refusal(
    update: Update,
    context: Context,
    turn: Turn,
    room: Room,
    rules: slots.RoomRules,
    day: date,
    unit: int,
    problems: list[slots.Violation],
    note: str,
) -> None:
    """A refused time: quota problems end the flow; anything else shows the day again."""
    tr = turn.tr
    quota = {slots.Violation.QUOTA_COUNT, slots.Violation.QUOTA_HOURS}
    if problems and all(p in quota for p in problems):
        markup = keyboard(
            [button(tr._("My bookings"), MyBookings()), button(tr._("Other rooms"), BookRooms())]
        )
        await reply(update, note, markup)
        return
    await _show_grid(update, context, turn, room, rules, day, unit, note)


@private_only
async def pick_length(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookLength)
    tr = turn.tr
    if not _allowed(turn, data.unit):
        await _refuse(turn, update, data.unit)
        return
    async with context.services.db.read() as conn:
        loaded = await _room(conn, data.room_id)
    if loaded is None or data.minutes <= 0:
        await _invalid(turn, update)
        return
    await answer(query)
    room, rules = loaded
    start = from_ts(data.start)
    end = start + timedelta(minutes=data.minutes)
    lines = [
        tr._(
            "Please check: {room}, {span} ({length}).",
            room=tr.name(room.names),
            span=span_text(tr, start, end),
            length=length_text(tr, data.minutes),
        )
    ]
    if data.unit == 0:
        lines.append(tr._("This is a community booking: it uses no household's quota."))
    elif slots.requires_approval(rules):
        lines.append(
            tr._(
                "This room needs approval: after you confirm, staff or your building leader "
                "will approve it, and I will tell you."
            )
        )
    buttons = [
        button(tr._("Confirm"), BookConfirm(room.id, data.start, data.minutes, data.unit)),
        button(tr._("Back"), BookSlot(room.id, data.start, data.unit)),
        _cancel_button(tr),
    ]
    await reply(update, "\n".join(lines), keyboard(buttons))


@private_only
async def confirm(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookConfirm)
    tr = turn.tr
    services = context.services
    if not _allowed(turn, data.unit):
        await _refuse(turn, update, data.unit)
        return
    household = _household(turn, data.unit)
    if data.unit != 0 and household is None:
        await _refuse(turn, update, data.unit)
        return
    approvers: list[tuple[int, Translator]] = []
    async with services.db.transaction() as conn:
        loaded = await _room(conn, data.room_id)
        if loaded is None or data.minutes <= 0:
            await _invalid(turn, update)
            return
        room, rules = loaded
        await touch_person(turn, conn)
        result = await bookings.book(
            conn,
            room.id,
            rules,
            tr.tz,
            unit_id=None if household is None else household[0],
            user_id=turn.user.id,
            start=data.start,
            end=data.start + data.minutes * 60,
            now=turn.now,
            as_staff=data.unit == 0,
            remind_minutes=await _remind_minutes(conn),
        )
        booking = result.booking
        if booking is not None:
            await people.audit(
                conn, turn.user.id, f"booking_{booking.state}", room.code, turn.ts, str(booking.id)
            )
            if booking.state == "pending" and household is not None:
                for user_id in await _approvers(conn, household[1], turn.user.id):
                    approvers.append((user_id, await translator_for(services, conn, user_id)))
            unit = await community.unit(conn, household[0]) if household else None
    start = from_ts(data.start)
    day = start.astimezone(tr.tz).date()
    if booking is None:
        problems = result.violations
        if all(p in TAKEN for p in problems):
            await answer(query, tr._("Sorry, this time was just taken."))
            note = tr._(
                "Sorry, someone else booked this time just before you. Here is the day again: "
                "please choose another time."
            )
        else:
            await answer(query)
            note = "\n".join(violation_text(tr, v, rules) for v in problems[:2])
        await _after_refusal(update, context, turn, room, rules, day, data.unit, problems, note)
        return
    await answer(query)
    span = span_text(tr, booking.start, booking.end)
    name = tr.name(room.names)
    if booking.state == "pending":
        text = tr._(
            "Your booking of {room}, {span} is NOT confirmed yet: it is waiting for approval. "
            "I will tell you as soon as it is approved or not.",
            room=name,
            span=span,
        )
    else:
        text = tr._("Booked: {room}, {span}. See you there!", room=name, span=span)
    markup = keyboard([button(tr._("My bookings"), MyBookings())])
    await reply(update, text, markup)
    for user_id, atr in approvers:
        ask = atr._(
            "Booking request #{id}: {room}, {span}, unit {unit}, booked by {name}. Approve it?",
            id=booking.id,
            room=atr.name(room.names),
            span=span_text(atr, booking.start, booking.end),
            unit=unit.code if unit else "-",
            name=turn.user.full_name,
        )
        decide_markup = keyboard(
            [
                button(atr._("Approve"), BookDecide(booking.id, True)),
                button(atr._("Reject"), BookDecide(booking.id, False)),
            ],
            per_row=2,
        )
        await notify(context, user_id, ask, decide_markup)


async def _approvers(conn: aiosqlite.Connection, building_id: int, booker: int) -> list[int]:
    """Who may approve: staff and managers, and the leaders of the household's building."""
    found: list[int] = []
    for role, scope in ((Role.STAFF, None), (Role.MANAGER, None), (Role.LEADER, building_id)):
        for user_id in await people.role_holders(conn, role, scope):
            if user_id not in found and user_id != booker:
                found.append(user_id)
    return found


# ---- approval -----------------------------------------------------------------------------------


async def decide(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookDecide)
    tr = turn.tr
    services = context.services
    async with services.db.transaction() as conn:
        booking = await bookings.get(conn, data.booking_id)
        unit = await community.unit(conn, booking.unit_id) if booking and booking.unit_id else None
        loaded = await _room(conn, booking.room_id) if booking else None
        if booking is None or unit is None or loaded is None:
            await _invalid(turn, update)
            return
        if not can(turn.principal, Action.APPROVE_BOOKING, unit.building_id):
            await _no_right(turn, update)
            return
        if booking.booked_by == turn.user.id:
            await answer(query, tr._("You cannot approve your own booking."), alert=True)
            return
        if data.approve and booking.state == "pending" and booking.start_at <= turn.ts:
            await answer(query, tr._("This booking has already started."), alert=True)
            return
        room = loaded[0]
        decided = await bookings.decide(
            conn,
            booking.id,
            data.approve,
            by=turn.user.id,
            now=turn.ts,
            remind_minutes=await _remind_minutes(conn),
        )
        if decided:
            action = "booking_approved" if data.approve else "booking_rejected"
            await people.audit(conn, turn.user.id, action, room.code, turn.ts, str(booking.id))
            if not data.approve:
                await _tell_watchers(services, conn, room, booking, turn.ts)
        current = await bookings.get(conn, booking.id)
        rtr = None
        if booking.booked_by is not None:
            rtr = await translator_for(services, conn, booking.booked_by)
    if not decided:
        state = current.state if current else ""
        await answer(
            query,
            tr._("This booking is already {state}.", state=state_text(tr, state)),
            alert=True,
        )
        return
    await answer(query)
    span = span_text(tr, booking.start, booking.end)
    if data.approve:
        mine = tr._(
            "Approved: booking #{id}, {room}, {span}.",
            id=booking.id,
            room=tr.name(room.names),
            span=span,
        )
    else:
        mine = tr._(
            "Rejected: booking #{id}, {room}, {span}.",
            id=booking.id,
            room=tr.name(room.names),
            span=span,
        )
    await reply(update, mine)
    if rtr is None or booking.booked_by is None:
        return
    rspan = span_text(rtr, booking.start, booking.end)
    if data.approve:
        theirs = rtr._(
            "Good news: your booking of {room}, {span} is approved. See you there!",
            room=rtr.name(room.names),
            span=rspan,
        )
    else:
        theirs = rtr._(
            "Sorry, your booking of {room}, {span} was not approved. Please choose another "
            "time with /book, or ask the property office.",
            room=rtr.name(room.names),
            span=rspan,
        )
    await notify(context, booking.booked_by, theirs)


async def _tell_watchers(
    services: Services,
    conn: aiosqlite.Connection,
    room: Room,
    freed: bookings.Booking,
    now: int,
) -> int:
    """Queue "it is free now" for everyone watching the freed time (in the same transaction)."""
    watchers = await bookings.take_watchers(conn, room.id, freed.start_at, freed.end_at, now)
    if not watchers:
        return 0
    batch = await outbox.create_batch(
        conn, "booking-freed", str(freed.id), created_by=None, now=now
    )
    messages = []
    for user_id, start, end in watchers:
        wtr = await translator_for(services, conn, user_id)
        text = wtr._(
            "Good news: {room}, {span} has just become free. Book it with /book before someone "
            "else does.",
            room=wtr.name(room.names),
            span=span_text(wtr, from_ts(start), from_ts(end)),
        )
        messages.append((user_id, outbox.Payload(text=text)))
    return await outbox.enqueue(conn, batch, messages, not_before=now)


# ---- my bookings and cancelling -----------------------------------------------------------------


@private_only
async def my_bookings(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    await _show_mine(update, context, turn)


async def _show_mine(update: Update, context: Context, turn: Turn, note: str = "") -> None:
    tr = turn.tr
    if not turn.principal.verified:
        await _join_first(update, turn)
        return
    unit_ids = [r.unit_id for r in turn.principal.verified]
    async with context.services.db.read() as conn:
        found = await bookings.upcoming_for_units(conn, unit_ids, turn.ts)
        names = {r.id: r.names for r in await community.rooms(conn)}
    lines = [note] if note else []
    buttons = []
    if not found:
        lines.append(tr._("You have no upcoming bookings."))
    else:
        lines.append(tr._("Your household's upcoming bookings:"))
        for index, booking in enumerate(found, start=1):
            lines.append(
                tr._(
                    "{index}. {room}, {span} ({state})",
                    index=index,
                    room=tr.name(names.get(booking.room_id, {})),
                    span=span_text(tr, booking.start, booking.end),
                    state=state_text(tr, booking.state),
                )
            )
            buttons.append(
                button(tr._("Cancel booking {index}", index=index), BookCancel(booking.id, False))
            )
    buttons.append(button(tr._("Book a room"), BookRooms()))
    await reply(update, "\n".join(lines), keyboard(buttons))


@private_only
async def cancel_booking(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, BookCancel)
    tr = turn.tr
    services = context.services
    unit_ids = {r.unit_id for r in turn.principal.verified}
    async with services.db.transaction() as conn:
        booking = await bookings.get(conn, data.booking_id)
        loaded = await _room(conn, booking.room_id) if booking else None
        if booking is None or loaded is None:
            await _invalid(turn, update)
            return
        if booking.unit_id not in unit_ids or not can(turn.principal, Action.BOOK_ROOM):
            await answer(query, tr._("This booking is not yours."), alert=True)
            return
        room, rules = loaded
        if not booking.live or booking.end_at <= turn.ts:
            await answer(query, tr._("This booking can no longer be cancelled."), alert=True)
            return
        if booking.state == "confirmed" and not slots.can_cancel(booking.start, turn.now, rules):
            await answer(
                query,
                tr._(
                    "Sorry, bookings can only be cancelled up to {length} before they start. "
                    "If you cannot come, please tell the property office.",
                    length=length_text(tr, rules.cancel_cutoff_minutes),
                ),
                alert=True,
            )
            return
        span = span_text(tr, booking.start, booking.end)
        if not data.confirm:
            await answer(query)
            text = tr._(
                "Cancel your booking of {room}, {span}?", room=tr.name(room.names), span=span
            )
            markup = keyboard(
                [
                    button(tr._("Yes, cancel it"), BookCancel(booking.id, True)),
                    button(tr._("No, keep it"), MyBookings()),
                ]
            )
            await reply(update, text, markup)
            return
        await bookings.cancel(conn, booking.id, by=turn.user.id, now=turn.ts, reason="resident")
        await people.audit(
            conn, turn.user.id, "booking_cancelled", room.code, turn.ts, str(booking.id)
        )
        await _tell_watchers(services, conn, room, booking, turn.ts)
    await answer(query)
    note = tr._("Cancelled: {room}, {span}.", room=tr.name(room.names), span=span)
    await _show_mine(update, context, turn, note)


# ---- staff: /rooms, /blackout, /utilisation -----------------------------------------------------


@private_only
async def rooms_today(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE_ROOMS):
        await reply(update, tr._("Sorry, you do not have the right to do this."))
        return
    today = turn.now.astimezone(tr.tz).date()
    start, _ = bookings.day_range(today, tr.tz)
    _, end = bookings.day_range(today + timedelta(days=1), tr.tz)
    async with context.services.db.read() as conn:
        found = await bookings.live_between(conn, start, end)
        all_rooms = await community.rooms(conn)
        units = {u.id: u.code for u in await community.all_units(conn)}
    lines = [tr._("Bookings today and tomorrow:")]
    for room in all_rooms:
        lines.append("")
        lines.append(tr.name(room.names))
        mine = [b for b in found if b.room_id == room.id]
        if not mine:
            lines.append(tr._("  no bookings"))
        for booking in mine:
            who = (
                units.get(booking.unit_id, "-")
                if booking.unit_id is not None
                else tr._("community")
            )
            lines.append(
                f"  {span_text(tr, booking.start, booking.end)} · {who} · "
                f"{state_text(tr, booking.state)}"
            )
    await reply(update, "\n".join(lines))


def _blackout_usage(tr: Translator, codes: list[str]) -> str:
    return tr._(
        "To close a room, send:\n/blackout ROOM YYYY-MM-DD HH:MM HH:MM reason\n"
        "for example: /blackout {code} 2026-12-01 08:00 12:00 painting the walls\n"
        "Rooms: {codes}",
        code=codes[0] if codes else "activity",
        codes=", ".join(codes) or "-",
    )


def _parse_clock(text: str) -> time | None:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        return None


@private_only
async def blackout(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    services = context.services
    if not can(turn.principal, Action.MANAGE_ROOMS):
        await reply(update, tr._("Sorry, you do not have the right to do this."))
        return
    args = list(context.args or [])
    async with services.db.read() as conn:
        codes = [r.code for r in await community.rooms(conn)]
    if len(args) < 4:
        await reply(update, _blackout_usage(tr, codes))
        return
    code, day_text, from_text, to_text, *words = args
    reason = " ".join(words)
    problem = text_too_long(turn, reason, 200)
    if problem:
        await reply(update, problem)
        return
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        day = None
    from_t, to_t = _parse_clock(from_text), _parse_clock(to_text)
    if day is None or from_t is None or (to_t is None and to_text != "24:00"):
        await reply(update, _blackout_usage(tr, codes))
        return
    start = datetime.combine(day, from_t, tr.tz)
    end = (
        datetime.combine(day + timedelta(days=1), time(), tr.tz)
        if to_t is None
        else datetime.combine(day, to_t, tr.tz)
    )
    if end <= start or end <= turn.now:
        await reply(update, tr._("The end must be after the start, and in the future."))
        return
    notes = 0
    async with services.db.transaction() as conn:
        found = await bookings.room_by_code(conn, code)
        if found is None:
            await reply(update, _blackout_usage(tr, codes))
            return
        blackout_id, cancelled = await bookings.add_blackout(
            conn,
            found.id,
            to_ts(start),
            to_ts(end),
            reason=reason,
            by=turn.user.id,
            now=turn.ts,
        )
        await people.audit(
            conn, turn.user.id, "room_blackout", found.code, turn.ts, str(blackout_id)
        )
        messages = []
        for booking in cancelled:
            if booking.booked_by is None:
                continue
            rtr = await translator_for(services, conn, booking.booked_by)
            text = rtr._(
                "We are sorry: your booking of {room}, {span} had to be cancelled, because the "
                "room is closed then ({reason}). Please choose another time with /book.",
                room=rtr.name(found.names),
                span=span_text(rtr, booking.start, booking.end),
                reason=reason or rtr._("maintenance"),
            )
            messages.append((booking.booked_by, outbox.Payload(text=text)))
        if messages:
            batch = await outbox.create_batch(
                conn, "booking-blackout", str(blackout_id), created_by=turn.user.id, now=turn.ts
            )
            notes = await outbox.enqueue(conn, batch, messages, not_before=turn.ts)
    text = tr._(
        "{room} is closed {span}. Bookings cancelled: {count}; residents told: {told}.",
        room=tr.name(found.names),
        span=tr._(
            "from {start} to {end}", start=tr.when(start, "short"), end=tr.when(end, "short")
        ),
        count=len(cancelled),
        told=notes,
    )
    await reply(update, text)


@private_only
async def utilisation(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE):
        await reply(update, tr._("Sorry, you do not have the right to do this."))
        return
    this_week = bookings.week_start(turn.now.astimezone(tr.tz).date())
    last_week = this_week - timedelta(days=7)
    lines = [
        tr._(
            "Room use (booked hours / open hours), this week (from {this}) and last week "
            "(from {last}):",
            this=tr.day(this_week),
            last=tr.day(last_week),
        )
    ]
    async with context.services.db.read() as conn:
        now_values = await bookings.weekly_utilisation(conn, tr.tz, this_week)
        last = await bookings.weekly_utilisation(conn, tr.tz, last_week)
    last_values = {room.id: value for room, value in last}
    for room, value in now_values:
        lines.append(
            tr._(
                "{room}: this week {this}, last week {last}",
                room=tr.name(room.names),
                this=percent(float(value)),
                last=percent(float(last_values.get(room.id, 0))),
            )
        )
    lines.append(tr._("The community's target is 80%."))
    await reply(update, "\n".join(lines))


# ---- the reminder job ---------------------------------------------------------------------------


async def remind_job(context: Context) -> None:
    """Queue a reminder for every confirmed booking whose reminder is due. The reminder row is
    marked sent in the same transaction that queues the outbox row, so a reminder is queued
    exactly once, even across restarts; the outbox delivers it (a crash between its send and
    its mark can repeat only the rows in flight)."""
    services = context.services
    now = to_ts(services.clock())
    async with services.db.transaction() as conn:
        due = await bookings.due_reminders(conn, now)
        if not due:
            return
        names = {r.id: r.names for r in await community.rooms(conn)}
        for booking in due:
            await bookings.mark_reminded(conn, booking.id, now)
            if booking.booked_by is None:
                continue
            rtr = await translator_for(services, conn, booking.booked_by)
            text = rtr._(
                "Reminder: you have booked {room}, {span}. If you cannot come, please cancel it "
                "in /mybookings so that a neighbour can use the room.",
                room=rtr.name(names.get(booking.room_id, {})),
                span=span_text(rtr, booking.start, booking.end),
            )
            batch = await outbox.create_batch(
                conn, "booking-reminder", str(booking.id), created_by=None, now=now
            )
            await outbox.enqueue(
                conn, batch, [(booking.booked_by, outbox.Payload(text=text))], not_before=now
            )


# ---- wiring ---------------------------------------------------------------------------------


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("book", book_start),
        CallbackQueryHandler(book_start, pattern=menu_pattern("book")),
        CallbackQueryHandler(book_start, pattern=matches(BookRooms)),
        CallbackQueryHandler(pick_room, pattern=matches(BookRoom)),
        CallbackQueryHandler(pick_day, pattern=matches(BookDay)),
        CallbackQueryHandler(pick_start, pattern=matches(BookSlot)),
        CallbackQueryHandler(slot_info, pattern=matches(BookSlotInfo)),
        CallbackQueryHandler(pick_length, pattern=matches(BookLength)),
        CallbackQueryHandler(confirm, pattern=matches(BookConfirm)),
        CallbackQueryHandler(watch, pattern=matches(BookWatch)),
        CommandHandler("mybookings", my_bookings),
        CallbackQueryHandler(my_bookings, pattern=menu_pattern("mybookings")),
        CallbackQueryHandler(my_bookings, pattern=matches(MyBookings)),
        CallbackQueryHandler(cancel_booking, pattern=matches(BookCancel)),
        CallbackQueryHandler(decide, pattern=matches(BookDecide)),
        CommandHandler("rooms", rooms_today),
        CommandHandler("blackout", blackout),
        CommandHandler("utilisation", utilisation),
    ]


def _verified(p: Any) -> bool:
    return bool(p.verified)


FEATURE = Feature(
    name="bookings",
    handlers=_handlers,
    menu=(
        MenuEntry("book", N_("Book a room"), 30),
        MenuEntry("mybookings", N_("My bookings"), 31, visible=_verified),
    ),
    commands=(
        CommandSpec("book", N_("Book a shared room")),
        CommandSpec("mybookings", N_("Your room bookings")),
        CommandSpec(
            "rooms",
            N_("Staff: today's and tomorrow's room bookings"),
            roles=(Role.STAFF, Role.MANAGER),
        ),
        CommandSpec(
            "blackout", N_("Staff: close a room for a time"), roles=(Role.STAFF, Role.MANAGER)
        ),
        CommandSpec(
            "utilisation", N_("Manager: how much each room is used"), roles=(Role.MANAGER,)
        ),
    ),
    jobs=(JobSpec(REMIND_JOB, remind_job, interval_seconds=60.0, first_seconds=10.0),),
)
