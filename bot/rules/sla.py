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
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
# A calendar whose service days stop (e.g. only make-up workdays and no weekdays) would make
# the day-by-day walk run forever; no real calendar has this many days in a row without
# service.
_MAX_IDLE_DAYS = 3660


# --------------------------------------------------------------------------------------------
# Enums and targets
# --------------------------------------------------------------------------------------------


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class ClockKind(StrEnum):
    TWENTY_FOUR_SEVEN = "24/7"
    SERVICE = "service"


class Deadline(StrEnum):
    """Which of a ticket's two deadlines a stage belongs to."""

    RESPONSE = "response"
    RESOLUTION = "resolution"


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


class SlaStatus(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"


@dataclass(frozen=True)
class Target:
    """Response and resolution targets, measured on ``clock``."""

    response: timedelta
    resolution: timedelta
    clock: ClockKind

    def __post_init__(self) -> None:
        if not isinstance(self.clock, ClockKind):
            raise ValueError(f"clock must be a ClockKind, not {self.clock!r}")
        if self.response <= _ZERO:
            raise ValueError(f"response target must be positive, got {self.response}")
        if self.resolution <= _ZERO:
            raise ValueError(f"resolution target must be positive, got {self.resolution}")
        if self.resolution < self.response:
            raise ValueError(
                f"resolution target ({self.resolution}) is shorter than the response target "
                f"({self.response})"
            )

    @classmethod
    def from_minutes(
        cls, response_minutes: float, resolution_minutes: float, clock: ClockKind | str
    ) -> Target:
        return cls(
            response=timedelta(minutes=response_minutes),
            resolution=timedelta(minutes=resolution_minutes),
            clock=_parse_clock(clock, "clock"),
        )

    def duration(self, deadline: Deadline) -> timedelta:
        return self.response if deadline is Deadline.RESPONSE else self.resolution


DEFAULT_TARGETS: dict[Priority, Target] = {
    Priority.URGENT: Target(timedelta(minutes=15), timedelta(hours=4), ClockKind.TWENTY_FOUR_SEVEN),
    Priority.NORMAL: Target(timedelta(hours=2), timedelta(hours=8), ClockKind.SERVICE),
    Priority.LOW: Target(timedelta(hours=24), timedelta(hours=72), ClockKind.SERVICE),
}


# --------------------------------------------------------------------------------------------
# Service calendar
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceCalendar:
    """When the service-hours clock runs, in the community's time zone.

    * ``start``/``end``: the daily service window in local time (default 08:00-20:00);
      ``start`` must be before ``end`` (no windows across midnight).
    * ``holidays``: dates on which the service clock does not run at all.
    * ``workdays``: weekday numbers (Monday = 0 ... Sunday = 6) on which it runs. The default
      is all seven days: property service desks in China work weekends too.
    * ``makeup_workdays`` (调休): dates that are service days even if their weekday is not in
      ``workdays``. A date cannot be both a holiday and a make-up workday.

    ``ServiceCalendar.from_config`` builds one from plain values (zone name, "HH:MM" strings,
    ISO date strings).
    """

    tz: ZoneInfo
    start: time = time(8, 0)
    end: time = time(20, 0)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[int] = frozenset(range(7))
    makeup_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise ValueError(f"tz must be a ZoneInfo, not {self.tz!r}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("service start and end are local wall times: give them no tzinfo")
        if not self.start < self.end:
            raise ValueError(
                f"service start {self.start:%H:%M} must be before service end {self.end:%H:%M}"
            )
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        if not self.workdays:
            raise ValueError("workdays must name at least one weekday (Monday = 0 ... Sunday = 6)")
        bad = sorted(repr(d) for d in self.workdays if not isinstance(d, int) or not 0 <= d <= 6)
        if bad:
            raise ValueError(
                f"workdays must be weekday numbers 0 (Monday) to 6 (Sunday): {', '.join(bad)}"
            )
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"dates are both a holiday and a make-up workday: {days}")

    @classmethod
    def from_config(
        cls,
        tz: str | ZoneInfo,
        service_start: str | time = "08:00",
        service_end: str | time = "20:00",
        holidays: Iterable[str | date] = (),
        workdays: Iterable[int] | None = None,
        makeup_workdays: Iterable[str | date] = (),
    ) -> ServiceCalendar:
        """Build a calendar from plain values; bad values raise ``ValueError``."""
        if isinstance(tz, str):
            try:
                zone = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(
                    f"unknown time zone {tz!r} (use a name like Asia/Shanghai)"
                ) from exc
        else:
            zone = tz
        return cls(
            tz=zone,
            start=_parse_time(service_start, "service start"),
            end=_parse_time(service_end, "service end"),
            holidays=frozenset(_parse_date(d, "holiday") for d in holidays),
            workdays=frozenset(range(7)) if workdays is None else frozenset(workdays),
            makeup_workdays=frozenset(_parse_date(d, "make-up workday") for d in makeup_workdays),
        )

    def is_service_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.makeup_workdays:
            return True
        return day.weekday() in self.workdays

    def service_window(self, day: date) -> tuple[datetime, datetime] | None:
        """The service window of local date ``day`` as UTC instants, or None if none that day."""
        if not self.is_service_day(day):
            return None
        opens = datetime.combine(day, self.start, tzinfo=self.tz).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)
        if closes <= opens:  # only conceivable for odd windows inside a DST change
            return None
        return opens, closes

    def is_service_time(self, instant: datetime) -> bool:
        """Whether the service clock runs at ``instant`` (window start inclusive, end exclusive)."""
        moment = _utc(instant, "instant")
        opens, closes = next(self._windows_from(moment))
        return opens <= moment < closes

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Service windows, in order, from the first one that ends after ``moment`` on."""
        day = moment.astimezone(self.tz).date() - _ONE_DAY
        idle = 0
        while True:
            window = self.service_window(day)
            day += _ONE_DAY
            if window is None:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(f"no service day within {_MAX_IDLE_DAYS} days of {moment}")
                continue
            idle = 0
            if window[1] > moment:
                yield window


# --------------------------------------------------------------------------------------------
# Clock arithmetic
# --------------------------------------------------------------------------------------------


def add_business_time(
    start: datetime, duration: timedelta, target: Target, cal: ServiceCalendar
) -> datetime:
    """The instant at which ``duration`` of ``target.clock`` time has run since ``start``.

    24/7 adds real time. The service clock counts only time inside service windows; when the
    duration is used up exactly at a window's end, the result is that end (20:00), not the
    next window's start. A zero duration gives ``start`` itself, also outside service hours.
    Returns an aware UTC datetime.
    """
    moment = _utc(start, "start")
    _check_duration(duration)
    if target.clock is ClockKind.TWENTY_FOUR_SEVEN or duration == _ZERO:
        return moment + duration
    remaining = duration
    for opens, closes in cal._windows_from(moment):
        begin = max(opens, moment)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: _windows_from never ends")


def business_time_between(
    a: datetime,
    b: datetime,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
) -> timedelta:
    """The ``target.clock`` time that runs from ``a`` to ``b``, less paused clock time.

    The inverse of ``add_business_time``: ``business_time_between(a, add_business_time(a, d))
    == d``. For ``b < a`` the result is negative (``-business_time_between(b, a)``). A pause
    still open (``end is None``) counts as running until ``b``.
    """
    start = _utc(a, "a")
    stop = _utc(b, "b")
    if stop < start:
        return -business_time_between(stop, start, target, cal, pauses)
    total = _raw_between(start, stop, target, cal)
    for paused_from, paused_to in _merge_pauses(start, pauses, now=stop):
        assert paused_to is not None  # open pauses were closed at `now`
        end = min(paused_to, stop)
        if end > paused_from:
            total -= _raw_between(paused_from, end, target, cal)
    return total


def _raw_between(
    start: datetime, stop: datetime, target: Target, cal: ServiceCalendar
) -> timedelta:
    if target.clock is ClockKind.TWENTY_FOUR_SEVEN:
        return stop - start
    total = _ZERO
    for opens, closes in cal._windows_from(start):
        if opens >= stop:
            break
        begin = max(opens, start)
        end = min(closes, stop)
        if end > begin:
            total += end - begin
    return total


# --------------------------------------------------------------------------------------------
# Pauses and deadlines
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """The clock stopped from ``start`` until ``end`` (None: still waiting for the resident)."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        _utc(self.start, "pause start")
        if self.end is not None:
            _utc(self.end, "pause end")
            if self.end < self.start:
                raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")


