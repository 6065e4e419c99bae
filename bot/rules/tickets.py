"""Tickets, pure: kinds, states and the moves between them, the SLA set-up for a ticket, and the
reminder rows a ticket should have at a given moment. No Telegram, no database, no clock reads.

States (``State``)::

    new ─accept/assign─> accepted ─on_site─> on_site
     │                     │  ^                 │
     │                need_info│answer          │
     │                     v  │                 │
     │               waiting_resident           │
     └──────────── resolve / not_ours / reject / duplicate / withdraw ──> (outcome)
    resolved ─rate─> closed         resolved ─not fixed─> reopened (then as "new")
    resolved ─(no rating after a day, asked once more)─> closed

"not fixed" and "not our responsibility" are outcomes distinct from "resolved", so the figures
cannot be flattered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.rules.sla import (
    Pause,
    Priority,
    ServiceCalendar,
    SlaPolicy,
    Target,
    due_times,
    reminder_schedule,
)


class Kind(StrEnum):
    REPAIR = "repair"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"


class State(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    WAITING_RESIDENT = "waiting_resident"
    ON_SITE = "on_site"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    NOT_OURS = "not_our_responsibility"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class Move(StrEnum):
    """What staff (or the resident) do to a ticket; callback-safe values."""

    ACCEPT = "acc"
    ASSIGN = "asg"
    NEED_INFO = "ask"
    ANSWER = "ans"
    ON_SITE = "ons"
    RESOLVE = "res"
    TRANSFER = "trf"
    REJECT = "rej"
    DUPLICATE = "dup"
    NOT_OURS = "nor"
    WITHDRAW = "wdr"
    REOPEN = "rop"
    RATE = "rat"
    AUTO_CLOSE = "acl"


OPEN_STATES = frozenset(
    {State.NEW, State.ACCEPTED, State.WAITING_RESIDENT, State.ON_SITE, State.REOPENED}
)


UNANSWERED = frozenset({State.NEW, State.REOPENED})


WORKING = frozenset({State.ACCEPTED, State.ON_SITE})


#: From which states each move may be made, and the state it leads to (None: unchanged).
MOVES: dict[Move, tuple[frozenset[State], State | None]] = {
    Move.ACCEPT: (UNANSWERED, State.ACCEPTED),
    Move.ASSIGN: (OPEN_STATES, None),  # accepts an unanswered ticket too (see ``target_state``)
    Move.NEED_INFO: (UNANSWERED | WORKING, State.WAITING_RESIDENT),
    Move.ANSWER: (frozenset({State.WAITING_RESIDENT}), State.ACCEPTED),
    Move.ON_SITE: (frozenset({State.ACCEPTED}), State.ON_SITE),
    Move.RESOLVE: (OPEN_STATES, State.RESOLVED),
    Move.TRANSFER: (OPEN_STATES, None),
    Move.REJECT: (OPEN_STATES, State.REJECTED),
    Move.DUPLICATE: (OPEN_STATES, State.DUPLICATE),
    Move.NOT_OURS: (OPEN_STATES, State.NOT_OURS),
    Move.WITHDRAW: (OPEN_STATES, State.WITHDRAWN),
    Move.REOPEN: (frozenset({State.RESOLVED}), State.REOPENED),
    Move.RATE: (frozenset({State.RESOLVED}), State.CLOSED),
    Move.AUTO_CLOSE: (frozenset({State.RESOLVED}), State.CLOSED),
}


def allowed_from(move: Move) -> frozenset[State]:
    return MOVES[move][0]


def can_move(state: State, move: Move) -> bool:
    return state in MOVES[move][0]


def target_state(state: State, move: Move) -> State:
    """The state after ``move`` (raises ValueError if the move is not allowed from ``state``)."""
    sources, target = MOVES[move]
    if state not in sources:
        raise ValueError(f"cannot {move.name.lower()} a ticket that is {state.value}")
    if move is Move.ASSIGN and state in UNANSWERED:
        return State.ACCEPTED
    return state if target is None else target


def staff_moves(state: State) -> list[Move]:
    """The buttons a staff card shows in ``state``, in order."""
    if state not in OPEN_STATES:
        return []
    order = [
        Move.ACCEPT,
        Move.ASSIGN,
        Move.NEED_INFO,
        Move.ON_SITE,
        Move.RESOLVE,
        Move.TRANSFER,
        Move.REJECT,
    ]
    return [m for m in order if m is Move.REJECT or can_move(state, m)]


#: Timer rows beside the SLA stages, in the same table and sweep.
RATING_ASK = "rating_ask"


AUTO_CLOSE = "auto_close"


DEFAULT_RATING_REMINDER_HOURS = 24


DEFAULT_TICKETS_PER_DAY = 10


MAX_PHOTOS = 3


MAX_PLACE = 60

#: Where the place ends in "3F corridor, the light is out" / "3楼走廊：灯不亮".
_PLACE_END = re.compile(r"[，,：:；;。\n]")


def split_place(text: str) -> tuple[str, str]:
    """Where and what in one message: "3F corridor, the light is out" -> ("3F corridor", "the
    light is out"). A short text without a break is the place alone; a long one is the
    description (the place is in its words)."""
    text = text.strip()
    found = _PLACE_END.search(text)
    if found:
        head, tail = text[: found.start()].strip(), text[found.end() :].strip()
        if head and tail and len(head) <= MAX_PLACE:
            return head, tail
    if len(text) <= MAX_PLACE:
        return text, ""
    return "", text


_FLOOR = re.compile(r"(?:^|\D)(-?\d{1,3})\s*(?:f|楼|层|樓|層|floor)", re.IGNORECASE)


_FLOOR_BEFORE = re.compile(r"(?:floor|第)\s*(-?\d{1,3})", re.IGNORECASE)


def floor_of_place(place: str) -> int | None:
    """A floor read from a short place text: "3F corridor", "3楼走廊", "floor 3" -> 3."""
    for pattern in (_FLOOR, _FLOOR_BEFORE):
        match = pattern.search(place)
        if match:
            return int(match.group(1))
    return None


def same_place(floor_a: int | None, floor_b: int | None) -> bool:
    """Duplicate rule for public areas: the same floor when both name one, else the building."""
    if floor_a is not None and floor_b is not None:
        return floor_a == floor_b
    return True


@dataclass(frozen=True)
class SlaSetup:
    target: Target
    calendar: ServiceCalendar


def sla_setup(
    settings: Mapping[str, Any],
    timezone: str,
    priority: str,
    response_minutes: int | None = None,
    resolution_minutes: int | None = None,
) -> SlaSetup:
    """The target (the category's overrides on its priority's target) and service calendar."""
    policy = SlaPolicy.from_mapping(settings.get("sla") or {})
    base = policy.target_for(Priority(priority))
    if response_minutes is not None or resolution_minutes is not None:
        response = timedelta(minutes=response_minutes) if response_minutes else base.response
        resolution = (
            timedelta(minutes=resolution_minutes) if resolution_minutes else base.resolution
        )
        base = Target(response, max(resolution, response), base.clock)
    hours = settings.get("service_hours") or ["08:00", "20:00"]
    calendar = ServiceCalendar.from_config(
        timezone,
        hours[0],
        hours[1],
        holidays=settings.get("holidays") or (),
        makeup_workdays=settings.get("makeup_workdays") or (),
    )
    return SlaSetup(base, calendar)


@dataclass(frozen=True)
class Plan:
    """What a ticket's SLA looks like now: its deadlines and the unsent reminder rows it needs."""

    response_due: datetime | None
    resolution_due: datetime | None
    reminders: dict[str, datetime]


def plan(
    setup: SlaSetup,
    opened_at: datetime,
    state: State,
    responded: bool,
    pauses: Iterable[Pause],
) -> Plan:
    """Deadlines (None while the clock is stopped) and reminder stages still to come.

    Response stages drop out once the ticket was responded to; every stage drops out once the
    ticket is no longer open. An open pause leaves out the stages it makes undefined.
    """
    pause_list = list(pauses)
    if state not in OPEN_STATES:
        return Plan(None, None, {})
    response_due, resolution_due = due_times(opened_at, setup.target, setup.calendar, pause_list)
    reminders: dict[str, datetime] = {}
    for stage, when in reminder_schedule(opened_at, setup.target, setup.calendar, pause_list):
        if responded and stage.value.startswith("response"):
            continue
        reminders[stage.value] = when
    return Plan(None if responded else response_due, resolution_due, reminders)


def daily_limit(settings: Mapping[str, Any]) -> int:
    value = settings.get("tickets_per_day", DEFAULT_TICKETS_PER_DAY)
    return value if isinstance(value, int) and value > 0 else DEFAULT_TICKETS_PER_DAY


def rating_reminder(settings: Mapping[str, Any]) -> timedelta:
    value = settings.get("rating_reminder_hours", DEFAULT_RATING_REMINDER_HOURS)
    hours = value if isinstance(value, int) and value > 0 else DEFAULT_RATING_REMINDER_HOURS
    return timedelta(hours=hours)
