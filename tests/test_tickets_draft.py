"""The report wizard's typed draft reads the dict drafts the previous version persisted (same
user_data key, same field names), so a report half-way through a restart still files."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from handlers.tickets.draft import DRAFT, ReportDraft


def test_an_old_dict_draft_loads_and_saves_back_as_the_same_dict() -> None:
    old = {
        "photos": ["p1"],
        "kind": "complaint",
        "anonymous": True,
        "category": "noise",
        "unit_id": None,
        "building_id": 2,
        "floor": 3,
        "place": "3F corridor",
        "voice": "v1",
    }
    context: Any = SimpleNamespace(user_data={"ticket_draft": dict(old)})
    draft = DRAFT.load(context)
    assert draft == ReportDraft(
        kind="complaint",
        category="noise",
        building_id=2,
        floor=3,
        place="3F corridor",
        voice="v1",
        photos=["p1"],
        anonymous=True,
    )
    assert draft.located
    DRAFT.save(context, draft)
    assert context.user_data["ticket_draft"] == {
        **old,
        "description": "",
        "public": False,
        "editing": False,
    }


def test_a_fresh_draft_from_the_old_start_is_not_located() -> None:
    context: Any = SimpleNamespace(user_data={"ticket_draft": {"photos": []}})
    draft = DRAFT.load(context)
    assert draft == ReportDraft()
    assert not draft.located
