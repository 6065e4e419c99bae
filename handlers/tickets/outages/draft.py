"""The /outage wizard's steps and its typed draft."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.kit.wizard import Drafts

CATEGORY, BUILDINGS, END, NOTE, CONFIRM = (
    f"outage:{s}" for s in ("category", "buildings", "end", "note", "confirm")
)

#: The expected ends offered, in hours from now (0: not known yet).
END_HOURS = (1, 2, 4, 8, 24, 0)


@dataclass
class OutageDraft:
    category: str | None = None
    buildings: list[int] = field(default_factory=list)
    everyone: bool = False  # the whole community
    hours: int | None = None  # None: not answered yet
    note: str = ""


DRAFT = Drafts("outage_draft", OutageDraft)
