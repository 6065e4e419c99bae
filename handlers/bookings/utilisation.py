"""/utilisation for managers: each room's booked hours over its open hours, this week and
last week, against the community's 80% target."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.texts.bookings import percent
from handlers.kit import Refusal, begin, private_only, refusal_text, reply
from storage import room_use


@private_only
async def utilisation(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    if not can(turn.principal, Action.MANAGE):
        await reply(update, refusal_text(tr, Refusal.NO_RIGHT))
        return
    this_week = room_use.week_start(turn.now.astimezone(tr.tz).date())
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
        now_values = await room_use.rooms_utilisation(conn, tr.tz, this_week)
        last = await room_use.rooms_utilisation(conn, tr.tz, last_week)
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
