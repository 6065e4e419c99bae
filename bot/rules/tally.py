"""Vote counting for residentbot: resident polls and owners' decisions (业主共同决定).

Pure domain rules: no Telegram, no database, no clock, standard library only. Every count is an
``int``, every floor area a :class:`~decimal.Decimal` (m², summed exactly) and every ratio or
threshold a :class:`~fractions.Fraction`. Floats are refused wherever a number comes in.

Two kinds of vote (PRODUCT.md, "Proposals and votes"):

* **Resident poll** (:func:`tally_poll`): one vote per verified household (unit) or per verified
  resident, as the proposal says (:class:`PollBasis`). A voter may change their vote until the
  close; the latest ballot per voting key counts. With ``HOUSEHOLD`` basis several residents of
  one unit share one vote and the latest ballot cast by any of them counts. The winner is the
  option with the most votes among the options that are *not* marked ``counts_as_abstain``
  (plurality of votes cast); abstentions count towards turnout and quorum only. A tie for the
  most votes has no winner; neither has a poll that missed its quorum.

* **Owners' decision** (:func:`tally_decision`, Civil Code art. 278, SPC interpretation on
  建筑物区分所有权 arts. 8-9): one vote per owner, weighed by the registered exclusive floor area
  of all the units the owner holds. An owner of several units counts once by head and with all
  their area; the developer's unsold or undelivered units together count as one owner
  (:data:`DEVELOPER_OWNER_KEY`, :func:`owner_key_for`); co-owners of a unit pick one voter, so a
  unit has exactly one owner key. The decision is *valid* when the participating owners hold at
  least 2/3 of the total area AND are at least 2/3 of all owners. It then *passes* when approved
  by more than half of the participating area AND more than half of the participating owners
  (ORDINARY matters), or by at least 3/4 of both (SPECIAL matters: art. 278 items 6-8).
  "At least" (以上) includes the bound and "more than half" (过半数) does not (Civil Code
  art. 1259). An ABSTAIN ballot is participation: it counts towards the 2/3 thresholds and sits
  in the denominator of the approval ratios, so it never helps a matter pass.

Receipts (:func:`receipt`, :func:`verify_receipt`) let a voter check that their ballot was
counted without revealing it to anyone else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import MAX_PREC, Context, Decimal, Inexact, InvalidOperation, Rounded, localcontext
from enum import IntEnum, StrEnum
from fractions import Fraction
from types import MappingProxyType

__all__ = [
    "DEVELOPER_OWNER_KEY",
    "MIN_NONCE_BYTES",
    "RECEIPT_LENGTH",
    "AreaBound",
    "Art278Item",
    "BallotSource",
    "Choice",
    "ConflictingBallotsError",
    "DecisionResult",
    "Electorate",
    "Matter",
    "OwnerBallot",
    "PollBallot",
    "PollBasis",
    "PollOption",
    "PollResult",
    "Unit",
    "area_ceil",
    "matter_for",
    "owner_key_for",
    "receipt",
    "resolve_ballots",
    "resolve_poll_ballots",
    "tally_decision",
    "tally_poll",
    "verify_receipt",
]


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _check_key(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


def _check_cast_at(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"cast_at must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"cast_at must be timezone-aware, got {value!r}")
    return value


def _sum_areas(values: Iterable[Decimal]) -> Decimal:
    """Sum decimals exactly, whatever the ambient decimal context (it traps any rounding)."""
    exact = Context(prec=MAX_PREC, traps=[InvalidOperation, Inexact, Rounded])
    total = Decimal(0)
    with localcontext(exact):
        for value in values:
            total += value
    return total


def area_ceil(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """Round an exact area up to ``places`` decimals, for display ("6,666.67 m² more").

    Rounding *up* keeps the advice safe: reaching the displayed figure always meets the bound.
    """
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(f"area must be a Fraction, Decimal or int, got {type(value).__name__}")
    if places < 0:
        raise ValueError("places must be >= 0")
    scaled = math.ceil(Fraction(value) * 10**places)
    return Decimal(scaled).scaleb(-places, Context(prec=MAX_PREC))


# --------------------------------------------------------------------------------------------
# Resident poll
# --------------------------------------------------------------------------------------------


class PollBasis(StrEnum):
    """Who holds a vote in a resident poll."""

    HOUSEHOLD = "household"
    """One vote per verified household (unit, 住户); the latest ballot from the unit counts."""
    RESIDENT = "resident"
    """One vote per verified resident (居民), tenants included."""


@dataclass(frozen=True, slots=True)
class PollOption:
    """An option of a resident poll. ``counts_as_abstain`` options (弃权) never win."""

    key: str
    counts_as_abstain: bool = False

    def __post_init__(self) -> None:
        _check_key(self.key, "option key")


@dataclass(frozen=True, slots=True)
class PollBallot:
    """One ballot in a resident poll: who, from which unit, for which option, when (tz-aware)."""

    voter_key: str
    unit_key: str
    option: str
    cast_at: datetime

    def __post_init__(self) -> None:
        _check_key(self.voter_key, "voter_key")
        _check_key(self.unit_key, "unit_key")
        _check_key(self.option, "option")
        _check_cast_at(self.cast_at)


@dataclass(frozen=True, slots=True)
class PollResult:
    """The count of a resident poll.

    ``counts`` holds every option in the proposal's order (zero included). ``turnout`` is the
    number of effective ballots from eligible voters (abstentions included) and
    ``turnout_share`` that number over ``eligible`` (0 when nobody is eligible).
    ``quorum_votes_needed`` is the minimal turnout meeting the quorum (0 without a quorum) and
    ``votes_short`` how many more votes are needed to reach it (0 once met). ``leaders`` are the
    non-abstain options with the most votes (empty if none has a vote); ``tie`` is true when
    there are several. ``winner`` is the single leader, or None on a tie, without votes for a
    non-abstain option, or when the quorum is not met. ``ineligible_keys`` are the voting keys
    whose ballots were ignored (not in the audience); ``effective`` maps each counted voting key
    to its counted ballot (internal: ballots are secret).
    """

    basis: PollBasis
    eligible: int
    counts: Mapping[str, int]
    turnout: int
    turnout_share: Fraction
    abstentions: int
    quorum: Fraction | None
    quorum_votes_needed: int
    votes_short: int
    quorum_met: bool
    leaders: tuple[str, ...]
    tie: bool
    winner: str | None
    ineligible_keys: tuple[str, ...]
    effective: Mapping[str, PollBallot]


def _poll_key(ballot: PollBallot, basis: PollBasis) -> str:
    return ballot.unit_key if basis is PollBasis.HOUSEHOLD else ballot.voter_key


def resolve_poll_ballots(ballots: Iterable[PollBallot], basis: PollBasis) -> dict[str, PollBallot]:
    """The ballot that counts for each voting key (unit key or voter key, as ``basis`` says).

    The latest ``cast_at`` wins, so a voter can change their vote, and with ``HOUSEHOLD`` basis
    the last resident of a unit to vote speaks for it. Ballots cast at the very same instant for
    the same key are ordered by ``(voter_key, option)`` and the greater wins, so the result never
    depends on the input order. The returned dict is ordered by key.
    """
    basis = PollBasis(basis)
    best: dict[str, PollBallot] = {}
    for ballot in ballots:
        if not isinstance(ballot, PollBallot):
            raise TypeError(f"expected PollBallot, got {type(ballot).__name__}")
        key = _poll_key(ballot, basis)
        current = best.get(key)
        if current is None or (ballot.cast_at, ballot.voter_key, ballot.option) > (
            current.cast_at,
            current.voter_key,
            current.option,
        ):
            best[key] = ballot
    return {key: best[key] for key in sorted(best)}


def tally_poll(
    options: Sequence[PollOption],
    ballots: Iterable[PollBallot],
    *,
    basis: PollBasis,
    eligible: Collection[str],
    quorum: Fraction | None = None,
) -> PollResult:
    """Count a resident poll.

    ``eligible`` is the audience: unit keys of verified households (``HOUSEHOLD``) or voter keys
    of verified residents (``RESIDENT``); ballots from other keys are ignored and listed in
    ``ineligible_keys``. ``quorum`` is an optional share of ``eligible`` that must vote (abstain
    included), e.g. ``Fraction(1, 2)``; "at least": a turnout of exactly the bound meets it.
    A ballot for an option that is not in ``options`` raises :class:`ValueError`.
    """
    basis = PollBasis(basis)
    options = tuple(options)
    if not options:
        raise ValueError("a poll needs at least one option")
    for option in options:
        if not isinstance(option, PollOption):
            raise TypeError(f"expected PollOption, got {type(option).__name__}")
    keys = [option.key for option in options]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate option keys in {keys}")
    if quorum is not None:
        if not isinstance(quorum, Fraction):
            raise TypeError(f"quorum must be a Fraction, got {type(quorum).__name__}")
        if not 0 <= quorum <= 1:
            raise ValueError(f"quorum must be between 0 and 1, got {quorum}")
    if isinstance(eligible, str):
        raise TypeError("eligible must be a collection of keys, not a single str")
    audience = frozenset(eligible)
    for key in audience:
        _check_key(key, "eligible key")

    ballots = list(ballots)
    known = set(keys)
    for ballot in ballots:
        if not isinstance(ballot, PollBallot):
            raise TypeError(f"expected PollBallot, got {type(ballot).__name__}")
        if ballot.option not in known:
            raise ValueError(f"ballot for unknown option {ballot.option!r}")
    ineligible = sorted({_poll_key(b, basis) for b in ballots} - audience)
    effective = resolve_poll_ballots((b for b in ballots if _poll_key(b, basis) in audience), basis)

    counts = dict.fromkeys(keys, 0)
    for ballot in effective.values():
        counts[ballot.option] += 1
    abstain_keys = {option.key for option in options if option.counts_as_abstain}
    turnout = len(effective)
    eligible_count = len(audience)
    turnout_share = Fraction(turnout, eligible_count) if eligible_count else Fraction(0)
    needed = 0 if quorum is None else math.ceil(quorum * eligible_count)
    quorum_met = turnout >= needed

    voted = {key: n for key, n in counts.items() if key not in abstain_keys and n > 0}
    top = max(voted.values(), default=0)
    leaders = tuple(key for key in keys if voted.get(key, 0) == top and top > 0)
    winner = leaders[0] if len(leaders) == 1 and quorum_met else None

    return PollResult(
        basis=basis,
        eligible=eligible_count,
        counts=MappingProxyType(counts),
        turnout=turnout,
        turnout_share=turnout_share,
        abstentions=sum(counts[key] for key in abstain_keys),
        quorum=quorum,
        quorum_votes_needed=needed,
        votes_short=max(0, needed - turnout),
        quorum_met=quorum_met,
        leaders=leaders,
        tie=len(leaders) > 1,
        winner=winner,
        ineligible_keys=tuple(ineligible),
        effective=MappingProxyType(effective),
    )


# --------------------------------------------------------------------------------------------
# Owners' decision: matters
# --------------------------------------------------------------------------------------------


class Matter(StrEnum):
    """How much approval an owners' decision needs (Civil Code art. 278, second paragraph)."""

    ORDINARY = "ordinary"
    """More than half (过半数) of the participating area and of the participating owners."""
    SPECIAL = "special"
    """At least 3/4 (四分之三以上) of the participating area and of the participating owners."""


