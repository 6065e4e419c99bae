"""Proposals, ballots (with their history) and vote due times. Callers own the transaction."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any

import aiosqlite

from bot.rules.votes import (
    AudienceUnit,
    BallotRow,
    OptionDef,
    options_from_json,
    options_to_json,
    voting_window,
)
from storage.db import fetch_all, fetch_value


@dataclass(frozen=True)
class Proposal:
    id: int
    title: str
    body: str
    options: tuple[OptionDef, ...]
    building_id: int | None
    kind: str
    art278_item: int | None
    basis: str
    quorum: Fraction | None
    state: str
    author_id: int | None
    approver_id: int | None
    comment: str
    duration_days: int
    #: a draft: the opening its author chose (None: on approval); once approved: the opening
    opens_at: int | None
    closes_at: int | None
    nonce: bytes
    created_at: int
    decided_at: int | None
    closed_at: int | None
    result: dict[str, Any] | None
    body_voice: str | None = None  # the body spoken: a voice note's file id

    @property
    def is_decision(self) -> bool:
        return self.kind == "decision"


@dataclass(frozen=True)
class Eligible:
    """A verified resident of a unit in a proposal's audience."""

    user_id: int
    unit_id: int
    relation: str


_SELECT = (
    "SELECT id, title, body, options, building_id, kind, art278_item, basis, quorum_num,"
    " quorum_den, state, author_id, approver_id, comment, duration_days, opens_at, closes_at,"
    " nonce, created_at, decided_at, closed_at, result, body_voice FROM proposals"
)


def _proposal(row: Any) -> Proposal:
    quorum = Fraction(row[8], row[9]) if row[8] is not None and row[9] else None
    return Proposal(
        id=row[0],
        title=row[1],
        body=row[2],
        options=options_from_json(row[3]),
        building_id=row[4],
        kind=row[5],
        art278_item=row[6],
        basis=row[7],
        quorum=quorum,
        state=row[10],
        author_id=row[11],
        approver_id=row[12],
        comment=row[13],
        duration_days=row[14],
        opens_at=row[15],
        closes_at=row[16],
        nonce=bytes(row[17]),
        created_at=row[18],
        decided_at=row[19],
        closed_at=row[20],
        result=json.loads(row[21]) if row[21] else None,
        body_voice=row[22],
    )


