"""Tickets, building leaders' and grid workers' side: ``/buildingtickets`` (and a menu button),
a read-only list of the open tickets of the buildings they look after, soonest deadline first,
and a read-only summary with the history of each. No staff buttons: leaders watch, staff act.

Who sees what is ``bot.rules.auth.can(principal, Action.SEE_BUILDING_TICKETS, building)``:
leaders and grid workers for their buildings, staff and managers for all. Every press
re-checks it against the ticket's building; a press for another building's ticket is refused
and shows nothing.

Privacy (PRODUCT.md: room numbers and complaints never reach other residents, and a leader is a
resident too): this view never shows a unit number (a home is "a home on floor N"), never who
reported a ticket, and never the resident's own words for a complaint or a repair inside a home;
only public-area repairs and suggestions show their description, with phone, ID and room
numbers and unit codes masked (``bot.rules.privacy``). Staff who need more open the full card
with ``/ticket N``. The rules are the same for everyone who uses this view.

This module's handlers and menu button are carried by ``handlers.tickets.FEATURE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiosqlite
from babel.dates import format_timedelta
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.i18n import N_, Translator
from bot.rules.auth import Action, Principal, Role, can
from bot.rules.clock import from_ts
from bot.rules.sla import Stage
from bot.rules.tickets import Kind, State
from bot.services import tickets_render as render
from bot.texts.tickets import KIND_LABELS, STAGE_LABELS, STATE_LABELS
from handlers.kit import (
    MenuPick,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    reply,
)
from handlers.kit.callbacks import CallbackData, callback, matches
from handlers.kit.menu import menu_pattern
from handlers.tickets.texts import HISTORY_LABELS as RESIDENT_HISTORY
from storage import community
from storage import tickets as store
from storage.tickets import Ticket

MENU_KEY = "buildingtickets"
COMMAND = "buildingtickets"
#: Who /help lists the command for (``can`` decides; a resident who tries is told politely).
ROLES = (Role.LEADER, Role.GRID, Role.STAFF, Role.MANAGER)
LIST_LIMIT = 20  # tickets listed (and buttons); the message stays well under 4096 characters


@callback("tl")
@dataclass(frozen=True)
class LeaderTicket(CallbackData):
    """Open the read-only summary of one ticket from the leaders' list."""

    ticket_id: int


#: History entries as a leader reads them: what happened, never who of the residents did it.
#: The history in a leader's words: as the resident's own, but the resident is "the resident".
HISTORY_LABELS = {**RESIDENT_HISTORY, "answered": N_("the resident answered")}


def menu_visible(p: Principal) -> bool:
    """The menu button is for building leaders and grid workers (staff have their queue)."""
    return p.has_any(Role.LEADER, Role.GRID)


def shows_description(t: Ticket) -> bool:
    """Only public-area repairs and suggestions show the resident's words in this view."""
    return t.kind is not Kind.COMPLAINT and t.unit_id is None


def duration(tr: Translator, seconds: int) -> str:
    """How long, in the reader's language, rounded to one unit: "3 hours", "2天" (a minute at
    least: "0 seconds" reads like a mistake)."""
    return format_timedelta(timedelta(seconds=max(60, seconds)), locale=tr.babel_locale)


def deadline_of(t: Ticket) -> int | None:
    """The next deadline (response, then resolution); None while the clock is stopped."""
    if t.state is State.WAITING_RESIDENT:
        return None
    return t.response_due_at or t.resolution_due_at


def deadline_note(tr: Translator, t: Ticket, now: int) -> str | None:
    due = deadline_of(t)
    if due is None:
        return None
    if now >= due:
        return tr._("⚠ past its deadline by {time}", time=duration(tr, now - due))
    return tr._("due {when}", when=tr.when(from_ts(due)))


async def _scope(conn: aiosqlite.Connection, principal: Principal) -> tuple[list[int], bool]:
    """The buildings whose tickets this person may see, and whether that is every building."""
    found = await community.buildings(conn)
    allowed = [b.id for b in found if can(principal, Action.SEE_BUILDING_TICKETS, b.id)]
    return allowed, bool(found) and len(allowed) == len(found)


async def _where(conn: aiosqlite.Connection, tr: Translator, t: Ticket) -> str:
    return await render.where_text(conn, tr, t, show_unit=False)


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


