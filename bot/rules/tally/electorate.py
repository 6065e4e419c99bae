"""The owners entitled to an owners' decision: units with their exclusive area, one owner key
per unit, the developer's units as one owner."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from bot.rules.tally.values import _check_key, _sum_areas

DEVELOPER_OWNER_KEY = "@developer"
"""The one owner key shared by all the developer's unsold or undelivered units (建设单位)."""


def owner_key_for(owner_key: str | None, *, developer: bool = False) -> str:
    """The owner key a unit votes under.

    ``developer=True`` (unsold or sold-but-undelivered unit) maps to :data:`DEVELOPER_OWNER_KEY`
    whatever ``owner_key`` says, so all such units count as ONE owner. Otherwise ``owner_key``
    is required and must not be the reserved developer key.
    """
    if developer:
        return DEVELOPER_OWNER_KEY
    if owner_key is None:
        raise ValueError("a unit that is not the developer's needs an owner key")
    _check_key(owner_key, "owner_key")
    if owner_key == DEVELOPER_OWNER_KEY:
        raise ValueError(f"{DEVELOPER_OWNER_KEY!r} is reserved for developer=True")
    return owner_key


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit in an owners' decision: its key, registered exclusive area (m²) and owner key.

    ``area`` must be a positive finite :class:`~decimal.Decimal` (the registered area of the
    exclusive part, 专有部分面积; floats are refused). Co-owned units carry one owner key for the
    co-owners together (they choose one voter). Use :meth:`of` to map a developer flag.
    """

    unit_key: str
    area: Decimal
    owner_key: str

    def __post_init__(self) -> None:
        _check_key(self.unit_key, "unit_key")
        _check_key(self.owner_key, "owner_key")
        if not isinstance(self.area, Decimal):
            raise TypeError(f"area of {self.unit_key} must be a Decimal, got {self.area!r}")
        if not self.area.is_finite() or self.area <= 0:
            raise ValueError(f"area of {self.unit_key} must be positive, got {self.area}")

    @classmethod
    def of(
        cls, unit_key: str, area: Decimal, owner_key: str | None, *, developer: bool = False
    ) -> Unit:
        """Build a unit, mapping ``developer=True`` to :data:`DEVELOPER_OWNER_KEY`."""
        return cls(unit_key, area, owner_key_for(owner_key, developer=developer))


class Electorate:
    """The owners entitled to an owners' decision, built from units.

    Owners are the distinct owner keys; each owner's area is the exact sum of their units'
    areas. Raises :class:`ValueError` on an empty electorate or a repeated unit key.
    """

    __slots__ = ("_owner_areas", "_owner_units", "_total_area", "_unit_owners", "_units")

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units = tuple(units)
        if not self._units:
            raise ValueError("an electorate needs at least one unit")
        unit_owners: dict[str, str] = {}
        owner_units: dict[str, list[Unit]] = {}
        for unit in self._units:
            if not isinstance(unit, Unit):
                raise TypeError(f"expected Unit, got {type(unit).__name__}")
            if unit.unit_key in unit_owners:
                raise ValueError(f"unit {unit.unit_key!r} appears twice")
            unit_owners[unit.unit_key] = unit.owner_key
            owner_units.setdefault(unit.owner_key, []).append(unit)
        self._unit_owners: Mapping[str, str] = MappingProxyType(unit_owners)
        self._owner_units: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {owner: tuple(u.unit_key for u in held) for owner, held in owner_units.items()}
        )
        self._owner_areas: Mapping[str, Decimal] = MappingProxyType(
            {owner: _sum_areas(u.area for u in held) for owner, held in owner_units.items()}
        )
        self._total_area = _sum_areas(u.area for u in self._units)

    @property
    def units(self) -> tuple[Unit, ...]:
        return self._units

    @property
    def owner_count(self) -> int:
        """Number of owners by head (each owner key once)."""
        return len(self._owner_areas)

    @property
    def total_area(self) -> Decimal:
        """Exact sum of all units' areas."""
        return self._total_area

    @property
    def owner_areas(self) -> Mapping[str, Decimal]:
        """Area held by each owner (all their units together)."""
        return self._owner_areas

    def __contains__(self, owner_key: object) -> bool:
        return owner_key in self._owner_areas

    def owner_of(self, unit_key: str) -> str:
        """The owner key voting for ``unit_key`` (e.g. for a paper ballot recorded by unit).

        Raises :class:`KeyError` for an unknown unit.
        """
        return self._unit_owners[unit_key]

    def area_of(self, owner_key: str) -> Decimal:
        """All the area held by ``owner_key``; :class:`KeyError` if not an owner."""
        return self._owner_areas[owner_key]

    def units_of(self, owner_key: str) -> tuple[str, ...]:
        """The unit keys held by ``owner_key``; :class:`KeyError` if not an owner."""
        return self._owner_units[owner_key]
