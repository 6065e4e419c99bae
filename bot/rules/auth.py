"""Who may do what. Every handler asks here, on every command and every button press.

Roles are granted by an administrator and may be scoped to a building (a building leader of
buildings 3 and 5 holds two rows). "Resident" is not granted: it follows from a verified
residence in a unit. Pure: the ``Principal`` is loaded by ``storage.people.load_principal``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    LEADER = "leader"  # 楼栋长, scoped to buildings
    GRID = "grid"  # 网格员, scoped to the buildings of a grid
    STAFF = "staff"  # 物业管家 / 维修工
    MANAGER = "manager"  # 物业经理
    COMMITTEE = "committee"  # 居委会 / 业委会
    ADMIN = "admin"  # 管理员

    @property
    def scoped(self) -> bool:
        return self in (Role.LEADER, Role.GRID)


class Relation(enum.StrEnum):
    OWNER = "owner"
    FAMILY = "family"
    TENANT = "tenant"


class Action(enum.Enum):
    DECIDE_JOIN = "decide_join"  # approve or reject a resident's request to join a unit
    CONFIRM_OWNER = "confirm_owner"  # confirm or refuse a household member's owner claim
    GRANT_ROLES = "grant_roles"
    HANDLE_TICKETS = "handle_tickets"
    MANAGE = "manage"  # SLA policy, assignment, escalations, exports, the public report
    SEE_FIGURES = "see_figures"  # /stats: managers, the committee, administrators
    SEE_BUILDING_TICKETS = "see_building_tickets"
    APPROVE_PROPOSAL = "approve_proposal"
    RECORD_PAPER_BALLOT = "record_paper_ballot"
    SEND_NOTICE = "send_notice"
    BIND_GROUP = "bind_group"
    MANAGE_ROOMS = "manage_rooms"
    CALL_MEETING = "call_meeting"
    BOOK_ROOM = "book_room"
    APPROVE_BOOKING = "approve_booking"  # a booking of a room that needs approval
    VOTE = "vote"
    PROPOSE = "propose"  # draft a proposal: verified residents and anyone holding a role
    REPORT_HOME = "report_home"
    ORGANISE_ACTIVITY = "organise_activity"  # a volunteer activity (building-scoped for leaders)
    VOLUNTEER = "volunteer"  # sign up for activities, take and ask for neighbours' help
    HELP_FOR = "help_for"  # post a help request for a neighbour without Telegram
    CORRECT_POINTS = "correct_points"  # points corrections (with a reason), rewards, codes


@dataclass(frozen=True)
class Residence:
    residence_id: int
    unit_id: int
    building_id: int
    unit_code: str
    relation: Relation
    status: str
    owner_claim: bool = False  # a pending claim to own the unit (not an owner until confirmed)

    @property
    def verified(self) -> bool:
        return self.status == "verified"


@dataclass(frozen=True)
class Principal:
    user_id: int
    roles: frozenset[tuple[Role, int | None]] = frozenset()
    residences: tuple[Residence, ...] = field(default_factory=tuple)

    def has(self, role: Role, building_id: int | None = None) -> bool:
        """Holds ``role`` community-wide, or for ``building_id`` when given."""
        if (role, None) in self.roles:
            return True
        return building_id is not None and (role, building_id) in self.roles

    def has_any(self, *roles: Role) -> bool:
        return any(r == role for r, _ in self.roles for role in roles)

    def buildings_for(self, role: Role) -> frozenset[int]:
        return frozenset(b for r, b in self.roles if r == role and b is not None)

    @property
    def verified(self) -> tuple[Residence, ...]:
        return tuple(r for r in self.residences if r.verified)

    @property
    def pending(self) -> tuple[Residence, ...]:
        return tuple(r for r in self.residences if r.status == "pending")

    @property
    def claims_owner(self) -> tuple[Residence, ...]:
        """Confirmed residences whose owner claim waits for proof."""
        return tuple(r for r in self.verified if r.owner_claim)

    @property
    def is_officer(self) -> bool:
        """Anyone holding a role (used to show the officers' menu)."""
        return bool(self.roles)


_PROPERTY = (Role.STAFF, Role.MANAGER)


def can(p: Principal, action: Action, building_id: int | None = None) -> bool:
    """The one place where rights are decided. ``building_id`` scopes building actions."""
    match action:
        case (
            Action.DECIDE_JOIN
            | Action.CONFIRM_OWNER
            | Action.SEE_BUILDING_TICKETS
            | Action.APPROVE_BOOKING
        ):
            return p.has_any(*_PROPERTY) or _leads(p, building_id)
        case Action.GRANT_ROLES:
            return p.has(Role.ADMIN)
        case Action.HANDLE_TICKETS | Action.MANAGE_ROOMS:
            return p.has_any(*_PROPERTY)
        case Action.MANAGE:
            return p.has(Role.MANAGER)
        case Action.SEE_FIGURES:
            return p.has_any(Role.MANAGER, Role.COMMITTEE, Role.ADMIN)
        case Action.APPROVE_PROPOSAL | Action.RECORD_PAPER_BALLOT | Action.CALL_MEETING:
            return p.has_any(Role.COMMITTEE, Role.MANAGER)
        case Action.SEND_NOTICE:
            if p.has_any(Role.STAFF, Role.MANAGER, Role.COMMITTEE):
                return True
            return building_id is not None and _leads(p, building_id)
        case Action.BIND_GROUP:
            return p.has_any(Role.ADMIN, Role.MANAGER)
        case Action.BOOK_ROOM | Action.VOTE:
            return bool(p.verified)
        case Action.REPORT_HOME:
            return bool(p.verified)
        case Action.PROPOSE:
            return bool(p.verified) or p.is_officer
        case Action.ORGANISE_ACTIVITY:
            if p.has_any(Role.STAFF, Role.MANAGER, Role.COMMITTEE):
                return True
            if building_id is None:
                return bool(p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID))
            return _leads(p, building_id)
        case Action.VOLUNTEER:
            return bool(p.verified)
        case Action.HELP_FOR:
            if p.has_any(*_PROPERTY):
                return True
            if building_id is None:
                return bool(p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID))
            return _leads(p, building_id)
        case Action.CORRECT_POINTS:
            return p.has_any(*_PROPERTY)
    return False


def _leads(p: Principal, building_id: int | None) -> bool:
    if building_id is None:
        return False
    return p.has(Role.LEADER, building_id) or p.has(Role.GRID, building_id)
