"""What the emulator knows: the bot, users, chats, messages, files, callbacks and calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.emulator.protocol import (
    Call,
    ChatRef,
    JSONDict,
    SentMessage,
    UserRef,
    _Callback,
    _Ctx,
    _FailRule,
    _StoredFile,
)


class _State:
    """What the emulator knows: the bot, users, chats, messages, files, callbacks and calls."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "residentbot_test_bot",
        *,
        bot_first_name: str = "Resident Bot",
        record_polls: bool = True,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.base_url = ""
        self.base_file_url = ""
        self.port = 0
        self.calls: list[Call] = []
        self.poll_calls: list[Call] = []
        self.record_polls = record_polls
        self.internal_errors: list[str] = []  # emulator bugs (answered with HTTP 500)
        self.check_image_bytes = True  # uploaded photos must look like images, as on Telegram
        self.last_update_id = 0
        self.confirmed_update_id = 0
        self.webhook_url = ""
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.bot_settings: JSONDict = {}  # setMyDescription & co: {method_name: params}

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._members: dict[int, dict[int, str]] = {}
        self._blocked: set[int] = set()
        self._left: set[int] = set()
        self._migrated: dict[int, int] = {}  # a group upgraded to a supergroup: old id -> new
        self._message_seq: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}  # live messages (user's and bot's)
        self._sent: dict[tuple[int, int], SentMessage] = {}
        self._reply_keyboards: dict[int, JSONDict] = {}
        self._pins: dict[int, list[int]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._photo_groups: dict[str, list[JSONDict]] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_seq = 0
        self._callbacks: dict[str, _Callback] = {}
        self._callback_seq = 0
        self._media_group_seq = 0
        self._pending: list[JSONDict] = []
        self._poll_waiters: set[asyncio.Future[str]] = set()
        self._fail_rules: list[_FailRule] = []
        self._delay = 0.0
        self._inflight = 0
        self._in_flight_by_chat: dict[str, int] = {}
        #: The most calls (getUpdates aside) being answered at once: overall, and to one chat.
        self.max_in_flight = 0
        self.max_in_flight_per_chat = 0
        self._last_activity = time.monotonic()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        #: Every call recorded and update injected counts one change (the sandbox's page waits
        #: on it: ``version``, ``wait_change``).
        self.changes = 0
        self._watchers: set[asyncio.Future[None]] = set()
        self._methods: dict[str, Callable[[_Ctx], Any]] = self._method_table()

    # ---------------------------------------------------------------- users and chats

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "zh-hans",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JSONDict:
        """A Telegram User dict, remembered by id (its private chat becomes known too)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._remember_user(user)
        return dict(user)

    def group(self, chat_id: int, title: str = "Group", type: str = "supergroup") -> JSONDict:
        """A group Chat dict (negative id), remembered by id."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative, e.g. -1001234567890")
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {type!r}")
        chat: JSONDict = {"id": chat_id, "type": type, "title": title}
        self._chats[chat_id] = chat
        self._members.setdefault(chat_id, {})
        return dict(chat)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Membership seen by getChatMember: creator/administrator/member/restricted/left/kicked."""
        self._members.setdefault(chat_id, {})[user_id] = status

    def block_user(self, chat_id: int) -> None:
        """Every send to this chat fails with 403 (blocked by the user / kicked from the group)."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def _remember_user(self, user: JSONDict) -> JSONDict:
        user = dict(user)
        self._users[user["id"]] = user
        chat = {"id": user["id"], "type": "private", "first_name": user.get("first_name", "")}
        for key in ("last_name", "username"):
            if user.get(key):
                chat[key] = user[key]
        self._chats.setdefault(user["id"], {}).update(chat)
        return user

    def _resolve_user(self, user: UserRef) -> JSONDict:
        if isinstance(user, dict):
            known = self._users.get(user["id"])
            return dict(known) if known == user else self._remember_user(user)
        if user in self._users:
            return dict(self._users[user])
        return self.user(user)

    def _resolve_chat(self, user: JSONDict, chat: ChatRef) -> JSONDict:
        if chat is None:
            return dict(self._chats[user["id"]])
        if isinstance(chat, dict):
            self._chats.setdefault(chat["id"], {}).update(chat)
            return dict(self._chats[chat["id"]])
        if chat in self._chats:
            return dict(self._chats[chat])
        if chat < 0:
            return self.group(chat)
        raise ValueError(f"unknown chat {chat}: call emu.user({chat}) or emu.group(...) first")

    def _next_message_id(self, chat_id: int) -> int:
        self._message_seq[chat_id] = self._message_seq.get(chat_id, 0) + 1
        return self._message_seq[chat_id]

    def _changed(self) -> None:
        self.changes += 1
        for watcher in list(self._watchers):
            if not watcher.done():
                watcher.set_result(None)

    def _wake_pollers(self, reason: str) -> None:
        for waiter in list(self._poll_waiters):
            if not waiter.done():
                waiter.set_result(reason)

    def _method_table(self) -> dict[str, Callable[[_Ctx], Any]]:
        raise NotImplementedError  # the server's (BotAPIEmulator)
