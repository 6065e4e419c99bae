"""The community's other figures of a period: votes closed (turnout by head and by area, and
their result as ``bot.rules.tally`` counted it at the close), room use against the 80 % target
(computed by ``bot.rules.slots.utilisation_of_days``, as /utilisation is), notices sent
and their delivery, joint meetings held this year against 12, and volunteering (activities
held, volunteer hours of those who came, how many people came)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from bot.rules.figures.period import Period
from bot.rules.figures.tickets import TicketFigures
from bot.rules.figures.values import Share
from bot.rules.votes import OptionDef

SATISFACTION_TARGET = Fraction(9, 10)
UTILISATION_TARGET = Fraction(4, 5)
MEETINGS_TARGET = 12


class VoteOutcome(StrEnum):
    PASSED = "passed"  # an owners' decision that passed
    NOT_PASSED = "not_passed"
    INVALID = "invalid"  # too few owners (or too little area) took part
    WINNER = "winner"  # a poll with a winner
    TIE = "tie"
    NO_QUORUM = "no_quorum"
    EMPTY = "empty"  # nobody could vote


@dataclass(frozen=True)
class VoteFigure:
    proposal_id: int
    title: str
    kind: str  # "poll" or "decision"
    head: Share  # voters (owners, households or residents) of those who could vote
    area_part: Decimal | None  # owners' decisions: m² of the owners who took part
    area_total: Decimal | None
    outcome: VoteOutcome
    winner: str | None  # a poll's winning option key
    options: tuple[OptionDef, ...] = ()

    @property
    def area_turnout(self) -> Fraction | None:
        if self.area_part is None or not self.area_total:
            return None
        return Fraction(self.area_part) / Fraction(self.area_total)


def vote_figure(
    proposal_id: int,
    title: str,
    result: Mapping[str, Any],
    options: tuple[OptionDef, ...] = (),
) -> VoteFigure:
    """A closed vote's figure from the result stored at its close (``bot.rules.votes.count``
    over ``bot.rules.tally``)."""
    if result.get("kind") == "decision":
        if result.get("empty"):
            return VoteFigure(
                proposal_id,
                title,
                "decision",
                Share(0, 0),
                None,
                None,
                VoteOutcome.EMPTY,
                None,
                options,
            )
        valid = bool(result["participation_by_head"]) and bool(result["participation_by_area"])
        outcome = (
            VoteOutcome.PASSED
            if result["passed"]
            else VoteOutcome.NOT_PASSED
            if valid
            else VoteOutcome.INVALID
        )
        return VoteFigure(
            proposal_id,
            title,
            "decision",
            Share(int(result["part_owners"]), int(result["total_owners"])),
            Decimal(result["part_area"]),
            Decimal(result["total_area"]),
            outcome,
            None,
            options,
        )
    head = Share(int(result.get("turnout", 0)), int(result.get("eligible", 0)))
    if not head.whole:
        outcome = VoteOutcome.EMPTY
    elif result.get("quorum_met") is False:
        outcome = VoteOutcome.NO_QUORUM
    elif result.get("winner") is not None:
        outcome = VoteOutcome.WINNER
    else:
        outcome = VoteOutcome.TIE
    winner = result.get("winner")
    return VoteFigure(proposal_id, title, "poll", head, None, None, outcome, winner, options)


@dataclass(frozen=True)
class RoomFigure:
    room_id: int
    names: dict[str, str]
    use: Fraction

    @property
    def meets_target(self) -> bool:
        return self.use >= UTILISATION_TARGET


@dataclass(frozen=True)
class NoticeFigures:
    """Notices sent in the period and what became of their messages (one per recipient)."""

    sent: int
    delivered: int
    blocked: int
    failed: int
    waiting: int

    @property
    def delivery(self) -> Share:
        """Delivered ÷ messages whose fate is known (still waiting ones are left out)."""
        return Share(self.delivered, self.delivered + self.blocked + self.failed)


@dataclass(frozen=True)
class MeetingFigures:
    held_this_year: int
    target: int = MEETINGS_TARGET

    @property
    def share(self) -> Share:
        return Share(self.held_this_year, self.target)


@dataclass(frozen=True)
class OutageFigures:
    """Outages declared in the period, each counted once, with their reports: residents who
    followed one instead of reporting it, and tickets that were part of one."""

    declared: int = 0
    followed: int = 0
    tickets: int = 0

    @property
    def reports(self) -> int:
        return self.followed + self.tickets


@dataclass(frozen=True)
class VolunteerFigures:
    activities: int = 0
    minutes: int = 0  # volunteer time of those who came (each person's activity length)
    participants: int = 0  # different people who came


@dataclass(frozen=True)
class Figures:
    """Every figure of a period, for the community (``building_id`` None) or one building,
    counted at ``now``."""

    period: Period
    building_id: int | None
    now: int
    tickets: TicketFigures
    votes: list[VoteFigure]
    rooms: list[RoomFigure]
    notices: NoticeFigures
    meetings: MeetingFigures
    outages: OutageFigures = OutageFigures()
    volunteering: VolunteerFigures = VolunteerFigures()
