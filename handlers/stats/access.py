"""Who may see the figures (managers, the committee, administrators) and who may change how
they are published or export them (managers); and the scope and period a press names."""

from __future__ import annotations

from telegram import Update

from bot.rules.auth import Action, can
from bot.rules.figures import Period, PeriodKind, month_period, period_for
from handlers.kit import Refusal, Turn, refuse
from handlers.stats.callbacks import int_month
from storage import community


async def may_see(update: Update, turn: Turn) -> bool:
    if can(turn.principal, Action.SEE_FIGURES):
        return True
    await refuse(update, turn, Refusal.NO_RIGHT)
    return False


async def may_manage(update: Update, turn: Turn) -> bool:
    if can(turn.principal, Action.MANAGE):
        return True
    await refuse(update, turn, Refusal.NO_RIGHT)
    return False


async def scope_of(turn: Turn, building: int) -> tuple[bool, int | None]:
    """(valid, building id or None for the community) of a press's scope."""
    if building == 0:
        return True, None
    async with turn.services.db.read() as conn:
        found = await community.building(conn, building)
    return found is not None, building


def period_of(turn: Turn, kind: PeriodKind, month: int) -> Period | None:
    """The period a press names, in the community's zone; None for a forged month."""
    tz = turn.tr.tz
    if kind is PeriodKind.MONTH:
        parts = int_month(month)
        return None if parts is None else month_period(*parts, tz)
    return period_for(kind, turn.now.astimezone(tz).date(), tz)
