"""The daily backup inside the bot: a due-time row a day (once, across restarts), the
retention over travelled days, and a failure told to the administrators."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from bot.rules.auth import Role
from bot.services import backups
from storage.backup import backups_in
from tests.conftest import SHANGHAI, Harness

JOB = "backup"
BOSS = 4242


def _at_three(day: date) -> datetime:
    return datetime.combine(day, time(3, 1), SHANGHAI)


def _days(harness: Harness) -> list[date]:
    found = backups_in(harness.tmp_path / "backups", "daily")
    return [b.taken_at.astimezone(SHANGHAI).date() for b in found]


def _retain(harness: Harness, *, daily: int, monthly: int) -> None:
    assert harness.app is not None
    services = harness.app.bot_data.services
    setup = dataclasses.replace(services.settings.backup, keep_daily=daily, keep_monthly=monthly)
    services.settings = dataclasses.replace(services.settings, backup=setup)


async def test_the_daily_backup_is_made_once_a_day_across_a_restart(harness: Harness) -> None:
    await harness.start()
    await harness.run_job(JOB)  # 10:00: the next one is due tomorrow at 03:00
    assert _days(harness) == []
    assert await harness.rows("SELECT day, claimed_at FROM backup_due") == [("2026-11-24", None)]
    harness.clock.set(_at_three(date(2026, 11, 24)))
    await harness.run_job(JOB)
    await harness.run_job(JOB)
    assert _days(harness) == [date(2026, 11, 24)]
    await harness.restart()
    await harness.run_job(JOB)
    harness.clock.advance(timedelta(hours=20))  # 23:01, still the same day
    await harness.run_job(JOB)
    assert _days(harness) == [date(2026, 11, 24)]
    harness.clock.advance(timedelta(hours=4))  # 03:01 the next day
    await harness.crash()  # even without a clean stop
    await harness.start(load_example=False)
    await harness.run_job(JOB)
    await harness.run_job(JOB)
    assert _days(harness) == [date(2026, 11, 24), date(2026, 11, 25)]
    rows = await harness.rows("SELECT day, error FROM backup_due ORDER BY day")
    assert rows == [("2026-11-24", None), ("2026-11-25", None), ("2026-11-26", None)]


async def test_retention_keeps_the_newest_days_and_the_first_of_recent_months(
    harness: Harness,
) -> None:
    await harness.start()
    _retain(harness, daily=3, monthly=2)
    day = date(2026, 11, 24)
    await harness.run_job(JOB)
    while day <= date(2027, 2, 10):
        harness.clock.set(_at_three(day))
        await harness.run_job(JOB)
        if day == date(2027, 1, 15):
            assert _days(harness) == [
                date(2026, 12, 1),
                date(2027, 1, 1),
                date(2027, 1, 13),
                date(2027, 1, 14),
                date(2027, 1, 15),
            ]
        day += timedelta(days=1)
    assert _days(harness) == [
        date(2027, 1, 1),
        date(2027, 2, 1),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
    ]
    assert not [p for p in (harness.tmp_path / "backups").iterdir() if p.name.startswith(".")]


async def test_a_failed_backup_is_told_to_the_administrators_once(harness: Harness) -> None:
    await harness.start()
    boss = harness.emu.user(BOSS, "Boss", "en")
    await harness.grant(BOSS, Role.ADMIN)
    await harness.command(boss, "start")
    await harness.run_job(JOB)
    (harness.tmp_path / "backups").write_text("a file where the folder should be")
    harness.clock.set(_at_three(date(2026, 11, 24)))
    await harness.run_job(JOB)
    told = harness.answer(BOSS).text or ""
    assert "The daily backup of 2026-11-24 failed" in told
    assert str(harness.tmp_path / "backups") in told
    (error,) = await harness.rows("SELECT error FROM backup_due WHERE day = '2026-11-24'")
    assert error[0]
    count = len(harness.emu.messages(BOSS))
    await harness.run_job(JOB)  # the day's row is claimed: no second alarm
    harness.clock.advance(timedelta(hours=5))
    await harness.run_job(JOB)
    assert len(harness.emu.messages(BOSS)) == count

    (harness.tmp_path / "backups").unlink()  # fixed: the next day's backup is made
    harness.clock.set(_at_three(date(2026, 11, 25)))
    await harness.run_job(JOB)
    assert _days(harness) == [date(2026, 11, 25)]


async def test_a_backup_the_process_died_making_is_made_again(harness: Harness) -> None:
    await harness.start()
    await harness.run_job(JOB)
    harness.clock.set(_at_three(date(2026, 11, 24)))
    assert harness.db is not None
    async with harness.db.transaction() as conn:  # the job claims the day's row ...
        assert await backups.claim_due(conn, harness.clock(), 3, SHANGHAI) is not None
    await harness.crash()  # ... and the process dies before the copy is made
    await harness.start(load_example=False)
    await harness.run_job(JOB)  # claimed a moment ago: perhaps still running, left alone
    assert _days(harness) == []
    harness.clock.advance(timedelta(minutes=61))
    await harness.run_job(JOB)
    await harness.run_job(JOB)
    assert _days(harness) == [date(2026, 11, 24)]
    rows = await harness.rows("SELECT day, file IS NOT NULL, error FROM backup_due ORDER BY day")
    assert rows == [("2026-11-24", 1, None), ("2026-11-25", 0, None)]
