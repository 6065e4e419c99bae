"""Notices (/notice, /notices, /mute, /unmute) and group chats (/bind, /unbind; a group
upgraded to a supergroup is rebound by itself).

A notice goes out as one outbox batch (one row per recipient, rendered in their language),
committed with the notice itself; the "outbox" job sends it at Telegram's pace and reports to
the author. Meetings are a feature of their own (handlers.meetings).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.feature import CommandSpec, Feature, MenuEntry
from bot.i18n import N_
from bot.rules import notices as rules
from bot.rules.auth import Role
from handlers.kit import dismiss_pattern
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.notices.callbacks import GroupBind, NoticeCancel
from handlers.notices.compose import conversation
from handlers.notices.groups import bind, bind_dismiss, bind_pick, unbind
from handlers.notices.listing import cancel_notice, list_notices
from handlers.notices.migrated import migrated
from handlers.notices.mute import mute, unmute


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        conversation(),
        CommandHandler("notices", list_notices),
        CallbackQueryHandler(list_notices, pattern=menu_pattern("notices")),
        CallbackQueryHandler(cancel_notice, pattern=matches(NoticeCancel)),
        CommandHandler("mute", mute),
        CommandHandler("unmute", unmute),
        CommandHandler("bind", bind),
        CommandHandler("unbind", unbind),
        CallbackQueryHandler(bind_pick, pattern=matches(GroupBind)),
        CallbackQueryHandler(bind_dismiss, pattern=dismiss_pattern("bind")),
        MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
    ]


def _sends_notices(p: Any) -> bool:
    return rules.may_address_everyone(p) or bool(rules.own_buildings(p))


def _reads_notices(p: Any) -> bool:
    return not _sends_notices(p)


NOTICE_ROLES = (Role.LEADER, Role.GRID, Role.STAFF, Role.MANAGER, Role.COMMITTEE)

FEATURE = Feature(
    name="notices",
    handlers=_handlers,
    menu=(
        MenuEntry("notice", N_("Send a notice"), 40, visible=_sends_notices),
        MenuEntry("notices", N_("My notices"), 41, visible=_sends_notices),
        MenuEntry("notices", N_("Notices"), 41, visible=_reads_notices),
    ),
    commands=(
        CommandSpec("notice", N_("Send a notice to residents"), roles=NOTICE_ROLES),
        CommandSpec("notices", N_("Read the latest notices again")),
        CommandSpec("mute", N_("Stop ordinary notices (urgent ones still come)")),
        CommandSpec("unmute", N_("Get all notices again")),
        CommandSpec(
            "bind",
            N_("In a group: connect it to a building"),
            private=False,
            roles=(Role.ADMIN, Role.MANAGER),
        ),
        CommandSpec(
            "unbind",
            N_("In a group: disconnect it"),
            private=False,
            roles=(Role.ADMIN, Role.MANAGER),
        ),
    ),
)
