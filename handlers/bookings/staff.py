"""Staff commands: /rooms (today's and tomorrow's bookings of every room) and /blackout
(close a room for a time; the bookings it hits are cancelled and their residents told)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from telegram import Update

from bot.context import Context
from bot.i18n import Translator
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.services import bookings as service
from bot.texts.bookings import span_text, state_text
from handlers.kit import Refusal, begin, private_only, refusal_text, reply, text_too_long
from storage import bookings, community
from storage.community import Room


@private_only
async def rooms_today(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE_ROOMS):
        await reply(update, refusal_text(tr, Refusal.NO_RIGHT))
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
        "Rooms: {codes}\n"
        "Or send /blackout alone to choose by buttons; /blackouts lists the closures.",
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
        await reply(update, refusal_text(tr, Refusal.NO_RIGHT))
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
    async with services.db.transaction() as conn:
        found = await bookings.room_by_code(conn, code)
        if found is None:
            await reply(update, _blackout_usage(tr, codes))
            return
        closure = await service.close_room(
            conn,
            services.i18n,
            found,
            to_ts(start),
            to_ts(end),
            reason=reason,
            by=turn.user.id,
            now=turn.ts,
        )
    await reply(update, closed_text(tr, found, start, end, closure))


def closed_text(
    tr: Translator, room: Room, start: datetime, end: datetime, closure: service.Closure
) -> str:
    return tr._(
        "{room} is closed {span}. Bookings cancelled: {count}; residents told: {told}.",
        room=tr.name(room.names),
        span=tr._("from {start} to {end}", start=tr.when(start), end=tr.when(end)),
        count=len(closure.cancelled),
        told=closure.told,
    )
