"""The points ledger on real SQLite files: a balance is the sum and never goes below zero (the
trigger refuses it, whatever code writes), one award per activity per person (a second credit
is ignored, also from another connection), corrections need a reason, rows are never changed;
the last reward redeemed by many connections at once goes to exactly one; the waiting list."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.rules import points as rules
from bot.rules.points import Kind
from storage import points, volunteering
from storage.db import Database

NOW = 1_800_000_000


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "points.db")
    yield database
    await database.close()


async def test_a_balance_is_the_sum_and_never_negative(db: Database) -> None:
    async with db.transaction() as conn:
        assert await points.credit_once(conn, 1, 10, Kind.ACTIVITY, "7", by=9, now=NOW)
        assert await points.credit_once(conn, 1, 5, Kind.HELP, "3", by=None, now=NOW)
        assert await points.balance(conn, 1) == 15
        assert not await points.correct(conn, 1, -16, "typo", by=9, now=NOW)
        assert await points.correct(conn, 1, -15, "entered twice", by=9, now=NOW)
        assert await points.balance(conn, 1) == 0
    # any writer, even raw SQL, is refused below zero
    with pytest.raises(sqlite3.IntegrityError, match="negative"):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO points_ledger (user_id, delta, kind, ref, at)"
                " VALUES (1, -1, 'redeem', 'x', ?)",
                (NOW,),
            )
    async with db.read() as conn:
        assert await points.balance(conn, 1) == 0
        assert [e.delta for e in await points.history(conn, 1)] == [-15, 5, 10]


async def test_one_award_per_activity_per_person_even_from_two_connections(
    db: Database, tmp_path: Path
) -> None:
    other = await Database.open(tmp_path / "points.db")
    try:

        async def award(database: Database) -> bool:
            async with database.transaction() as conn:
                return await points.credit_once(conn, 2, 10, Kind.ACTIVITY, "1", by=9, now=NOW)

        results = await asyncio.gather(*(award(d) for d in (db, other, db, other)))
        assert sorted(results) == [False, False, False, True]
        async with db.transaction() as conn:
            assert await points.credit_once(conn, 2, 10, Kind.ACTIVITY, "2", by=9, now=NOW)
            assert await points.credit_once(conn, 3, 10, Kind.ACTIVITY, "1", by=9, now=NOW)
        with pytest.raises(sqlite3.IntegrityError):  # not even by hand
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO points_ledger (user_id, delta, kind, ref, at)"
                    " VALUES (2, 10, 'activity', '1', ?)",
                    (NOW,),
                )
        async with db.read() as conn:
            assert await points.balance(conn, 2) == 20
    finally:
        await other.close()


async def test_corrections_need_a_reason_and_rows_are_never_changed(db: Database) -> None:
    async with db.transaction() as conn:
        await points.credit_once(conn, 4, 10, Kind.HELP, "1", by=None, now=NOW)
    with pytest.raises(ValueError):
        async with db.transaction() as conn:
            await points.correct(conn, 4, 5, "  ", by=9, now=NOW)
    with pytest.raises(sqlite3.IntegrityError, match="reason"):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO points_ledger (user_id, delta, kind, at)"
                " VALUES (4, 5, 'correction', ?)",
                (NOW,),
            )
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        async with db.transaction() as conn:
            await conn.execute("UPDATE points_ledger SET delta = 1000 WHERE user_id = 4")
    with pytest.raises(sqlite3.IntegrityError):  # votes and ratings earn nothing
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO points_ledger (user_id, delta, kind, at) VALUES (4, 5, 'vote', ?)",
                (NOW,),
            )
    async with db.read() as conn:
        assert await points.balance(conn, 4) == 10
    assert {k.value for k in rules.EARNING} == {"activity", "help"}


async def test_the_last_reward_redeemed_by_many_connections_at_once(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as conn:
        reward = await points.add_reward(conn, "Fee voucher", 10, 1, by=9, now=NOW)
        for user in range(100, 108):
            await points.credit_once(conn, user, 10, Kind.HELP, "1", by=None, now=NOW)
    others = [await Database.open(tmp_path / "points.db") for _ in range(8)]

    async def redeem(database: Database, user: int) -> points.Redeemed:
        try:
            async with database.transaction() as conn:
                await points.redeem(conn, user, reward, "1", f"CODE{user}", now=NOW)
        except points.RedeemRefused as refused:
            return refused.outcome
        return points.Redeemed.DONE

    try:
        results = await asyncio.gather(*(redeem(d, 100 + i) for i, d in enumerate(others)))
    finally:
        for other in others:
            await other.close()
    assert results.count(points.Redeemed.DONE) == 1
    assert results.count(points.Redeemed.SOLD_OUT) == 7
    async with db.read() as conn:
        found = await points.reward(conn, reward)
        assert found is not None and found.stock == 0
        balances = [await points.balance(conn, u) for u in range(100, 108)]
    assert sorted(balances) == [0] + [10] * 7  # only the winner paid


async def test_a_redemption_needs_the_points_and_a_second_press_redeems_nothing(
    db: Database,
) -> None:
    async with db.transaction() as conn:
        reward = await points.add_reward(conn, "Room hour", 8, 5, by=9, now=NOW)
        await points.credit_once(conn, 5, 10, Kind.ACTIVITY, "1", by=9, now=NOW)
    outcomes = []
    for ref in ("a", "a", "b"):
        try:
            async with db.transaction() as conn:
                await points.redeem(conn, 5, reward, ref, f"C-{ref}", now=NOW)
            outcomes.append(points.Redeemed.DONE)
        except points.RedeemRefused as refused:
            outcomes.append(refused.outcome)
    assert outcomes == [
        points.Redeemed.DONE,
        points.Redeemed.AGAIN,
        points.Redeemed.TOO_FEW_POINTS,
    ]
    async with db.transaction() as conn:
        assert (await points.reward(conn, reward)).stock == 4  # type: ignore[union-attr]
        assert await points.balance(conn, 5) == 2
        assert await points.mark_used(conn, "C-a", by=9, now=NOW)
        assert not await points.mark_used(conn, "C-a", by=9, now=NOW)
        assert not await points.mark_used(conn, "C-b", by=9, now=NOW)


async def test_the_waiting_list_moves_up_in_order(db: Database) -> None:
    async with db.transaction() as conn:
        activity = await volunteering.create_activity(
            conn,
            organiser_id=9,
            title="Garden",
            place="Yard",
            starts_at=NOW + 86400,
            minutes=120,
            slots=2,
            points=10,
            buildings=None,
            due={},
            now=NOW,
        )
        places = [await volunteering.sign_up(conn, activity, u, NOW) for u in (1, 2, 3, 4)]
        assert places == ["going", "going", "waiting", "waiting"]
        assert await volunteering.sign_up(conn, activity, 1, NOW) is None  # already going
        assert await volunteering.withdraw(conn, activity, 3) is None  # a waiting one leaves
        assert await volunteering.withdraw(conn, activity, 1) == 4  # 4 moves up
        going = [s.user_id for s in await volunteering.signups(conn, activity, "going")]
        assert going == [2, 4]
        assert await volunteering.sign_up(conn, activity, 1, NOW) == "waiting"  # back, at the end


def test_rules_at_their_bounds() -> None:
    assert rules.place_for(1, 2) == "going" and rules.place_for(2, 2) == "waiting"
    assert rules.can_spend(10, 10) and not rules.can_spend(9, 10) and not rules.can_spend(5, 0)
    assert rules.correction_amount("+5") == 5 and rules.correction_amount("-10000") == -10000
    for bad in ("0", "-0", "10001", "5.5", "five", "", "+", "٣", "--5"):
        assert rules.correction_amount(bad) is None, bad


async def test_volunteer_figures_count_those_who_came_in_the_audience(db: Database) -> None:
    async with db.transaction() as conn:
        made = []
        for buildings in ([1, 2], [12], None):
            activity = await volunteering.create_activity(
                conn,
                organiser_id=9,
                title="Patrol",
                place="Gate",
                starts_at=NOW + 3600,
                minutes=90,
                slots=5,
                points=5,
                buildings=buildings,
                due={},
                now=NOW,
            )
            made.append(activity)
            for user in (1, 2):
                await volunteering.sign_up(conn, activity, user, NOW)
            await volunteering.set_attended(conn, activity, 1, True)
        figures = {
            b: await volunteering.volunteer_figures(conn, NOW, NOW + 7200, b)
            for b in (None, 1, 12, 3)
        }
        outside = await volunteering.volunteer_figures(conn, NOW + 7200, NOW + 9000, None)
    assert figures[None] == (3, 270, 1)  # three activities, 1.5 h each of the one who came
    assert figures[1] == (2, 180, 1)  # [1, 2] and everyone; not [12]
    assert figures[12] == (2, 180, 1)
    assert figures[3] == (1, 90, 1)  # everyone only
    assert outside == (0, 0, 0)
    assert len(made) == 3


async def test_restocking_stops_at_the_limit_and_a_withdrawn_reward_stays_withdrawn(
    db: Database,
) -> None:
    async with db.transaction() as conn:
        rid = await points.add_reward(conn, "Voucher", 10, points.MAX_STOCK - 10, by=1, now=0)
        assert await points.restock(conn, rid, 10)
        assert not await points.restock(conn, rid, 1)  # over the limit: nothing changes
        assert await points.withdraw_reward(conn, rid)
        assert not await points.withdraw_reward(conn, rid)
        assert not await points.restock(conn, rid, 1)  # no longer offered
        found = await points.reward(conn, rid)
    assert found is not None and (found.stock, found.active) == (points.MAX_STOCK, False)
    async with db.read() as conn:
        assert await points.rewards(conn) == []
