"""Proposals and votes: pure helpers between the database rows and ``bot.rules.tally``.

No Telegram, no database. Builds the tally's inputs from plain rows (units, verified residents,
current ballots) and turns a tally into a JSON-able summary stored with the closed proposal;
``bot.texts.votes`` says them in a reader's language.

Rules decided here (see README, "Proposals and votes"):

* the *counting key* of a ballot: the owner key for an owners' decision (co-owners and several
  owner-residents of one owner share it, so the latest ballot for that owner counts), ``u<unit
  id>`` for a household poll, ``r<user id>`` for a resident poll;
* paper against electronic for one counting key: the latest ``cast_at`` wins and at the same
  instant the paper ballot wins (``bot.rules.tally.resolve_ballots``'s rule, applied to polls too);
* the voting window (``voting_window``): the author picks the opening ("on approval" or a day
  at 08:00 in the community's zone) and a duration counted from the opening. Approved before
  the chosen opening: it opens then. Approved after it: it opens at the approval and keeps the
  chosen close (opening + duration) if at least one full day of voting is left, otherwise it
  closes one full duration after the approval. A close is then moved on to the next round hour
  of the community's evening (``CLOSING_HOUR``, 20:00 in its zone; ``closing_at``), never
  earlier, so a vote opened at night does not close at 03:49.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.rules.clock import from_ts
from bot.rules.tally import (
    Art278Item,
    BallotSource,
    Choice,
    DecisionResult,
    Electorate,
    OwnerBallot,
    PollBallot,
    PollBasis,
    PollOption,
    Unit,
    matter_for,
    tally_decision,
    tally_poll,
)

MAX_OPTIONS = 8


MAX_OPTION_LENGTH = 60


DAY = 86_400


REMIND_BEFORE = DAY  # the one reminder goes 24 h before the close (at half-time if shorter)


MIN_LEFT = DAY  # approved late: the chosen close is kept only if this much voting time is left


OPENING_HOUR = 8  # a chosen opening is at 08:00 in the community's zone


OPENING_DAYS = (1, 3, 7)  # offered: tomorrow, in 3 days, in 7 days


CLOSING_HOUR = 20  # a vote closes at 20:00 in the community's zone


def closing_at(earliest: int, tz: tzinfo) -> int:
    """The first ``CLOSING_HOUR`` o'clock (community zone) at or after ``earliest`` (unix s)."""
    local = from_ts(earliest).astimezone(tz)
    close = datetime.combine(local.date(), time(CLOSING_HOUR), tzinfo=tz)
    if close < local:
        close = datetime.combine(local.date() + timedelta(days=1), time(CLOSING_HOUR), tzinfo=tz)
    return int(close.timestamp())


def opening_at(now: datetime, days: int, tz: tzinfo) -> datetime:
    """08:00 (community zone) ``days`` calendar days after ``now``'s local date."""
    local_day = now.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(local_day, time(OPENING_HOUR), tzinfo=tz)


def opening_choices(now: datetime, tz: tzinfo) -> list[tuple[int, datetime]]:
    """The openings offered while drafting: (days ahead, moment)."""
    return [(days, opening_at(now, days, tz)) for days in OPENING_DAYS]


def valid_opening(at: int, now: int, tz: tzinfo) -> bool:
    """A picked opening (unix seconds; 0: on approval) is acceptable: on approval, or a future
    08:00 in the community's zone no further ahead than the furthest choice offered now (a
    choice offered earlier is never further ahead than that)."""
    if at == 0:
        return True
    furthest = int(opening_at(from_ts(now), max(OPENING_DAYS), tz).timestamp())
    if not now < at <= furthest:
        return False
    return from_ts(at).astimezone(tz).time() == time(OPENING_HOUR)


@dataclass(frozen=True)
class Window:
    """When an approved proposal opens, gets its one reminder, and closes (unix seconds)."""

    opens_at: int
    remind_at: int
    closes_at: int


def voting_window(
    requested: int | None, duration_days: int, approved_at: int, tz: tzinfo
) -> Window:
    """The voting window of a proposal approved at ``approved_at``.

    ``requested`` is the opening the author chose (None: on approval). Still ahead: voting opens
    then and closes ``duration_days`` later. Passed (or on approval): voting opens at the
    approval; the chosen close (requested + duration) is kept when at least ``MIN_LEFT`` is
    left, otherwise it closes one full duration after the approval; either close is moved on to
    the next ``CLOSING_HOUR`` in ``tz`` (``closing_at``)."""
    duration = duration_days * DAY
    if requested is not None and requested > approved_at:
        opens = requested
        closes = requested + duration
    else:
        opens = approved_at
        closes = approved_at + duration
        if requested is not None and requested + duration - approved_at >= MIN_LEFT:
            closes = requested + duration
    closes = closing_at(closes, tz)
    remind = max(opens + (closes - opens) // 2, closes - REMIND_BEFORE)
    return Window(opens, remind, closes)


@dataclass(frozen=True)
class OptionDef:
    """One option of a proposal. ``label`` None: a default option, translated where shown."""

    key: str
    label: str | None = None
    abstain: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "abstain": self.abstain}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OptionDef:
        return cls(str(data["key"]), data.get("label"), bool(data.get("abstain", False)))


DEFAULT_OPTIONS: tuple[OptionDef, ...] = (
    OptionDef(Choice.APPROVE.value),
    OptionDef(Choice.OPPOSE.value),
    OptionDef(Choice.ABSTAIN.value, abstain=True),
)


