"""The report wizard's steps and its typed draft (kept in ``user_data["ticket_draft"]``, the
key of the old dict draft, so reports half-way through when the bot restarts still load)."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.kit.wizard import Drafts

KIND, CATEGORY, WHERE, BUILDING, PLACE, DUPLICATE, DESCRIBE, PHOTOS, CONFIRM = (
    f"report:{s}"
    for s in ("kind", "category", "where", "building", "place", "dup", "describe", "photos", "ok")
)


@dataclass
class ReportDraft:
    """A report being written; None: not answered yet."""

    kind: str | None = None  # a Kind value
    category: str | None = None
    building_id: int | None = None
    unit_id: int | None = None  # set for "my home"
    floor: int | None = None
    place: str = ""  # a public area, in the resident's words
    description: str = ""
    voice: str | None = None
    photos: list[str] = field(default_factory=list)
    anonymous: bool = False
    public: bool = False  # "a repair in a public area" chosen first: the building is asked next
    editing: bool = False  # one step being changed from the summary: back to it after that step

    @property
    def located(self) -> bool:
        """What, about what and where are answered: the report can be filed."""
        return None not in (self.kind, self.category, self.building_id)


#: The steps the summary's "Change something" offers.
EDITABLE = ("category", "place", "description", "photos")

DRAFT = Drafts("ticket_draft", ReportDraft)
