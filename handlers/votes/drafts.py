"""The proposal being drafted in /propose: the wizard's states, its typed draft (kept in
``user_data["vote_draft"]``, so drafts begun by older versions still load) and the draft as an
unsaved proposal for the preview."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from bot.rules.auth import Action, Principal, can
from bot.rules.tally import PollBasis
from bot.rules.votes import OptionDef
from handlers.kit.wizard import Drafts
from handlers.votes.callbacks import Kind
from storage.votes import Proposal

(
    TITLE,
    BODY,
    AUDIENCE,
    KIND,
    ITEM,
    BASIS,
    OPTIONS,
    OPTION_TEXT,
    QUORUM,
    OPENING,
    DAYS,
    PREVIEW,
) = (
    f"propose:{s}"
    for s in (
        "title",
        "body",
        "audience",
        "kind",
        "item",
        "basis",
        "options",
        "otext",
        "quorum",
        "opening",
        "days",
        "preview",
    )
)
MAX_TITLE, MAX_BODY = 100, 1000
DURATIONS = (3, 7, 14)
QUORUMS = ((0, 1), (1, 3), (1, 2), (2, 3))  # (0, 1): no quorum


@dataclass
class Draft:
    """What the author has chosen so far (None: not asked yet)."""

    title: str | None = None
    body: str | None = None
    building_id: int | None = None  # None: the whole community
    kind: str | None = None  # a Kind value
    item: int | None = None  # an Art278Item, for owners' decisions
    options: list[dict[str, Any]] | None = None  # OptionDef.to_json() each
    basis: str = PollBasis.HOUSEHOLD.value
    quorum: list[int] | None = None  # [num, den], None: no quorum
    opens_at: int | None = None  # None: as soon as approved
    days: int | None = None
    body_voice: str | None = None  # the body spoken (then ``body`` is "")


DRAFT = Drafts("vote_draft", Draft)


def may_propose(p: Principal) -> bool:
    return can(p, Action.PROPOSE)


def draft_complete(draft: Draft) -> bool:
    needed = (draft.title, draft.body, draft.kind, draft.options, draft.days)
    if any(value is None for value in needed):
        return False
    return draft.kind != Kind.DECISION.value or draft.item is not None


def draft_proposal(draft: Draft, author_id: int) -> Proposal:
    """The (complete) draft as an unsaved proposal, for the preview and the submission."""
    assert draft.options is not None and draft.days is not None
    return Proposal(
        id=0,
        title=str(draft.title),
        body=str(draft.body),
        options=tuple(OptionDef.from_json(o) for o in draft.options),
        building_id=draft.building_id,
        kind=str(draft.kind),
        art278_item=draft.item if draft.kind == Kind.DECISION.value else None,
        basis=str(draft.basis),
        quorum=_quorum(draft.quorum),
        state="draft",
        author_id=author_id,
        approver_id=None,
        comment="",
        duration_days=int(draft.days),
        opens_at=_opens_at(draft.opens_at),
        closes_at=None,
        nonce=b"",
        created_at=0,
        decided_at=None,
        closed_at=None,
        result=None,
        body_voice=draft.body_voice,
    )


def _opens_at(raw: Any) -> int | None:
    """The chosen opening in a draft (missing in drafts begun before the step existed: on
    approval)."""
    return raw if isinstance(raw, int) and raw > 0 else None


def _quorum(raw: Any) -> Fraction | None:
    if isinstance(raw, list) and len(raw) == 2 and tuple(raw) in QUORUMS and raw[0]:
        return Fraction(int(raw[0]), int(raw[1]))
    return None
