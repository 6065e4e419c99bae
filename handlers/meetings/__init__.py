"""Meetings (/meeting, /meetings): one-off or recurring, announced with RSVP buttons, attendees
reminded the day and the hour before, minutes posted afterwards as a notice.

Every notice of a meeting is a due-time row (``meeting_due``); the "meetings" job claims due
rows and turns each into an outbox batch in the same transaction, so a restart neither loses
nor repeats one. A recurring meeting's next occurrence is made by its own due row at the start
of the current one (unique per meeting and start time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context, Services
from bot.delivery import payload_buttons
from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_, Translator
from bot.rules import meetings as rules
from bot.rules.auth import Action, Role, can
from bot.rules.clock import from_ts, to_ts
from bot.services.notices import audience_name, building_names, enqueue_notice
from bot.texts import meetings as texts
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    dismiss_pattern,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
    touch_person,
    translator_for,
    use_buttons,
)
from handlers.kit.callbacks import CallbackData, callback, matches
from handlers.kit.menu import menu_pattern
from storage import community, outbox
from storage import meetings as store
from storage import notices as notice_store

TITLE, REPEAT, ORDINAL, WEEKDAY, DAY, TIME, PLACE, AGENDA, AUDIENCE, CONFIRM, MINUTES = (
    f"meeting:{s}"
    for s in (
        "title",
        "repeat",
        "ordinal",
        "weekday",
        "day",
        "time",
        "place",
        "agenda",
        "audience",
        "confirm",
        "minutes",
    )
)
DRAFT = "meeting_draft"
MINUTES_FOR = "meeting_minutes_for"
JOB_NAME = "meetings"
DAYS_AHEAD = 14


@callback("mf")
@dataclass(frozen=True)
class MeetRepeat(CallbackData):
    freq: str  # once / weekly / monthly


@callback("mo")
@dataclass(frozen=True)
class MeetOrdinal(CallbackData):
    ordinal: int


@callback("mw")
@dataclass(frozen=True)
class MeetWeekday(CallbackData):
    weekday: int


@callback("md")
@dataclass(frozen=True)
class MeetDay(CallbackData):
    offset: int


@callback("mh")
@dataclass(frozen=True)
class MeetTime(CallbackData):
    hhmm: int


@callback("ma")
@dataclass(frozen=True)
class MeetAudience(CallbackData):
    building_id: int  # 0: everyone


@callback("mc")
@dataclass(frozen=True)
class MeetConfirm(CallbackData):
    pass


@callback("mr")
@dataclass(frozen=True)
class MeetRsvp(CallbackData):
    occurrence_id: int
    attend: bool


@callback("mm")
@dataclass(frozen=True)
class MeetMinutes(CallbackData):
    occurrence_id: int


@callback("mx")
@dataclass(frozen=True)
class MeetCancel(CallbackData):
    occurrence_id: int
    series: bool  # end the whole recurring series
    sure: bool  # False: ask to confirm; True: do it


@callback("mk")
@dataclass(frozen=True)
class MeetKeep(CallbackData):
    occurrence_id: int


def _draft(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    draft = data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = data[DRAFT] = {}
    return draft


def cancel_button(turn: Turn) -> InlineKeyboardButton:
    return button(turn.tr._("Cancel"), Dismiss("meeting"))


def _rule(draft: dict[str, Any]) -> rules.Rule | None:
    if draft.get("freq") not in ("weekly", "monthly"):
        return None
    hour, minute = divmod(int(draft["hhmm"]), 100)
    return rules.Rule(
        str(draft["freq"]), int(draft["weekday"]), int(draft.get("ordinal", 0)), time(hour, minute)
    )


def schedule_text(tr: Translator, rule: rules.Rule | None, starts: datetime) -> str:
    when = tr.when(starts)
    if rule is None:
        return when
    weekday = tr._(texts.WEEKDAYS[rule.weekday])
    clock = rule.at.strftime("%H:%M")
    if rule.freq == "weekly":
        repeat = tr._("every {weekday} at {time}", weekday=weekday, time=clock)
    else:
        repeat = tr._(
            "the {ordinal} {weekday} of each month at {time}",
            ordinal=tr._(texts.ORDINALS[rule.ordinal]),
            weekday=weekday,
            time=clock,
        )
    return tr._("{repeat}; next: {when}", repeat=repeat, when=when)


# ---------------------------------------------------------------------------- /meeting


@private_only
async def meeting_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not can(turn.principal, Action.CALL_MEETING):
        await reply(
            update, turn.tr._("Only the committee and the property manager can call meetings.")
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    context.user_data[DRAFT] = {}  # type: ignore[index]
    await reply(
        update,
        turn.tr._("What is the meeting called? (for example: Monthly joint meeting)"),
        keyboard([cancel_button(turn)]),
    )
    return TITLE


async def _text_step(update: Update, context: Context, key: str, limit: int) -> str | None:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(turn.tr._("Please answer with a short text."))
        return None
    problem = text_too_long(turn, text, limit)
    if problem:
        await message.reply_text(problem)
        return None
    _draft(context)[key] = text
    return text


@private_only
async def got_title(update: Update, context: Context) -> str:
    if await _text_step(update, context, "title", 100) is None:
        return TITLE
    turn = await begin(update, context)
    buttons = [
        button(turn.tr._("One time"), MeetRepeat("once")),
        button(turn.tr._("Every week"), MeetRepeat("weekly")),
        button(turn.tr._("Every month"), MeetRepeat("monthly")),
    ]
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        turn.tr._("Is it a one-time meeting, or does it repeat?"),
        reply_markup=keyboard(buttons, footer=[cancel_button(turn)]),
    )
    return REPEAT


@private_only
async def got_repeat(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetRepeat)
    if data.freq not in ("once", "weekly", "monthly"):
        await stale(query, turn)
        return REPEAT
    await answer(query)
    draft = _draft(context)
    draft["freq"] = data.freq
    tr = turn.tr
    if data.freq == "once":
        today = turn.now.astimezone(context.services.i18n.tz).date()
        days = [today + timedelta(days=n) for n in range(DAYS_AHEAD)]
        buttons = [button(tr.weekday_day(d), MeetDay(n)) for n, d in enumerate(days)]
        await reply(
            update, tr._("Which day?"), keyboard(buttons, per_row=3, footer=[cancel_button(turn)])
        )
        return DAY
    if data.freq == "monthly":
        buttons = [button(tr._(label), MeetOrdinal(n)) for n, label in texts.ORDINALS.items()]
        await reply(
            update,
            tr._("Which week of the month?"),
            keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
        )
        return ORDINAL
    return await ask_weekday(update, turn)


async def ask_weekday(update: Update, turn: Turn) -> str:
    buttons = [button(turn.tr._(label), MeetWeekday(n)) for n, label in enumerate(texts.WEEKDAYS)]
    await reply(
        update,
        turn.tr._("On which day of the week?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return WEEKDAY


@private_only
async def got_ordinal(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetOrdinal)
    if data.ordinal not in texts.ORDINALS:
        await stale(query, turn)
        return ORDINAL
    await answer(query)
    _draft(context)["ordinal"] = data.ordinal
    return await ask_weekday(update, turn)


@private_only
async def got_weekday(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetWeekday)
    if not 0 <= data.weekday <= 6:
        await stale(query, turn)
        return WEEKDAY
    await answer(query)
    _draft(context)["weekday"] = data.weekday
    return await ask_time(update, turn)


@private_only
async def got_day(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetDay)
    if not 0 <= data.offset < DAYS_AHEAD:
        await stale(query, turn)
        return DAY
    await answer(query)
    today = turn.now.astimezone(context.services.i18n.tz).date()
    _draft(context)["day"] = (today + timedelta(days=data.offset)).isoformat()
    return await ask_time(update, turn)


async def ask_time(update: Update, turn: Turn) -> str:
    buttons = [button(t.strftime("%H:%M"), MeetTime(t.hour * 100 + t.minute)) for t in rules.TIMES]
    await reply(
        update,
        turn.tr._("At what time?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return TIME


def _starts(draft: dict[str, Any], now: datetime, services: Services) -> datetime | None:
    rule = _rule(draft)
    if rule is not None:
        return rules.next_occurrence(rule, now, services.i18n.tz)
    hour, minute = divmod(int(draft["hhmm"]), 100)
    day = date.fromisoformat(str(draft["day"]))
    moment = datetime.combine(day, time(hour, minute), services.i18n.tz)
    return moment if moment > now else None


@private_only
async def got_time(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetTime)
    hour, minute = divmod(data.hhmm, 100)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        await stale(query, turn)
        return TIME
    draft = _draft(context)
    draft["hhmm"] = data.hhmm
    if _starts(draft, turn.now, context.services) is None:
        await answer(query, turn.tr._("That time has passed. Please choose another."), True)
        return TIME
    await answer(query)
    await reply(update, turn.tr._("Where is it held?"), keyboard([cancel_button(turn)]))
    return PLACE


@private_only
async def got_place(update: Update, context: Context) -> str:
    if await _text_step(update, context, "place", 200) is None:
        return PLACE
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        turn.tr._("What is on the agenda?"), reply_markup=keyboard([cancel_button(turn)])
    )
    return AGENDA


@private_only
async def got_agenda(update: Update, context: Context) -> str:
    if await _text_step(update, context, "agenda", 800) is None:
        return AGENDA
    turn = await begin(update, context)
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    buttons = [button(turn.tr._("Everyone in the community"), MeetAudience(0))]
    buttons += [button(b.name, MeetAudience(b.id)) for b in buildings]
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        turn.tr._("Who is invited?"),
        reply_markup=keyboard(buttons, per_row=3, footer=[cancel_button(turn)]),
    )
    return AUDIENCE


@private_only
async def got_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, MeetAudience)
    async with context.services.db.read() as conn:
        found = await community.building(conn, data.building_id) if data.building_id else None
        names = await building_names(conn)
    if data.building_id and found is None:
        await stale(query, turn)
        return AUDIENCE
    await answer(query)
    draft = _draft(context)
    draft["buildings"] = [found.id] if found else None
    starts = _starts(draft, turn.now, context.services)
    if starts is None:
        await reply(update, turn.tr._("That time has passed. Please start again with /meeting."))
        return ConversationHandler.END  # type: ignore[return-value]
    tr = turn.tr
    text = "\n".join(
        [
            tr._("Please check the meeting:"),
            tr._("Meeting: {title}", title=draft["title"]),
            tr._("When: {when}", when=schedule_text(tr, _rule(draft), starts)),
            tr._("Place: {place}", place=draft["place"]),
            tr._("Agenda: {agenda}", agenda=draft["agenda"]),
            tr._("Invited: {audience}", audience=audience_name(tr, names, draft["buildings"])),
        ]
    )
    markup = keyboard([button(tr._("Announce it"), MeetConfirm()), cancel_button(turn)], per_row=2)
    await reply(update, text, markup)
    return CONFIRM


@private_only
async def confirm(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = _draft(context)
    if not can(turn.principal, Action.CALL_MEETING):
        await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
        return ConversationHandler.END
    if not all(k in draft for k in ("title", "place", "agenda", "hhmm", "buildings")):
        await stale(query, turn)
        return ConversationHandler.END
    starts = _starts(draft, turn.now, context.services)
    if starts is None:
        await answer(query, turn.tr._("That time has passed. Please choose another."), True)
        return ConversationHandler.END
    await answer(query)
    rule = _rule(draft)
    buildings = draft["buildings"]
    async with context.services.db.transaction() as conn:
        meeting_id = await store.create_meeting(
            conn,
            organiser_id=turn.user.id,
            title=str(draft["title"]),
            place=str(draft["place"]),
            agenda=str(draft["agenda"]),
            buildings=None if buildings is None else [int(b) for b in buildings],
            include_groups=True,
            rule=rule.dump() if rule else None,
            now=turn.ts,
        )
        due = rules.due_times(starts, turn.now, recurring=rule is not None, first=True)
        await store.add_occurrence(
            conn, meeting_id, to_ts(starts), {k: to_ts(v) for k, v in due.items()}
        )
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await reply(
        update,
        turn.tr._(
            "The meeting is set for {when}. The invitation goes out now; you will get a "
            "delivery report, and /meetings shows who is coming.",
            when=turn.tr.when(starts),
        ),
    )
    return ConversationHandler.END


@private_only
async def cancel_draft(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
        context.user_data.pop(MINUTES_FOR, None)
    turn = await begin(update, context)
    if update.callback_query is not None:
        await reply(update, turn.tr._("Cancelled. Nothing was sent."))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(turn.tr._("Cancelled. Nothing was sent."))
    return ConversationHandler.END


# ---------------------------------------------------------------------------- RSVP


async def rsvp(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, MeetRsvp)
    tr = turn.tr
    async with context.services.db.transaction() as conn:
        occ = await store.occurrence(conn, data.occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
        if occ is None or meet is None or meet.state != "active":
            await answer(query, tr._("This button is no longer valid."), alert=True)
            return
        if occ.cancelled_at is not None:
            await answer(query, tr._("Sorry, this meeting was cancelled."), alert=True)
            return
        if occ.starts_at <= turn.ts:
            await answer(query, tr._("This meeting has already taken place."), alert=True)
            return
        invited = turn.principal.is_officer or any(
            meet.buildings is None or r.building_id in meet.buildings
            for r in turn.principal.verified
        )
        if not invited:
            await answer(
                query, tr._("Sorry, this meeting is for the residents it was sent to."), True
            )
            return
        await touch_person(turn, conn)
        await store.set_rsvp(conn, occ.id, turn.user.id, data.attend, turn.ts)
    if data.attend:
        await answer(query, tr._("Thank you! You are on the list; I will remind you."))
    else:
        await answer(query, tr._("Thank you for letting us know."))


# ---------------------------------------------------------------------------- /meetings, minutes


@private_only
async def list_meetings(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    if not can(turn.principal, Action.CALL_MEETING):
        await reply(update, tr._("Only the committee and the property manager can call meetings."))
        return
    async with context.services.db.read() as conn:
        found = await store.occurrences(conn, None)
        counted = [(m, o, await store.rsvp_counts(conn, o.id)) for m, o in found]
    if not counted:
        await reply(update, tr._("No meetings yet. Call one with /meeting."))
        return
    lines = [tr._("Meetings:")]
    buttons = []
    for meet, occ, (yes, no) in counted:
        when = tr.when(from_ts(occ.starts_at), "short")
        if occ.cancelled_at is not None:
            lines.append(tr._("{when} {title}: cancelled", when=when, title=meet.title))
            continue
        lines.append(
            tr._(
                "{when} {title}: {yes} attend, {no} cannot",
                when=when,
                title=meet.title,
                yes=yes,
                no=no,
            )
        )
        if occ.starts_at > turn.ts:
            buttons += cancel_buttons(tr, meet, occ)
        elif occ.minutes_notice_id is None:
            label = tr._(
                "Post minutes: {title} {day}",
                title=meet.title[:20],
                day=tr.day(from_ts(occ.starts_at).astimezone(tr.tz).date(), "short"),
            )
            buttons.append(button(label, MeetMinutes(occ.id)))
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)


def cancel_buttons(
    tr: Translator, meet: store.Meeting, occ: store.Occurrence
) -> list[InlineKeyboardButton]:
    day = tr.day(from_ts(occ.starts_at).astimezone(tr.tz).date(), "short")
    title = meet.title[:20]
    if not meet.rule:
        label = tr._("Cancel this meeting: {title} {day}", title=title, day=day)
        return [button(label, MeetCancel(occ.id, False, False))]
    found = [
        button(
            tr._("Cancel this one: {title} {day}", title=title, day=day),
            MeetCancel(occ.id, False, False),
        )
    ]
    if meet.ended_at is None:
        found.append(
            button(tr._("End the series: {title}", title=title), MeetCancel(occ.id, True, False))
        )
    return found


async def _cancellable(
    conn: aiosqlite.Connection, turn: Turn, data: MeetCancel
) -> tuple[store.Meeting, store.Occurrence] | None:
    """The meeting and occurrence a cancel press is about, if the presser may cancel it and it
    can still be cancelled (re-checked on every press, inside the transaction)."""
    if not can(turn.principal, Action.CALL_MEETING):
        return None
    occ = await store.occurrence(conn, data.occurrence_id)
    meet = await store.meeting(conn, occ.meeting_id) if occ else None
    if occ is None or meet is None or meet.state != "active":
        return None
    if occ.cancelled_at is not None or occ.starts_at <= turn.ts:
        return None
    if data.series and (not meet.rule or meet.ended_at is not None):
        return None
    return meet, occ


def cancellation(tr: Translator, meet: store.Meeting, starts: datetime) -> str:
    return tr._(
        "❌ Cancelled: {title} on {when} ({place}) will not take place.",
        title=meet.title,
        when=tr.when(starts),
        place=meet.place,
    )


async def _tell_cancelled(
    services: Services,
    conn: aiosqlite.Connection,
    meet: store.Meeting,
    occurrence_id: int,
    turn: Turn,
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
            tr = services.i18n.translator(None)
        else:
            tr = await translator_for(services, conn, chat_id)
        messages.append((chat_id, outbox.Payload(cancellation(tr, meet, starts))))
    if not messages:
        return 0, 0
    batch = await outbox.create_batch(
        conn,
        "meeting",
        f"{occurrence_id}:cancel",
        created_by=turn.user.id,
        now=turn.ts,
        report_chat_id=None,
        title=meet.title,
    )
    await outbox.enqueue(conn, batch, messages, not_before=turn.ts)
    groups = sum(1 for chat_id, _ in messages if chat_id < 0)
    return len(messages) - groups, groups


@private_only
async def cancel_meeting(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, MeetCancel)
    tr = turn.tr
    services = context.services
    async with services.db.transaction() as conn:
        found = await _cancellable(conn, turn, data)
        if found is None:
            if not can(turn.principal, Action.CALL_MEETING):
                await answer(query, tr._("Sorry, you do not have the right to do this."), True)
            else:
                await answer(query, tr._("This meeting cannot be cancelled any more."), True)
            return
        meet, occ = found
        if not data.sure:
            await answer(query)
            when = tr.when(from_ts(occ.starts_at))
            if data.series:
                text = tr._(
                    "End the series {title}? The upcoming meeting on {when} is cancelled and "
                    "no more are planned. Everyone invited is told.",
                    title=meet.title,
                    when=when,
                )
            else:
                text = tr._(
                    "Cancel {title} on {when}? Everyone invited is told.",
                    title=meet.title,
                    when=when,
                )
            markup = keyboard(
                [
                    button(tr._("Yes, cancel it"), MeetCancel(occ.id, data.series, True)),
                    button(tr._("No, keep it"), MeetKeep(occ.id)),
                ],
                per_row=2,
            )
            await reply(update, text, markup)
            return
        if data.series:
            cancelled = await store.end_series(conn, meet.id, turn.ts) or []
        else:
            done = await store.cancel_occurrence(conn, occ.id, turn.ts, keep_next=True)
            cancelled = [occ.id] if done else []
        people = groups = 0
        for occurrence_id in cancelled:
            told = await _tell_cancelled(services, conn, meet, occurrence_id, turn)
            people, groups = people + told[0], groups + told[1]
    await answer(query)
    if data.series:
        head = tr._("The series {title} is ended.", title=meet.title)
    else:
        head = tr._(
            "{title} on {when} is cancelled.",
            title=meet.title,
            when=tr.when(from_ts(occ.starts_at)),
        )
    await reply(
        update,
        "\n".join(
            [
                head,
                tr._(
                    "The notice goes to {people} residents and {groups} group chats.",
                    people=people,
                    groups=groups,
                ),
            ]
        ),
    )


@private_only
async def keep_meeting(update: Update, context: Context) -> None:
    query, _, turn = await pressed(update, context, MeetKeep)
    await answer(query)
    await reply(update, turn.tr._("The meeting stays as it is. Nothing was changed."))


@private_only
async def minutes_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, MeetMinutes)
    async with context.services.db.read() as conn:
        occ = await store.occurrence(conn, data.occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
    if occ is None or meet is None or occ.starts_at > turn.ts or occ.minutes_notice_id:
        await stale(query, turn)
        return ConversationHandler.END
    if not can(turn.principal, Action.CALL_MEETING):
        await answer(query, turn.tr._("Sorry, you do not have the right to do this."), True)
        return ConversationHandler.END
    await answer(query)
    context.user_data[MINUTES_FOR] = occ.id  # type: ignore[index]
    await reply(
        update,
        turn.tr._(
            "Send me the minutes of {title}. They go to everyone who was invited.",
            title=meet.title,
        ),
        keyboard([cancel_button(turn)]),
    )
    return MINUTES


@private_only
async def got_minutes(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(turn.tr._("Please send the minutes as text."))
        return MINUTES
    problem = text_too_long(turn, text, 3000)
    if problem:
        await message.reply_text(problem)
        return MINUTES
    occurrence_id = (context.user_data or {}).get(MINUTES_FOR)
    if not isinstance(occurrence_id, int) or not can(turn.principal, Action.CALL_MEETING):
        await message.reply_text(turn.tr._("Sorry, you do not have the right to do this."))
        return ConversationHandler.END
    services = context.services
    async with services.db.transaction() as conn:
        occ = await store.occurrence(conn, occurrence_id)
        meet = await store.meeting(conn, occ.meeting_id) if occ else None
        if occ is None or meet is None or occ.minutes_notice_id:
            await message.reply_text(turn.tr._("The minutes of this meeting are posted already."))
            return ConversationHandler.END
        tr = services.i18n.translator(None)
        heading = f"{meet.title} ({tr.day(from_ts(occ.starts_at).astimezone(tr.tz).date())})"
        notice_id = await notice_store.create_notice(
            conn,
            author_id=turn.user.id,
            text=f"{heading}\n\n{text}",
            photo=None,
            document=None,
            buildings=meet.buildings,
            include_groups=meet.include_groups,
            pin=False,
            urgent=False,
            send_at=turn.ts,
            now=turn.ts,
            kind="minutes",
        )
        await store.set_minutes(conn, occ.id, notice_id)
        _, people, groups = await enqueue_notice(services.i18n, conn, notice_id, turn.ts)
    context.user_data.pop(MINUTES_FOR, None)  # type: ignore[union-attr]
    await message.reply_text(
        turn.tr._(
            "The minutes are on their way to {people} residents and {groups} group chats.",
            people=people,
            groups=groups,
        )
    )
    return ConversationHandler.END


# ---------------------------------------------------------------------------- the sweep


def announcement(tr: Translator, meet: store.Meeting, starts: datetime) -> str:
    rule = rules.Rule.parse(meet.rule) if meet.rule else None
    return "\n".join(
        [
            tr._("📅 Meeting: {title}", title=meet.title),
            tr._("When: {when}", when=schedule_text(tr, rule, starts)),
            tr._("Place: {place}", place=meet.place),
            tr._("Agenda: {agenda}", agenda=meet.agenda),
            "",
            tr._("Will you come? Tap a button below."),
        ]
    )


def rsvp_buttons(tr: Translator, occurrence_id: int) -> list[list[dict[str, str]]]:
    return payload_buttons(
        keyboard(
            [
                button(tr._("I will attend"), MeetRsvp(occurrence_id, True)),
                button(tr._("I cannot attend"), MeetRsvp(occurrence_id, False)),
            ],
            per_row=2,
        )
    )


async def handle_due(
    services: Services, conn: aiosqlite.Connection, due: store.Due, now: datetime
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
    messages: list[tuple[int, outbox.Payload]] = []
    if due.kind == "announce":
        for person in await notice_store.recipients(conn, meet.buildings, urgent=False):
            tr = services.i18n.for_user(person.locale, person.language_code)
            payload = outbox.Payload(
                announcement(tr, meet, starts), buttons=rsvp_buttons(tr, occ.id)
            )
            messages.append((person.user_id, payload))
        if meet.include_groups:
            tr = services.i18n.translator(None)
            for chat_id in await notice_store.groups_for(conn, meet.buildings):
                payload = outbox.Payload(
                    announcement(tr, meet, starts), buttons=rsvp_buttons(tr, occ.id)
                )
                messages.append((chat_id, payload))
        report_to = meet.organiser_id
    elif due.kind in ("remind_day", "remind_hour"):
        for user_id in await store.attendees(conn, occ.id):
            tr = await translator_for(services, conn, user_id)
            if due.kind == "remind_day":
                text = tr._(
                    "Reminder: {title} is tomorrow at {time}, {place}.",
                    title=meet.title,
                    time=tr.clock(starts),
                    place=meet.place,
                )
            else:
                text = tr._(
                    "Reminder: {title} starts in one hour ({time}), {place}.",
                    title=meet.title,
                    time=tr.clock(starts),
                    place=meet.place,
                )
            messages.append((user_id, outbox.Payload(text)))
        if due.kind == "remind_day" and meet.organiser_id is not None:
            yes, no = await store.rsvp_counts(conn, occ.id)
            tr = await translator_for(services, conn, meet.organiser_id)
            text = tr._(
                "{title} is tomorrow: {yes} will attend, {no} cannot.",
                title=meet.title,
                yes=yes,
                no=no,
            )
            messages.append((meet.organiser_id, outbox.Payload(text)))
        report_to = None
    else:  # "next": the following occurrence of a recurring meeting, made once
        if meet.rule:
            rule = rules.Rule.parse(meet.rule)
            following = rules.next_occurrence(rule, starts, services.i18n.tz)
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


async def meetings_job(context: Context) -> None:
    services = context.services
    now = services.clock()
    async with services.db.transaction() as conn:
        for due in await store.claim_due(conn, to_ts(now)):
            await handle_due(services, conn, due, now)


# ---------------------------------------------------------------------------- wiring


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    text = private & ~filters.COMMAND  # any message: a non-text one gets a hint
    conversation = ConversationHandler(
        entry_points=[
            CommandHandler("meeting", meeting_start),
            CallbackQueryHandler(meeting_start, pattern=menu_pattern("meeting")),
            CallbackQueryHandler(minutes_start, pattern=matches(MeetMinutes)),
        ],
        states={
            TITLE: [MessageHandler(text, got_title)],
            REPEAT: [CallbackQueryHandler(got_repeat, pattern=matches(MeetRepeat))],
            ORDINAL: [CallbackQueryHandler(got_ordinal, pattern=matches(MeetOrdinal))],
            WEEKDAY: [CallbackQueryHandler(got_weekday, pattern=matches(MeetWeekday))],
            DAY: [CallbackQueryHandler(got_day, pattern=matches(MeetDay))],
            TIME: [CallbackQueryHandler(got_time, pattern=matches(MeetTime))],
            PLACE: [MessageHandler(text, got_place)],
            AGENDA: [MessageHandler(text, got_agenda)],
            AUDIENCE: [CallbackQueryHandler(got_audience, pattern=matches(MeetAudience))],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=matches(MeetConfirm))],
            MINUTES: [MessageHandler(text, got_minutes)],
        },
        fallbacks=[
            CallbackQueryHandler(cancel_draft, pattern=dismiss_pattern("meeting")),
            CommandHandler("cancel", cancel_draft),
            MessageHandler(private & ~filters.COMMAND, use_buttons),
        ],
        name="meeting",
        persistent=True,
        allow_reentry=True,
    )
    return [
        conversation,
        CommandHandler("meetings", list_meetings),
        CallbackQueryHandler(list_meetings, pattern=menu_pattern("meetings")),
        CallbackQueryHandler(rsvp, pattern=matches(MeetRsvp)),
        CallbackQueryHandler(cancel_meeting, pattern=matches(MeetCancel)),
        CallbackQueryHandler(keep_meeting, pattern=matches(MeetKeep)),
    ]


def _calls_meetings(p: Any) -> bool:
    return can(p, Action.CALL_MEETING)


MENU = (
    MenuEntry("meeting", N_("Call a meeting"), 42, visible=_calls_meetings),
    MenuEntry("meetings", N_("Meetings"), 43, visible=_calls_meetings),
)
COMMANDS = (
    CommandSpec("meeting", N_("Call a meeting"), roles=(Role.COMMITTEE, Role.MANAGER)),
    CommandSpec("meetings", N_("Meetings, who is coming, minutes")),
)
JOBS = (JobSpec(JOB_NAME, meetings_job, interval_seconds=30.0, first_seconds=5.0),)

FEATURE = Feature(name="meetings", handlers=handlers, menu=MENU, commands=COMMANDS, jobs=JOBS)
