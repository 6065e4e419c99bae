"""When the daily backup is due, and which backups the retention keeps (pure: times in, times
out; the files are someone else's)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo


def next_daily(after: datetime, hour: int, zone: tzinfo) -> datetime:
    """The first ``hour``:00 in ``zone`` strictly after ``after`` (an aware datetime)."""
    local = after.astimezone(zone)
    day = local.date()
    for _ in range(3):  # today, tomorrow, or (across a skipped hour) the day after
        candidate = datetime.combine(day, time(hour), zone)
        if candidate > after:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a day has an hour")


def to_keep(taken: Iterable[datetime], zone: tzinfo, *, daily: int, monthly: int) -> set[datetime]:
    """The backups to keep of those taken at these times: the newest of each of the ``daily``
    newest days, and the first of each of the ``monthly`` newest months (days and months in
    ``zone``). Everything else may go."""
    newest_of_day: dict[tuple[int, int, int], datetime] = {}
    first_of_month: dict[tuple[int, int], datetime] = {}
    for moment in taken:
        local = moment.astimezone(zone)
        day = (local.year, local.month, local.day)
        if day not in newest_of_day or moment > newest_of_day[day]:
            newest_of_day[day] = moment
        month = (local.year, local.month)
        if month not in first_of_month or moment < first_of_month[month]:
            first_of_month[month] = moment
    keep = {newest_of_day[d] for d in sorted(newest_of_day, reverse=True)[:daily]}
    keep |= {first_of_month[m] for m in sorted(first_of_month, reverse=True)[:monthly]}
    return keep
