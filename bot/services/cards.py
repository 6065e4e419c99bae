"""Cards with several copies (one question pushed to several people: a join request, an owner
claim, a booking to approve): once it is settled, every other copy is edited to say so and
loses its buttons. Handlers call it after a press, jobs after a due time (an expired booking)."""

from __future__ import annotations

from collections.abc import Callable

import aiosqlite

from bot.i18n import I18n, Translator
from bot.services.readers import translator_for
from storage import outbox, outbox_cards


async def settle_copies(
    conn: aiosqlite.Connection,
    i18n: I18n,
    card: str,
    outcome: Callable[[Translator], str],
    *,
    now: int,
    skip: tuple[int, int] | None = None,
) -> int:
    """Every copy of the card (but ``skip``, the (chat, message) pressed, which the presser's
    answer replaces) now says ``outcome`` in its reader's language, without buttons (outbox
    edits in the caller's transaction). Returns how many copies are edited."""
    edited = 0
    for copy in await outbox_cards.card_copies(conn, card):
        if skip is not None and (copy.chat_id, copy.message_id) == skip:
            continue
        tr = await translator_for(i18n, conn, copy.chat_id)
        await outbox.edit_card(conn, card, copy.chat_id, outbox.Payload(text=outcome(tr)), now=now)
        edited += 1
    return edited
