"""Exports for managers, under the report: the period's tickets, bookings, votes or notices as
.xlsx (a sheet of figures and a sheet of rows) or .csv (UTF-8 with a BOM), sent as a document
(``bot.services.exports``; units and names where the reader may see them)."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.services import exports
from handlers.kit import answer, pressed, stale
from handlers.stats.access import may_manage, period_of, scope_of
from handlers.stats.callbacks import StatsExport


async def export(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, StatsExport)
    if not await may_manage(update, turn):
        return
    valid, building = await scope_of(turn, data.building)
    period = period_of(turn, data.period, data.month)
    chat = update.effective_chat
    known = data.what in exports.EXPORTS and data.fmt in exports.FORMATS
    if not valid or period is None or chat is None or not known:
        await stale(query, turn)
        return
    tr = turn.tr
    await answer(query, tr._("Preparing the file…"))
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
