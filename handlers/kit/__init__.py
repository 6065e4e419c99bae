"""What every flow shares: the turn (who acts, in which language, with which rights), buttons
and answers, guards and polite refusals, the main menu (``handlers.kit.menu``), the button codec
(``handlers.kit.callbacks``) and the conversation builder (``handlers.kit.wizard``)."""

from handlers.kit.guards import (
    MAX_TEXT,
    Dismiss,
    MenuPick,
    Refusal,
    dismiss_pattern,
    private_only,
    redirect_to_private,
    refusal_text,
    refuse,
    short_text,
    stale,
    text_too_long,
    use_buttons,
)
from handlers.kit.turn import Turn, begin, pressed, touch_person, translator_for
from handlers.kit.ui import answer, button, deep_link, keyboard, notify, push, reply

__all__ = [
    "MAX_TEXT",
    "Dismiss",
    "MenuPick",
    "Refusal",
    "Turn",
    "answer",
    "begin",
    "button",
    "deep_link",
    "dismiss_pattern",
    "keyboard",
    "notify",
    "pressed",
    "private_only",
    "push",
    "redirect_to_private",
    "refusal_text",
    "refuse",
    "reply",
    "short_text",
    "stale",
    "text_too_long",
    "touch_person",
    "translator_for",
    "use_buttons",
]
