"""Home visits' use cases (上门), shared by the ticket card's flow and the "visits-remind" sweep.

Staff offer a window for a repair at home (or let the resident choose one from buttons); the
resident takes it, or says they are not available then and takes a later one, and the SLA
clock then waits until the window they chose begins, with the reason recorded
(``bot.rules.visits.unavailable_pause``: a pause row, the ticket's history, its deadlines
moved by ``tickets.reschedule``). Both are reminded once before the window; "on site" marks
the arrival and ends a pause still running. Messages for others are outbox rows in the
caller's transaction; the caller calls ``services.deliver_now()`` after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.clock import Clock, from_ts, to_ts
from bot.rules.visits import (
    DEFAULT_REMINDER_MINUTES,
    DEFAULT_WINDOW_MINUTES,
    Window,
    reminder_at,
    unavailable_pause,
    windows,
)
from bot.services import tickets as ticket_service
from bot.services.readers import translator_for
from bot.services.tickets_render import span_text, where_text
from storage import community, visits
from storage import tickets as ticket_store
from storage.db import Database
from storage.tickets import Ticket
from storage.visits import Visit

Buttons = ticket_service.Buttons
UNAVAILABLE = "resident not available until the visit"


@dataclass(frozen=True)
class Links:
    """The resident's buttons (their data is the handlers' business): take the offered window
    or choose another (``answer``), and the windows to choose from (``choose``)."""

    answer: Callable[[Translator, int], Buttons]  # (tr, visit id)
    choose: Callable[[Translator, int, list[Window]], Buttons]  # (tr, visit id, windows)


async def offer_windows(conn: aiosqlite.Connection, now: datetime) -> list[Window]:
    """The windows on offer now, from the community's service hours, holidays and settings
    (``visit_window_minutes``)."""
    info = await community.get_community(conn)
    settings = info.settings if info else {}
    hours = settings.get("service_hours") or ["08:00", "20:00"]
    minutes = settings.get("visit_window_minutes", DEFAULT_WINDOW_MINUTES)
    return windows(
        now,
        info.timezone if info else "Asia/Shanghai",
        time.fromisoformat(hours[0]),
        time.fromisoformat(hours[1]),
        minutes=minutes if isinstance(minutes, int) and minutes > 0 else DEFAULT_WINDOW_MINUTES,
        holidays=frozenset(date.fromisoformat(d) for d in settings.get("holidays") or ()),
    )


def window_text(tr: Translator, w: Window) -> str:
    """ "明天 10:00–12:00" / "tomorrow 10:00–12:00"."""
    return span_text(tr, w.start, w.end)


def window_of(v: Visit) -> Window | None:
    if v.window_start is None or v.window_end is None:
        return None
    return Window(from_ts(v.window_start), from_ts(v.window_end))


async def offer(
    conn: aiosqlite.Connection,
    i18n: I18n,
    links: Links,
    t: Ticket,
    staff_id: int,
    window: Window | None,
    now: datetime,
) -> int:
    """A window offered to the resident (or, ``window`` None, the resident asked to choose):
    the visit row (replacing the last one, whose wait for the resident ends now), the ticket's
    history and the resident's message with its buttons."""
    ts = to_ts(now)
    span = (to_ts(window.start), to_ts(window.end)) if window else None
    before = await visits.current(conn, t.id)
    if before is not None and before.pause_id is not None:  # the old wait ends with its visit
        await visits.cut_pause(conn, before.pause_id, ts)
        await ticket_service.reschedule(conn, t.id)
    visit_id = await visits.offer(conn, t.id, staff_id, span, ts)
    detail = f"{span[0]}-{span[1]}" if span else "resident chooses"
    await ticket_store.add_history(conn, t.id, ts, staff_id, "visit_offered", detail)
    if t.reporter_id is None:
        return visit_id
    tr = await translator_for(i18n, conn, t.reporter_id)
    if window is not None:
        text = tr._(
            "For your ticket #{number}, the property staff would like to come to your home "
            "{when}. Will you be at home then?",
            number=t.id,
            when=window_text(tr, window),
        )
        buttons = links.answer(tr, visit_id)
    else:
        text = tr._(
            "For your ticket #{number}, the property staff need to come to your home. When "
            "will you be at home? Tap a time.",
            number=t.id,
        )
        buttons = links.choose(tr, visit_id, await offer_windows(conn, now))
    await ticket_service.queue(conn, [ticket_service.Outgoing(t.reporter_id, text, buttons)], ts)
    return visit_id


