"""Outages (停水 / 停电 …), part of the tickets feature: staff declare one with /outage (buttons:
category, buildings, expected end, a few words), it goes out as an urgent notice; /outages
lists the open ones to move their expected end or mark them restored (their tickets resolved
together); a follower's "not fixed" afterwards becomes their own ticket. A resident starting a
matching report is offered to follow it (``handlers.tickets.duplicates``). The use cases are
``bot.services.incidents``.

The modules: ``callbacks``, ``draft`` (the wizard's typed draft), ``declare`` (the /outage
wizard), ``manage`` (/outages, later, restored, "not fixed")."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.feature import CommandSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Action, Role, can
from handlers.kit.callbacks import matches, parse_as
from handlers.kit.guards import dismiss_pattern
from handlers.kit.menu import menu_pattern
from handlers.tickets.outages import declare, manage
from handlers.tickets.outages.callbacks import (
    OutageLater,
    OutageNotFixed,
    OutageOpen,
    OutageRestored,
    OutageStep,
    Step,
)

ROLES = (Role.STAFF, Role.MANAGER)


def _list_pressed(raw: object) -> bool:
    return matches(OutageStep)(raw) and parse_as(raw, OutageStep).step == Step.LIST


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        declare.conversation(),
        CommandHandler("outages", manage.outages),
        CallbackQueryHandler(manage.outages, pattern=menu_pattern("outages")),
        CallbackQueryHandler(manage.outages, pattern=_list_pressed),
        CallbackQueryHandler(manage.open_one, pattern=matches(OutageOpen)),
        CallbackQueryHandler(manage.later, pattern=matches(OutageLater)),
        CallbackQueryHandler(manage.restored, pattern=matches(OutageRestored)),
        CallbackQueryHandler(manage.not_fixed, pattern=matches(OutageNotFixed)),
        CallbackQueryHandler(manage.close, pattern=dismiss_pattern("outages")),
    ]


MENU = (
    MenuEntry(
        "outages",
        N_("Outages (staff)"),
        14,
        visible=lambda p: can(p, Action.HANDLE_TICKETS),
    ),
)
COMMANDS = (
    CommandSpec("outage", N_("Staff: declare an outage (water, power …)"), roles=ROLES),
    CommandSpec("outages", N_("Staff: open outages, restore them"), roles=ROLES),
)
