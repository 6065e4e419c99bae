"""Who confirms residents and owners, and the one way a question reaches them: a card pushed
to each of them (an outbox row in the caller's transaction), and, once one of them has
answered, every other copy edited to say so (and losing its buttons).

Join requests (``join:<residence>``) and owner claims (``owner:<claim>``) both go this way."""

from __future__ import annotations

from collections.abc import Callable, Collection

import aiosqlite
from telegram import InlineKeyboardButton, MaybeInaccessibleMessage

from bot.context import Services
from bot.delivery import payload_buttons
from bot.i18n import Translator
from bot.rules.auth import Action, Role, can
from bot.services import cards
from handlers.kit import Refusal, Turn, keyboard, refusal_text, translator_for
from storage import outbox, people


def join_card(residence_id: int) -> str:
    """The card key of a join request's copies (one per person asked to confirm)."""
    return f"join:{residence_id}"


def claim_card(claim_id: int) -> str:
    """The card key of an owner claim's copies."""
    return f"owner:{claim_id}"


async def deciders_for(
    conn: aiosqlite.Connection, building_id: int, exclude: Collection[int] = ()
) -> list[int]:
    """Who confirms a resident (or an owner) of this building: its leaders; else its grid
    workers; else staff and managers; else administrators. Nobody is asked about themselves:
    ``exclude`` (the person asking) is left out of each tier."""
    for roles in ((Role.LEADER,), (Role.GRID,), (Role.STAFF, Role.MANAGER), (Role.ADMIN,)):
        found: list[int] = []
        for role in roles:
            found += [
                u
                for u in await people.role_holders(conn, role, building_id)
                if u not in found and u not in exclude
            ]
        if found:
            return found
    return []


async def ask(
    conn: aiosqlite.Connection,
    turn: Turn,
    building_id: int,
    card: str,
    *,
    text: Callable[[Translator], str],
    buttons: Callable[[Translator], list[InlineKeyboardButton]],
    kind: str,
    ref: str,
) -> bool:
    """Push the card (its words and buttons in each reader's language) to everyone who
    confirms for this building but the person asking, durably; False: nobody to ask."""
    deciders = await deciders_for(conn, building_id, exclude=[turn.user.id])
    for decider in deciders:
        tr = await translator_for(turn.services, conn, decider)
        markup = keyboard(buttons(tr), per_row=2)
        payload = outbox.Payload(text=text(tr), buttons=payload_buttons(markup))
        await outbox.push(conn, decider, payload, now=turn.ts, kind=kind, ref=ref, card=card)
    return bool(deciders)


def refusal(turn: Turn, action: Action, building_id: int, asker: int) -> str | None:
    """Why this presser may not answer the question (None: they may): no right for the
    building, or it is their own."""
    if not can(turn.principal, action, building_id):
        return refusal_text(turn.tr, Refusal.NO_RIGHT)
    if asker == turn.user.id:
        return turn.tr._(
            "You cannot confirm your own request. Another building leader or the property "
            "office will answer it."
        )
    return None


async def settle_copies(
    conn: aiosqlite.Connection,
    services: Services,
    card: str,
    outcome: Callable[[Translator], str],
    *,
    now: int,
    pressed_on: MaybeInaccessibleMessage | None = None,
) -> None:
    """Every copy of the card (but the one pressed, which the presser's answer replaces) now
    says ``outcome``, without buttons (``bot.services.cards``, the one way)."""
    here = (pressed_on.chat.id, pressed_on.message_id) if pressed_on is not None else None
    await cards.settle_copies(conn, services.i18n, card, outcome, now=now, skip=here)
