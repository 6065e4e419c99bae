"""Volunteer activities' use cases that reach other people, as outbox rows in the caller's
transaction: the announcement (like a notice, with an "I'll help" button), a place freed for
the first on the waiting list, the reminders the day and the hour before (due rows, each
claimed once), and the points credited once the organiser has confirmed who came.

Crediting is idempotent: the ledger holds one award per activity per person (a unique index),
and only a row that was really written is told, so a double press, a second run or a restart
between the press and the send credits and tells once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.clock import from_ts, to_ts
from bot.rules.points import Kind
from bot.services.readers import translator_for
from storage import notices as notice_store
from storage import outbox, points
from storage import volunteering as store

#: Inline keyboard rows as Bot API JSON, as the outbox stores them.
Buttons = list[list[dict[str, str]]]
#: The "I'll help" button under an announcement, in a translator's words (made by the
#: volunteering feature, which owns the buttons' data).
SignupButtons = Callable[[Translator, int], Buttons]
KIND = "activity"


def hours_text(tr: Translator, minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return tr._("{hours} h {minutes} min", hours=hours, minutes=rest)
    return tr.n_("{n} hour", "{n} hours", hours)


def describe(tr: Translator, a: store.Activity) -> list[str]:
    return [
        tr._("🤝 Volunteers wanted: {title}", title=a.title),
        tr._(
            "When: {when} ({length})",
            when=tr.when(from_ts(a.starts_at)),
            length=hours_text(tr, a.minutes),
        ),
        tr._("Place: {place}", place=a.place),
        tr._(
            "Volunteers needed: {slots}; points for each who comes: {points}",
            slots=a.slots,
            points=a.points,
        ),
    ]


def announcement(tr: Translator, a: store.Activity) -> str:
    return "\n".join([*describe(tr, a), "", tr._('Can you help? Tap "I\'ll help" below.')])


async def announce(
    conn: aiosqlite.Connection,
    i18n: I18n,
    a: store.Activity,
    buttons: SignupButtons,
    *,
    now: int,
) -> int:
    """Queue the announcement to the audience's residents and bound groups (the organiser gets
    a delivery report); returns how many chats it goes to."""
    messages: list[tuple[int, outbox.Payload]] = []
    for person in await notice_store.recipients(conn, a.buildings, urgent=False):
        tr = i18n.for_user(person.locale, person.language_code)
        messages.append(
            (person.user_id, outbox.Payload(announcement(tr, a), buttons=buttons(tr, a.id)))
        )
    tr = i18n.translator(None)
    for chat_id in await notice_store.groups_for(conn, a.buildings):
        messages.append((chat_id, outbox.Payload(announcement(tr, a), buttons=buttons(tr, a.id))))
    batch = await outbox.create_batch(
        conn,
        KIND,
        f"{a.id}:announce",
        created_by=a.organiser_id,
        now=now,
        report_chat_id=a.organiser_id,
        title=a.title,
    )
    return await outbox.enqueue(conn, batch, messages, not_before=now)


async def withdraw(
    conn: aiosqlite.Connection, i18n: I18n, a: store.Activity, user_id: int, *, now: int
) -> bool:
    """Take someone off the lists; the first on the waiting list who moves up is told."""
    found = await store.signup(conn, a.id, user_id)
    if found is None or found.state == "withdrawn":
        return False
    moved = await store.withdraw(conn, a.id, user_id)
    if moved is not None:
        tr = await translator_for(i18n, conn, moved)
        text = tr._(
            "Good news: a place is free for {title} on {when}. You are on the list now.",
            title=a.title,
            when=tr.when(from_ts(a.starts_at)),
        )
        await outbox.push(conn, moved, outbox.Payload(text), now=now, kind=KIND, ref=str(a.id))
    return True


async def sweep(conn: aiosqlite.Connection, now: datetime, i18n: I18n) -> int:
    """Claim the due reminders and queue each to the volunteers going; returns how many."""
    ts = to_ts(now)
    claimed = await store.claim_due(conn, ts)
    for activity_id, kind in claimed:
        a = await store.activity(conn, activity_id)
        if a is None or a.starts_at <= ts:
            continue
        messages = []
        for s in await store.signups(conn, activity_id, "going"):
            tr = await translator_for(i18n, conn, s.user_id)
            starts = from_ts(a.starts_at)
            if kind == "remind_day":
                text = tr._(
                    "Reminder: you help at {title} tomorrow at {time}, {place}. Thank you!",
                    title=a.title,
                    time=tr.clock(starts),
                    place=a.place,
                )
            else:
                text = tr._(
                    "Reminder: {title} starts in one hour ({time}), {place}.",
                    title=a.title,
                    time=tr.clock(starts),
                    place=a.place,
                )
            messages.append((s.user_id, outbox.Payload(text)))
        if messages:
            batch = await outbox.create_batch(
                conn, KIND, f"{activity_id}:{kind}", created_by=None, now=ts, title=a.title
            )
            await outbox.enqueue(conn, batch, messages, not_before=ts)
    return len(claimed)


async def credit(
    conn: aiosqlite.Connection, i18n: I18n, a: store.Activity, *, by: int, now: int
) -> int:
    """Credit the points to every volunteer ticked as come, once each, and tell those newly
    credited; returns how many were newly credited."""
    credited = 0
    for s in await store.signups(conn, a.id, "going"):
        if not s.attended:
            continue
        if not await points.credit_once(
            conn, s.user_id, a.points, Kind.ACTIVITY, str(a.id), by=by, now=now
        ):
            continue
        credited += 1
        tr = await translator_for(i18n, conn, s.user_id)
        text = tr._(
            "Thank you for helping at {title}! You earned {points} points; your balance is "
            "{balance}. /points shows your history.",
            title=a.title,
            points=a.points,
            balance=await points.balance(conn, s.user_id),
        )
        await outbox.push(conn, s.user_id, outbox.Payload(text), now=now, kind=KIND, ref=str(a.id))
    await store.mark_credited(conn, a.id, now)
    return credited
