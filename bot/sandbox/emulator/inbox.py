"""What users do: updates injected for the bot to poll."""

from __future__ import annotations

import bisect
import copy
import re
import time

from bot.sandbox.emulator.building import _Building
from bot.sandbox.emulator.formatting import _utf16_len
from bot.sandbox.emulator.protocol import (
    _TINY_JPEG,
    ChatRef,
    JSONDict,
    SentMessage,
    UserRef,
    _Callback,
)


class _Inbox(_Building):
    """What users do: updates injected for the bot to poll."""

    def inject(self, update: JSONDict) -> JSONDict:
        """Queue a raw Update (update_id filled in if missing); returns it."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self.last_update_id + 1
        self.last_update_id = max(self.last_update_id, int(update["update_id"]))
        self._learn_from_update(update)
        bisect.insort(self._pending, update, key=lambda u: int(u["update_id"]))  # usually last
        self._wake_pollers("update")
        self._changed()
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
