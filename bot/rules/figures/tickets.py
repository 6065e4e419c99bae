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
  deadline as ``bot.rules.sla.status_at`` judges it (at the deadline itself is not overdue).
* first response (and its 及时率): over the tickets opened in P; a ticket still unanswered past
  its response deadline counts as a miss, one not due yet (or withdrawn unanswered) not at all.
  On-site arrival: over those opened in P whose technician was marked on site.
* 满意率 = ratings of 4 or 5 ÷ ratings; 回访率 = (rated + not fixed) ÷ (resolved + not fixed),
  the resolutions the resident answered; reopen rate = of those, the share sent back at least
  once.

Two steps, so that a database can do the first: each ticket's contribution (``Cell``, one
ticket's 0/1 flags, ``cell_of``) summed per kind and category, per assignee and per quarter of
an hour (``Inputs``); then ``summarise`` turns the sums and the durations into figures.
``ticket_figures`` does both from rows; ``storage.figures`` does the first in SQL, and its
test holds both to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from bot.rules.clock import from_ts
from bot.rules.figures.measure import RESOLVED
from bot.rules.figures.period import Period
from bot.rules.figures.values import Durations, Share, durations
from bot.rules.sla import SlaStatus, status_at
from bot.rules.tickets import OPEN_STATES, State

GOOD_RATING = 4

#: Closed outcomes counted apart (never as resolved), in the order they are shown.
OUTCOMES = (State.NOT_OURS, State.REJECTED, State.DUPLICATE, State.WITHDRAWN)

#: The per-day figures are summed per quarter of an hour after the period's start: every
#: time zone's midnight falls on such a boundary, so they add up to local days exactly.
BUCKET_SECONDS = 900


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


@dataclass(slots=True)
class Cell:
    """Sums of 0/1 flags over tickets (one ticket's contribution is ``cell_of``)."""

    opened: int = 0
    completed: int = 0  # opened in P and resolved by now
    response_met: int = 0
    response_missed: int = 0
    resolved: int = 0
    resolution_met: int = 0
    rated: int = 0
    good: int = 0
    reopened: int = 0
    not_fixed: int = 0
    closed: int = 0
    open_now: int = 0
    overdue: int = 0
    not_ours: int = 0
    rejected: int = 0
    duplicate: int = 0
    withdrawn: int = 0

    def add(self, other: Cell) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


#: ``Cell`` field of each outcome state.
OUTCOME_FIELDS = {
    State.NOT_OURS: "not_ours",
    State.REJECTED: "rejected",
    State.DUPLICATE: "duplicate",
    State.WITHDRAWN: "withdrawn",
}


def _past(now: int, due: int | None) -> bool:
    if due is None:
        return False
    return status_at(from_ts(now), from_ts(due), None) is SlaStatus.BREACHED


def cell_of(row: TicketRow, period: Period, now: int) -> Cell:
    """One ticket's contribution to the period's sums (all zero if it counts nowhere)."""
    start, end = period.start_ts, period.end_ts
    state = row.state
    is_open = state in OPEN_STATES
    resolved = state in RESOLVED
    c = Cell()
    if start <= row.created_at < end:
        c.opened = 1
        c.completed = int(resolved)
        c.response_met = int(row.response_met is True)
        unanswered_late = row.response_met is None and is_open and _past(now, row.response_due_at)
        c.response_missed = int(row.response_met is False or unanswered_late)
    if row.resolved_at is not None and start <= row.resolved_at < end:
        if resolved:
            c.resolved = 1
            c.resolution_met = int(row.resolution_met is True)
            c.rated = int(row.rating is not None)
            c.good = int(row.rating is not None and row.rating >= GOOD_RATING)
            c.reopened = int(row.reopen_count > 0)
        elif is_open and row.reopen_count > 0:
            c.not_fixed = c.reopened = 1
    if row.closed_at is not None and start <= row.closed_at < end:
        if state == State.CLOSED:
            c.closed = 1
        elif state in OUTCOME_FIELDS:
            setattr(c, OUTCOME_FIELDS[State(state)], 1)
    if is_open and row.created_at < end:
        c.open_now = 1
        c.overdue = int(_past(now, row.response_due_at) or _past(now, row.resolution_due_at))
    return c


@dataclass
class Inputs:
    """The period's sums and durations, as ``cell_of`` over its rows gives them (or SQL)."""

    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (kind, category)
    assignees: dict[int, Cell] = field(default_factory=dict)  # of resolved tickets
    #: quarter-hour bucket since the start -> [opened, resolved, resolved on time]
    buckets: dict[int, list[int]] = field(default_factory=dict)
    response: list[int] = field(default_factory=list)  # of tickets opened in P
    arrival: list[int] = field(default_factory=list)
    #: (kind, category, assignee) -> seconds to resolution of the tickets resolved in P
    resolution: dict[tuple[str, str, int | None], list[int]] = field(default_factory=dict)


