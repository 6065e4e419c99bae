"""Volunteering and the community points bank (志愿服务 / 积分银行): volunteer activities
(/activity, /activities: sign-up, waiting list, reminders, attendance, points), neighbours'
help requests (/askhelp, /helpfor), the points ledger (/points, /pointsfix), rewards
(/rewards, /rewardadd, /redeemed), volunteers' choices (/volunteer) and the monthly
thank-you board.

The "volunteering" job sweeps the activities' reminder rows and the honour board's monthly
due row through the services, which turn each into outbox rows in the same transaction.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Action, Principal, Role, can
from bot.services import points as points_service
from bot.services import volunteering as service
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern
from handlers.volunteering import activities, ask, attendance, create, mine, rewards, take
from handlers.volunteering.callbacks import (
    ActAttendance,
    ActCredit,
    ActJoin,
    ActTick,
    ActWithdraw,
    HelpDone,
    HelpTake,
    RewardManage,
    RewardPick,
    RewardYes,
    VolunteerSet,
)

JOB_NAME = "volunteering"


async def volunteering_job(context: Context) -> None:
    """Every minute: reminders before activities, and the monthly thank-you board."""
    services = context.services
    now = services.clock()
    async with services.db.transaction() as conn:
        await service.sweep(conn, now, services.i18n)
        await points_service.post_boards(conn, now, services.i18n)
    services.deliver_now()


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        create.conversation(),
        ask.conversation(),
        CommandHandler("activities", activities.list_activities),
        CallbackQueryHandler(activities.list_activities, pattern=menu_pattern("activities")),
        CallbackQueryHandler(activities.join, pattern=matches(ActJoin)),
        CallbackQueryHandler(activities.withdraw, pattern=matches(ActWithdraw)),
        CallbackQueryHandler(attendance.attendance, pattern=matches(ActAttendance)),
        CallbackQueryHandler(attendance.tick, pattern=matches(ActTick)),
        CallbackQueryHandler(attendance.credit, pattern=matches(ActCredit)),
        CallbackQueryHandler(take.take, pattern=matches(HelpTake)),
        CallbackQueryHandler(take.done, pattern=matches(HelpDone)),
        CommandHandler("points", mine.my_points),
        CallbackQueryHandler(mine.my_points, pattern=menu_pattern("points")),
        CommandHandler("volunteer", mine.volunteer),
        CallbackQueryHandler(mine.set_choice, pattern=matches(VolunteerSet)),
        CommandHandler("pointsfix", mine.fix),
        CommandHandler("rewards", rewards.catalog),
        CallbackQueryHandler(rewards.pick, pattern=matches(RewardPick)),
        CallbackQueryHandler(rewards.manage, pattern=matches(RewardManage)),
        CallbackQueryHandler(rewards.confirm, pattern=matches(RewardYes)),
        CommandHandler("rewardadd", rewards.add),
        CommandHandler("redeemed", rewards.mark_used),
    ]


def _organises(p: Principal) -> bool:
    return can(p, Action.ORGANISE_ACTIVITY)


def _resident(p: Principal) -> bool:
    return can(p, Action.VOLUNTEER)


MENU = (
    MenuEntry("activity", N_("Organise a volunteer activity"), 44, visible=_organises),
    MenuEntry("activities", N_("Volunteering"), 45),
    MenuEntry("askhelp", N_("Ask a neighbour for help"), 46, visible=_resident),
    MenuEntry("points", N_("My points"), 47),
)
_ORGANISERS = (Role.LEADER, Role.GRID, Role.STAFF, Role.MANAGER, Role.COMMITTEE)
COMMANDS = (
    CommandSpec("activity", N_("Organise a volunteer activity"), roles=_ORGANISERS),
    CommandSpec("activities", N_("Volunteer activities, and signing up")),
    CommandSpec("askhelp", N_("Ask a neighbour for help")),
    CommandSpec(
        "helpfor",
        N_("Ask for help for a neighbour without Telegram"),
        roles=(Role.LEADER, Role.GRID, Role.STAFF, Role.MANAGER),
    ),
    CommandSpec("points", N_("My points and their history")),
    CommandSpec("volunteer", N_("Help neighbours; your name on the thank-you board")),
    CommandSpec("rewards", N_("What points buy")),
    CommandSpec(
        "pointsfix", N_("Correct someone's points, with a reason"), roles=(Role.STAFF, Role.MANAGER)
    ),
    CommandSpec("rewardadd", N_("Add a reward"), roles=(Role.STAFF, Role.MANAGER)),
    CommandSpec("redeemed", N_("Mark a reward code as used"), roles=(Role.STAFF, Role.MANAGER)),
)
JOBS = (JobSpec(JOB_NAME, volunteering_job, interval_seconds=60.0, first_seconds=10.0),)

FEATURE = Feature(name="volunteering", handlers=handlers, menu=MENU, commands=COMMANDS, jobs=JOBS)
