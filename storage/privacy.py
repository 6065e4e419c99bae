"""A person's data across every table: what /me shows and what /forgetme deletes.

Each feature's repository adds its own ``describe``/``forget`` here, so the two commands stay
complete as features are added. ``describe`` counts rows by a plain key ("tickets_reported");
what the key is called in a reader's language is ``bot.texts.privacy.DATA_LABELS``.

What /forgetme does, table by table (every table of ``storage/migrations``; the test
``tests/test_forget_everything.py`` fills each for one person, checks each afterwards for their
id, name and a text addressed to them, and fails on a table it does not know). "The person"
is their Telegram user id, which is also their private chat's id; "their names" are the name
and username we stored and the names Telegram gives at the moment they confirm.

Deleted:
- ``people`` (name, username, language, blocked), ``residences`` (theirs), ``roles`` (theirs),
  ``notice_mutes``, ``meeting_rsvps``, ``ticket_followers``, ``booking_watches``;
  ``duty_roster`` and ``duty_on_call`` (their shifts and nights: off the roster),
  ``incident_followers`` (the outages they followed, with where they were);
- ``ptb_data``: their ``user_data``, their private chat's ``chat_data``, every conversation
  keyed by their id (in any chat);
- ``outbox``: every row addressed to them, in any state (the texts sent to them and their chat
  id; nothing still waiting is sent; past broadcasts' delivery counts no longer include them);
  ``outbox_cards``: their copies of cards.

Kept for the community's record, without a link to them (id columns set to NULL):
- ``tickets`` (reporter, assignee, accepter, asker): the ticket, its unit and building stay;
  on the tickets they reported, what they wrote (description, place, rating comment) keeps its
  words with phone, ID and room numbers and unit codes masked, and their voice note goes;
- ``ticket_notes`` (author): their notes masked the same way, without voice; the questions
  staff put to them on their tickets are emptied (texts addressed to them);
- ``ticket_history`` (actor): their answers masked, the questions to them emptied, their name
  as an assignee ("assigned") replaced by "-";
- ``bookings`` (booked_by, decided_by: the household's booking stays counted for its unit),
  ``room_blackouts`` (created_by);
- ``ballots`` (voter_id, recorded_by): every ballot stays counted for its unit and owner; a
  resident poll's counting key "r<id>" becomes "x<ballot id>" in the ballots and in the closed
  proposal's ``result.counted``, so a closed tally stays exactly as it was published and no
  receipt leads back to them; ``proposals`` (author_id, approver_id; title, text and review
  comment are the proposal's record);
- ``points_ledger`` (their rows: their balance and history go; ``by_id`` of rows they wrote
  for others, a correction, set to NULL), ``volunteers`` (their choices), ``activity_signups``
  (theirs) are deleted; ``redemptions`` (user_id, used_by: the stock stays counted),
  ``rewards`` (created_by) and ``activities`` (organiser_id) are kept without them;
  ``help_requests`` they made or posted for someone keep only their kind, building and
  state (what was said, the voice note, the unit and the contact are emptied), those they
  took keep no helper;
- ``notices`` (author_id), ``meetings`` (organiser_id), ``group_bindings`` (bound_by),
  ``outbox_batches`` (created_by, report_chat_id), ``residences`` of others (decided_by),
  ``roles`` of others (granted_by), ``admin_claims`` and ``owner_codes`` (used_by: the code
  stays used), ``figure_settings`` (changed_by),
  ``audit_log`` (actor; a subject or detail that was their id is emptied);
- ``inspection_plans`` and ``inspection_rounds`` (assignee_id), ``inspection_results``
  (checked_by: the tick, its photo and the ticket it opened stay the round's record),
  ``ticket_visits`` (offered_by: the window and arrival stay the ticket's record),
  ``duty_turns`` (last_user_id: the turn starts again from the first on duty),
  ``incidents`` (declared_by, resolved_by: the outage stays in the figures);
- ``outbox`` rows to other people that named them (a ticket's card, a join request) or carried
  their phone or ID numbers (found in what they wrote in tickets, as their answer pushed to
  staff): each of their names (and "#<id>") becomes "-", each number is masked, and a card's
  posted copy is edited to match.

Nothing of the person in them: ``community``, ``buildings``, ``owners`` (the owner register of
the community file: names of legal owners, not Telegram accounts; /forgetme is about the
person's use of the bot), ``units``, ``categories``, ``rooms``, ``ticket_pauses``,
``sla_reminders``, ``booking_reminders``, ``vote_due``, ``meeting_occurrences``,
``meeting_due``, ``inspection_items`` (a plan's checklist), ``activity_due``,
``honour_boards`` (due rows), ``owner_claims`` (a claim belongs to a residence: theirs are
deleted with their residences), ``figure_reports`` (the monthly report's due rows),
``outbox_files`` (the charts the outbox uploads: figures, no person), ``backup_due`` (the daily
backup's due rows), ``incident_tickets`` (which tickets were part of an outage),
``schema_version``.

Not in our database, so beyond /forgetme: the backups made before (they age out by the
retention, ``RESIDENTBOT_BACKUP_KEEP_DAILY`` / ``_KEEP_MONTHLY``), the messages already
delivered in Telegram chats (except the card copies the bot edits), and Telegram's own copy of
the person's updates.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import aiosqlite

from storage import (
    bookings,
    inspections,
    outbox_forget,
    people,
    points,
    ticket_privacy,
    visits,
    volunteering,
)
from storage import incidents as incidents_store
from storage import meetings as meetings_store
from storage import notices as notices_store
from storage import roster as roster_store
from storage import votes as votes_store

Describe = Callable[[aiosqlite.Connection, int], Awaitable[dict[str, int]]]
Forget = Callable[[aiosqlite.Connection, int], Awaitable[None]]


@dataclass
class DataSummary:
    person: people.Person | None
    residences: list[people.ResidenceRow]
    roles: list[tuple[str, int | None]]
    counts: dict[str, int] = field(default_factory=dict)


_FEATURES = (
    ticket_privacy,
    incidents_store,
    bookings,
    votes_store,
    notices_store,
    meetings_store,
    inspections,
    points,
    volunteering,
)
DESCRIBERS: list[Describe] = [store.describe for store in _FEATURES]
#: Features whose forgetting needs only the person's id (tickets also need the names).
FORGETTERS: list[Forget] = [
    store.forget
    for store in (
        bookings,
        votes_store,
        notices_store,
        meetings_store,
        inspections,
        visits,
        roster_store,
        incidents_store,
        points,
        volunteering,
    )
]


async def describe(conn: aiosqlite.Connection, user_id: int) -> DataSummary:
    summary = DataSummary(
        person=await people.get_person(conn, user_id),
        residences=await people.residences_of(conn, user_id),
        roles=[(r.value, b) for r, b in await people.roles_of(conn, user_id)],
    )
    for describer in DESCRIBERS:
        summary.counts.update(await describer(conn, user_id))
    return summary


async def forget_user(
    conn: aiosqlite.Connection, user_id: int, *, now: int, names: Sequence[str] = ()
) -> None:
    """Forget the person in every table (see above), in the caller's transaction. ``names``:
    what Telegram calls them now (their full name may hold more than the stored first name)."""
    known = await people.get_person(conn, user_id)
    all_names = [*names]
    if known is not None:
        all_names.append(known.first_name)
        if known.username:
            all_names += [known.username, f"@{known.username}"]
    numbers = sorted(await ticket_privacy.personal_numbers(conn, user_id))
    await outbox_forget.forget(conn, user_id, all_names, numbers, now=now)
    await ticket_privacy.forget(conn, user_id, all_names)
    for forgetter in FORGETTERS:
        await forgetter(conn, user_id)
    await people.forget(conn, user_id)