def inputs_of(rows: Iterable[TicketRow], period: Period, now: int) -> Inputs:
    found = Inputs()
    start = period.start_ts
    for row in rows:
        c = cell_of(row, period, now)
        found.cells.setdefault((row.kind, row.category), Cell()).add(c)
        if c.opened:
            found.buckets.setdefault((row.created_at - start) // BUCKET_SECONDS, [0, 0, 0])[0] += 1
            if row.response is not None:
                found.response.append(row.response)
            if row.arrival is not None:
                found.arrival.append(row.arrival)
        if c.resolved:
            bucket = found.buckets.setdefault(
                ((row.resolved_at or 0) - start) // BUCKET_SECONDS, [0, 0, 0]
            )
            bucket[1] += 1
            bucket[2] += c.resolution_met
            if row.assignee_id is not None:
                found.assignees.setdefault(row.assignee_id, Cell()).add(c)
            if row.resolution is not None:
                key = (row.kind, row.category, row.assignee_id)
                found.resolution.setdefault(key, []).append(row.resolution)
    return found


@dataclass(frozen=True)
class Counts:
    opened: int = 0
    resolved: int = 0
    closed: int = 0
    open_now: int = 0
    overdue: int = 0
    not_fixed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # State value -> count (not 0)


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


def _counts(c: Cell) -> Counts:
    outcomes = {
        state.value: getattr(c, name) for state, name in OUTCOME_FIELDS.items() if getattr(c, name)
    }
    return Counts(c.opened, c.resolved, c.closed, c.open_now, c.overdue, c.not_fixed, outcomes)


def _group(c: Cell, times: list[int]) -> GroupFigures:
    return GroupFigures(
        _counts(c),
        durations(times),
        Share(c.response_met, c.response_met + c.response_missed),
        Share(c.resolution_met, c.resolved),
    )


def _shows(c: Cell) -> bool:
    """A group shows when anything of it counts in the period."""
    return bool(
        c.opened or c.resolved or c.closed or c.open_now or c.not_fixed
        or c.not_ours or c.rejected or c.duplicate or c.withdrawn
    )  # fmt: skip


def summarise(inputs: Inputs, period: Period) -> TicketFigures:
    total = Cell()
    kinds: dict[str, Cell] = {}
    categories: dict[str, Cell] = {}
    for (kind, category), cell in inputs.cells.items():
        total.add(cell)
        kinds.setdefault(kind, Cell()).add(cell)
        categories.setdefault(category, Cell()).add(cell)
    by_kind_times: dict[str, list[int]] = {}
    by_category_times: dict[str, list[int]] = {}
    by_person_times: dict[int, list[int]] = {}
    all_times: list[int] = []
    for (kind, category, person), seconds in inputs.resolution.items():
        all_times += seconds
        by_kind_times.setdefault(kind, []).extend(seconds)
        by_category_times.setdefault(category, []).extend(seconds)
        if person is not None:
            by_person_times.setdefault(person, []).extend(seconds)
    days = [[0, 0, 0] for _ in range(period.days)]
    for bucket, (opened, resolved, on_time) in inputs.buckets.items():
        moment = period.start_ts + bucket * BUCKET_SECONDS
        if period.contains(moment):
            day = days[period.day_of(moment)]
            day[0] += opened
            day[1] += resolved
            day[2] += on_time
    returned = total.resolved + total.not_fixed
    people = sorted(inputs.assignees.items(), key=lambda item: (-item[1].resolved, item[0]))
    return TicketFigures(
        counts=_counts(total),
        response=durations(inputs.response),
        arrival=durations(inputs.arrival),
        resolution=durations(all_times),
        response_on_time=Share(total.response_met, total.response_met + total.response_missed),
        resolution_on_time=Share(total.resolution_met, total.resolved),
        completion=Share(total.completed, total.opened),
        satisfaction=Share(total.good, total.rated),
        follow_up=Share(total.rated + total.not_fixed, returned),
        reopen=Share(total.reopened, returned),
        by_kind={
            k: _group(c, by_kind_times.get(k, [])) for k, c in sorted(kinds.items()) if _shows(c)
        },
        by_category={
            k: _group(c, by_category_times.get(k, []))
            for k, c in sorted(categories.items())
            if _shows(c)
        },
        by_assignee=[
            AssigneeFigures(
                user_id,
                c.resolved,
                c.resolution_met,
                durations(by_person_times.get(user_id, [])),
                Share(c.good, c.rated),
            )
            for user_id, c in people
        ],
        per_day=[DayFigures(*day) for day in days],
    )


def ticket_figures(rows: Iterable[TicketRow], period: Period, now: int) -> TicketFigures:
    """The figures of ``period`` from every row that may count in it (reported, resolved or
    closed in it, or open now); other rows are ignored."""
    return summarise(inputs_of(rows, period, now), period)
