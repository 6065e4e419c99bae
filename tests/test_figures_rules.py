"""The figures on a hand-built week of tickets, rooms and votes, with every answer worked out by
hand below (service hours 08:00-20:00 every day in Shanghai; normal 2 h / 8 h and low 24 h /
72 h on that clock, urgent 15 min / 4 h around the clock; no holidays in November 2026).

The week is Monday 16 to Sunday 22 November 2026 ("last week"); the figures are counted on
Monday 23 November at 10:00.

  T1  repair lighting (normal). Reported Mon 09:00, accepted 09:30, resolved 13:00, rated 5.
      Response 30 min (due 11:00: met); resolution 4 h (due 17:00: met). Staff S1.
  T2  repair leak (normal), a home repair. Reported Mon 18:00, accepted 19:00 by asking the
      resident, who answers Tue 10:00 (paused Mon 19:00 - Tue 10:00); on site Tue 11:00,
      resolved Tue 14:00, rated 3. Paused service time: Mon 19-20 + Tue 08-10 = 3 h.
      Response 1 h (met). Arrival: Mon 18-20 (2 h) + Tue 08-11 (3 h) - 3 h paused = 2 h.
      Resolution: 2 h + 6 h - 3 h = 5 h; the deadline moves by the pause: 1 h ran before it,
      7 h from Tue 10:00 -> Tue 17:00: met. Staff S1.
  T3  complaint noise (low). Reported Tue 09:00, accepted Wed 09:00 (Tue 11 h + Wed 1 h = 12 h:
      met, 24 h), resolved Sat 12:00 (51 h), then "not fixed" Sat 15:00: open again (reopened).
      Its resolution deadline: Tue 11 h, Wed-Sun 12 h each = 71 h, + 1 h Monday -> Mon 09:00:
      overdue at Mon 10:00. Staff S2.
  T4  repair elevator (urgent, 24/7). Reported Wed 08:00, accepted 08:10 (met), resolved 13:00:
      5 h, over its 4 h: resolved after the deadline. Rated 4. Staff S2.
  T5  repair parking (low). Reported Thu 10:00, "not our responsibility" Thu 11:00 (the closing
      answers it: response 1 h, met).
  T6  repair lighting (normal). Reported Fri 19:00, a duplicate at 19:30 (response 30 min, met).
  T7  repair water_power (normal). Reported Sun 19:00, nobody has answered: due Sun 19-20 +
      Mon 08-09 -> Mon 09:00; at Mon 10:00 overdue and a missed response.
  T8  repair lighting (normal). Reported the Friday before (13 Nov) 10:00, accepted 10:30,
      resolved Mon 16 10:00: Fri 10 h + Sat 12 + Sun 12 + Mon 2 = 36 h: late. Not rated yet.
      Staff S1. Resolved in the week, not opened in it.
  T9  repair lighting (normal). Reported Mon 23 09:00: after the week, still new.
  T10 suggestion other (low). Reported Thu 12:00, withdrawn 12:05 before any answer.
  T11 complaint sanitation (low). Reported Sat 09:00, rejected 10:00 (response 1 h, met).

The week's figures:
  opened 9 (T1-T7, T10, T11); repairs 6, complaints 2, suggestions 1.
  resolved 4 (T1, T2, T4, T8); closed 3 (T1, T2, T4); not fixed 1 (T3); not our
  responsibility 1, duplicate 1, rejected 1, withdrawn 1; open now 2 (T3, T7; T9 came after);
  overdue now 2 (T3, T7).
  first response: 10, 30, 30, 60, 60, 60, 720 min -> median 60 min, p90 (rank 7 of 7) 720 min;
  response 及时率 7 / 8 (T7 missed; T10 withdrawn unanswered does not count).
  arrival: T2 only, 2 h.
  resolution: 4, 5, 5, 36 h -> median 5 h, p90 (rank 4 of 4) 36 h; 及时率 2 / 4 (T4, T8 late).
  完成率: of the 9 opened, T1, T2, T4 resolved: 3 / 9.
  满意率: ratings 5, 3, 4 -> 2 / 3.  回访率: (3 rated + 1 not fixed) / (4 + 1) = 4 / 5.
  reopen rate: T3 of those 5: 1 / 5.
  S1: handled 3 (T1, T2, T8), on time 2, median 5 h, satisfaction 1 / 2 (ratings 5, 3).
  S2: handled 1 (T4), on time 0, median 5 h, satisfaction 1 / 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from bot.rules.clock import to_ts
from bot.rules.figures import (
    Durations,
    Period,
    PeriodKind,
    Share,
    TicketRow,
    VoteOutcome,
    measure,
    month_period,
    period_for,
    recent_months,
    ticket_figures,
    vote_figure,
)
from bot.rules.sla import Pause
from bot.rules.slots import rules_from_mapping, utilisation_of_days
from bot.rules.tickets import OPEN_STATES, State, plan, sla_setup
from bot.rules.votes import AudienceUnit, BallotRow, count, options_from_json
from tests.conftest import SHANGHAI

H = 3600
MIN = 60
S1, S2 = 2001, 2002
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
PRIORITY = {
    "lighting": "normal",
    "leak": "normal",
    "water_power": "normal",
    "noise": "low",
    "parking": "low",
    "sanitation": "low",
    "other": "low",
    "elevator": "urgent",
}


def at(day: int, hhmm: str) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 11, day, hours, minutes, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Spec:
    """One ticket of the hand-built week, as it happened."""

    number: int
    kind: str
    category: str
    state: State
    created: datetime
    accepted: datetime | None = None
    on_site: datetime | None = None
    resolved: datetime | None = None
    closed: datetime | None = None
    pauses: tuple[Pause, ...] = ()
    rating: int | None = None
    reopened: int = 0
    assignee: int | None = None


def row_of(spec: Spec) -> TicketRow:
    """The row as the service records it: measures by ``measure``, deadlines by ``plan``."""
    setup = sla_setup({}, "Asia/Shanghai", PRIORITY[spec.category])
    m = measure(
        setup,
        spec.state,
        spec.created,
        accepted_at=spec.accepted,
        on_site_at=spec.on_site,
        resolved_at=spec.resolved,
        closed_at=spec.closed,
        pauses=spec.pauses,
    )
    due = plan(setup, spec.created, spec.state, spec.accepted is not None, spec.pauses)
    ts = lambda d: None if d is None else to_ts(d)  # noqa: E731
    return TicketRow(
        id=spec.number,
        kind=spec.kind,
        category=spec.category,
        state=spec.state.value,
        assignee_id=spec.assignee,
        created_at=to_ts(spec.created),
        resolved_at=ts(spec.resolved),
        closed_at=ts(spec.closed),
        response_due_at=ts(due.response_due),
        resolution_due_at=ts(due.resolution_due),
        rating=spec.rating,
        reopen_count=spec.reopened,
        response=m.response,
        response_met=m.response_met,
        arrival=m.arrival,
        resolution=m.resolution,
        resolution_met=m.resolution_met,
    )


WEEK = [
    Spec(1, "repair", "lighting", State.CLOSED, at(16, "09:00"),
         accepted=at(16, "09:30"), resolved=at(16, "13:00"), closed=at(16, "15:00"),
         rating=5, assignee=S1),
    Spec(2, "repair", "leak", State.CLOSED, at(16, "18:00"),
         accepted=at(16, "19:00"), on_site=at(17, "11:00"), resolved=at(17, "14:00"),
         closed=at(17, "18:00"), pauses=(Pause(at(16, "19:00"), at(17, "10:00")),),
         rating=3, assignee=S1),
    Spec(3, "complaint", "noise", State.REOPENED, at(17, "09:00"),
         accepted=at(18, "09:00"), resolved=at(21, "12:00"), reopened=1, assignee=S2),
    Spec(4, "repair", "elevator", State.CLOSED, at(18, "08:00"),
         accepted=at(18, "08:10"), resolved=at(18, "13:00"), closed=at(18, "20:00"),
         rating=4, assignee=S2),
    Spec(5, "repair", "parking", State.NOT_OURS, at(19, "10:00"), closed=at(19, "11:00")),
    Spec(6, "repair", "lighting", State.DUPLICATE, at(20, "19:00"), closed=at(20, "19:30")),
    Spec(7, "repair", "water_power", State.NEW, at(22, "19:00")),
    Spec(8, "repair", "lighting", State.RESOLVED, at(13, "10:00"),
         accepted=at(13, "10:30"), resolved=at(16, "10:00"), assignee=S1),
    Spec(9, "repair", "lighting", State.NEW, at(23, "09:00")),
    Spec(10, "suggestion", "other", State.WITHDRAWN, at(19, "12:00"), closed=at(19, "12:05")),
    Spec(11, "complaint", "sanitation", State.REJECTED, at(21, "09:00"),
         closed=at(21, "10:00")),
]  # fmt: skip


def week_rows() -> list[TicketRow]:
    return [row_of(spec) for spec in WEEK]


def last_week() -> Period:
    return period_for(PeriodKind.LAST_WEEK, NOW.date(), SHANGHAI)


def test_each_ticket_is_measured_as_the_sla_counts_it() -> None:
    rows = {r.id: r for r in week_rows()}
    assert (rows[1].response, rows[1].response_met) == (30 * MIN, True)
    assert (rows[1].resolution, rows[1].resolution_met) == (4 * H, True)
    # paused while waiting for the resident: the pause is not counted and moves the deadline
    assert (rows[2].response, rows[2].arrival, rows[2].resolution) == (1 * H, 2 * H, 5 * H)
    assert rows[2].resolution_met is True
    # resolved, then "not fixed": no resolution until it is resolved again
    assert (rows[3].response, rows[3].resolution, rows[3].resolution_met) == (12 * H, None, None)
    assert rows[3].resolution_due_at == to_ts(at(23, "09:00"))
    # urgent, 24/7: 5 h against 4 h, resolved after the deadline
    assert (rows[4].resolution, rows[4].resolution_met) == (5 * H, False)
    # not our responsibility answers the resident, and is no resolution
    assert (rows[5].response, rows[5].response_met, rows[5].resolution) == (1 * H, True, None)
    assert rows[7].response is None and rows[7].response_due_at == to_ts(at(23, "09:00"))
    assert (rows[8].resolution, rows[8].resolution_met) == (36 * H, False)
    assert rows[10].response is None  # withdrawn before anyone answered


def test_the_weeks_ticket_figures() -> None:
    period = last_week()
    assert (period.first, period.end, period.days) == (date(2026, 11, 16), date(2026, 11, 23), 7)
    f = ticket_figures(week_rows(), period, to_ts(NOW))
    c = f.counts
    assert (c.opened, c.resolved, c.closed, c.open_now, c.overdue) == (9, 4, 3, 2, 2)
    assert c.not_fixed == 1
    assert c.outcomes == {
        "not_our_responsibility": 1,
        "duplicate": 1,
        "rejected": 1,
        "withdrawn": 1,
    }
    assert f.response == Durations(7, 60 * MIN, 720 * MIN)
    assert f.arrival == Durations(1, 2 * H, 2 * H)
    assert f.resolution == Durations(4, 5 * H, 36 * H)
    assert f.response_on_time == Share(7, 8)
    assert f.resolution_on_time == Share(2, 4)
    assert f.completion == Share(3, 9)
    assert f.satisfaction == Share(2, 3)
    assert f.follow_up == Share(4, 5)
    assert f.reopen == Share(1, 5)


def test_by_kind_category_and_assignee() -> None:
    f = ticket_figures(week_rows(), last_week(), to_ts(NOW))
    kinds = {k: (g.counts.opened, g.counts.resolved, g.counts.open_now, g.counts.overdue)
             for k, g in f.by_kind.items()}  # fmt: skip
    assert kinds == {"repair": (6, 4, 1, 1), "complaint": (2, 0, 1, 1), "suggestion": (1, 0, 0, 0)}
    lighting = f.by_category["lighting"]
    # T1, T6 opened (T8 earlier, T9 later); T1 and T8 resolved; one of them on time
    assert (lighting.counts.opened, lighting.counts.resolved) == (2, 2)
    assert lighting.resolution_on_time == Share(1, 2)
    assert lighting.resolution == Durations(2, 20 * H, 36 * H)
    assert f.by_category["noise"].counts.not_fixed == 1
    assert f.by_category["water_power"].counts.overdue == 1
    assert f.by_category["water_power"].response_on_time == Share(0, 1)
    assert f.by_category["parking"].counts.outcomes == {"not_our_responsibility": 1}
    s1, s2 = f.by_assignee
    assert (s1.user_id, s1.handled, s1.on_time, s1.resolution.median) == (S1, 3, 2, 5 * H)
    assert s1.satisfaction == Share(1, 2)
    assert (s2.user_id, s2.handled, s2.on_time, s2.resolution.median) == (S2, 1, 0, 5 * H)
    assert s2.satisfaction == Share(1, 1)


def test_per_day_for_the_chart() -> None:
    f = ticket_figures(week_rows(), last_week(), to_ts(NOW))
    assert [(d.opened, d.resolved, d.resolved_on_time) for d in f.per_day] == [
        (2, 2, 1),  # Mon: T1, T2 opened; T1 (on time) and T8 (late) resolved
        (1, 1, 1),  # Tue: T3; T2
        (1, 1, 0),  # Wed: T4, late
        (2, 0, 0),  # Thu: T5, T10
        (1, 0, 0),  # Fri: T6
        (1, 0, 0),  # Sat: T11 (T3's resolution was sent back)
        (1, 0, 0),  # Sun: T7
    ]


def test_a_period_with_no_ratings_divides_by_nothing() -> None:
    this_week = period_for(PeriodKind.THIS_WEEK, NOW.date(), SHANGHAI)
    f = ticket_figures(week_rows(), this_week, to_ts(NOW))
    assert (f.counts.opened, f.counts.resolved, f.counts.open_now) == (1, 0, 3)
    assert f.satisfaction == Share(0, 0) and f.satisfaction.value is None
    assert f.follow_up.value is None and f.reopen.value is None
    assert f.resolution == Durations(0, None, None)
    assert f.completion.value == 0
    # resolved tickets without a single rating: still "no ratings yet", not 0 %
    only_t8 = [r for r in week_rows() if r.id == 8]
    assert ticket_figures(only_t8, last_week(), to_ts(NOW)).satisfaction.value is None


def test_not_fixed_and_outcomes_are_never_resolved() -> None:
    rows = week_rows()
    flattering = [replace(r, state="resolved") if r.id in (3, 5, 6, 11) else r for r in rows]
    honest = ticket_figures(rows, last_week(), to_ts(NOW)).counts.resolved
    assert honest == 4
    # the same rows as "resolved" would count more: the outcomes are what keeps them apart
    assert ticket_figures(flattering, last_week(), to_ts(NOW)).counts.resolved > honest


def test_periods() -> None:
    today = date(2026, 11, 23)
    this_month = period_for(PeriodKind.THIS_MONTH, today, SHANGHAI)
    assert (this_month.first, this_month.end, this_month.days) == (
        date(2026, 11, 1),
        date(2026, 12, 1),
        30,
    )
    last_month = period_for(PeriodKind.LAST_MONTH, date(2026, 1, 15), SHANGHAI)
    assert (last_month.first, last_month.end) == (date(2025, 12, 1), date(2026, 1, 1))
    december = month_period(2026, 12, SHANGHAI)
    assert december.end == date(2027, 1, 1)
    assert december.start_ts == to_ts(datetime(2026, 12, 1, tzinfo=SHANGHAI))
    assert not december.contains(december.end_ts) and december.contains(december.start_ts)
    assert recent_months(date(2026, 1, 31), 3) == [
        date(2026, 1, 1),
        date(2025, 12, 1),
        date(2025, 11, 1),
    ]


ACTIVITY = {"open": {"daily": "08:00-21:00"}, "slot_minutes": 30}


def test_room_use_over_the_week_with_a_maintenance_day() -> None:
    """Open 13 h a day = 91 h; closed for maintenance all Wednesday (13 h): 78 h open. Booked
    Mon 10-12 and Tue 14-17 = 5 h (a cancelled booking is not passed in): 5 / 78."""
    rules = rules_from_mapping(ACTIVITY)
    bookings = [(at(16, "10:00"), at(16, "12:00")), (at(17, "14:00"), at(17, "17:00"))]
    blackouts = [(at(18, "08:00"), at(18, "21:00"))]
    week = last_week()
    use = utilisation_of_days(rules, SHANGHAI, week.first, week.days, bookings, blackouts=blackouts)
    assert use == Fraction(5, 78)
    assert utilisation_of_days(rules, SHANGHAI, week.first, week.days, bookings) == Fraction(5, 91)


def _unit(i: int, owner: str, area: str) -> AudienceUnit:
    return AudienceUnit(i, f"1-{100 + i}", Decimal(area), owner, False)


def test_an_owners_decision_turnout_by_head_and_area() -> None:
    """Ten owners of 100 m² each, one of them (o1) with a second unit of 50 m²: 10 owners,
    1,050 m². Seven owners take part: o1 (150 m²) and o2-o7 (600 m²) = 750 m²: by head 7/10,
    by area 750/1050 = 5/7, both at least 2/3; o1-o5 agree (550 m², 5 owners): more than half
    of 7 owners and of 750 m²: passed."""
    units = [_unit(i, f"o{i}", "100") for i in range(1, 11)] + [_unit(11, "o1", "50")]
    ballots = [
        BallotRow(i, 3000 + i, i, f"o{i}", "approve" if i <= 5 else "oppose", "electronic", 1)
        for i in range(1, 8)
    ]
    options = options_from_json(
        '[{"key": "approve", "label": null}, {"key": "oppose", "label": null},'
        ' {"key": "abstain", "label": null, "abstain": true}]'
    )
    result = count(
        kind="decision", options=options, units=units, eligible_keys=(), ballots=ballots, item=4
    )
    figure = vote_figure(9, "Repaint the lobby", result)
    assert figure.head == Share(7, 10)
    assert (figure.area_part, figure.area_total) == (Decimal(750), Decimal(1050))
    assert figure.area_turnout == Fraction(5, 7)
    assert figure.outcome is VoteOutcome.PASSED
    # a boycott by four owners leaves it invalid, whatever the others say
    few = vote_figure(9, "x", count(kind="decision", options=options, units=units,
                                    eligible_keys=(), ballots=ballots[:6], item=4))  # fmt: skip
    assert few.head == Share(6, 10) and few.outcome is VoteOutcome.INVALID


def test_a_poll_turnout_and_winner() -> None:
    result = {"kind": "poll", "eligible": 40, "turnout": 10, "winner": "yes", "quorum_met": None}
    figure = vote_figure(3, "Bike shed", result)
    assert (figure.head, figure.outcome, figure.winner) == (
        Share(10, 40),
        VoteOutcome.WINNER,
        "yes",
    )
    assert figure.area_turnout is None
    missed = vote_figure(3, "x", {**result, "quorum_met": False})
    assert missed.outcome is VoteOutcome.NO_QUORUM


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_open_tickets_have_no_resolution(state: State) -> None:
    row = row_of(Spec(1, "repair", "lighting", state, at(16, "09:00"),
                      accepted=at(16, "09:30"), resolved=at(16, "13:00")))  # fmt: skip
    assert row.resolution is None and row.resolution_met is None
