"""SLA policy and configuration: targets per priority and per category, read from plain
mappings with errors that name the culprit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.rules.sla.targets import DEFAULT_TARGETS, Priority, Target, _parse_clock


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per priority, plus optional whole-target overrides per category name."""

    targets: Mapping[Priority, Target] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    by_category: Mapping[str, Target] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [p.value for p in Priority if p not in self.targets]
        if missing:
            raise ValueError(f"SLA policy has no target for priority: {', '.join(missing)}")

    @classmethod
    def from_mapping(
        cls,
        targets: Mapping[str, Mapping[str, Any]],
        by_category: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> SlaPolicy:
        """Targets as ``targets_from_mapping`` reads them; category overrides need all fields."""
        overrides: dict[str, Target] = {}
        for name, entry in (by_category or {}).items():
            overrides[str(name)] = _target_from_mapping(entry, None, f"category {name!r}")
        return cls(targets=targets_from_mapping(targets), by_category=overrides)

    def target_for(self, priority: Priority, category_overrides: Target | None = None) -> Target:
        """The category's override if given, else the priority's target."""
        if category_overrides is not None:
            return category_overrides
        return self.targets[Priority(priority)]

    def target_for_category(self, priority: Priority, category: str | None) -> Target:
        """``target_for`` with the override looked up in ``by_category``."""
        override = None if category is None else self.by_category.get(category)
        return self.target_for(priority, override)


_FIELDS = ("response_minutes", "resolution_minutes", "clock")


def targets_from_mapping(d: Mapping[str, Mapping[str, Any]]) -> dict[Priority, Target]:
    """Read targets from configuration such as::

        {"urgent": {"response_minutes": 15, "resolution_minutes": 240, "clock": "24/7"},
         "normal": {"response_minutes": 120, "resolution_minutes": 480, "clock": "service"}}

    Priorities (case-insensitive) or fields left out keep their ``DEFAULT_TARGETS`` values.
    Raises ``ValueError`` naming the culprit for an unknown priority or field, minutes that are
    not a positive number, a resolution shorter than the response, or an unknown clock.
    """
    if not isinstance(d, Mapping):
        raise ValueError(f"SLA targets must be a mapping of priority to target, got {d!r}")
    result = dict(DEFAULT_TARGETS)
    seen: set[Priority] = set()
    for key, entry in d.items():
        name = str(key).strip().lower()
        try:
            priority = Priority(name)
        except ValueError:
            allowed = ", ".join(p.value for p in Priority)
            raise ValueError(f"unknown priority {key!r} (expected one of: {allowed})") from None
        if priority in seen:
            raise ValueError(f"priority {priority.value!r} is given twice")
        seen.add(priority)
        result[priority] = _target_from_mapping(entry, DEFAULT_TARGETS[priority], priority.value)
    return result


def _target_from_mapping(entry: Any, base: Target | None, where: str) -> Target:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: target must be a mapping with {', '.join(_FIELDS)}")
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        raise ValueError(
            f"{where}: unknown field(s) {', '.join(unknown)} (expected {', '.join(_FIELDS)})"
        )
    if base is None:
        missing = [f for f in _FIELDS if f not in entry]
        if missing:
            raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    response = (
        _minutes(entry["response_minutes"], f"{where}: response_minutes")
        if "response_minutes" in entry
        else _require(base).response
    )
    resolution = (
        _minutes(entry["resolution_minutes"], f"{where}: resolution_minutes")
        if "resolution_minutes" in entry
        else _require(base).resolution
    )
    clock = (
        _parse_clock(entry["clock"], f"{where}: clock")
        if "clock" in entry
        else _require(base).clock
    )
    if resolution < response:
        raise ValueError(
            f"{where}: resolution ({resolution}) must not be shorter than response ({response})"
        )
    return Target(response=response, resolution=resolution, clock=clock)


def _require(base: Target | None) -> Target:
    assert base is not None  # guarded by the missing-field check
    return base


def _minutes(value: Any, where: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number of minutes, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{where} must be a finite number of minutes, got {value!r}")
    if value <= 0:
        raise ValueError(f"{where} must be positive, got {value!r}")
    try:
        return timedelta(minutes=value)
    except OverflowError:
        raise ValueError(f"{where} is too large, got {value!r}") from None