async def create(
    conn: aiosqlite.Connection,
    *,
    title: str,
    body: str,
    options: Sequence[OptionDef],
    building_id: int | None,
    kind: str,
    art278_item: int | None,
    basis: str,
    quorum: Fraction | None,
    duration_days: int,
    author_id: int,
    now: int,
    opens_at: int | None = None,
    body_voice: str | None = None,
) -> int:
    """A new draft, waiting for a committee member or manager. ``opens_at``: the opening the
    author chose (None: as soon as it is approved); ``body_voice``: the body spoken."""
    cur = await conn.execute(
        "INSERT INTO proposals (title, body, options, building_id, kind, art278_item, basis,"
        " quorum_num, quorum_den, state, author_id, duration_days, opens_at, nonce, created_at,"
        " body_voice) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
        (
            title,
            body,
            options_to_json(options),
            building_id,
            kind,
            art278_item,
            basis,
            None if quorum is None else quorum.numerator,
            None if quorum is None else quorum.denominator,
            author_id,
            duration_days,
            opens_at,
            secrets.token_bytes(32),
            now,
            body_voice,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get(conn: aiosqlite.Connection, proposal_id: int) -> Proposal | None:
    rows = await fetch_all(conn, _SELECT + " WHERE id = ?", (proposal_id,))
    return _proposal(rows[0]) if rows else None


async def in_state(conn: aiosqlite.Connection, *states: str) -> list[Proposal]:
    marks = ", ".join("?" * len(states))
    rows = await fetch_all(conn, _SELECT + f" WHERE state IN ({marks}) ORDER BY id", tuple(states))
    return [_proposal(r) for r in rows]


async def decide(
    conn: aiosqlite.Connection,
    proposal_id: int,
    state: str,
    *,
    by: int,
    comment: str,
    now: int,
) -> bool:
    """Send a draft back ('returned') or reject it; False when it is no longer a draft."""
    assert state in ("returned", "rejected")
    cur = await conn.execute(
        "UPDATE proposals SET state = ?, approver_id = ?, comment = ?, decided_at = ?"
        " WHERE id = ? AND state = 'draft'",
        (state, by, comment, now, proposal_id),
    )
    return cur.rowcount == 1


async def approve(
    conn: aiosqlite.Connection, proposal_id: int, *, by: int, now: int, tz: tzinfo
) -> bool:
    """Approve a draft and fix its voting window (``bot.votes.voting_window``: the chosen
    opening, or now if that has passed); the due rows are written (the opening, one reminder
    before the close, the close). False when it is no longer a draft."""
    rows = await fetch_all(
        conn,
        "SELECT duration_days, opens_at FROM proposals WHERE id = ? AND state = 'draft'",
        (proposal_id,),
    )
    if not rows:
        return False
    window = voting_window(rows[0][1], int(rows[0][0]), now, tz)
    cur = await conn.execute(
        "UPDATE proposals SET state = 'approved', approver_id = ?, decided_at = ?, opens_at = ?,"
        " closes_at = ? WHERE id = ? AND state = 'draft'",
        (by, now, window.opens_at, window.closes_at, proposal_id),
    )
    if cur.rowcount != 1:
        return False
    await conn.executemany(
        "INSERT INTO vote_due (proposal_id, kind, due_at) VALUES (?, ?, ?)",
        [
            (proposal_id, "open", window.opens_at),
            (proposal_id, "remind", window.remind_at),
            (proposal_id, "close", window.closes_at),
        ],
    )
    return True


async def withdraw(
    conn: aiosqlite.Connection, proposal_id: int, *, by: int, reason: str, now: int
) -> bool:
    """An approved proposal that has not opened is withdrawn: it never opens (its due rows are
    done); False when it is not approved or already open."""
    cur = await conn.execute(
        "UPDATE proposals SET state = 'rejected', comment = ?, withdrawn_by = ?, withdrawn_at = ?"
        " WHERE id = ? AND state = 'approved' AND (opens_at IS NULL OR opens_at > ?)",
        (reason, by, now, proposal_id, now),
    )
    if cur.rowcount != 1:
        return False
    await conn.execute(
        "UPDATE vote_due SET sent_at = ? WHERE proposal_id = ? AND sent_at IS NULL",
        (now, proposal_id),
    )
    return True


async def mark_open(conn: aiosqlite.Connection, proposal_id: int) -> bool:
    cur = await conn.execute(
        "UPDATE proposals SET state = 'open' WHERE id = ? AND state = 'approved'", (proposal_id,)
    )
    return cur.rowcount == 1


async def mark_closed(
    conn: aiosqlite.Connection, proposal_id: int, result: dict[str, Any], now: int
) -> bool:
    cur = await conn.execute(
        "UPDATE proposals SET state = 'closed', closed_at = ?, result = ?"
        " WHERE id = ? AND state = 'open'",
        (now, json.dumps(result, ensure_ascii=False, sort_keys=True), proposal_id),
    )
    return cur.rowcount == 1


async def claim_due(conn: aiosqlite.Connection, now: int, limit: int = 50) -> list[tuple[int, str]]:
    """Mark due rows sent and return them (proposal id, kind), oldest first. The caller does the
    work in the same transaction, so a crash rolls both back: each is done exactly once. The
    reminder and the close of a proposal wait while its opening is not done (e.g. postponed
    after a failure): a proposal is never closed before it was opened."""
    rows = await fetch_all(
        conn,
        "SELECT d.proposal_id, d.kind FROM vote_due d WHERE d.sent_at IS NULL AND d.due_at <= ?"
        " AND (d.kind = 'open' OR NOT EXISTS (SELECT 1 FROM vote_due o WHERE"
        " o.proposal_id = d.proposal_id AND o.kind = 'open' AND o.sent_at IS NULL))"
        " ORDER BY d.due_at, CASE d.kind WHEN 'open' THEN 0 WHEN 'remind' THEN 1 ELSE 2 END,"
        " d.proposal_id LIMIT ?",
        (now, limit),
    )
    for proposal_id, kind in rows:
        await conn.execute(
            "UPDATE vote_due SET sent_at = ? WHERE proposal_id = ? AND kind = ?",
            (now, proposal_id, kind),
        )
    return [(int(r[0]), str(r[1])) for r in rows]


async def mark_due_sent(conn: aiosqlite.Connection, proposal_id: int, kind: str, now: int) -> None:
    await conn.execute(
        "UPDATE vote_due SET sent_at = ? WHERE proposal_id = ? AND kind = ? AND sent_at IS NULL",
        (now, proposal_id, kind),
    )


async def postpone_due(
    conn: aiosqlite.Connection, proposal_id: int, kind: str, due_at: int
) -> None:
    """A due row whose work failed: try it again at ``due_at``."""
    await conn.execute(
        "UPDATE vote_due SET due_at = ? WHERE proposal_id = ? AND kind = ? AND sent_at IS NULL",
        (due_at, proposal_id, kind),
    )


async def due_rows(
    conn: aiosqlite.Connection, proposal_id: int
) -> list[tuple[str, int, int | None]]:
    rows = await fetch_all(
        conn,
        "SELECT kind, due_at, sent_at FROM vote_due WHERE proposal_id = ? ORDER BY due_at, kind",
        (proposal_id,),
    )
    return [(r[0], r[1], r[2]) for r in rows]


# ---- the audience ---------------------------------------------------------------------------


async def audience_units(conn: aiosqlite.Connection, building_id: int | None) -> list[AudienceUnit]:
    """Active units of one building (or of the whole community) with area and owner."""
    sql = (
        "SELECT u.id, u.code, u.area, o.code, COALESCE(o.is_developer, 0) FROM units u"
        " LEFT JOIN owners o ON o.id = u.owner_id WHERE u.active = 1"
    )
    params: tuple[Any, ...] = ()
    if building_id is not None:
        sql += " AND u.building_id = ?"
        params = (building_id,)
    rows = await fetch_all(conn, sql + " ORDER BY u.id", params)
    return [AudienceUnit(r[0], r[1], Decimal(r[2]), r[3], bool(r[4])) for r in rows]


async def units_in_audience(
    conn: aiosqlite.Connection, building_id: int | None, unit_ids: Sequence[int]
) -> list[AudienceUnit]:
    """Those of these units (a presser's own, a handful) that are active and in the audience:
    the work of one press does not grow with the community."""
    if not unit_ids:
        return []
    marks = ", ".join("?" for _ in unit_ids)
    sql = (
        "SELECT u.id, u.code, u.area, o.code, COALESCE(o.is_developer, 0) FROM units u"
        f" LEFT JOIN owners o ON o.id = u.owner_id WHERE u.active = 1 AND u.id IN ({marks})"
    )
    params: tuple[Any, ...] = tuple(unit_ids)
    if building_id is not None:
        sql += " AND u.building_id = ?"
        params += (building_id,)
    rows = await fetch_all(conn, sql + " ORDER BY u.id", params)
    return [AudienceUnit(r[0], r[1], Decimal(r[2]), r[3], bool(r[4])) for r in rows]


async def is_current(conn: aiosqlite.Connection, ballot_id: int) -> bool:
    """Whether this ballot still counts (not replaced by a later one of its key)."""
    value = await fetch_value(
        conn, "SELECT 1 FROM ballots WHERE id = ? AND superseded_at IS NULL", (ballot_id,)
    )
    return value is not None


async def eligible_residents(conn: aiosqlite.Connection, building_id: int | None) -> list[Eligible]:
    """Verified residents of the audience's units (every relation; callers filter)."""
    sql = (
        "SELECT r.user_id, r.unit_id, r.relation FROM residences r JOIN units u"
        " ON u.id = r.unit_id WHERE r.status = 'verified' AND u.active = 1"
    )
    params: tuple[Any, ...] = ()
    if building_id is not None:
        sql += " AND u.building_id = ?"
        params = (building_id,)
    rows = await fetch_all(conn, sql + " ORDER BY r.user_id, r.unit_id", params)
    return [Eligible(r[0], r[1], r[2]) for r in rows]


# ---- ballots --------------------------------------------------------------------------------

_BALLOT = "SELECT id, voter_id, unit_id, count_key, option, source, cast_at FROM ballots"


async def cast(
    conn: aiosqlite.Connection,
    proposal_id: int,
    *,
    count_key: str,
    unit_id: int,
    voter_id: int | None,
    option: str,
    source: str,
    now: int,
    recorded_by: int | None = None,
) -> int:
    """Record a ballot; the current one of the same counting key and source is superseded
    (kept as history). One transaction: two presses at once leave exactly one current ballot."""
    await conn.execute(
        "UPDATE ballots SET superseded_at = ? WHERE proposal_id = ? AND count_key = ?"
        " AND source = ? AND superseded_at IS NULL",
        (now, proposal_id, count_key, source),
    )
    cur = await conn.execute(
        "INSERT INTO ballots (proposal_id, voter_id, unit_id, count_key, option, source, cast_at,"
        " recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (proposal_id, voter_id, unit_id, count_key, option, source, now, recorded_by),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def current_ballots(conn: aiosqlite.Connection, proposal_id: int) -> list[BallotRow]:
    rows = await fetch_all(
        conn,
        _BALLOT + " WHERE proposal_id = ? AND superseded_at IS NULL ORDER BY id",
        (proposal_id,),
    )
    return [BallotRow(*r) for r in rows]


async def latest_of_voter(
    conn: aiosqlite.Connection, proposal_id: int, voter_id: int
) -> BallotRow | None:
    """The last ballot this person cast on the proposal (current or since replaced)."""
    rows = await fetch_all(
        conn,
        _BALLOT + " WHERE proposal_id = ? AND voter_id = ? AND source = 'electronic'"
        " ORDER BY id DESC LIMIT 1",
        (proposal_id, voter_id),
    )
    return BallotRow(*rows[0]) if rows else None


async def voters_of(conn: aiosqlite.Connection, proposal_id: int) -> list[int]:
    """People who cast an electronic ballot on the proposal."""
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT voter_id FROM ballots WHERE proposal_id = ? AND voter_id IS NOT NULL",
        (proposal_id,),
    )
    return [r[0] for r in rows]


async def voted_proposals(conn: aiosqlite.Connection, voter_id: int) -> list[int]:
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT proposal_id FROM ballots WHERE voter_id = ? ORDER BY proposal_id DESC",
        (voter_id,),
    )
    return [r[0] for r in rows]


# ---- /me and /forgetme ----------------------------------------------------------------------


async def describe(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    ballots = await fetch_all(conn, "SELECT COUNT(*) FROM ballots WHERE voter_id = ?", (user_id,))
    written = await fetch_all(
        conn, "SELECT COUNT(*) FROM proposals WHERE author_id = ?", (user_id,)
    )
    found: dict[str, int] = {}
    if ballots[0][0]:
        found["ballots_cast"] = int(ballots[0][0])
    if written[0][0]:
        found["proposals_written"] = int(written[0][0])
    return found


async def forget(conn: aiosqlite.Connection, user_id: int) -> None:
    """Ballots stay (the count must stay right) but lose the voter's identity: the unit and the
    owner key remain. A resident-poll counting key that named the person ("r<id>") is replaced
    by one naming the ballot row ("x<ballot id>"), in the ballots and in the ``counted`` map of
    a closed proposal's stored result, so a closed tally stays exactly as published and the
    ballot is still found as counted, but leads to nobody (receipts were bound to the person:
    theirs can no longer be checked). Proposals keep their text without author or approver;
    paper ballots forget the officer who recorded them."""
    key = f"r{user_id}"
    for (proposal_id,) in await fetch_all(
        conn,
        "SELECT DISTINCT proposal_id FROM ballots WHERE voter_id = ? AND count_key = ?",
        (user_id, key),
    ):
        raw = await fetch_value(
            conn, "SELECT result FROM proposals WHERE id = ? AND result IS NOT NULL", (proposal_id,)
        )
        result = json.loads(raw) if raw else None
        counted = result.get("counted") if isinstance(result, dict) else None
        if isinstance(counted, dict) and key in counted:
            ballot_id = counted.pop(key)
            counted[f"x{ballot_id}"] = ballot_id
            await conn.execute(
                "UPDATE proposals SET result = ? WHERE id = ?",
                (json.dumps(result, ensure_ascii=False, sort_keys=True), proposal_id),
            )
    await conn.execute(
        "UPDATE ballots SET count_key = 'x' || id WHERE voter_id = ? AND count_key = ?",
        (user_id, key),
    )
    await conn.execute("UPDATE ballots SET voter_id = NULL WHERE voter_id = ?", (user_id,))
    await conn.execute("UPDATE ballots SET recorded_by = NULL WHERE recorded_by = ?", (user_id,))
    await conn.execute("UPDATE proposals SET author_id = NULL WHERE author_id = ?", (user_id,))
    await conn.execute("UPDATE proposals SET approver_id = NULL WHERE approver_id = ?", (user_id,))
    await conn.execute(
        "UPDATE proposals SET withdrawn_by = NULL WHERE withdrawn_by = ?", (user_id,)
    )
