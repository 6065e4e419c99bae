"""storage.votes against real SQLite files: ballots and their history, concurrent casts over two
connections, due rows claimed once, forgetting a voter."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from bot.rules.community import load_file
from bot.rules.votes import DEFAULT_OPTIONS
from storage import community
from storage import votes as store
from storage.db import Database

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"
NOW = 1_800_000_000
#: A zone where NOW is 20:00, the hour votes close at: closes stay whole days after NOW.
EVENING = timezone(timedelta(hours=12))


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.open(tmp_path / "v.db")
    async with database.transaction() as conn:
        await community.apply_spec(conn, load_file(EXAMPLE))
    return database


async def new_proposal(db: Database, *, days: int = 7, approve: bool = True) -> int:
    async with db.transaction() as conn:
        pid = await store.create(
            conn,
            title="Lift",
            body="Repair it",
            options=DEFAULT_OPTIONS,
            building_id=None,
            kind="decision",
            art278_item=7,
            basis="household",
            quorum=None,
            duration_days=days,
            author_id=1,
            now=NOW,
        )
        if approve:
            assert await store.approve(conn, pid, by=2, now=NOW, tz=EVENING)
            assert await store.mark_open(conn, pid)
    return pid


async def test_audience_units_and_owners(db: Database) -> None:
    async with db.read() as conn:
        everyone = await store.audience_units(conn, None)
        one = await store.audience_units(conn, (await community.building_by_code(conn, "1")).id)  # type: ignore[union-attr]
    assert len(everyone) == 120 and len(one) == 40
    by_code = {u.code: u for u in everyone}
    assert by_code["1-101"].area == Decimal("89.50") and by_code["1-101"].owner_code == "O-1-101"
    assert by_code["1-403"].is_developer
    assert sum(1 for u in everyone if u.is_developer) == 7


async def test_approve_writes_due_rows_and_only_once(db: Database) -> None:
    pid = await new_proposal(db, days=3, approve=False)
    async with db.transaction() as conn:
        assert await store.approve(conn, pid, by=2, now=NOW, tz=EVENING)
        assert not await store.approve(conn, pid, by=3, now=NOW + 1, tz=EVENING)
        rows = await store.due_rows(conn, pid)
    close = NOW + 3 * 86400
    assert rows == [("open", NOW, None), ("remind", close - 86400, None), ("close", close, None)]
    short = await new_proposal(db, days=1, approve=False)
    async with db.transaction() as conn:
        await store.approve(conn, short, by=2, now=NOW, tz=EVENING)
        rows = await store.due_rows(conn, short)
    assert ("remind", NOW + 43200, None) in rows  # a one-day vote: the reminder at half-time


async def test_claim_due_is_exactly_once(db: Database) -> None:
    pid = await new_proposal(db, days=3)
    async with db.transaction() as conn:
        assert await store.claim_due(conn, NOW) == [(pid, "open")]
        assert await store.claim_due(conn, NOW) == []
    async with db.transaction() as conn:
        later = await store.claim_due(conn, NOW + 10 * 86400)
    assert later == [(pid, "remind"), (pid, "close")]


async def test_claim_rolled_back_with_the_work(db: Database) -> None:
    pid = await new_proposal(db, days=3)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            assert await store.claim_due(conn, NOW) == [(pid, "open")]
            raise RuntimeError("crash before the work was committed")
    async with db.transaction() as conn:
        assert await store.claim_due(conn, NOW) == [(pid, "open")]


async def test_cast_keeps_history_and_one_current_ballot_per_source(db: Database) -> None:
    pid = await new_proposal(db)
    async with db.transaction() as conn:
        for option in ("approve", "oppose", "abstain"):
            await store.cast(
                conn,
                pid,
                count_key="O-1-101",
                unit_id=1,
                voter_id=7,
                option=option,
                source="electronic",
                now=NOW,
            )
        await store.cast(
            conn,
            pid,
            count_key="O-1-101",
            unit_id=1,
            voter_id=None,
            option="approve",
            source="paper",
            now=NOW,
            recorded_by=2,
        )
        current = await store.current_ballots(conn, pid)
        latest = await store.latest_of_voter(conn, pid, 7)
    assert sorted((b.option, b.source) for b in current) == [
        ("abstain", "electronic"),
        ("approve", "paper"),
    ]
    assert latest is not None and latest.option == "abstain"


async def test_concurrent_casts_over_two_connections_leave_one_current_ballot(
    tmp_path: Path, db: Database
) -> None:
    pid = await new_proposal(db)
    other = await Database.open(db.path)

    async def press(database: Database, option: str) -> None:
        async with database.transaction() as conn:
            await store.cast(
                conn,
                pid,
                count_key="O-1-102",
                unit_id=2,
                voter_id=8,
                option=option,
                source="electronic",
                now=NOW,
            )

    for _ in range(10):
        await asyncio.gather(press(db, "approve"), press(other, "oppose"), press(db, "abstain"))
    async with other.read() as conn:
        current = await store.current_ballots(conn, pid)
        async with conn.execute("SELECT COUNT(*) FROM ballots") as cur:
            total = (await cur.fetchone())[0]  # type: ignore[index]
    assert len(current) == 1
    assert total == 30
    await other.close()
    await db.close()


async def test_forget_keeps_unit_and_owner(db: Database) -> None:
    pid = await new_proposal(db)
    async with db.transaction() as conn:
        await store.cast(
            conn,
            pid,
            count_key="O-1-101",
            unit_id=1,
            voter_id=7,
            option="approve",
            source="electronic",
            now=NOW,
        )
        await store.cast(
            conn,
            pid,
            count_key="r7",
            unit_id=1,
            voter_id=7,
            option="approve",
            source="electronic",
            now=NOW,
        )
        assert await store.describe(conn, 7) == {"ballots_cast": 2}
        assert await store.describe(conn, 1) == {"proposals_written": 1}
        await store.forget(conn, 7)
        await store.forget(conn, 1)
        rows = await store.current_ballots(conn, pid)
        proposal = await store.get(conn, pid)
        assert await store.describe(conn, 7) == {}
    assert [(b.voter_id, b.unit_id) for b in rows] == [(None, 1), (None, 1)]
    assert rows[0].count_key == "O-1-101" and rows[1].count_key == f"x{rows[1].id}"
    assert proposal is not None and proposal.author_id is None and proposal.title == "Lift"


async def test_approve_before_the_chosen_opening_waits_for_it(db: Database) -> None:
    opens = NOW + 22 * 3600
    async with db.transaction() as conn:
        pid = await store.create(
            conn,
            title="Lift",
            body="Repair it",
            options=DEFAULT_OPTIONS,
            building_id=None,
            kind="poll",
            art278_item=None,
            basis="household",
            quorum=None,
            duration_days=3,
            author_id=1,
            now=NOW,
            opens_at=opens,
        )
        draft = await store.get(conn, pid)
        assert draft is not None and (draft.opens_at, draft.closes_at) == (opens, None)
        assert await store.approve(conn, pid, by=2, now=NOW, tz=EVENING)
        proposal = await store.get(conn, pid)
        assert proposal is not None
        assert (proposal.state, proposal.opens_at, proposal.closes_at) == (
            "approved",
            opens,
            opens + 3 * 86400 + 2 * 3600,  # 18:00 in EVENING: moved on to 20:00
        )
        assert await store.claim_due(conn, NOW) == []
        assert await store.claim_due(conn, opens - 1) == []
        assert await store.claim_due(conn, opens) == [(pid, "open")]


async def test_reminder_and_close_wait_for_a_postponed_opening(db: Database) -> None:
    async with db.transaction() as conn:
        pid = await store.create(
            conn,
            title="Lift",
            body="Repair it",
            options=DEFAULT_OPTIONS,
            building_id=None,
            kind="poll",
            art278_item=None,
            basis="household",
            quorum=None,
            duration_days=3,
            author_id=1,
            now=NOW,
            opens_at=NOW + 3600,
        )
        assert await store.approve(conn, pid, by=2, now=NOW, tz=EVENING)
        # the opening failed and is retried after the close was due: nothing else goes first
        await store.postpone_due(conn, pid, "open", NOW + 10 * 86400)
        assert await store.claim_due(conn, NOW + 5 * 86400) == []
        assert await store.claim_due(conn, NOW + 10 * 86400, limit=1) == [(pid, "open")]
        assert await store.claim_due(conn, NOW + 10 * 86400) == [(pid, "remind"), (pid, "close")]
