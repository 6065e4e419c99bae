"""The community points bank's rules (积分银行): what earns points, the waiting list, the
reminders before an activity, a staff correction's amount. Pure: no I/O, no words.

Points are earned only by volunteering: an activity the organiser confirmed one came to, or a
neighbour's help request the neighbour confirmed. Never by voting or by rating a repair: points
there would bias both (people would vote or rate to earn, not to say what they think).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta


class Kind(enum.StrEnum):
    """Why a ledger row exists (``points_ledger.kind``)."""

    ACTIVITY = "activity"  # came to a volunteer activity (credited by its organiser)
    HELP = "help"  # helped a neighbour (confirmed by the neighbour)
    REDEEM = "redeem"  # a reward redeemed (a debit)
    CORRECTION = "correction"  # staff corrected a balance, with a reason


#: The only ways to earn points. Voting and rating are not among them, on purpose.
EARNING = frozenset({Kind.ACTIVITY, Kind.HELP})

#: Points a helper earns for a neighbour's confirmed help request.
HELP_POINTS = 5
#: The kinds of help a neighbour asks for with one tap.
HELP_KINDS = ("shopping", "clinic", "fix", "company", "other")
#: A staff correction's largest size, either way.
MAX_CORRECTION = 10_000
#: Places, points and lengths the organiser picks from.
SLOT_CHOICES = (2, 5, 10, 20)
POINT_CHOICES = (5, 10, 20, 50)
MINUTE_CHOICES = (60, 120, 180, 240)


def balance(deltas: Iterable[int]) -> int:
    return sum(deltas)


def can_spend(current: int, price: int) -> bool:
    """A debit never takes a balance below zero."""
    return price > 0 and current - price >= 0


def place_for(going: int, slots: int) -> str:
    """A new sign-up: 'going' while places are left, else 'waiting'."""
    return "going" if going < slots else "waiting"


def reminder_times(starts: datetime, now: datetime) -> dict[str, datetime]:
    """The reminders before an activity still ahead of ``now``: the day and the hour before."""
    due = {"remind_day": starts - timedelta(days=1), "remind_hour": starts - timedelta(hours=1)}
    return {kind: at for kind, at in due.items() if at > now}


def correction_amount(text: str) -> int | None:
    """``+5`` / ``-5`` / ``5``: a non-zero whole number within ``MAX_CORRECTION``; else None."""
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.isdigit() or len(body) > 6:
        return None
    amount = int(body) * (-1 if text.startswith("-") else 1)
    return amount if amount != 0 and abs(amount) <= MAX_CORRECTION else None


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"
