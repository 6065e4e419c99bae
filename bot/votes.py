"""Proposals and votes: pure helpers between the database rows and ``bot.rules.tally``.

No Telegram, no database. Builds the tally's inputs from plain rows (units, verified residents,
current ballots), turns a tally into a JSON-able summary stored with the closed proposal, and
renders summaries, options and art. 278 items in a reader's language.

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
  closes one full duration after the approval.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.i18n import N_, Translator
from bot.rules.clock import from_ts
from bot.rules.tally import (
    DEVELOPER_OWNER_KEY,
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
    area_ceil,
    matter_for,
    tally_decision,
    tally_poll,
)

#: /me label for the ballots a person cast, and for the proposals they wrote.
BALLOTS_LABEL = N_("Ballots cast")
PROPOSALS_LABEL = N_("Proposals written")

MAX_OPTIONS = 8
MAX_OPTION_LENGTH = 60

DAY = 86_400
REMIND_BEFORE = DAY  # the one reminder goes 24 h before the close (at half-time if shorter)
MIN_LEFT = DAY  # approved late: the chosen close is kept only if this much voting time is left
OPENING_HOUR = 8  # a chosen opening is at 08:00 in the community's zone
OPENING_DAYS = (1, 3, 7)  # offered: tomorrow, in 3 days, in 7 days


# ---- when voting opens and closes -----------------------------------------------------------


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


def voting_window(requested: int | None, duration_days: int, approved_at: int) -> Window:
    """The voting window of a proposal approved at ``approved_at``.

    ``requested`` is the opening the author chose (None: on approval). Still ahead: voting opens
    then and closes ``duration_days`` later. Passed (or on approval): voting opens at the
    approval; the chosen close (requested + duration) is kept when at least ``MIN_LEFT`` is
    left, otherwise it closes one full duration after the approval."""
    duration = duration_days * DAY
    if requested is not None and requested > approved_at:
        opens = requested
        closes = requested + duration
    else:
        opens = approved_at
        closes = approved_at + duration
        if requested is not None and requested + duration - approved_at >= MIN_LEFT:
            closes = requested + duration
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
_DEFAULT_LABELS = {
    Choice.APPROVE.value: N_("Agree"),
    Choice.OPPOSE.value: N_("Disagree"),
    Choice.ABSTAIN.value: N_("Abstain"),
}


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


def option_label(tr: Translator, option: OptionDef) -> str:
    if option.label is not None:
        return option.label
    return tr._(_DEFAULT_LABELS.get(option.key, option.key))


def find_option(options: Sequence[OptionDef], key: str) -> OptionDef | None:
    return next((o for o in options if o.key == key), None)


_ITEM_LABELS = {
    Art278Item.RULES_OF_PROCEDURE: N_("Rules of procedure of the owners' assembly"),
    Art278Item.MANAGEMENT_STATUTE: N_("Management statute"),
    Art278Item.OWNERS_COMMITTEE: N_("Electing or changing the owners' committee"),
    Art278Item.PROPERTY_MANAGER: N_("Hiring or dismissing the property company"),
    Art278Item.USE_MAINTENANCE_FUND: N_("Using the maintenance fund"),
    Art278Item.RAISE_MAINTENANCE_FUND: N_("Raising the maintenance fund"),
    Art278Item.REBUILD: N_("Rebuilding or reconstruction"),
    Art278Item.CHANGE_COMMON_PARTS_USE: N_("Changing the use of common parts, or business on them"),
    Art278Item.OTHER_MAJOR_MATTER: N_("Other major matters of common ownership"),
}


def item_label(tr: Translator, item: int) -> str:
    return tr._(_ITEM_LABELS[Art278Item(item)])


def threshold_text(tr: Translator, item: int) -> str:
    if matter_for(Art278Item(item)).value == "special":
        return tr._("needs at least 3/4 of the participating owners and area")
    return tr._("needs more than half of the participating owners and area")


# ---- counting -------------------------------------------------------------------------------


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


# ---- rendering ------------------------------------------------------------------------------


def percent(tr: Translator, part: Fraction) -> str:
    value = Decimal(part.numerator * 1000 // max(part.denominator, 1)) / 10
    return tr._("{value}%", value=tr.number(value))


def mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def area_text(tr: Translator, area: Decimal | Fraction) -> str:
    return tr._("{area} m²", area=tr.number(area_ceil(Fraction(area))))


def render_result(
    tr: Translator, title: str, options: Sequence[OptionDef], summary: Mapping[str, Any]
) -> str:
    """The published result, with its breakdown, in one reader's language."""
    lines = [tr._("Result of the vote: {title}", title=title)]
    if summary["kind"] == "decision":
        lines += _render_decision(tr, options, summary)
    else:
        lines += _render_poll(tr, options, summary)
    return "\n".join(lines)


