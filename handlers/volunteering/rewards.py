"""Rewards: /rewards (the catalog with price and stock; "Redeem" → a confirmation → a one-time
code; staff and managers also see "10 more" and "Stop offering" under each reward), /rewardadd
PRICE STOCK TITLE (staff, managers), /redeemed CODE (staff, managers mark a code used, once).
Two people redeeming the last one at once: one gets it (the stock is taken down in one guarded
statement, in the transaction of the debit)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services import points as service
from handlers.kit import (
    Dismiss,
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
    text_too_long,
    touch_person,
)
from handlers.kit.callbacks import strict_int
from handlers.volunteering.access import staff_command
from handlers.volunteering.callbacks import RewardManage, RewardPick, RewardYes
from storage import points


@private_only
async def catalog(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    await _show(update, turn)


async def _show(update: Update, turn: Turn) -> None:
    """The catalog, with the person's balance (staff: with each reward's staff buttons)."""
    tr = turn.tr
    async with turn.services.db.read() as conn:
        found = await points.rewards(conn)
        balance = await points.balance(conn, turn.user.id)
    lines = [tr._("🎁 Rewards (you have {balance} points):", balance=balance)]
    buttons = []
    staff = can(turn.principal, Action.CORRECT_POINTS)
    for r in found:
        lines.append(
            tr._(
                "• {title}: {price} points, {stock} left",
                title=r.title,
                price=r.price,
                stock=r.stock,
            )
        )
        if r.stock > 0 and balance >= r.price:
            buttons.append(button(tr._("Redeem: {title}", title=r.title[:30]), RewardPick(r.id)))
        if staff:
            buttons += [
                button(tr._("10 more: {title}", title=r.title[:30]), RewardManage(r.id, "more")),
                button(
                    tr._("Stop offering: {title}", title=r.title[:30]), RewardManage(r.id, "end")
                ),
            ]
    if not found:
        lines.append(tr._("No rewards yet."))
    if staff:
        lines += [
            "",
            tr._("Staff: /rewardadd PRICE STOCK TITLE adds one; /redeemed CODE marks a code used."),
        ]
    await reply(update, "\n".join(lines), keyboard(buttons) if buttons else None)


@private_only
async def pick(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, RewardPick)
    tr = turn.tr
    async with context.services.db.read() as conn:
        r = await points.reward(conn, data.reward_id)
        balance = await points.balance(conn, turn.user.id)
    if r is None or not r.active:
        await stale(query, turn)
        return
    if r.stock <= 0:
        await answer(query, tr._("Sorry, this reward is sold out."), alert=True)
        return
    if balance < r.price:
        await answer(query, tr._("Sorry, you do not have enough points for this."), alert=True)
        return
    await answer(query)
    text = tr._(
        "Redeem {title} for {price} points? You have {balance}; afterwards {after}.",
        title=r.title,
        price=r.price,
        balance=balance,
        after=balance - r.price,
    )
    markup = keyboard(
        [
            button(tr._("Yes, redeem it"), RewardYes(r.id, turn.ts)),
            button(tr._("Cancel"), Dismiss("rewards")),
        ],
        per_row=1,
    )
    await reply(update, text, markup)


@private_only
async def confirm(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, RewardYes)
    tr = turn.tr
    ref = str(data.ref)
    try:
        async with context.services.db.transaction() as conn:
            await touch_person(turn, conn)
            done = await service.redeem(conn, turn.user.id, data.reward_id, ref, now=turn.ts)
            r = await points.reward(conn, data.reward_id)
    except points.RedeemRefused as refused:
        outcome = refused.outcome
        if outcome is points.Redeemed.AGAIN:
            async with context.services.db.read() as conn:
                first = await points.redemption_of(conn, turn.user.id, data.reward_id, ref)
            await answer(query)
            if first is not None:
                await reply(update, tr._("Already redeemed. Your code: {code}", code=first.code))
            return
        words = {
            points.Redeemed.SOLD_OUT: tr._("Sorry, this reward is sold out."),
            points.Redeemed.TOO_FEW_POINTS: tr._("Sorry, you do not have enough points for this."),
        }
        if outcome in words:
            await answer(query, words[outcome], alert=True)
        else:
            await stale(query, turn)
        return
    await answer(query)
    await reply(
        update,
        tr._(
            "Redeemed: {title}. Your code is {code}: show it at the property office; it can be "
            "used once. /points shows it again.",
            title=r.title if r else "-",
            code=done.code,
        ),
    )


@private_only
async def add(update: Update, context: Context) -> None:
    """/rewardadd PRICE STOCK TITLE."""
    found = await staff_command(update, context)
    if found is None:
        return
    turn, message = found
    tr = turn.tr
    args = context.args or []
    price = strict_int(args[0]) if args else None
    stock = strict_int(args[1]) if len(args) > 1 else None
    title = " ".join(args[2:]).strip()
    if (
        price is None
        or stock is None
        or not title
        or not 0 < price <= 100_000
        or not 0 <= stock <= 10_000
    ):
        await message.reply_text(
            tr._(
                "Send: /rewardadd PRICE STOCK TITLE, for example /rewardadd 50 10 Property-fee "
                "voucher 20 yuan"
            )
        )
        return
    problem = text_too_long(turn, title, 100)
    if problem:
        await message.reply_text(problem)
        return
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        await points.add_reward(conn, title, price, stock, by=turn.user.id, now=turn.ts)
    await message.reply_text(
        tr._(
            "Added: {title}, {price} points, {stock} in stock.",
            title=title,
            price=price,
            stock=stock,
        )
    )


@private_only
async def mark_used(update: Update, context: Context) -> None:
    """/redeemed CODE."""
    found = await staff_command(update, context)
    if found is None:
        return
    turn, message = found
    tr = turn.tr
    code = (context.args or [""])[0].strip().upper()
    async with context.services.db.transaction() as conn:
        used = await points.redemption_by_code(conn, code) if code else None
        if used is None:
            await message.reply_text(
                tr._("Send: /redeemed CODE, with a code a resident shows you.")
            )
            return
        r = await points.reward(conn, used.reward_id)
        title = r.title if r else "-"
        if used.used_at is not None:
            await message.reply_text(
                tr._(
                    "{code} ({title}) was already used {when}.",
                    code=code,
                    title=title,
                    when=tr.when(from_ts(used.used_at)),
                )
            )
            return
        await touch_person(turn, conn)
        await points.mark_used(conn, code, by=turn.user.id, now=turn.ts)
    await message.reply_text(
        tr._("{code} ({title}) is marked as used. Thank you!", code=code, title=title)
    )


@private_only
async def manage(update: Update, context: Context) -> None:
    """Staff on a reward: 10 more in stock, or withdraw it (after a confirmation)."""
    query, data, turn = await pressed(update, context, RewardManage)
    tr = turn.tr
    if not can(turn.principal, Action.CORRECT_POINTS):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return
    if data.action not in ("more", "end", "endok"):
        await stale(query, turn)
        return
    async with context.services.db.transaction() as conn:
        r = await points.reward(conn, data.reward_id)
        if r is None or not r.active:
            await stale(query, turn)
            return
        if data.action == "end":
            await answer(query)
            text = tr._(
                "Stop offering {title}? Residents can no longer redeem it; codes already "
                "given stay valid.",
                title=r.title,
            )
            markup = keyboard(
                [
                    button(tr._("Yes, stop offering it"), RewardManage(r.id, "endok")),
                    button(tr._("Cancel"), Dismiss("rewards")),
                ],
                per_row=1,
            )
            await reply(update, text, markup)
            return
        await touch_person(turn, conn)
        if data.action == "more":
            if not await points.restock(conn, r.id, 10):
                await answer(query, tr._("That would be more than 10,000 in stock."), True)
                return
            said = tr._("{title}: now {stock} in stock.", title=r.title, stock=r.stock + 10)
        else:
            await points.withdraw_reward(conn, r.id)
            said = tr._(
                "No longer offered: {title}. Codes already given stay valid.", title=r.title
            )
    await answer(query, said)
    await _show(update, turn)
