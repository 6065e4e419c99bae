"""One ticket's SLA measures, as the SLA counts them: the clock time (24/7 or service hours)
from the report to the first response, to the technician on site and to the resolution, less
the time the clock was stopped while waiting for the resident; and whether the response and
the resolution met their deadlines (moved by those pauses).

Everything is computed by ``bot.rules.sla`` (``business_time_between``, ``due_time``,
``status_at``); nothing here counts time on its own. The measures are recorded on the ticket
whenever it changes (``bot.services.tickets.reschedule``), so the figures of a month sum
stored numbers instead of walking service calendars for every ticket again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.rules.sla import Pause, SlaStatus, business_time_between, due_time, status_at
from bot.rules.tickets import SlaSetup, State

#: States whose ticket was resolved (and not sent back since).
RESOLVED = frozenset({State.RESOLVED, State.CLOSED})

#: Outcomes that answer the resident without work: the closing is the first response.
ANSWERED_OUTCOMES = frozenset({State.NOT_OURS, State.REJECTED, State.DUPLICATE})


@dataclass(frozen=True, slots=True)
class Measures:
    """Seconds of SLA clock time (None: it has not happened) and whether each deadline was met
    (None: no verdict yet)."""

    response: int | None = None
    response_met: bool | None = None
    arrival: int | None = None
    resolution: int | None = None
    resolution_met: bool | None = None


def _seconds(span: timedelta) -> int:
    return int(span.total_seconds())


def _met(done: datetime, due: datetime | None) -> bool:
    """Done by the deadline (at the deadline counts as met), as ``status_at`` judges it."""
    return status_at(done, due, None, responded_at=done) is not SlaStatus.BREACHED


def measure(
    setup: SlaSetup,
    state: State,
    created_at: datetime,
    *,
    accepted_at: datetime | None,
    on_site_at: datetime | None,
    resolved_at: datetime | None,
    closed_at: datetime | None,
    pauses: Sequence[Pause] = (),
) -> Measures:
    """The ticket's measures in its current ``state``.

    The first response is the acceptance (asking the resident or resolving accepts too), or
    the closing of a ticket rejected, found a duplicate or not our responsibility; a ticket
    withdrawn before anyone answered has none. The resolution counts only while the ticket is
    resolved or closed after it: one the resident sent back ("not fixed") has none until it is
    resolved again, measured from the report.
    """
    target, calendar = setup.target, setup.calendar
    responded = accepted_at
    if responded is None and state in ANSWERED_OUTCOMES:
        responded = closed_at
    resolved = resolved_at if state in RESOLVED else None
    response = response_met = arrival = resolution = resolution_met = None
    if responded is not None:
        response = _seconds(business_time_between(created_at, responded, target, calendar, pauses))
        due = due_time(created_at, target.response, target, calendar, pauses, now=responded)
        response_met = _met(responded, due)
    if on_site_at is not None:
        arrival = _seconds(business_time_between(created_at, on_site_at, target, calendar, pauses))
    if resolved is not None:
        resolution = _seconds(business_time_between(created_at, resolved, target, calendar, pauses))
        due = due_time(created_at, target.resolution, target, calendar, pauses, now=resolved)
        resolution_met = _met(resolved, due)
    return Measures(response, response_met, arrival, resolution, resolution_met)
