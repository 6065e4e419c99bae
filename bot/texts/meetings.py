"""Meetings in words: weekdays, ordinals, the /me lines."""

from __future__ import annotations

from bot.i18n import N_

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


ORDINALS = {1: N_("first"), 2: N_("second"), 3: N_("third"), 4: N_("fourth"), -1: N_("last")}


MEETINGS_LABEL = N_("Meetings you organised")


RSVP_LABEL = N_("Meeting answers")
