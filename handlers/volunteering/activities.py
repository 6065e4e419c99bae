"""/activities: the upcoming volunteer activities a person may join, with "I'll help" and
"Withdraw"; for organisers also their activities with who signed up and, once begun, "Who
came" (``handlers.volunteering.attendance``). And the "I'll help" press itself (under an
announcement in a private chat or a group, or in the list)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.context import Context
from bot.rules.auth import Action, Principal, Role, can
from bot.rules.clock import from_ts
from bot.services import volunteering as service
from handlers.kit import (
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    reply,
    stale,
    touch_person,
)
from handlers.volunteering.callbacks import ActAttendance, ActJoin, ActWithdraw
from storage import volunteering as store


def invited(p: Principal, a: store.Activity) -> bool:
    return a.buildings is None or any(r.building_id in a.buildings for r in p.verified)


def organises(p: Principal, a: store.Activity) -> bool:
    """The organiser, and staff, managers and the committee, look after an activity."""
    return a.organiser_id == p.user_id or p.has_any(Role.STAFF, Role.MANAGER, Role.COMMITTEE)


async def _lines(turn: Turn, context: Context) -> tuple[list[str], list[InlineKeyboardButton]]:
    tr, p = turn.tr, turn.principal
    lines: list[str] = []
    buttons: list[InlineKeyboardButton] = []
    async with context.services.db.read() as conn:
        ahead = [a for a in await store.upcoming(conn, turn.ts) if invited(p, a)]
        mine = {a.id: await store.signup(conn, a.id, p.user_id) for a in ahead}
        run: list[tuple[store.Activity, int, int]] = []
        if can(p, Action.ORGANISE_ACTIVITY):
            everyone = p.has_any(Role.STAFF, Role.MANAGER, Role.COMMITTEE)
            for a in await store.organised_by(conn, None if everyone else p.user_id):
                going = await store.going_count(conn, a.id)
                waiting = len(await store.signups(conn, a.id, "waiting"))
                run.append((a, going, waiting))
    if ahead:
        lines.append(tr._("🤝 Volunteer activities coming up:"))
    for a in ahead:
        when = tr.when(from_ts(a.starts_at))
        s = mine[a.id]
        state = s.state if s is not None else ""
        if state == "going":
            said = tr._("you are on the list")
            buttons.append(button(tr._("Withdraw: {title}", title=a.title[:30]), ActWithdraw(a.id)))
        elif state == "waiting":
            said = tr._("you are on the waiting list")
            buttons.append(button(tr._("Withdraw: {title}", title=a.title[:30]), ActWithdraw(a.id)))
        else:
            said = tr._("{points} points", points=a.points)
            if can(p, Action.VOLUNTEER):
                buttons.append(
                    button(tr._("🙋 I'll help: {title}", title=a.title[:30]), ActJoin(a.id))
                )
        lines.append(f"• {when} {a.title} ({a.place}): {said}")
    if run:
        lines += ["", tr._("Activities you look after:")]
    for a, going, waiting in run:
        when = tr.when(from_ts(a.starts_at))
        lines.append(
            tr._(
                "• {when} {title}: {going} of {slots} coming, {waiting} waiting",
                when=when,
                title=a.title,
                going=going,
                slots=a.slots,
                waiting=waiting,
            )
            + (" ✅" if a.credited_at is not None else "")
        )
        if a.starts_at <= turn.ts:
            buttons.append(
                button(tr._("Who came: {title}", title=a.title[:30]), ActAttendance(a.id))
            )
    if not lines:
        lines.append(tr._("No volunteer activities coming up. Thank you for asking!"))
    return lines, buttons


@private_only
async def list_activities(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    lines, buttons = await _lines(turn, context)
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)


async def join(update: Update, context: Context) -> None:
    """ "I'll help": a place while there are places, else the waiting list."""
    query, data, turn = await pressed(update, context, ActJoin)
    tr = turn.tr
    async with context.services.db.transaction() as conn:
        a = await store.activity(conn, data.activity_id)
        if a is None:
            await stale(query, turn)
            return
        if a.starts_at <= turn.ts:
            await answer(query, tr._("This activity has already begun."), alert=True)
            return
        if not can(turn.principal, Action.VOLUNTEER):
            await answer(
                query,
                tr._("Volunteering is for confirmed residents: join your unit first (/join)."),
                alert=True,
            )
            return
        if not invited(turn.principal, a):
            await answer(
                query, tr._("Sorry, this activity is for the residents of another building."), True
            )
            return
        await touch_person(turn, conn)
        state = await store.sign_up(conn, a.id, turn.user.id, turn.ts)
    if state is None:
        await answer(query, tr._("You are already on the list. Thank you!"))
    elif state == "going":
        await answer(
            query, tr._("Thank you! You are on the list; I will remind you the day before.")
        )
    else:
        await answer(
            query,
            tr._(
                "It is full for now: you are on the waiting list, and I will tell you if a place "
                "frees up."
            ),
            alert=True,
        )


@private_only
async def withdraw(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, ActWithdraw)
    services = context.services
    async with services.db.transaction() as conn:
        a = await store.activity(conn, data.activity_id)
        if a is None or a.starts_at <= turn.ts:
            await stale(query, turn)
            return
        done = await service.withdraw(conn, services.i18n, a, turn.user.id, now=turn.ts)
    if not done:
        await stale(query, turn)
        return
    services.deliver_now()
    await answer(query, turn.tr._("You are off the list. Thank you for telling us."))
    lines, buttons = await _lines(turn, context)
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)
