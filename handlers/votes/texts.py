"""What the votes flows say to the person in front of them when a ballot cannot be taken."""

from __future__ import annotations

from bot.i18n import Translator
from bot.rules.auth import Principal
from bot.rules.clock import from_ts
from storage.votes import Proposal


def refusal(tr: Translator, reason: str | None, p: Principal | None = None) -> str:
    """Why this person has no ballot (``p``: who, to tell a household member whose owner claim
    waits for proof how to get it)."""
    if reason == "owner" and p is not None and p.claims_owner:
        return tr._(
            "You are not confirmed as the owner yet, so you cannot vote on an owners' "
            "decision. Scan the QR code on your owner letter, or wait for your building leader "
            "to confirm you."
        )
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
