"""Proposals and votes (议事 / 表决): /propose (with the opening and the duration of voting),
review by the committee or manager, the ballot (changeable until the close, with a receipt),
paper ballots, /votes, the "votes-due" sweep that opens (at the chosen opening), reminds and
closes, the published result, and /receipt after the close.

Tallies stay hidden until the close: nobody sees choices before it. Committee members and the
manager see participation (for owners' decisions the distance to quorum); building leaders see
the turnout of their buildings.

The modules: ``callbacks`` (the buttons' data), ``keyboards`` and ``texts``, the drafting wizard
(``propose``, ``terms``, ``submit``, its draft in ``drafts``), ``review``, ``ballots``,
``paper``, ``listing`` (/votes), ``withdraw`` (an approved proposal before it opens),
``receipts`` and ``jobs``; the use cases shared with the sweep
are in ``bot.services.votes``.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Role
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.votes import ballots, listing, paper, propose, receipts, review, withdraw
from handlers.votes.callbacks import Cast, CheckBallot, ShowBallot
from handlers.votes.jobs import JOB_NAME, votes_due_job


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        propose.conversation(),
        review.conversation(),
        withdraw.conversation(),
        CallbackQueryHandler(ballots.cast_press, pattern=matches(Cast)),
        CallbackQueryHandler(ballots.show_ballot, pattern=matches(ShowBallot)),
        CallbackQueryHandler(receipts.check_press, pattern=matches(CheckBallot)),
        CommandHandler("votes", listing.votes_command),
        CallbackQueryHandler(listing.votes_command, pattern=menu_pattern("votes")),
        CommandHandler("receipt", receipts.receipt_command),
        CommandHandler("paper", paper.paper),
    ]


FEATURE = Feature(
    name="votes",
    handlers=_handlers,
    menu=(MenuEntry("votes", N_("Votes and proposals"), 40),),
    commands=(
        CommandSpec("votes", N_("Open votes and proposals")),
        CommandSpec("propose", N_("Put a proposal to a vote")),
        CommandSpec("receipt", N_("Check that your ballot was counted")),
        CommandSpec(
            "paper",
            N_("Record a signed paper ballot (officers)"),
            roles=(Role.COMMITTEE, Role.MANAGER),
        ),
    ),
    jobs=(JobSpec(JOB_NAME, votes_due_job, interval_seconds=30.0, first_seconds=3.0),),
)
