"""The tickets feature's buttons' data: the report wizard, /mytickets, the resident's rating
and notes, and the staff card (prefixes and fields are what buttons already in chats carry)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.rules.tickets import Kind, Move
from handlers.kit.callbacks import CallbackData, callback


class Nav(enum.StrEnum):
    BACK = "back"
    NEXT = "next"  # skip / done with photos
    CONFIRM = "ok"
    EDIT = "edit"
    ANONYMOUS = "anon"
    ANYWAY = "anyway"


# ---- the report wizard ---------------------------------------------------------------------


@callback("ty")
@dataclass(frozen=True)
class EditStep(CallbackData):
    """On the summary: change one step (category / place / description / photos), or go back
    to the summary ("summary")."""

    step: str


@callback("tk")
@dataclass(frozen=True)
class PickKind(CallbackData):
    kind: Kind


@callback("te")
@dataclass(frozen=True)
class RepairAt(CallbackData):
    """The first question's shortcut: a repair in one's home (a unit id) or, 0, a public area."""

    unit_id: int


@callback("tu")
@dataclass(frozen=True)
class ComplainUnnamed(CallbackData):
    """The first question's shortcut: a complaint whose reporter staff do not see."""


@callback("tc")
@dataclass(frozen=True)
class PickCategory(CallbackData):
    code: str


@callback("th")
@dataclass(frozen=True)
class PickHome(CallbackData):
    unit_id: int


@callback("tp")
@dataclass(frozen=True)
class PickPublic(CallbackData):
    pass


@callback("tb")
@dataclass(frozen=True)
class PickBuilding(CallbackData):
    building_id: int


@callback("tn")
@dataclass(frozen=True)
class ReportNav(CallbackData):
    step: Nav


@callback("tf")
@dataclass(frozen=True)
class FollowInstead(CallbackData):
    ticket_id: int


@callback("tj")
@dataclass(frozen=True)
class FollowOutage(CallbackData):
    """Follow a declared outage instead of reporting it (``bot.services.incidents``)."""

    incident_id: int


# ---- the resident's tickets ----------------------------------------------------------------


@callback("tm")
@dataclass(frozen=True)
class MyTicket(CallbackData):
    ticket_id: int


@callback("tw")
@dataclass(frozen=True)
class Withdraw(CallbackData):
    ticket_id: int
    confirm: bool


@callback("tv")
@dataclass(frozen=True)
class Rate(CallbackData):
    """A resident's rating (1-5) of a resolved ticket; 0 is "not fixed"."""

    ticket_id: int
    stars: int


@callback("ti")
@dataclass(frozen=True)
class NoteStart(CallbackData):
    """The resident adds information (or answers staff's question) to a ticket."""

    ticket_id: int


# ---- the staff card ------------------------------------------------------------------------


@callback("ta")
@dataclass(frozen=True)
class StaffAct(CallbackData):
    ticket_id: int
    move: Move


@callback("tg")
@dataclass(frozen=True)
class StaffAssign(CallbackData):
    ticket_id: int
    user_id: int


@callback("tx")
@dataclass(frozen=True)
class StaffTransfer(CallbackData):
    ticket_id: int
    category: str


@callback("to")
@dataclass(frozen=True)
class StaffOpen(CallbackData):
    ticket_id: int


@callback("tz")
@dataclass(frozen=True)
class StaffBack(CallbackData):
    ticket_id: int


@callback("tr")
@dataclass(frozen=True)
class StaffOutcome(CallbackData):
    ticket_id: int
    move: Move


@callback("ts")
@dataclass(frozen=True)
class StaffReason(CallbackData):
    """Close with the standard reason of ``move``."""

    ticket_id: int
    move: Move


@callback("td")
@dataclass(frozen=True)
class StaffOriginal(CallbackData):
    """The ticket that ``ticket_id`` duplicates, picked from the list."""

    ticket_id: int
    original_id: int


# ---- home visits (handlers/tickets/visits.py) ---------------------------------------------


@callback("hvo")
@dataclass(frozen=True)
class VisitOffer(CallbackData):
    """Staff: "Visit time" on the card of a repair at home (shows the windows)."""

    ticket_id: int


@callback("hvw")
@dataclass(frozen=True)
class VisitWindow(CallbackData):
    """Staff offer the window starting at ``start`` (Unix seconds); 0: the resident chooses."""

    ticket_id: int
    start: int


@callback("hvy")
@dataclass(frozen=True)
class VisitYes(CallbackData):
    """The resident takes the offered window."""

    visit_id: int


@callback("hvn")
@dataclass(frozen=True)
class VisitOther(CallbackData):
    """The resident is not available then: show the windows to choose from."""

    visit_id: int


@callback("hvp")
@dataclass(frozen=True)
class VisitPick(CallbackData):
    """The resident takes the window starting at ``start``."""

    visit_id: int
    start: int
