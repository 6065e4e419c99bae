"""/rounds (staff, managers): the inspection plans with their recurrence, next due time and
assignee, and the rounds not done yet, each with "Open the checklist" (a fresh copy of it in
this chat, which the ticks then keep up to date)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.clock import from_ts
from bot.services import inspections as service
from bot.services.tickets_render import name_of
from bot.texts.inspections import plan_title, recurrence_text
from handlers.inspections.callbacks import RoundOpen
from handlers.inspections.keyboards import LINKS
from handlers.inspections.tick import may_tick
from handlers.kit import (
    Refusal,
    answer,
    begin,
    button,
    keyboard,
    pressed,
    private_only,
    refuse,
    reply,
)
from storage import community
from storage import inspections as store

ROUNDS = 20


@private_only
async def rounds_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    if not can(turn.principal, Action.HANDLE_TICKETS):
        await refuse(update, turn, Refusal.NO_RIGHT)
        return
    tr = turn.tr
    lines: list[str] = []
    buttons = []
    async with context.services.db.read() as conn:
        names = {b.id: b.name for b in await community.buildings(conn)}
        plans = [
            p
            for p in await store.active_plans(conn)
            if can(turn.principal, Action.HANDLE_TICKETS, p.building_id)
        ]
        for p in plans:
            upcoming = (
                tr._("next {when}", when=tr.when(from_ts(p.next_due_at)))
                if p.next_due_at
                else tr._("first round being scheduled")
            )
            lines.append(
                "• "
                + tr._(
                    "{title}: {recurrence}; {next}; {name}",
                    title=plan_title(tr, p, names.get(p.building_id or 0, "-")),
                    recurrence=recurrence_text(tr, p.recurrence),
                    next=upcoming,
                    name=await name_of(conn, p.assignee_id),
                )
            )
        by_id = {p.id: p for p in plans}
        open_lines: list[str] = []
        for r in await store.open_rounds(conn, ROUNDS):
            plan = by_id.get(r.plan_id)
            if plan is None:
                continue
            c = await service.checklist(conn, r.id)
            assert c is not None
            late = r.deadline_at <= turn.ts
            open_lines.append(
                "• "
                + tr._(
                    "{plan}, due {due}: {ticked} of {total} checked",
                    plan=tr.name(plan.names),
                    due=tr.when(from_ts(r.due_at)),
                    ticked=len(c.results),
                    total=len(c.items),
                )
                + (" " + tr._("(past its deadline)") if late else "")
            )
            label = tr._(
                "Open: {plan}, {due}",
                plan=tr.name(plan.names),
                due=tr.when(from_ts(r.due_at)),
            )
            buttons.append(button(label[:60], RoundOpen(r.id)))
    if not plans:
        await reply(
            update,
            tr._(
                "No inspection plans yet. Managers add them to the community file "
                "([[inspections]], see the README) and load it with residentbot init."
            ),
        )
        return
    text = tr._("Inspection plans:") + "\n" + "\n".join(lines)
    text += "\n\n" + (
        tr._("Rounds not done yet:") + "\n" + "\n".join(open_lines)
        if open_lines
        else tr._("Every round is done.")
    )
    await reply(update, text[:4096], keyboard(buttons) if buttons else None)


@private_only
async def round_open(update: Update, context: Context) -> None:
    """A fresh copy of an open round's checklist in this chat."""
    query, data, turn = await pressed(update, context, RoundOpen)
    services = context.services
    async with services.db.transaction() as conn:
        c = await service.checklist(conn, data.round_id)
        if c is None:
            await refuse(update, turn, Refusal.STALE)
            return
        if not may_tick(turn, c):
            await refuse(update, turn, Refusal.NO_RIGHT)
            return
        await service.post_checklist(conn, services.i18n, LINKS, c, turn.user.id, turn.ts)
    services.deliver_now()
    await answer(query)