class Art278Item(IntEnum):
    """The matters owners decide jointly, Civil Code art. 278 first paragraph, items 1-9.

    1. RULES_OF_PROCEDURE: 制定和修改业主大会议事规则
    2. MANAGEMENT_STATUTE: 制定和修改管理规约
    3. OWNERS_COMMITTEE: 选举业主委员会或者更换业主委员会成员
    4. PROPERTY_MANAGER: 选聘和解聘物业服务企业或者其他管理人
    5. USE_MAINTENANCE_FUND: 使用建筑物及其附属设施的维修资金
    6. RAISE_MAINTENANCE_FUND: 筹集建筑物及其附属设施的维修资金 (special)
    7. REBUILD: 改建、重建建筑物及其附属设施 (special)
    8. CHANGE_COMMON_PARTS_USE: 改变共有部分的用途或者利用共有部分从事经营活动 (special)
    9. OTHER_MAJOR_MATTER: 有关共有和共同管理权利的其他重大事项

    The Chinese wording of each item is :attr:`statute_zh`.
    """

    RULES_OF_PROCEDURE = 1
    MANAGEMENT_STATUTE = 2
    OWNERS_COMMITTEE = 3
    PROPERTY_MANAGER = 4
    USE_MAINTENANCE_FUND = 5
    RAISE_MAINTENANCE_FUND = 6
    REBUILD = 7
    CHANGE_COMMON_PARTS_USE = 8
    OTHER_MAJOR_MATTER = 9

    @property
    def statute_zh(self) -> str:
        """The item's wording in Civil Code art. 278."""
        return _ART_278_ZH[self]

    @property
    def matter(self) -> Matter:
        """Shorthand for :func:`matter_for`."""
        return matter_for(self)


