"""What /me calls each kind of row a person has (storage counts them by these keys)."""

from __future__ import annotations

from bot.texts.bookings import BOOKINGS_LABEL
from bot.texts.incidents import FOLLOWED_OUTAGES_LABEL
from bot.texts.inspections import INSPECTION_TICKS_LABEL
from bot.texts.meetings import MEETINGS_LABEL, RSVP_LABEL
from bot.texts.notices import MUTED_LABEL, NOTICES_LABEL
from bot.texts.tickets import FOLLOWED_LABEL, TICKETS_LABEL
from bot.texts.volunteering import (
    HELP_ASKED_LABEL,
    HELP_GIVEN_LABEL,
    POINTS_LABEL,
    REDEMPTIONS_LABEL,
    SIGNUPS_LABEL,
    VOLUNTEER_LABEL,
)
from bot.texts.votes import BALLOTS_LABEL, PROPOSALS_LABEL

#: In the order /me lists them.
DATA_LABELS = {
    "tickets_reported": TICKETS_LABEL,
    "tickets_followed": FOLLOWED_LABEL,
    "outages_followed": FOLLOWED_OUTAGES_LABEL,
    "bookings": BOOKINGS_LABEL,
    "proposals_written": PROPOSALS_LABEL,
    "ballots_cast": BALLOTS_LABEL,
    "notices_sent": NOTICES_LABEL,
    "notices_muted": MUTED_LABEL,
    "meetings_organised": MEETINGS_LABEL,
    "meeting_answers": RSVP_LABEL,
    "inspection_ticks": INSPECTION_TICKS_LABEL,
    "points_rows": POINTS_LABEL,
    "redemptions": REDEMPTIONS_LABEL,
    "volunteering": VOLUNTEER_LABEL,
    "activity_signups": SIGNUPS_LABEL,
    "help_asked": HELP_ASKED_LABEL,
    "help_given": HELP_GIVEN_LABEL,
}
