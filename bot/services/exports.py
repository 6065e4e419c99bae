"""Exports for Excel and WPS: the tickets, bookings, votes or notices of a period as rows, in
a reader's words, as ``.xlsx`` (a sheet of figures and a sheet of rows) or ``.csv`` (UTF-8
with a BOM, so Excel reads the Chinese right). Used by ``residentbot export`` and by the
managers' export buttons under /stats.

Personal data only where the reader may see it (``Viewer``): units and the names of those who
reported for staff and managers (and the operator at the command line); the author of an
anonymous complaint never."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import aiosqlite

from bot.i18n import N_, Translator
from bot.rules.clock import from_ts
from bot.rules.figures import Figures, Period, vote_figure
from bot.rules.tickets import Kind, State
from bot.services import figures, spreadsheets
from bot.services.spreadsheets import Table, Value
from bot.texts.bookings import state_text
from bot.texts.figures import (
    Names,
    category_name,
    notices_line,
    period_text,
    report_text,
    scope_text,
    vote_result,
)
from bot.texts.tickets import KIND_LABELS, STATE_LABELS
from storage import exports as store
from storage.db import Database

EXPORTS = ("tickets", "bookings", "votes", "notices")
FORMATS = ("xlsx", "csv")

EXPORT_LABELS = {
    "tickets": N_("Tickets"),
    "bookings": N_("Bookings"),
    "votes": N_("Votes"),
    "notices": N_("Notices"),
}


#: The columns of each export, in the order of its rows.
TICKET_HEADERS = (
    N_("Ticket"),
    N_("Kind"),
    N_("Category"),
    N_("State"),
    N_("Building"),
    N_("Floor"),
    N_("Unit"),
    N_("Place"),
    N_("Reported by"),
    N_("Assigned to"),
    N_("Reported"),
    N_("Accepted"),
    N_("On site"),
    N_("Resolved"),
    N_("Closed"),
    N_("First response (h)"),
    N_("Response on time"),
    N_("Resolution (h)"),
    N_("Resolved on time"),
    N_("Rating"),
    N_("Times reopened"),
    N_("Description"),
)

VOTE_HEADERS = (
    N_("Proposal"),
    N_("Title"),
    N_("Kind"),
    N_("Audience"),
    N_("State"),
    N_("Opens"),
    N_("Closes"),
    N_("Took part"),
    N_("Could take part"),
    N_("Turnout by head (%)"),
    N_("Area that took part (m²)"),
    N_("Total area (m²)"),
    N_("Turnout by area (%)"),
    N_("Result"),
)


BOOKING_HEADERS = (
    N_("Booking"),
    N_("Room"),
    N_("Unit"),
    N_("Start"),
    N_("End"),
    N_("State"),
    N_("Booked"),
)

NOTICE_HEADERS = (
    N_("Notice"),
    N_("Sent"),
    N_("Audience"),
    N_("Urgent"),
    N_("Text"),
    N_("Delivered"),
    N_("Blocked the bot"),
    N_("Failed"),
    N_("Still to send"),
)


def _headers(tr: Translator, labels: tuple[str, ...]) -> list[str]:
    return [tr._(label) for label in labels]


@dataclass(frozen=True)
class Viewer:
    """What the reader may see: units and reporters' names (staff, managers, the operator)."""

    personal: bool


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes


def _when(tr: Translator, ts: int | None) -> str:
    if ts is None:
        return ""
    return from_ts(ts).astimezone(tr.tz).strftime("%Y-%m-%d %H:%M")


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _yes_no(tr: Translator, flag: int | None) -> str:
    if flag is None:
        return ""
    return tr._("yes") if flag else tr._("no")


