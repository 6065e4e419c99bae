"""/roster: the weekly duty roster as the community file set it (who is on duty for which
category each day, who is on call each night, the workload limit) with today marked and each
person's open tickets now, for staff and managers. Managers change it in the community file
(``[[roster]]``, ``[[on_call]]``, ``workload_limit``) and load it with ``residentbot init``;
``bot.services.assignment`` assigns new tickets by it."""

from __future__ import annotations

from datetime import time
from typing import Any

import aiosqlite
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import Context
from bot.feature import CommandSpec, Feature
from bot.i18n import N_, Translator
from bot.rules.auth import Action, Role, can
from bot.rules.roster import ANY_CATEGORY, Roster, duty_day
from bot.services.tickets_render import name_of
from bot.texts.meetings import WEEKDAYS as WEEKDAY_LABELS
from handlers.kit import Refusal, begin, private_only, refuse, reply
from storage import community
from storage import roster as store


async def _names(conn: aiosqlite.Connection, users: tuple[int, ...]) -> str:
    return ", ".join([await name_of(conn, u) for u in users])


async def roster_text(
    conn: aiosqlite.Connection, tr: Translator, roster: Roster, today: int
) -> str:
    categories = {c.code: tr.name(c.names) for c in await community.categories(conn)}
    lines = [tr._("🗓 The duty roster")]
    lines.append(
        tr._("At most {n} open tickets each.", n=roster.limit)
        if roster.limit
        else tr._("No workload limit.")
    )
    for day, label in enumerate(WEEKDAY_LABELS):
        shifts = [s for s in roster.shifts if s.weekday == day and s.staff]
        parts = [
            tr._(
                "{category}: {names}",
                category=tr._("everything")
                if s.category == ANY_CATEGORY
                else categories.get(s.category, s.category),
                names=await _names(conn, s.staff),
            )
            for s in sorted(shifts, key=lambda s: s.category != ANY_CATEGORY)
        ]
        night = roster.on_call.get(day)
        if night is not None:
            parts.append(tr._("on call at night: {name}", name=await name_of(conn, night)))
        mark = "👉 " if day == today else "• "
        lines.append(mark + tr._(label) + ": " + ("; ".join(parts) or tr._("nobody")))
    load = await store.loads(conn, roster.people)
    if roster.people:
        counts = [f"{await name_of(conn, u)} {load.get(u, 0)}" for u in sorted(roster.people)]
        lines.append(tr._("Open tickets now: {counts}", counts=", ".join(counts)))
    return "\n".join(lines)


@private_only
async def roster_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return
    async with turn.services.db.read() as conn:
        roster = await store.load(conn)
        info = await community.get_community(conn)
        if not roster or info is None:
            await reply(
                update,
                turn.tr._(
                    "There is no duty roster yet: new tickets wait in the staff chat. A "
                    "manager sets it in the community file ([[roster]], [[on_call]]) and "
                    "loads it with residentbot init."
                ),
            )
            return
        end = (info.settings.get("service_hours") or ["08:00", "20:00"])[1]
        today = duty_day(turn.now.astimezone(turn.tr.tz), time.fromisoformat(end)).weekday()
        text = await roster_text(conn, turn.tr, roster, today)
    await reply(update, text)


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler("roster", roster_command)]


FEATURE = Feature(
    name="roster",
    handlers=_handlers,
    commands=(
        CommandSpec(
            "roster",
            N_("Staff: the duty roster and who is on call"),
            roles=(Role.STAFF, Role.MANAGER),
        ),
    ),
)