@private_only
async def building_tickets(update: Update, context: Context) -> None:
    """``/buildingtickets`` or the menu button: open tickets of my buildings."""
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    async with turn.services.db.read() as conn:
        allowed, everything = await _scope(conn, turn.principal)
        if not allowed:
            await reply(
                update,
                tr._(
                    "This list is for building leaders, grid workers and property staff. "
                    "To see your own tickets, send /mytickets."
                ),
            )
            return
        found, total = await store.open_in_buildings(conn, allowed, LIST_LIMIT)
        lines: list[str] = []
        buttons = []
        for t in found:
            category = await render.category_name(conn, tr, t.category)
            where = await _where(conn, tr, t)
            details = [
                tr._(STATE_LABELS[t.state]),
                tr._("open for {time}", time=duration(tr, turn.ts - t.created_at)),
            ]
            note = deadline_note(tr, t, turn.ts)
            if note:
                details.append(note)
            lines.append(f"#{t.id} {category} · {where}\n   " + " · ".join(details))
            buttons.append(button(f"#{t.id} {category} · {where}"[:60], LeaderTicket(t.id)))
    if not found:
        text = (
            tr._("There are no open tickets now.")
            if everything
            else tr._("There are no open tickets in your buildings now.")
        )
        await reply(update, text)
        return
    if everything:
        head = tr.n_(
            "{n} open ticket in all buildings, soonest deadline first:",
            "{n} open tickets in all buildings, soonest deadline first:",
            total,
        )
    else:
        head = tr.n_(
            "{n} open ticket in your buildings, soonest deadline first:",
            "{n} open tickets in your buildings, soonest deadline first:",
            total,
        )
    parts = [head, "\n\n".join(lines)]
    if total > len(found):
        parts.append(tr._("These are the {shown} with the soonest deadlines.", shown=len(found)))
    parts.append(tr._("Tap a ticket to see more."))
    await reply(update, "\n\n".join(parts), keyboard(buttons))


# ---------------------------------------------------------------------------------------------
# One ticket, read-only
# ---------------------------------------------------------------------------------------------


async def summary(
    conn: aiosqlite.Connection, tr: Translator, t: Ticket, now: int
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        tr._(
            "Ticket #{number}: {kind}, {category}",
            number=t.id,
            kind=tr._(KIND_LABELS[t.kind]),
            category=await render.category_name(conn, tr, t.category),
        ),
        tr._("Where: {where}", where=await _where(conn, tr, t)),
        tr._("State: {state}", state=tr._(STATE_LABELS[t.state])),
        tr._(
            "Reported: {when} ({time} ago)",
            when=tr.when(from_ts(t.created_at)),
            time=duration(tr, now - t.created_at),
        ),
    ]
    if t.is_open:
        due = deadline_of(t)
        if t.state is State.WAITING_RESIDENT:
            lines.append(tr._("The clock is stopped while staff wait for the resident's answer."))
        elif due is not None and now >= due:
            lines.append(
                tr._(
                    "⚠ Past its deadline ({when}) by {time}.",
                    when=tr.when(from_ts(due)),
                    time=duration(tr, now - due),
                )
            )
        elif t.response_due_at is not None:
            lines.append(tr._("Response due: {when}", when=tr.when(from_ts(t.response_due_at))))
        elif t.resolution_due_at is not None:
            lines.append(tr._("Resolution due: {when}", when=tr.when(from_ts(t.resolution_due_at))))
    lines.append(
        tr._("Assigned to: {name}", name=await render.name_of(conn, t.assignee_id))
        if t.assignee_id is not None
        else tr._("Nobody is assigned yet.")
    )
    if shows_description(t):
        if t.description:
            text = await community.mask_for_group(conn, t.description)
            lines.append(tr._("Description: {text}", text=text))
    else:
        lines.append(tr._("What the resident wrote stays with the property staff."))
    lines.append(tr._("History:"))
    for row in await store.history(conn, t.id):
        if row.action == "reminder" and row.detail in {s.value for s in Stage}:
            label = tr._("reminder sent: {stage}", stage=tr._(STAGE_LABELS[Stage(row.detail)]))
        elif row.action in HISTORY_LABELS:
            label = tr._(HISTORY_LABELS[row.action])
        else:
            continue
        lines.append(f"· {tr.when(from_ts(row.at))} {label}")
    markup = keyboard([button(tr._("Back to the list"), MenuPick(MENU_KEY))])
    return "\n".join(lines), markup


@private_only
async def open_ticket(update: Update, context: Context) -> None:
    """A ticket pressed in the list: re-check the right for its building, then show it."""
    query, data, turn = await pressed(update, context, LeaderTicket)
    async with turn.services.db.read() as conn:
        ticket = await store.get(conn, data.ticket_id)
        if ticket is None or not can(
            turn.principal, Action.SEE_BUILDING_TICKETS, ticket.building_id
        ):
            # the same words whether it does not exist or is not theirs: nothing is revealed
            await answer(
                query,
                turn.tr._("Sorry, this ticket is not in a building you look after."),
                alert=True,
            )
            return
        text, markup = await summary(conn, turn.tr, ticket, turn.ts)
    await answer(query)
    await reply(update, text, markup)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(COMMAND, building_tickets),
        CallbackQueryHandler(building_tickets, pattern=menu_pattern(MENU_KEY)),
        CallbackQueryHandler(open_ticket, pattern=matches(LeaderTicket)),
    ]
