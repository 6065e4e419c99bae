"""Proposals and votes in words: default options, art. 278 items and thresholds, results, the
distance to quorum, the /me lines."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.i18n import N_, Translator
from bot.rules.tally import (
    DEVELOPER_OWNER_KEY,
    Art278Item,
    Choice,
    DecisionResult,
    PollBasis,
    area_ceil,
    matter_for,
)
from bot.rules.votes import (
    AudienceUnit,
    OptionDef,
    owner_key,
)

#: /me label for the ballots a person cast, and for the proposals they wrote.
BALLOTS_LABEL = N_("Ballots cast")


PROPOSALS_LABEL = N_("Proposals written")


_DEFAULT_LABELS = {
    Choice.APPROVE.value: N_("Agree"),
    Choice.OPPOSE.value: N_("Disagree"),
    Choice.ABSTAIN.value: N_("Abstain"),
}


def option_label(tr: Translator, option: OptionDef) -> str:
    if option.label is not None:
        return option.label
    return tr._(_DEFAULT_LABELS.get(option.key, option.key))


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


#: The legal bounds a share is read against (more than half, two thirds, three quarters).
BOUNDS = (Fraction(1, 2), Fraction(2, 3), Fraction(3, 4))


def shown_share(part: Fraction) -> Decimal:
    """A share in percent to one decimal, rounded half up, but never across a legal bound:
    exactly 2/3 shows 66.7, a share just under 2/3 never shows 66.7, one just over 1/2 never
    shows 50.0."""
    tenths = Fraction(part * 1000)
    value = math.floor(tenths + Fraction(1, 2))  # half up
    for bound in BOUNDS:
        shown = Fraction(value, 1000)
        if part < bound <= shown:
            value = math.floor(tenths)  # down: stays under the bound
        elif shown <= bound < part:
            value = math.ceil(tenths)  # up: stays over the bound
    return Decimal(value) / 10


def percent(tr: Translator, part: Fraction) -> str:
    return tr._("{value}%", value=tr.number(shown_share(part)))


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
