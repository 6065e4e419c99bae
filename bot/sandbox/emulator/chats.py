"""The Bot API methods about chats: pins, chat info, members, files."""

from __future__ import annotations

from bot.sandbox.emulator.edits import _Edits
from bot.sandbox.emulator.protocol import (
    GET_FILE_LIMIT,
    JSONDict,
    _as_int,
    _bad,
    _Ctx,
)


class _Chats(_Edits):
    """The Bot API methods about chats: pins, chat info, members, files."""

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
