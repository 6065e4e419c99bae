"""The Bot API's words as the emulator speaks them: limits, errors, the records of what was sent
and asked, and the decoding of a request's parameters."""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import dataclass, field, replace
from typing import Any

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


def _kind_of(raw: JSONDict) -> str:
    for key in _CONTENT_KEYS:
        if key in raw:
            return key
    return "unknown"


def _body_of(result: Any) -> str:
    if isinstance(result, dict):
        return str(result.get("text") or result.get("caption") or "")
    return ""
