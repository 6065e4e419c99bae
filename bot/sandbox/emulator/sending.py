"""The Bot API methods that send (messages, media, polls, copies) and the bot's settings."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from bot.sandbox.emulator.inspection import _Inspection
from bot.sandbox.emulator.protocol import (
    _CHAT_ACTIONS,
    _COPY_KEYS,
    JSONDict,
    _as_int,
    _bad,
    _Ctx,
)


class _Sending(_Inspection):
    """The Bot API methods that send (messages, media, polls, copies) and the bot's settings."""

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
