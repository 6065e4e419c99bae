"""The buttons of the notices feature: the /notice wizard, cancelling a scheduled notice and
binding a group chat (prefixes, versions and fields are what people's chats already hold)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules import notices as rules
from handlers.kit.callbacks import CallbackData, callback


@callback("na")
@dataclass(frozen=True)
class NoticeAudience(CallbackData):
    choice: str  # mine / pick / all


@callback("nb")
@dataclass(frozen=True)
class NoticeBuilding(CallbackData):
    building_id: int


@callback("nd")
@dataclass(frozen=True)
class NoticeBuildingsDone(CallbackData):
    pass


@callback("ng")
@dataclass(frozen=True)
class NoticeGroups(CallbackData):
    include: bool


@callback("no")
@dataclass(frozen=True)
class NoticeToggle(CallbackData):
    option: str  # pin / urgent


@callback("nn")
@dataclass(frozen=True)
class NoticeNext(CallbackData):
    pass


@callback("nk")
@dataclass(frozen=True)
class NoticeNoAttachment(CallbackData):
    pass


@callback("nw")
@dataclass(frozen=True)
class NoticeWhen(CallbackData):
    when: rules.When


@callback("ns")
@dataclass(frozen=True)
class NoticeSend(CallbackData):
    pass


@callback("nx")
@dataclass(frozen=True)
class NoticeCancel(CallbackData):
    notice_id: int


@callback("gb")
@dataclass(frozen=True)
class GroupBind(CallbackData):
    kind: str  # building / community / staff
    building_id: int
