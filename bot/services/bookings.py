"""Room booking use cases that the /book flow, the staff commands and the "bookings-remind" job
share: booking, approving, cancelling, closing a room, and what must reach others (outbox rows
written in the caller's transaction). No Telegram here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules import slots
from bot.rules.auth import Role
from bot.rules.clock import from_ts
from bot.services import cards
from bot.services.readers import translator_for
from bot.texts.bookings import span_text
from storage import bookings as store
from storage import community, outbox, people
from storage.community import Room, Unit

#: The "book it now" button under a freed-up message, built by the bookings handlers:
#: (reader's translator, room id, start, minutes, unit id) -> outbox button rows.
BookNow = Callable[[Translator, int, int, int, int], list[list[dict[str, str]]]]

log = logging.getLogger(__name__)

DEFAULT_REMIND_MINUTES = 60
DEFAULT_PENDING_HOURS = 2


# ---- rooms and settings -------------------------------------------------------------------------


def room_rules(room: Room) -> slots.RoomRules | None:
    """The room's booking rules; None (logged) when they are invalid: it cannot be booked."""
    try:
        return slots.rules_from_mapping(room.rules)
    except ValueError as exc:
        log.warning("room %s has invalid rules, it cannot be booked: %s", room.code, exc)
        return None


async def load_room(
    conn: aiosqlite.Connection, room_id: int
) -> tuple[Room, slots.RoomRules] | None:
    """A bookable room and its rules, or None (no such room, or invalid rules)."""
    found = await store.room(conn, room_id)
    if found is None:
        return None
    rules = room_rules(found)
    return None if rules is None else (found, rules)


async def remind_minutes(conn: aiosqlite.Connection) -> int:
    """How long before a confirmed booking its reminder is due (a community setting)."""
    info = await community.get_community(conn)
    value = info.settings.get("booking_reminder_minutes") if info else None
    return value if isinstance(value, int) and value >= 0 else DEFAULT_REMIND_MINUTES


async def pending_hours(conn: aiosqlite.Connection) -> int:
    """How many hours before its start a booking still waiting for approval expires."""
    info = await community.get_community(conn)
    value = info.settings.get("booking_pending_hours") if info else None
    return value if isinstance(value, int) and value >= 0 else DEFAULT_PENDING_HOURS


# ---- booking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """The outcome of a booking: the storage result, and for a pending household booking who
    is to approve it (each with their translator) and the household's unit."""

    result: store.BookResult
    approvers: list[tuple[int, Translator]]
    unit: Unit | None


async def book(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    rules: slots.RoomRules,
    tz: tzinfo,
    *,
    household: tuple[int, int] | None,
    user_id: int,
    start: int,
    end: int,
    now: datetime,
    as_staff: bool,
) -> Booked:
    """Check and insert in the caller's transaction (``storage.bookings.book``); audit it.
    ``household`` is (unit_id, building_id), None for a community booking by staff."""
    ts = int(now.timestamp())
    result = await store.book(
        conn,
        room.id,
        rules,
        tz,
        unit_id=None if household is None else household[0],
        user_id=user_id,
        start=start,
        end=end,
        now=now,
        as_staff=as_staff,
        remind_minutes=await remind_minutes(conn),
    )
    booking = result.booking
    approvers: list[tuple[int, Translator]] = []
    unit = None
    if booking is not None:
        await people.audit(
            conn, user_id, f"booking_{booking.state}", room.code, ts, str(booking.id)
        )
        if booking.state == "pending" and household is not None:
            for approver in await approvers_for(conn, household[1], user_id):
                approvers.append((approver, await translator_for(i18n, conn, approver)))
        unit = await community.unit(conn, household[0]) if household else None
    return Booked(result, approvers, unit)


async def approvers_for(conn: aiosqlite.Connection, building_id: int, booker: int) -> list[int]:
    """Who may approve: staff and managers, and the leaders of the household's building."""
    found: list[int] = []
    for role, scope in ((Role.STAFF, None), (Role.MANAGER, None), (Role.LEADER, building_id)):
        for user_id in await people.role_holders(conn, role, scope):
            if user_id not in found and user_id != booker:
                found.append(user_id)
    return found


# ---- approval -----------------------------------------------------------------------------------


