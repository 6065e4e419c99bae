"""The points bank's use cases: a person's balance and history in words, a staff correction
(with its reason, told to the person), a redemption with its one-time code, and the monthly
thank-you board (a due row per month, posted once to the bound groups: each building's board
to its groups, the community's to the community groups; only residents who agreed are named).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.clock import from_ts, to_ts
from bot.rules.figures import month_period, next_month
from bot.rules.points import month_key
from bot.services.readers import translator_for
from bot.texts.figures import period_text
from bot.texts.volunteering import KIND_LABELS, honour_text
from storage import community, outbox, people, points
from storage import notices as notice_store

KIND = "points"
BOARD_AT = time(9, 0)  # on the first of the month, community time
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter


def signed(amount: int) -> str:
    """+5 / -5."""
    return f"{amount:+d}"


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def history_text(tr: Translator, balance: int, entries: list[points.Entry]) -> str:
    lines = [tr._("⭐ Your points: {balance}", balance=tr.number(balance))]
    if not entries:
        lines.append(
            tr._("No points yet. Volunteer at an activity or help a neighbour to earn some.")
        )
    for e in entries:
        why = tr._(KIND_LABELS[e.kind])
        if e.reason:
            why = tr._("{why}: {reason}", why=why, reason=e.reason)
        sign = "+" if e.delta > 0 else "−"
        lines.append(f"{tr.when(from_ts(e.at))}  {sign}{abs(e.delta)}  {why}")
    lines += ["", tr._("Points come from volunteering only, never from voting or ratings.")]
    return "\n".join(lines)


async def correct(
    conn: aiosqlite.Connection,
    i18n: I18n,
    user_id: int,
    delta: int,
    reason: str,
    *,
    by: int,
    now: int,
) -> int | None:
    """A staff correction, told to the person with its reason; the new balance, or ``None``
    if it would take the balance below zero (nothing changed)."""
    if not await points.correct(conn, user_id, delta, reason, by=by, now=now):
        return None
    balance = await points.balance(conn, user_id)
    tr = await translator_for(i18n, conn, user_id)
    text = tr._(
        "Staff corrected your points by {delta}: {reason}. Your balance is {balance}.",
        delta=signed(delta),
        reason=reason,
        balance=balance,
    )
    await outbox.push(conn, user_id, outbox.Payload(text), now=now, kind=KIND, ref="correction")
    await people.audit(conn, by, "points_correction", str(user_id), now, f"{delta:+d} {reason}")
    return balance


async def redeem(
    conn: aiosqlite.Connection, user_id: int, reward_id: int, ref: str, *, now: int
) -> points.Redemption:
    """Redeem, with a new one-time code (``points.RedeemRefused`` rolls the caller back)."""
    return await points.redeem(conn, user_id, reward_id, ref, new_code(), now=now)


# ---------------------------------------------------------------------------- the honour board


def board_due(month_first: date, i18n: I18n) -> int:
    return to_ts(datetime.combine(next_month(month_first), BOARD_AT, tzinfo=i18n.tz))


async def board(
    conn: aiosqlite.Connection, tr: Translator, month: str, building_id: int | None
) -> str | None:
    """A month's thank-you board for a building (or the community)."""
    year, number = (int(p) for p in month.split("-"))
    period = month_period(year, number, tr.tz)
    named: list[str] = []
    others = 0
    for user_id, _earned, agreed in await points.earners(
        conn, period.start_ts, period.end_ts, building_id
    ):
        person = await people.get_person(conn, user_id) if agreed else None
        if person is not None and person.first_name:
            named.append(person.first_name)
        else:
            others += 1
    if building_id is None:
        scope = tr._("the whole community")
    else:
        found = await community.building(conn, building_id)
        scope = tr.name(found.names) if found else "?"
    return honour_text(tr, period_text(tr, period), scope, named, others)


async def post_boards(conn: aiosqlite.Connection, now: datetime, i18n: I18n) -> int:
    """Plan this month's board, then post every board due (marked in this transaction, so
    once); returns how many months were posted."""
    ts = to_ts(now)
    this_month = now.astimezone(i18n.tz).date().replace(day=1)
    await points.plan_board(
        conn, month_key(this_month.year, this_month.month), board_due(this_month, i18n)
    )
    months = await points.claim_boards(conn, ts)
    tr = i18n.translator(None)
    for month in months:
        messages: list[tuple[int, outbox.Payload]] = []
        for b in await community.buildings(conn):
            text = await board(conn, tr, month, b.id)
            if text:
                messages += [
                    (g, outbox.Payload(text)) for g in await notice_store.groups_for(conn, [b.id])
                ]
        text = await board(conn, tr, month, None)
        if text:
            for chat_id in await notice_store.groups_for(conn, None):
                binding = await notice_store.binding(conn, chat_id)
                if binding is not None and binding.kind == "community":
                    messages.append((chat_id, outbox.Payload(text)))
        if messages:
            batch = await outbox.create_batch(conn, "honour", month, created_by=None, now=ts)
            await outbox.enqueue(conn, batch, messages, not_before=ts)
    return len(months)
