"""How a request becomes a message: targets, markup, text, replies, files."""

from __future__ import annotations

import copy
import mimetypes
import re
import time
from typing import Any

from bot.sandbox.emulator.formatting import format_text
from bot.sandbox.emulator.protocol import (
    _INLINE_ACTIONS,
    _SEND_METHODS,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    TEXT_LIMIT,
    BotAPIError,
    JSONDict,
    SentMessage,
    _as_int,
    _bad,
    _Ctx,
    _image_size,
    _kind_of,
    _looks_like_image,
    _StoredFile,
    _Upload,
)
from bot.sandbox.emulator.state import _State


class _Building(_State):
    """How a request becomes a message: targets, markup, text, replies, files."""

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
