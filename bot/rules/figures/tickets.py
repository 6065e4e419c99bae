"""Ticket figures of a period, from the period's ticket rows and their recorded SLA measures
(``measure``): counts by kind and category, times (median and 90th percentile), 及时率,
完成率, 满意率, 回访率, the reopen rate and the figures per assignee.

Which tickets count where (P is the period, "now" the moment of the count):

* opened: reported in P. 完成率 = of those, the share resolved (resolved or closed) by now.
* resolved: resolved in P and still resolved or closed after it (a ticket counts in the period
  of its latest resolution). Resolution times, the resolution 及时率, 满意率 and the figures per
  assignee are over these.
* not fixed: resolved in P, then sent back by the resident and open again. Never resolved.
* closed: closed in P after a resolution (rated, or closed after the rating reminder).
* not our responsibility, rejected, duplicate, withdrawn: closed so in P, each counted apart,
  never as resolved.
* open now, overdue now: open at "now" and reported before the end of P; overdue is past a
  deadline as ``bot.rules.sla.status_at`` judges it.
* first response (and its 及时率): over the tickets opened in P; a ticket still unanswered past
  its response deadline counts as a miss, one not due yet (or withdrawn unanswered) not at all.
  On-site arrival: over those opened in P whose technician was marked on site.
* 满意率 = ratings of 4 or 5 ÷ ratings; 回访率 = (rated + not fixed) ÷ (resolved + not fixed),
  the resolutions the resident answered; reopen rate = of those, the share sent back at least
  once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.rules.clock import from_ts
from bot.rules.figures.measure import RESOLVED
from bot.rules.figures.period import Period
from bot.rules.figures.values import Durations, Share, durations
from bot.rules.sla import SlaStatus, status_at
from bot.rules.tickets import OPEN_STATES, State

GOOD_RATING = 4

#: Closed outcomes counted apart (never as resolved), in the order they are shown.
OUTCOMES = (State.NOT_OURS, State.REJECTED, State.DUPLICATE, State.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class TicketRow:
    """What the figures need of one ticket (times in Unix seconds, measures in seconds)."""

    id: int
    kind: str
    category: str
    state: str
    assignee_id: int | None
    created_at: int
    resolved_at: int | None
    closed_at: int | None
    response_due_at: int | None
    resolution_due_at: int | None
    rating: int | None
    reopen_count: int
    response: int | None
    response_met: bool | None
    arrival: int | None
    resolution: int | None
    resolution_met: bool | None


@dataclass(frozen=True)
class Counts:
    opened: int = 0
    resolved: int = 0
    closed: int = 0
    open_now: int = 0
    overdue: int = 0
    not_fixed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # State value -> count


@dataclass(frozen=True)
class GroupFigures:
    """One kind's or category's figures."""

    counts: Counts
    resolution: Durations
    response_on_time: Share
    resolution_on_time: Share


@dataclass(frozen=True)
class AssigneeFigures:
    user_id: int
    handled: int
    on_time: int
    resolution: Durations
    satisfaction: Share


@dataclass(frozen=True)
class DayFigures:
    opened: int
    resolved: int
    resolved_on_time: int


@dataclass(frozen=True)
class TicketFigures:
    counts: Counts
    response: Durations
    arrival: Durations
    resolution: Durations
    response_on_time: Share
    resolution_on_time: Share
    completion: Share
    satisfaction: Share
    follow_up: Share
    reopen: Share
    by_kind: dict[str, GroupFigures]
    by_category: dict[str, GroupFigures]
    by_assignee: list[AssigneeFigures]
    per_day: list[DayFigures]


class _Tally:
    """Running sums of one group (all tickets, a kind, a category, an assignee)."""

    __slots__ = (
        "closed",
        "completed",
        "good",
        "not_fixed",
        "open_now",
        "opened",
        "outcomes",
        "overdue",
        "rated",
        "reopened",
        "resolution_met",
        "resolution_times",
        "resolved",
        "response_met",
        "response_missed",
    )

    def __init__(self) -> None:
        self.opened = self.resolved = self.closed = self.open_now = self.overdue = 0
        self.not_fixed = self.completed = self.rated = self.good = self.reopened = 0
        self.response_met = self.response_missed = self.resolution_met = 0
        self.outcomes: dict[str, int] = {}
        self.resolution_times: list[int] = []

    def counts(self) -> Counts:
        return Counts(
            self.opened,
            self.resolved,
            self.closed,
            self.open_now,
            self.overdue,
            self.not_fixed,
            dict(self.outcomes),
        )

    def group(self) -> GroupFigures:
        return GroupFigures(
            self.counts(),
            durations(self.resolution_times),
            Share(self.response_met, self.response_met + self.response_missed),
            Share(self.resolution_met, self.resolved),
        )


def _overdue(row: TicketRow, now: int) -> bool:
    status = status_at(
        from_ts(now),
        from_ts(row.response_due_at) if row.response_due_at is not None else None,
        from_ts(row.resolution_due_at) if row.resolution_due_at is not None else None,
    )
    return status is SlaStatus.BREACHED


def ticket_figures(rows: Iterable[TicketRow], period: Period, now: int) -> TicketFigures:
    """The figures of ``period`` from every row that may count in it (reported, resolved or
    closed in it, or open now); other rows are ignored."""
    start, end = period.start_ts, period.end_ts
    total = _Tally()
    kinds: dict[str, _Tally] = {}
    categories: dict[str, _Tally] = {}
    people: dict[int, _Tally] = {}
    response_times: list[int] = []
    arrival_times: list[int] = []
    days = [[0, 0, 0] for _ in range(period.days)]
    for row in rows:
        groups = (
            total,
            kinds.setdefault(row.kind, _Tally()),
            categories.setdefault(row.category, _Tally()),
        )
        state = row.state
        is_open = state in OPEN_STATES
        if start <= row.created_at < end:
            days[period.day_of(row.created_at)][0] += 1
            responded = row.response_met is not None
            missed = not responded and is_open and _late_response(row, now)
            if row.response is not None:
                response_times.append(row.response)
            if row.arrival is not None:
                arrival_times.append(row.arrival)
            for g in groups:
                g.opened += 1
                g.completed += state in RESOLVED
                g.response_met += row.response_met is True
                g.response_missed += row.response_met is False or missed
        resolved_in = row.resolved_at is not None and start <= row.resolved_at < end
        if resolved_in and state in RESOLVED:
            day = days[period.day_of(row.resolved_at or 0)]
            day[1] += 1
            day[2] += row.resolution_met is True
            person = None
            if row.assignee_id is not None:
                person = people.setdefault(row.assignee_id, _Tally())
            for g in (*groups, person) if person is not None else groups:
                g.resolved += 1
                g.resolution_met += row.resolution_met is True
                if row.resolution is not None:
                    g.resolution_times.append(row.resolution)
                if row.rating is not None:
                    g.rated += 1
                    g.good += row.rating >= GOOD_RATING
                g.reopened += row.reopen_count > 0
        elif resolved_in and is_open and row.reopen_count > 0:
            for g in groups:
                g.not_fixed += 1
                g.reopened += 1
        closed_in = row.closed_at is not None and start <= row.closed_at < end
        if closed_in and state == State.CLOSED:
            for g in groups:
                g.closed += 1
        elif closed_in and state in OUTCOMES:
            for g in groups:
                g.outcomes[state] = g.outcomes.get(state, 0) + 1
        if is_open and row.created_at < end:
            overdue = _overdue(row, now)
            for g in groups:
                g.open_now += 1
                g.overdue += overdue
    answered = total.rated + total.not_fixed
    returned = total.resolved + total.not_fixed
    return TicketFigures(
        counts=total.counts(),
        response=durations(response_times),
        arrival=durations(arrival_times),
        resolution=durations(total.resolution_times),
        response_on_time=Share(total.response_met, total.response_met + total.response_missed),
        resolution_on_time=Share(total.resolution_met, total.resolved),
        completion=Share(total.completed, total.opened),
        satisfaction=Share(total.good, total.rated),
        follow_up=Share(answered, returned),
        reopen=Share(total.reopened, returned),
        by_kind={k: t.group() for k, t in sorted(kinds.items()) if _counts_in(t)},
        by_category={k: t.group() for k, t in sorted(categories.items()) if _counts_in(t)},
        by_assignee=[
            AssigneeFigures(
                user_id,
                t.resolved,
                t.resolution_met,
                durations(t.resolution_times),
                Share(t.good, t.rated),
            )
            for user_id, t in sorted(people.items(), key=lambda item: (-item[1].resolved, item[0]))
        ],
        per_day=[DayFigures(*day) for day in days],
    )


def _late_response(row: TicketRow, now: int) -> bool:
    """Unanswered and past the response deadline at ``now``."""
    due = row.response_due_at
    if due is None:
        return False
    status = status_at(from_ts(now), from_ts(due), None)
    return status is SlaStatus.BREACHED


def _counts_in(t: _Tally) -> bool:
    """A group shows when anything of it counts in the period."""
    return bool(t.opened or t.resolved or t.closed or t.open_now or t.not_fixed or t.outcomes)
