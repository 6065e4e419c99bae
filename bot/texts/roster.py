"""The words of the duty roster: the days of the week, Monday first (``bot.rules.roster``)."""

from __future__ import annotations

from bot.i18n import N_

WEEKDAY_LABELS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
