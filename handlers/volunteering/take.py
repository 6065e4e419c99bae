"""A volunteer takes a neighbour's request ("I'll take it": the first one gets it and only then
learns who and where); the neighbour (or the leader who posted it) confirms that the help
happened, and the helper gets the points, once; or says it did not, and it is open again."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.services import helping as service
from handlers.kit import Refusal, answer, pressed, private_only, refuse, reply, stale, touch_person
from handlers.volunteering.callbacks import HelpDone, HelpTake
from handlers.volunteering.keyboards import done_buttons, take_buttons
from storage import volunteering as store


@private_only
async def take(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, HelpTake)
    services = context.services
    tr = turn.tr
    async with services.db.transaction() as conn:
        req = await store.help_request(conn, data.request_id)
        if req is None:
            await stale(query, turn)
            return
        lives_there = any(r.building_id == req.building_id for r in turn.principal.verified)
        if not can(turn.principal, Action.VOLUNTEER) or not lives_there:
            await refuse(update, turn, Refusal.NO_RIGHT)
            return
        if req.requester_id == turn.user.id or req.state != "open":
            await answer(
                query, tr._("Another neighbour has taken this one already. Thank you!"), True
            )
            return
        await touch_person(turn, conn)
        if not await store.take(conn, req.id, turn.user.id, turn.ts):
            await answer(
                query, tr._("Another neighbour has taken this one already. Thank you!"), True
            )
            return
        await service.taken(conn, services.i18n, req, turn.user.id, done_buttons, now=turn.ts)
        text = await service.helper_text(conn, tr, req)
    services.deliver_now()
    await answer(query)
    await reply(update, text)
    if req.voice and update.effective_chat is not None:
        await update.effective_chat.send_voice(req.voice, caption=tr._("Their voice note"))


@private_only
async def done(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, HelpDone)
    services = context.services
    tr = turn.tr
    async with services.db.transaction() as conn:
        req = await store.help_request(conn, data.request_id)
        if req is None:
            await stale(query, turn)
            return
        confirmer = req.requester_id if req.requester_id is not None else req.posted_by
        if confirmer != turn.user.id:
            await refuse(update, turn, Refusal.NO_RIGHT)
            return
        if req.state != "taken":
            await stale(query, turn)
            return
        changed = await service.confirmed(
            conn,
            services.i18n,
            req,
            done=data.done,
            by=turn.user.id,
            now=turn.ts,
            take_buttons=take_buttons,
        )
    if not changed:
        await stale(query, turn)
        return
    services.deliver_now()
    await answer(query)
    if data.done:
        await reply(update, tr._("Thank you! Your neighbour gets the points for helping."))
    else:
        await reply(
            update, tr._("Sorry to hear that. Your request is open again for other volunteers.")
        )
