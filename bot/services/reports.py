"""The monthly report: on the first of each month (08:00, community time) last month's figures
and charts (with the month's thank-you board to volunteers) go to the staff chat and to every
manager, each in their language; and, when a
manager has turned it on (/stats), a short public version (counts, on-time share,
satisfaction; no person, no unit) to the community's bound groups.

Each month has a due row (``figure_reports``), planned during the month it reports. The row is
marked done in the same transaction that queues the report's outbox rows, so the report is
queued exactly once, also across a restart or a crash; the outbox then delivers it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

import aiosqlite

from bot.charts import Chart, MissingFontError, draw
from bot.i18n import I18n, Translator
from bot.rules.auth import Role
from bot.rules.clock import Clock, to_ts
from bot.rules.figures import Figures, month_period, next_month
from bot.services import figures
from bot.services import points as volunteer_points
from bot.services.readers import translator_for
from bot.texts.figures import Names, public_text, report_text
from storage import community, notices, outbox, outbox_files, people
from storage import figures as store
from storage.db import Database

log = logging.getLogger(__name__)

KIND = "figures-report"
REPORT_AT = time(8, 0)  # on the first of the month, community time


def month_key(first: date) -> str:
    return f"{first:%Y-%m}"


def due_at(month_first: date, i18n: I18n) -> int:
    """When the report of the month starting ``month_first`` is due: the next month's first
    day, 08:00 community time."""
    return to_ts(datetime.combine(next_month(month_first), REPORT_AT, tzinfo=i18n.tz))


@dataclass
class Reader:
    """One chat the report goes to, in its reader's words."""

    chat_id: int
    tr: Translator


async def _readers(conn: aiosqlite.Connection, i18n: I18n) -> list[Reader]:
    found: list[Reader] = []
    info = await community.get_community(conn)
    if info is not None and info.staff_chat_id is not None:
        found.append(Reader(info.staff_chat_id, i18n.translator(None)))
    for manager in await people.role_holders(conn, Role.MANAGER):
        found.append(Reader(manager, await translator_for(i18n, conn, manager)))
    return found


async def _charts(tr: Translator, f: Figures, names: Names) -> list[Chart] | None:
    try:
        return await draw(tr, f, names)
    except MissingFontError as exc:
        log.error("monthly report: the charts cannot be drawn: %s", exc)
        return None


async def send_due(db: Database, clock: Clock, i18n: I18n) -> int:
    """Plan this month's report, then queue every report that is due and not yet sent (each
    in its own transaction); returns how many were queued. The caller then calls
    ``services.deliver_now()``."""
    now = clock()
    this_month = now.astimezone(i18n.tz).date().replace(day=1)
    async with db.transaction() as conn:
        await store.plan_report(conn, month_key(this_month), due_at(this_month, i18n))
        months = await store.due_reports(conn, to_ts(now))
    queued = 0
    for month in months:
        year, number = (int(p) for p in month.split("-"))
        period = month_period(year, number, i18n.tz)
        found, names = await figures.gather(db, i18n.tz, period, now)
        async with db.read() as conn:
            readers = await _readers(conn, i18n)
            public = await store.setting(conn, store.PUBLIC_REPORT) == "1"
            groups = await notices.groups_for(conn, None) if public else []
        drawn: dict[str, list[Chart] | None] = {}
        for reader in readers:
            if reader.tr.locale not in drawn:
                drawn[reader.tr.locale] = await _charts(reader.tr, found, names)
        ts = to_ts(now)
        async with db.transaction() as conn:
            if not await store.mark_report_done(conn, month, ts):
                continue  # another run queued it
            files: dict[str, list[int]] = {}
            for locale, charts in drawn.items():
                files[locale] = [
                    await outbox_files.add_file(conn, f"{c.name}-{month}.png", c.png, now=ts)
                    for c in charts or []
                ]
            for reader in readers:
                text = report_text(reader.tr, found, names)
                board = await volunteer_points.board(conn, reader.tr, month, None)
                if board:  # the month's thank-you board: only those who agreed are named
                    text += "\n\n" + board
                if drawn[reader.tr.locale] is None:
                    text += "\n\n" + reader.tr._(
                        "The charts could not be drawn: the Chinese font is missing on the "
                        "server. Please ask the administrator to install it (see the README)."
                    )
                await outbox.push(
                    conn, reader.chat_id, outbox.Payload(text=text), now=ts, kind=KIND, ref=month
                )
                for file_row in files[reader.tr.locale]:
                    await outbox.push(
                        conn,
                        reader.chat_id,
                        outbox.Payload(photo_file=file_row),
                        now=ts,
                        kind=KIND,
                        ref=month,
                    )
            if groups:
                group_tr = i18n.translator(None)
                batch = await outbox.create_batch(
                    conn, f"{KIND}-public", month, created_by=None, now=ts
                )
                payload = outbox.Payload(text=public_text(group_tr, found))
                await outbox.enqueue(conn, batch, [(g, payload) for g in groups], not_before=ts)
            await people.audit(conn, None, "figures_report", month, ts)
        queued += 1
    return queued
