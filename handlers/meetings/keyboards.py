"""The meetings feature's buttons in words: Cancel in the wizard, RSVP under an announcement
(as the outbox stores them), cancelling an upcoming meeting or ending its series."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.rules.clock import from_ts
from bot.services.meetings import Buttons
from handlers.kit import Dismiss, Turn, button, keyboard
from handlers.meetings.callbacks import MeetCancel, MeetMove, MeetPlace, MeetRsvp
from storage import bookings, community
from storage import meetings as store
from storage.community import Room


async def room_buttons(turn: Turn) -> list[InlineKeyboardButton]:
    """The community's rooms as places to meet, in the organiser's language."""
    async with turn.services.db.read() as conn:
        rooms = await community.rooms(conn)
    return [button(turn.tr.name(r.names), MeetPlace(r.id)) for r in rooms]


async def picked_room(turn: Turn, room_id: int) -> Room | None:
    """The pressed room, if it is still one of the community's (None: a stale press)."""
    async with turn.services.db.read() as conn:
        return await bookings.room(conn, room_id)


def cancel_button(turn: Turn) -> InlineKeyboardButton:
    return button(turn.tr._("Cancel"), Dismiss("meeting"))


def rsvp_buttons(tr: Translator, occurrence_id: int) -> Buttons:
    return payload_buttons(
        keyboard(
            [
                button(tr._("I will attend"), MeetRsvp(occurrence_id, True)),
                button(tr._("I cannot attend"), MeetRsvp(occurrence_id, False)),
            ],
            per_row=2,
        )
    )


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


def move_buttons(
    tr: Translator, meet: store.Meeting, occ: store.Occurrence
) -> list[InlineKeyboardButton]:
    day = tr.day(from_ts(occ.starts_at).astimezone(tr.tz).date(), "short")
    title = meet.title[:20]
    return [
        button(tr._("New time: {title} {day}", title=title, day=day), MeetMove(occ.id, "time")),
        button(tr._("New place: {title} {day}", title=title, day=day), MeetMove(occ.id, "place")),
    ]
