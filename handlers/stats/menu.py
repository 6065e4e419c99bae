"""/stats: the period buttons (this week, last week, this month, last month, a chosen month),
the scope (the whole community or one building) and, for managers, whether the monthly report
also goes to the community's groups in its short public version."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import to_ts
from bot.rules.figures import PeriodKind, recent_months
from bot.texts.figures import PERIOD_LABELS
from handlers.kit import Turn, answer, begin, button, pressed, private_only, reply
from handlers.stats.access import checked, may_see
from handlers.stats.callbacks import (
    StatsMenu,
    StatsMonths,
    StatsPublic,
    StatsScopes,
    StatsShow,
    month_int,
)
from storage import community
from storage import figures as store

MONTHS_SHOWN = 12


async def menu_markup(turn: Turn, building: int) -> tuple[str, InlineKeyboardMarkup]:
    tr = turn.tr
    async with turn.services.db.read() as conn:
        found = await community.building(conn, building) if building else None
        public = await store.setting(conn, store.PUBLIC_REPORT) == "1"
    scope = tr.name(found.names) if found is not None else tr._("the whole community")
    lines = [tr._("📊 Figures for {scope}. Which period?", scope=scope)]
    periods = [
        button(tr._(PERIOD_LABELS[kind]), StatsShow(kind, 0, building))
        for kind in (
            PeriodKind.THIS_WEEK,
            PeriodKind.LAST_WEEK,
            PeriodKind.THIS_MONTH,
            PeriodKind.LAST_MONTH,
        )
    ]
    rows = [periods[0:2], periods[2:4]]
    rows.append([button(tr._(PERIOD_LABELS[PeriodKind.MONTH]), StatsMonths(building))])
    rows.append([button(tr._("Community or building: change"), StatsScopes())])
    if can(turn.principal, Action.MANAGE):
        if public:
            lines.append(tr._("The monthly report also goes to the groups (short version)."))
            label = tr._("Stop the public monthly report")
        else:
            lines.append(tr._("The monthly report goes to the staff chat and managers only."))
            label = tr._("Also send a short monthly report to the groups")
        rows.append([button(label, StatsPublic(not public, building))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@private_only
async def stats(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    if not await may_see(update, turn):
        return
    text, markup = await menu_markup(turn, 0)
    await reply(update, text, markup)


async def show_menu(update: Update, context: Context) -> None:
    press = await checked(update, context, StatsMenu)
    if press is None:
        return
    await answer(press.query)
    text, markup = await menu_markup(press.turn, press.data.building)
    await reply(update, text, markup)


async def months(update: Update, context: Context) -> None:
    press = await checked(update, context, StatsMonths)
    if press is None:
        return
    await answer(press.query)
    data, turn = press.data, press.turn
    tr = turn.tr
    today = turn.now.astimezone(tr.tz).date()
    buttons = [
        button(
            tr.day(first, "yyyy-MM"), StatsShow(PeriodKind.MONTH, month_int(first), data.building)
        )
        for first in recent_months(today, MONTHS_SHOWN)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([button(tr._("Back"), StatsMenu(data.building))])
    await reply(update, tr._("Which month?"), InlineKeyboardMarkup(rows))


async def scopes(update: Update, context: Context) -> None:
    query, _, turn = await pressed(update, context, StatsScopes)
    if not await may_see(update, turn):
        return
    await answer(query)
    tr = turn.tr
    async with turn.services.db.read() as conn:
        buildings = await community.buildings(conn)
    rows: list[list[InlineKeyboardButton]] = [[button(tr._("the whole community"), StatsMenu(0))]]
    items = [button(tr.name(b.names), StatsMenu(b.id)) for b in buildings]
    rows += [items[i : i + 3] for i in range(0, len(items), 3)]
    await reply(update, tr._("Figures for the whole community or one building?"),
                InlineKeyboardMarkup(rows))  # fmt: skip


async def toggle_public(update: Update, context: Context) -> None:
    press = await checked(update, context, StatsPublic, manage=True)
    if press is None:
        return
    data, turn = press.data, press.turn
    async with turn.services.db.transaction() as conn:
        await store.set_setting(
            conn, store.PUBLIC_REPORT, "1" if data.on else "0", turn.user.id, to_ts(turn.now)
        )
    tr = turn.tr
    await answer(
        press.query,
        tr._("From next month the short report also goes to the groups.")
        if data.on
        else tr._("The monthly report will no longer go to the groups."),
    )
    text, markup = await menu_markup(turn, data.building)
    await reply(update, text, markup)
