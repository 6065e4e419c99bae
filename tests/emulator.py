"""Local Telegram Bot API emulator (aiohttp on 127.0.0.1) that the real PTB Application talks to.

    emu = BotAPIEmulator(); await emu.start()
    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url)
           .base_file_url(emu.base_file_url).build())    # add handlers, initialize(), start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    alice = emu.user(1001, "Alice"); mark = emu.mark(); emu.send_command(alice, "/start")
    menu = await emu.wait_message(1001, after=mark, contains="Welcome")  # a live SentMessage
    emu.press_button(alice, menu, emu.find_button(menu, "menu:"))
    await emu.wait_for("answerCallbackQuery", after=mark); assert not emu.unanswered_callbacks()
    await app.updater.stop(); await app.stop(); await app.shutdown(); await emu.stop()
emu.calls holds every call but getUpdates (see emu.poll_calls). Answers and errors mimic Telegram
(descriptions, parse_mode, limits); fail_next() and block_user() inject failures.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import json
import mimetypes
import re
import socket
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web

__all__ = ["BotAPIEmulator", "BotAPIError", "Call", "SentMessage"]

JSONDict = dict[str, Any]
UserRef = JSONDict | int
ChatRef = JSONDict | int | None

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64
GET_FILE_LIMIT = 20 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

# Parameters PTB sends as plain strings (never JSON-encoded): they must not be JSON-decoded,
# otherwise a text "123" would turn into an int.
_RAW_STRING_PARAMS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "certificate",
        "currency",
        "custom_emoji_id",
        "custom_title",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "inline_message_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "performer",
        "phone_number",
        "photo",
        "provider_token",
        "query",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "thumbnail",
        "title",
        "url",
        "username",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Message content keys, most specific first (an animation message also carries "document",
# a venue message also carries "location").
_CONTENT_KEYS = (
    "text",
    "animation",
    "photo",
    "voice",
    "audio",
    "video_note",
    "video",
    "document",
    "sticker",
    "venue",
    "location",
    "contact",
    "dice",
    "poll",
)
_COPY_KEYS = (*_CONTENT_KEYS, "entities", "caption", "caption_entities", "media_group_id")
_SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "sendvoice",
        "senddocument",
        "sendaudio",
        "sendvideo",
        "sendanimation",
        "sendvideonote",
        "sendsticker",
        "sendlocation",
        "sendvenue",
        "sendcontact",
        "senddice",
        "sendpoll",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)
_EDIT_METHODS = frozenset(
    {"editmessagetext", "editmessagecaption", "editmessagereplymarkup", "editmessagemedia"}
)
_TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


class BotAPIError(Exception):
    """An error answer of the Bot API (also raised internally by the method handlers)."""

    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.error_code}
        body["description"] = self.description
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def _bad(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")


@dataclass
class SentMessage:
    """A message the bot sent, in its current version (edits applied in place)."""

    chat_id: int
    message_id: int
    text: str | None
    caption: str | None
    reply_markup: JSONDict | None
    kind: str
    pinned: bool = False
    deleted: bool = False
    history: list[SentMessage] = field(default_factory=list, repr=False)
    entities: list[JSONDict] | None = field(default=None, repr=False)
    parse_mode: str | None = None
    raw: JSONDict = field(default_factory=dict, repr=False)  # the Message object as returned
    call_index: int = -1  # index in emu.calls of the call that created it
    media_group_id: str | None = None

    @property
    def body(self) -> str:
        """Text or caption ("" if neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def original(self) -> SentMessage:
        """The version as first sent."""
        return self.history[0] if self.history else self

    def _snapshot(self) -> SentMessage:
        return replace(self, history=[], raw=copy.deepcopy(self.raw))


@dataclass
class Call:
    """One Bot API request as the emulator saw and answered it."""

    method: str
    params: JSONDict
    ok: bool
    result: Any
    index: int
    error_code: int | None = None
    sent: list[SentMessage] = field(default_factory=list, repr=False)

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None


@dataclass
class _Upload:
    filename: str
    content: bytes
    content_type: str


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    obj: JSONDict  # the PhotoSize/Voice/Document/... object


@dataclass
class _Ctx:
    method: str
    params: JSONDict
    files: dict[str, _Upload]
    index: int
    sent: list[SentMessage] = field(default_factory=list)


@dataclass
class _FailRule:
    method: str | None
    error_code: int
    retry_after: int | None
    description: str
    remaining: int
    chat_id: int | None


@dataclass
class _Callback:
    chat_id: int | None
    answered: bool = False
    answer: JSONDict | None = None


# --------------------------------------------------------------------------------------------
# Text formatting (parse_mode) like Telegram: the stored text is the plain text plus entities.


class _EntityError(Exception):
    pass


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.offset = 0  # in UTF-16 code units
        self.entities: list[JSONDict] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += _utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append({"type": kind, "offset": start, "length": self.offset - start})
            self.entities[-1].update(extra)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def result(self) -> tuple[str, list[JSONDict]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _html_unescape(value: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _HTML_NAMED:
            return _HTML_NAMED[name]
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code <= 0x10FFFF else match.group(0)

    return _HTML_ENTITY.sub(sub, value)


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder(text)
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY.match(text, i)
            if match:
                out.add(_html_unescape(match.group(0)))
                i = match.end()
                continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            end = text.find(">", i)
            if end < 0:
                raise _EntityError(f"Unclosed end tag at byte offset {out.byte_offset(begin)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _EntityError(f"Unexpected end tag at byte offset {out.byte_offset(begin)}")
            tag, start, tag_attrs = stack.pop()
            if name != tag:
                raise _EntityError(
                    f"Unmatched end tag at byte offset {out.byte_offset(begin)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, tag, start, tag_attrs)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise _EntityError(f"Unclosed start tag at byte offset {out.byte_offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _EntityError(
                f'Unsupported start tag "{name}" at byte offset {out.byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise _EntityError(f"Unclosed start tag at byte offset {out.byte_offset(begin)}")
            if text[j] == ">":
                j += 1
                break
            k = j
            while k < n and not text[k].isspace() and text[k] not in "=>":
                k += 1
            attr = text[j:k].lower()
            j = k
            while j < n and text[j].isspace():
                j += 1
            value = ""
            if j < n and text[j] == "=":
                j += 1
                while j < n and text[j].isspace():
                    j += 1
                if j < n and text[j] in "\"'":
                    close = text.find(text[j], j + 1)
                    if close < 0:
                        raise _EntityError(
                            f"Unclosed start tag at byte offset {out.byte_offset(begin)}"
                        )
                    value = _html_unescape(text[j + 1 : close])
                    j = close + 1
                else:
                    k = j
                    while k < n and not text[k].isspace() and text[k] != ">":
                        k += 1
                    value = _html_unescape(text[j:k])
                    j = k
            attrs[attr] = value
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _EntityError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {out.byte_offset(begin)}'
            )
        stack.append((name, out.offset, attrs))
        i = j
    if stack:
        raise _EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _Builder,
    stack: list[tuple[str, int, dict[str, str]]],
    tag: str,
    start: int,
    attrs: dict[str, str],
) -> None:
    kind = _HTML_TAGS[tag]
    if kind == "text_link":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            with contextlib.suppress(ValueError):
                user_id = int(href.split("=", 1)[1])
                out.entity(
                    "text_mention", start, user={"id": user_id, "is_bot": False, "first_name": ""}
                )
            return
        if href:
            out.entity("text_link", start, url=href)
        return
    if kind == "code" and stack and stack[-1][0] == "pre":
        css_class = attrs.get("class", "")
        if css_class.startswith("language-"):
            stack[-1][2]["_language"] = css_class[len("language-") :]
            return
    if kind == "pre":
        language = attrs.get("_language")
        if language:
            out.entity("pre", start, language=language)
        else:
            out.entity("pre", start)
        return
    if kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
        return
    if kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
        return
    out.entity(kind, start)


_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder(text)
    stack: list[tuple[str, int, int, str]] = []  # kind, utf16 start, source index, language
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else None
        if top == "pre":
            if text.startswith("```", i):
                kind, start, _, language = stack.pop()
                extra = {"language": language} if language else {}
                out.entity("pre", start, **extra)
                i += 3
            else:
                out.add(char)
                i += 1
            continue
        if top == "code":
            if char == "`":
                out.entity("code", stack.pop()[1])
            else:
                out.add(char)
            i += 1
            continue
        if char not in _MD2_RESERVED:
            out.add(char)
            i += 1
            continue
        # closing markers
        if top == "underline" and text.startswith("__", i):
            out.entity("underline", stack.pop()[1])
            i += 2
            continue
        if (top, char) in (("bold", "*"), ("italic", "_"), ("strikethrough", "~")):
            out.entity(top or "", stack.pop()[1])
            i += 1
            continue
        if top == "spoiler" and text.startswith("||", i):
            out.entity("spoiler", stack.pop()[1])
            i += 2
            continue
        if top == "text_link" and char == "]":
            _, start, src, _ = stack.pop()
            i += 1
            if i < n and text[i] == "(":
                j, url_chars = i + 1, []
                while j < n and text[j] != ")":
                    if text[j] == "\\" and j + 1 < n:
                        j += 1
                    url_chars.append(text[j])
                    j += 1
                if j >= n:
                    raise _EntityError(
                        f"Can't find end of a URL at byte offset {out.byte_offset(i)}"
                    )
                url = "".join(url_chars)
                if url.startswith("tg://user?id="):
                    with contextlib.suppress(ValueError):
                        user = {"id": int(url.split("=", 1)[1]), "is_bot": False, "first_name": ""}
                        out.entity("text_mention", start, user=user)
                elif url:
                    out.entity("text_link", start, url=url)
                i = j + 1
            continue
        # opening markers
        if char == "*":
            stack.append(("bold", out.offset, i, ""))
            i += 1
        elif char == "_":
            if text.startswith("__", i):
                stack.append(("underline", out.offset, i, ""))
                i += 2
            else:
                stack.append(("italic", out.offset, i, ""))
                i += 1
        elif char == "~":
            stack.append(("strikethrough", out.offset, i, ""))
            i += 1
        elif char == "|" and text.startswith("||", i):
            stack.append(("spoiler", out.offset, i, ""))
            i += 2
        elif char == "[" and "text_link" not in [s[0] for s in stack]:
            stack.append(("text_link", out.offset, i, ""))
            i += 1
        elif char == "`":
            if text.startswith("```", i):
                newline = text.find("\n", i + 3)
                closing = text.find("```", i + 3)
                language = ""
                j = i + 3
                if newline >= 0 and (closing < 0 or newline < closing):
                    language = text[i + 3 : newline].strip()
                    j = newline + 1
                stack.append(("pre", out.offset, i, language))
                i = j
            else:
                stack.append(("code", out.offset, i, ""))
                i += 1
        elif char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # block quote marker: accepted, not turned into an entity here
        else:
            raise _EntityError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
    if stack:
        kind, _, src, _ = stack[-1]
        raise _EntityError(
            f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {out.byte_offset(src)}"
        )
    return out.result()


def _parse_markdown(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder(text)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin = out.byte_offset(i)
        error = _EntityError(f"Can't find end of the entity starting at byte offset {begin}")
        start = out.offset
        if text.startswith("```", i):
            close = text.find("```", i + 3)
            if close < 0:
                raise error
            body = text[i + 3 : close]
            language = ""
            if "\n" in body:
                first, rest = body.split("\n", 1)
                if first.strip() and " " not in first.strip():
                    language, body = first.strip(), rest
            out.add(body)
            extra = {"language": language} if language else {}
            out.entity("pre", start, **extra)
            i = close + 3
        elif char == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise error
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : end])
            i = end + 1
        else:
            close = text.find(char, i + 1)
            if close < 0:
                raise error
            out.add(text[i + 1 : close])
            out.entity({"*": "bold", "_": "italic", "`": "code"}[char], start)
            i = close + 1
    return out.result()


def _trim(text: str, entities: list[JSONDict] | None) -> tuple[str, list[JSONDict] | None]:
    stripped = text.strip()
    if stripped == text or not entities:
        return stripped, entities
    left = _utf16_len(text[: len(text) - len(text.lstrip())])
    total = _utf16_len(stripped)
    fixed: list[JSONDict] = []
    for entity in entities:
        start = max(int(entity["offset"]) - left, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - left, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def format_text(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, list[JSONDict] | None]:
    """Apply parse_mode like Telegram: returns (plain text, entities). Raises BotAPIError."""
    mode = (parse_mode or "").strip().lower()
    parsed: list[JSONDict] | None
    try:
        if not mode:
            if entities is not None and not isinstance(entities, list):
                raise _bad("can't parse entities JSON object")
            plain, parsed = text, (entities or None)
        elif mode == "html":
            plain, parsed = _parse_html(text)
        elif mode == "markdownv2":
            plain, parsed = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, parsed = _parse_markdown(text)
        else:
            raise _bad("unsupported parse_mode")
    except _EntityError as exc:
        raise _bad(f"can't parse entities: {exc}") from None
    plain, parsed = _trim(plain, parsed)
    return plain, (parsed or None)


# --------------------------------------------------------------------------------------------
# Request decoding


def _decode_field(key: str, value: str) -> Any:
    if key in _RAW_STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _display_params(params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
    used: set[str] = set()

    def walk(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            used.add(value[9:])
            upload = files[value[9:]]
            return {"filename": upload.filename, "size": len(upload.content)}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    shown = {k: walk(v) for k, v in params.items()}
    for name, upload in files.items():
        if name not in used:
            shown[name] = {"filename": upload.filename, "size": len(upload.content)}
    return shown


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _bad(f"{name} must be a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value.strip())
    raise _bad(f"{name} must be a number")


def _image_size(content: bytes) -> tuple[int, int] | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return None


def _looks_like_image(content: bytes) -> bool:
    return content.startswith(
        (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")
    ) or (content[:4] == b"RIFF" and content[8:12] == b"WEBP")


# --------------------------------------------------------------------------------------------


class BotAPIEmulator:
    """See the module docstring. All state lives in the asyncio loop that called start()."""

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
        self._methods: dict[str, Callable[[_Ctx], Any]] = self._method_table()

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
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

    def migrate_group(
        self, chat_id: int, by: UserRef, new_chat_id: int | None = None, *, updates: bool = True
    ) -> tuple[JSONDict, JSONDict] | None:
        """Upgrade a group to a supergroup, as Telegram does: a new chat (id -100…, the same
        title and members), and two service messages, ``migrate_to_chat_id`` in the old chat
        and ``migrate_from_chat_id`` in the new one. From then on a send to the old chat is
        answered 400 "group chat was upgraded to a supergroup chat" with
        ``parameters.migrate_to_chat_id``; the bot's old messages stay in the old group, where
        it can still edit them. Returns the two updates; ``updates=False``: the bot never gets
        them (it was down for longer than Telegram keeps updates) and learns of the move from
        the 400 alone."""
        old = self._chats.get(chat_id)
        if old is None or old.get("type") != "group":
            raise ValueError(f"chat {chat_id} is not a known basic group")
        if new_chat_id is None:
            new_chat_id = -1_000_000_000_000 - abs(chat_id)
        if not str(new_chat_id).startswith("-100"):
            raise ValueError("a supergroup's id starts with -100")
        self.group(new_chat_id, str(old.get("title", "Group")), "supergroup")
        self._members[new_chat_id] = dict(self._members.get(chat_id, {}))
        self._migrated[chat_id] = new_chat_id
        if not updates:
            return None
        sender = self._resolve_user(by)
        to_new = self._inject_message(sender, chat_id, {"migrate_to_chat_id": new_chat_id})
        from_old = self._inject_message(sender, new_chat_id, {"migrate_from_chat_id": chat_id})
        return to_new, from_old

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

    # ---------------------------------------------------------------- injecting updates

    def inject(self, update: JSONDict) -> JSONDict:
        """Queue a raw Update (update_id filled in if missing); returns it."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self.last_update_id + 1
        self.last_update_id = max(self.last_update_id, int(update["update_id"]))
        self._learn_from_update(update)
        bisect.insort(self._pending, update, key=lambda u: int(u["update_id"]))  # usually last
        self._wake_pollers("update")
        return update

    def send_text(
        self,
        user: UserRef,
        text: str,
        chat: ChatRef = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        content: JSONDict = {"text": text}
        entities = [
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: m.start()]),
                "length": _utf16_len(m.group()),
            }
            for m in re.finditer(
                r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])", text
            )
        ]
        if entities:
            content["entities"] = entities
        return self._inject_message(user, chat, content, reply_to_message_id)

    def send_command(
        self, user: UserRef, command: str, args: str = "", chat: ChatRef = None
    ) -> JSONDict:
        """ "/start", args "abc" -> text "/start abc" with a bot_command entity at offset 0."""
        command = command if command.startswith("/") else f"/{command}"
        text = f"{command} {args}" if args else command
        entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
        return self._inject_message(user, chat, {"text": text, "entities": [entity]})

    def send_photo(
        self,
        user: UserRef,
        caption: str | None = None,
        chat: ChatRef = None,
        *,
        content: bytes = _TINY_JPEG,
    ) -> JSONDict:
        stored = self._new_file("photo", content, "jpg", {"width": 1280, "height": 960})
        body: JSONDict = {"photo": self._photo_group(stored)}
        if caption is not None:
            body["caption"] = caption
        return self._inject_message(user, chat, body)

    def send_voice(
        self, user: UserRef, duration: int = 3, chat: ChatRef = None, *, content: bytes = b"OggS\0"
    ) -> JSONDict:
        extra = {"duration": duration, "mime_type": "audio/ogg"}
        stored = self._new_file("voice", content, "oga", extra)
        return self._inject_message(user, chat, {"voice": dict(stored.obj)})

    def send_document(
        self,
        user: UserRef,
        file_name: str = "a.pdf",
        mime_type: str = "application/pdf",
        chat: ChatRef = None,
        *,
        content: bytes = b"%PDF-1.4\n%%EOF\n",
    ) -> JSONDict:
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        extra = {"file_name": file_name, "mime_type": mime_type}
        stored = self._new_file("document", content, extension, extra)
        return self._inject_message(user, chat, {"document": dict(stored.obj)})

    def send_location(
        self, user: UserRef, latitude: float = 31.2, longitude: float = 121.5, chat: ChatRef = None
    ) -> JSONDict:
        location = {"latitude": latitude, "longitude": longitude}
        return self._inject_message(user, chat, {"location": location})

    def send_sticker(self, user: UserRef, chat: ChatRef = None) -> JSONDict:
        extra = {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\U0001f44d",
        }
        stored = self._new_file("sticker", b"RIFF\0\0\0\0WEBP", "webp", extra)
        return self._inject_message(user, chat, {"sticker": dict(stored.obj)})

    def send_contact(
        self,
        user: UserRef,
        phone_number: str = "+8613800000000",
        chat: ChatRef = None,
        *,
        own: bool = True,
    ) -> JSONDict:
        """A shared contact; own=True is what a request_contact keyboard button sends."""
        sender = self._resolve_user(user)
        contact: JSONDict = {"phone_number": phone_number, "first_name": sender["first_name"]}
        if own:
            contact["user_id"] = sender["id"]
        return self._inject_message(sender, chat, {"contact": contact})

    def press_button(
        self,
        user: UserRef,
        message: SentMessage | tuple[int, int],
        data: str,
        chat: ChatRef = None,
    ) -> JSONDict:
        """A callback_query update from `user` on a bot message (chat_id, message_id)."""
        del chat  # the chat is the message's
        if isinstance(message, SentMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            chat_id, message_id = message
        sender = self._resolve_user(user)
        raw = self._messages.get((chat_id, message_id))
        if raw is None and (chat_id, message_id) in self._sent:
            raw = self._sent[(chat_id, message_id)].raw
        if raw is None:
            chat_obj = self._chats.get(chat_id, {"id": chat_id, "type": "private"})
            raw = {"message_id": message_id, "date": int(time.time()), "chat": chat_obj}
        self._callback_seq += 1
        query_id = str(4_000_000_000_000_000_000 + self._callback_seq)
        query = {
            "id": query_id,
            "from": sender,
            "message": copy.deepcopy(raw),
            "chat_instance": str(abs(chat_id) * 7919 % 10**18 + 10**17),
            "data": data,
        }
        self._callbacks[query_id] = _Callback(chat_id=chat_id)
        return self.inject({"callback_query": query})

    def _inject_message(
        self,
        user: UserRef,
        chat: ChatRef,
        content: JSONDict,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        sender = self._resolve_user(user)
        chat_obj = self._resolve_chat(sender, chat)
        chat_id = chat_obj["id"]
        if chat_obj["type"] != "private":
            self._members.setdefault(chat_id, {}).setdefault(sender["id"], "member")
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": sender,
            "chat": chat_obj,
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            target = self._messages.get((chat_id, reply_to_message_id))
            if target is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
            message["reply_to_message"] = {
                k: v for k, v in target.items() if k != "reply_to_message"
            }
        message.update(content)
        return self.inject({"message": message})

    def _learn_from_update(self, update: JSONDict) -> None:
        for key in ("message", "edited_message", "channel_post", "business_message"):
            message = update.get(key)
            if isinstance(message, dict):
                sender = message.get("from")
                if isinstance(sender, dict) and sender.get("id") not in self._users:
                    self._remember_user(sender)
                chat = message.get("chat")
                if isinstance(chat, dict):
                    self._chats.setdefault(chat["id"], {}).update(chat)
                    if "message_id" in message:
                        self._messages[(chat["id"], message["message_id"])] = message
                        seq = self._message_seq.get(chat["id"], 0)
                        self._message_seq[chat["id"]] = max(seq, int(message["message_id"]))
        query = update.get("callback_query")
        if isinstance(query, dict):
            sender = query.get("from")
            if isinstance(sender, dict) and sender.get("id") not in self._users:
                self._remember_user(sender)
            if str(query.get("id")) not in self._callbacks:
                msg = query.get("message") or {}
                chat_id = (msg.get("chat") or {}).get("id")
                self._callbacks[str(query.get("id"))] = _Callback(chat_id=chat_id)

    def _next_message_id(self, chat_id: int) -> int:
        self._message_seq[chat_id] = self._message_seq.get(chat_id, 0) + 1
        return self._message_seq[chat_id]

    # ---------------------------------------------------------------- inspecting what the bot did

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

    def _wake_pollers(self, reason: str) -> None:
        for waiter in list(self._poll_waiters):
            if not waiter.done():
                waiter.set_result(reason)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # ---------------------------------------------------------------- shared helpers

    def _chat(self, params: JSONDict, key: str = "chat_id") -> JSONDict:
        value = params.get(key)
        if value is None or value == "":
            raise _bad(f"{key} is empty")
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("@"):
                for chat in self._chats.values():
                    if str(chat.get("username", "")).lower() == text[1:].lower():
                        return chat
                raise _bad("chat not found")
            try:
                value = int(text)
            except ValueError:
                raise _bad("chat not found") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad("chat not found")
        found = self._chats.get(value)
        if found is None:
            raise _bad("chat not found")
        return found

    def _check_not_migrated(self, name: str, params: JSONDict) -> None:
        """A send to a group upgraded to a supergroup: 400 with the new chat's id."""
        if name not in _SEND_METHODS:
            return
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        new_chat_id = self._migrated.get(chat_id)
        if new_chat_id is not None:
            raise BotAPIError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=new_chat_id,
            )

    def _check_can_send(self, chat: JSONDict) -> None:
        chat_id, kind = chat["id"], chat["type"]
        if chat_id in self._blocked:
            if kind == "private":
                raise BotAPIError(403, "Forbidden: bot was blocked by the user")
            raise BotAPIError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if chat_id in self._left:
            raise BotAPIError(403, f"Forbidden: bot is not a member of the {kind} chat")

    def _send_target(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        self._check_can_send(chat)
        return chat

    def _markup(self, value: Any, *, inline_only: bool = False) -> JSONDict | None:
        if value is None or value == "":
            return None
        error = _bad("can't parse reply keyboard markup JSON object")
        if not isinstance(value, dict):
            raise error
        if "inline_keyboard" in value:
            rows = value["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise error
            buttons = [button for row in rows for button in row]
            for button in buttons:
                self._check_inline_button(button)
            if len(buttons) > 100:
                raise _bad("reply markup is too long")
            return value
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in value:
            rows = value["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise error
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else None
                    if isinstance(button, dict):
                        text = button.get("text")
                    if not isinstance(text, str) or not text:
                        raise _bad(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return value
        if value.get("remove_keyboard") is True or value.get("force_reply") is True:
            return value
        raise error

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise _bad(prefix + "InlineKeyboardButton must be an Object")
        if "text" not in button:
            raise _bad(prefix + 'Can\'t find field "text"')
        if not isinstance(button["text"], str):
            raise _bad(prefix + 'Field "text" must be of type String')
        if not button["text"].strip():
            raise _bad("BUTTON_TEXT_INVALID")
        actions = [
            key
            for key in _INLINE_ACTIONS
            if button.get(key) is not None
            and not (key in ("callback_data", "url") and button[key] == "")
        ]
        if not actions:
            raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _bad(prefix + "exactly one of the optional fields must be used")
        if actions[0] == "callback_data":
            data = button["callback_data"]
            if not isinstance(data, str):
                raise _bad(prefix + 'Field "callback_data" must be of type String')
            if not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise _bad("BUTTON_DATA_INVALID")
        if actions[0] == "url":
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url, re.I):
                raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _text(self, params: JSONDict) -> tuple[str, list[JSONDict] | None]:
        raw = params.get("text")
        text, entities = format_text(
            "" if raw is None else str(raw), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise _bad("message is too long")
        return text, entities

    def _caption(self, params: JSONDict) -> JSONDict:
        raw = params.get("caption")
        if raw is None:
            return {}
        caption, entities = format_text(
            str(raw), params.get("parse_mode"), params.get("caption_entities")
        )
        if len(caption) > CAPTION_LIMIT:
            raise _bad("message caption is too long")
        content: JSONDict = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content

    def _reply_to(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        message_id: Any = None
        allow = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
        if message_id is None:
            return None
        target = self._messages.get((chat_id, _as_int(message_id, "message_id")))
        if target is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}

    def _new_message(
        self,
        ctx: _Ctx,
        chat: JSONDict,
        content: JSONDict,
        markup: JSONDict | None = None,
        *,
        reply_to: JSONDict | None = None,
        media_group_id: str | None = None,
    ) -> SentMessage:
        chat_id = chat["id"]
        raw: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if ctx.params.get("message_thread_id"):
            raw["message_thread_id"] = ctx.params["message_thread_id"]
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        raw.update(copy.deepcopy(content))
        if media_group_id:
            raw["media_group_id"] = media_group_id
        if ctx.params.get("protect_content"):
            raw["has_protected_content"] = True
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        kind = _kind_of(raw)
        msg = SentMessage(
            chat_id=chat_id,
            message_id=raw["message_id"],
            text=raw.get("text"),
            caption=raw.get("caption"),
            reply_markup=markup,
            kind=kind,
            entities=raw.get("entities") if kind == "text" else raw.get("caption_entities"),
            parse_mode=ctx.params.get("parse_mode"),
            raw=raw,
            call_index=ctx.index,
            media_group_id=media_group_id,
        )
        self._sent[(chat_id, msg.message_id)] = msg
        self._messages[(chat_id, msg.message_id)] = raw
        if markup is not None and "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif markup is not None and markup.get("remove_keyboard"):
            self._reply_keyboards.pop(chat_id, None)
        ctx.sent.append(msg)
        return msg

    # files

    def _new_file(
        self, kind: str, content: bytes, extension: str, extra: JSONDict | None = None
    ) -> _StoredFile:
        self._file_seq += 1
        seq = self._file_seq
        prefix = {"photo": "AgAC", "voice": "AwAC", "sticker": "CAAC", "video": "BAAC"}
        file_id = f"{prefix.get(kind, 'BQAC')}AgUAAxkBAA{seq:08d}{kind[:2].upper()}"
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{seq:06d}",
            file_path=f"{kind}s/file_{seq}.{extension}",
            content=content,
            obj={"file_id": file_id, "file_unique_id": f"AQAD{seq:06d}", "file_size": len(content)},
        )
        if extra:
            stored.obj.update(extra)
        self._files[file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _photo_group(self, largest: _StoredFile) -> list[JSONDict]:
        width, height = largest.obj.get("width", 1280), largest.obj.get("height", 960)
        sizes: list[JSONDict] = []
        for limit in (90, 320, 800):
            if max(width, height) > limit:
                scale = limit / max(width, height)
                small = self._new_file("photo", largest.content, "jpg")
                small.obj.update(
                    width=max(1, round(width * scale)),
                    height=max(1, round(height * scale)),
                    file_size=max(1, len(largest.content) // 4),
                )
                sizes.append(dict(small.obj))
        sizes.append(dict(largest.obj))
        for size in sizes:
            self._photo_groups[size["file_id"]] = sizes
        return sizes

    def _input_file(
        self, ctx: _Ctx, value: Any, field_name: str, kind: str, extra: JSONDict | None = None
    ) -> tuple[_StoredFile, bool]:
        """Resolve an InputFile parameter. Returns (file, newly uploaded)."""
        upload: _Upload | None = None
        from_url = False
        if value is None:
            upload = ctx.files.get(field_name)
            if upload is None:
                raise _bad(f"there is no {field_name} in the request")
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = ctx.files.get(value[len("attach://") :])
            if upload is None:
                raise _bad("can't parse InputMedia: media not found")
        elif isinstance(value, str) and value in self._files:
            return self._files[value], False
        elif isinstance(value, str) and re.match(r"^https?://", value):
            upload = _Upload(value.rsplit("/", 1)[-1] or "file", b"\0" * 64, "")
            from_url = True
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        if not upload.content:
            raise _bad("file must be non-empty")
        if kind == "photo" and self.check_image_bytes and not from_url:
            if not _looks_like_image(upload.content):
                raise _bad("IMAGE_PROCESS_FAILED")
        info: JSONDict = dict(extra or {})
        extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
        if kind == "photo":
            width, height = _image_size(upload.content) or (1280, 960)
            info.update(width=width, height=height)
            extension = "jpg"
        if kind in ("document", "audio", "video", "animation"):
            info.setdefault("file_name", upload.filename)
            mime = upload.content_type or mimetypes.guess_type(upload.filename)[0]
            info.setdefault("mime_type", mime or "application/octet-stream")
        return self._new_file(kind, upload.content, extension, info), True

    def _media_object(
        self, ctx: _Ctx, kind: str, value: Any, field_name: str, params: JSONDict
    ) -> JSONDict:
        """The content dict of a media message ({"photo": [...]} / {"voice": {...}} / ...)."""
        extra: JSONDict = {}
        duration = params.get("duration")
        if kind == "voice":
            extra = {"duration": duration or 1, "mime_type": "audio/ogg"}
        elif kind == "audio":
            extra = {"duration": duration or 1, "mime_type": "audio/mpeg"}
            for key in ("title", "performer"):
                if params.get(key):
                    extra[key] = params[key]
        elif kind in ("video", "animation"):
            extra = {
                "duration": duration or 1,
                "width": params.get("width") or 640,
                "height": params.get("height") or 360,
            }
        elif kind == "video_note":
            extra = {"duration": duration or 1, "length": params.get("length") or 240}
        elif kind == "sticker":
            extra = {
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
            if params.get("emoji"):
                extra["emoji"] = params["emoji"]
        stored, fresh = self._input_file(ctx, value, field_name, kind, extra)
        if kind == "photo":
            group = self._photo_groups.get(stored.file_id)
            return {"photo": copy.deepcopy(group) if group else self._photo_group(stored)}
        obj = dict(stored.obj)
        if not fresh:
            obj.update({k: v for k, v in extra.items() if k not in obj})
        if kind == "animation":
            return {"animation": obj, "document": dict(obj)}
        return {kind: obj}

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

    def _setting_setter(self, key: str) -> Callable[[_Ctx], Any]:
        def handler(ctx: _Ctx) -> bool:
            self.bot_settings[key] = dict(ctx.params)
            return True

        return handler

    def _setting_getter(self, key: str, default: JSONDict) -> Callable[[_Ctx], Any]:
        def handler(ctx: _Ctx) -> JSONDict:
            stored = self.bot_settings.get(key, {})
            return {k: stored.get(k, v) for k, v in default.items()}

        return handler

    def _media_sender(self, kind: str) -> Callable[[_Ctx], Any]:
        def handler(ctx: _Ctx) -> JSONDict:
            params = ctx.params
            caption = {} if kind in ("sticker", "video_note") else self._caption(params)
            markup = self._markup(params.get("reply_markup"))
            chat = self._send_target(params)
            reply_to = self._reply_to(chat["id"], params)
            content = self._media_object(ctx, kind, params.get(kind), kind, params)
            content.update(caption)
            return self._new_message(ctx, chat, content, markup, reply_to=reply_to).raw

        return handler

    # ---------------------------------------------------------------- methods

    def _m_true(self, ctx: _Ctx) -> bool:
        return True

    def _m_get_me(self, ctx: _Ctx) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_delete_webhook(self, ctx: _Ctx) -> bool:
        self.webhook_url = ""
        if ctx.params.get("drop_pending_updates"):
            self._pending.clear()
            self.confirmed_update_id = self.last_update_id
        return True

    def _m_set_webhook(self, ctx: _Ctx) -> bool:
        url = str(ctx.params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if ctx.params.get("drop_pending_updates"):
            self._pending.clear()
            self.confirmed_update_id = self.last_update_id
        return True

    def _m_get_webhook_info(self, ctx: _Ctx) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_set_my_commands(self, ctx: _Ctx) -> bool:
        commands = ctx.params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: BotCommand must be an Object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(ctx.params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_get_my_commands(self, ctx: _Ctx) -> list[JSONDict]:
        return list(self.commands.get(self._commands_key(ctx.params), []))

    def _m_delete_my_commands(self, ctx: _Ctx) -> bool:
        self.commands.pop(self._commands_key(ctx.params), None)
        return True

    def _m_send_message(self, ctx: _Ctx) -> JSONDict:
        text, entities = self._text(ctx.params)
        markup = self._markup(ctx.params.get("reply_markup"))
        chat = self._send_target(ctx.params)
        reply_to = self._reply_to(chat["id"], ctx.params)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._new_message(ctx, chat, content, markup, reply_to=reply_to).raw

    def _m_send_location(self, ctx: _Ctx) -> JSONDict:
        markup = self._markup(ctx.params.get("reply_markup"))
        location = self._location(ctx.params)
        chat = self._send_target(ctx.params)
        reply_to = self._reply_to(chat["id"], ctx.params)
        return self._new_message(ctx, chat, {"location": location}, markup, reply_to=reply_to).raw

    @staticmethod
    def _location(params: JSONDict) -> JSONDict:
        latitude, longitude = params.get("latitude"), params.get("longitude")
        if not isinstance(latitude, int | float) or not -90 <= latitude <= 90:
            raise _bad("wrong latitude specified")
        if not isinstance(longitude, int | float) or not -180 <= longitude <= 180:
            raise _bad("wrong longitude specified")
        return {"latitude": float(latitude), "longitude": float(longitude)}

    def _m_send_venue(self, ctx: _Ctx) -> JSONDict:
        markup = self._markup(ctx.params.get("reply_markup"))
        location = self._location(ctx.params)
        venue = {
            "location": location,
            "title": str(ctx.params.get("title") or ""),
            "address": str(ctx.params.get("address") or ""),
        }
        chat = self._send_target(ctx.params)
        content = {"venue": venue, "location": location}
        return self._new_message(ctx, chat, content, markup).raw

    def _m_send_contact(self, ctx: _Ctx) -> JSONDict:
        markup = self._markup(ctx.params.get("reply_markup"))
        contact = {
            "phone_number": str(ctx.params.get("phone_number") or ""),
            "first_name": str(ctx.params.get("first_name") or ""),
        }
        if not contact["phone_number"] or not contact["first_name"]:
            raise _bad("phone number and first name must be non-empty")
        chat = self._send_target(ctx.params)
        return self._new_message(ctx, chat, {"contact": contact}, markup).raw

    def _m_send_dice(self, ctx: _Ctx) -> JSONDict:
        chat = self._send_target(ctx.params)
        dice = {"emoji": ctx.params.get("emoji") or "\U0001f3b2", "value": 4}
        return self._new_message(ctx, chat, {"dice": dice}).raw

    def _m_send_poll(self, ctx: _Ctx) -> JSONDict:
        markup = self._markup(ctx.params.get("reply_markup"))
        options = ctx.params.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 12:
            raise _bad("poll must have at least 2 option")
        question = str(ctx.params.get("question") or "")
        if not question:
            raise _bad("poll question must be non-empty")
        chat = self._send_target(ctx.params)
        poll = {
            "id": str(5_000_000_000 + len(self.calls)),
            "question": question,
            "options": [
                {"text": o.get("text", "") if isinstance(o, dict) else str(o), "voter_count": 0}
                for o in options
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": ctx.params.get("is_anonymous", True) is not False,
            "type": ctx.params.get("type") or "regular",
            "allows_multiple_answers": bool(ctx.params.get("allows_multiple_answers")),
        }
        return self._new_message(ctx, chat, {"poll": poll}, markup).raw

    def _m_send_media_group(self, ctx: _Ctx) -> list[JSONDict]:
        media = ctx.params.get("media")
        if not media:
            raise _bad("there are no messages to send")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise _bad("can't parse media JSON object")
        if len(media) > 10:
            raise _bad("too many messages to send as an album")
        kinds = [str(item.get("type")) for item in media]
        for kind in kinds:
            if kind not in ("photo", "video", "document", "audio"):
                raise _bad(
                    f"can't parse InputMedia: type \"{kind}\" can't be used in sendMediaGroup"
                )
        for special in ("document", "audio"):
            if special in kinds and any(k != special for k in kinds):
                raise _bad(f"{special} can't be mixed with other media types")
        captions = [self._caption(item) for item in media]
        chat = self._send_target(ctx.params)
        reply_to = self._reply_to(chat["id"], ctx.params)
        contents = [
            {**self._media_object(ctx, item["type"], item.get("media"), "media", item), **caption}
            for item, caption in zip(media, captions, strict=True)
        ]
        group_id: str | None = None
        if len(contents) > 1:
            self._media_group_seq += 1
            group_id = str(13_000_000_000_000_000 + self._media_group_seq)
        return [
            self._new_message(ctx, chat, content, reply_to=reply_to, media_group_id=group_id).raw
            for content in contents
        ]

    def _m_send_chat_action(self, ctx: _Ctx) -> bool:
        self._send_target(ctx.params)
        if ctx.params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _source_message(self, ctx: _Ctx, what: str) -> JSONDict:
        source_chat = self._chat(ctx.params, "from_chat_id")
        message_id = _as_int(ctx.params.get("message_id"), "message_id")
        raw = self._messages.get((source_chat["id"], message_id))
        if raw is None:
            raise _bad(f"message to {what} not found")
        return raw

    def _m_copy_message(self, ctx: _Ctx) -> JSONDict:
        source = self._source_message(ctx, "copy")
        markup = self._markup(ctx.params.get("reply_markup"))
        content = {k: copy.deepcopy(source[k]) for k in _COPY_KEYS if k in source}
        content.pop("media_group_id", None)
        if "caption" in ctx.params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(ctx.params))
        if "poll" in content:
            raise _bad("message can't be copied")
        chat = self._send_target(ctx.params)
        reply_to = self._reply_to(chat["id"], ctx.params)
        msg = self._new_message(ctx, chat, content, markup, reply_to=reply_to)
        return {"message_id": msg.message_id}

    def _m_forward_message(self, ctx: _Ctx) -> JSONDict:
        source = self._source_message(ctx, "forward")
        if source.get("has_protected_content"):
            raise _bad("message can't be forwarded")
        content = {k: copy.deepcopy(source[k]) for k in _COPY_KEYS if k in source}
        content.pop("media_group_id", None)
        sender = source.get("from")
        if source["chat"]["type"] == "channel" or not isinstance(sender, dict):
            origin: JSONDict = {
                "type": "chat",
                "date": source["date"],
                "sender_chat": source["chat"],
            }
        else:
            origin = {"type": "user", "date": source["date"], "sender_user": sender}
        content["forward_origin"] = origin
        chat = self._send_target(ctx.params)
        return self._new_message(ctx, chat, content).raw

    def _edit_target(self, ctx: _Ctx) -> SentMessage:
        if ctx.params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._send_target(ctx.params)
        if ctx.params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        key = (chat["id"], _as_int(ctx.params["message_id"], "message_id"))
        sent = self._sent.get(key)
        if sent is None or sent.deleted:
            if key in self._messages:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return sent

    def _apply_edit(
        self,
        ctx: _Ctx,
        sent: SentMessage,
        changes: JSONDict,
        removed: Iterable[str],
        markup: JSONDict | None,
    ) -> JSONDict:
        current_markup = sent.raw.get("reply_markup")
        new_raw = copy.deepcopy(sent.raw)
        for key in removed:
            new_raw.pop(key, None)
        new_raw.update(copy.deepcopy(changes))
        new_raw.pop("reply_markup", None)
        if markup is not None and markup.get("inline_keyboard"):
            new_raw["reply_markup"] = markup
        comparable = ("edit_date", "reply_markup")
        old_view = {k: v for k, v in sent.raw.items() if k not in comparable}
        new_view = {k: v for k, v in new_raw.items() if k not in comparable}
        same_markup = (current_markup or None) == (new_raw.get("reply_markup") or None)
        if old_view == new_view and same_markup:
            raise BotAPIError(400, NOT_MODIFIED)
        new_raw["edit_date"] = int(time.time())
        sent.history.append(sent._snapshot())
        sent.raw = new_raw
        sent.text = new_raw.get("text")
        sent.caption = new_raw.get("caption")
        sent.kind = _kind_of(new_raw)
        sent.entities = (
            new_raw.get("entities") if sent.kind == "text" else new_raw.get("caption_entities")
        )
        if "parse_mode" in ctx.params or "text" in changes or "caption" in changes:
            sent.parse_mode = ctx.params.get("parse_mode")
        if new_raw.get("reply_markup") is not None:
            sent.reply_markup = new_raw["reply_markup"]
        elif sent.reply_markup is not None and "inline_keyboard" in sent.reply_markup:
            sent.reply_markup = None
        self._messages[(sent.chat_id, sent.message_id)] = new_raw
        ctx.sent.append(sent)
        return new_raw

    def _m_edit_message_text(self, ctx: _Ctx) -> JSONDict:
        text, entities = self._text(ctx.params)
        markup = self._markup(ctx.params.get("reply_markup"), inline_only=True)
        sent = self._edit_target(ctx)
        if sent.kind != "text":
            raise _bad("there is no text in the message to edit")
        changes: JSONDict = {"text": text}
        if entities:
            changes["entities"] = entities
        return self._apply_edit(ctx, sent, changes, ["entities"], markup)

    def _m_edit_message_caption(self, ctx: _Ctx) -> JSONDict:
        caption = self._caption(ctx.params)
        markup = self._markup(ctx.params.get("reply_markup"), inline_only=True)
        sent = self._edit_target(ctx)
        if sent.kind in ("text", "location", "venue", "contact", "dice", "poll", "sticker"):
            raise _bad("there is no caption in the message to edit")
        return self._apply_edit(ctx, sent, caption, ["caption", "caption_entities"], markup)

    def _m_edit_message_reply_markup(self, ctx: _Ctx) -> JSONDict:
        markup = self._markup(ctx.params.get("reply_markup"), inline_only=True)
        sent = self._edit_target(ctx)
        return self._apply_edit(ctx, sent, {}, [], markup)

    def _m_edit_message_media(self, ctx: _Ctx) -> JSONDict:
        media = ctx.params.get("media")
        if not isinstance(media, dict):
            raise _bad("can't parse InputMedia JSON object")
        kind = str(media.get("type"))
        if kind not in ("photo", "video", "document", "audio", "animation"):
            raise _bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        caption = self._caption(media)
        markup = self._markup(ctx.params.get("reply_markup"), inline_only=True)
        sent = self._edit_target(ctx)
        if sent.kind in ("text", "location", "venue", "contact", "dice", "poll", "sticker"):
            raise _bad("there is no media in the message to edit")
        content = self._media_object(ctx, kind, media.get("media"), "media", media)
        content.update(caption)
        removed = [*_CONTENT_KEYS, "caption", "caption_entities"]
        return self._apply_edit(ctx, sent, content, removed, markup)

    def _delete(self, chat_id: int, message_id: int) -> bool:
        if self._messages.pop((chat_id, message_id), None) is None:
            return False
        sent = self._sent.get((chat_id, message_id))
        if sent is not None:
            sent.deleted = True
        return True

    def _m_delete_message(self, ctx: _Ctx) -> bool:
        chat = self._chat(ctx.params)
        message_id = _as_int(ctx.params.get("message_id"), "message_id")
        if not self._delete(chat["id"], message_id):
            raise _bad("message to delete not found")
        return True

    def _m_delete_messages(self, ctx: _Ctx) -> bool:
        chat = self._chat(ctx.params)
        ids = ctx.params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must be a non-empty list of up to 100 identifiers")
        for message_id in ids:
            self._delete(chat["id"], _as_int(message_id, "message_ids"))
        return True

    def _m_answer_callback_query(self, ctx: _Ctx) -> bool:
        query_id = str(ctx.params.get("callback_query_id") or "")
        text = ctx.params.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        state = self._callbacks.get(query_id)
        if state is None or state.answered:
            raise _bad(QUERY_INVALID.removeprefix("Bad Request: "))
        state.answered = True
        state.answer = dict(ctx.params)
        return True

    def _pin_target(self, ctx: _Ctx, what: str) -> tuple[int, int]:
        chat = self._send_target(ctx.params)
        message_id = _as_int(ctx.params.get("message_id"), "message_id")
        if (chat["id"], message_id) not in self._messages:
            raise _bad(f"message to {what} not found")
        return chat["id"], message_id

    def _set_pinned(self, chat_id: int, message_id: int, pinned: bool) -> None:
        raw = self._messages.get((chat_id, message_id))
        sent = self._sent.get((chat_id, message_id))
        if sent is not None:
            sent.pinned = pinned
        if raw is not None:
            self._pins.setdefault(chat_id, [])
            if message_id in self._pins[chat_id]:
                self._pins[chat_id].remove(message_id)
            if pinned:
                self._pins[chat_id].append(message_id)

    def pinned(self, chat_id: int) -> list[int]:
        """Ids of the pinned messages in a chat, oldest pin first."""
        return list(self._pins.get(chat_id, []))

    def _m_pin_chat_message(self, ctx: _Ctx) -> bool:
        chat_id, message_id = self._pin_target(ctx, "pin")
        self._set_pinned(chat_id, message_id, True)
        return True

    def _m_unpin_chat_message(self, ctx: _Ctx) -> bool:
        if ctx.params.get("message_id") in (None, ""):
            chat = self._send_target(ctx.params)
            pins = self._pins.get(chat["id"])
            if pins:
                self._set_pinned(chat["id"], pins[-1], False)
            return True
        chat_id, message_id = self._pin_target(ctx, "unpin")
        self._set_pinned(chat_id, message_id, False)
        return True

    def _m_unpin_all_chat_messages(self, ctx: _Ctx) -> bool:
        chat = self._send_target(ctx.params)
        for message_id in list(self._pins.get(chat["id"], [])):
            self._set_pinned(chat["id"], message_id, False)
        return True

    def _m_get_chat(self, ctx: _Ctx) -> JSONDict:
        chat = self._chat(ctx.params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member_object(self, user: JSONDict, status: str) -> JSONDict:
        member: JSONDict = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    key: True
                    for key in (
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_promote_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_pin_messages",
                    )
                }
            )
            member.update(can_be_edited=False, is_anonymous=False)
        elif status == "restricted":
            flags = (
                "can_change_info can_invite_users can_pin_messages can_send_messages "
                "can_send_polls can_send_other_messages can_add_web_page_previews "
                "can_manage_topics can_send_audios can_send_documents can_send_photos "
                "can_send_videos can_send_video_notes can_send_voice_notes can_edit_tag"
            ).split()
            member.update({key: False for key in flags})
            member.update(is_member=True, until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_get_chat_member(self, ctx: _Ctx) -> JSONDict:
        chat = self._chat(ctx.params)
        user_id = _as_int(ctx.params.get("user_id"), "user_id")
        if user_id == self.bot_id:
            user = dict(self.bot_user)
        elif user_id in self._users:
            user = dict(self._users[user_id])
        else:
            raise _bad("user not found")
        if chat["type"] == "private":
            status = "member" if user_id in (chat["id"], self.bot_id) else "left"
        else:
            found = self._members.get(chat["id"], {}).get(user_id)
            if found is not None:
                status = found
            elif user_id == self.bot_id:
                status = "left" if chat["id"] in self._left else "member"
            else:
                status = "left"
        return self._member_object(user, status)

    def _m_get_chat_member_count(self, ctx: _Ctx) -> int:
        chat = self._chat(ctx.params)
        if chat["type"] == "private":
            return 2
        members = self._members.get(chat["id"], {})
        return 1 + sum(1 for s in members.values() if s not in ("left", "kicked"))

    def _m_get_chat_administrators(self, ctx: _Ctx) -> list[JSONDict]:
        chat = self._chat(ctx.params)
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        members = self._members.get(chat["id"], {})
        return [
            self._member_object(self._users.get(uid) or dict(self.bot_user), status)
            for uid, status in members.items()
            if status in ("creator", "administrator")
        ]

    def _m_leave_chat(self, ctx: _Ctx) -> bool:
        chat = self._chat(ctx.params)
        if chat["type"] == "private":
            raise _bad("chat member status can't be changed in private chats")
        self._left.add(chat["id"])
        return True

    def _m_get_file(self, ctx: _Ctx) -> JSONDict:
        file_id = ctx.params.get("file_id")
        if not file_id:
            raise _bad("file_id is empty")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > GET_FILE_LIMIT:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


def _kind_of(raw: JSONDict) -> str:
    for key in _CONTENT_KEYS:
        if key in raw:
            return key
    return "unknown"


def _body_of(result: Any) -> str:
    if isinstance(result, dict):
        return str(result.get("text") or result.get("caption") or "")
    return ""
