"""Who may use the points bank's staff commands (/pointsfix, /rewardadd, /redeemed)."""

from __future__ import annotations

from telegram import Message, Update

from bot.context import Context
from bot.rules.auth import Action, can
from handlers.kit import Refusal, Turn, begin, refuse


async def staff_command(update: Update, context: Context) -> tuple[Turn, Message] | None:
    """The turn and the command's message of staff or a manager; anyone else is refused."""
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    if not can(turn.principal, Action.CORRECT_POINTS):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return None
    return turn, message
