"""The main menu every flow returns to, the pattern of its buttons, and the names of roles."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import Context
from bot.i18n import Translator
from handlers.kit import (
    MenuPick,
    Turn,
    button,
    keyboard,
    reply,
)
from handlers.kit.callbacks import matches, parse_as


def menu_pattern(key: str) -> Any:
    """A ``CallbackQueryHandler`` pattern for one main-menu button."""
    check = matches(MenuPick)

    def pattern(raw: object) -> bool:
        return check(raw) and parse_as(raw, MenuPick).key == key

    return pattern


def status_text(turn: Turn) -> str:
    tr, p = turn.tr, turn.principal
    lines: list[str] = []
    if p.roles:
        names = role_labels(tr)
        held = sorted({names[role.value] for role, _ in p.roles})
        lines.append(tr._("Your roles: {roles}.", roles=tr._(", ").join(held)))
    if p.verified:
        units = ", ".join(r.unit_code for r in p.verified)
        lines.append(tr._("You are registered to unit {units}.", units=units))
        if p.claims_owner:
            claimed = ", ".join(r.unit_code for r in p.claims_owner)
            lines.append(
                tr._(
                    "You are not confirmed as the owner of unit {units} yet: scan the QR code "
                    "on your owner letter, or wait for your building leader to confirm you.",
                    units=claimed,
                )
            )
    elif p.pending:
        units = ", ".join(r.unit_code for r in p.pending)
        lines.append(
            tr._(
                "Your request to join unit {units} is waiting for your building leader's "
                "confirmation. Meanwhile you can read notices and report problems in public "
                "areas.",
                units=units,
            )
        )
    elif not p.roles:
        lines.append(
            tr._(
                "You have not joined a unit yet. Until you do, you can read notices and report "
                "problems in public areas; to book rooms, vote or report a repair at home, join "
                'your unit first (tap "Join my unit").'
            )
        )
    return "\n".join(lines)


async def main_menu(
    update: Update, context: Context, turn: Turn, greeting: str | None = None
) -> None:
    entries = sorted(
        (e for e in context.services.menu if e.visible(turn.principal)), key=lambda e: e.order
    )
    buttons = [button(turn.tr._(e.label), MenuPick(e.key)) for e in entries]
    text = "\n\n".join(t for t in (greeting, status_text(turn)) if t)
    await reply(update, text, keyboard(buttons, per_row=1))


def role_labels(tr: Translator) -> dict[str, str]:
    return {
        "leader": tr._("building leader"),
        "grid": tr._("grid worker"),
        "staff": tr._("property staff"),
        "manager": tr._("property manager"),
        "committee": tr._("committee member"),
        "admin": tr._("administrator"),
    }
