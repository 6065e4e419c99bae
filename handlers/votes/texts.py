"""What the votes flows say to the person in front of them when a ballot cannot be taken."""

from __future__ import annotations

from bot.i18n import Translator
from bot.rules.clock import from_ts
from storage.votes import Proposal


def refusal(tr: Translator, reason: str | None) -> str:
    if reason == "owner":
        return tr._(
            "Only owners vote on an owners' decision (one vote per owner). Tenants and family "
            "members take part in the discussion and in resident polls."
        )
    if reason == "verified":
        return tr._("Only confirmed residents can vote. Join your unit first with /join.")
    return tr._("This vote is for the residents of another building, so you cannot vote on it.")


def not_open_yet(tr: Translator, proposal: Proposal) -> str:
    assert proposal.opens_at is not None
    return tr._(
        "Voting on this proposal opens {when}; your ballot was not recorded.",
        when=tr.when(from_ts(proposal.opens_at)),
    )
