"""The count of an owners' decision under Civil Code art. 278: participation (2/3 of owners
and area), then approval (ORDINARY: more than half; SPECIAL: at least 3/4), exactly."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from bot.rules.tally.ballots import Choice, OwnerBallot, resolve_ballots
from bot.rules.tally.electorate import Electorate
from bot.rules.tally.matters import Matter
from bot.rules.tally.values import _sum_areas


@dataclass(frozen=True, slots=True)
class AreaBound:
    """A floor-area threshold: ``area >= value`` if ``inclusive`` else ``area > value`` (m²).

    ``value`` is exact (2/3 of 10,000 m² is ``Fraction(20000, 3)``); show it with
    :func:`area_ceil`, prefixed "≥" or ">" according to ``inclusive``.
    """

    value: Fraction
    inclusive: bool

    def is_met(self, area: Decimal | Fraction | int) -> bool:
        """Whether ``area`` reaches this bound."""
        if isinstance(area, bool) or not isinstance(area, Decimal | Fraction | int):
            raise TypeError(f"area must be a Decimal, Fraction or int, got {type(area).__name__}")
        exact = Fraction(area)
        return exact >= self.value if self.inclusive else exact > self.value


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """The count of an owners' decision (live or final). Areas in m².

    Totals: ``total_owners`` (by head), ``total_area``. Participation: owners with an effective
    ballot of any choice (ABSTAIN included) and their area; ``head_turnout``/``area_turnout``
    are those over the totals. ``participation_by_head``/``_by_area`` are the two 2/3 tests
    (bound included) and ``participation_met`` both. ``participation_owners_needed`` is the
    minimal number of participating owners (ceil(2n/3)) and ``participation_area_needed`` the
    area bound (≥ 2/3 of the total). ``owners_short``/``area_short`` are the distance to quorum:
    how many more owners and how many more m² (exact Fraction) must take part; 0 once met.

    Approval is measured against the *current* participation: ``approval_owners_needed`` is the
    minimal number of approving owners (ORDINARY: floor(p/2)+1; SPECIAL: ceil(3p/4)) and
    ``approval_area_needed`` the area bound (ORDINARY: > half of the participating area;
    SPECIAL: ≥ 3/4 of it). ``approval_met`` needs both and at least one participant.
    ``passed`` = ``participation_met`` and ``approval_met``.

    ``missing_owner_keys`` lists owners without a ballot, largest area first (whom to remind).
    ``ineligible_owner_keys`` lists ballot owner keys not in the electorate (ignored, e.g.
    tenants). ``effective`` maps each participating owner to the ballot that counted (secret).
    """

    matter: Matter
    total_owners: int
    total_area: Decimal
    participating_owners: int
    participating_area: Decimal
    approving_owners: int
    approving_area: Decimal
    opposing_owners: int
    opposing_area: Decimal
    abstaining_owners: int
    abstaining_area: Decimal
    head_turnout: Fraction
    area_turnout: Fraction
    participation_by_head: bool
    participation_by_area: bool
    participation_met: bool
    participation_owners_needed: int
    participation_area_needed: AreaBound
    owners_short: int
    area_short: Fraction
    approval_by_head: bool
    approval_by_area: bool
    approval_met: bool
    approval_owners_needed: int
    approval_area_needed: AreaBound
    passed: bool
    missing_owner_keys: tuple[str, ...]
    ineligible_owner_keys: tuple[str, ...]
    effective: Mapping[str, OwnerBallot]


def tally_decision(
    electorate: Electorate, ballots: Iterable[OwnerBallot], matter: Matter
) -> DecisionResult:
    """Count an owners' decision under Civil Code art. 278.

    ``ballots`` may hold every ballot ever cast (changed votes, paper and electronic); they are
    reduced with :func:`resolve_ballots` after dropping owner keys outside ``electorate``. Use
    ``matter_for(item)`` to pick ``matter`` from the art. 278 item.

    Valid: participating area ≥ 2/3 of the total AND participating owners ≥ 2/3 of all owners.
    Passes (ORDINARY): approving area > 1/2 of the participating area AND approving owners > 1/2
    of the participating owners. Passes (SPECIAL): both ≥ 3/4. ABSTAIN participates but does
    not approve.
    """
    if not isinstance(electorate, Electorate):
        raise TypeError(f"expected Electorate, got {type(electorate).__name__}")
    matter = Matter(matter)
    ballots = list(ballots)
    for ballot in ballots:
        if not isinstance(ballot, OwnerBallot):
            raise TypeError(f"expected OwnerBallot, got {type(ballot).__name__}")
    ineligible = sorted({b.owner_key for b in ballots if b.owner_key not in electorate})
    effective = resolve_ballots(b for b in ballots if b.owner_key in electorate)

    by_choice: dict[Choice, list[str]] = {choice: [] for choice in Choice}
    for owner_key, ballot in effective.items():
        by_choice[ballot.choice].append(owner_key)

    def area(owner_keys: Iterable[str]) -> Decimal:
        return _sum_areas(electorate.area_of(key) for key in owner_keys)

    total_owners = electorate.owner_count
    total_area = electorate.total_area
    part_owners = len(effective)
    part_area = area(effective)
    approving_owners = len(by_choice[Choice.APPROVE])
    approving_area = area(by_choice[Choice.APPROVE])

    # Participation: "at least 2/3" of the owners and of the area, bound included.
    participation_owners_needed = math.ceil(Fraction(2 * total_owners, 3))
    participation_area_needed = AreaBound(Fraction(total_area) * 2 / 3, inclusive=True)
    by_head = 3 * part_owners >= 2 * total_owners
    by_area = 3 * Fraction(part_area) >= 2 * Fraction(total_area)

    # Approval, against the participating owners and area.
    if matter is Matter.ORDINARY:
        approval_owners_needed = part_owners // 2 + 1
        approval_area_needed = AreaBound(Fraction(part_area) / 2, inclusive=False)
        approval_by_head = 2 * approving_owners > part_owners
        approval_by_area = 2 * Fraction(approving_area) > Fraction(part_area)
    else:
        approval_owners_needed = math.ceil(Fraction(3 * part_owners, 4))
        approval_area_needed = AreaBound(Fraction(part_area) * 3 / 4, inclusive=True)
        approval_by_head = 4 * approving_owners >= 3 * part_owners
        approval_by_area = 4 * Fraction(approving_area) >= 3 * Fraction(part_area)
    approval_met = part_owners > 0 and approval_by_head and approval_by_area

    missing = sorted(
        (key for key in electorate.owner_areas if key not in effective),
        key=lambda key: (-Fraction(electorate.area_of(key)), key),
    )
    return DecisionResult(
        matter=matter,
        total_owners=total_owners,
        total_area=total_area,
        participating_owners=part_owners,
        participating_area=part_area,
        approving_owners=approving_owners,
        approving_area=approving_area,
        opposing_owners=len(by_choice[Choice.OPPOSE]),
        opposing_area=area(by_choice[Choice.OPPOSE]),
        abstaining_owners=len(by_choice[Choice.ABSTAIN]),
        abstaining_area=area(by_choice[Choice.ABSTAIN]),
        head_turnout=Fraction(part_owners, total_owners),
        area_turnout=Fraction(part_area) / Fraction(total_area),
        participation_by_head=by_head,
        participation_by_area=by_area,
        participation_met=by_head and by_area,
        participation_owners_needed=participation_owners_needed,
        participation_area_needed=participation_area_needed,
        owners_short=max(0, participation_owners_needed - part_owners),
        area_short=max(Fraction(0), participation_area_needed.value - Fraction(part_area)),
        approval_by_head=approval_by_head,
        approval_by_area=approval_by_area,
        approval_met=approval_met,
        approval_owners_needed=approval_owners_needed,
        approval_area_needed=approval_area_needed,
        passed=by_head and by_area and approval_met,
        missing_owner_keys=tuple(missing),
        ineligible_owner_keys=tuple(ineligible),
        effective=MappingProxyType(effective),
    )
