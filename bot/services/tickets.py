"""Tickets' use cases shared by the handlers and the "tickets-sla" sweep: deadlines and reminder
rows that follow the ticket, the cards for the staff chat, team chat and private copies (and
their edits), news for the resident and followers, and the sweep itself.

Every message to someone other than the presser is an outbox row written in the caller's
transaction (``queue``); cards are edited in place wherever they were posted (outbox cards
``ticket:<id>`` keep every chat and message id). The caller calls ``services.deliver_now()``
once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.auth import Role
from bot.rules.clock import Clock, from_ts, to_ts
from bot.rules.figures import Measures, measure
from bot.rules.sla import Audience, Pause, Stage
from bot.rules.tickets import (
    AUTO_CLOSE,
    RATING_ASK,
    Move,
    SlaSetup,
    State,
    plan,
    rating_reminder,
    sla_setup,
)
from bot.services.tickets_render import (
    card_text,
    card_translator,
    category_name,
    name_of,
    translator_for,
    where_text,
)
from bot.texts.tickets import DUPLICATE_OF, RESIDENT_NEWS, STAGE_LABELS
from storage import community, outbox, outbox_cards, people
from storage import tickets as store
from storage.db import Database
from storage.tickets import Reminder, Ticket

SLA_STAGES = [s.value for s in Stage]
REASON = "reason"

#: Inline keyboard rows as Bot API JSON, as the outbox stores them.
Buttons = list[list[dict[str, str]]]


@dataclass(frozen=True)
class Links:
    """The buttons of queued messages, in a reader's words (their data is the handlers'
    business): a card's staff buttons for the ticket's state, the rating of a resolved ticket
    (stars only for its reporter) and "Open the ticket" under a reminder."""

    card: Callable[[Translator, Ticket], Buttons]
    rating: Callable[[Translator, int, bool], Buttons]  # (tr, ticket id, reporter?)
    open: Callable[[Translator, int], Buttons]  # (tr, ticket id)


@dataclass
class Outgoing:
    """One message to queue: a text (a card if ``card_of``), then the voice note and photos."""

    chat_id: int
    text: str
    buttons: Buttons = field(default_factory=list)
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
            text=out.text, buttons=out.buttons, audience=out.audience if card else ""
        )
        await outbox.push(conn, out.chat_id, payload, now=now, kind="ticket", ref=ref, card=card)
        caption = out.text.split("\n")[0][:200]
        media = [outbox.Payload(text=caption, voice=out.voice)] if out.voice else []
        media += [outbox.Payload(text=caption, photo=photo) for photo in out.photos]
        for item in media:
            await outbox.push(conn, out.chat_id, item, now=now, kind="ticket", ref=ref)


# ---- SLA: deadlines and reminder rows follow the ticket ------------------------------------


async def category_of(conn: aiosqlite.Connection, code: str) -> community.Category | None:
    for cat in await community.categories(conn):
        if cat.code == code:
            return cat
    return None


async def reschedule(conn: aiosqlite.Connection, ticket_id: int) -> Ticket:
    """Recompute the ticket's deadlines and unsent reminder rows (pauses move them), and its
    SLA measures for the figures (``storage.tickets.record_measures``)."""
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
    await store.record_measures(
        conn, ticket_id, _measures(setup, ticket, pauses), ticket.updated_at
    )
    refreshed = await store.get(conn, ticket_id)
    assert refreshed is not None
    return refreshed


def _measures(setup: SlaSetup, ticket: Ticket, pauses: list[Pause]) -> Measures:
    """The figures' measures of the ticket as it stands (``bot.rules.figures.measure``)."""
    at = lambda ts: from_ts(ts) if ts is not None else None  # noqa: E731
    return measure(
        setup,
        ticket.state,
        from_ts(ticket.created_at),
        accepted_at=at(ticket.accepted_at),
        on_site_at=at(ticket.on_site_at),
        resolved_at=at(ticket.resolved_at),
        closed_at=at(ticket.closed_at),
        pauses=pauses,
    )


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


# ---- cards ---------------------------------------------------------------------------------


