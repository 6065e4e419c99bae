"""What the bot did, waiting for it, and failures injected."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable, Iterable

from bot.sandbox.emulator.inbox import _Inbox
from bot.sandbox.emulator.protocol import (
    _EDIT_METHODS,
    _SEND_METHODS,
    BotAPIError,
    Call,
    JSONDict,
    SentMessage,
    _body_of,
    _Ctx,
    _FailRule,
)


class _Inspection(_Inbox):
    """What the bot did, waiting for it, and failures injected."""

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates requests are being held (long polling) right now."""
        return sum(1 for waiter in self._poll_waiters if not waiter.done())

    def plant_message(
        self, chat_id: int, text: str, buttons: list[list[JSONDict]] | None = None
    ) -> SentMessage:
        """A message the bot sent before this run (no request, not in ``calls``): e.g. the
        ballots thousands of residents received yesterday, for a benchmark to press."""
        chat = self._chats.get(chat_id) or {"id": chat_id, "type": "private"}
        ctx = _Ctx(method="plantMessage", params={}, files={}, index=-1)
        markup = {"inline_keyboard": buttons} if buttons else None
        return self._new_message(ctx, chat, {"text": text}, markup)

    def mark(self) -> int:
        """len(self.calls), to pass as `after`."""
        return len(self.calls)

    def calls_of(self, method: str, *, after: int = 0) -> list[Call]:
        source = self.poll_calls if method.lower() == "getupdates" else self.calls
        return [c for c in source[after:] if c.method.lower() == method.lower()]

    def messages(self, chat_id: int, *, include_deleted: bool = True) -> list[SentMessage]:
        """Messages the bot sent in this chat, in order, current versions."""
        return [
            m
            for (cid, _), m in sorted(self._sent.items(), key=lambda kv: kv[0][1])
            if cid == chat_id and (include_deleted or not m.deleted)
        ]

    def last_message(self, chat_id: int) -> SentMessage:
        found = self.messages(chat_id)
        if not found:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.dump_calls()}")
        return found[-1]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        try:
            return self._sent[(chat_id, message_id)]
        except KeyError:
            raise AssertionError(
                f"the bot has no message {message_id} in chat {chat_id}\n{self.dump_calls()}"
            ) from None

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The ReplyKeyboardMarkup currently shown in this chat (None once removed)."""
        return self._reply_keyboards.get(chat_id)

    def buttons(self, msg: SentMessage) -> list[tuple[str, str | None]]:
        """(text, callback_data or url) of every button, row by row; reply keyboards give None."""
        markup = msg.reply_markup or {}
        found: list[tuple[str, str | None]] = []
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                value = button.get("callback_data", button.get("url"))
                found.append((button.get("text", ""), value if isinstance(value, str) else None))
        for row in markup.get("keyboard") or []:
            for button in row:
                found.append((button if isinstance(button, str) else button.get("text", ""), None))
        return found

    def find_button(self, msg: SentMessage, callback_prefix: str) -> str:
        """callback_data of the first inline button whose data starts with the prefix."""
        for _, data in self.buttons(msg):
            if data is not None and data.startswith(callback_prefix):
                return data
        raise AssertionError(
            f"no button with callback_data starting with {callback_prefix!r} in\n"
            f"{self.dump_message(msg)}"
        )

    def find_button_by_text(self, msg: SentMessage, text: str) -> str:
        """callback_data (or url) of the first button whose label contains `text`."""
        for label, data in self.buttons(msg):
            if text in label and data is not None:
                return data
        raise AssertionError(f"no button labelled like {text!r} in\n{self.dump_message(msg)}")

    def unanswered_callbacks(self) -> list[str]:
        """Ids of injected callback queries the bot never answered."""
        return [qid for qid, state in self._callbacks.items() if not state.answered]

    def callback_answer(self, query: JSONDict | str) -> JSONDict | None:
        """The answerCallbackQuery params for a press (the update or the query id), or None."""
        state = self._callbacks.get(self._query_id(query))
        return state.answer if state else None

    def file_content(self, file_id: str) -> bytes:
        """Bytes of a known file (uploaded by the bot or injected)."""
        return self._files[file_id].content

    def dump_message(self, msg: SentMessage) -> str:
        flags = [f for f, on in (("pinned", msg.pinned), ("deleted", msg.deleted)) if on]
        lines = [
            f"#{msg.message_id} in {msg.chat_id} [{msg.kind}{', ' if flags else ''}"
            f"{', '.join(flags)}] {msg.body!r}"
        ]
        lines += [f"    button {text!r} -> {data!r}" for text, data in self.buttons(msg)]
        return "\n".join(lines)

    def dump_calls(self, last: int = 20) -> str:
        if not self.calls:
            lines = ["(no Bot API calls yet)"]
        else:
            lines = [f"last {min(last, len(self.calls))} of {len(self.calls)} calls:"]
            for call in self.calls[-last:]:
                params = {k: v for k, v in call.params.items() if k != "reply_markup"}
                shown = json.dumps(params, ensure_ascii=False, default=str)
                if len(shown) > 200:
                    shown = shown[:200] + "..."
                status = "ok" if call.ok else f"ERROR {call.error_code} {call.result}"
                lines.append(f"  [{call.index}] {call.method} {shown} -> {status}")
                for button in self._call_buttons(call):
                    lines.append(f"        button {button}")
        if self.internal_errors:
            lines.append("EMULATOR INTERNAL ERRORS:\n" + "\n".join(self.internal_errors))
        return "\n".join(lines)

    def _call_buttons(self, call: Call) -> Iterable[str]:
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard") or []:
                for button in row if isinstance(row, list) else []:
                    if isinstance(button, dict):
                        target = button.get("callback_data", button.get("url"))
                        yield f"{button.get('text')!r} -> {target!r}"

    # ---------------------------------------------------------------- watching (the sandbox)

    def known_chats(self) -> list[JSONDict]:
        """Every chat the emulator knows (private chats and groups), as Chat dicts."""
        return [dict(chat) for chat in self._chats.values()]

    def chat_log(self, chat_id: int) -> list[JSONDict]:
        """The chat as its members see it: every live message (theirs and the bot's, edits
        applied, deleted ones gone), oldest first, as Message dicts."""
        found = [raw for (cid, _), raw in self._messages.items() if cid == chat_id]
        return [copy.deepcopy(raw) for raw in sorted(found, key=lambda m: m["message_id"])]

    async def wait_change(self, seen: int, timeout: float) -> int:
        """Until ``changes`` is past ``seen`` (or the timeout); returns ``changes``."""
        if self.changes == seen:
            watcher: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._watchers.add(watcher)
            try:
                await asyncio.wait({watcher}, timeout=timeout)
            finally:
                self._watchers.discard(watcher)
                watcher.cancel()
        return self.changes

    # ---------------------------------------------------------------- waiting

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> Call:
        """First call of `method` (index >= after) matching predicate. getUpdates: poll_calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        name = method.lower()
        source = self.poll_calls if name == "getupdates" else self.calls
        while True:
            for call in source[after:]:
                if call.method.lower() == name and (predicate is None or predicate(call)):
                    return call
            if loop.time() >= deadline:
                raise AssertionError(
                    f"no {method} call (after #{after}) within {timeout}s\n{self.dump_calls()}"
                )
            await asyncio.sleep(0.005)

    async def wait_message(
        self,
        chat_id: int,
        *,
        after: int = 0,
        contains: str | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """Next message the bot sent to chat_id (call index >= after) whose text/caption, as
        first sent, contains `contains`. Returns the live SentMessage."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.calls[after:]:
                if call.method.lower() not in _SEND_METHODS:
                    continue  # edits also list the message they touched in call.sent
                for msg in call.sent:
                    if msg.chat_id == chat_id and (
                        contains is None or contains in msg.original.body
                    ):
                        return msg
            if loop.time() >= deadline:
                what = f" containing {contains!r}" if contains is not None else ""
                raise AssertionError(
                    f"no message to chat {chat_id}{what} (after #{after}) within {timeout}s\n"
                    f"{self.dump_calls()}"
                )
            await asyncio.sleep(0.005)

    async def wait_edit(
        self,
        chat_id: int,
        *,
        message_id: int | None = None,
        after: int = 0,
        contains: str | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """Next successful editMessage* in chat_id whose new text/caption contains `contains`."""

        def matches(call: Call) -> bool:
            if not call.ok or call.method.lower() not in _EDIT_METHODS or not call.sent:
                return False
            msg = call.sent[0]
            return (
                msg.chat_id == chat_id
                and (message_id is None or msg.message_id == message_id)
                and (contains is None or contains in _body_of(call.result))
            )

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.calls[after:]:
                if matches(call):
                    return call.sent[0]
            if loop.time() >= deadline:
                raise AssertionError(
                    f"no edit in chat {chat_id} (after #{after}, contains={contains!r}) within "
                    f"{timeout}s\n{self.dump_calls()}"
                )
            await asyncio.sleep(0.005)

    async def wait_callback_answer(
        self,
        query: JSONDict | str,
        timeout: float = 5.0,
    ) -> JSONDict:
        """Params of the answerCallbackQuery for this press (update dict or query id)."""
        query_id = self._query_id(query)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = self._callbacks.get(query_id)
            if state is not None and state.answer is not None:
                return state.answer
            if loop.time() >= deadline:
                raise AssertionError(
                    f"callback query {query_id} not answered within {timeout}s\n{self.dump_calls()}"
                )
            await asyncio.sleep(0.005)

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Until a getUpdates long poll is being held by the emulator."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.waiting_polls:
            if loop.time() >= deadline:
                raise AssertionError(f"nobody is polling getUpdates after {timeout}s")
            await asyncio.sleep(0.005)

    async def wait_confirmed(self, timeout: float = 5.0) -> None:
        """Until the bot acknowledged (getUpdates offset) every injected update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.confirmed_update_id < self.last_update_id:
            if loop.time() >= deadline:
                raise AssertionError(
                    f"updates up to {self.last_update_id} not confirmed within {timeout}s "
                    f"(confirmed: {self.confirmed_update_id})\n{self.dump_calls()}"
                )
            await asyncio.sleep(0.005)

    async def wait_idle(
        self,
        quiet: float = 0.1,
        timeout: float = 5.0,
    ) -> None:
        """Until every update is confirmed, no request is in flight and no call came for `quiet`
        seconds: use before asserting that something did NOT happen."""
        await self.wait_confirmed(timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._inflight or time.monotonic() - self._last_activity < quiet:
            if loop.time() >= deadline:
                raise AssertionError(f"the bot did not go quiet within {timeout}s")
            await asyncio.sleep(0.01)

    @staticmethod
    def _query_id(query: JSONDict | str) -> str:
        if isinstance(query, dict):
            query = query.get("callback_query", query)
            return str(query["id"]) if isinstance(query, dict) else str(query)
        return str(query)

    # ---------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str | None,
        *,
        error_code: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next `count` matching calls (method None: any but getUpdates) fail like Telegram."""
        if description is None:
            description = {
                400: "Bad Request: injected failure",
                403: "Forbidden: bot was blocked by the user",
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(error_code, f"Error {error_code}")
        self._fail_rules.append(
            _FailRule(
                method=method.lower() if method else None,
                error_code=error_code,
                retry_after=retry_after if error_code == 429 else None,
                description=description,
                remaining=count,
                chat_id=chat_id,
            )
        )

    def set_delay(self, seconds: float) -> None:
        """Artificial latency before answering each call (getUpdates excluded)."""
        self._delay = max(0.0, seconds)

    def _check_fail_rules(self, name: str, params: JSONDict) -> None:
        for rule in self._fail_rules:
            if rule.method is None and name == "getupdates":
                continue
            if rule.method is not None and rule.method != name:
                continue
            if rule.chat_id is not None and str(params.get("chat_id")) != str(rule.chat_id):
                continue
            rule.remaining -= 1
            if rule.remaining <= 0:
                self._fail_rules.remove(rule)
            raise BotAPIError(rule.error_code, rule.description, rule.retry_after)

    def pinned(self, chat_id: int) -> list[int]:
        """Ids of the pinned messages in a chat, oldest pin first."""
        return list(self._pins.get(chat_id, []))
