"""The figures in words, in one reader's language with locale-formatted numbers: the full
report for managers and the committee (/stats, the monthly report) and the short public one for
the community's groups (counts, on-time share, satisfaction; no person, no unit)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bot.i18n import N_, Translator
from bot.rules.figures import (
    SATISFACTION_TARGET,
    UTILISATION_TARGET,
    Durations,
    Figures,
    GroupFigures,
    Period,
    PeriodKind,
    Share,
    TicketFigures,
    VoteFigure,
    VoteOutcome,
)
from bot.rules.figures.community import (
    MeetingFigures,
    NoticeFigures,
    OutageFigures,
    RoomFigure,
    VolunteerFigures,
)
from bot.rules.tickets import Kind, State
from bot.rules.votes import find_option
from bot.texts.tickets import KIND_LABELS
from bot.texts.votes import area_text, option_label, percent

#: Most categories and staff members listed in a text (the rest are in the export).
MAX_LINES = 12

PERIOD_LABELS = {
    PeriodKind.THIS_WEEK: N_("This week"),
    PeriodKind.LAST_WEEK: N_("Last week"),
    PeriodKind.THIS_MONTH: N_("This month"),
    PeriodKind.LAST_MONTH: N_("Last month"),
    PeriodKind.MONTH: N_("Choose a month"),
}

OUTCOME_LABELS = {
    State.NOT_OURS: N_("not our responsibility"),
    State.REJECTED: N_("rejected"),
    State.DUPLICATE: N_("duplicate"),
    State.WITHDRAWN: N_("withdrawn"),
}

VOTE_OUTCOMES = {
    VoteOutcome.PASSED: N_("passed"),
    VoteOutcome.NOT_PASSED: N_("did not pass"),
    VoteOutcome.INVALID: N_("not valid: too few owners took part"),
    VoteOutcome.TIE: N_("a tie, no winner"),
    VoteOutcome.NO_QUORUM: N_("too few votes (quorum missed)"),
    VoteOutcome.EMPTY: N_("nobody could vote"),
}


@dataclass(frozen=True)
class Names:
    """Community data the figures name: categories, buildings and staff, by code or id."""

    categories: Mapping[str, dict[str, str]] = field(default_factory=dict)
    buildings: Mapping[int, dict[str, str]] = field(default_factory=dict)  # {locale: name}
    people: Mapping[int, str] = field(default_factory=dict)


def period_text(tr: Translator, period: Period) -> str:
    if period.kind in (PeriodKind.THIS_MONTH, PeriodKind.LAST_MONTH, PeriodKind.MONTH):
        return tr.day(period.first, _month_skeleton(tr))
    return tr._(
        "{first} – {last}", first=tr.day(period.first, "medium"), last=tr.day(period.last, "medium")
    )


def _month_skeleton(tr: Translator) -> str:
    found = tr.babel_locale.datetime_skeletons.get("yMMMM")
    return str(found.pattern) if found is not None else "MMMM y"


def scope_text(tr: Translator, building_id: int | None, names: Names) -> str:
    if building_id is None:
        return tr._("the whole community")
    found = names.buildings.get(building_id)
    return tr.name(found) if found else f"#{building_id}"


def share_text(tr: Translator, share: Share, *, none: str | None = None) -> str:
    """'87.5% (7 of 8)'; with nothing to divide by, ``none`` (a label) or a dash."""
    value = share.value
    if value is None:
        return tr._(none) if none else "–"
    return tr._(
        "{share} ({part} of {whole})",
        share=percent(tr, value),
        part=tr.number(share.part),
        whole=tr.number(share.whole),
    )


def duration_text(tr: Translator, seconds: float | None) -> str:
    """Service-hours time: '45 min', '5 h', '12.5 h'."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return tr._("{n} min", n=tr.number(round(seconds / 60)))
    hours = Decimal(round(seconds / 360)) / 10
    return tr._("{n} h", n=tr.number(hours))


def durations_text(tr: Translator, d: Durations) -> str:
    if not d.count:
        return tr._("none yet")
    return tr.n_(
        "median {median}, 90% within {p90} ({n} ticket)",
        "median {median}, 90% within {p90} ({n} tickets)",
        d.count,
        median=duration_text(tr, d.median),
        p90=duration_text(tr, d.p90),
    )


def category_name(tr: Translator, code: str, names: Names) -> str:
    found = names.categories.get(code)
    return tr.name(found) if found else code


