"""Benchmark: the figures of one month on a database of a million tickets.

    .venv/bin/python -m bench.figures [--tickets 1000000] [--months 24] [--open 10000] [--runs 7]

Builds a database with the real migrations, then fills it in one transaction with generated SQL
(a recursive CTE, as ``bench.sla_sweep`` does): ``--tickets`` tickets reported evenly over
``--months`` months up to Monday 23 November 2026, the latest ``--open`` of them still open,
the others resolved and closed, rated, sent back, or closed as not our responsibility, rejected,
duplicate or withdrawn, with their SLA measures recorded as the service records them; 20
buildings, 12 categories, 30 staff.

Then it times ``bot.services.figures.compute`` for last month (October 2026: about
tickets / months of them, plus the open ones) for the whole community (``stats_ms``, the median
of ``--runs``) and for one building, and the same community figures once more without the
period's indexes (a scan of every ticket) as a baseline measured in the same run. The last line
printed is one JSON object: tickets, period_rows, stats_ms, building_ms, baseline_ms and speedup
(baseline / stats). No timing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.rules.figures import PeriodKind, period_for
from bot.services import figures
from storage.db import Database

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
MONTH = 30 * 86_400
CATEGORIES = (
    ("elevator", "urgent"), ("gas", "urgent"), ("pipe_burst", "urgent"), ("safety", "urgent"),
    ("water_power", "normal"), ("leak", "normal"), ("access", "normal"), ("lighting", "normal"),
    ("sanitation", "low"), ("parking", "low"), ("noise", "low"), ("other", "low"),
)  # fmt: skip
PERIOD_INDEXES = ("tickets_created", "tickets_resolved", "tickets_closed")


def build(path: Path, tickets: int, months: int, open_count: int) -> None:
    """Fill the migrated database at ``path`` in one transaction."""
    now = int(NOW.timestamp())
    step = max(1, months * MONTH // tickets)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO buildings (id, code, name) VALUES (?, ?, ?)",
        [(b, str(b), f"{b}号楼") for b in range(1, 21)],
    )
    cases = " ".join(f"WHEN {k} THEN '{c}'" for k, (c, _) in enumerate(CATEGORIES))
    priorities = " ".join(f"WHEN {k} THEN '{p}'" for k, (_, p) in enumerate(CATEGORIES))
    # state: the latest ``open_count`` are open; of the others, by i % 20: 0 not ours,
    # 1 rejected, 2 duplicate, 3 withdrawn, 4 resolved (not rated yet), else closed.
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :tickets),"
        " t AS (SELECT i, :now - (:tickets - i) * :step - 60 AS created,"
        "  CASE WHEN i > :tickets - :open THEN (CASE i % 3 WHEN 0 THEN 'new'"
        "    WHEN 1 THEN 'accepted' ELSE 'waiting_resident' END)"
        "   ELSE (CASE i % 20 WHEN 0 THEN 'not_our_responsibility' WHEN 1 THEN 'rejected'"
        "    WHEN 2 THEN 'duplicate' WHEN 3 THEN 'withdrawn' WHEN 4 THEN 'resolved'"
        "    ELSE 'closed' END) END AS state FROM n)"
        " INSERT INTO tickets (id, kind, category, priority, state, building_id, floor, place,"
        " description, reporter_id, assignee_id, created_at, updated_at, accepted_at,"
        " on_site_at, resolved_at, closed_at, response_due_at, resolution_due_at, rating,"
        " reopen_count, response_secs, response_met, arrival_secs, resolution_secs,"
        " resolution_met, measured_at)"
        " SELECT i, CASE i % 7 WHEN 0 THEN 'complaint' WHEN 1 THEN 'suggestion' ELSE 'repair' END,"
        f" CASE i % 12 {cases} END, CASE i % 12 {priorities} END, state,"
        " 1 + i % 20, i % 30, 'corridor', 'the light is off', 100000 + i % 50000,"
        " 2001 + i % 30, created, created,"
        " CASE WHEN state IN ('new', 'withdrawn', 'not_our_responsibility', 'rejected',"
        "  'duplicate') THEN NULL ELSE created + 300 + i % 7200 END,"
        " CASE WHEN i % 5 = 0 AND state IN ('resolved', 'closed') THEN created + 5400 END,"
        " CASE WHEN state IN ('resolved', 'closed') THEN created + 3600 * (1 + i % 30) END,"
        " CASE WHEN state = 'closed' THEN created + 3600 * (2 + i % 30)"
        "  WHEN state IN ('not_our_responsibility', 'rejected', 'duplicate', 'withdrawn')"
        "  THEN created + 1800 END,"
        " CASE WHEN state = 'new' THEN created + 7200 END,"
        " CASE WHEN state IN ('new', 'accepted') THEN created + 28800 END,"
        " CASE WHEN state = 'closed' AND i % 4 != 0 THEN 1 + (i * 7) % 5 END,"
        " CASE WHEN i % 25 = 0 AND state IN ('resolved', 'closed') THEN 1 ELSE 0 END,"
        " CASE WHEN state IN ('new', 'withdrawn') THEN NULL ELSE 300 + i % 7200 END,"
        " CASE WHEN state IN ('new', 'withdrawn') THEN NULL ELSE i % 10 != 0 END,"
        " CASE WHEN i % 5 = 0 AND state IN ('resolved', 'closed') THEN 5400 END,"
        " CASE WHEN state IN ('resolved', 'closed') THEN 3600 * (1 + i % 30) END,"
        " CASE WHEN state IN ('resolved', 'closed') THEN i % 7 != 0 END,"
        " created FROM t",
        {"tickets": tickets, "now": now, "step": step, "open": open_count},
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


async def time_compute(db: Database, runs: int, building_id: int | None) -> tuple[list[float], int]:
    period = period_for(PeriodKind.LAST_MONTH, NOW.date(), TZ)
    timings: list[float] = []
    opened = 0
    for _ in range(runs):
        started = time.perf_counter()
        async with db.read() as conn:
            found = await figures.compute(conn, TZ, period, NOW, building_id)
        timings.append((time.perf_counter() - started) * 1000)
        opened = found.tickets.counts.opened
    return timings, opened


async def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="where to build (default: a temporary file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "figures.db"
        if path.exists():
            path.unlink()
        started = time.perf_counter()
        db = await Database.open(path)
        await db.close()
        build(path, args.tickets, args.months, args.open)
        build_s = time.perf_counter() - started
        print(f"built {args.tickets} tickets in {build_s:.1f} s", file=sys.stderr)
        period = period_for(PeriodKind.LAST_MONTH, NOW.date(), TZ)
        with sqlite3.connect(path) as check:
            tickets = check.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
            period_rows = check.execute(
                "SELECT COUNT(*) FROM tickets WHERE created_at >= ? AND created_at < ?"
                " OR resolved_at >= ? AND resolved_at < ? OR closed_at >= ? AND closed_at < ?"
                " OR state IN ('new', 'accepted', 'waiting_resident', 'on_site', 'reopened')",
                (period.start_ts, period.end_ts) * 3,
            ).fetchone()[0]
        db = await Database.open(path)
        await time_compute(db, 1, None)  # warm the cache
        community, opened = await time_compute(db, args.runs, None)
        building, _ = await time_compute(db, args.runs, 7)
        marks = ", ".join("?" * len(PERIOD_INDEXES))
        indexes = await db._conn.execute_fetchall(
            f"SELECT name, sql FROM sqlite_master WHERE name IN ({marks})", PERIOD_INDEXES
        )
        for name, _ in indexes:
            await db._conn.execute(f"DROP INDEX {name}")
        baseline, baseline_opened = await time_compute(db, max(3, args.runs // 2), None)
        for _, sql in indexes:
            await db._conn.execute(sql)
        await db.close()
    assert opened == baseline_opened  # the same figures, with and without the indexes
    stats_ms = statistics.median(community)
    baseline_ms = statistics.median(baseline)
    return {
        "tickets": tickets,
        "period": f"{period.first}..{period.last}",
        "period_rows": period_rows,
        "opened_in_period": opened,
        "runs": len(community),
        "stats_ms": round(stats_ms, 1),
        "stats_ms_max": round(max(community), 1),
        "building_ms": round(statistics.median(building), 1),
        "baseline_ms": round(baseline_ms, 1),
        "baseline": "the same community figures without the period's indexes (a full scan)",
        "speedup": round(baseline_ms / stats_ms, 1) if stats_ms else None,
        "build_s": round(build_s, 1),
    }


if __name__ == "__main__":
    result = asyncio.run(main())
    print(json.dumps(result))
