"""The /meeting wizard's steps and its typed draft: the repetition rule and the start it
describes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.rules import meetings as rules
from handlers.kit.wizard import Drafts

TITLE, REPEAT, ORDINAL, WEEKDAY, DAY, TIME, PLACE, AGENDA, AUDIENCE, CONFIRM, MINUTES = (
    f"meeting:{s}"
    for s in (
        "title",
        "repeat",
        "ordinal",
        "weekday",
        "day",
        "time",
        "place",
        "agenda",
        "audience",
        "confirm",
        "minutes",
    )
)
#: user_data key of the occurrence whose minutes are being written (an int, not a draft)
MINUTES_FOR = "meeting_minutes_for"
DAYS_AHEAD = 14


@dataclass
class MeetingDraft:
    """A meeting being called; None: not answered yet."""

    title: str | None = None
    freq: str | None = None  # once / weekly / monthly
    ordinal: int = 0  # monthly: 1-4, or -1 for the last
    weekday: int | None = None  # recurring: 0 is Monday
    day: str | None = None  # once: the ISO date
    hhmm: int | None = None
    place: str | None = None
    place_names: dict[str, str] | None = None  # a room: its name in every language
    agenda: str | None = None
    #: the invited buildings, None for everyone; [] until the audience is chosen
    buildings: list[int] | None = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every answer the announcement needs is given."""
        answers = (self.title, self.place, self.agenda, self.hhmm)
        return all(a is not None for a in answers) and self.buildings != []


DRAFT = Drafts("meeting_draft", MeetingDraft)


def rule(draft: MeetingDraft) -> rules.Rule | None:
    if draft.freq not in ("weekly", "monthly"):
        return None
    assert draft.hhmm is not None and draft.weekday is not None
    hour, minute = divmod(int(draft.hhmm), 100)
    return rules.Rule(str(draft.freq), int(draft.weekday), int(draft.ordinal), time(hour, minute))


def starts(draft: MeetingDraft, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The (next) start the draft describes; None if a one-time meeting's time has passed."""
    found = rule(draft)
    if found is not None:
        return rules.next_occurrence(found, now, tz)
    assert draft.hhmm is not None and draft.day is not None
    hour, minute = divmod(int(draft.hhmm), 100)
    day = date.fromisoformat(str(draft.day))
    moment = datetime.combine(day, time(hour, minute), tz)
    return moment if moment > now else None
