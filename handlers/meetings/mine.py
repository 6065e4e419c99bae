"""A resident's /meetings (and the Meetings button): the upcoming meetings they are invited to,
their own answer to each, and the buttons to give or change it (the same RSVP buttons as under
an announcement)."""

from __future__ import annotations

from telegram import Update

from bot.rules.auth import Principal
from bot.rules.clock import from_ts
from bot.services.meetings import place_text
from handlers.kit import Turn, button, keyboard, reply
from handlers.meetings.callbacks import MeetRsvp
from storage import meetings as store

SHOWN = 5  # meetings on one message


def invited(principal: Principal, meet: store.Meeting) -> bool:
    """Who a meeting is for: officers, and residents of its buildings (all for the community)."""
    return principal.is_officer or any(
        meet.buildings is None or r.building_id in meet.buildings for r in principal.verified
    )


async def my_meetings(
    update: Update, turn: Turn, found: list[tuple[store.Meeting, store.Occurrence, bool | None]]
) -> None:
    tr = turn.tr
    if not found:
        await reply(
            update,
            tr._(
                "There is no meeting coming up for you. When one is called, I will send you "
                "the invitation here."
            ),
        )
        return
    lines = [tr._("Meetings coming up:")]
    buttons = []
    for meet, occ, attend in found[:SHOWN]:
        if attend is None:
            mine = tr._("You have not answered yet.")
        elif attend:
            mine = tr._("You said: I will attend.")
        else:
            mine = tr._("You said: I cannot attend.")
        lines += [
            "",
            f"📅 {tr.when(from_ts(occ.starts_at))} · {meet.title}",
            tr._("Place: {place}", place=place_text(tr, meet)),
            mine,
        ]
        title = meet.title[:24]
        if attend is not True:
            buttons.append(
                button(tr._("✅ I will attend: {title}", title=title), MeetRsvp(occ.id, True))
            )
        if attend is not False:
            buttons.append(
                button(tr._("❌ I cannot attend: {title}", title=title), MeetRsvp(occ.id, False))
            )
    await reply(update, "\n".join(lines), keyboard(buttons))
