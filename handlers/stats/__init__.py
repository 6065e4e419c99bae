"""Figures (统计) for managers, the committee and administrators: /stats (``menu``: period,
scope, the public monthly report switch; ``show``: the report in words and the charts;
``export``: the period's rows as .xlsx or .csv for managers) and
the "figures-report" job (``report``: the monthly report, once, on the first of the month).
The figures are counted by ``bot.services.figures``, said by ``bot.texts.figures`` and drawn
by ``bot.charts``."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Action, Principal, Role, can
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.stats.callbacks import (
    StatsExport,
    StatsMenu,
    StatsMonths,
    StatsPublic,
    StatsScopes,
    StatsShow,
)
from handlers.stats.export import export
from handlers.stats.menu import months, scopes, show_menu, stats, toggle_public
from handlers.stats.report import INTERVAL_SECONDS, REPORT_JOB, report_job
from handlers.stats.show import show


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("stats", stats),
        CallbackQueryHandler(stats, pattern=menu_pattern("stats")),
        CallbackQueryHandler(show_menu, pattern=matches(StatsMenu)),
        CallbackQueryHandler(show, pattern=matches(StatsShow)),
        CallbackQueryHandler(months, pattern=matches(StatsMonths)),
        CallbackQueryHandler(scopes, pattern=matches(StatsScopes)),
        CallbackQueryHandler(toggle_public, pattern=matches(StatsPublic)),
        CallbackQueryHandler(export, pattern=matches(StatsExport)),
    ]


def _sees_figures(p: Principal) -> bool:
    return can(p, Action.SEE_FIGURES)


FEATURE = Feature(
    name="stats",
    handlers=_handlers,
    menu=(MenuEntry("stats", N_("Figures"), 50, visible=_sees_figures),),
    commands=(
        CommandSpec(
            "stats",
            N_("Figures: tickets, votes, rooms, notices, meetings"),
            roles=(Role.MANAGER, Role.COMMITTEE, Role.ADMIN),
        ),
    ),
    jobs=(JobSpec(REPORT_JOB, report_job, interval_seconds=INTERVAL_SECONDS, first_seconds=30.0),),
)

__all__ = ["FEATURE", "REPORT_JOB"]