@dataclass(frozen=True)
class Agreed:
    window: Window
    paused: bool  # the clock waits for the resident until the window begins


async def agree(
    conn: aiosqlite.Connection,
    i18n: I18n,
    v: Visit,
    chosen: Window,
    resident_id: int,
    now: datetime,
) -> Agreed | None:
    """The resident took ``chosen``: the visit agreed with its reminder, the clock paused if
    they are not available before it, staff told. None if the visit no longer waits for them."""
    ts = to_ts(now)
    offered = window_of(v)
    if offered is None:  # the resident chose: nobody waits for them in the earliest window
        on_offer = await offer_windows(conn, now)
        offered = on_offer[0] if on_offer else chosen
    pause = unavailable_pause(now, offered, chosen)
    pause_id = None
    if pause is not None and pause.end is not None:
        pause_id = await visits.pause_opened(
            conn, v.ticket_id, to_ts(pause.start), to_ts(pause.end), UNAVAILABLE
        )
    info = await community.get_community(conn)
    minutes = (info.settings if info else {}).get("visit_reminder_minutes")
    if not isinstance(minutes, int) or minutes <= 0:
        minutes = DEFAULT_REMINDER_MINUTES
    span = (to_ts(chosen.start), to_ts(chosen.end))
    if not await visits.agree(
        conn,
        v.id,
        span,
        by_resident=window_of(v) != chosen,
        remind_at=to_ts(reminder_at(chosen, now, minutes)),
        pause_id=pause_id,
        now=ts,
    ):
        return None
    await ticket_store.add_history(
        conn, v.ticket_id, ts, resident_id, "visit_agreed", f"{span[0]}-{span[1]}"
    )
    if pause_id is not None:
        await ticket_store.add_history(conn, v.ticket_id, ts, resident_id, "paused", UNAVAILABLE)
    t = await ticket_service.reschedule(conn, v.ticket_id)
    staff = v.offered_by or t.assignee_id
    if staff is not None:
        tr = await translator_for(i18n, conn, staff)
        lines = [
            tr._(
                "Home visit for ticket #{number} ({where}): {when}.",
                number=t.id,
                where=await where_text(conn, tr, t, True),
                when=window_text(tr, chosen),
            )
        ]
        if pause_id is not None:
            lines.append(
                tr._(
                    "The resident is not available before then: the SLA clock waits until "
                    "the visit."
                )
            )
        await ticket_service.queue(conn, [ticket_service.Outgoing(staff, "\n".join(lines))], ts)
    return Agreed(chosen, pause_id is not None)


async def arrived(conn: aiosqlite.Connection, ticket_id: int, now: int) -> Visit | None:
    """Staff are on site: the agreed visit is marked arrived, and a pause still running for
    it ends now (they got in earlier than the resident said)."""
    v = await visits.arrive(conn, ticket_id, now)
    if v is not None and v.pause_id is not None:
        await visits.cut_pause(conn, v.pause_id, now)
    return v


async def _reminders(conn: aiosqlite.Connection, i18n: I18n, v: Visit, now: int) -> None:
    t = await ticket_store.get(conn, v.ticket_id)
    w = window_of(v)
    if t is None or w is None or not t.is_open:
        return
    out: list[ticket_service.Outgoing] = []
    if t.reporter_id is not None:
        tr = await translator_for(i18n, conn, t.reporter_id)
        text = tr._(
            "Reminder: the property staff come to your home {when} for ticket #{number}.",
            when=window_text(tr, w),
            number=t.id,
        )
        out.append(ticket_service.Outgoing(t.reporter_id, text))
    staff = v.offered_by or t.assignee_id
    if staff is not None:
        tr = await translator_for(i18n, conn, staff)
        text = tr._(
            "Reminder: home visit {when} for ticket #{number} ({where}).",
            when=window_text(tr, w),
            number=t.id,
            where=await where_text(conn, tr, t, True),
        )
        out.append(ticket_service.Outgoing(staff, text))
    await ticket_service.queue(conn, out, now)


async def remind_once(db: Database, clock: Clock, i18n: I18n) -> int:
    """Both reminders of each visit whose time has come, queued in the transaction that marks
    it reminded: each sent once, also across a restart. Returns how many visits."""
    now = to_ts(clock())
    async with db.transaction() as conn:
        due = await visits.claim_reminders(conn, now)
        for v in due:
            await _reminders(conn, i18n, v, now)
    return len(due)
