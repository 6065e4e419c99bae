"""Who reads a message: the translator for someone other than the person being answered (a
reminder, a notice, a card in their private chat), in the language they chose with /language,
else their Telegram language, else the community's default."""

from __future__ import annotations

import aiosqlite

from bot.i18n import I18n, Translator
from storage import people


async def translator_for(i18n: I18n, conn: aiosqlite.Connection, user_id: int) -> Translator:
    person = await people.get_person(conn, user_id)
    if person is None:
        return i18n.translator(None)
    return i18n.for_user(person.locale, person.language_code)
