"""The outages feature's buttons' data: declaring one (category, buildings, expected end, the
summary's steps) and handling an open one (later, restored, "not fixed" after it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from handlers.kit.callbacks import CallbackData, callback


class Step(enum.StrEnum):
    DONE = "done"  # the buildings are chosen
    SKIP = "skip"  # no note
    SEND = "send"  # declare it
    LIST = "list"  # back to the open outages


@callback("ic")
@dataclass(frozen=True)
class OutageCategory(CallbackData):
    code: str


@callback("ib")
@dataclass(frozen=True)
class OutageBuilding(CallbackData):
    """Toggle a building (0: the whole community)."""

    building_id: int


@callback("ie")
@dataclass(frozen=True)
class OutageEnd(CallbackData):
    """Expected back in ``hours`` (0: not known yet)."""

    hours: int


@callback("in")
@dataclass(frozen=True)
class OutageStep(CallbackData):
    step: Step


@callback("io")
@dataclass(frozen=True)
class OutageOpen(CallbackData):
    incident_id: int


@callback("iu")
@dataclass(frozen=True)
class OutageLater(CallbackData):
    """The expected end moves to ``hours`` from now."""

    incident_id: int
    hours: int


@callback("ir")
@dataclass(frozen=True)
class OutageRestored(CallbackData):
    incident_id: int
    confirm: bool


@callback("iy")
@dataclass(frozen=True)
class OutageNotFixed(CallbackData):
    """A follower: it still does not work after the outage was restored."""

    incident_id: int
