"""Resident polls: one vote per household or per resident, the latest ballot counts, the
plurality of non-abstain options wins if the quorum is met."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from bot.rules.tally.values import _check_cast_at, _check_key


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
