"""Inspection rounds in words: the round's checklist as the assignee sees it (ticks and the
tickets "not ok" opened), the managers' message about a missed round, the ticket a "not ok"
opens, and the rounds' line in /stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import N_, Translator
from bot.rules.inspections import Item, Plan, Result, Round, RoundSums
from bot.rules.recurrence import Every, Recurrence
from bot.texts.meetings import WEEKDAYS

INSPECTION_TICKS_LABEL = N_("Inspection items ticked")

OK_MARK, NOT_OK_MARK, TODO_MARK = "✅", "❌", "▫️"


def recurrence_text(tr: Translator, r: Recurrence) -> str:
    """ "every day at 09:00", "every Monday at 09:00", "on day 1 of every month at 09:00"."""
    at = tr.clock(r.at)
    if r.every is Every.DAILY:
        return tr._("every day at {time}", time=at)
    if r.every is Every.WEEKLY:
        return tr._("every {weekday} at {time}", weekday=tr._(WEEKDAYS[r.weekday]), time=at)
    return tr._("on day {day} of every month at {time}", day=r.day, time=at)


def plan_title(tr: Translator, plan: Plan, building: str) -> str:
    where = f"{building} · {plan.place}" if plan.place else building
    return tr._("{plan} ({where})", plan=tr.name(plan.names), where=where)


def checklist_text(
    tr: Translator,
    plan: Plan,
    building: str,
    rnd: Round,
    items: Sequence[Item],
    results: dict[int, Result],
    *,
    due: datetime,
    deadline: datetime,
) -> str:
    """The round as its assignee sees it: what, where, by when, and each item's tick."""
    lines = [
        tr._("Inspection round: {title}", title=plan_title(tr, plan, building)),
        tr._(
            "Due {due}, to be done by {deadline}.",
            due=tr.when(due),
            deadline=tr.when(deadline),
        ),
        "",
    ]
    for item in items:
        found = results.get(item.id)
        name = tr.name(item.names)
        if found is None:
            extra = tr._(" (photo)") if item.photo else ""
            lines.append(f"{TODO_MARK} {name}{extra}")
        elif found.ok:
            lines.append(f"{OK_MARK} {name}")
        elif found.ticket_id is not None:
            lines.append(
                f"{NOT_OK_MARK} {name} " + tr._("→ ticket #{number}", number=found.ticket_id)
            )
        else:
            lines.append(f"{NOT_OK_MARK} {name}")
    lines.append("")
    if rnd.state == "done":
        bad = sum(1 for r in results.values() if not r.ok)
        lines.append(
            tr._("Round done: every item checked, {bad} not ok.", bad=bad)
            if bad
            else tr._("Round done: every item is ok. Thank you!")
        )
    else:
        lines.append(tr._("Tap ✅ (ok) or ❌ (not ok) for each item. A ❌ opens a ticket."))
    return "\n".join(lines)


def missed_text(
    tr: Translator,
    plan: Plan,
    building: str,
    deadline: datetime,
    ticked: int,
    total: int,
    assignee: str,
) -> str:
    return tr._(
        "An inspection round was not done in time: {title}. It was to be done by {deadline}; "
        "{ticked} of {total} items are checked. Assigned to: {name}.",
        title=plan_title(tr, plan, building),
        deadline=tr.when(deadline),
        ticked=ticked,
        total=total,
        name=assignee,
    )


def not_ok_description(tr: Translator, plan: Plan, item: Item) -> str:
    """The description of the ticket a "not ok" opens (in the community's language)."""
    return tr._(
        'Inspection "{plan}": "{item}" is not ok.',
        plan=tr.name(plan.names),
        item=tr.name(item.names),
    )


def rounds_line(tr: Translator, s: RoundSums) -> str:
    """The rounds of a period in /stats."""
    return tr._(
        "Inspection rounds: {due} due, {on_time} done on time, {late} done late, {missed} "
        "missed, {open} still open; {checked} items checked, {not_ok} not ok ({tickets} "
        "tickets opened).",
        due=tr.number(s.due),
        on_time=tr.number(s.on_time),
        late=tr.number(s.late),
        missed=tr.number(s.missed),
        open=tr.number(s.open),
        checked=tr.number(s.checked),
        not_ok=tr.number(s.not_ok),
        tickets=tr.number(s.tickets),
    )
