"""Outages (incidents), the use cases: declared once by staff for buildings (or the whole
community) and a category, announced as an urgent notice (``bot.services.notices``, each
resident in their language); the open tickets about it become its tickets; a resident starting a
matching report follows it instead; the followers and the tickets' residents get its updates and
the "restored" message; resolving it resolves its tickets together (each resident can still
rate or say "not fixed", as for any ticket), and a follower's "not fixed" becomes their own
ticket, escalated to the managers.

Everything for someone else is an outbox row in the caller's transaction; the caller calls
``services.deliver_now()`` after the commit.
"""

from __future__ import annotations

from collections.abc import Callable

import aiosqlite

from bot.i18n import N_, I18n, Translator
from bot.rules.auth import Role
from bot.rules.clock import from_ts
from bot.rules.tickets import Kind
from bot.services import assignment
from bot.services import tickets as service
from bot.services.notices import enqueue_notice
from bot.services.tickets_render import translator_for
from bot.texts.incidents import outage_line
from storage import community, people
from storage import incidents as store
from storage import notices as notices_store
from storage import tickets as tickets_store
from storage.incidents import Follower, Incident, Spot
from storage.tickets import Ticket

#: The buttons under the "restored" message for a follower: (tr, incident id) -> rows.
NotFixedButtons = Callable[[Translator, int], service.Buttons]

ESCALATION = N_(
    "Escalation: an outage was marked restored, but this resident says it is not fixed."
)


async def words_of(conn: aiosqlite.Connection, incident: Incident) -> Callable[[Translator], str]:
    """The outage's one line for any reader (the names looked up once)."""
    return await words_for(
        conn, incident.category, incident.buildings, incident.expected_end, incident.note
    )


async def words_for(
    conn: aiosqlite.Connection,
    category: str,
    buildings: list[int] | None,
    expected_end: int | None,
    note: str,
) -> Callable[[Translator], str]:
    """An outage's one line for any reader, before or after it is declared."""
    cat = await community.category(conn, category)
    names = {b.id: b.names for b in await community.buildings(conn)}
    expected = from_ts(expected_end) if expected_end is not None else None
    category_names = cat.names if cat is not None else {"zh_Hans": category}

    def words(tr: Translator) -> str:
        where = (
            None
            if buildings is None
            else [tr.name(names[b]) if b in names else f"#{b}" for b in buildings]
        )
        return outage_line(tr, category_names, where, expected, note)

    return words


async def declare(
    conn: aiosqlite.Connection,
    i18n: I18n,
    *,
    by: int,
    category: str,
    buildings: list[int] | None,
    expected_end: int | None,
    note: str,
    now: int,
) -> tuple[Incident, int, int]:
    """Declare an outage: its row, its urgent notice to the residents of its buildings (and
    their bound groups), and the open tickets about it linked to it (their residents told).
    Returns the outage and the notice's (people, groups)."""
    incident_id = await store.create(
        conn,
        category=category,
        buildings=buildings,
        expected_end=expected_end,
        note=note,
        by=by,
        now=now,
    )
    incident = await store.get(conn, incident_id)
    assert incident is not None
    words = await words_of(conn, incident)
    notice_id = await notices_store.create_notice(
        conn,
        author_id=by,
        text=words(i18n.translator(None)),
        photo=None,
        document=None,
        buildings=buildings,
        include_groups=True,
        pin=False,
        urgent=True,
        send_at=now,
        now=now,
    )
    await store.set_notice(conn, incident_id, notice_id)
    _, reached, groups = await enqueue_notice(i18n, conn, notice_id, now, words)
    news: list[service.Outgoing] = []
    for ticket_id in await store.open_tickets_of(conn, category, buildings):
        await store.link(conn, incident_id, ticket_id, now)
        await tickets_store.add_history(conn, ticket_id, now, by, "incident", str(incident_id))
        news += await _tell_ticket(
            conn,
            i18n,
            ticket_id,
            N_("Your ticket #{number} is part of a known outage: {outage}"),
            words,
        )
    await service.queue(conn, news, now)
    found = await store.get(conn, incident_id)
    assert found is not None
    return found, reached, groups


async def absorb(conn: aiosqlite.Connection, ticket_id: int, now: int) -> int | None:
    """A ticket reported anyway while an outage about it is open becomes one of its tickets
    (resolved with it); returns the outage's number."""
    ticket = await tickets_store.get(conn, ticket_id)
    incident = ticket and await store.matching(conn, ticket.category, ticket.building_id)
    if ticket is None or incident is None:
        return None
    await store.link(conn, incident.id, ticket.id, now)
    await tickets_store.add_history(conn, ticket.id, now, None, "incident", str(incident.id))
    return incident.id


async def follow(
    conn: aiosqlite.Connection, incident_id: int, user_id: int, now: int, spot: Spot
) -> Incident | None:
    """The resident follows the outage instead of reporting it (with where they would have
    reported it); None if it is no longer open."""
    incident = await store.get(conn, incident_id)
    if incident is None or not incident.is_open:
        return None
    await store.follow(conn, incident_id, user_id, now, spot)
    return incident


