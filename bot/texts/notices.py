"""Notices in words: the send-time choices, the /me lines."""

from __future__ import annotations

from bot.i18n import N_
from bot.rules.notices import (
    When,
)

NOTICES_LABEL = N_("Notices you sent")


MUTED_LABEL = N_("Notices muted")


WHEN_LABELS: dict[When, str] = {
    When.NOW: N_("Now"),
    When.HOUR: N_("In 1 hour"),
    When.THREE_HOURS: N_("In 3 hours"),
    When.TONIGHT: N_("Today 19:00"),
    When.TOMORROW_9: N_("Tomorrow 09:00"),
    When.TOMORROW_18: N_("Tomorrow 18:00"),
}