_ART_278_ZH: Mapping[Art278Item, str] = MappingProxyType(
    {
        Art278Item.RULES_OF_PROCEDURE: "制定和修改业主大会议事规则",
        Art278Item.MANAGEMENT_STATUTE: "制定和修改管理规约",
        Art278Item.OWNERS_COMMITTEE: "选举业主委员会或者更换业主委员会成员",
        Art278Item.PROPERTY_MANAGER: "选聘和解聘物业服务企业或者其他管理人",
        Art278Item.USE_MAINTENANCE_FUND: "使用建筑物及其附属设施的维修资金",
        Art278Item.RAISE_MAINTENANCE_FUND: "筹集建筑物及其附属设施的维修资金",
        Art278Item.REBUILD: "改建、重建建筑物及其附属设施",
        Art278Item.CHANGE_COMMON_PARTS_USE: "改变共有部分的用途或者利用共有部分从事经营活动",
        Art278Item.OTHER_MAJOR_MATTER: "有关共有和共同管理权利的其他重大事项",
    }
)

_SPECIAL_ITEMS = frozenset(
    {
        Art278Item.RAISE_MAINTENANCE_FUND,
        Art278Item.REBUILD,
        Art278Item.CHANGE_COMMON_PARTS_USE,
    }
)


def matter_for(item: Art278Item | int) -> Matter:
    """The approval rule of an art. 278 item: items 6-8 are SPECIAL, all others ORDINARY.

    Using the maintenance fund (item 5) is ORDINARY; raising it (item 6) is SPECIAL. A plain
    ``int`` 1..9 is accepted; anything else raises :class:`ValueError`.
    """
    if isinstance(item, bool) or not isinstance(item, int):
        raise TypeError(f"item must be an Art278Item or int, got {type(item).__name__}")
    return Matter.SPECIAL if Art278Item(item) in _SPECIAL_ITEMS else Matter.ORDINARY