def approval_card(booking_id: int) -> str:
    """The card key of a pending booking's request, one copy per approver
    (``bot.services.cards`` settles them all once it is decided or expires)."""
    return f"booking:{booking_id}"


@dataclass(frozen=True)
class Decision:
    """Whether the decision was taken (False: the booking was no longer pending), the
    booking's state now, and the booker's translator (None for a community booking)."""

    decided: bool
    state: str
    booker_tr: Translator | None


async def decide(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    booking: store.Booking,
    approve: bool,
    *,
    by: int,
    now: int,
    book_now: BookNow | None = None,
) -> Decision:
    """Approve or reject a pending booking; a rejection frees its time for the watchers."""
    decided = await store.decide(
        conn, booking.id, approve, by=by, now=now, remind_minutes=await remind_minutes(conn)
    )
    if decided:
        action = "booking_approved" if approve else "booking_rejected"
        await people.audit(conn, by, action, room.code, now, str(booking.id))
        if not approve:
            await tell_watchers(conn, i18n, room, booking, now, book_now)
    current = await store.get(conn, booking.id)
    booker_tr = None
    if booking.booked_by is not None:
        booker_tr = await translator_for(i18n, conn, booking.booked_by)
    return Decision(decided, current.state if current else "", booker_tr)


async def expire_pending(conn: aiosqlite.Connection, now: int, i18n: I18n) -> int:
    """Cancel every pending booking nobody approved in time (``pending_hours`` before its
    start): the time is free again, its watchers and the resident are told, and every
    approver's card says so. Each booking is claimed once (a conditional update); returns how
    many expired."""
    due = await store.due_to_expire(conn, now, await pending_hours(conn))
    expired = 0
    for booking in due:
        room = await store.room(conn, booking.room_id)
        if room is None or not await store.expire(conn, booking.id, now):
            continue
        expired += 1
        await tell_watchers(conn, i18n, room, booking, now)
        if booking.booked_by is not None:
            rtr = await translator_for(i18n, conn, booking.booked_by)
            text = rtr._(
                "Sorry, nobody approved your booking of {room}, {span} in time, so it is "
                "cancelled and the time is free again. Please choose another time with /book, "
                "or ask the property office.",
                room=rtr.name(room.names),
                span=span_text(rtr, booking.start, booking.end),
            )
            await tell_booker(conn, booking, text, now)

        def outcome(tr: Translator, booking: store.Booking = booking, room: Room = room) -> str:
            return tr._(
                "Booking request #{id}: {room}, {span}. Nobody answered in time: it has expired "
                "and the time is free again.",
                id=booking.id,
                room=tr.name(room.names),
                span=span_text(tr, booking.start, booking.end),
            )

        await cards.settle_copies(conn, i18n, approval_card(booking.id), outcome, now=now)
    return expired


async def tell_booker(
    conn: aiosqlite.Connection, booking: store.Booking, text: str, now: int
) -> None:
    """Queue a message about this booking to the one who booked it (if anyone did)."""
    if booking.booked_by is not None:
        await outbox.push(
            conn,
            booking.booked_by,
            outbox.Payload(text=text),
            now=now,
            kind="booking",
            ref=str(booking.id),
        )


# ---- cancelling ---------------------------------------------------------------------------------


async def cancel(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    booking: store.Booking,
    *,
    by: int,
    now: int,
    book_now: BookNow | None = None,
) -> None:
    """A resident cancels their household's booking: audited, and its watchers are told."""
    await store.cancel(conn, booking.id, by=by, now=now, reason="resident")
    await people.audit(conn, by, "booking_cancelled", room.code, now, str(booking.id))
    await tell_watchers(conn, i18n, room, booking, now, book_now)


async def tell_watchers(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    freed: store.Booking,
    now: int,
    book_now: BookNow | None = None,
) -> int:
    """Queue "it is free now" for everyone watching the freed booking's time, with a "book it
    now" button (``book_now``) for a watcher with exactly one home."""
    return await tell_freed(
        conn, i18n, room, freed.start_at, freed.end_at, str(freed.id), now, book_now
    )


