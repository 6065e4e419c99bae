"""The sandbox's page and its small JSON API, on the emulator's own aiohttp server.

GET  /                      the page (plain HTML, CSS and JS from ``page/``, no build step)
GET  /sandbox/state         everything the page shows for one person (``?persona=ID``);
                            with ``&seen=N`` it waits (long poll) until something changed
POST /sandbox/send          {persona, chat, text}: a message, as Telegram delivers it
POST /sandbox/press         {persona, chat, message, data}: a button pressed
POST /sandbox/upload        form: persona, chat, kind (photo | voice), caption, file
POST /sandbox/language      {persona, locale}
POST /sandbox/time          {how: hour | day | deadline}
GET  /sandbox/file/{id}     a photo, voice note or file of a chat
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.i18n import LANGUAGE_NAMES, LOCALES
from bot.sandbox import labels, timetravel
from bot.sandbox.personas import PERSONAS
from bot.sandbox.view import chat_view

if TYPE_CHECKING:
    from bot.sandbox.runner import Sandbox

PAGE = Path(__file__).resolve().parent / "page"
STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
#: The longest a state request waits for a change (the page asks again at once).
LONG_POLL_SECONDS = 25.0
UPLOAD_KINDS = ("photo", "voice")


def add_routes(app: web.Application, sandbox: Sandbox) -> None:
    api = _Api(sandbox)
    app.router.add_get("/", api.page)
    app.router.add_get("/sandbox/static/{name}", api.static)
    app.router.add_get("/sandbox/state", api.state)
    app.router.add_post("/sandbox/send", api.send)
    app.router.add_post("/sandbox/press", api.press)
    app.router.add_post("/sandbox/upload", api.upload)
    app.router.add_post("/sandbox/language", api.language)
    app.router.add_post("/sandbox/time", api.time)
    app.router.add_get("/sandbox/file/{file_id}", api.file)


class _Api:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(PAGE / "index.html", headers={"Cache-Control": "no-cache"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        return web.FileResponse(PAGE / name, headers={"Content-Type": STATIC[name]})

    async def state(self, request: web.Request) -> web.Response:
        persona = _persona(request.query.get("persona") or PERSONAS[0].user_id)
        seen = request.query.get("seen")
        if seen is not None and seen.lstrip("-").isdigit():
            await self.sandbox.emu.wait_change(int(seen), LONG_POLL_SECONDS)
        return web.json_response(await self._state(persona))

    async def _state(self, persona: int) -> dict[str, Any]:
        sandbox = self.sandbox
        cast = sandbox.cast
        assert cast is not None
        tr = await sandbox.translator(persona)
        building = tr.name(cast.building_names)
        chats = [(persona, tr._(labels.LABELS["private"]), True)]
        chats += [
            (g.chat_id, tr._(g.label, building=building), False)
            for g in cast.groups
            if persona in g.members
        ]
        return {
            "changes": sandbox.emu.changes,
            "persona": persona,
            "locale": tr.locale,
            "labels": labels.labels(tr),
            "now": tr._(labels.NOW, moment=tr.when(sandbox.clock())),
            "personas": [
                {
                    "id": p.user_id,
                    "name": p.name,
                    "role": tr._(p.role, building=building),
                }
                for p in PERSONAS
            ],
            "languages": [{"locale": loc, "name": LANGUAGE_NAMES[loc]} for loc in LOCALES],
            "chats": [
                {
                    "id": chat_id,
                    "title": title,
                    "private": private,
                    "messages": chat_view(sandbox.emu, chat_id, persona, tr),
                }
                for chat_id, title, private in chats
            ],
        }

    async def send(self, request: web.Request) -> web.Response:
        body = await _json(request)
        persona, chat = _persona(body.get("persona")), self._chat(body)
        text = str(body.get("text") or "").strip()
        if not text:
            raise web.HTTPBadRequest(text="empty message")
        self.sandbox.emu.send_text(persona, text, chat=chat)
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        body = await _json(request)
        persona, chat = _persona(body.get("persona")), self._chat(body)
        message, data = body.get("message"), body.get("data")
        if not isinstance(message, int) or not isinstance(data, str):
            raise web.HTTPBadRequest(text="a press needs a message id and its button's data")
        self.sandbox.emu.press_button(persona, (chat, message), data)
        return web.json_response({"ok": True})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        persona = _persona(form.get("persona"))
        chat = self._chat({"persona": persona, "chat": _int(form.get("chat"))})
        kind, file = form.get("kind"), form.get("file")
        if kind not in UPLOAD_KINDS or not isinstance(file, web.FileField):
            raise web.HTTPBadRequest(text="send a photo or a voice note as a file")
        content = file.file.read()
        if not content:
            raise web.HTTPBadRequest(text="the file is empty")
        emu = self.sandbox.emu
        if kind == "photo":
            caption = str(form.get("caption") or "").strip() or None
            emu.send_photo(persona, caption, chat=chat, content=content)
        else:
            emu.send_voice(persona, chat=chat, content=content)
        return web.json_response({"ok": True})

    async def language(self, request: web.Request) -> web.Response:
        body = await _json(request)
        locale = body.get("locale")
        if locale not in LOCALES:
            raise web.HTTPBadRequest(text="unknown language")
        await self.sandbox.set_language(_persona(body.get("persona")), str(locale))
        return web.json_response({"ok": True})

    async def time(self, request: web.Request) -> web.Response:
        body = await _json(request)
        how = body.get("how")
        if how not in timetravel.WAYS:
            raise web.HTTPBadRequest(text="how: hour, day or deadline")
        app = self.sandbox.app
        if app is None:
            raise web.HTTPServiceUnavailable(text="the bot is not running")
        async with self.sandbox.travelling:
            moved = await timetravel.travel(app, self.sandbox.clock, str(how))
        return web.json_response({"ok": True, "moved": moved is not None})

    async def file(self, request: web.Request) -> web.Response:
        try:
            content = self.sandbox.emu.file_content(request.match_info["file_id"])
        except KeyError:
            raise web.HTTPNotFound() from None
        return web.Response(body=content, content_type="application/octet-stream")

    def _chat(self, body: dict[str, Any]) -> int:
        """The chat, if the person is in it (their private chat or one of their groups)."""
        persona, chat = _persona(body.get("persona")), _int(body.get("chat"))
        cast = self.sandbox.cast
        assert cast is not None
        group = cast.group(chat)
        if chat != persona and (group is None or persona not in group.members):
            raise web.HTTPBadRequest(text="that person is not in that chat")
        return chat


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise web.HTTPBadRequest(text="a number was expected") from None


def _persona(value: Any) -> int:
    user_id = _int(value)
    if all(p.user_id != user_id for p in PERSONAS):
        raise web.HTTPBadRequest(text="unknown person")
    return user_id


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="a JSON object was expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object was expected")
    return body
