"""After an activity its organiser ticks who came, from a button list of the volunteers who
were going, then credits the points: only then, and once per person (a second press, or a
person ticked later, credits only who was not credited yet)."""

from __future__ import annotations

from typing import TypeVar

from telegram import CallbackQuery, Update

from bot.context import Context
from bot.services import volunteering as service
from bot.services.helping import name_of
from handlers.kit import (
    Refusal,
    Turn,
    answer,
    button,
    keyboard,
    pressed,
    private_only,
    refuse,
    reply,
    stale,
)
from handlers.volunteering.activities import organises
from handlers.volunteering.callbacks import ActAttendance, ActCredit, ActTick, OnActivity
from storage import points
from storage import volunteering as store

D = TypeVar("D", bound=OnActivity)


async def _show(update: Update, context: Context, turn: Turn, a: store.Activity) -> None:
    tr = turn.tr
    buttons = []
    async with context.services.db.read() as conn:
        going = await store.signups(conn, a.id, "going")
        for s in going:
            mark = "✅" if s.attended else "⬜"
            credited = await points.credited(conn, s.user_id, str(a.id))
            star = " ⭐" if credited else ""
            name = await name_of(conn, s.user_id)
            buttons.append(button(f"{mark} {name}{star}", ActTick(a.id, s.user_id)))
    text = tr._(
        "Who came to {title}? Tap each volunteer who came, then credit the points "
        "({points} each). ⭐: credited.",
        title=a.title,
        points=a.points,
    )
    if not going:
        text = tr._("Nobody signed up for {title}.", title=a.title)
    footer = [button(tr._("Credit the points"), ActCredit(a.id))] if going else []
    await reply(update, text, keyboard(buttons, per_row=2, footer=footer))


async def _pressed(
    update: Update, context: Context, cls: type[D]
) -> tuple[CallbackQuery, D, Turn, store.Activity] | None:
    """The press on an activity the presser looks after and that has begun; else a refusal."""
    query, data, turn = await pressed(update, context, cls)
    async with context.services.db.read() as conn:
        a = await store.activity(conn, data.activity_id)
    if a is None:
        await stale(query, turn)
        return None
    if not organises(turn.principal, a):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return None
    if a.starts_at > turn.ts:
        await answer(query, turn.tr._("The activity has not begun yet."), alert=True)
        return None
    return query, data, turn, a


@private_only
async def attendance(update: Update, context: Context) -> None:
    found = await _pressed(update, context, ActAttendance)
    if found is None:
        return
    query, _data, turn, a = found
    await answer(query)
    await _show(update, context, turn, a)


@private_only
async def tick(update: Update, context: Context) -> None:
    found = await _pressed(update, context, ActTick)
    if found is None:
        return
    query, data, turn, a = found
    async with context.services.db.transaction() as conn:
        s = await store.signup(conn, a.id, data.user_id)
        changed = s is not None and await store.set_attended(
            conn, a.id, data.user_id, not s.attended
        )
    if not changed:
        await stale(query, turn)
        return
    await answer(query)
    await _show(update, context, turn, a)


@private_only
async def credit(update: Update, context: Context) -> None:
    found = await _pressed(update, context, ActCredit)
    if found is None:
        return
    query, _data, turn, a = found
    services = context.services
    async with services.db.transaction() as conn:
        credited = await service.credit(conn, services.i18n, a, by=turn.user.id, now=turn.ts)
    services.deliver_now()
    tr = turn.tr
    if credited:
        said = tr.n_(
            "Points credited to {n} volunteer.", "Points credited to {n} volunteers.", credited
        )
    else:
        said = tr._("Nobody new to credit: tick who came first.")
    await answer(query, said, alert=True)
    await _show(update, context, turn, a)
