"""The monthly report through the emulator: on 1 December at 08:00 November's figures and
charts reach the staff chat and the manager (each in their language) and, since a manager
turned it on, a short public version reaches the community's bound group; once, also across a
restart. Without the switch the groups get nothing."""

from __future__ import annotations

from datetime import datetime

from bot.rules.auth import Role
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_stats import MANAGER, officer, png_of, seed_week

STAFF_CHAT, GROUP = -1001000, -1002000
REPORT = "figures-report"


async def setup(h: Harness) -> None:
    h.emu.group(STAFF_CHAT, "物业工作群")
    h.emu.group(GROUP, "湾郡业主群")
    await h.start()
    assert h.db is not None
    async with h.db.transaction() as conn:
        await conn.execute("UPDATE community SET staff_chat_id = ?", (STAFF_CHAT,))
        await conn.execute(
            "INSERT INTO group_bindings (chat_id, kind, bound_at) VALUES (?, 'community', 0)",
            (GROUP,),
        )
    await seed_week(h)


def bodies(h: Harness, chat_id: int) -> list[str]:
    return [m.body for m in h.emu.messages(chat_id)]


async def test_the_monthly_report_is_sent_once_across_a_restart(harness: Harness) -> None:
    await setup(harness)
    manager = await officer(harness, MANAGER, "en", Role.MANAGER)
    await harness.command(manager, "stats")
    await harness.tap(manager, "so1|1|0")  # also the short version to the groups
    await harness.run_job(REPORT)
    assert await harness.rows("SELECT month, due_at, done_at FROM figure_reports") == [
        ("2026-11", int(datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI).timestamp()), None)
    ]
    harness.clock.set(datetime(2026, 12, 1, 7, 59, tzinfo=SHANGHAI))
    await harness.run_job(REPORT)
    assert bodies(harness, STAFF_CHAT) == [] and bodies(harness, GROUP) == []
    harness.clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI))
    await harness.run_job(REPORT)
    await harness.run_job("outbox")
    staff = harness.emu.messages(STAFF_CHAT)
    assert "📊 统计：2026年11月，全体小区" in staff[0].body
    assert [m.kind for m in staff] == ["text", "photo", "photo", "photo"]
    assert png_of(harness, staff[1]).size == (1200, 900)
    mine = [m for m in harness.emu.messages(MANAGER) if "Figures for November 2026" in m.body]
    assert len(mine) == 1
    (public,) = bodies(harness, GROUP)
    assert "2026年11月物业服务情况" in public and "收到报事报修11件" in public
    assert "U2101" not in public and "1-" not in public  # no person, no unit
    # a restart, then the job again (and again later): nothing more
    await harness.restart()
    await harness.run_job(REPORT)
    harness.clock.set(datetime(2026, 12, 15, 9, 0, tzinfo=SHANGHAI))
    await harness.run_job(REPORT)
    await harness.run_job("outbox")
    assert len(harness.emu.messages(STAFF_CHAT)) == 4
    assert len(bodies(harness, GROUP)) == 1
    assert len([m for m in harness.emu.messages(MANAGER) if "Figures for Nov" in m.body]) == 1
    done = await harness.rows("SELECT month, done_at IS NOT NULL FROM figure_reports ORDER BY 1")
    assert done == [("2026-11", 1), ("2026-12", 0)]
    # each chart was uploaded once, then known by its file id
    assert await harness.rows("SELECT COUNT(*) FROM outbox_files WHERE file_id IS NULL") == [(0,)]


async def test_without_the_switch_the_groups_get_nothing(harness: Harness) -> None:
    await setup(harness)
    await harness.run_job(REPORT)
    harness.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    await harness.run_job(REPORT)
    await harness.run_job("outbox")
    assert len(harness.emu.messages(STAFF_CHAT)) == 4
    assert bodies(harness, GROUP) == []
