"""Automatic assignment of a new ticket by the duty roster (``bot.rules.roster``): the next in
turn among the staff on duty for its category (skipping those at the workload limit), or for an
urgent ticket outside service hours the night's on-call person. The assignee gets the ticket in
private, as when staff assign it; the ticket stays unanswered until they accept it, and staff can
still reassign it from its card."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import aiosqlite

from bot.i18n import N_, I18n
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts
from bot.rules.roster import Pick, Why, choose, only
from bot.services import tickets as service
from bot.services.tickets_render import name_of
from storage import community, people
from storage import roster as store
from storage import tickets as tickets_store
from storage.tickets import Ticket

INTROS = {
    Why.DUTY: N_("A new ticket was given to you: you are on duty today."),
    Why.ON_CALL: N_("An urgent ticket outside service hours was given to you: you are on call."),
}


async def pick_for(conn: aiosqlite.Connection, t: Ticket, now: int) -> Pick | None:
    """Whom the roster gives the ticket to now (None: nobody on duty, or all at the limit).
    Only people who may still handle tickets in its building count."""
    roster = await store.load(conn)
    info = await community.get_community(conn)
    if not roster or info is None:
        return None
    hours = info.settings.get("service_hours") or ["08:00", "20:00"]
    window = (time.fromisoformat(hours[0]), time.fromisoformat(hours[1]))
    moment = from_ts(now).astimezone(ZoneInfo(info.timezone))
    able = {
        u
        for u in roster.people
        if can(await people.load_principal(conn, u), Action.HANDLE_TICKETS, t.building_id)
    }
    roster = only(roster, able)
    last = await store.last_turn(conn, t.category)
    load = await store.loads(conn, able)
    return choose(roster, t.category, t.priority == "urgent", moment, window, last, load)


async def auto_assign(
    conn: aiosqlite.Connection, i18n: I18n, links: service.Links, t: Ticket, now: int
) -> tuple[Ticket, list[service.Outgoing]]:
    """Assign the new ticket by the roster, in the caller's transaction: the ticket as it is
    now, and the assignee's private card to queue (nothing if nobody was picked)."""
    pick = await pick_for(conn, t, now)
    if pick is None:
        return t, []
    await tickets_store.update_fields(conn, t.id, assignee_id=pick.user_id)
    name = await name_of(conn, pick.user_id)
    await tickets_store.add_history(conn, t.id, now, None, "assigned", name)
    await tickets_store.add_history(conn, t.id, now, None, "roster", pick.why.value)
    if pick.why is Why.DUTY:
        await store.set_turn(conn, t.category, pick.user_id, now)
    updated = await tickets_store.get(conn, t.id)
    assert updated is not None
    assignee = await people.load_principal(conn, pick.user_id)
    audience = "manager" if assignee.has(Role.MANAGER) else "staff"
    card = await service.private_card(
        conn, i18n, links, updated, pick.user_id, audience, media=True, intro=INTROS[pick.why]
    )
    return updated, [card]