def _counts_line(tr: Translator, t: TicketFigures) -> list[str]:
    c = t.counts
    lines = [
        tr._(
            "Opened {opened} · resolved {resolved} · closed {closed} · still open {open} · "
            "overdue now {overdue}",
            opened=tr.number(c.opened),
            resolved=tr.number(c.resolved),
            closed=tr.number(c.closed),
            open=tr.number(c.open_now),
            overdue=tr.number(c.overdue),
        )
    ]
    apart = [tr._("not fixed {n}", n=tr.number(c.not_fixed))] if c.not_fixed else []
    for state, label in OUTCOME_LABELS.items():
        if c.outcomes.get(state.value):
            apart.append(tr._("{what} {n}", what=tr._(label), n=tr.number(c.outcomes[state])))
    if apart:
        lines.append(tr._("Counted apart, not as resolved: {list}", list=", ".join(apart)))
    return lines


def _group_line(tr: Translator, name: str, g: GroupFigures) -> str:
    return tr._(
        "{name}: opened {opened}, resolved {resolved}, open {open}, overdue {overdue}; "
        "resolved on time {on_time}; median {median}",
        name=name,
        opened=tr.number(g.counts.opened),
        resolved=tr.number(g.counts.resolved),
        open=tr.number(g.counts.open_now),
        overdue=tr.number(g.counts.overdue),
        on_time=share_text(tr, g.resolution_on_time),
        median=duration_text(tr, g.resolution.median),
    )


def tickets_lines(tr: Translator, t: TicketFigures, names: Names) -> list[str]:
    lines = [tr._("🛠 Tickets"), *_counts_line(tr, t)]
    for kind, g in t.by_kind.items():
        label = tr._(KIND_LABELS[Kind(kind)]) if kind in set(Kind) else kind
        lines.append(
            tr._(
                "{kind}: opened {opened}, resolved {resolved}",
                kind=label,
                opened=tr.number(g.counts.opened),
                resolved=tr.number(g.counts.resolved),
            )
        )
    lines += [
        tr._("First response: {d}", d=durations_text(tr, t.response)),
        tr._("On-site arrival: {d}", d=durations_text(tr, t.arrival)),
        tr._("Resolution: {d}", d=durations_text(tr, t.resolution)),
        tr._("(times in service hours, as the SLA counts them, without waiting for residents)"),
        tr._(
            "On time (及时率): response {response}, resolution {resolution}",
            response=share_text(tr, t.response_on_time),
            resolution=share_text(tr, t.resolution_on_time),
        ),
        tr._("Completion (完成率): {share}", share=share_text(tr, t.completion)),
        tr._(
            "Satisfaction (满意率): {share}, target {target}",
            share=share_text(tr, t.satisfaction, none=N_("no ratings yet")),
            target=percent(tr, SATISFACTION_TARGET),
        ),
        tr._("Follow-up (回访率): {share}", share=share_text(tr, t.follow_up)),
        tr._("Reopened (not fixed): {share}", share=share_text(tr, t.reopen)),
    ]
    if t.by_category:
        lines.append(tr._("By category:"))
        for code, g in list(t.by_category.items())[:MAX_LINES]:
            lines.append("• " + _group_line(tr, category_name(tr, code, names), g))
    if t.by_assignee:
        lines.append(tr._("By staff member:"))
        for a in t.by_assignee[:MAX_LINES]:
            lines.append(
                "• "
                + tr._(
                    "{name}: handled {handled}, on time {on_time}, median {median}, "
                    "satisfaction {satisfaction}",
                    name=names.people.get(a.user_id, f"#{a.user_id}"),
                    handled=tr.number(a.handled),
                    on_time=tr.number(a.on_time),
                    median=duration_text(tr, a.resolution.median),
                    satisfaction=share_text(tr, a.satisfaction, none=N_("no ratings yet")),
                )
            )
        if len(t.by_assignee) > MAX_LINES:
            lines.append(tr._("… and {n} more", n=len(t.by_assignee) - MAX_LINES))
    return lines


def vote_result(tr: Translator, v: VoteFigure) -> str:
    """How a closed vote ended: passed, not valid, won by an option …"""
    if v.outcome is VoteOutcome.WINNER and v.winner is not None:
        option = find_option(v.options, v.winner)
        return tr._("won by {option}", option=option_label(tr, option) if option else v.winner)
    return tr._(VOTE_OUTCOMES[v.outcome])


