"""Volunteering and points in words: the kinds of help, why a ledger row exists, the /me lines,
the thank-you board."""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.rules.points import Kind

HELP_LABELS = {
    "shopping": N_("Carry shopping"),
    "clinic": N_("Go with me to the clinic"),
    "fix": N_("Fix a small thing"),
    "company": N_("Keep me company"),
    "other": N_("Something else"),
}

KIND_LABELS = {
    Kind.ACTIVITY: N_("Volunteer activity"),
    Kind.HELP: N_("Helped a neighbour"),
    Kind.REDEEM: N_("Reward redeemed"),
    Kind.CORRECTION: N_("Correction by staff"),
}

POINTS_LABEL = N_("Points history rows")
REDEMPTIONS_LABEL = N_("Rewards redeemed")
VOLUNTEER_LABEL = N_("Volunteer choices")
SIGNUPS_LABEL = N_("Volunteer sign-ups")
HELP_ASKED_LABEL = N_("Help requests you made")
HELP_GIVEN_LABEL = N_("Help you gave")


def help_label(tr: Translator, kind: str) -> str:
    return tr._(HELP_LABELS.get(kind, HELP_LABELS["other"]))


def honour_text(
    tr: Translator, month: str, scope: str, named: list[str], others: int
) -> str | None:
    """The thank-you board of a month for a building or the community: the names of those who
    agreed to be named, and how many others helped; ``None`` if nobody volunteered."""
    if not named and not others:
        return None
    lines = [
        tr._("🌟 Thank you, neighbours! Volunteers of {month}, {scope}:", month=month, scope=scope)
    ]
    if named:
        lines.append(tr._(", ").join(named))
    if others:
        lines.append(tr.n_("and {n} more neighbour", "and {n} more neighbours", others))
    return "\n".join(lines)
