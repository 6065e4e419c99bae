"""The inspection rounds' buttons' data."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.kit.callbacks import CallbackData, callback


@callback("ik")
@dataclass(frozen=True)
class InspectTick(CallbackData):
    """An item of a round ticked ok (True) or not ok (False)."""

    round_id: int
    item_id: int
    ok: bool


@callback("ip")
@dataclass(frozen=True)
class RoundOpen(CallbackData):
    """/rounds: a fresh copy of this round's checklist."""

    round_id: int
