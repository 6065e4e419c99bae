"""The sandbox's cast: five people and two group chats, ready in the database and known to the
emulator, so each role can be played from the first minute.

The resident (张阿姨) has joined a unit of building 3 (or of the first building, in a database
without one) as its owner; the new neighbour (小林) has not joined; the building leader leads
that building; staff and the manager sit in the staff chat; the building's group is bound to it.
Made idempotent: a second start on the same database changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.rules.auth import Relation, Role
from bot.rules.clock import Clock, to_ts
from bot.sandbox.emulator import BotAPIEmulator
from storage import community, notices, people
from storage.db import Database

RESIDENT, NEIGHBOUR, LEADER, STAFF, MANAGER = 7001, 7002, 7003, 7004, 7005
STAFF_CHAT = -1007000000001
BUILDING_CHAT = -1007000000003
PREFERRED_BUILDING = "3"


@dataclass(frozen=True)
class Persona:
    user_id: int
    name: str
    language_code: str
    #: Who they are, for the page (a catalog message; ``{building}`` is the building's name).
    role: str
    roles: tuple[Role, ...] = ()
    joined: bool = False


PERSONAS = (
    Persona(RESIDENT, "张阿姨", "zh-hans", N_("Resident of {building}, joined"), joined=True),
    Persona(NEIGHBOUR, "小林", "zh-hans", N_("New neighbour, not joined yet")),
    Persona(LEADER, "李楼长", "zh-hans", N_("Building leader of {building}"), (Role.LEADER,)),
    Persona(STAFF, "陈师傅", "zh-hans", N_("Property staff"), (Role.STAFF,)),
    Persona(MANAGER, "刘经理", "zh-hans", N_("Property manager"), (Role.MANAGER,)),
)


@dataclass(frozen=True)
class Group:
    chat_id: int
    kind: str  # "staff" or "building", as bound
    label: str  # a catalog message, ``{building}`` as above
    members: tuple[int, ...]


@dataclass(frozen=True)
class Cast:
    """What ``prepare`` set up: the building the cast lives in (its names by locale), the unit
    the resident joined and the group chats with their ids."""

    building_names: dict[str, str]
    unit_code: str
    groups: tuple[Group, ...]

    def group(self, chat_id: int) -> Group | None:
        return next((g for g in self.groups if g.chat_id == chat_id), None)


class NoCommunity(Exception):
    """The database has no community with a building and units to play in."""


async def prepare(db: Database, emu: BotAPIEmulator, clock: Clock) -> Cast:
    """The cast in the database (one transaction) and in the emulator."""
    now = to_ts(clock())
    async with db.transaction() as conn:
        info = await community.get_community(conn)
        buildings = await community.buildings(conn)
        chosen = next((b for b in buildings if b.code == PREFERRED_BUILDING), None)
        chosen = chosen or next(iter(buildings), None)
        units = await community.units_of(conn, chosen.id) if chosen else []
        if info is None or chosen is None or not units:
            raise NoCommunity("no community with buildings and units in this database")
        unit = next((u for u in units if u.code.endswith("-201")), units[0])
        for persona in PERSONAS:
            await people.upsert_person(
                conn, persona.user_id, persona.name, None, persona.language_code, now
            )
            for role in persona.roles:
                scope = chosen.id if role.scoped else None
                await people.grant_role(conn, persona.user_id, role, scope, None, now)
        if await people.live_residence(conn, RESIDENT, unit.id) is None:
            await people.add_residence(
                conn, RESIDENT, unit.id, Relation.OWNER, status="verified", via="admin", now=now
            )
        staff_chat = info.staff_chat_id or STAFF_CHAT
        titles = {staff_chat: "物业工作群", BUILDING_CHAT: f"{chosen.name} 邻里群"}
        if info.staff_chat_id is None:
            await notices.bind_group(
                conn, staff_chat, "staff", None, titles[staff_chat], MANAGER, now
            )
        if await notices.binding(conn, BUILDING_CHAT) is None:
            await notices.bind_group(
                conn, BUILDING_CHAT, "building", chosen.id, titles[BUILDING_CHAT], LEADER, now
            )
    groups = (
        Group(staff_chat, "staff", N_("Staff chat"), (STAFF, MANAGER)),
        Group(BUILDING_CHAT, "building", N_("Group of {building}"), (RESIDENT, NEIGHBOUR, LEADER)),
    )
    for persona in PERSONAS:
        emu.user(persona.user_id, persona.name, persona.language_code)
    for group in groups:
        emu.group(group.chat_id, titles[group.chat_id])
        for member in group.members:
            emu.set_member(group.chat_id, member, "member")
    return Cast(chosen.names, unit.code, groups)
