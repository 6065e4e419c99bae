"""The duty roster and automatic assignment, pure: who is on duty for a category on a day, which
day's roster a moment belongs to (the night belongs to the on-call person of the evening it
started), and whose turn it is next (round-robin, skipping those at their workload limit).

A moment is a local (aware) datetime in the community's zone; the service window is the
community's ``service_hours`` (08:00-20:00 by default). Standard library only.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

#: The community file's day names, Monday first (``datetime.weekday()`` order).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A shift for every category.
ANY_CATEGORY = "*"


class Why(enum.StrEnum):
    """Why the roster picked someone (kept in the ticket's history)."""

    DUTY = "duty"
    ON_CALL = "on_call"


@dataclass(frozen=True)
class Shift:
    """Who is on duty for ``category`` (or ``ANY_CATEGORY``) on ``weekday``, in turn order."""

    category: str
    weekday: int
    staff: tuple[int, ...]


@dataclass(frozen=True)
class Roster:
    shifts: tuple[Shift, ...] = ()
    on_call: Mapping[int, int] = field(default_factory=dict)  # {weekday: user} of the night
    limit: int | None = None  # open tickets one person may hold; None: no limit

    def __bool__(self) -> bool:
        return bool(self.shifts or self.on_call)

    @property
    def people(self) -> frozenset[int]:
        """Everyone on the roster: on duty some day, or on call some night."""
        return frozenset(u for s in self.shifts for u in s.staff) | frozenset(self.on_call.values())


@dataclass(frozen=True)
class Pick:
    user_id: int
    why: Why


def in_service(moment: datetime, start: time, end: time) -> bool:
    """Whether the local moment is inside the daily service window [start, end)."""
    clock = moment.time().replace(tzinfo=None)
    return start <= clock < end


def duty_day(moment: datetime, end: time) -> date:
    """The day whose duty roster takes a ticket reported at ``moment``: today until the
    service window ends, tomorrow after it (the evening's tickets wait for the morning's
    staff)."""
    clock = moment.time().replace(tzinfo=None)
    today = moment.date()
    return today + timedelta(days=1) if clock >= end else today


def night_of(moment: datetime, start: time) -> date:
    """The day whose night a moment outside service hours belongs to: the evening's date, also
    after midnight until the service starts (Monday 02:00 is Sunday's night)."""
    clock = moment.time().replace(tzinfo=None)
    today = moment.date()
    return today - timedelta(days=1) if clock < start else today


def on_duty(roster: Roster, category: str, weekday: int) -> list[int]:
    """The staff on duty for ``category`` on ``weekday``, in turn order: the category's own
    shift, else the shift for every category."""
    for wanted in (category, ANY_CATEGORY):
        for shift in roster.shifts:
            if shift.category == wanted and shift.weekday == weekday and shift.staff:
                return list(dict.fromkeys(shift.staff))
    return []


def next_in_turn(
    staff: Sequence[int],
    last: int | None,
    load: Mapping[int, int],
    limit: int | None,
) -> int | None:
    """Round-robin: the first after ``last`` in ``staff`` (from the start if ``last`` is not
    among them) whose open tickets are below ``limit``; None if everyone is at the limit."""
    if not staff:
        return None
    begin = staff.index(last) + 1 if last in staff else 0
    for i in range(len(staff)):
        candidate = staff[(begin + i) % len(staff)]
        if limit is None or load.get(candidate, 0) < limit:
            return candidate
    return None


def choose(
    roster: Roster,
    category: str,
    urgent: bool,
    moment: datetime,
    hours: tuple[time, time],
    last: int | None,
    load: Mapping[int, int],
) -> Pick | None:
    """Who gets a new ticket: outside service hours an urgent one goes to the night's on-call
    person (whatever their load: an emergency is theirs); everything else to the next in turn
    among the duty day's staff for its category. None: nobody (the ticket waits in the staff
    chat as before)."""
    start, end = hours
    if urgent and not in_service(moment, start, end):
        person = roster.on_call.get(night_of(moment, start).weekday())
        if person is not None:
            return Pick(person, Why.ON_CALL)
    staff = on_duty(roster, category, duty_day(moment, end).weekday())
    chosen = next_in_turn(staff, last, load, roster.limit)
    return Pick(chosen, Why.DUTY) if chosen is not None else None


def only(roster: Roster, able: Collection[int]) -> Roster:
    """The roster without the people not in ``able`` (a role revoked since the file was
    loaded)."""
    return Roster(
        tuple(
            Shift(s.category, s.weekday, tuple(u for u in s.staff if u in able))
            for s in roster.shifts
        ),
        {d: u for d, u in roster.on_call.items() if u in able},
        roster.limit,
    )


def parse(raw_shifts: object, raw_on_call: object, raw_limit: object) -> tuple[Roster, list[str]]:
    """The community file's ``[[roster]]`` (category, days, staff) and ``[[on_call]]`` (days,
    staff) tables and ``community.workload_limit``: the roster and the mistakes found, each
    with where it is."""
    problems: list[str] = []
    shifts: list[Shift] = []
    on_call: dict[int, int] = {}
    for index, raw in enumerate(_tables(raw_shifts, "roster", problems)):
        where = f"roster[{index}]"
        category = str(raw.get("category", ANY_CATEGORY)).strip() or ANY_CATEGORY
        staff = raw.get("staff")
        if not isinstance(staff, list) or not staff or not all(_user(s) for s in staff):
            problems.append(f"{where}.staff must be a list of Telegram user ids")
            continue
        for day in _days(raw.get("days"), where, problems):
            shifts.append(Shift(category, day, tuple(staff)))
    for index, raw in enumerate(_tables(raw_on_call, "on_call", problems)):
        where = f"on_call[{index}]"
        person = _as_user(raw.get("staff"))
        if person is None:
            problems.append(f"{where}.staff must be one Telegram user id")
            continue
        for day in _days(raw.get("days"), where, problems):
            if day in on_call:
                problems.append(f"{where}: {WEEKDAYS[day]} already has an on-call person")
            on_call[day] = person
    limit = _as_user(raw_limit)
    if raw_limit is not None and limit is None:
        problems.append("community.workload_limit must be a positive whole number")
    return Roster(tuple(shifts), on_call, limit), problems


def _user(value: object) -> bool:
    return _as_user(value) is not None


def _as_user(value: object) -> int | None:
    """A positive whole number (a Telegram user id, a limit), or None."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _tables(raw: object, name: str, problems: list[str]) -> list[dict[str, object]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        problems.append(f"[[{name}]] entries must be tables")
        return []
    return raw


def _days(raw: object, where: str, problems: list[str]) -> list[int]:
    if raw == "every day":
        return list(range(7))
    names = raw if isinstance(raw, list) else []
    days = [WEEKDAYS.index(d) for d in names if isinstance(d, str) and d in WEEKDAYS]
    if not names or len(days) != len(names):
        problems.append(f'{where}.days must be a list of {", ".join(WEEKDAYS)} or "every day"')
        return []
    return days
