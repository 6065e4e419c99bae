"""Priorities, the two kinds of clock, the two deadlines, and the response and resolution
targets (with the defaults per priority)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.rules.sla.values import _ZERO


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class ClockKind(StrEnum):
    TWENTY_FOUR_SEVEN = "24/7"
    SERVICE = "service"


class Deadline(StrEnum):
    """Which of a ticket's two deadlines a stage belongs to."""

    RESPONSE = "response"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class Target:
    """Response and resolution targets, measured on ``clock``."""

    response: timedelta
    resolution: timedelta
    clock: ClockKind

    def __post_init__(self) -> None:
        if not isinstance(self.clock, ClockKind):
            raise ValueError(f"clock must be a ClockKind, not {self.clock!r}")
        if self.response <= _ZERO:
            raise ValueError(f"response target must be positive, got {self.response}")
        if self.resolution <= _ZERO:
            raise ValueError(f"resolution target must be positive, got {self.resolution}")
        if self.resolution < self.response:
            raise ValueError(
                f"resolution target ({self.resolution}) is shorter than the response target "
                f"({self.response})"
            )

    @classmethod
    def from_minutes(
        cls, response_minutes: float, resolution_minutes: float, clock: ClockKind | str
    ) -> Target:
        return cls(
            response=timedelta(minutes=response_minutes),
            resolution=timedelta(minutes=resolution_minutes),
            clock=_parse_clock(clock, "clock"),
        )

    def duration(self, deadline: Deadline) -> timedelta:
        return self.response if deadline is Deadline.RESPONSE else self.resolution


DEFAULT_TARGETS: dict[Priority, Target] = {
    Priority.URGENT: Target(timedelta(minutes=15), timedelta(hours=4), ClockKind.TWENTY_FOUR_SEVEN),
    Priority.NORMAL: Target(timedelta(hours=2), timedelta(hours=8), ClockKind.SERVICE),
    Priority.LOW: Target(timedelta(hours=24), timedelta(hours=72), ClockKind.SERVICE),
}


def _parse_clock(value: Any, where: str) -> ClockKind:
    if isinstance(value, ClockKind):
        return value
    text = str(value).strip().lower()
    aliases = {"24/7": ClockKind.TWENTY_FOUR_SEVEN, "service": ClockKind.SERVICE}
    aliases.update({"24x7": ClockKind.TWENTY_FOUR_SEVEN, "service_hours": ClockKind.SERVICE})
    if text not in aliases:
        raise ValueError(f"{where}: unknown clock {value!r} (expected '24/7' or 'service')")
    return aliases[text]