# --------------------------------------------------------------------------------------------
# Owners' decision: electorate
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Owners' decision: ballots
# --------------------------------------------------------------------------------------------


class Choice(StrEnum):
    """An owner's choice. ABSTAIN (弃权) takes part but does not approve."""

    APPROVE = "approve"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"


class BallotSource(StrEnum):
    """How a ballot reached us: in the bot, or a signed paper ballot (书面征求意见)."""

    ELECTRONIC = "electronic"
    PAPER = "paper"


_SOURCE_RANK = {BallotSource.ELECTRONIC: 0, BallotSource.PAPER: 1}


@dataclass(frozen=True, slots=True)
class OwnerBallot:
    """One ballot of an owner (already resolved to the owner key it speaks for).

    ``choice`` and ``source`` accept their enum or its string value. ``cast_at`` must be
    timezone-aware; for paper ballots it is the time the owner signed (as the officer records).
    ``unit_key`` optionally records the unit a paper ballot was filed under (provenance only;
    counting is by ``owner_key``, see :meth:`Electorate.owner_of`).
    """

    owner_key: str
    choice: Choice
    source: BallotSource
    cast_at: datetime
    unit_key: str | None = None

    def __post_init__(self) -> None:
        _check_key(self.owner_key, "owner_key")
        object.__setattr__(self, "choice", Choice(self.choice))
        object.__setattr__(self, "source", BallotSource(self.source))
        _check_cast_at(self.cast_at)
        if self.unit_key is not None:
            _check_key(self.unit_key, "unit_key")


class ConflictingBallotsError(ValueError):
    """Two ballots for one owner tie on time and source but differ in choice.

    The officer must settle which one stands (e.g. correct the recorded signing time).
    """

    def __init__(self, owner_key: str, ballots: tuple[OwnerBallot, OwnerBallot]) -> None:
        super().__init__(
            f"owner {owner_key!r} has conflicting {ballots[0].source.value} ballots cast at "
            f"{ballots[0].cast_at.isoformat()}: {ballots[0].choice.value} vs "
            f"{ballots[1].choice.value}"
        )
        self.owner_key = owner_key
        self.ballots = ballots


