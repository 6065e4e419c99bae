"""Inspection plans (巡检计划), pure: what the community file's ``[[inspections]]`` say (a place
or route, checklist items with a photo flag and the ticket category a "not ok" opens, a
recurrence, an assignee, a deadline), checked; and what a round's ticks add up to.

    [[inspections]]
    code = "fire-1"
    name = { zh_Hans = "1号楼消防巡查", en = "Building 1 fire round", zh_Hant = "1號樓消防巡查" }
    building = "1"             # the building it is in (a route: a plan per building)
    place = "B1-18F stairwells"
    every = "weekly"           # daily / weekly / monthly
    weekday = "mon"            # weekly; monthly: day = 1 (31: the month's last day)
    at = "09:00"
    deadline_hours = 4         # after the due time; then the managers are told, once
    assignee = 4001            # a staff member's Telegram id

    [[inspections.items]]
    code = "extinguishers"
    name = { zh_Hans = "灭火器", en = "Fire extinguishers", zh_Hant = "滅火器" }
    category = "safety"        # a "not ok" opens a ticket in this category
    photo = true               # a photo is asked with the tick
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.rules.recurrence import Recurrence, parse_recurrence

DEFAULT_DEADLINE_HOURS = 4
MAX_ITEMS = 30


@dataclass(frozen=True)
class ItemSpec:
    code: str
    names: dict[str, str]
    category: str
    photo: bool
    position: int


@dataclass(frozen=True)
class PlanSpec:
    code: str
    names: dict[str, str]
    building: str
    place: str
    recurrence: Recurrence
    deadline_minutes: int
    assignee: int | None
    position: int
    items: list[ItemSpec] = field(default_factory=list)


Names = Callable[[Any, str, list[str]], dict[str, str]]


def parse_plans(
    raw_plans: Any,
    names_of: Names,
    buildings: set[str],
    categories: set[str],
    problems: list[str],
) -> list[PlanSpec]:
    """The ``[[inspections]]`` of a community file; ``names_of`` reads a name table as the
    community file does; problems are appended in plain words."""
    plans: list[PlanSpec] = []
    seen: set[str] = set()
    if not isinstance(raw_plans, list):
        problems.append("[[inspections]] must be a list of tables")
        return plans
    for index, raw in enumerate(raw_plans):
        where = f"inspections[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{where} must be a table")
            continue
        code = str(raw.get("code", "")).strip()
        if not code:
            problems.append(f"{where}.code is missing")
            continue
        if code in seen:
            problems.append(f"{where}: plan code {code!r} appears twice")
        seen.add(code)
        names = names_of(raw.get("name"), where, problems)
        building = raw.get("building")
        if building is None or str(building) not in buildings:
            problems.append(f"{where}.building: name one of this file's buildings")
        recurrence, found = parse_recurrence(raw)
        problems += [f"{where}.{p}" for p in found]
        hours = raw.get("deadline_hours", DEFAULT_DEADLINE_HOURS)
        if not isinstance(hours, int) or isinstance(hours, bool) or hours < 1:
            problems.append(f"{where}.deadline_hours must be a positive whole number")
            hours = DEFAULT_DEADLINE_HOURS
        assignee = raw.get("assignee")
        if assignee is not None and (
            not isinstance(assignee, int) or isinstance(assignee, bool) or assignee <= 0
        ):
            problems.append(f"{where}.assignee must be a staff member's Telegram id")
            assignee = None
        items = _items(raw.get("items"), where, names_of, categories, problems)
        if recurrence is None:
            continue
        plans.append(
            PlanSpec(
                code,
                names,
                str(building),
                str(raw.get("place", "")).strip()[:100],
                recurrence,
                hours * 60,
                assignee,
                index,
                items,
            )
        )
    return plans


def _items(
    raw_items: Any, where: str, names_of: Names, categories: set[str], problems: list[str]
) -> list[ItemSpec]:
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(f"{where}: at least one [[inspections.items]] entry is needed")
        return []
    if len(raw_items) > MAX_ITEMS:
        problems.append(f"{where}: at most {MAX_ITEMS} items")
    items: list[ItemSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items[:MAX_ITEMS]):
        at = f"{where}.items[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{at} must be a table")
            continue
        code = str(raw.get("code", "")).strip()
        if not code or code in seen:
            problems.append(f"{at}.code is missing or appears twice")
            continue
        seen.add(code)
        category = str(raw.get("category", "other"))
        if category not in categories:
            problems.append(f"{at}.category: no category {category!r} in this file")
        items.append(
            ItemSpec(
                code,
                names_of(raw.get("name"), at, problems),
                category,
                bool(raw.get("photo", False)),
                index,
            )
        )
    return items


# ---- what storage reads back (plain rows, for the services and the words) ----


@dataclass(frozen=True)
class Plan:
    id: int
    code: str
    names: dict[str, str]
    building_id: int | None
    place: str
    recurrence: Recurrence
    deadline_minutes: int
    assignee_id: int | None
    next_due_at: int | None


@dataclass(frozen=True)
class Item:
    id: int
    plan_id: int
    code: str
    names: dict[str, str]
    photo: bool
    category: str


@dataclass(frozen=True)
class Round:
    id: int
    plan_id: int
    due_at: int
    deadline_at: int
    assignee_id: int | None
    state: str
    done_at: int | None
    escalated_at: int | None


@dataclass(frozen=True)
class Result:
    item_id: int
    ok: bool
    photo_file_id: str | None
    ticket_id: int | None


@dataclass(frozen=True)
class RoundSums:
    """Rounds due in a period: how many, done on time, done late, missed (past the deadline and
    not done), still open; items ticked, not ok, and the tickets they opened."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    open: int = 0
    checked: int = 0
    not_ok: int = 0
    tickets: int = 0