def due_time(
    opened_at: datetime,
    duration: timedelta,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> datetime | None:
    """The deadline ``duration`` of clock time after ``opened_at``, moved by paused clock time.

    Pauses may overlap each other (their union counts once), lie partly before ``opened_at``
    (that part is ignored) or outside service hours (only the clock time they cover counts). A
    pause that starts at or after the deadline does not move it.

    An open pause (``end is None``) that starts before the deadline is reached makes the
    deadline undefined: the result is ``None`` when ``now`` is None; when ``now`` is given, the
    open pause is taken as lasting until ``now`` (so the result is the deadline if the resident
    answered right now). If the deadline falls before the open pause starts, it is returned
    as usual.
    """
    opened = _utc(opened_at, "opened_at")
    _check_duration(duration)
    now_utc = None if now is None else _utc(now, "now")
    remaining = duration
    running_from = opened
    for paused_from, paused_to in _merge_pauses(opened, pauses, now=now_utc):
        available = _raw_between(running_from, paused_from, target, cal)
        if remaining <= available:
            return add_business_time(running_from, remaining, target, cal)
        remaining -= available
        if paused_to is None:
            return None
        running_from = paused_to
    return add_business_time(running_from, remaining, target, cal)


def due_times(
    opened_at: datetime,
    target: Target,
    cal: ServiceCalendar,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> tuple[datetime | None, datetime | None]:
    """``(response_due, resolution_due)``, each as ``due_time`` computes it."""
    pause_list = list(pauses)
    return (
        due_time(opened_at, target.response, target, cal, pause_list, now),
        due_time(opened_at, target.resolution, target, cal, pause_list, now),
    )


def _merge_pauses(
    opened: datetime, pauses: Iterable[Pause], now: datetime | None
) -> list[tuple[datetime, datetime | None]]:
    """Pauses as sorted, disjoint UTC intervals starting no earlier than ``opened``.

    With ``now`` given an open pause ends at ``now`` (or at its start, if that is later);
    without it, it runs forever and swallows every later pause.
    """
    intervals: list[tuple[datetime, datetime | None]] = []
    for pause in pauses:
        begin = max(_utc(pause.start, "pause start"), opened)
        end: datetime | None
        if pause.end is not None:
            end = _utc(pause.end, "pause end")
        elif now is not None:
            end = max(now, begin)
        else:
            end = None
        if end is not None and end <= begin:
            continue
        intervals.append((begin, end))
    intervals.sort(key=lambda iv: iv[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for begin, end in intervals:
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                merged[-1] = (last_begin, None if end is None else max(last_end, end))
                continue
        merged.append((begin, end))
    return merged


# --------------------------------------------------------------------------------------------
# Reminder stages
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------


def status_at(
    now: datetime,
    response_due: datetime | None,
    resolution_due: datetime | None,
    responded_at: datetime | None = None,
    resolved_at: datetime | None = None,
    *,
    response_warn_at: datetime | None = None,
    resolution_warn_at: datetime | None = None,
) -> SlaStatus:
    """The SLA status of a ticket at ``now``.

    BREACHED if a deadline was missed: done after it, or not done and ``now`` is past it (at
    the deadline itself it is not breached yet). AT_RISK if not breached and ``now`` is at or
    past the warn time of a deadline still pending (warn times as ``reminder_schedule`` gives
    them; without them a ticket is never AT_RISK). A deadline that is None (clock stopped by an
    open pause) counts as met. A resolved ticket counts as responded to at ``resolved_at`` if
    ``responded_at`` is None.
    """
    moment = _utc(now, "now")
    if responded_at is None and resolved_at is not None:
        responded_at = resolved_at
    checks = (
        (response_due, responded_at, response_warn_at, "response"),
        (resolution_due, resolved_at, resolution_warn_at, "resolution"),
    )
    at_risk = False
    for due, done, warn, name in checks:
        if due is None:
            continue
        due_utc = _utc(due, f"{name}_due")
        if done is not None:
            if _utc(done, f"{name} time") > due_utc:
                return SlaStatus.BREACHED
            continue
        if moment > due_utc:
            return SlaStatus.BREACHED
        if warn is not None and moment >= _utc(warn, f"{name}_warn_at"):
            at_risk = True
    return SlaStatus.AT_RISK if at_risk else SlaStatus.ON_TIME


# --------------------------------------------------------------------------------------------
# Policy and configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per priority, plus optional whole-target overrides per category name."""

    targets: Mapping[Priority, Target] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    by_category: Mapping[str, Target] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [p.value for p in Priority if p not in self.targets]
        if missing:
            raise ValueError(f"SLA policy has no target for priority: {', '.join(missing)}")

    @classmethod
    def from_mapping(
        cls,
        targets: Mapping[str, Mapping[str, Any]],
        by_category: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> SlaPolicy:
        """Targets as ``targets_from_mapping`` reads them; category overrides need all fields."""
        overrides: dict[str, Target] = {}
        for name, entry in (by_category or {}).items():
            overrides[str(name)] = _target_from_mapping(entry, None, f"category {name!r}")
        return cls(targets=targets_from_mapping(targets), by_category=overrides)

    def target_for(self, priority: Priority, category_overrides: Target | None = None) -> Target:
        """The category's override if given, else the priority's target."""
        if category_overrides is not None:
            return category_overrides
        return self.targets[Priority(priority)]

    def target_for_category(self, priority: Priority, category: str | None) -> Target:
        """``target_for`` with the override looked up in ``by_category``."""
        override = None if category is None else self.by_category.get(category)
        return self.target_for(priority, override)


_FIELDS = ("response_minutes", "resolution_minutes", "clock")


def targets_from_mapping(d: Mapping[str, Mapping[str, Any]]) -> dict[Priority, Target]:
    """Read targets from configuration such as::

        {"urgent": {"response_minutes": 15, "resolution_minutes": 240, "clock": "24/7"},
         "normal": {"response_minutes": 120, "resolution_minutes": 480, "clock": "service"}}

    Priorities (case-insensitive) or fields left out keep their ``DEFAULT_TARGETS`` values.
    Raises ``ValueError`` naming the culprit for an unknown priority or field, minutes that are
    not a positive number, a resolution shorter than the response, or an unknown clock.
    """
    if not isinstance(d, Mapping):
        raise ValueError(f"SLA targets must be a mapping of priority to target, got {d!r}")
    result = dict(DEFAULT_TARGETS)
    seen: set[Priority] = set()
    for key, entry in d.items():
        name = str(key).strip().lower()
        try:
            priority = Priority(name)
        except ValueError:
            allowed = ", ".join(p.value for p in Priority)
            raise ValueError(f"unknown priority {key!r} (expected one of: {allowed})") from None
        if priority in seen:
            raise ValueError(f"priority {priority.value!r} is given twice")
        seen.add(priority)
        result[priority] = _target_from_mapping(entry, DEFAULT_TARGETS[priority], priority.value)
    return result


def _target_from_mapping(entry: Any, base: Target | None, where: str) -> Target:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: target must be a mapping with {', '.join(_FIELDS)}")
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        raise ValueError(
            f"{where}: unknown field(s) {', '.join(unknown)} (expected {', '.join(_FIELDS)})"
        )
    if base is None:
        missing = [f for f in _FIELDS if f not in entry]
        if missing:
            raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    response = (
        _minutes(entry["response_minutes"], f"{where}: response_minutes")
        if "response_minutes" in entry
        else _require(base).response
    )
    resolution = (
        _minutes(entry["resolution_minutes"], f"{where}: resolution_minutes")
        if "resolution_minutes" in entry
        else _require(base).resolution
    )
    clock = (
        _parse_clock(entry["clock"], f"{where}: clock")
        if "clock" in entry
        else _require(base).clock
    )
    if resolution < response:
        raise ValueError(
            f"{where}: resolution ({resolution}) must not be shorter than response ({response})"
        )
    return Target(response=response, resolution=resolution, clock=clock)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _require(base: Target | None) -> Target:
    assert base is not None  # guarded by the missing-field check
    return base


def _utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime ({value}): give it a time zone")
    return value.astimezone(UTC)


def _check_duration(duration: timedelta) -> None:
    if not isinstance(duration, timedelta):
        raise ValueError(f"duration must be a timedelta, got {duration!r}")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")


def _scale(duration: timedelta, share: Fraction) -> timedelta:
    """``duration * share``, exact to the microsecond."""
    return _MICROSECOND * round((duration // _MICROSECOND) * share)


def _minutes(value: Any, where: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number of minutes, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{where} must be a finite number of minutes, got {value!r}")
    if value <= 0:
        raise ValueError(f"{where} must be positive, got {value!r}")
    try:
        return timedelta(minutes=value)
    except OverflowError:
        raise ValueError(f"{where} is too large, got {value!r}") from None


def _parse_clock(value: Any, where: str) -> ClockKind:
    if isinstance(value, ClockKind):
        return value
    text = str(value).strip().lower()
    aliases = {"24/7": ClockKind.TWENTY_FOUR_SEVEN, "service": ClockKind.SERVICE}
    aliases.update({"24x7": ClockKind.TWENTY_FOUR_SEVEN, "service_hours": ClockKind.SERVICE})
    if text not in aliases:
        raise ValueError(f"{where}: unknown clock {value!r} (expected '24/7' or 'service')")
    return aliases[text]


def _parse_time(value: str | time, name: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: expected a time like 08:00, got {value!r}") from None


def _parse_date(value: str | date, name: str) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"{name}: expected a date, got the datetime {value!r}")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: expected a date like 2024-10-01, got {value!r}") from None
