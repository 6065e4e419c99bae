"""The community file (TOML): parsed and validated here, applied by ``storage.community``.

See ``examples/community.toml`` for every field. Validation collects every mistake with where it
is, so a manager fixes the file in one go.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.rules.inspections import PlanSpec, parse_plans
from bot.rules.roster import Roster
from bot.rules.roster import parse as parse_roster

PRIORITIES = ("urgent", "normal", "low")
NAME_LOCALES = ("zh_Hans", "en", "zh_Hant")


class CommunityFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UnitSpec:
    code: str
    building: str
    entrance: str
    floor: int
    room: str
    area: Decimal
    owner: str | None


@dataclass(frozen=True)
class BuildingSpec:
    code: str
    name: str
    grid: str | None
    position: int
    names: dict[str, str] = field(default_factory=dict)  # {locale: name}, every locale


@dataclass(frozen=True)
class OwnerSpec:
    code: str
    name: str
    is_developer: bool


@dataclass(frozen=True)
class CategorySpec:
    code: str
    names: dict[str, str]
    priority: str
    team_chat_id: int | None
    response_minutes: int | None
    resolution_minutes: int | None
    position: int


@dataclass(frozen=True)
class RoomSpec:
    code: str
    names: dict[str, str]
    rules: dict[str, Any]
    position: int


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    timezone: str
    staff_chat_id: int | None
    settings: dict[str, Any]
    buildings: list[BuildingSpec] = field(default_factory=list)
    owners: list[OwnerSpec] = field(default_factory=list)
    units: list[UnitSpec] = field(default_factory=list)
    categories: list[CategorySpec] = field(default_factory=list)
    rooms: list[RoomSpec] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # {locale: name}, every locale
    inspections: list[PlanSpec] = field(default_factory=list)  # bot.rules.inspections
    roster: Roster = field(default_factory=Roster)  # [[roster]], [[on_call]], workload_limit


def load_file(path: Path) -> CommunitySpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CommunityFileError([f"{path}: not valid TOML: {exc}"]) from exc
    except OSError as exc:
        raise CommunityFileError([f"{path}: cannot read: {exc.strerror}"]) from exc
    return parse(data)


def parse(data: dict[str, Any]) -> CommunitySpec:
    problems: list[str] = []
    top = data.get("community")
    if not isinstance(top, dict):
        raise CommunityFileError(["[community] section is missing"])
    name = str(top.get("name", "")).strip()
    if not name:
        problems.append("community.name is missing")
    tz = str(top.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"community.timezone: unknown time zone {tz!r}")
    staff_chat = top.get("staff_chat_id")
    if staff_chat is not None and not isinstance(staff_chat, int):
        problems.append("community.staff_chat_id must be a whole number (a Telegram chat id)")
        staff_chat = None

    settings: dict[str, Any] = {}
    hours = top.get("service_hours", ["08:00", "20:00"])
    if (
        not isinstance(hours, list)
        or len(hours) != 2
        or _time(hours[0]) is None
        or _time(hours[1]) is None
        or (_time(hours[0]) or time()) >= (_time(hours[1]) or time())
    ):
        problems.append('community.service_hours must be ["HH:MM", "HH:MM"], start before end')
    settings["service_hours"] = hours
    holidays = top.get("holidays", [])
    good_holidays: list[str] = []
    for value in holidays if isinstance(holidays, list) else [holidays]:
        parsed = value if isinstance(value, date) else _date(value)
        if parsed is None:
            problems.append(f"community.holidays: not a date: {value!r}")
        else:
            good_holidays.append(parsed.isoformat())
    settings["holidays"] = sorted(good_holidays)
    workdays = top.get("makeup_workdays", [])
    settings["makeup_workdays"] = sorted(
        (v if isinstance(v, date) else _date(v) or date.min).isoformat() for v in workdays
    )
    for key in (
        "tickets_per_day",
        "rating_reminder_hours",
        "booking_reminder_minutes",
        "visit_window_minutes",
        "visit_reminder_minutes",
    ):
        if key in top:
            if not isinstance(top[key], int) or top[key] < 1:
                problems.append(f"community.{key} must be a positive whole number")
            else:
                settings[key] = top[key]
    if "booking_pending_hours" in top:
        value = top["booking_pending_hours"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append("community.booking_pending_hours must be a whole number, 0 or more")
        else:
            settings["booking_pending_hours"] = value
    sla = data.get("sla", {})
    if not isinstance(sla, dict):
        problems.append("[sla] must be a table")
        sla = {}
    for prio, target in sla.items():
        if prio not in PRIORITIES:
            problems.append(f"sla.{prio}: unknown priority (use urgent, normal or low)")
        elif not isinstance(target, dict):
            problems.append(f"sla.{prio} must be a table")
    settings["sla"] = sla

    buildings: list[BuildingSpec] = []
    units: list[UnitSpec] = []
    seen_units: set[str] = set()
    raw_buildings = data.get("buildings", [])
    if not isinstance(raw_buildings, list) or not raw_buildings:
        problems.append("at least one [[buildings]] entry is needed")
        raw_buildings = []
    seen_buildings: set[str] = set()
    for index, raw in enumerate(raw_buildings):
        where = f"buildings[{index}]"
        code = str(raw.get("code", "")).strip()
        if not code:
            problems.append(f"{where}.code is missing")
            continue
        if code in seen_buildings:
            problems.append(f"{where}: building code {code!r} appears twice")
        seen_buildings.add(code)
        one = str(raw.get("name") or code)
        buildings.append(BuildingSpec(code, one, raw.get("grid"), index, _three_names(raw, one)))
        for u_index, unit in enumerate(raw.get("units", [])):
            spec = _unit(code, unit, f"{where}.units[{u_index}]", problems)
            if spec is None:
                continue
            if spec.code in seen_units:
                problems.append(f"{where}.units[{u_index}]: unit {spec.code!r} appears twice")
            seen_units.add(spec.code)
            units.append(spec)

    owners: list[OwnerSpec] = []
    for index, raw in enumerate(data.get("owners", [])):
        code = str(raw.get("code", "")).strip()
        if not code:
            problems.append(f"owners[{index}].code is missing")
            continue
        owners.append(
            OwnerSpec(code, str(raw.get("name") or code), bool(raw.get("developer", False)))
        )
    known_owners = {o.code for o in owners}
    for unit in units:
        if unit.owner is not None and unit.owner not in known_owners:
            owners.append(OwnerSpec(unit.owner, unit.owner, False))
            known_owners.add(unit.owner)

    categories: list[CategorySpec] = []
    for index, raw in enumerate(data.get("categories", [])):
        where = f"categories[{index}]"
        code = str(raw.get("code", "")).strip()
        names = _names(raw.get("name"), where, problems)
        priority = str(raw.get("priority", "normal"))
        if not code:
            problems.append(f"{where}.code is missing")
            continue
        if priority not in PRIORITIES:
            problems.append(f"{where}.priority must be urgent, normal or low")
        team = raw.get("team_chat_id")
        categories.append(
            CategorySpec(
                code,
                names,
                priority,
                team if isinstance(team, int) else None,
                _minutes(raw, "response_minutes", where, problems),
                _minutes(raw, "resolution_minutes", where, problems),
                index,
            )
        )
    if not categories:
        problems.append("at least one [[categories]] entry is needed")

    rooms: list[RoomSpec] = []
    for index, raw in enumerate(data.get("rooms", [])):
        where = f"rooms[{index}]"
        code = str(raw.get("code", "")).strip()
        if not code:
            problems.append(f"{where}.code is missing")
            continue
        names = _names(raw.get("name"), where, problems)
        rules = {k: v for k, v in raw.items() if k not in ("code", "name")}
        rooms.append(RoomSpec(code, names, rules, index))

    inspections = parse_plans(
        data.get("inspections", []),
        _names,
        seen_buildings,
        {c.code for c in categories},
        problems,
    )
    roster, roster_problems = parse_roster(
        data.get("roster"), data.get("on_call"), top.get("workload_limit")
    )
    problems += roster_problems
    if roster.limit is not None:
        settings["workload_limit"] = roster.limit

    if problems:
        raise CommunityFileError(problems)
    return CommunitySpec(
        inspections=inspections,
        roster=roster,
        names=_three_names(top, name),
        name=name,
        timezone=tz,
        staff_chat_id=staff_chat,
        settings=settings,
        buildings=buildings,
        owners=owners,
        units=units,
        categories=categories,
        rooms=rooms,
    )


def _unit(building: str, raw: Any, where: str, problems: list[str]) -> UnitSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a table")
        return None
    room = str(raw.get("room", "")).strip()
    floor = raw.get("floor")
    if not room:
        problems.append(f"{where}.room is missing")
        return None
    if not isinstance(floor, int):
        problems.append(f"{where}.floor must be a whole number")
        return None
    try:
        area = Decimal(str(raw.get("area")))
    except InvalidOperation:
        problems.append(f"{where}.area must be a number of square metres")
        return None
    if not area.is_finite() or area <= 0:
        problems.append(f"{where}.area must be positive")
        return None
    entrance = str(raw.get("entrance", "")).strip()
    default_code = "-".join(p for p in (building, entrance, room) if p)
    code = str(raw.get("code") or default_code)
    owner = raw.get("owner")
    return UnitSpec(code, building, entrance, floor, room, area, str(owner) if owner else None)


def _three_names(raw: dict[str, Any], one: str) -> dict[str, str]:
    """A community's or building's name in each locale: ``name`` (Simplified Chinese),
    ``name_en`` and ``name_zh_hant`` where the file gives them, else the one name."""
    return {
        "zh_Hans": one,
        "en": str(raw.get("name_en") or one),
        "zh_Hant": str(raw.get("name_zh_hant") or one),
    }


def _names(raw: Any, where: str, problems: list[str]) -> dict[str, str]:
    if isinstance(raw, str):
        return {loc: raw for loc in NAME_LOCALES}
    if isinstance(raw, dict) and raw:
        names = {str(k): str(v) for k, v in raw.items()}
        unknown = set(names) - set(NAME_LOCALES)
        if unknown:
            problems.append(f"{where}.name: unknown locale(s) {sorted(unknown)}")
        for loc in NAME_LOCALES:
            names.setdefault(loc, names.get("zh_Hans") or next(iter(names.values())))
        return names
    problems.append(f"{where}.name is missing (a string, or a table of zh_Hans/en/zh_Hant)")
    return {}


def _minutes(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or value <= 0:
        problems.append(f"{where}.{key} must be a positive whole number of minutes")
        return None
    return value


def _time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
