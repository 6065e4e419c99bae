"""Exports for managers, under the report: the period's tickets, bookings, votes or notices as
.xlsx (a sheet of figures and a sheet of rows) or .csv (UTF-8 with a BOM), sent as a document
(``bot.services.exports``; units and names where the reader may see them)."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.services import exports
from handlers.kit import answer, stale
from handlers.stats.access import checked
from handlers.stats.callbacks import StatsExport


async def export(update: Update, context: Context) -> None:
    press = await checked(update, context, StatsExport, manage=True)
    chat = update.effective_chat
    if press is None or press.period is None or chat is None:
        return
    data, turn, period, building = press.data, press.turn, press.period, press.building
    if data.what not in exports.EXPORTS or data.fmt not in exports.FORMATS:
        await stale(press.query, turn)
        return
    tr = turn.tr
    await answer(press.query, tr._("Preparing the file…"))
    viewer = exports.Viewer(personal=can(turn.principal, Action.HANDLE_TICKETS))
    made = await exports.export(
        context.services.db, tr, data.what, data.fmt, period, turn.now, viewer, building
    )
    await chat.send_document(
        InputFile(made.content, filename=made.filename),
        caption=tr._(
            "{what}: {file}", what=tr._(exports.EXPORT_LABELS[data.what]), file=made.filename
        ),
    )
