"""Meetings in words: weekdays, ordinals, a meeting's schedule, the /me lines."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, Translator
from bot.rules.meetings import Rule

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


def schedule_text(tr: Translator, rule: Rule | None, starts: datetime) -> str:
    """When a meeting is: its start, or its repetition and the next start."""
    when = tr.when(starts)
    if rule is None:
        return when
    weekday = tr._(WEEKDAYS[rule.weekday])
    clock = rule.at.strftime("%H:%M")
    if rule.freq == "weekly":
        repeat = tr._("every {weekday} at {time}", weekday=weekday, time=clock)
    else:
        repeat = tr._(
            "the {ordinal} {weekday} of each month at {time}",
            ordinal=tr._(ORDINALS[rule.ordinal]),
            weekday=weekday,
            time=clock,
        )
    return tr._("{repeat}; next: {when}", repeat=repeat, when=when)
