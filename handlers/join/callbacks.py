"""The join feature's buttons."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.auth import Relation
from handlers.kit.callbacks import CallbackData, callback


@callback("js")
@dataclass(frozen=True)
class JoinStart(CallbackData):
    pass


@callback("jb")
@dataclass(frozen=True)
class JoinBuilding(CallbackData):
    building_id: int


@callback("jf")
@dataclass(frozen=True)
class JoinFloor(CallbackData):
    building_id: int
    floor: int


@callback("ju")
@dataclass(frozen=True)
class JoinUnit(CallbackData):
    unit_id: int


@callback("jr")
@dataclass(frozen=True)
class JoinRelation(CallbackData):
    relation: Relation


@callback("jd")
@dataclass(frozen=True)
class JoinDecide(CallbackData):
    residence_id: int
    approve: bool


@callback("oc")
@dataclass(frozen=True)
class OwnerDecide(CallbackData):
    """Confirm (or refuse) a household member's owner claim; ``listed``: pressed in the
    /ownerclaims list (which is then shown again), else on the pushed card."""

    claim_id: int
    confirm: bool
    listed: bool
