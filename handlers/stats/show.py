"""The figures of the chosen period and scope: the report in words (locale-formatted numbers),
then the charts as an album of photos; exports for managers under the report."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Update

from bot.charts import MissingFontError, draw
from bot.context import Context
from bot.rules.auth import Action, can
from bot.services import exports, inspections
from bot.services import figures as service
from bot.texts.figures import report_text
from handlers.kit import Turn, answer, button
from handlers.stats.access import checked
from handlers.stats.callbacks import StatsExport, StatsMenu, StatsShow

log = logging.getLogger(__name__)


def after_report(turn: Turn, data: StatsShow) -> InlineKeyboardMarkup:
    """Managers' export buttons (each kind of row as .xlsx or .csv), and another period."""
    tr = turn.tr
    rows = []
    if can(turn.principal, Action.MANAGE):
        for what in exports.EXPORTS:
            label = tr._(exports.EXPORT_LABELS[what])
            rows.append(
                [
                    button(
                        tr._("{what} (.{format})", what=label, format=fmt),
                        StatsExport(what, fmt, data.period, data.month, data.building),
                    )
                    for fmt in exports.FORMATS
                ]
            )
    rows.append([button(tr._("Another period"), StatsMenu(data.building))])
    return InlineKeyboardMarkup(rows)


async def show(update: Update, context: Context) -> None:
    press = await checked(update, context, StatsShow)
    chat = update.effective_chat
    if press is None or press.period is None or chat is None:
        return
    turn, period, building = press.turn, press.period, press.building
    await answer(press.query, turn.tr._("Counting…"))
    tr, services = turn.tr, context.services
    found, names = await service.gather(services.db, tr.tz, period, turn.now, building)
    text = report_text(tr, found, names)
    rounds = await inspections.figures_line(services.db, tr, period, turn.now, building)
    if rounds:
        text += "\n\n" + rounds
    await chat.send_message(text, reply_markup=after_report(turn, press.data))
    try:
        drawn = await draw(tr, found, names)
    except MissingFontError as exc:
        log.error("figures: the charts cannot be drawn: %s", exc)
        await chat.send_message(
            tr._(
                "The charts could not be drawn: the Chinese font is missing on the server. "
                "Please ask the administrator to install it (see the README)."
            )
        )
        return
    await chat.send_media_group([InputMediaPhoto(c.png, filename=f"{c.name}.png") for c in drawn])