def _share(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


async def _tickets(
    conn: aiosqlite.Connection,
    tr: Translator,
    period: Period,
    b: int | None,
    v: Viewer,
    names: Names,
) -> Table:
    headers = _headers(tr, TICKET_HEADERS)
    rows: list[list[Value]] = []
    for t in await store.tickets(conn, period.start_ts, period.end_ts, b):
        if t.anonymous:
            reporter = tr._("anonymous resident")
        else:
            reporter = (t.reporter or "") if v.personal else ""
        kind = tr._(KIND_LABELS[Kind(t.kind)]) if t.kind in set(Kind) else t.kind
        state = tr._(STATE_LABELS[State(t.state)]) if t.state in set(State) else t.state
        rows.append(
            [
                t.id,
                kind,
                category_name(tr, t.category, names),
                state,
                t.building,
                t.floor,
                (t.unit or "") if v.personal else "",
                t.place,
                reporter,
                t.assignee or "",
                _when(tr, t.created_at),
                _when(tr, t.accepted_at),
                _when(tr, t.on_site_at),
                _when(tr, t.resolved_at),
                _when(tr, t.closed_at),
                _hours(t.response_secs),
                _yes_no(tr, t.response_met),
                _hours(t.resolution_secs),
                _yes_no(tr, t.resolution_met),
                t.rating,
                t.reopen_count,
                t.description,
            ]
        )
    return Table(headers, rows)


async def _bookings(
    conn: aiosqlite.Connection, tr: Translator, period: Period, b: int | None, v: Viewer
) -> Table:
    headers = _headers(tr, BOOKING_HEADERS)
    rows: list[list[Value]] = [
        [
            k.id,
            tr.name(k.room),
            (k.unit or "") if v.personal else "",
            _when(tr, k.start_at),
            _when(tr, k.end_at),
            state_text(tr, k.state),
            _when(tr, k.created_at),
        ]
        for k in await store.bookings(conn, period.start_ts, period.end_ts, b)
    ]
    return Table(headers, rows)


async def _votes(
    conn: aiosqlite.Connection, tr: Translator, period: Period, b: int | None
) -> Table:
    headers = _headers(tr, VOTE_HEADERS)
    rows: list[list[Value]] = []
    for p in await store.votes(conn, period.start_ts, period.end_ts, b):
        kind = tr._("owners' decision") if p.kind == "decision" else tr._("resident poll")
        part = whole = area = total = None
        head = by_area = None
        result = ""
        if p.result:
            f = vote_figure(p.id, p.title, p.result, p.options)
            part, whole, head = f.head.part, f.head.whole, _share(f.head.value)
            area = None if f.area_part is None else float(f.area_part)
            total = None if f.area_total is None else float(f.area_total)
            by_area = _share(f.area_turnout)
            result = vote_result(tr, f)
        rows.append(
            [
                p.id,
                p.title,
                kind,
                p.building or tr._("the whole community"),
                p.state,
                _when(tr, p.opens_at),
                _when(tr, p.closes_at),
                part,
                whole,
                head,
                area,
                total,
                by_area,
                result,
            ]
        )
    return Table(headers, rows)


async def _notices(
    conn: aiosqlite.Connection, tr: Translator, period: Period, b: int | None, names: Names
) -> Table:
    headers = _headers(tr, NOTICE_HEADERS)
    rows: list[list[Value]] = []
    for n in await store.notices(conn, period.start_ts, period.end_ts, b):
        audience = (
            tr._("the whole community")
            if n.buildings is None
            else ", ".join(
                tr.name(names.buildings[i]) if i in names.buildings else f"#{i}"
                for i in n.buildings
            )
        )
        first_line = n.text.strip().splitlines()[0] if n.text.strip() else ""
        rows.append(
            [
                n.id,
                _when(tr, n.send_at),
                audience,
                _yes_no(tr, int(n.urgent)),
                first_line,
                n.delivered,
                n.blocked,
                n.failed,
                n.waiting,
            ]
        )
    return Table(headers, rows)


async def rows_table(
    conn: aiosqlite.Connection,
    tr: Translator,
    what: str,
    period: Period,
    building_id: int | None,
    viewer: Viewer,
    names: Names,
) -> Table:
    """The rows of ``what``; an empty cell is None."""
    if what == "tickets":
        table = await _tickets(conn, tr, period, building_id, viewer, names)
    elif what == "bookings":
        table = await _bookings(conn, tr, period, building_id, viewer)
    elif what == "votes":
        table = await _votes(conn, tr, period, building_id)
    elif what == "notices":
        table = await _notices(conn, tr, period, building_id, names)
    else:
        raise ValueError(f"unknown export {what!r} (expected one of: {', '.join(EXPORTS)})")
    return Table(table.headers, [[None if v == "" else v for v in row] for row in table.rows])


def figures_table(tr: Translator, f: Figures, names: Names) -> Table:
    """The figures sheet: the report's lines, one a row (label and value apart where a line
    has both), headed by the period and the scope."""
    rows: list[list[Value]] = [
        [tr._("Period"), period_text(tr, f.period)],
        [tr._("Scope"), scope_text(tr, f.building_id, names)],
    ]
    for line in report_text(tr, f, names).splitlines()[1:]:
        if not line.strip():
            continue
        label, sep, value = line.partition("：" if "：" in line else ": ")
        rows.append([label.strip("• "), value] if sep else [line.strip("• "), ""])
    rows.append([tr._("Notices"), notices_line(tr, f.notices)])
    return Table([tr._("Figure"), tr._("Value")], rows)


def filename(what: str, period: Period, fmt: str) -> str:
    return f"{what}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{fmt}"


def encode(fmt: str, tr: Translator, what: str, figures_sheet: Table | None, rows: Table) -> bytes:
    if fmt == "csv":
        return spreadsheets.to_csv(rows)
    if fmt == "xlsx" and figures_sheet is not None:
        return spreadsheets.to_xlsx(
            [(tr._("Figures"), figures_sheet), (tr._(EXPORT_LABELS[what]), rows)]
        )
    raise ValueError(f"unknown format {fmt!r} (expected .xlsx or .csv)")


async def export(
    db: Database,
    tr: Translator,
    what: str,
    fmt: str,
    period: Period,
    now: datetime,
    viewer: Viewer,
    building_id: int | None = None,
) -> Export:
    """The export of ``what`` over ``period`` as a file in ``fmt`` ("xlsx" or "csv")."""
    if what not in EXPORTS or fmt not in FORMATS:
        raise ValueError(f"cannot export {what!r} as {fmt!r}")
    found, names = await figures.gather(db, tr.tz, period, now, building_id)
    async with db.read() as conn:
        rows = await rows_table(conn, tr, what, period, building_id, viewer, names)
    sheet = figures_table(tr, found, names) if fmt == "xlsx" else None
    return Export(filename(what, period, fmt), encode(fmt, tr, what, sheet, rows))
