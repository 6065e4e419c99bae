"""The buttons of the meetings feature: the /meeting wizard, RSVP, minutes and cancelling
(prefixes, versions and fields are what people's chats already hold)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.kit.callbacks import CallbackData, callback


@callback("mf")
@dataclass(frozen=True)
class MeetRepeat(CallbackData):
    freq: str  # once / weekly / monthly


@callback("mo")
@dataclass(frozen=True)
class MeetOrdinal(CallbackData):
    ordinal: int


@callback("mw")
@dataclass(frozen=True)
class MeetWeekday(CallbackData):
    weekday: int


@callback("md")
@dataclass(frozen=True)
class MeetDay(CallbackData):
    offset: int


@callback("mh")
@dataclass(frozen=True)
class MeetTime(CallbackData):
    hhmm: int


@callback("ma")
@dataclass(frozen=True)
class MeetAudience(CallbackData):
    building_id: int  # 0: everyone


@callback("mc")
@dataclass(frozen=True)
class MeetConfirm(CallbackData):
    pass


@callback("mr")
@dataclass(frozen=True)
class MeetRsvp(CallbackData):
    occurrence_id: int
    attend: bool


@callback("mm")
@dataclass(frozen=True)
class MeetMinutes(CallbackData):
    occurrence_id: int


@callback("mp")
@dataclass(frozen=True)
class MeetPlace(CallbackData):
    """The meeting is held in one of the community's rooms."""

    room_id: int


@callback("mx")
@dataclass(frozen=True)
class MeetCancel(CallbackData):
    occurrence_id: int
    series: bool  # end the whole recurring series
    sure: bool  # False: ask to confirm; True: do it


@callback("mk")
@dataclass(frozen=True)
class MeetKeep(CallbackData):
    occurrence_id: int


@callback("mv")
@dataclass(frozen=True)
class MeetMove(CallbackData):
    """Give an upcoming meeting a new time or place (organisers)."""

    occurrence_id: int
    what: str  # time / place
