"""SLA clocks, deadlines and reminder stages for tickets (时限).

This module is pure: no Telegram, no database and no clock reads. Every instant is passed in
as an aware ``datetime`` (a naive one raises ``ValueError``), and every instant returned is an
aware datetime in UTC.

Two kinds of clock run a target (see PRODUCT.md, "SLA, reminders and escalation"):

* ``ClockKind.TWENTY_FOUR_SEVEN`` ("24/7"): real elapsed time. Adding 4 h adds 4 real hours,
  also across a daylight-saving change.
* ``ClockKind.SERVICE`` ("service"): only time inside the community's service windows counts
  (by default 08:00-20:00 local time, every day except the community's holidays). A normal
  ticket opened at 19:50 with a 2 h target is due at 09:50 on the next service day; one opened
  at 03:00 starts counting at 08:00. Windows are computed in the community's local time with
  ``zoneinfo`` and converted back to UTC, so DST days are handled.

The clock also stops while the ticket waits for the resident (``Pause``); the deadline moves
by the clock time that was paused.

The package: ``targets`` (priorities, clocks, targets), ``service_calendar``, ``clock``
(clock arithmetic, pauses and deadlines), ``reminders`` (stages and their schedule),
``status``, ``config`` (policy and targets from configuration) and ``values`` (shared checks).
"""

from bot.rules.sla.clock import Pause, add_business_time, business_time_between, due_time, due_times
from bot.rules.sla.config import SlaPolicy, targets_from_mapping
from bot.rules.sla.reminders import Audience, Stage, reminder_schedule
from bot.rules.sla.service_calendar import ServiceCalendar
from bot.rules.sla.status import SlaStatus, status_at
from bot.rules.sla.targets import DEFAULT_TARGETS, ClockKind, Deadline, Priority, Target

__all__ = [
    "DEFAULT_TARGETS",
    "Audience",
    "ClockKind",
    "Deadline",
    "Pause",
    "Priority",
    "ServiceCalendar",
    "SlaPolicy",
    "SlaStatus",
    "Stage",
    "Target",
    "add_business_time",
    "business_time_between",
    "due_time",
    "due_times",
    "reminder_schedule",
    "status_at",
    "targets_from_mapping",
]
