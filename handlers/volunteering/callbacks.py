"""The buttons of volunteering and the points bank (prefixes, versions and fields are what
people's chats will hold)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.kit.callbacks import CallbackData, callback

# ---- the /activity wizard


@callback("pn")
@dataclass(frozen=True)
class ActLength(CallbackData):
    minutes: int


@callback("pl")
@dataclass(frozen=True)
class ActSlots(CallbackData):
    slots: int


@callback("pp")
@dataclass(frozen=True)
class ActPoints(CallbackData):
    points: int


@callback("pb")
@dataclass(frozen=True)
class ActAudience(CallbackData):
    building_id: int  # 0: everyone


@callback("pc")
@dataclass(frozen=True)
class ActConfirm(CallbackData):
    pass


# ---- signing up, attendance, credit


@callback("pj")
@dataclass(frozen=True)
class ActJoin(CallbackData):
    """ "I'll help" under an announcement (or in /activities)."""

    activity_id: int


@callback("pw")
@dataclass(frozen=True)
class ActWithdraw(CallbackData):
    activity_id: int


@dataclass(frozen=True)
class OnActivity(CallbackData):
    """What the organiser's buttons after an activity have in common (not a button itself)."""

    activity_id: int


@callback("pk")
@dataclass(frozen=True)
class ActAttendance(OnActivity):
    """The organiser opens the list of volunteers to tick who came."""


@callback("pt")
@dataclass(frozen=True)
class ActTick(OnActivity):
    user_id: int


@callback("pg")
@dataclass(frozen=True)
class ActCredit(OnActivity):
    pass


# ---- neighbours' help


@callback("hk")
@dataclass(frozen=True)
class HelpKind(CallbackData):
    kind: str


@callback("hs")
@dataclass(frozen=True)
class HelpSend(CallbackData):
    """Send the request without words."""


@callback("hb")
@dataclass(frozen=True)
class HelpBuilding(CallbackData):
    """For someone without Telegram: their building."""

    building_id: int


@callback("ht")
@dataclass(frozen=True)
class HelpTake(CallbackData):
    request_id: int


@callback("hd")
@dataclass(frozen=True)
class HelpDone(CallbackData):
    request_id: int
    done: bool


# ---- my points, my choices, rewards


@callback("pv")
@dataclass(frozen=True)
class VolunteerSet(CallbackData):
    what: str  # helps / named
    on: bool


@callback("pr")
@dataclass(frozen=True)
class RewardPick(CallbackData):
    reward_id: int


@callback("ps")
@dataclass(frozen=True)
class RewardManage(CallbackData):
    """Staff on a reward: ``more`` (10 more in stock), ``end`` (asks), ``endok`` (withdrawn)."""

    reward_id: int
    action: str


@callback("py")
@dataclass(frozen=True)
class RewardYes(CallbackData):
    reward_id: int
    ref: int  # the moment the confirmation was shown: pressing it twice redeems once
