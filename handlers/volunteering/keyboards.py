"""The volunteering buttons that go out through the outbox (as it stores them): "I'll help"
under an announcement, "I'll take it" for volunteers, "It was done / It did not happen" for the
neighbour who asked."""

from __future__ import annotations

from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.services.volunteering import Buttons
from handlers.kit import button, keyboard
from handlers.volunteering.callbacks import ActJoin, HelpDone, HelpTake


def signup_buttons(tr: Translator, activity_id: int) -> Buttons:
    return payload_buttons(keyboard([button(tr._("🙋 I'll help"), ActJoin(activity_id))]))


def take_buttons(tr: Translator, request_id: int) -> Buttons:
    return payload_buttons(keyboard([button(tr._("🙋 I'll take it"), HelpTake(request_id))]))


def done_buttons(tr: Translator, request_id: int) -> Buttons:
    return payload_buttons(
        keyboard(
            [
                button(tr._("✅ It was done"), HelpDone(request_id, True)),
                button(tr._("It did not happen"), HelpDone(request_id, False)),
            ],
            per_row=1,
        )
    )