async def tell_freed(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    start: int,
    end: int,
    ref: str,
    now: int,
    book_now: BookNow | None = None,
) -> int:
    """Queue "it is free now" for everyone watching ``[start, end)`` of the room (in the same
    transaction); ``ref`` names what freed it (a booking id, "blackout:<id>"). With
    ``book_now``, a watcher with exactly one home gets a button leading straight to
    confirming the freed slot for it."""
    watchers = await store.take_watchers(conn, room.id, start, end, now)
    if not watchers:
        return 0
    batch = await outbox.create_batch(conn, "booking-freed", ref, created_by=None, now=now)
    messages = []
    for user_id, start, end in watchers:
        wtr = await translator_for(i18n, conn, user_id)
        homes = [r for r in await people.residences_of(conn, user_id) if r.status == "verified"]
        buttons: list[list[dict[str, str]]] = []
        if book_now is not None and len(homes) == 1:
            minutes = (end - start) // 60
            buttons = book_now(wtr, room.id, start, minutes, homes[0].unit_id)
        text = (
            wtr._(
                "Good news: {room}, {span} has just become free. Tap below to book it before "
                "someone else does.",
                room=wtr.name(room.names),
                span=span_text(wtr, from_ts(start), from_ts(end)),
            )
            if buttons
            else wtr._(
                "Good news: {room}, {span} has just become free. Book it with /book before "
                "someone else does.",
                room=wtr.name(room.names),
                span=span_text(wtr, from_ts(start), from_ts(end)),
            )
        )
        messages.append((user_id, outbox.Payload(text=text, buttons=buttons)))
    return await outbox.enqueue(conn, batch, messages, not_before=now)


# ---- closing a room -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """A blackout: the bookings it cancelled and how many residents were told."""

    blackout_id: int
    cancelled: list[store.Booking]
    told: int


async def close_room(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    start: int,
    end: int,
    *,
    reason: str,
    by: int,
    now: int,
) -> Closure:
    """Block ``[start, end)``, cancel the live bookings it overlaps and tell their bookers."""
    blackout_id, cancelled = await store.add_blackout(
        conn, room.id, start, end, reason=reason, by=by, now=now
    )
    await people.audit(conn, by, "room_blackout", room.code, now, str(blackout_id))
    messages = []
    for booking in cancelled:
        if booking.booked_by is None:
            continue
        rtr = await translator_for(i18n, conn, booking.booked_by)
        text = rtr._(
            "We are sorry: your booking of {room}, {span} had to be cancelled, because the "
            "room is closed then ({reason}). Please choose another time with /book.",
            room=rtr.name(room.names),
            span=span_text(rtr, booking.start, booking.end),
            reason=reason or rtr._("maintenance"),
        )
        messages.append((booking.booked_by, outbox.Payload(text=text)))
    told = 0
    if messages:
        batch = await outbox.create_batch(
            conn, "booking-blackout", str(blackout_id), created_by=by, now=now
        )
        told = await outbox.enqueue(conn, batch, messages, not_before=now)
    return Closure(blackout_id, cancelled, told)


async def open_again(
    conn: aiosqlite.Connection,
    i18n: I18n,
    room: Room,
    blackout: store.Blackout,
    *,
    by: int,
    now: int,
) -> int | None:
    """Remove a blackout: the bookings it cancelled stay cancelled (their residents were told
    and may have booked elsewhere), but whoever watches the freed time is told. Returns how many
    watchers are told, ``None`` if it was removed already or has ended."""
    if not await store.remove_blackout(conn, blackout.id, now):
        return None
    await people.audit(conn, by, "room_blackout_removed", room.code, now, str(blackout.id))
    return await tell_freed(
        conn, i18n, room, blackout.start_at, blackout.end_at, f"blackout:{blackout.id}", now
    )


# ---- reminders ----------------------------------------------------------------------------------


async def queue_reminders(conn: aiosqlite.Connection, now: int, i18n: I18n) -> int:
    """Queue a reminder for every confirmed booking whose reminder is due; returns how many
    bookings were due. The reminder row is marked sent in the same transaction that queues the
    outbox row, so a reminder is queued exactly once, even across restarts; the outbox delivers
    it (a crash between its send and its mark can repeat only the rows in flight)."""
    due = await store.due_reminders(conn, now)
    if not due:
        return 0
    names = {r.id: r.names for r in await community.rooms(conn)}
    for booking in due:
        await store.mark_reminded(conn, booking.id, now)
        if booking.booked_by is None:
            continue
        rtr = await translator_for(i18n, conn, booking.booked_by)
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
    return len(due)
