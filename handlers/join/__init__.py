"""Joining a unit and proving ownership.

- ``choose``: the door code (verified at once; "owner" there is only a claim) or building →
  floor → unit, waiting for a confirmation;
- ``request``: a request to join, its confirmers' cards and their decision;
- ``claims``: owner claims, compared by a confirmer with the owner in the community file;
- ``letters``: ``/start o_…``, an owner letter's one-time link, which proves ownership at once;
- ``ownerclaims``: deciding owner claims, on their card or in ``/ownerclaims``;
- ``confirmers``: who confirms, and the one way their cards are pushed and settled.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.feature import CommandSpec, Feature, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Principal, Role
from handlers.join import choose, letters, ownerclaims, request
from handlers.join.callbacks import (
    JoinBuilding,
    JoinDecide,
    JoinFloor,
    JoinRelation,
    JoinStart,
    JoinUnit,
    OwnerDecide,
)
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.kit.wizard import wizard


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    conversation = wizard(
        "join",
        entry_points=[
            CommandHandler(
                "start", choose.invite_start, filters=filters.Regex(r"^/start j_") & private
            ),
            CommandHandler("join", choose.join_start),
            CallbackQueryHandler(choose.join_start, pattern=menu_pattern("join")),
        ],
        states={
            choose.PICK: [
                CallbackQueryHandler(choose.join_start, pattern=matches(JoinStart)),
                CallbackQueryHandler(choose.pick_building, pattern=matches(JoinBuilding)),
                CallbackQueryHandler(choose.pick_floor, pattern=matches(JoinFloor)),
                CallbackQueryHandler(choose.pick_unit, pattern=matches(JoinUnit)),
            ],
            choose.RELATION: [
                CallbackQueryHandler(choose.pick_relation, pattern=matches(JoinRelation)),
                CallbackQueryHandler(choose.join_start, pattern=matches(JoinStart)),
            ],
        },
        on_cancel=choose.cancel,
    )
    return [
        conversation,
        CommandHandler(
            "start", letters.letter_start, filters=filters.Regex(r"^/start o_") & private
        ),
        CallbackQueryHandler(request.decide, pattern=matches(JoinDecide)),
        CallbackQueryHandler(ownerclaims.decide_press, pattern=matches(OwnerDecide)),
        CommandHandler("ownerclaims", ownerclaims.owner_claims_command),
    ]


def _not_verified(p: Principal) -> bool:
    return not p.verified


FEATURE = Feature(
    name="join",
    handlers=_handlers,
    menu=(MenuEntry("join", N_("Join my unit"), 1, visible=_not_verified),),
    commands=(
        CommandSpec("join", N_("Join your unit")),
        CommandSpec(
            "ownerclaims",
            N_("Owner claims waiting for confirmation"),
            roles=(Role.LEADER, Role.GRID, Role.STAFF, Role.MANAGER),
        ),
    ),
)
