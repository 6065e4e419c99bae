"""/mute and /unmute: a resident stops or restarts ordinary notices (urgent ones always come)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from handlers.kit import begin, private_only, reply, touch_person
from storage import notices as store


@private_only
async def mute(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        await store.mute(conn, turn.user.id, turn.ts)
    await reply(
        update,
        turn.tr._(
            "You will not get ordinary notices any more. Urgent notices still reach you. "
            "Send /unmute to get all notices again."
        ),
    )


@private_only
async def unmute(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    async with context.services.db.transaction() as conn:
        await store.unmute(conn, turn.user.id)
    await reply(update, turn.tr._("You will get all notices again."))