def _ballot_rank(ballot: OwnerBallot) -> tuple[datetime, int]:
    return (ballot.cast_at, _SOURCE_RANK[ballot.source])


def resolve_ballots(ballots: Iterable[OwnerBallot]) -> dict[str, OwnerBallot]:
    """The one effective ballot per owner key, de-duplicating electronic and paper ballots.

    Rule: the latest ``cast_at`` wins (an owner may change their vote until the close, on paper
    or in the bot). At the same instant a PAPER ballot beats an ELECTRONIC one (a signed paper
    is the stronger evidence). Duplicates (same instant, source and choice, e.g. one paper
    ballot filed under each unit of a multi-unit owner) collapse into one; the one kept is the
    greatest ``unit_key`` so the result never depends on the input order. Two ballots of the
    same source at the same instant with different choices raise
    :class:`ConflictingBallotsError` rather than being guessed at. Since a unit has exactly one
    owner key, de-duplication by owner also de-duplicates by unit (map a unit to its owner with
    :meth:`Electorate.owner_of`). The returned dict is ordered by owner key.
    """
    ballots = list(ballots)
    best: dict[str, OwnerBallot] = {}
    for ballot in ballots:
        if not isinstance(ballot, OwnerBallot):
            raise TypeError(f"expected OwnerBallot, got {type(ballot).__name__}")
        current = best.get(ballot.owner_key)
        if current is None or (_ballot_rank(ballot), ballot.unit_key or "") > (
            _ballot_rank(current),
            current.unit_key or "",
        ):
            best[ballot.owner_key] = ballot
    for ballot in ballots:
        winner = best[ballot.owner_key]
        if _ballot_rank(ballot) == _ballot_rank(winner) and ballot.choice is not winner.choice:
            raise ConflictingBallotsError(ballot.owner_key, (winner, ballot))
    return {key: best[key] for key in sorted(best)}


# --------------------------------------------------------------------------------------------
# Owners' decision: the count
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Receipts
# --------------------------------------------------------------------------------------------

RECEIPT_LENGTH = 10
"""Characters in a receipt code (RFC 4648 base32, upper case: 50 bits of HMAC-SHA256)."""

MIN_NONCE_BYTES = 16
"""The shortest accepted nonce; use ``secrets.token_bytes(32)`` and keep it server-side."""

_RECEIPT_DOMAIN = b"residentbot/ballot-receipt/v1"


def _receipt_mac(proposal_id: int, voter_key: str, nonce: bytes) -> str:
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        raise TypeError(f"proposal_id must be an int, got {type(proposal_id).__name__}")
    _check_key(voter_key, "voter_key")
    if not isinstance(nonce, bytes):
        raise TypeError(f"nonce must be bytes, got {type(nonce).__name__}")
    if len(nonce) < MIN_NONCE_BYTES:
        raise ValueError(f"nonce must be at least {MIN_NONCE_BYTES} bytes")
    # The decimal id holds no NUL, and the voter key comes last: the encoding is unambiguous.
    message = b"\x00".join(
        (_RECEIPT_DOMAIN, str(proposal_id).encode("ascii"), voter_key.encode("utf-8"))
    )
    digest = hmac.new(nonce, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:RECEIPT_LENGTH]


def receipt(proposal_id: int, voter_key: str, nonce: bytes) -> str:
    """A short code the voter keeps to check that their ballot was counted.

    ``HMAC-SHA256(key=nonce, "residentbot/ballot-receipt/v1" NUL proposal_id NUL voter_key)``,
    base32-encoded and cut to :data:`RECEIPT_LENGTH` upper-case characters (A-Z, 2-7). The
    nonce is a secret random value (≥ :data:`MIN_NONCE_BYTES` bytes) stored with the ballot, so
    nobody can recompute a receipt from public keys. The code does not encode the choice.
    """
    return _receipt_mac(proposal_id, voter_key, nonce)


def verify_receipt(proposal_id: int, voter_key: str, nonce: bytes, code: str) -> bool:
    """Whether ``code`` is the receipt of ``voter_key`` on ``proposal_id`` with ``nonce``.

    Case, spaces and hyphens in ``code`` are ignored (``"abcde-fghij"`` is fine); the
    comparison is constant-time.
    """
    if not isinstance(code, str):
        return False
    given = "".join(code.split()).replace("-", "").upper()
    expected = _receipt_mac(proposal_id, voter_key, nonce)
    return hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii"))
