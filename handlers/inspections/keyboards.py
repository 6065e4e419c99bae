"""The checklist's buttons: ✅ and ❌ for each item not ticked yet, and ``LINKS``, the same
buttons as outbox rows for the service's queued checklists."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.rules.inspections import Item, Result
from bot.services import inspections as service
from bot.texts.inspections import NOT_OK_MARK, OK_MARK
from handlers.inspections.callbacks import InspectTick
from handlers.kit import button

NAME_CHARS = 24


def checklist_markup(
    tr: Translator, round_id: int, items: Sequence[Item], results: dict[int, Result]
) -> InlineKeyboardMarkup | None:
    """✅ / ❌ for each item not ticked yet; None once every item is."""
    rows: list[list[InlineKeyboardButton]] = []
    for item in items:
        if item.id in results:
            continue
        name = tr.name(item.names)[:NAME_CHARS]
        rows.append(
            [
                button(f"{OK_MARK} {name}", InspectTick(round_id, item.id, True)),
                button(f"{NOT_OK_MARK} {name}", InspectTick(round_id, item.id, False)),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


LINKS = service.Links(
    checklist=lambda tr, round_id, items, results: payload_buttons(
        checklist_markup(tr, round_id, items, results)
    ),
)
