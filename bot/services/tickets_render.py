"""Tickets in words that need the database: the card of a ticket for each audience, where it
is, who reported it and who handles it, in the reader's language.

Group cards never show a unit number or the author of a complaint; private copies show the
unit, and only managers see who filed an anonymous complaint. Phone, ID and room numbers and unit
codes in what the resident wrote are masked on the way into a group chat
(``storage.outbox.for_chat``).
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.clock import from_ts
from bot.rules.tickets import Kind, State
from bot.services.readers import translator_for
from bot.texts.tickets import KIND_LABELS, PRIORITY_LABELS, STATE_LABELS
from storage import community, people, visits
from storage import tickets as store
from storage.tickets import Ticket


async def card_translator(i18n: I18n, conn: aiosqlite.Connection, chat_id: int) -> Translator:
    """A group speaks the community's language; a person their own."""
    if chat_id < 0:
        return i18n.translator(None)
    return await translator_for(i18n, conn, chat_id)


async def name_of(conn: aiosqlite.Connection, user_id: int | None) -> str:
    if user_id is None:
        return "-"
    person = await people.get_person(conn, user_id)
    return person.first_name if person and person.first_name else f"#{user_id}"


async def where_text(conn: aiosqlite.Connection, tr: Translator, t: Ticket, show_unit: bool) -> str:
    """Where the ticket is. Without ``show_unit`` (group cards, reminders, leaders' views) a home
    is "a home on floor N" and a public place's words have their phone numbers masked."""
    found = await community.building(conn, t.building_id)
    building = tr.name(found.names) if found else "?"
    if t.unit_id is not None:
        unit = await community.unit(conn, t.unit_id)
        if show_unit and unit is not None:
            return tr._("{building}, unit {unit}", building=building, unit=unit.code)
        return tr._("{building}, a home on floor {floor}", building=building, floor=t.floor)
    place = t.place if show_unit else await community.mask_for_group(conn, t.place)
    return tr._("{building}, {place}", building=building, place=place)


async def category_name(conn: aiosqlite.Connection, tr: Translator, code: str) -> str:
    found = await community.category(conn, code)
    return tr.name(found.names) if found is not None else code


def show_reporter(t: Ticket, audience: str) -> bool:
    if t.anonymous:
        return audience == "manager"
    if t.kind is Kind.COMPLAINT:
        return audience != "group"
    return True


def span_text(tr: Translator, start: datetime, end: datetime) -> str:
    """ "明天 10:00–12:00" / "tomorrow 10:00–12:00": a home visit's window."""
    return f"{tr.when(start)}–{tr.clock(end)}"


async def card_text(conn: aiosqlite.Connection, tr: Translator, t: Ticket, audience: str) -> str:
    lines = [
        tr._(
            "Ticket #{number} · {kind} · {category} · {priority}",
            number=t.id,
            kind=tr._(KIND_LABELS[t.kind]),
            category=await category_name(conn, tr, t.category),
            priority=tr._(PRIORITY_LABELS[t.priority]),  # type: ignore[index]
        ),
        tr._("Where: {where}", where=await where_text(conn, tr, t, audience != "group")),
    ]
    if show_reporter(t, audience):
        reporter = await name_of(conn, t.reporter_id)
        if t.anonymous:
            reporter = tr._("{name} (anonymous towards staff)", name=reporter)
        lines.append(tr._("Reported by: {name}", name=reporter))
    elif t.anonymous:
        lines.append(tr._("Reported by: anonymous resident"))
    if t.description:
        lines.append(tr._("Description: {text}", text=t.description))
    if t.voice_file_id:
        lines.append(tr._("Voice note attached."))
    if t.photos:
        lines.append(tr.n_("{n} photo attached.", "{n} photos attached.", len(t.photos)))
    lines.append(tr._("State: {state}", state=tr._(STATE_LABELS[t.state])))
    if t.assignee_id is not None:
        lines.append(tr._("Assigned to: {name}", name=await name_of(conn, t.assignee_id)))
    if t.is_open:
        visit = await visits.current(conn, t.id)
        if visit is not None and visit.state == "agreed":
            assert visit.window_start is not None and visit.window_end is not None
            when = span_text(tr, from_ts(visit.window_start), from_ts(visit.window_end))
            lines.append(tr._("Home visit agreed: {when}", when=when))
        if t.state is State.WAITING_RESIDENT:
            lines.append(tr._("SLA clock stopped: waiting for the resident."))
        if t.response_due_at is not None:
            lines.append(tr._("Response due: {when}", when=tr.when(from_ts(t.response_due_at))))
        if t.resolution_due_at is not None:
            lines.append(tr._("Resolution due: {when}", when=tr.when(from_ts(t.resolution_due_at))))
    resident_notes = [
        n
        for n in await store.notes(conn, t.id)
        if n.author_id is not None and n.author_id == t.reporter_id
    ]
    if resident_notes:
        last = resident_notes[-1]
        text = last.text or (tr._("(a voice note)") if last.voice_file_id else tr._("(a photo)"))
        lines.append(tr._("Latest from the resident: {text}", text=text))
    if t.reason:
        lines.append(tr._("Reason: {reason}", reason=tr._(t.reason)))
    if t.rating is not None:
        lines.append(tr._("Rating: {stars} of 5", stars=t.rating))
    return "\n".join(lines)
