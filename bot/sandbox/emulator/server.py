"""The emulator over HTTP: its lifecycle, the requests it answers, its method table."""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.emulator.chats import _Chats
from bot.sandbox.emulator.protocol import (
    POLL_CONFLICT,
    WEBHOOK_CONFLICT,
    BotAPIError,
    Call,
    JSONDict,
    _as_int,
    _bad,
    _Ctx,
    _decode_field,
    _display_params,
    _Upload,
)


class BotAPIEmulator(_Chats):
    """The emulator over HTTP (see the package's docstring). All state lives in the asyncio
    loop that called start()."""

    # ---------------------------------------------------------------- lifecycle

    async def start(
        self, *, port: int = 0, routes: Callable[[web.Application], None] | None = None
    ) -> None:
        """Listen on 127.0.0.1 (``port`` 0: a free one); ``routes`` adds the sandbox's page to
        the same server."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        if routes is not None:
            routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if port:  # a fixed port is free again at once after a stop
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        self._stopping = False
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"

    async def stop(self) -> None:
        self._stopping = True
        self._wake_pollers("stop")
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- HTTP layer

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, _Upload]]:
        params: JSONDict = {k: _decode_field(k, v) for k, v in request.query.items()}
        files: dict[str, _Upload] = {}
        if request.method == "GET" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _bad("request body must be a JSON object")
            params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = _Upload(
                    filename=value.filename or key,
                    content=value.file.read(),
                    content_type=value.content_type or "application/octet-stream",
                )
            else:
                params[key] = _decode_field(key, str(value))
        return params, files

    @staticmethod
    def _response(payload: JSONDict, status: int = 200) -> web.Response:
        body = json.dumps(payload, ensure_ascii=False).encode()
        return web.Response(body=body, status=status, content_type="application/json")

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        name = method.lower()
        try:
            params, files = await self._read_params(request)
        except BotAPIError as exc:
            return self._response(exc.payload(), exc.error_code)
        except ValueError:
            return self._response(_bad("can't parse request body").payload(), 400)
        if name == "getupdates" and token == self.token:
            return await self._handle_poll(method, params)
        self._inflight += 1
        self.max_in_flight = max(self.max_in_flight, self._inflight)
        chat = params.get("chat_id")
        chat_key = str(chat) if isinstance(chat, int | str) else None
        if chat_key is not None:
            self._in_flight_by_chat[chat_key] = self._in_flight_by_chat.get(chat_key, 0) + 1
            self.max_in_flight_per_chat = max(
                self.max_in_flight_per_chat, self._in_flight_by_chat[chat_key]
            )
        try:
            if self._delay:
                await asyncio.sleep(self._delay)
            ctx = _Ctx(method=method, params=params, files=files, index=len(self.calls))
            try:
                if token != self.token:
                    raise BotAPIError(401, "Unauthorized")
                handler = self._methods.get(name)
                if handler is None:
                    raise BotAPIError(404, "Not Found: method not found")
                self._check_fail_rules(name, params)
                self._check_not_migrated(name, params)
                result = handler(ctx)
            except BotAPIError as exc:
                self._record(ctx, False, exc.description, exc.error_code)
                return self._response(exc.payload(), exc.error_code)
            except Exception:
                self.internal_errors.append(f"{method}: {traceback.format_exc()}")
                self._record(ctx, False, "Internal Server Error", 500)
                return self._response(
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
                )
            self._record(ctx, True, result)
            return self._response({"ok": True, "result": result})
        finally:
            self._inflight -= 1
            if chat_key is not None:
                self._in_flight_by_chat[chat_key] -= 1
            self._last_activity = time.monotonic()

    def _record(self, ctx: _Ctx, ok: bool, result: Any, error_code: int | None = None) -> Call:
        call = Call(
            method=ctx.method,
            params=_display_params(ctx.params, ctx.files),
            ok=ok,
            result=copy.deepcopy(result),
            index=len(self.calls),
            error_code=error_code,
            sent=ctx.sent if ok else [],
        )
        self.calls.append(call)
        self._changed()
        return call

    async def _handle_poll(self, method: str, params: JSONDict) -> web.Response:
        ok, result, code = True, [], 200
        error: BotAPIError | None = None
        try:
            self._check_fail_rules("getupdates", params)
            result = await self._get_updates(params)
        except BotAPIError as exc:
            error = exc
        if error is not None:
            ok, code = False, error.error_code
        if self.record_polls:
            self.poll_calls.append(
                Call(
                    method=method,
                    params=params,
                    ok=ok,
                    result=result if ok else (error.description if error else None),
                    index=len(self.poll_calls),
                    error_code=None if ok else code,
                )
            )
        if error is not None:
            return self._response(error.payload(), code)
        return self._response({"ok": True, "result": result})

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise BotAPIError(409, WEBHOOK_CONFLICT)
        offset = _as_int(params.get("offset") or 0, "offset")
        limit = min(max(_as_int(params.get("limit") or 100, "limit"), 1), 100)
        timeout = params.get("timeout") or 0
        timeout = max(0.0, float(timeout)) if isinstance(timeout, int | float) else 0.0
        self._confirm(offset)
        self._wake_pollers("conflict")  # a new getUpdates terminates the one still waiting
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if offset < 0:
                updates = self._pending[offset:][:limit]
            else:
                updates = [u for u in self._pending if u["update_id"] >= offset][:limit]
            remaining = deadline - loop.time()
            if updates or self._stopping or remaining <= 0:
                return copy.deepcopy(updates)
            waiter: asyncio.Future[str] = loop.create_future()
            self._poll_waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                self._poll_waiters.discard(waiter)
            if waiter.done() and waiter.result() == "conflict":
                raise BotAPIError(409, POLL_CONFLICT)
            waiter.cancel()

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self.confirmed_update_id = max(self.confirmed_update_id, offset - 1)
        elif offset < 0 and len(self._pending) > -offset:
            dropped = self._pending[:offset]
            self._pending = self._pending[offset:]
            self.confirmed_update_id = max(self.confirmed_update_id, dropped[-1]["update_id"])

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # ---------------------------------------------------------------- method table

    def _method_table(self) -> dict[str, Callable[[_Ctx], Any]]:
        table: dict[str, Callable[[_Ctx], Any]] = {
            "getme": self._m_get_me,
            "logout": self._m_true,
            "close": self._m_true,
            "deletewebhook": self._m_delete_webhook,
            "setwebhook": self._m_set_webhook,
            "getwebhookinfo": self._m_get_webhook_info,
            "setmycommands": self._m_set_my_commands,
            "getmycommands": self._m_get_my_commands,
            "deletemycommands": self._m_delete_my_commands,
            "sendmessage": self._m_send_message,
            "editmessagetext": self._m_edit_message_text,
            "editmessagecaption": self._m_edit_message_caption,
            "editmessagereplymarkup": self._m_edit_message_reply_markup,
            "editmessagemedia": self._m_edit_message_media,
            "deletemessage": self._m_delete_message,
            "deletemessages": self._m_delete_messages,
            "answercallbackquery": self._m_answer_callback_query,
            "sendmediagroup": self._m_send_media_group,
            "sendlocation": self._m_send_location,
            "sendvenue": self._m_send_venue,
            "sendcontact": self._m_send_contact,
            "senddice": self._m_send_dice,
            "sendpoll": self._m_send_poll,
            "sendchataction": self._m_send_chat_action,
            "copymessage": self._m_copy_message,
            "forwardmessage": self._m_forward_message,
            "pinchatmessage": self._m_pin_chat_message,
            "unpinchatmessage": self._m_unpin_chat_message,
            "unpinallchatmessages": self._m_unpin_all_chat_messages,
            "getchat": self._m_get_chat,
            "getchatmember": self._m_get_chat_member,
            "getchatmembercount": self._m_get_chat_member_count,
            "getchatadministrators": self._m_get_chat_administrators,
            "leavechat": self._m_leave_chat,
            "getfile": self._m_get_file,
            "getuserprofilephotos": lambda ctx: {"total_count": 0, "photos": []},
            "setmessagereaction": self._m_true,
        }
        for kind in ("photo", "voice", "document", "audio", "video", "animation", "sticker"):
            table[f"send{kind}"] = self._media_sender(kind)
        table["sendvideonote"] = self._media_sender("video_note")
        for name, default in (
            ("description", {"description": ""}),
            ("shortdescription", {"short_description": ""}),
            ("name", {"name": self.bot_user["first_name"]}),
        ):
            table[f"setmy{name}"] = self._setting_setter(f"my{name}")
            table[f"getmy{name}"] = self._setting_getter(f"my{name}", default)
        table["setchatmenubutton"] = self._setting_setter("chatmenubutton")
        table["getchatmenubutton"] = lambda ctx: dict(
            self.bot_settings.get("chatmenubutton", {}).get("menu_button") or {"type": "default"}
        )
        table["setmydefaultadministratorrights"] = self._m_true
        return table