def _render_decision(
    tr: Translator, options: Sequence[OptionDef], s: Mapping[str, Any]
) -> list[str]:
    item = int(s["item"])
    lines = [
        tr._("Owners' decision (Civil Code art. 278): {item}", item=item_label(tr, item)),
    ]
    if s.get("empty"):
        lines.append(tr._("No owners are on record for this audience; nothing was counted."))
        return lines
    total_owners, part_owners = int(s["total_owners"]), int(s["part_owners"])
    total_area, part_area = Decimal(s["total_area"]), Decimal(s["part_area"])
    lines.append(
        tr._(
            "Turnout by head: {part} of {total} owners ({share})",
            part=part_owners,
            total=total_owners,
            share=percent(tr, Fraction(part_owners, total_owners)),
        )
    )
    lines.append(
        tr._(
            "Turnout by area: {part} of {total} ({share})",
            part=area_text(tr, part_area),
            total=area_text(tr, total_area),
            share=percent(tr, Fraction(part_area) / Fraction(total_area)),
        )
    )
    for option in options:
        owners, area = s["options"].get(option.key, [0, "0"])
        lines.append(
            tr.n_(
                "{option}: {n} owner, {area}",
                "{option}: {n} owners, {area}",
                int(owners),
                option=option_label(tr, option),
                area=area_text(tr, Decimal(area)),
            )
        )
    lines.append(
        tr._(
            "{mark} Participation: at least 2/3 of all owners",
            mark=mark(bool(s["participation_by_head"])),
        )
    )
    lines.append(
        tr._(
            "{mark} Participation: at least 2/3 of the total area",
            mark=mark(bool(s["participation_by_area"])),
        )
    )
    head_mark, area_mark = mark(bool(s["approval_by_head"])), mark(bool(s["approval_by_area"]))
    if s["matter"] == "special":
        lines.append(
            tr._("{mark} Approval: at least 3/4 of the participating owners", mark=head_mark)
        )
        lines.append(
            tr._("{mark} Approval: at least 3/4 of the participating area", mark=area_mark)
        )
    else:
        lines.append(
            tr._("{mark} Approval: more than half of the participating owners", mark=head_mark)
        )
        lines.append(
            tr._("{mark} Approval: more than half of the participating area", mark=area_mark)
        )
    if s["passed"]:
        lines.append(tr._("The decision PASSED."))
    elif not (s["participation_by_head"] and s["participation_by_area"]):
        lines.append(tr._("The decision is NOT valid: too few owners took part."))
    else:
        lines.append(tr._("The decision did NOT pass."))
    return lines


def _render_poll(tr: Translator, options: Sequence[OptionDef], s: Mapping[str, Any]) -> list[str]:
    eligible, turnout = int(s["eligible"]), int(s["turnout"])
    share = percent(tr, Fraction(turnout, eligible) if eligible else Fraction(0))
    if s["basis"] == PollBasis.RESIDENT.value:
        lines = [tr._("Resident poll, one vote per resident.")]
        lines.append(
            tr._(
                "Turnout: {part} of {total} residents ({share})",
                part=turnout,
                total=eligible,
                share=share,
            )
        )
    else:
        lines = [tr._("Resident poll, one vote per household.")]
        lines.append(
            tr._(
                "Turnout: {part} of {total} households ({share})",
                part=turnout,
                total=eligible,
                share=share,
            )
        )
    for option in options:
        votes = int(s["counts"].get(option.key, 0))
        lines.append(
            tr.n_(
                "{option}: {n} vote",
                "{option}: {n} votes",
                votes,
                option=option_label(tr, option),
            )
        )
    if s.get("quorum"):
        lines.append(
            tr._(
                "{mark} Quorum: at least {quorum} of those entitled voted",
                mark=mark(bool(s["quorum_met"])),
                quorum=s["quorum"],
            )
        )
    by_key = {o.key: o for o in options}
    if s["winner"]:
        lines.append(tr._("Result: {option}", option=option_label(tr, by_key[s["winner"]])))
    elif s.get("quorum") and not s["quorum_met"]:
        lines.append(tr._("No result: the quorum was not reached."))
    elif s["tie"]:
        tied = ", ".join(option_label(tr, by_key[k]) for k in s["leaders"])
        lines.append(tr._("A tie between: {options}", options=tied))
    else:
        lines.append(tr._("No result: nobody chose an option."))
    return lines


def render_distance(tr: Translator, result: DecisionResult) -> str:
    """The live distance to quorum of an owners' decision (no choices, only participation)."""
    lines = [
        tr._(
            "Took part: {part} of {total} owners, {area} of {total_area}.",
            part=result.participating_owners,
            total=result.total_owners,
            area=area_text(tr, result.participating_area),
            total_area=area_text(tr, result.total_area),
        )
    ]
    if result.participation_met:
        lines.append(tr._("The 2/3 participation is reached."))
    else:
        lines.append(
            tr._(
                "Distance to quorum: {owners} more owners and {area} more.",
                owners=result.owners_short,
                area=area_text(tr, result.area_short),
            )
        )
    return "\n".join(lines)


def render_missing(
    tr: Translator, result: DecisionResult, units: Sequence[AudienceUnit], limit: int = 5
) -> str:
    """Whom to remind (officers only, in private): owners without a ballot, largest area first.
    Participation only, never a choice."""
    held: dict[str, list[AudienceUnit]] = {}
    for unit in units:
        key = owner_key(unit)
        if key is not None:
            held.setdefault(key, []).append(unit)
    missing = result.missing_owner_keys
    if not missing:
        return ""
    parts = []
    for key in missing[:limit]:
        mine = held.get(key, [])
        if key == DEVELOPER_OWNER_KEY:
            name = tr._("the developer's unsold units")
        else:
            name = "+".join(u.code for u in mine)
        area = sum((u.area for u in mine), Decimal(0))
        parts.append(tr._("{units} ({area})", units=name, area=area_text(tr, area)))
    text = tr._("Not voted yet, largest first: {owners}", owners=", ".join(parts))
    if len(missing) > limit:
        rest = len(missing) - limit
        text += " " + tr.n_("and {n} more owner", "and {n} more owners", rest)
    return text
