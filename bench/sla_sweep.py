"""Benchmark: one SLA sweep (query + claim of due reminder rows) on a big database.

    .venv/bin/python -m bench.sla_sweep [--tickets 1000000] [--open 10000] [--runs 15]

Builds a database with the real migrations, then fills it in one transaction with generated SQL
(a recursive CTE, so the rows are made inside SQLite): ``--tickets`` tickets of which ``--open``
are open. Open tickets get their six SLA reminder rows (unsent, due from an hour ago to a week
ahead); finished tickets keep two reminder rows each, already sent, as a real history would.

Then it times ``storage.tickets.claim_due`` (the sweep's query and claim, in a transaction that
is rolled back so every run sees the same rows) ``--runs`` times, and the same sweep once more
without the partial index on unsent rows as a baseline measured in the same run. The last line
printed is one JSON object: tickets, open, reminder_rows, due, sweep_ms (median),
baseline_ms (median, without the index) and speedup (baseline / sweep). No timing is asserted.
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
from pathlib import Path

from storage import tickets as store
from storage.db import Database

NOW = 1_795_399_200  # Monday 23 November 2026, 10:00 in Shanghai
WEEK = 7 * 86_400
STAGES = (
    "response_warn",
    "response_breach",
    "response_escalate",
    "resolution_warn",
    "resolution_breach",
    "resolution_escalate",
)
INDEX_SQL = "CREATE INDEX sla_reminders_due ON sla_reminders(due_at) WHERE sent_at IS NULL"


def build(path: Path, tickets: int, open_count: int) -> None:
    """Fill the migrated database at ``path`` in one transaction."""
    every = max(1, tickets // max(1, open_count))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO buildings (id, code, name) VALUES (1, 'b1', 'B1')")
    # Tickets: every ``every``-th one is open (state 'new'), the others closed long ago.
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO tickets (id, kind, category, priority, state, building_id, floor, place,"
        " description, reporter_id, created_at, updated_at, closed_at)"
        " SELECT i, 'repair', 'lighting', 'normal',"
        " CASE WHEN i % ? = 0 AND i / ? <= ? THEN 'new' ELSE 'closed' END,"
        " 1, i % 30, 'corridor', 'the light is off', 100000 + i % 5000,"
        " ? - (? - i) * 60, ? - (? - i) * 60,"
        " CASE WHEN i % ? = 0 AND i / ? <= ? THEN NULL ELSE ? - (? - i) * 60 + 3600 END"
        " FROM n",
        (
            tickets,
            every,
            every,
            open_count,
            NOW,
            tickets,
            NOW,
            tickets,
            every,
            every,
            open_count,
            NOW,
            tickets,
        ),
    )
    # Finished tickets: two reminder rows each, sent.
    conn.execute(
        "INSERT INTO sla_reminders (ticket_id, stage, due_at, claimed_at, sent_at)"
        " SELECT t.id, s.stage, t.created_at + s.offset, t.created_at + s.offset,"
        " t.created_at + s.offset FROM tickets t,"
        " (SELECT 'response_warn' AS stage, 5400 AS offset"
        "  UNION ALL SELECT 'resolution_warn', 21600) s"
        " WHERE t.state = 'closed'"
    )
    # Open tickets: six unsent stages, spread from an hour ago to a week ahead.
    stage_rows = " UNION ALL ".join(
        f"SELECT '{stage}' AS stage, {k * 1800} AS offset" for k, stage in enumerate(STAGES)
    )
    conn.execute(
        "INSERT INTO sla_reminders (ticket_id, stage, due_at)"
        f" SELECT t.id, s.stage, ? - 3600 + (t.id * 7919) % ? + s.offset"
        f" FROM tickets t, ({stage_rows}) s WHERE t.state = 'new'",
        (NOW, WEEK),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


async def time_sweeps(db: Database, runs: int, limit: int) -> tuple[list[float], int]:
    """Median-ready timings (ms) of one claim each, rolled back so every run is the same."""
    timings: list[float] = []
    claimed = 0
    conn = db._conn  # the bench drives BEGIN/ROLLBACK itself to repeat the same sweep
    for _ in range(runs):
        started = time.perf_counter()
        await conn.execute("BEGIN IMMEDIATE")
        rows = await store.claim_due(conn, NOW, limit)
        timings.append((time.perf_counter() - started) * 1000)
        await conn.execute("ROLLBACK")
        claimed = len(rows)
    return timings, claimed


async def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--limit", type=int, default=50, help="rows claimed per sweep")
    parser.add_argument("--db", type=Path, help="where to build (default: a temporary file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "sla_sweep.db"
        if path.exists():
            path.unlink()
        started = time.perf_counter()
        db = await Database.open(path)
        await db.close()
        build(path, args.tickets, args.open)
        build_s = time.perf_counter() - started
        print(f"built {args.tickets} tickets in {build_s:.1f} s", file=sys.stderr)
        with sqlite3.connect(path) as check:
            tickets = check.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
            open_count = check.execute(
                "SELECT COUNT(*) FROM tickets WHERE state = 'new'"
            ).fetchone()[0]
            rows = check.execute("SELECT COUNT(*) FROM sla_reminders").fetchone()[0]
            due = check.execute(
                "SELECT COUNT(*) FROM sla_reminders WHERE sent_at IS NULL AND due_at <= ?", (NOW,)
            ).fetchone()[0]
            plan = check.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM sla_reminders WHERE sent_at IS NULL"
                " AND due_at <= ? AND (claimed_at IS NULL OR claimed_at <= ?)"
                " ORDER BY due_at LIMIT 50",
                (NOW, NOW - 120),
            ).fetchall()
        print(f"query plan: {[p[-1] for p in plan]}", file=sys.stderr)
        db = await Database.open(path)
        await time_sweeps(db, 2, args.limit)  # warm the cache
        sweeps, claimed = await time_sweeps(db, args.runs, args.limit)
        await db._conn.execute("DROP INDEX sla_reminders_due")
        baseline, baseline_claimed = await time_sweeps(db, max(3, args.runs // 3), args.limit)
        await db._conn.execute(INDEX_SQL)
        await db.close()
    assert claimed == baseline_claimed  # the same work, with and without the index
    sweep_ms = statistics.median(sweeps)
    baseline_ms = statistics.median(baseline)
    return {
        "tickets": tickets,
        "open": open_count,
        "reminder_rows": rows,
        "due": due,
        "claimed_per_sweep": claimed,
        "runs": len(sweeps),
        "sweep_ms": round(sweep_ms, 3),
        "sweep_ms_max": round(max(sweeps), 3),
        "baseline_ms": round(baseline_ms, 3),
        "baseline": "the same sweep without the partial index on unsent rows",
        "speedup": round(baseline_ms / sweep_ms, 1) if sweep_ms else None,
        "build_s": round(build_s, 1),
    }


if __name__ == "__main__":
    result = asyncio.run(main())
    print(json.dumps(result))
