"""The buttons of proposals and votes: ballots, review verdicts, Cancel, and the ``Links`` the
service puts in queued messages (the packed data of their buttons)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import Context
from bot.i18n import Translator
from bot.services.votes import Links, Slot, ballot_rows
from handlers.kit import Dismiss, button, keyboard
from handlers.kit.callbacks import pack
from handlers.votes.callbacks import Cast, CheckBallot, Review, Verdict
from storage.votes import Proposal


def links(context: Context) -> Links:
    return Links(
        cast=lambda proposal, unit, option: pack(Cast(proposal, unit, option)),
        check=lambda proposal: pack(CheckBallot(proposal)),
        bot_username=context.bot.username,
    )


def ballot_markup(
    context: Context, tr: Translator, proposal: Proposal, slots: Sequence[Slot]
) -> InlineKeyboardMarkup:
    rows = ballot_rows(tr, proposal, slots, links(context))
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in rows
        ]
    )


def cancel_button(tr: Translator) -> InlineKeyboardButton:
    return button(tr._("Cancel"), Dismiss("propose"))


def review_markup(tr: Translator, proposal: Proposal, *, reader: int) -> InlineKeyboardMarkup:
    """Approve / Send back / Reject; the author's own copy has no Approve (nobody approves
    their own proposal; rejecting it is how its author withdraws it)."""
    proposal_id = proposal.id
    approve_label = (
        tr._("Approve and open") if proposal.opens_at is None else tr._("Approve for voting")
    )
    buttons = [
        button(tr._("Send back"), Review(proposal_id, Verdict.RETURN)),
        button(tr._("Reject"), Review(proposal_id, Verdict.REJECT)),
    ]
    if reader != proposal.author_id:
        buttons.insert(0, button(approve_label, Review(proposal_id, Verdict.APPROVE)))
    return keyboard(buttons, per_row=3)