async def move_expected_end(
    conn: aiosqlite.Connection, i18n: I18n, incident: Incident, expected_end: int, now: int
) -> bool:
    """A new expected end, told to the followers and the residents of its tickets."""
    if not await store.set_expected_end(conn, incident.id, expected_end, now):
        return False
    updated = await store.get(conn, incident.id)
    assert updated is not None
    words = await words_of(conn, updated)
    update = N_("Update on the outage you follow: {outage}")
    out = [
        await _message(conn, i18n, f.user_id, update, words)
        for f in await _followers(conn, updated)
    ]
    for ticket_id in await store.ticket_ids(conn, incident.id):
        out += await _tell_ticket(
            conn, i18n, ticket_id, N_("Update on ticket #{number}: {outage}"), words
        )
    await service.queue(conn, out, now)
    return True


async def resolve(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: service.Links,
    not_fixed: NotFixedButtons,
    incident: Incident,
    by: int,
    now: int,
) -> tuple[int, int] | None:
    """The outage is over: its open tickets resolved together (each resident asked to rate it
    or say "not fixed", the cards edited), every follower told it is restored with a "not
    fixed" button. Returns (tickets resolved, followers told); None if already resolved."""
    if not await store.resolve(conn, incident.id, by, now):
        return None
    out: list[service.Outgoing] = []
    resolved = 0
    for ticket_id in await store.ticket_ids(conn, incident.id):
        ticket = await tickets_store.get(conn, ticket_id)
        if ticket is None or not ticket.is_open:
            continue
        detail = f"incident:{incident.id}"
        if await service.resolve(conn, i18n, links, ticket, by, now, detail):
            resolved += 1
    words = await words_of(conn, incident)
    followers = await _followers(conn, incident)
    for f in followers:
        tr = await translator_for(i18n, conn, f.user_id)
        text = tr._(
            'Restored: {outage}\nIf it still does not work at your place, tap "Not fixed".',
            outage=words(tr),
        )
        out.append(service.Outgoing(f.user_id, text, not_fixed(tr, incident.id)))
    await service.queue(conn, out, now)
    return resolved, len(followers)


async def not_fixed(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: service.Links,
    incident: Incident,
    follower: Follower,
    now: int,
) -> Ticket | None:
    """A follower says it is still not working after the outage was restored: their own
    ticket, where they said, escalated to the managers (once; None if already done)."""
    cat = await service.category_of(conn, incident.category)
    if cat is None or follower.not_fixed_ticket is not None:
        return None
    ticket_id = await tickets_store.create(
        conn,
        kind=Kind.REPAIR,
        category=cat.code,
        priority=cat.priority,
        building_id=follower.spot.building_id,
        unit_id=follower.spot.unit_id,
        floor=follower.spot.floor,
        place=follower.spot.place,
        description="",
        voice_file_id=None,
        photos=[],
        anonymous=False,
        reporter_id=follower.user_id,
        now=now,
    )
    if not await store.set_not_fixed(conn, incident.id, follower.user_id, ticket_id):
        return None
    await tickets_store.add_history(
        conn, ticket_id, now, follower.user_id, "not_fixed_after", str(incident.id)
    )
    await tickets_store.add_history(conn, ticket_id, now, None, "escalated", "manager")
    ticket = await service.reschedule(conn, ticket_id)
    ticket, out = await assignment.auto_assign(conn, i18n, links, ticket, now)
    out += await service.new_ticket_cards(conn, i18n, links, ticket)
    for manager in await people.role_holders(conn, Role.MANAGER, ticket.building_id):
        out.append(
            await service.private_card(
                conn, i18n, links, ticket, manager, "manager", intro=ESCALATION
            )
        )
    await service.queue(conn, out, now)
    return ticket


async def _followers(conn: aiosqlite.Connection, incident: Incident) -> list[Follower]:
    return await store.followers(conn, incident.id)


async def _message(
    conn: aiosqlite.Connection,
    i18n: I18n,
    user_id: int,
    label: str,
    words: Callable[[Translator], str],
    **values: object,
) -> service.Outgoing:
    tr = await translator_for(i18n, conn, user_id)
    return service.Outgoing(user_id, tr._(label, outage=words(tr), **values))


async def _tell_ticket(
    conn: aiosqlite.Connection,
    i18n: I18n,
    ticket_id: int,
    label: str,
    words: Callable[[Translator], str],
) -> list[service.Outgoing]:
    """``label`` about the outage for the ticket's reporter and followers."""
    ticket = await tickets_store.get(conn, ticket_id)
    if ticket is None:
        return []
    users = [ticket.reporter_id] if ticket.reporter_id is not None else []
    users += [u for u in await tickets_store.followers(conn, ticket_id) if u not in users]
    return [await _message(conn, i18n, u, label, words, number=ticket_id) for u in users]