async def refresh_cards(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, ticket_id: int, now: int
) -> None:
    """Queue the edit of every card of the ticket (posted or about to be) to show its current
    state, in the caller's transaction; only the latest state of each copy is sent."""
    ticket = await store.get(conn, ticket_id)
    if ticket is None:
        return
    card = ticket_card(ticket_id)
    for copy in await outbox_cards.card_copies(conn, card):
        tr = await card_translator(i18n, conn, copy.chat_id)
        text = await card_text(conn, tr, ticket, copy.audience)
        payload = outbox.Payload(text=text, buttons=links.card(tr, ticket), audience=copy.audience)
        await outbox.edit_card(conn, card, copy.chat_id, payload, now=now)


async def group_card(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, t: Ticket, chat_id: int
) -> Outgoing:
    """The card for a group (the staff chat, a team chat), with the resident's media."""
    tr = i18n.translator(None)
    return Outgoing(
        chat_id,
        await card_text(conn, tr, t, "group"),
        links.card(tr, t),
        t.voice_file_id,
        list(t.photos),
        card_of=t.id,
        audience="group",
    )


async def new_ticket_cards(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, t: Ticket
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
    out = [await group_card(conn, i18n, links, t, chat_id) for chat_id in chats]
    managers = await people.role_holders(conn, Role.MANAGER, t.building_id)
    if t.anonymous or not chats:
        for manager in managers:
            out.append(await private_card(conn, i18n, links, t, manager, "manager", media=True))
    return out


async def private_card(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: Links,
    t: Ticket,
    user_id: int,
    audience: str,
    *,
    media: bool = False,
    intro: str | None = None,
) -> Outgoing:
    """A card of its own in someone's private chat (edited as the ticket moves); ``intro`` is
    a label (N_) put above it in the reader's words."""
    tr = await translator_for(i18n, conn, user_id)
    text = await card_text(conn, tr, t, audience)
    if intro:
        text = tr._(intro) + "\n\n" + text
    return Outgoing(
        user_id,
        text,
        links.card(tr, t),
        t.voice_file_id if media else None,
        list(t.photos) if media else [],
        card_of=t.id,
        audience=audience,
    )


# ---- telling the resident (and followers), in their language --------------------------------


async def resolve(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: Links,
    ticket: Ticket,
    by: int,
    now: int,
    detail: str = "",
) -> bool:
    """Resolve an open ticket, in the caller's transaction: its pauses end, its history says
    who (``detail``: why, e.g. the outage it was part of), the reporter and followers are asked
    to rate it or say "not fixed" (with the rating reminders), and its cards are edited. False
    if it had moved on meanwhile (nothing changed). The card's Resolved and an outage restored
    both come here."""
    changed = await store.transition(
        conn,
        ticket.id,
        [ticket.state] if ticket.is_open else [],
        State.RESOLVED,
        now,
        resolved_at=now,
        accepted_at=ticket.accepted_at or now,
    )
    if not changed:
        return False
    await store.close_pauses(conn, ticket.id, now)
    await store.add_history(conn, ticket.id, now, by, Move.RESOLVE.value, detail)
    updated = await reschedule(conn, ticket.id)
    await set_rating_timers(conn, updated, now)
    await refresh_cards(conn, i18n, links, ticket.id, now)
    await queue(conn, await resident_news(conn, i18n, links, updated, Move.RESOLVE), now)
    return True


async def resident_news(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: Links,
    t: Ticket,
    move: Move,
    *,
    skip: int | None = None,
    original: Ticket | None = None,
    **values: Any,
) -> list[Outgoing]:
    """The plain-words message about ``move`` for the reporter and every follower (a duplicate
    names the ``original`` ticket: its number and a short title)."""
    out: list[Outgoing] = []
    recipients = await _audience(conn, t)
    for user_id in recipients:
        if user_id == skip:
            continue
        tr = await translator_for(i18n, conn, user_id)
        local = dict(values)
        for key, value in values.items():
            if key == REASON:  # reasons are labels (N_), translated for each reader
                local[key] = tr._(value) if value else "-"
        if move is Move.TRANSFER:
            local["category"] = await category_name(conn, tr, t.category)
        if original is not None:
            local["original"] = original.id
            local["title"] = await short_title(conn, tr, original)
            text = tr._(DUPLICATE_OF, number=t.id, **local)
        else:
            text = tr._(RESIDENT_NEWS[move], number=t.id, **local)
        buttons: Buttons = []
        if move is Move.RESOLVE:
            buttons = links.rating(tr, t.id, user_id == t.reporter_id)
        out.append(Outgoing(user_id, text, buttons))
    return out


async def _audience(conn: aiosqlite.Connection, t: Ticket) -> list[int]:
    """The reporter, then every follower."""
    return ([t.reporter_id] if t.reporter_id is not None else []) + [
        f for f in await store.followers(conn, t.id) if f != t.reporter_id
    ]


async def short_title(conn: aiosqlite.Connection, tr: Translator, t: Ticket) -> str:
    """A ticket in a few words, safe for anyone: its category and where (a home by floor)."""
    return tr._(
        "{category}, {where}",
        category=await category_name(conn, tr, t.category),
        where=await where_text(conn, tr, t, False),
    )


async def point_to_original(
    conn: aiosqlite.Connection, t: Ticket, original: Ticket, now: int
) -> None:
    """``t`` was closed as a duplicate of ``original``: record it, and make its reporter and
    followers followers of the original (the same updates from now on)."""
    await store.update_fields(conn, t.id, duplicate_of=original.id)
    for user_id in await _audience(conn, t):
        if user_id == original.reporter_id:
            continue
        if await store.follow(conn, original.id, user_id, now):
            await store.add_history(conn, original.id, now, user_id, "followed")


# ---- the SLA sweep -------------------------------------------------------------------------


async def reminder_messages(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, t: Ticket, stage: Stage
) -> list[Outgoing]:
    """A reminder of ``stage`` for whoever it is meant for (the assignee, the managers, the
    grid workers), each with a fallback when there is nobody in that role."""
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
        tr = await card_translator(i18n, conn, chat_id)
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
            lines.append(tr._("Deadline: {when}", when=tr.when(from_ts(due))))
        if stage.audience is not Audience.ASSIGNEE:
            lines.append(
                tr._("Assigned to: {name}", name=await name_of(conn, t.assignee_id))
                if t.assignee_id
                else tr._("Nobody is assigned yet.")
            )
        buttons: Buttons = links.open(tr, t.id) if audience in ("staff", "manager") else []
        out.append(Outgoing(chat_id, "\n".join(lines), buttons))
    return out


async def handle_reminder(
    conn: aiosqlite.Connection, row: Reminder, now: int, i18n: I18n, links: Links
) -> None:
    """One claimed reminder row, in the caller's transaction: what it does to the ticket, the
    messages it sends (outbox rows) and its mark, together."""
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
                tr = await translator_for(i18n, conn, ticket.reporter_id)
                text = tr._(
                    "Ticket #{number} was resolved a day ago. Is it fixed? Please rate "
                    'the work, or tap "Not fixed". Without an answer it closes tomorrow.',
                    number=ticket.id,
                )
                outgoing.append(
                    Outgoing(ticket.reporter_id, text, links.rating(tr, ticket.id, True))
                )
        else:
            stage = Stage(row.stage)
            applies = ticket.is_open and not (
                stage.value.startswith("response") and ticket.accepted_at is not None
            )
            if applies:
                outgoing = await reminder_messages(conn, i18n, links, ticket, stage)
                await store.add_history(conn, ticket.id, now, None, "reminder", row.stage)
    if changed:
        await refresh_cards(conn, i18n, links, row.ticket_id, now)
    await queue(conn, outgoing, now)
    await store.mark_sent(conn, row.id, now)


async def sweep_once(db: Database, clock: Clock, i18n: I18n, links: Links, limit: int = 50) -> int:
    """Claim due reminder rows and handle each one in one transaction: what it does to the
    ticket, the messages it sends (outbox rows) and its mark, together; so each reminder is
    queued exactly once, also across a crash. Returns how many rows were done (the caller
    then calls ``services.deliver_now()`` if any).

    A claimed row (``claimed_at``) whose transaction never committed (the process died) is due
    again after ``claim_due``'s ``stale_after``: nothing is lost, nothing is sent twice."""
    now = to_ts(clock())
    async with db.transaction() as conn:
        rows = await store.claim_due(conn, now, limit)
    for row in rows:
        async with db.transaction() as conn:
            await handle_reminder(conn, row, now, i18n, links)
    return len(rows)
