"""The one way to reach people and chats: durable rows (``storage.outbox``) sent by one paced,
retrying sender per application (``sender.Sender``), at Telegram's pace (``pacing``)."""

from bot.delivery.sender import JOB_NAME, DrainResult, Sender, payload_buttons, send_payload

__all__ = ["JOB_NAME", "DrainResult", "Sender", "payload_buttons", "send_payload"]
