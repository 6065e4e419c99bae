"""Reminder stages (warn, breach, escalate) of both deadlines, whom each tells, and when each
is due."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from bot.rules.sla.clock import Pause, due_time
from bot.rules.sla.service_calendar import ServiceCalendar
from bot.rules.sla.targets import Deadline, Target
from bot.rules.sla.values import _ZERO, _scale


class Audience(StrEnum):
    """Who is told at a reminder stage."""

    ASSIGNEE = "assignee"  # or the staff chat while nobody is assigned
    MANAGER = "manager"
    GRID_WORKER = "grid_worker"  # the grid worker / community


class Stage(StrEnum):
    """A reminder stage. ``deadline`` and ``audience`` tell what it is about and whom to tell.

    * ``*_WARN``: before the deadline (by default at 75 % of the target), to the assignee.
    * ``*_BREACH``: at the deadline, to the manager.
    * ``*_ESCALATE``: at twice the target, to the grid worker / community.
    """

    RESPONSE_WARN = "response_warn"
    RESPONSE_BREACH = "response_breach"
    RESPONSE_ESCALATE = "response_escalate"
    RESOLUTION_WARN = "resolution_warn"
    RESOLUTION_BREACH = "resolution_breach"
    RESOLUTION_ESCALATE = "resolution_escalate"

    @property
    def deadline(self) -> Deadline:
        return Deadline(self.value.split("_", 1)[0])

    @property
    def audience(self) -> Audience:
        level = self.value.split("_", 1)[1]
        return {
            "warn": Audience.ASSIGNEE,
            "breach": Audience.MANAGER,
            "escalate": Audience.GRID_WORKER,
        }[level]


def reminder_schedule(
    opened_at: datetime,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
    *,
    warn_lead: Fraction | int | timedelta = Fraction(1, 4),
    escalate_factor: int = 2,
    now: datetime | None = None,
) -> list[tuple[Stage, datetime]]:
    """When each reminder stage is due, sorted by time (ties in ``Stage`` order).

    All stages are measured in clock time (so over nights for service-hour tickets) and moved
    by pauses, exactly like ``due_time``:

    * WARN: ``warn_lead`` before the deadline. A ``Fraction`` (0..1) is a share of the target
      (default 1/4: warn at 75 % of the target); a ``timedelta`` is a fixed clock-time lead
      (longer than the target: warn at the start).
    * BREACH: at the deadline (100 % of the target).
    * ESCALATE: at ``escalate_factor`` times the target (default 200 %).

    Stages whose time is undefined because of an open pause (see ``due_time``, including the
    ``now`` rule) are left out. The schedule lists both deadlines' stages; the caller skips
    response stages once the ticket was responded to, and everything once it is resolved.
    """
    if isinstance(escalate_factor, bool) or not isinstance(escalate_factor, int):
        raise ValueError(f"escalate_factor must be an integer, got {escalate_factor!r}")
    if escalate_factor < 1:
        raise ValueError(f"escalate_factor must be at least 1, got {escalate_factor}")
    lead_share: Fraction | None = None
    lead_fixed: timedelta | None = None
    if isinstance(warn_lead, timedelta):
        if warn_lead < _ZERO:
            raise ValueError(f"warn_lead must not be negative, got {warn_lead}")
        lead_fixed = warn_lead
    elif isinstance(warn_lead, numbers.Rational) and not isinstance(warn_lead, bool):
        lead_share = Fraction(warn_lead)
        if not 0 <= lead_share <= 1:
            raise ValueError(f"warn_lead as a fraction must be between 0 and 1, got {warn_lead}")
    else:
        raise ValueError(
            f"warn_lead must be a Fraction of the target or a timedelta, got {warn_lead!r}"
        )

    pause_list = list(pauses)
    stages = list(Stage)
    schedule: list[tuple[Stage, datetime]] = []
    for deadline, (warn, breach, escalate) in (
        (Deadline.RESPONSE, stages[0:3]),
        (Deadline.RESOLUTION, stages[3:6]),
    ):
        full = target.duration(deadline)
        if lead_share is not None:
            lead = _scale(full, lead_share)
        else:
            assert lead_fixed is not None
            lead = min(lead_fixed, full)
        for stage, clock_time in (
            (warn, full - lead),
            (breach, full),
            (escalate, full * escalate_factor),
        ):
            when = due_time(opened_at, clock_time, target, cal, pause_list, now)
            if when is not None:
                schedule.append((stage, when))
    order = {stage: i for i, stage in enumerate(stages)}
    schedule.sort(key=lambda item: (item[1], order[item[0]]))
    return schedule
