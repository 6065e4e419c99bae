"""The Bot API methods that change what was sent: edits, deletes, answers to presses."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable

from bot.sandbox.emulator.protocol import (
    _CONTENT_KEYS,
    CALLBACK_ANSWER_LIMIT,
    NOT_MODIFIED,
    QUERY_INVALID,
    BotAPIError,
    JSONDict,
    SentMessage,
    _as_int,
    _bad,
    _Ctx,
    _kind_of,
)
from bot.sandbox.emulator.sending import _Sending


class _Edits(_Sending):
    """The Bot API methods that change what was sent: edits, deletes, answers to presses."""

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
