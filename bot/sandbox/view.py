"""What the page shows of a chat: the emulator's messages (edits applied in place) turned into
plain dicts for the page's script, in the words of the person being played."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.sandbox import labels
from bot.sandbox.emulator import BotAPIEmulator

JSONDict = dict[str, Any]


def chat_view(emu: BotAPIEmulator, chat_id: int, viewer: int, tr: Translator) -> list[JSONDict]:
    """The chat's messages, oldest first, as ``viewer`` sees them."""
    return [message_view(raw, viewer, tr) for raw in emu.chat_log(chat_id)]


def message_view(raw: JSONDict, viewer: int, tr: Translator) -> JSONDict:
    sender = raw.get("from") or {}
    is_bot = bool(sender.get("is_bot"))
    shown: JSONDict = {
        "id": raw["message_id"],
        "bot": is_bot,
        "mine": sender.get("id") == viewer,
        "from": tr._(labels.LABELS["bot"]) if is_bot else str(sender.get("first_name", "")),
        "text": raw.get("text") if "text" in raw else raw.get("caption", ""),
        "edited": "edit_date" in raw,
        "buttons": _buttons(raw.get("reply_markup")),
    }
    shown.update(_attachment(raw, tr))
    return shown


def _attachment(raw: JSONDict, tr: Translator) -> JSONDict:
    if raw.get("photo"):
        largest = max(raw["photo"], key=lambda size: size.get("width", 0))
        return {"photo": largest["file_id"]}
    if isinstance(raw.get("voice"), dict):
        seconds = raw["voice"].get("duration", 0)
        return {"voice": raw["voice"]["file_id"], "note": tr._(labels.VOICE, seconds=seconds)}
    if isinstance(raw.get("document"), dict):
        name = raw["document"].get("file_name") or raw["document"]["file_id"]
        return {"document": raw["document"]["file_id"], "note": tr._(labels.DOCUMENT, name=name)}
    if "location" in raw:
        return {"note": tr._(labels.LOCATION)}
    if "text" not in raw and "caption" not in raw and not _is_service(raw):
        return {"note": tr._(labels.OTHER)}
    return {}


def _is_service(raw: JSONDict) -> bool:
    return any(key.startswith(("migrate_", "new_chat", "left_chat")) for key in raw)


def _buttons(markup: Any) -> list[list[JSONDict]]:
    """Inline keyboard rows: ``{"text", "data"}`` to press, or ``{"text", "url"}`` to open."""
    if not isinstance(markup, dict):
        return []
    rows: list[list[JSONDict]] = []
    for row in markup.get("inline_keyboard") or []:
        shown: list[JSONDict] = []
        for button in row:
            if "callback_data" in button:
                shown.append({"text": button["text"], "data": button["callback_data"]})
            elif "url" in button:
                shown.append({"text": button["text"], "url": button["url"]})
        if shown:
            rows.append(shown)
    return rows
