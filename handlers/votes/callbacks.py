"""The buttons of proposals and votes: one small versioned dataclass per press (prefixes,
versions and fields are in people's chats already: never change them)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.rules.tally import PollBasis
from handlers.kit.callbacks import CallbackData, callback


class Kind(enum.StrEnum):
    POLL = "poll"
    DECISION = "decision"


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


@callback("va")
@dataclass(frozen=True)
class PickAudience(CallbackData):
    building_id: int  # 0: the whole community


@callback("vk")
@dataclass(frozen=True)
class PickKind(CallbackData):
    kind: Kind


@callback("vi")
@dataclass(frozen=True)
class PickItem(CallbackData):
    item: int


@callback("vb")
@dataclass(frozen=True)
class PickBasis(CallbackData):
    basis: PollBasis


@callback("vo")
@dataclass(frozen=True)
class PickOptions(CallbackData):
    custom: bool


@callback("vq")
@dataclass(frozen=True)
class PickQuorum(CallbackData):
    num: int
    den: int


@callback("ve")
@dataclass(frozen=True)
class Revise(CallbackData):
    """The author edits a proposal that was sent back, and submits it again."""

    proposal_id: int


@callback("vt")
@dataclass(frozen=True)
class KeepText(CallbackData):
    """Keep the title or text of the proposal being revised."""


@callback("vw")
@dataclass(frozen=True)
class PickOpening(CallbackData):
    """When voting opens: unix seconds of an offered 08:00, or 0 for "as soon as approved"."""

    at: int


@callback("vd")
@dataclass(frozen=True)
class PickDays(CallbackData):
    days: int


@callback("vs")
@dataclass(frozen=True)
class Submit(CallbackData):
    pass


@callback("vr")
@dataclass(frozen=True)
class Review(CallbackData):
    proposal_id: int
    verdict: Verdict


@callback("vc")
@dataclass(frozen=True)
class Cast(CallbackData):
    proposal_id: int
    unit_id: int
    option: str


@callback("vv")
@dataclass(frozen=True)
class ShowBallot(CallbackData):
    proposal_id: int


@callback("vx")
@dataclass(frozen=True)
class CheckBallot(CallbackData):
    proposal_id: int


@callback("vy")
@dataclass(frozen=True)
class WithdrawProposal(CallbackData):
    """Withdraw an approved proposal before it opens (its author or a reviewer)."""

    proposal_id: int
