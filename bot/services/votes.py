"""Proposals' use cases shared by the handlers and the "votes-due" sweep: who votes for which
unit, the proposal in words, opening (announcement and ballots), reminding those who have not
voted, closing and publishing the result; all as outbox rows in the caller's transaction."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.auth import Relation, Role
from bot.rules.clock import Clock, from_ts
from bot.rules.tally import PollBasis
from bot.rules.votes import (
    DAY,
    AudienceUnit,
    closing_at,
    count,
    household_key,
    owner_key,
    resident_key,
)
from bot.services.readers import translator_for
from bot.texts.votes import item_label, option_label, render_result, threshold_text
from storage import community, outbox, people
from storage import notices as notices_store
from storage import votes as store
from storage.db import Database
from storage.votes import Proposal

RETRY_AFTER = 600  # seconds before a failed due row is tried again
log = logging.getLogger(__name__)

Rows = list[list[dict[str, str]]]  # inline keyboard rows as the outbox stores them


@dataclass(frozen=True)
class Links:
    """How queued messages lead back into the bot: the data of their buttons (the button codec
    is the handlers' business) and the bot's username for the groups' private-chat link."""

    cast: Callable[[int, int, str], str]  # (proposal, unit, option key) -> a ballot's data
    check: Callable[[int], str]  # proposal -> "check that my ballot counted"
    bot_username: str = ""


# ---- who votes, for which unit ------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One vote a person may cast on a proposal: for this unit, under this counting key."""

    unit_id: int
    unit_code: str
    count_key: str


def slots_for(
    proposal: Proposal,
    user_id: int,
    residences: Iterable[tuple[int, str]],
    units: Mapping[int, AudienceUnit],
) -> tuple[list[Slot], str | None]:
    """The votes of a person with these verified (unit id, relation) residences, and if none,
    why: "audience" (no unit in the audience) or "owner" (owners' decision, not an owner)."""
    slots: list[Slot] = []
    in_audience = False
    for unit_id, relation in residences:
        unit = units.get(unit_id)
        if unit is None:
            continue
        in_audience = True
        if proposal.is_decision:
            key = owner_key(unit) if relation == Relation.OWNER.value else None
        elif proposal.basis == PollBasis.RESIDENT.value:
            key = resident_key(user_id)
        else:
            key = household_key(unit_id)
        if key is not None and all(s.count_key != key for s in slots):
            slots.append(Slot(unit_id, unit.code, key))
    if slots:
        return slots, None
    return [], ("owner" if in_audience else "audience")


async def units_map(conn: aiosqlite.Connection, proposal: Proposal) -> dict[int, AudienceUnit]:
    """Every unit of the audience (for announcing and counting, never for one press)."""
    return {u.unit_id: u for u in await store.audience_units(conn, proposal.building_id)}


async def slots_of(
    conn: aiosqlite.Connection,
    proposal: Proposal,
    user_id: int,
    residences: Sequence[tuple[int, str]],
) -> tuple[list[Slot], str | None]:
    """One person's votes on the proposal, looking up only their own units."""
    units = await store.units_in_audience(conn, proposal.building_id, [u for u, _ in residences])
    return slots_for(proposal, user_id, residences, {u.unit_id: u for u in units})


async def voters(conn: aiosqlite.Connection, proposal: Proposal) -> dict[int, list[Slot]]:
    """Everyone who may vote on the proposal now, with their votes."""
    units = await units_map(conn, proposal)
    by_user: dict[int, list[tuple[int, str]]] = {}
    for row in await store.eligible_residents(conn, proposal.building_id):
        by_user.setdefault(row.user_id, []).append((row.unit_id, row.relation))
    found: dict[int, list[Slot]] = {}
    for user_id, residences in by_user.items():
        slots, _ = slots_for(proposal, user_id, residences, units)
        if slots:
            found[user_id] = slots
    return found


async def reviewers(conn: aiosqlite.Connection, *, besides: int | None = None) -> list[int]:
    """Committee members, then managers: who approves proposals; ``besides``: all but that
    person (nobody approves their own proposal, so its author is no reviewer of it)."""
    found: list[int] = []
    for role in (Role.COMMITTEE, Role.MANAGER):
        found += [u for u in await people.role_holders(conn, role) if u not in found]
    return [u for u in found if u != besides]


# ---- the proposal in words ----------------------------------------------------------------


async def audience_name(conn: aiosqlite.Connection, tr: Translator, building_id: int | None) -> str:
    if building_id is None:
        return tr._("the whole community")
    found = await community.building(conn, building_id)
    return tr.name(found.names) if found else "?"


def kind_text(tr: Translator, proposal: Proposal) -> str:
    if proposal.is_decision:
        assert proposal.art278_item is not None
        return tr._(
            "Owners' decision (Civil Code art. 278): {item}; {rule}.",
            item=item_label(tr, proposal.art278_item),
            rule=threshold_text(tr, proposal.art278_item),
        )
    if proposal.basis == PollBasis.RESIDENT.value:
        text = tr._("Resident poll: one vote per confirmed resident.")
    else:
        text = tr._("Resident poll: one vote per household.")
    if proposal.quorum is not None:
        share = f"{proposal.quorum.numerator}/{proposal.quorum.denominator}"
        text += " " + tr._("At least {share} must take part.", share=share)
    return text


def proposal_text(tr: Translator, proposal: Proposal, audience: str) -> str:
    header = proposal.title
    if proposal.id:
        header = tr._("Proposal #{id}: {title}", id=proposal.id, title=proposal.title)
    body = proposal.body
    if proposal.body_voice and not body:
        body = tr._("🎤 The proposal is said in the voice note.")
    lines = [
        header,
        body,
        "",
        kind_text(tr, proposal),
        tr._("For: {audience}", audience=audience),
        tr._(
            "Options: {options}",
            options=" / ".join(option_label(tr, o) for o in proposal.options),
        ),
    ]
    return "\n".join(lines + timing_lines(tr, proposal))


def timing_lines(tr: Translator, proposal: Proposal) -> list[str]:
    """When voting opens and closes: the chosen (planned) times of a draft, the fixed ones of an
    approved proposal that is not open yet, the close once it is open."""
    opens, closes = proposal.opens_at, proposal.closes_at
    if proposal.state not in ("open", "closed") and opens is not None:
        if closes is None:  # a draft: the close counts from the chosen opening
            closes = closing_at(opens + proposal.duration_days * DAY, tr.tz)
        return [
            tr._("Voting opens: {when}", when=tr.when(from_ts(opens))),
            tr._("Voting closes: {when}", when=tr.when(from_ts(closes))),
        ]
    if closes is not None:
        return [tr._("Voting closes: {when}", when=tr.when(from_ts(closes)))]
    return [
        tr.n_(
            "Voting opens as soon as the proposal is approved and lasts {n} day",
            "Voting opens as soon as the proposal is approved and lasts {n} days",
            proposal.duration_days,
        )
    ]


def announcement(tr: Translator, proposal: Proposal, audience: str) -> str:
    return "\n".join(
        [
            tr._("🗳 A new vote is open."),
            proposal_text(tr, proposal, audience),
            "",
            tr._(
                "Tap your choice below. You can change it until the close; only the latest "
                "counts. Nobody sees the choices before the close."
            ),
        ]
    )


def ballot_rows(tr: Translator, proposal: Proposal, slots: Sequence[Slot], links: Links) -> Rows:
    """One button per option and unit, three to a row."""
    rows: Rows = []
    for slot in slots:
        row = []
        for option in proposal.options:
            label = option_label(tr, option)
            if len(slots) > 1:
                label = tr._("{unit}: {option}", unit=slot.unit_code, option=label)
            data = links.cast(proposal.id, slot.unit_id, option.key)
            row.append({"text": label, "callback_data": data})
        rows += [row[i : i + 3] for i in range(0, len(row), 3)]
    return rows


# ---- opening, reminding, closing (outbox rows, in the caller's transaction) ---------------


async def open_proposal(
    conn: aiosqlite.Connection,
    i18n: I18n,
    proposal: Proposal,
    now: int,
    by: int | None,
    links: Links,
) -> None:
    """approved -> open, and the announcement with ballot buttons to every eligible voter."""
    if not await store.mark_open(conn, proposal.id):
        return
    proposal = dataclasses.replace(proposal, state="open")
    batch = await outbox.create_batch(conn, "vote-open", str(proposal.id), created_by=by, now=now)
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id, slots in (await voters(conn, proposal)).items():
        tr = await translator_for(i18n, conn, user_id)
        audience = await audience_name(conn, tr, proposal.building_id)
        buttons = ballot_rows(tr, proposal, slots, links)
        text = announcement(tr, proposal, audience)
        payload = outbox.Payload(text=text, buttons=buttons, voice=proposal.body_voice)
        messages.append((user_id, payload))
    messages += await group_messages(conn, i18n, proposal, "open", links)
    await outbox.enqueue(conn, batch, messages, not_before=now)


async def group_messages(
    conn: aiosqlite.Connection, i18n: I18n, proposal: Proposal, what: str, links: Links
) -> list[tuple[int, outbox.Payload]]:
    """The announcement ("open") or the result ("result") for the audience's bound group chats,
    in the community's language: public text only, voting happens in private chats."""
    buildings = None if proposal.building_id is None else [proposal.building_id]
    chats = await notices_store.groups_for(conn, buildings)
    if not chats:
        return []
    tr = i18n.translator(None)
    buttons: Rows = []
    if what == "open":
        audience = await audience_name(conn, tr, proposal.building_id)
        text = "\n".join(
            [
                tr._("🗳 A new vote is open."),
                proposal_text(tr, proposal, audience),
                "",
                tr._("Those entitled to vote get their ballot from me in a private chat."),
            ]
        )
        if links.bot_username:
            link = f"https://t.me/{links.bot_username}?start=menu"
            buttons = [[{"text": tr._("Open a private chat"), "url": link}]]
    else:
        assert proposal.result is not None
        text = render_result(tr, proposal.title, proposal.options, proposal.result)
    return [(chat_id, outbox.Payload(text=text, buttons=buttons)) for chat_id in chats]


async def remind(
    conn: aiosqlite.Connection, i18n: I18n, proposal: Proposal, now: int, links: Links
) -> int:
    """One reminder to the eligible voters whose vote is not in yet (none after the close)."""
    if proposal.state != "open" or proposal.closes_at is None or now >= proposal.closes_at:
        return 0
    voted = {b.count_key for b in await store.current_ballots(conn, proposal.id)}
    batch = await outbox.create_batch(
        conn, "vote-remind", str(proposal.id), created_by=None, now=now
    )
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id, slots in (await voters(conn, proposal)).items():
        missing = [s for s in slots if s.count_key not in voted]
        if not missing:
            continue
        tr = await translator_for(i18n, conn, user_id)
        text = "\n".join(
            [
                tr._(
                    '⏰ Reminder: voting on "{title}" closes {when}, and your vote is not in yet.',
                    title=proposal.title,
                    when=tr.when(from_ts(proposal.closes_at)),
                ),
                kind_text(tr, proposal),
            ]
        )
        buttons = ballot_rows(tr, proposal, missing, links)
        messages.append((user_id, outbox.Payload(text=text, buttons=buttons)))
    return await outbox.enqueue(conn, batch, messages, not_before=now)


async def final_count(conn: aiosqlite.Connection, proposal: Proposal) -> dict[str, Any]:
    units = await store.audience_units(conn, proposal.building_id)
    eligible: set[str] = set()
    if not proposal.is_decision:
        for slots in (await voters(conn, proposal)).values():
            eligible.update(s.count_key for s in slots)
    return count(
        kind=proposal.kind,
        options=proposal.options,
        units=units,
        eligible_keys=eligible,
        ballots=await store.current_ballots(conn, proposal.id),
        item=proposal.art278_item,
        basis=proposal.basis,
        quorum=proposal.quorum,
    )


async def close_proposal(
    conn: aiosqlite.Connection, i18n: I18n, proposal: Proposal, now: int, links: Links
) -> bool:
    """open -> closed: count, store the result and publish it to the audience (once)."""
    if proposal.state != "open":
        return False
    summary = await final_count(conn, proposal)
    if not await store.mark_closed(conn, proposal.id, summary, now):
        return False
    recipients: list[int] = []
    for row in await store.eligible_residents(conn, proposal.building_id):
        if row.user_id not in recipients:
            recipients.append(row.user_id)
    extra = [proposal.author_id, proposal.approver_id, *await reviewers(conn)]
    recipients += [u for u in extra if u is not None and u not in recipients]
    ballot_holders = set(await store.voters_of(conn, proposal.id))
    batch = await outbox.create_batch(
        conn, "vote-result", str(proposal.id), created_by=None, now=now
    )
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id in recipients:
        tr = await translator_for(i18n, conn, user_id)
        text = render_result(tr, proposal.title, proposal.options, summary)
        buttons: Rows = []
        if user_id in ballot_holders:
            label = tr._("Check that my ballot counted")
            buttons = [[{"text": label, "callback_data": links.check(proposal.id)}]]
        messages.append((user_id, outbox.Payload(text=text, buttons=buttons)))
    closed = await store.get(conn, proposal.id)
    assert closed is not None
    messages += await group_messages(conn, i18n, closed, "result", links)
    await outbox.enqueue(conn, batch, messages, not_before=now)
    await people.audit(conn, None, "proposal_closed", str(proposal.id), now)
    return True


async def sweep(db: Database, clock: Clock, i18n: I18n, links: Links) -> int:
    """Do what is due (open, remind, close), one row per transaction; returns rows done.

    Claiming a row, doing its work and queueing its messages commit together, so each is done
    exactly once, even across a crash or a restart (delivery duplicates are the outbox's, at
    most the rows in flight). A row whose work fails is rolled back and retried
    ``RETRY_AFTER`` seconds later, without holding up the others."""
    done = 0
    while True:
        current: tuple[int, str] | None = None
        try:
            async with db.transaction() as conn:
                now = int(clock().timestamp())
                claimed = await store.claim_due(conn, now, limit=1)
                if not claimed:
                    return done
                current = claimed[0]
                proposal_id, kind = current
                proposal = await store.get(conn, proposal_id)
                if proposal is not None:
                    if kind == "open":
                        await open_proposal(conn, i18n, proposal, now, None, links)
                    elif kind == "remind":
                        await remind(conn, i18n, proposal, now, links)
                    else:
                        await close_proposal(conn, i18n, proposal, now, links)
        except Exception:
            if current is None:
                raise
            log.exception("vote due row %s failed; retrying later", current)
            async with db.transaction() as conn:
                await store.postpone_due(conn, *current, now + RETRY_AFTER)
        done += 1


async def withdraw_proposal(
    conn: aiosqlite.Connection, i18n: I18n, proposal: Proposal, by: int, reason: str, now: int
) -> bool:
    """An approved proposal that has not opened is withdrawn (by its author or a reviewer):
    it never opens, and whoever was told about it (its author, its approver, anyone a message
    about it reached) is told why, in their language. False when it opened or was decided."""
    if not await store.withdraw(conn, proposal.id, by=by, reason=reason, now=now):
        return False
    told = {proposal.author_id, proposal.approver_id}
    told.update(await outbox.reached(conn, "proposal", str(proposal.id)))
    for chat_id in sorted(c for c in told if c is not None and c != by):
        tr = await translator_for(i18n, conn, chat_id)
        text = tr._(
            'Proposal #{id} "{title}" was withdrawn before voting opened. Reason: {reason}',
            id=proposal.id,
            title=proposal.title,
            reason=reason,
        )
        await outbox.push(
            conn, chat_id, outbox.Payload(text=text), now=now, kind="proposal", ref=str(proposal.id)
        )
    return True
