"""Who may see the figures (managers, the committee, administrators) and who may change how
they are published or export them (managers); and the scope and period a press names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import CallbackQuery, Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.figures import Period, PeriodKind, month_period, period_for
from handlers.kit import Refusal, Turn, pressed, refuse, stale
from handlers.kit.callbacks import CallbackData
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


D = TypeVar("D", bound=CallbackData)


@dataclass(frozen=True)
class Press(Generic[D]):
    """A /stats press that passed its checks: the right, the scope and (if it names one) the
    period."""

    query: CallbackQuery
    data: D
    turn: Turn
    building: int | None
    period: Period | None


async def checked(
    update: Update, context: Context, expected: type[D], *, manage: bool = False
) -> Press[D] | None:
    """The press, re-checked: the presser's right (seeing the figures; ``manage``: managing
    them), its building (a field ``building``, 0 for the community) and its period (fields
    ``period`` and ``month``, when it has them). None once a refusal or the stale answer was
    given."""
    query, data, turn = await pressed(update, context, expected)
    allowed = await may_manage(update, turn) if manage else await may_see(update, turn)
    if not allowed:
        return None
    valid, building = await scope_of(turn, getattr(data, "building", 0))
    period = None
    kind = getattr(data, "period", None)
    if isinstance(kind, PeriodKind):
        period = period_of(turn, kind, getattr(data, "month", 0))
        valid = valid and period is not None
    if not valid:
        await stale(query, turn)
        return None
    return Press(query, data, turn, building, period)
