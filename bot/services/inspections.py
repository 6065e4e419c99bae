"""Inspection rounds' use cases, shared by the "inspections" sweep and the assignee's ticks.

The sweep (``sweep_once``) computes each new plan's first due time, makes each due round once
(the plan's due row moved on by a conditional UPDATE in the transaction that queues the
round's checklist to its assignee) and escalates each missed round to the managers once (its
``escalated_at`` set in the transaction that queues their messages). A tick (``tick``) records
the item once; a "not ok" opens a ticket in the item's category, linked to the round (the
result's ``ticket_id`` and the ticket's history), with its cards for staff as every ticket has.
The caller calls ``services.deliver_now()`` once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.auth import Role
from bot.rules.clock import Clock, from_ts, to_ts
from bot.rules.figures.period import Period
from bot.rules.inspections import Item, Plan, Result, Round
from bot.rules.tickets import Kind, floor_of_place
from bot.services import tickets as ticket_service
from bot.services.readers import translator_for
from bot.services.tickets_render import name_of
from bot.texts.inspections import checklist_text, missed_text, not_ok_description, rounds_line
from storage import community, outbox, outbox_cards, people
from storage import inspections as store
from storage import tickets as ticket_store
from storage.db import Database

Buttons = ticket_service.Buttons


@dataclass(frozen=True)
class Links:
    """The checklist's buttons in a reader's words (their data is the handlers' business):
    ✅ / ❌ for each item not yet ticked."""

    checklist: Callable[[Translator, int, Sequence[Item], dict[int, Result]], Buttons]


@dataclass(frozen=True)
class Checklist:
    round: Round
    plan: Plan
    items: list[Item]
    results: dict[int, Result]


def round_card(round_id: int) -> str:
    return f"round:{round_id}"


async def checklist(conn: aiosqlite.Connection, round_id: int) -> Checklist | None:
    rnd = await store.get_round(conn, round_id)
    if rnd is None:
        return None
    plan = await store.plan(conn, rnd.plan_id)
    if plan is None:
        return None
    return Checklist(rnd, plan, await store.items(conn, plan.id), await store.results(conn, rnd.id))


async def _building(conn: aiosqlite.Connection, plan: Plan) -> str:
    found = await community.building(conn, plan.building_id) if plan.building_id else None
    return found.name if found else "-"


async def render(conn: aiosqlite.Connection, tr: Translator, c: Checklist) -> str:
    return checklist_text(
        tr,
        c.plan,
        await _building(conn, c.plan),
        c.round,
        c.items,
        c.results,
        due=from_ts(c.round.due_at),
        deadline=from_ts(c.round.deadline_at),
    )


# ---- the sweep ---------------------------------------------------------------------------------


async def _timezone(conn: aiosqlite.Connection) -> str:
    info = await community.get_community(conn)
    return info.timezone if info else "Asia/Shanghai"


async def _start_round(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, plan: Plan, now: int, tz: str
) -> bool:
    """The plan's due round, made once: its due row moved on, the round written and its
    checklist queued to the assignee (or the managers, when the plan names nobody)."""
    assert plan.next_due_at is not None
    due = plan.next_due_at
    after = plan.recurrence.next_after(from_ts(max(due, now)), tz)
    if not await store.advance(conn, plan.id, due, to_ts(after)):
        return False
    deadline = due + plan.deadline_minutes * 60
    round_id = await store.open_round(conn, plan, due, deadline)
    if round_id is None:
        return False
    found = await checklist(conn, round_id)
    assert found is not None
    readers = (
        [plan.assignee_id]
        if plan.assignee_id is not None
        else await people.role_holders(conn, Role.MANAGER, plan.building_id)
    )
    for reader in readers:
        await post_checklist(conn, i18n, links, found, reader, now)
    return True


async def post_checklist(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, c: Checklist, chat_id: int, now: int
) -> None:
    """The round's checklist as a card in this chat (a newer copy there replaces the older
    one as the copy that ticks edit)."""
    tr = await translator_for(i18n, conn, chat_id)
    payload = outbox.Payload(
        text=await render(conn, tr, c),
        buttons=links.checklist(tr, c.round.id, c.items, c.results),
    )
    await outbox.push(
        conn,
        chat_id,
        payload,
        now=now,
        kind="inspection",
        ref=str(c.round.id),
        card=round_card(c.round.id),
    )


async def _escalate(conn: aiosqlite.Connection, i18n: I18n, rnd: Round, now: int) -> None:
    """A missed round told to the managers of its building, or without one the staff chat
    (queued in the transaction of its mark)."""
    found = await checklist(conn, rnd.id)
    if found is None:
        return
    building = await _building(conn, found.plan)
    readers = await people.role_holders(conn, Role.MANAGER, found.plan.building_id)
    if not readers:  # no manager: the staff chat, as for a ticket's escalation
        info = await community.get_community(conn)
        readers = [info.staff_chat_id] if info and info.staff_chat_id is not None else []
    for manager in readers:
        tr = await translator_for(i18n, conn, manager)
        text = missed_text(
            tr,
            found.plan,
            building,
            from_ts(rnd.deadline_at),
            len(found.results),
            len(found.items),
            await name_of(conn, rnd.assignee_id),
        )
        await outbox.push(
            conn, manager, outbox.Payload(text=text), now=now, kind="inspection", ref=str(rnd.id)
        )


async def sweep_once(db: Database, clock: Clock, i18n: I18n, links: Links) -> int:
    """New plans scheduled, due rounds made, missed rounds escalated; each in its own
    transaction with the messages it queues. Returns how many rounds were made or escalated."""
    now = to_ts(clock())
    done = 0
    async with db.transaction() as conn:
        tz = await _timezone(conn)
        for plan in await store.unscheduled(conn):
            await store.schedule(conn, plan.id, to_ts(plan.recurrence.next_after(from_ts(now), tz)))
        due = await store.due_plans(conn, now)
    for plan in due:
        async with db.transaction() as conn:
            fresh = await store.plan(conn, plan.id)
            if fresh is not None and fresh.next_due_at == plan.next_due_at:
                done += await _start_round(conn, i18n, links, fresh, now, tz)
    async with db.transaction() as conn:
        missed = await store.claim_missed(conn, now)
        for rnd in missed:
            await _escalate(conn, i18n, rnd, now)
    return done + len(missed)


# ---- ticks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticked:
    recorded: bool  # False: the item was ticked already (nothing changed)
    ticket_id: int | None  # the ticket a "not ok" opened
    finished: bool  # this tick completed the round


async def tick(
    conn: aiosqlite.Connection,
    i18n: I18n,
    ticket_links: ticket_service.Links,
    c: Checklist,
    item: Item,
    ok: bool,
    photo: str | None,
    by: int,
    now: int,
) -> Ticked:
    """One item's tick, in the caller's transaction; a "not ok" opens its linked ticket."""
    if not await store.record(conn, c.round.id, item.id, ok, photo, by, now):
        return Ticked(False, None, False)
    ticket_id = (
        None if ok else await _open_ticket(conn, i18n, ticket_links, c, item, photo, by, now)
    )
    if ticket_id is not None:
        await store.link_ticket(conn, c.round.id, item.id, ticket_id)
    ticked = len(await store.results(conn, c.round.id))
    finished = ticked >= len(c.items) and await store.finish(conn, c.round.id, now)
    return Ticked(True, ticket_id, finished)


async def _open_ticket(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: ticket_service.Links,
    c: Checklist,
    item: Item,
    photo: str | None,
    by: int,
    now: int,
) -> int | None:
    cat = await ticket_service.category_of(conn, item.category)
    if cat is None or c.plan.building_id is None:
        return None
    ticket_id = await ticket_store.create(
        conn,
        kind=Kind.REPAIR,
        category=cat.code,
        priority=cat.priority,
        building_id=c.plan.building_id,
        unit_id=None,
        floor=floor_of_place(c.plan.place),
        place=c.plan.place,
        description=not_ok_description(i18n.translator(None), c.plan, item),
        voice_file_id=None,
        photos=[photo] if photo else [],
        anonymous=False,
        reporter_id=by,
        now=now,
    )
    await ticket_store.add_history(conn, ticket_id, now, by, "inspection", str(c.round.id))
    ticket = await ticket_service.reschedule(conn, ticket_id)
    cards = await ticket_service.new_ticket_cards(conn, i18n, links, ticket)
    await ticket_service.queue(conn, cards, now)
    return ticket_id


async def refresh(
    conn: aiosqlite.Connection, i18n: I18n, links: Links, round_id: int, now: int
) -> None:
    """Every copy of the round's checklist edited to show its ticks (outbox edits)."""
    found = await checklist(conn, round_id)
    if found is None:
        return
    card = round_card(round_id)
    for copy in await outbox_cards.card_copies(conn, card):
        tr = await translator_for(i18n, conn, copy.chat_id)
        payload = outbox.Payload(
            text=await render(conn, tr, found),
            buttons=links.checklist(tr, round_id, found.items, found.results),
        )
        await outbox.edit_card(conn, card, copy.chat_id, payload, now=now)


# ---- /stats --------------------------------------------------------------------------------------


async def figures_line(
    db: Database, tr: Translator, period: Period, now: datetime, building_id: int | None
) -> str | None:
    """The rounds due in the period, in words for /stats; None when no round was due."""
    async with db.read() as conn:
        sums = await store.sums(conn, period.start_ts, period.end_ts, to_ts(now), building_id)
    return rounds_line(tr, sums) if sums.due else None