def options_to_json(options: Sequence[OptionDef]) -> str:
    return json.dumps([o.to_json() for o in options], ensure_ascii=False)


def options_from_json(raw: str) -> tuple[OptionDef, ...]:
    return tuple(OptionDef.from_json(o) for o in json.loads(raw))


def custom_options(lines: Iterable[str]) -> tuple[OptionDef, ...]:
    """Options typed by the author, one per line (empty lines and repeats dropped)."""
    seen: list[str] = []
    for line in lines:
        text = " ".join(line.split())
        if text and text not in seen:
            seen.append(text)
    return tuple(OptionDef(f"o{i}", label) for i, label in enumerate(seen, start=1))


def find_option(options: Sequence[OptionDef], key: str) -> OptionDef | None:
    return next((o for o in options if o.key == key), None)


@dataclass(frozen=True)
class AudienceUnit:
    unit_id: int
    code: str
    area: Decimal
    owner_code: str | None
    is_developer: bool


@dataclass(frozen=True)
class BallotRow:
    """A current (not superseded) ballot, as stored."""

    id: int
    voter_id: int | None
    unit_id: int
    count_key: str
    option: str
    source: str
    cast_at: int


def owner_key(unit: AudienceUnit) -> str | None:
    """The owner key a unit votes under (None: no owner on record, the unit cannot vote)."""
    if unit.is_developer:
        return Unit.of(unit.code, unit.area, None, developer=True).owner_key
    if unit.owner_code is None:
        return None
    return unit.owner_code


def household_key(unit_id: int) -> str:
    return f"u{unit_id}"


def resident_key(user_id: int) -> str:
    return f"r{user_id}"


def electorate(units: Iterable[AudienceUnit]) -> Electorate | None:
    built = [
        Unit.of(u.code, u.area, u.owner_code, developer=u.is_developer)
        for u in units
        if u.is_developer or u.owner_code is not None
    ]
    return Electorate(built) if built else None


def _rank(ballot: BallotRow) -> tuple[int, int, int]:
    return (ballot.cast_at, 1 if ballot.source == BallotSource.PAPER.value else 0, ballot.id)


def effective_ballots(ballots: Iterable[BallotRow]) -> dict[str, BallotRow]:
    """The ballot that counts per counting key: latest wins, at the same instant paper wins."""
    best: dict[str, BallotRow] = {}
    for ballot in ballots:
        current = best.get(ballot.count_key)
        if current is None or _rank(ballot) > _rank(current):
            best[ballot.count_key] = ballot
    return best


def live_decision(
    units: Sequence[AudienceUnit], ballots: Sequence[BallotRow], item: int
) -> DecisionResult | None:
    found = electorate(units)
    if found is None:
        return None
    owner_ballots = [
        OwnerBallot(
            b.count_key,
            Choice(b.option),
            BallotSource(b.source),
            from_ts(b.cast_at),
            None,
        )
        for b in ballots
    ]
    return tally_decision(found, owner_ballots, matter_for(Art278Item(item)))


def count(
    *,
    kind: str,
    options: Sequence[OptionDef],
    units: Sequence[AudienceUnit],
    eligible_keys: Iterable[str],
    ballots: Sequence[BallotRow],
    item: int | None = None,
    basis: str = PollBasis.HOUSEHOLD.value,
    quorum: Fraction | None = None,
) -> dict[str, Any]:
    """The final count as a JSON-able summary. ``counted`` (count key -> ballot id) stays
    server-side: it lets a voter check their receipt and is never shown."""
    winners = effective_ballots(ballots)
    if kind == "decision":
        assert item is not None
        result = live_decision(units, list(winners.values()), item)
        if result is None:
            return {"kind": "decision", "item": item, "empty": True, "counted": {}}
        return {
            "kind": "decision",
            "item": item,
            "matter": result.matter.value,
            "total_owners": result.total_owners,
            "total_area": str(result.total_area),
            "part_owners": result.participating_owners,
            "part_area": str(result.participating_area),
            "options": {
                Choice.APPROVE.value: [result.approving_owners, str(result.approving_area)],
                Choice.OPPOSE.value: [result.opposing_owners, str(result.opposing_area)],
                Choice.ABSTAIN.value: [result.abstaining_owners, str(result.abstaining_area)],
            },
            "participation_by_head": result.participation_by_head,
            "participation_by_area": result.participation_by_area,
            "approval_by_head": result.approval_by_head,
            "approval_by_area": result.approval_by_area,
            "passed": result.passed,
            "counted": {k: winners[k].id for k in result.effective},
        }
    poll = tally_poll(
        [PollOption(o.key, o.abstain) for o in options],
        [
            PollBallot(b.count_key, b.count_key, b.option, from_ts(b.cast_at))
            for b in winners.values()
        ],
        basis=PollBasis(basis),
        eligible=set(eligible_keys),
        quorum=quorum,
    )
    return {
        "kind": "poll",
        "basis": poll.basis.value,
        "eligible": poll.eligible,
        "turnout": poll.turnout,
        "counts": dict(poll.counts),
        "quorum": None if quorum is None else f"{quorum.numerator}/{quorum.denominator}",
        "quorum_met": poll.quorum_met,
        "leaders": list(poll.leaders),
        "tie": poll.tie,
        "winner": poll.winner,
        "counted": {k: winners[k].id for k in poll.effective},
    }
