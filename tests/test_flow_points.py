"""The points bank through the emulator: two residents redeeming the last reward at once (one
gets it, with a one-time code staff mark used once), a staff correction with its reason in the
person's history (never without one, never below zero), and the monthly thank-you board naming
only those who agreed, posted once to the bound groups; volunteer hours in /stats."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.rules.auth import Role
from bot.rules.clock import to_ts
from bot.rules.points import Kind
from storage import notices, points
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_notices import building_id, got, officer, resident

STAFF, MANAGER = 2401, 2402
A, B, C = 3401, 3402, 3403  # A, B in building 1, C in building 2
GROUP1, COMMUNITY = -1001000000401, -1001000000402


async def give(h: Harness, uid: int, amount: int, ref: str, at: int | None = None) -> None:
    assert h.db is not None
    async with h.db.transaction() as conn:
        now = at if at is not None else to_ts(h.clock())
        assert await points.credit_once(conn, uid, amount, Kind.HELP, ref, by=None, now=now)


def alert(h: Harness, press: Any) -> str:
    return str((h.emu.callback_answer(press) or {}).get("text", ""))


async def test_two_residents_redeem_the_last_reward_at_once(harness: Harness) -> None:
    h = harness
    await h.start()
    staff = await officer(h, STAFF, Role.STAFF)
    a = await resident(h, A, "1-101", "en")
    b = await resident(h, B, "1-102", "en")
    await give(h, A, 10, "1")
    await give(h, B, 10, "2")
    await h.command(staff, "rewardadd", "10 1 Property-fee voucher")
    assert "Added: Property-fee voucher" in h.emu.last_message(STAFF).body
    confirmations, yes = {}, {}
    for user in (a, b):
        await h.command(user, "rewards")
        assert "10 points, 1 left" in h.emu.last_message(user["id"]).body
        confirmations[user["id"]] = await h.tap(user, "pr1|")
        assert "afterwards 0" in confirmations[user["id"]].body
        yes[user["id"]] = h.emu.find_button(confirmations[user["id"]], "py1|")
    presses = {}
    for user in (a, b):  # both at once: neither waits for the other's answer
        message = confirmations[user["id"]]
        presses[user["id"]] = h.emu.press_button(user, message, yes[user["id"]])
    await h.settle()
    answers = {uid: h.emu.last_message(uid).body for uid in (A, B)}
    winners = [uid for uid, text in answers.items() if "Redeemed: Property-fee voucher" in text]
    assert len(winners) == 1
    loser = B if winners == [A] else A
    assert "sold out" in alert(h, presses[loser])
    assert await h.rows("SELECT stock FROM rewards") == [(0,)]
    balances = await h.rows("SELECT user_id, SUM(delta) FROM points_ledger GROUP BY user_id")
    assert sorted(balances) == sorted([(winners[0], 0), (loser, 10)])
    # a second press of the same confirmation redeems nothing more
    winner = a if winners == [A] else b
    await h.press(winner, confirmations[winners[0]], yes[winners[0]])
    assert "Already redeemed" in h.emu.last_message(winners[0]).body
    code = (await h.rows("SELECT code FROM redemptions"))[0][0]
    assert await h.rows("SELECT COUNT(*) FROM redemptions") == [(1,)]
    # /points shows the code; staff mark it used, once
    await h.command(winner, "points")
    assert code in h.emu.last_message(winners[0]).body
    await h.command(a, "redeemed", code)
    assert "Sorry, this is not open to you" in h.emu.last_message(A).body
    await h.command(staff, "redeemed", code.lower())
    assert "is marked as used" in h.emu.last_message(STAFF).body
    await h.command(staff, "redeemed", code)
    assert "was already used" in h.emu.last_message(STAFF).body


async def test_a_staff_correction_needs_a_reason_and_shows_in_the_history(
    harness: Harness,
) -> None:
    h = harness
    await h.start()
    staff = await officer(h, STAFF, Role.STAFF)
    a = await resident(h, A, "1-101", "en")
    await give(h, A, 5, "1")
    await h.command(a, "pointsfix", "1-101 +5 because")
    assert "Sorry, this is not open to you" in h.emu.last_message(A).body
    await h.command(staff, "pointsfix", "1-101 +5")
    assert "a reason is always needed" in h.emu.last_message(STAFF).body
    await h.command(staff, "pointsfix", "1-101 -50 entered twice")
    assert "below zero" in h.emu.last_message(STAFF).body
    await h.command(staff, "pointsfix", "9-999 +5 fair")
    assert "I do not know that person or unit" in h.emu.last_message(STAFF).body
    assert len(await h.rows("SELECT * FROM points_ledger")) == 1
    mark = h.emu.mark()
    await h.command(staff, "pointsfix", "1-101 +3 Helped at the autumn fair")
    assert "The balance is now 8" in h.emu.last_message(STAFF).body
    assert got(h, A, "Staff corrected your points by +3: Helped at the autumn fair", mark)
    await h.command(a, "points")
    history = h.emu.last_message(A).body
    assert "Your points: 8" in history
    assert "+3  Correction by staff: Helped at the autumn fair" in history
    assert "never from voting or ratings" in history
    rows = await h.rows(
        "SELECT delta, kind, reason, by_id FROM points_ledger WHERE kind = 'correction'"
    )
    assert rows == [(3, "correction", "Helped at the autumn fair", STAFF)]


async def test_the_honour_board_names_only_those_who_agreed(harness: Harness) -> None:
    h = harness
    await h.start()
    manager = await officer(h, MANAGER, Role.MANAGER)
    users = {
        uid: await resident(h, uid, unit, "en")
        for uid, unit in ((A, "1-101"), (B, "1-102"), (C, "2-101"))
    }
    await h.command(users[A], "volunteer")
    await h.tap(users[A], "pv1|named|1")  # A agrees to be named; B and C do not
    assert "thank-you board: yes" in h.emu.last_message(A).body
    assert h.db is not None
    first = await building_id(h, "1")
    h.emu.group(GROUP1, "B1")
    h.emu.group(COMMUNITY, "All")
    async with h.db.transaction() as conn:
        now = to_ts(h.clock())
        await notices.bind_group(conn, GROUP1, "building", first, "B1", MANAGER, now)
        await notices.bind_group(conn, COMMUNITY, "community", None, "All", MANAGER, now)
    november = to_ts(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    for uid in (A, B, C):
        await give(h, uid, 5, str(uid), at=november)
    await h.run_job("volunteering")  # plans November's board; nothing is due yet
    await h.run_job("figures-report")  # plans November's monthly report
    assert h.emu.messages(GROUP1) == []
    h.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    await h.run_job("volunteering")
    await h.restart()
    await h.run_job("volunteering")  # once, also across a restart
    await h.run_job("outbox")
    building_board = [m.body for m in h.emu.messages(GROUP1)]
    assert len(building_board) == 1
    assert f"R{A}" in building_board[0] and f"R{B}" not in building_board[0]
    assert "还有 1 位邻居" in building_board[0]  # the community's language
    community_board = [m.body for m in h.emu.messages(COMMUNITY)]
    assert len(community_board) == 1 and f"R{A}" in community_board[0]
    assert f"R{B}" not in community_board[0] and f"R{C}" not in community_board[0]
    assert "还有 2 位邻居" in community_board[0]
    # the monthly report (due at 08:00) carries the community's board, the same names
    await h.run_job("figures-report")
    await h.run_job("outbox")
    (report,) = [m.body for m in h.emu.messages(MANAGER) if "Figures for November 2026" in m.body]
    assert "Thank you, neighbours! Volunteers of November 2026, the whole community" in report
    assert f"R{A}" in report and f"R{B}" not in report and "and 2 more neighbours" in report
    del manager


async def test_stats_show_volunteer_hours_and_participants(harness: Harness) -> None:
    h = harness
    await h.start()
    manager = await officer(h, MANAGER, Role.MANAGER)
    assert h.db is not None
    starts = to_ts(h.clock() - timedelta(days=1))
    async with h.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO activities (id, organiser_id, title, place, starts_at, minutes, slots,"
            " points, buildings, created_at) VALUES (1, ?, 'Garden', 'Yard', ?, 120, 5, 10, '*', ?)",
            (MANAGER, starts, starts),
        )
        for uid in (A, B):
            await conn.execute(
                "INSERT INTO activity_signups (activity_id, user_id, state, signed_at, seq,"
                " attended) VALUES (1, ?, 'going', ?, ?, 1)",
                (uid, starts, uid),
            )
    await h.command(manager, "stats")
    await h.tap(manager, "sp1|tm")
    body = "\n".join(m.body for m in h.answers(MANAGER))
    assert "Volunteering: 1 activities, 4 volunteer hours, 2 people took part" in body


async def test_staff_restock_and_withdraw_a_reward(harness: Harness) -> None:
    """Staff put 10 more in stock or stop offering a reward from /rewards (stopping asks
    first; codes already given stay valid); residents see no such buttons, and a forged press
    by one changes nothing."""
    h = harness
    await h.start()
    staff = await officer(h, STAFF, Role.STAFF)
    a = await resident(h, A, "1-101", "en")
    await give(h, A, 30, "1")
    await h.command(staff, "rewardadd", "10 1 Free room booking")
    await h.command(a, "rewards")
    offered = [d for _, d in h.emu.buttons(h.emu.last_message(A))]
    assert offered == ["pr1|1"]  # a resident: only "Redeem"
    await h.tap(a, "pr1|1")
    await h.tap(a, "py1|1|")
    code = (await h.rows("SELECT code FROM redemptions"))[0][0]
    assert await h.rows("SELECT stock, active FROM rewards") == [(0, 1)]

    # a resident's forged press changes nothing
    before = await h.rows("SELECT stock, active FROM rewards")
    await h.command(a, "rewards")
    await h.press(a, h.emu.last_message(A), "ps1|1|more")
    assert "not open to you" in h.emu.last_message(A).body or "not open to you" in (
        h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    )
    assert await h.rows("SELECT stock, active FROM rewards") == before

    await h.command(staff, "rewards")
    listing = await h.tap(staff, "ps1|1|more")
    assert "10 left" in listing.body
    assert h.emu.calls_of("answerCallbackQuery")[-1].params["text"] == (
        "Free room booking: now 10 in stock."
    )
    assert await h.rows("SELECT stock FROM rewards") == [(10,)]
    await h.tap(staff, "ps1|1|end")
    assert "Stop offering Free room booking?" in h.emu.last_message(STAFF).body
    listing = await h.tap(staff, "ps1|1|endok")
    assert "No rewards yet." in listing.body
    assert await h.rows("SELECT stock, active FROM rewards") == [(10, 0)]
    # gone from the residents' list; the code already given is still good
    await h.command(a, "rewards")
    assert "Free room booking" not in h.emu.last_message(A).body
    await h.command(staff, "redeemed", code)
    assert "is marked as used" in h.emu.last_message(STAFF).body
    # a stale press on the withdrawn reward changes nothing
    await h.press(staff, listing, "ps1|1|more")
    assert await h.rows("SELECT stock, active FROM rewards") == [(10, 0)]
    assert h.emu.unanswered_callbacks() == []
