"""Pure rules for notices: who may address which buildings, what "send later" means.
No Telegram, no database; the labels are in ``bot.texts.notices``."""

from __future__ import annotations

import enum
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rules.auth import Action, Principal, Role, can

MAX_NOTICE = 3000  # characters of a text notice (a caption is cut to Telegram's 1,024)


MAX_CAPTION = 1000


class When(enum.StrEnum):
    NOW = "now"
    HOUR = "1h"
    THREE_HOURS = "3h"
    TONIGHT = "t19"  # today 19:00
    TOMORROW_9 = "m09"  # tomorrow 09:00
    TOMORROW_18 = "m18"  # tomorrow 18:00


def send_time(choice: When, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment a "send at" choice means, in the community's zone."""
    local = now.astimezone(tz)
    if choice is When.NOW:
        return now
    if choice is When.HOUR:
        return now + timedelta(hours=1)
    if choice is When.THREE_HOURS:
        return now + timedelta(hours=3)
    day = local.date() + timedelta(days=0 if choice is When.TONIGHT else 1)
    hour = {When.TONIGHT: 19, When.TOMORROW_9: 9, When.TOMORROW_18: 18}[choice]
    return datetime.combine(day, time(hour), tz)


def choices_at(now: datetime, tz: ZoneInfo) -> list[When]:
    """The choices that make sense now ("today 19:00" only before 18:00)."""
    local = now.astimezone(tz)
    return [c for c in When if c is not When.TONIGHT or local.hour < 18]


def may_address_everyone(p: Principal) -> bool:
    """Staff, managers and the committee may address any audience, the community included."""
    return can(p, Action.SEND_NOTICE, None)


def own_buildings(p: Principal) -> frozenset[int]:
    """The buildings a building leader (or grid worker) leads."""
    return p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID)


def may_address(p: Principal, buildings: list[int] | None) -> bool:
    """May ``p`` send a notice to these buildings (``None``: the whole community)?"""
    if buildings is None:
        return may_address_everyone(p)
    return bool(buildings) and all(can(p, Action.SEND_NOTICE, b) for b in buildings)


def may_mark_urgent(p: Principal) -> bool:
    return p.has_any(Role.STAFF, Role.MANAGER, Role.COMMITTEE)