def vote_line(tr: Translator, v: VoteFigure) -> str:
    result = vote_result(tr, v)
    turnout = tr._("turnout {share}", share=share_text(tr, v.head))
    if v.area_turnout is not None and v.area_part is not None and v.area_total is not None:
        turnout = tr._(
            "turnout {head} of owners, {area} of {total} ({share}) of the area",
            head=share_text(tr, v.head),
            area=area_text(tr, v.area_part),
            total=area_text(tr, v.area_total),
            share=percent(tr, v.area_turnout),
        )
    return tr._("{title}: {turnout}; {result}", title=v.title, turnout=turnout, result=result)


def rooms_lines(tr: Translator, rooms: list[RoomFigure]) -> list[str]:
    if not rooms:
        return []
    lines = [tr._("🏠 Room use (target {target}):", target=percent(tr, UTILISATION_TARGET))]
    for room in rooms:
        mark = "✅" if room.meets_target else "▫️"
        lines.append(f"{mark} {tr.name(room.names)}: {percent(tr, room.use)}")
    return lines


def notices_line(tr: Translator, n: NoticeFigures) -> str:
    return tr._(
        "📢 Notices sent: {sent}; messages delivered {delivery}",
        sent=tr.number(n.sent),
        delivery=share_text(tr, n.delivery),
    )


def meetings_line(tr: Translator, m: MeetingFigures) -> str:
    return tr._(
        "👥 Joint meetings held this year: {held} of {target}",
        held=tr.number(m.held_this_year),
        target=tr.number(m.target),
    )


def outages_line(tr: Translator, o: OutageFigures) -> str:
    """Each outage once, with its reports (followers instead of tickets, and its tickets)."""
    return tr._(
        "⚡ Outages declared: {declared}, with {reports} reports ({followed} residents followed "
        "one instead of reporting, {tickets} tickets)",
        declared=tr.number(o.declared),
        reports=tr.number(o.reports),
        followed=tr.number(o.followed),
        tickets=tr.number(o.tickets),
    )


def volunteering_line(tr: Translator, v: VolunteerFigures) -> str:
    return tr._(
        "🤝 Volunteering: {activities} activities, {hours} volunteer hours, {people} people "
        "took part",
        activities=tr.number(v.activities),
        hours=tr.number(round(v.minutes / 60, 1)),
        people=tr.number(v.participants),
    )


def report_text(tr: Translator, f: Figures, names: Names) -> str:
    """The whole report for managers and the committee."""
    lines = [
        tr._(
            "📊 Figures for {period}, {scope}",
            period=period_text(tr, f.period),
            scope=scope_text(tr, f.building_id, names),
        ),
        "",
        *tickets_lines(tr, f.tickets, names),
    ]
    lines += ["", outages_line(tr, f.outages)] if f.outages.declared else []
    lines += ["", tr._("🗳 Votes closed:")] if f.votes else ["", tr._("🗳 No vote closed.")]
    lines += ["• " + vote_line(tr, v) for v in f.votes[:MAX_LINES]]
    rooms = rooms_lines(tr, f.rooms)
    lines += ["", *rooms] if rooms else []
    lines += ["", notices_line(tr, f.notices), meetings_line(tr, f.meetings)]
    lines.append(volunteering_line(tr, f.volunteering))
    return _fit("\n".join(lines))


def public_text(tr: Translator, f: Figures) -> str:
    """The short public version for the community's groups: no person, no unit."""
    t = f.tickets
    lines = [
        tr._("📊 Our property service in {period}", period=period_text(tr, f.period)),
        tr._(
            "Requests received: {opened}; resolved: {resolved}; still open: {open}.",
            opened=tr.number(t.counts.opened),
            resolved=tr.number(t.counts.resolved),
            open=tr.number(t.counts.open_now),
        ),
        tr._("Resolved on time: {share}", share=share_text(tr, t.resolution_on_time)),
        tr._("Answered on time: {share}", share=share_text(tr, t.response_on_time)),
        tr._(
            "Residents satisfied: {share}",
            share=share_text(tr, t.satisfaction, none=N_("no ratings yet")),
        ),
        tr._("Thank you for every report and every rating: they make the service better."),
    ]
    return "\n".join(lines)


#: A Telegram message holds 4,096 characters.
MAX_MESSAGE = 4096


def _fit(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return text
    return text[: MAX_MESSAGE - 1] + "…"
