"""/points: my balance and history (credits, debits, staff corrections with their reasons) and
my reward codes; /volunteer: whether I am told of neighbours' help requests and whether my
name may be on the monthly thank-you board; /pointsfix (staff, managers): a correction, never
without a reason."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.context import Context
from bot.rules import points as rules
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services import points as service
from bot.services.points import signed
from handlers.kit import (
    Refusal,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refuse,
    reply,
    stale,
    touch_person,
)
from handlers.kit.callbacks import strict_int
from handlers.volunteering.access import staff_command
from handlers.volunteering.callbacks import VolunteerSet
from storage import people, points


@private_only
async def my_points(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    async with context.services.db.read() as conn:
        balance = await points.balance(conn, turn.user.id)
        entries = await points.history(conn, turn.user.id)
        codes = [r for r in await points.redemptions_of(conn, turn.user.id) if r.used_at is None]
        titles = {r.id: (await points.reward(conn, r.reward_id)) for r in codes}
    lines = [service.history_text(tr, balance, entries)]
    if codes:
        lines += ["", tr._("Your reward codes (show one at the property office):")]
        for r in codes:
            found = titles[r.id]
            lines.append(f"• {r.code}  {found.title if found else '-'}  {tr.when(from_ts(r.at))}")
    lines += [
        "",
        tr._(
            "/rewards: what points buy. /volunteer: help neighbours, your name on the "
            "thank-you board."
        ),
    ]
    await reply(update, "\n".join(lines))


def _settings(turn: Turn, helps: bool, named: bool) -> tuple[str, list[InlineKeyboardButton]]:
    tr = turn.tr
    lines = [
        tr._(
            "🙋 Neighbours' help requests: {state}",
            state=tr._("you are told") if helps else tr._("off"),
        ),
        tr._(
            "🌟 Your name on the monthly thank-you board: {state}",
            state=tr._("yes") if named else tr._("no"),
        ),
    ]
    buttons = [
        button(
            tr._("Stop telling me of help requests")
            if helps
            else tr._("Tell me when a neighbour needs help"),
            VolunteerSet("helps", not helps),
        ),
        button(
            tr._("Do not name me on the board") if named else tr._("You may name me on the board"),
            VolunteerSet("named", not named),
        ),
    ]
    return "\n".join(lines), buttons


@private_only
async def volunteer(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    if not can(turn.principal, Action.VOLUNTEER):
        await reply(
            update,
            turn.tr._("Volunteering is for confirmed residents: join your unit first (/join)."),
        )
        return
    async with context.services.db.read() as conn:
        helps, named = await points.volunteer(conn, turn.user.id)
    text, buttons = _settings(turn, helps, named)
    await reply(update, text, keyboard(buttons))


@private_only
async def set_choice(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, VolunteerSet)
    if data.what not in ("helps", "named"):
        await stale(query, turn)
        return
    if not can(turn.principal, Action.VOLUNTEER):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        helps, named = await points.volunteer(conn, turn.user.id)
        if data.what == "helps":
            helps = data.on
        else:
            named = data.on
        await points.set_volunteer(conn, turn.user.id, helps=helps, named=named, now=turn.ts)
    await answer(query, turn.tr._("Saved. Thank you!"))
    text, buttons = _settings(turn, helps, named)
    await reply(update, text, keyboard(buttons))


async def _person(turn: Turn, context: Context, who: str) -> int | str:
    """A person by Telegram id or by unit code (its one confirmed resident); else what to say."""
    tr = turn.tr
    async with context.services.db.read() as conn:
        number = strict_int(who)
        if number is not None and await people.get_person(conn, number) is not None:
            return number
        found = await points.residents_of(conn, who)
    if found is None:
        return tr._("I do not know that person or unit.")
    if len(found) == 1:
        return int(found[0][0])
    if not found:
        return tr._("Nobody is registered to that unit.")
    names = ", ".join(f"{r[1]} ({r[0]})" for r in found)
    return tr._("Several residents live there; use one of their numbers: {names}", names=names)


@private_only
async def fix(update: Update, context: Context) -> None:
    """/pointsfix WHO ±N REASON: WHO is a Telegram id or a unit code."""
    found = await staff_command(update, context)
    if found is None:
        return
    turn, message = found
    tr = turn.tr
    args = context.args or []
    amount = rules.correction_amount(args[1]) if len(args) > 1 else None
    reason = " ".join(args[2:]).strip()
    if amount is None or not reason:
        await message.reply_text(
            tr._(
                "Send: /pointsfix WHO AMOUNT REASON, for example /pointsfix 1-101 -5 entered "
                "twice. WHO is a unit or a person's number; a reason is always needed."
            )
        )
        return
    problem = None if len(reason) <= 200 else tr._("Please keep the reason under 200 characters.")
    person = await _person(turn, context, args[0])
    if isinstance(person, str) or problem:
        await message.reply_text(problem or str(person))
        return
    services = context.services
    async with services.db.transaction() as conn:
        await touch_person(turn, conn)
        balance = await service.correct(
            conn, services.i18n, person, amount, reason, by=turn.user.id, now=turn.ts
        )
    if balance is None:
        await message.reply_text(
            tr._("That would take the balance below zero. Nothing was changed.")
        )
        return
    services.deliver_now()
    await message.reply_text(
        tr._(
            "Corrected by {delta}: {reason}. The balance is now {balance}.",
            delta=signed(amount),
            reason=reason,
            balance=balance,
        )
    )
