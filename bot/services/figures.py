"""The figures of a period and a scope (the community or one building), gathered for /stats,
the charts, the exports and the monthly report: the ticket rows and their recorded SLA
measures (``storage.figures``) summed by ``bot.rules.figures``, votes closed, room use (the
computation behind /utilisation), notice delivery, meetings held this year and volunteering."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from bot.rules.clock import from_ts
from bot.rules.figures import (
    Figures,
    MeetingFigures,
    OutageFigures,
    Period,
    RoomFigure,
    VolunteerFigures,
    summarise,
    vote_figure,
    year_start,
)
from bot.services import tickets, tickets_render
from bot.texts.figures import Names
from storage import community, incidents, room_use, volunteering
from storage import figures as store
from storage.db import Database

#: Tickets measured per transaction when older tickets are measured for the first time.
MEASURE_BATCH = 500


async def measure_pending(db: Database, batch: int = MEASURE_BATCH) -> int:
    """Record the SLA measures of tickets made before the figures existed (each goes through
    ``bot.services.tickets.reschedule``, which records them on every change since), a batch
    per transaction; returns how many were measured. Nothing to do is one indexed query."""
    done = 0
    while True:
        async with db.transaction() as conn:
            ids = await store.unmeasured(conn, batch)
            for ticket_id in ids:
                await tickets.reschedule(conn, ticket_id)
        done += len(ids)
        if len(ids) < batch:
            return done


async def compute(
    conn: aiosqlite.Connection,
    tz: ZoneInfo,
    period: Period,
    now: datetime,
    building_id: int | None = None,
) -> Figures:
    """Every figure of ``period`` for the community (or one building), counted at ``now``."""
    moment = int(now.timestamp())
    start, end = period.start_ts, period.end_ts
    inputs = await store.ticket_inputs(conn, period, moment, building_id)
    votes = [
        vote_figure(v.proposal_id, v.title, v.result, v.options)
        for v in await store.closed_votes(conn, start, end, building_id)
    ]
    rooms = [
        RoomFigure(room.id, room.names, use)
        for room, use in await room_use.rooms_utilisation(conn, tz, period.first, period.days)
    ]
    local_today = from_ts(moment).astimezone(tz).date()
    held = await store.meetings_held(conn, year_start(local_today, tz), moment, building_id)
    return Figures(
        period=period,
        building_id=building_id,
        now=moment,
        tickets=summarise(inputs, period),
        votes=votes,
        rooms=rooms,
        notices=await store.notice_delivery(conn, start, end, moment, building_id),
        meetings=MeetingFigures(held),
        outages=OutageFigures(*await incidents.figures(conn, start, end, building_id)),
        volunteering=VolunteerFigures(
            *await volunteering.volunteer_figures(conn, start, end, building_id)
        ),
    )


async def names(conn: aiosqlite.Connection, f: Figures | None = None) -> Names:
    """The names the figures show: categories, buildings, and the staff of ``f``."""
    people_names: dict[int, str] = {}
    for a in f.tickets.by_assignee if f is not None else []:
        people_names[a.user_id] = await tickets_render.name_of(conn, a.user_id)
    return Names(
        categories={c.code: c.names for c in await community.categories(conn)},
        buildings={b.id: b.names for b in await community.buildings(conn)},
        people=people_names,
    )


async def gather(
    db: Database,
    tz: ZoneInfo,
    period: Period,
    now: datetime,
    building_id: int | None = None,
) -> tuple[Figures, Names]:
    """Measure what was never measured, then count: the figures and their names."""
    await measure_pending(db)
    async with db.read() as conn:
        found = await compute(conn, tz, period, now, building_id)
        return found, await names(conn, found)
