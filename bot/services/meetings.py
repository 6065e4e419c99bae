"""Meetings' use cases that reach other people, as outbox rows in the caller's transaction:
the "meetings" sweep (announcements a week ahead, reminders the day and the hour before, the
next occurrence of a recurring meeting) and telling those invited that a meeting is cancelled.

Every notice of a meeting is a due-time row (``meeting_due``); the sweep claims due rows and
turns each into an outbox batch in the same transaction, so a restart neither loses nor
repeats one. A recurring meeting's next occurrence is made by its own due row at the start of
the current one (unique per meeting and start time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules import meetings as rules
from bot.rules.clock import from_ts, to_ts
from bot.services.readers import translator_for
from bot.texts.meetings import schedule_text
from storage import meetings as store
from storage import notices as notice_store
from storage import outbox

#: Inline keyboard rows as Bot API JSON, as the outbox stores them.
Buttons = list[list[dict[str, str]]]
#: The RSVP buttons under an announcement, in a translator's words, for one occurrence (made
#: by the meetings feature, which owns the buttons' data).
RsvpButtons = Callable[[Translator, int], Buttons]


def place_text(tr: Translator, meet: store.Meeting) -> str:
    """Where the meeting is, in ``tr``'s language when it is one of the community's rooms."""
    return tr.name(meet.place_names) if meet.place_names else meet.place


def announcement(tr: Translator, meet: store.Meeting, starts: datetime) -> str:
    rule = rules.Rule.parse(meet.rule) if meet.rule else None
    return "\n".join(
        [
            tr._("📅 Meeting: {title}", title=meet.title),
            tr._("When: {when}", when=schedule_text(tr, rule, starts)),
            tr._("Place: {place}", place=place_text(tr, meet)),
            tr._("Agenda: {agenda}", agenda=meet.agenda),
            "",
            tr._("Will you come? Tap a button below."),
        ]
    )


def cancellation(tr: Translator, meet: store.Meeting, starts: datetime) -> str:
    return tr._(
        "❌ Cancelled: {title} on {when} ({place}) will not take place.",
        title=meet.title,
        when=tr.when(starts),
        place=place_text(tr, meet),
    )


# ---------------------------------------------------------------------------- the sweep


async def sweep(
    conn: aiosqlite.Connection, now: datetime, i18n: I18n, rsvp_buttons: RsvpButtons
) -> None:
    """Claim every due row and act on it (one outbox batch each, or the next occurrence)."""
    for due in await store.claim_due(conn, to_ts(now)):
        await handle_due(conn, due, now, i18n, rsvp_buttons)


async def handle_due(
    conn: aiosqlite.Connection,
    due: store.Due,
    now: datetime,
    i18n: I18n,
    rsvp_buttons: RsvpButtons,
) -> None:
    occ = await store.occurrence(conn, due.occurrence_id)
    meet = await store.meeting(conn, occ.meeting_id) if occ else None
    if occ is None or meet is None or meet.state != "active":
        return
    if due.kind == "next" and meet.ended_at is not None:
        return  # the series is ended: no more occurrences
    if due.kind != "next" and occ.cancelled_at is not None:
        return
    starts, ts = from_ts(occ.starts_at), to_ts(now)
    if due.kind == "announce":
        messages = await _announcements(conn, i18n, meet, occ, starts, rsvp_buttons)
        report_to = meet.organiser_id
    elif due.kind in ("remind_day", "remind_hour"):
        messages = await _reminders(conn, i18n, meet, occ, starts, due.kind)
        report_to = None
    else:  # "next": the following occurrence of a recurring meeting, made once
        if meet.rule:
            rule = rules.Rule.parse(meet.rule)
            following = rules.next_occurrence(rule, starts, i18n.tz)
            times = rules.due_times(following, now, recurring=True, first=False)
            await store.add_occurrence(
                conn, meet.id, to_ts(following), {k: to_ts(v) for k, v in times.items()}
            )
        return
    if not messages:
        return
    batch = await outbox.create_batch(
        conn,
        "meeting",
        f"{occ.id}:{due.kind}",
        created_by=meet.organiser_id,
        now=ts,
        report_chat_id=report_to,
        title=meet.title,
    )
    await outbox.enqueue(conn, batch, messages, not_before=ts)


async def _announcements(
    conn: aiosqlite.Connection,
    i18n: I18n,
    meet: store.Meeting,
    occ: store.Occurrence,
    starts: datetime,
    rsvp_buttons: RsvpButtons,
) -> list[tuple[int, outbox.Payload]]:
    """The invitation with its RSVP buttons: each resident invited, then the group chats."""
    messages: list[tuple[int, outbox.Payload]] = []
    for person in await notice_store.recipients(conn, meet.buildings, urgent=False):
        tr = i18n.for_user(person.locale, person.language_code)
        payload = outbox.Payload(announcement(tr, meet, starts), buttons=rsvp_buttons(tr, occ.id))
        messages.append((person.user_id, payload))
    if meet.include_groups:
        tr = i18n.translator(None)
        for chat_id in await notice_store.groups_for(conn, meet.buildings):
            payload = outbox.Payload(
                announcement(tr, meet, starts), buttons=rsvp_buttons(tr, occ.id)
            )
            messages.append((chat_id, payload))
    return messages


async def _reminders(
    conn: aiosqlite.Connection,
    i18n: I18n,
    meet: store.Meeting,
    occ: store.Occurrence,
    starts: datetime,
    kind: str,
) -> list[tuple[int, outbox.Payload]]:
    """A reminder to each attendee; the day before, the organiser also gets the counts."""
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id in await store.attendees(conn, occ.id):
        tr = await translator_for(i18n, conn, user_id)
        if kind == "remind_day":
            text = tr._(
                "Reminder: {title} is tomorrow at {time}, {place}.",
                title=meet.title,
                time=tr.clock(starts),
                place=place_text(tr, meet),
            )
        else:
            text = tr._(
                "Reminder: {title} starts in one hour ({time}), {place}.",
                title=meet.title,
                time=tr.clock(starts),
                place=place_text(tr, meet),
            )
        messages.append((user_id, outbox.Payload(text)))
    if kind == "remind_day" and meet.organiser_id is not None:
        yes, no = await store.rsvp_counts(conn, occ.id)
        tr = await translator_for(i18n, conn, meet.organiser_id)
        text = tr._(
            "{title} is tomorrow: {yes} will attend, {no} cannot.",
            title=meet.title,
            yes=yes,
            no=no,
        )
        messages.append((meet.organiser_id, outbox.Payload(text)))
    return messages


# ---------------------------------------------------------------------------- moving


def moved(tr: Translator, meet: store.Meeting, starts: datetime) -> str:
    return "\n".join(
        [
            tr._(
                "🔁 Changed: {title} is now on {when}, {place}.",
                title=meet.title,
                when=tr.when(starts),
                place=place_text(tr, meet),
            ),
            tr._("Your answer is kept. You can change it below."),
        ]
    )


async def move(
    conn: aiosqlite.Connection,
    i18n: I18n,
    meet: store.Meeting,
    occurrence_id: int,
    *,
    starts_at: int | None,
    place: str | None,
    place_names: dict[str, str] | None = None,
    by: int,
    now: int,
    rsvp_buttons: RsvpButtons,
) -> tuple[int, int] | None:
    """Give an upcoming occurrence a new time (its reminders follow) or its meeting a new
    place, and tell once, with the RSVP buttons, everyone its announcement reached who had not
    declined (their answers are kept); ``place_names``: the new place is a room, named in
    every language. Returns how many (residents, group chats) are told, or
    ``None`` if it cannot be moved."""
    occ = await store.occurrence(conn, occurrence_id)
    if occ is None or occ.cancelled_at is not None or occ.starts_at <= now:
        return None
    if starts_at is not None:
        times = rules.due_times(
            from_ts(starts_at), from_ts(now), recurring=meet.rule is not None, first=False
        )
        due = {k: to_ts(v) for k, v in times.items()}
        if not await store.move_occurrence(conn, occurrence_id, starts_at, due, now):
            return None
    if place is not None:
        await store.set_place(conn, meet.id, place, place_names)
    meet = await store.meeting(conn, meet.id) or meet
    occ = await store.occurrence(conn, occurrence_id)
    assert occ is not None
    skip = await store.declined(conn, occurrence_id)
    starts = from_ts(occ.starts_at)
    messages: list[tuple[int, outbox.Payload]] = []
    for chat_id in await store.announced_to(conn, occurrence_id):
        if chat_id in skip:
            continue
        if chat_id < 0:  # a group chat: the community's language
            tr = i18n.translator(None)
        else:
            tr = await translator_for(i18n, conn, chat_id)
        payload = outbox.Payload(moved(tr, meet, starts), buttons=rsvp_buttons(tr, occ.id))
        messages.append((chat_id, payload))
    if not messages:
        return 0, 0
    batch = await outbox.create_batch(
        conn,
        "meeting",
        f"{occurrence_id}:move:{now}",
        created_by=by,
        now=now,
        report_chat_id=None,
        title=meet.title,
    )
    await outbox.enqueue(conn, batch, messages, not_before=now)
    groups = sum(1 for chat_id, _ in messages if chat_id < 0)
    return len(messages) - groups, groups


# ---------------------------------------------------------------------------- cancelling


async def cancel(
    conn: aiosqlite.Connection,
    i18n: I18n,
    meet: store.Meeting,
    occurrence_id: int,
    *,
    series: bool,
    by: int,
    now: int,
) -> tuple[int, int]:
    """Cancel one occurrence (the next one of a series is still made) or end the whole series,
    and tell those invited. Returns how many (residents, group chats) are told."""
    if series:
        cancelled = await store.end_series(conn, meet.id, now) or []
    else:
        done = await store.cancel_occurrence(conn, occurrence_id, now, keep_next=True)
        cancelled = [occurrence_id] if done else []
    residents = groups = 0
    for cancelled_id in cancelled:
        told = await tell_cancelled(conn, i18n, meet, cancelled_id, by=by, now=now)
        residents, groups = residents + told[0], groups + told[1]
    return residents, groups


async def tell_cancelled(
    conn: aiosqlite.Connection,
    i18n: I18n,
    meet: store.Meeting,
    occurrence_id: int,
    *,
    by: int,
    now: int,
) -> tuple[int, int]:
    """Queue the cancellation of one occurrence to those its announcement reached (not those
    who said they cannot attend); an announcement still queued is cancelled instead."""
    occ = await store.occurrence(conn, occurrence_id)
    assert occ is not None
    chats = await store.announced_to(conn, occurrence_id)
    for batch_id in await store.announcement_batches(conn, occurrence_id):
        await outbox.cancel_batch(conn, batch_id)
    skip = await store.declined(conn, occurrence_id)
    starts = from_ts(occ.starts_at)
    messages: list[tuple[int, outbox.Payload]] = []
    for chat_id in chats:
        if chat_id in skip:
            continue
        if chat_id < 0:  # a group chat: the community's language
            tr = i18n.translator(None)
        else:
            tr = await translator_for(i18n, conn, chat_id)
        messages.append((chat_id, outbox.Payload(cancellation(tr, meet, starts))))
    if not messages:
        return 0, 0
    batch = await outbox.create_batch(
        conn,
        "meeting",
        f"{occurrence_id}:cancel",
        created_by=by,
        now=now,
        report_chat_id=None,
        title=meet.title,
    )
    await outbox.enqueue(conn, batch, messages, not_before=now)
    groups = sum(1 for chat_id, _ in messages if chat_id < 0)
    return len(messages) - groups, groups
