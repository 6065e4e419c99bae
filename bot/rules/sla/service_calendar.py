"""The service calendar: daily service windows in the community's zone, holidays, workdays
and make-up workdays (调休), as UTC instants."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.rules.sla.values import _utc

_ONE_DAY = timedelta(days=1)
# A calendar whose service days stop (e.g. only make-up workdays and no weekdays) would make
# the day-by-day walk run forever; no real calendar has this many days in a row without
# service.
_MAX_IDLE_DAYS = 3660


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
