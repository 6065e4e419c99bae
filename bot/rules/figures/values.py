"""Shares that may have nothing to divide by, and the median and 90th percentile of
durations."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Share:
    """``part`` of ``whole``; ``value`` is None when there is nothing to divide by (e.g. no
    ratings yet), never a division by zero."""

    part: int
    whole: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.part, self.whole) if self.whole else None

    def meets(self, target: Fraction) -> bool | None:
        value = self.value
        return None if value is None else value >= target


@dataclass(frozen=True, slots=True)
class Durations:
    """Median and 90th percentile (nearest rank: the value at rank ceil(0.9 n) of n sorted
    values) of durations in seconds; None for both when there are none."""

    count: int
    median: float | None
    p90: float | None


def durations(values: Sequence[int]) -> Durations:
    if not values:
        return Durations(0, None, None)
    ordered = sorted(values)
    rank = math.ceil(len(ordered) * 9 / 10)
    return Durations(len(ordered), float(statistics.median(ordered)), float(ordered[rank - 1]))
