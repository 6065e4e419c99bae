"""python-telegram-bot persistence on our SQLite database (an adapter: wiring, not storage).

Conversation states, user_data and chat_data are kept as JSON rows in ``ptb_data``. Business
data never lives here (it is in our own tables, committed per action); this only lets a
resident half-way through a flow continue after a restart. ``bot.app`` flushes after every
update, so a crash loses at most the update being processed.
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database

Data = dict[str, Any]
#: The shapes of BasePersistence's arguments (python-telegram-bot documents them; its own
#: aliases live in a private module, so they are spelled out here).
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class SQLitePersistence(BasePersistence[Data, Data, Data]):
    def __init__(self, db: Database, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        #: What the table holds, as written (None: no row). PTB hands over every user's and
        #: chat's data after each of their updates, changed or not; only changes are written.
        self._stored: dict[tuple[str, str], str | None] = {}
        self._loaded: set[str] = set()  # kinds read whole: a key not in _stored has no row

    async def _load(self, kind: str) -> dict[str, Any]:
        async with (
            self.db.read() as conn,
            conn.execute("SELECT key, value FROM ptb_data WHERE kind = ?", (kind,)) as cur,
        ):
            rows = [(str(row[0]), str(row[1])) for row in await cur.fetchall()]
        self._stored.update({(kind, key): value for key, value in rows})
        self._loaded.add(kind)
        return {key: json.loads(value) for key, value in rows}

    async def _store(self, kind: str, key: str, value: Any) -> None:
        text = (
            None
            if value is None or value == {}
            else json.dumps(value, ensure_ascii=False, sort_keys=True)
        )
        known = (kind, key) in self._stored or kind in self._loaded
        if known and self._stored.get((kind, key)) == text:
            return  # unchanged, or still empty: a new person's first press writes nothing
        async with self.db.transaction() as conn:
            if text is None:
                await conn.execute("DELETE FROM ptb_data WHERE kind = ? AND key = ?", (kind, key))
            else:
                await conn.execute(
                    "INSERT INTO ptb_data (kind, key, value) VALUES (?, ?, ?)"
                    " ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
                    (kind, key, text),
                )
        self._stored[kind, key] = text

    async def get_user_data(self) -> dict[int, Data]:
        return {int(k): v for k, v in (await self._load("user_data")).items()}

    async def get_chat_data(self) -> dict[int, Data]:
        return {int(k): v for k, v in (await self._load("chat_data")).items()}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        prefix = f"{name}:"
        found: dict[ConversationKey, object] = {}
        for key, state in (await self._load("conversation")).items():
            if key.startswith(prefix):
                found[tuple(json.loads(key[len(prefix) :]))] = state
        return found

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._store("conversation", f"{name}:{json.dumps(list(key))}", new_state)

    async def update_user_data(self, user_id: int, data: Data) -> None:
        await self._store("user_data", str(user_id), deepcopy(data))

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._store("chat_data", str(chat_id), deepcopy(data))

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._store("chat_data", str(chat_id), None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._store("user_data", str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None

    async def flush(self) -> None:
        return None
