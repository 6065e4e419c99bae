"""The words of an outage: its one line ("Water and power outage: Building 3. Expected back by
today 18:00."), in a reader's language, from names the caller has looked up."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, Translator

#: What /me calls the outages a person follows.
FOLLOWED_OUTAGES_LABEL = N_("Outages you follow")


def outage_line(
    tr: Translator,
    category: dict[str, str],
    buildings: list[str] | None,
    expected_end: datetime | None,
    note: str = "",
) -> str:
    """What is out, where, and until when (and the declarer's few words)."""
    where = tr._("the whole community") if buildings is None else ", ".join(buildings)
    text = tr._("{category} outage: {where}.", category=tr.name(category), where=where)
    if expected_end is not None:
        text += " " + tr._("Expected back by {when}.", when=tr.when(expected_end))
    else:
        text += " " + tr._("When it is back is not known yet.")
    if note:
        text += "\n" + note
    return text
