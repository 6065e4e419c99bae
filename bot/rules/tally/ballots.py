"""Owners' ballots, electronic or on paper, and the one effective ballot per owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.rules.tally.values import _check_cast_at, _check_key


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
